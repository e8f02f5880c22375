"""The IAM statements CDK's grant methods write, read from a data table generated from aws-cdk-lib itself.

`fnaudit/data/cdk_grants.json` is made by `tools/gen_cdk_grants.py` (run by hand; its docstring says how),
which records what aws-cdk-lib writes on a grantee's role for each grant method of the common constructs:
the actions, the shape of the resources (`arn`, `arn/*` for a bucket's objects, `arn/index/*` for a table's
indexes, `arn:*` for a function's versions, `stream`, `executions`, `*`), and the KMS actions added on the
key when the resource is encrypted. The table names the aws-cdk-lib version and date it came from, so a
change in CDK is a regenerated table, not an edit of the loader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

# the shapes that name what is inside the resource (a bucket's objects, a table's indexes): the loader
# writes them as `arn/*`
_INSIDE = frozenset({"arn/*", "arn/index/*"})


@dataclass(frozen=True, slots=True)
class GrantStatement:
    """One statement CDK writes: its actions, and the shapes of the resources it names."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditional: bool = False  # CDK adds a condition (`grantInvokeUrl`): the loader does not write it


@dataclass(frozen=True, slots=True)
class Grant:
    kind: str  # the construct kind it is a method of
    actions: tuple[str, ...]  # every action of its statements, in CDK's order
    objects: bool = False  # also `arn/*` (bucket objects, table indexes)
    statements: tuple[GrantStatement, ...] = ()
    key_actions: tuple[str, ...] = ()  # on the KMS key, when the resource is encrypted with one
    construct: str = ""  # the CDK class it was read from (`aws-dynamodb.Table`)

    @property
    def resources(self) -> tuple[str, ...]:
        """The resource shapes of all its statements, in order."""
        return tuple(dict.fromkeys(r for s in self.statements for r in s.resources))


@dataclass(frozen=True, slots=True)
class Source:
    package: str
    version: str
    license: str
    generated: str  # the date the table was generated (ISO)


def _grant(kind: str, construct: str, raw: dict[str, Any]) -> Grant:
    statements = tuple(
        GrantStatement(tuple(s["actions"]), tuple(s["resources"]), "condition" in s) for s in raw["statements"]
    )
    actions = tuple(dict.fromkeys(a for s in statements for a in s.actions))
    objects = any(r in _INSIDE for s in statements for r in s.resources)
    return Grant(kind, actions, objects, statements, tuple(raw.get("key_actions", ())), construct)


@cache
def _load() -> tuple[Source, dict[tuple[str, str], Grant], dict[tuple[str, str], Grant]]:
    text = resources.files("fnaudit").joinpath("data", "cdk_grants.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    src = raw["source"]
    by_kind: dict[tuple[str, str], Grant] = {}
    by_class: dict[tuple[str, str], Grant] = {}
    for construct, entry in raw["classes"].items():
        for method, grant in entry["grants"].items():
            made = _grant(entry["kind"], construct, grant)
            by_class[(construct, method)] = made
            # two classes of one kind (`Table`, `TableV2`): the first listed (the older, commoner one) speaks
            by_kind.setdefault((entry["kind"], method), made)
    return Source(src["package"], src["version"], src["license"], src["generated"]), by_kind, by_class


SOURCE, GRANTS, GRANTS_BY_CLASS = _load()
CDK_VERSION = SOURCE.version
