"""AWS managed policies by name or ARN → statements, expanded like inline policies.

The documents come from the catalogue (the shipped IAM data snapshot, taken from moto's copy of AWS's
managed policies; see `catalogue`). Expansions are memoised per (catalogue, name, line): the catalogue
is immutable, so the memo is a pure function of its key and safe to share between scans. A managed
policy's statements are located at the line that attaches it (`ManagedPolicyArns: - …`,
`managedPolicies: - …`, SAM `Policies: - AmazonS3FullAccess`): that is the line a person changes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from fnaudit.engines.iam.catalogue import Catalogue
from fnaudit.loaders.documents import policy_statements
from fnaudit.model.app import ManagedPolicy, Statement
from fnaudit.model.loc import Loc

_AWS_ARN = re.compile(r":iam::aws:policy/(?:[^\s]*/)?([A-Za-z0-9+=,.@_-]+)\s*$")


def aws_policy_name(arn_or_name: str) -> str | None:
    """`arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole` (also inside `!Sub …`) →
    `AWSLambdaBasicExecutionRole`; None for customer managed policies and logical ids."""
    m = _AWS_ARN.search(arn_or_name.strip())
    return m.group(1) if m else None


def statements(catalogue: Catalogue, mp: ManagedPolicy) -> tuple[Statement, ...] | None:
    """The statements of an attached AWS managed policy (None when it is not one, or is unknown)."""
    name = aws_policy_name(mp.arn)
    if name is None:
        return None
    return _statements(catalogue, name, mp.loc)


def by_name(catalogue: Catalogue, name: str, loc: Loc) -> tuple[Statement, ...] | None:
    return _statements(catalogue, name, loc)


@lru_cache(maxsize=4096)
def _cached(catalogue: Catalogue, name: str, loc: Loc) -> tuple[Statement, ...] | None:
    doc = catalogue.managed_policy(name)
    if doc is None:
        return None
    found = policy_statements(doc, loc.path, loc.line, f"AWS managed policy {name}")
    # every statement points at the attaching line (the document is not in the scanned files)
    return tuple(
        Statement(
            effect=s.effect,
            loc=loc,
            actions=s.actions,
            not_actions=s.not_actions,
            resources=s.resources,
            not_resources=s.not_resources,
            conditional=s.conditional,
            sid=s.sid,
            source=s.source,
            conditions=s.conditions,
        )
        for s in found
    )


def _statements(catalogue: Catalogue, name: str, loc: Loc) -> tuple[Statement, ...] | None:
    return _cached(catalogue, name, loc)


def is_admin_equivalent(stmts: tuple[Statement, ...]) -> bool:
    """A document that grants everything, or can grant itself everything: `*` / NotAction on `*`, or `iam:*`."""
    from fnaudit.model.app import Effect

    for s in stmts:
        if s.effect is not Effect.ALLOW or s.conditional:
            continue
        on_all = "*" in s.resources or bool(s.not_resources)
        if s.not_actions and on_all:
            return True
        for a in s.actions:
            a = a.strip().lower()
            if a in ("*", "*:*") or (a == "iam:*" and on_all):
                return True
    return False
