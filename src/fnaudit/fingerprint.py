"""Finding fingerprints: stable across line moves and reformatting.

A fingerprint hashes the rule code, the file path, the function and a line-free key of what was
found (the env var name, the statement's action, the route…), so baselines don't churn.
"""

from __future__ import annotations

import hashlib
import re

_SPACE = re.compile(r"\s+")


def fingerprint(rule_code: str, path: str, function_id: str | None, key: str) -> str:
    normal_key = _SPACE.sub(" ", key).strip()
    material = "\x1f".join((rule_code, path, function_id or "", normal_key))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]
