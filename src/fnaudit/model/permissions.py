"""A function's effective permissions and blast radius (owned by the IAM engine; rules read them).

`fnaudit.engines.iam` fills `Function.permissions` and `Function.blast_radius`; see
`fnaudit.engines.iam.evaluate` for how grants are computed and `fnaudit.engines.iam.blast` for
the score.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fnaudit.model.loc import Loc

if TYPE_CHECKING:
    from fnaudit.model.app import Statement
    from fnaudit.model.code import SdkCall


@dataclass(frozen=True, slots=True)
class Grant:
    """What one Allow statement grants on one resource, after Deny statements and the boundary.

    `actions` holds canonical catalogue names (`s3:GetObject`), wildcards and NotAction already
    expanded; actions the catalogue does not know stay as written. `resource` is the resource as
    an ARN pattern (`*`, `arn:aws:s3:::bucket/*`, app references resolved to ARNs with `*` for the
    region and account); `resource_text` is how it is written; `resource_ref` the logical id of
    the app resource it names, when it names one. `except_resources` comes from a `NotResource`.
    """

    actions: frozenset[str]
    written: tuple[str, ...]  # the Action patterns as written, or ("NotAction: a, b",)
    resource: str
    resource_text: str
    loc: Loc
    source: str  # where the statement comes from: its path in the IaC, or "AWS managed policy X …"
    conditional: bool = False
    except_resources: tuple[str, ...] = ()
    resource_ref: str | None = None
    sid: str | None = None
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # the statement's Condition: (operator, key, values)

    def describe(self) -> str:
        label = f"statement {self.sid}" if self.sid else self.source
        cond = " (with a Condition)" if self.conditional else ""
        return f"{label} at {self.loc}{cond}"


@dataclass(frozen=True, slots=True)
class Escalation:
    """A privilege-escalation method the function's permissions enable."""

    method: str  # stable id, e.g. "passrole-lambda-create-invoke"
    name: str
    explanation: str
    reference: str
    evidence: tuple[tuple[str, Grant], ...]  # (required action, the grant that provides it)
    targets: tuple[str, ...] = ()  # roles it can pass / functions it can take over (app names or patterns)
    conditional: bool = False  # some required action is granted only behind a Condition
    to_admin: bool = False  # the method yields any permission (e.g. attach a policy to its own role)


EVERY_SERVICE = "*"  # the service of a grant of every action (`*`, `NotAction`)
MANAGED_POLICY = "managed policy"  # the service of an attached managed policy whose document is unknown


@dataclass(frozen=True, slots=True)
class ResourceAccess:
    """What a role reaches on one resource of one service, at which AWS access levels. The IAM engine
    computes these (`fnaudit.engines.iam.access`) so that reporters never classify actions themselves."""

    service: str  # `s3`; EVERY_SERVICE for a grant of every action; MANAGED_POLICY for an unknown policy
    resource: str  # as written (an app resource's logical id when the grant names one)
    levels: tuple[str, ...]  # "Permissions management", "Write", "Tagging", "Read", "List", "Unknown": worst first


@dataclass(frozen=True, slots=True)
class EffectivePermissions:
    grants: tuple[Grant, ...] = ()
    statements: tuple[Statement, ...] = ()  # every statement of the role, AWS managed ones expanded
    denies: tuple[Statement, ...] = ()  # Deny statements (conditional ones narrow but do not remove)
    boundary: str | None = None
    boundary_known: bool = True  # False: a boundary is set but its document is not in the app / catalogue
    unknown_policies: tuple[str, ...] = ()  # attached managed policies whose document is unknown
    escalations: tuple[Escalation, ...] = ()
    # Used versus granted (from the code engine's SDK calls): the actions the function needs, None when
    # its code was not analysed; how sure we are that nothing else is needed (high | medium | low).
    needed: frozenset[str] | None = None
    needed_confidence: str = "high"
    unmapped_calls: tuple[str, ...] = ()  # "service.Operation" of SDK calls with no known IAM action
    access: tuple[ResourceAccess, ...] = ()  # per service and resource, with access levels (the HTML graph)
    # (statement loc, statement source) → its grants, built on first use: the rules ask "what does this
    # statement still grant?" for every statement, and scanning every grant each time made them quadratic.
    _by_statement: Mapping[tuple[Loc, str], tuple[Grant, ...]] | None = field(
        init=False, repr=False, compare=False, default=None
    )

    def of_statement(self, loc: Loc, source: str) -> tuple[Grant, ...]:
        """The grants that come from one statement (after Deny statements and the boundary)."""
        if self._by_statement is None:
            index: dict[tuple[Loc, str], list[Grant]] = {}
            for g in self.grants:
                index.setdefault((g.loc, g.source), []).append(g)
            object.__setattr__(self, "_by_statement", {k: tuple(v) for k, v in index.items()})
        assert self._by_statement is not None
        return self._by_statement.get((loc, source), ())

    def granting(self, action: str) -> Iterator[Grant]:
        """The grants that include a canonical action."""
        for g in self.grants:
            if action in g.actions:
                yield g

    def allows(self, action: str) -> bool:
        return any(True for _ in self.granting(action))


@dataclass(frozen=True, slots=True)
class BlastRadius:
    """What a compromised function reaches. `score` (0–100, higher reaches more) is documented in
    `fnaudit.engines.iam.blast`."""

    score: float
    pairs: int = 0  # distinct (action, resource) pairs granted directly
    by_service: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # service → level → pairs
    escalation: tuple[str, ...] = ()  # escalation method ids
    reaches_functions: tuple[str, ...] = ()  # other functions it can invoke or take over
    inherits_from: tuple[str, ...] = ()  # roles / functions whose permissions it gains through escalation
    admin: bool = False  # reaches every action (directly or by escalation)
    conditional_pairs: int = 0  # pairs granted only behind a Condition


@dataclass(frozen=True, slots=True)
class LeastStatement:
    """One statement of a least-privilege policy (`fnaudit.engines.iam.least` builds them)."""

    actions: tuple[str, ...]
    resources: tuple[tuple[str, str | None], ...]  # (ARN pattern, app logical id or None)
    unscoped: bool  # the code does not tell which resource: `*` needs a person's attention


@dataclass(frozen=True, slots=True)
class LeastPrivilege:
    """The statements a function's code needs, scoped to the app's own resources."""

    function: str
    analysed: bool  # the code engine analysed the function's code
    statements: tuple[LeastStatement, ...]
    calls: int
    unknown: tuple[SdkCall, ...]  # SDK calls we could not map to an IAM action
    log_group: str  # the function's log group ARN, for formats that must grant logging themselves
