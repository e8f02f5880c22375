"""Event fields that carry the caller's credentials (CODE014 when they are logged).

A token authorizer's `authorizationToken`, the `Authorization` and `Cookie` headers (any case, also
in `multiValueHeaders`), HTTP API v2 `cookies`, and the API key header. A logged credential can be
replayed by anyone who reads the logs until it expires.
"""

from __future__ import annotations

from collections.abc import Sequence

from fnaudit.engines.code.taint.secrets import is_secret_name
from fnaudit.engines.code.taint.values import SECRET, Ref, Val

_HEADER_MAPS = frozenset({"headers", "multivalueheaders"})
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "x-api-key", "proxy-authorization"})
_CREDENTIAL_FIELDS = frozenset({"authorizationtoken", "cookies"})


def credential_path(path: Sequence[str]) -> bool:
    """`authorizationToken`, `headers.Authorization`, `multiValueHeaders.cookie[]`, `cookies`…"""
    keys = [k.lower() for k in path]
    if not keys:
        return False
    if keys[0] in _CREDENTIAL_FIELDS:
        return True
    return len(keys) >= 2 and keys[0] in _HEADER_MAPS and keys[1] in _CREDENTIAL_HEADERS


WHOLE_ENVIRONMENT = ("os.environ", "process.env")


def returned_environment(val: Val) -> list[Ref]:
    """The whole-environment secrets (`os.environ`, `process.env`) in a returned value."""
    return [r for r in val if r.root == SECRET and r.label in WHOLE_ENVIRONMENT and not r.path]


def secret_label(r: Ref) -> str | None:
    """What a logged `SECRET` ref leaks: its label, or for one variable read through an alias of the
    whole environment (`e = os.environ; e.get("STAGE")`) that variable's name when it names a secret,
    else None (a plain setting is not a leak)."""
    if r.label not in WHOLE_ENVIRONMENT or not r.path:
        return r.label
    name = r.path[0]
    return name if is_secret_name(name) else None
