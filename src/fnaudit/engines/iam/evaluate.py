"""Effective permissions of an execution role: what its statements grant once expanded and reduced.

Steps, per role (computed once per role and shared by the functions that use it):

1. Statements: the role's inline statements, those of the app's own managed policies, and the AWS
   managed policies attached by name or ARN, expanded from the catalogue. Customer managed
   policies outside the app are listed in `unknown_policies` (their content cannot be known).
2. Allow statements → `Grant`s, one per (statement, resource): action patterns expanded with the
   catalogue (`s3:Get*`, `*`, `*:Describe*`); `NotAction` = every catalogued action except the
   listed ones; `NotResource` = resource `*` with `except_resources`. Resources that name the app's
   own resources are resolved to ARNs (`arns.resolve`). A `Condition` keeps the grant and marks it
   `conditional`: conditions narrow a grant but we cannot evaluate them statically.
3. Unconditional Deny statements remove actions from the grants whose resource they cover; a Deny
   on a narrower resource adds that resource to the grant's `except_resources`; a Deny with
   `NotResource` leaves the grant only on the excepted resources. Conditional Denies are kept in
   `denies` but remove nothing (we cannot tell when they apply).
4. A permissions boundary, when its document is known (AWS managed by name, or an
   `AWS::IAM::ManagedPolicy` of the app), intersects the grants: an action stays only where a
   boundary Allow covers it (narrowing the resource when the boundary is narrower), and boundary
   Denies apply as in 3. An unknown boundary leaves the grants as they are (`boundary_known=False`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from functools import lru_cache

from fnaudit.engines.iam import arns, managed
from fnaudit.engines.iam.catalogue import Catalogue
from fnaudit.loaders.documents import line_of, policy_statements
from fnaudit.model.app import App, Effect, Resource, Role, Statement
from fnaudit.model.permissions import EffectivePermissions, Grant


class ActionSets:
    """Expanded action sets, memoised per pattern tuple so that identical statements share one frozenset."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._allow = lru_cache(maxsize=16384)(self._actions)
        self._not = lru_cache(maxsize=4096)(self._not_actions)
        self._applies: dict[tuple[str, str], bool] = {}
        self.services = lru_cache(maxsize=4096)(self._services)

    @staticmethod
    def _services(actions: frozenset[str]) -> frozenset[str]:
        """The services of an action set (lower case), memoised: sets are shared across roles."""
        return frozenset(a.partition(":")[0].lower() for a in actions)

    def _actions(self, patterns: tuple[str, ...]) -> frozenset[str]:
        out: set[str] = set()
        for p in patterns:
            out.update(self.catalogue.expand(p))
        return frozenset(out)

    def _not_actions(self, patterns: tuple[str, ...]) -> frozenset[str]:
        excluded = self._allow(patterns)
        return frozenset(a for a in self.catalogue.all_actions() if a not in excluded)

    def applies(self, action: str, resource: str) -> bool:
        """Whether an action can be granted on a resource pattern at all: `*`, a non-ARN text and an ARN
        with a wildcard service always; an ARN of service S only for actions whose resource types live
        in S (an IAM action on an S3 bucket's ARN grants nothing). Used where the engine itself narrows
        a grant to another resource (a Deny's NotResource, a boundary's Resource)."""
        if resource == "*" or not resource.startswith("arn:"):
            return True
        parts = resource.split(":", 3)
        service = parts[2].lower() if len(parts) > 2 else ""
        if not service or any(c in service for c in "*?[$"):
            return True
        key = (action, service)
        hit = self._applies.get(key)
        if hit is None:
            services = self.catalogue.arn_services(action)
            hit = self._applies[key] = services is None or service in services
        return hit

    def of(self, st: Statement) -> frozenset[str]:
        if st.not_actions:
            return self._not(tuple(sorted(a.strip().lower() for a in st.not_actions)))
        return self._allow(tuple(sorted(a.strip().lower() for a in st.actions)))


def role_statements(
    role: Role, catalogue: Catalogue, resources: Mapping[str, Resource]
) -> tuple[tuple[Statement, ...], tuple[str, ...]]:
    """Every statement of the role (AWS managed policies expanded) and the managed policies we cannot read."""
    out: list[Statement] = list(role.statements)
    unknown: list[str] = []
    for mp in role.managed_policies:
        if mp.statements:
            out.extend(mp.statements)
            continue
        expanded = managed.statements(catalogue, mp)
        if expanded is not None:
            out.extend(expanded)
        elif mp.arn in resources and resources[mp.arn].type == "AWS::IAM::ManagedPolicy":
            continue  # an empty policy of the app
        else:
            unknown.append(mp.arn)
    return tuple(out), tuple(unknown)


def grants_of(
    statements: Iterable[Statement],
    sets: ActionSets,
    resources: Mapping[str, Resource],
    memo: dict[str, tuple[str, str | None]] | None = None,
) -> list[Grant]:
    memo = {} if memo is None else memo

    def resolve(text: str) -> tuple[str, str | None]:
        hit = memo.get(text)
        if hit is None:
            hit = memo[text] = arns.resolve(text, resources)
        return hit

    out: list[Grant] = []
    for st in statements:
        if st.effect is not Effect.ALLOW:
            continue
        actions = sets.of(st)
        if not actions:
            continue
        written = (
            tuple(a.strip() for a in st.actions)
            if not st.not_actions
            else ("NotAction: " + ", ".join(a.strip() for a in st.not_actions),)
        )
        targets: list[tuple[str, str, str | None]]  # (ARN pattern, as written, app logical id)
        if st.not_resources:
            targets = [("*", "*", None)]
            excepted = tuple(resolve(r)[0] for r in st.not_resources)
        else:
            targets = [(resolve(r)[0], r, resolve(r)[1]) for r in st.resources]
            excepted = ()
        for arn, text, ref in targets:
            out.append(
                Grant(
                    actions=actions,
                    written=written,
                    resource=arn,
                    resource_text=text,
                    loc=st.loc,
                    source=st.source,
                    conditional=st.conditional,
                    except_resources=excepted,
                    resource_ref=ref,
                    sid=st.sid,
                    conditions=st.conditions,
                )
            )
    return out


_WILDCARD = re.compile(r"[*?\[]")  # what fnmatch treats as a pattern (`arns.covers` matches with it)


def literal_prefix(pattern: str) -> str:
    """The part of a resource pattern before its first wildcard. Two patterns can only cover one another
    (`arns.covers`, which anchors at the start) when one's literal prefix is a prefix of the other's."""
    m = _WILDCARD.search(pattern)
    return pattern if m is None else pattern[: m.start()]


class DenyIndex:
    """Deny statements indexed by action pattern and by resource, so that a grant only meets the Denies
    that can remove one of its actions on its resource (evaluation stays near-linear in the statements).

    Actions, by how the pattern is written:
    - `exact`: no wildcard → its canonical action → Deny positions;
    - `by_service`: a wildcard in the action part only (`s3:Get*`, `s3:*`) → its service;
    - `wide`: a wildcard in the service part (`*`, `*:Describe*`) or a NotAction, which can match any
      service and is a candidate for every grant (policies rarely have many).
    Resources: the literal prefix of each resource pattern (`*` → ""), sorted, so that the Denies whose
    prefix is a prefix of the grant's, or extends it, are found by lookups and one bisection; a Deny with
    NotResource reaches every resource.

    `candidates` returns positions in the order the Denies are written, so a grant goes through its
    Denies in the same order as in the brute-force evaluation.
    """

    def __init__(self, denies: Iterable[Statement], sets: ActionSets, arn: Callable[[str], str]) -> None:
        self.sets = sets
        self.denies: list[tuple[Statement, frozenset[str]]] = []
        self.exact: dict[str, list[int]] = {}
        self.by_service: dict[str, list[int]] = {}
        self.wide: list[int] = []
        self.any_resource: list[int] = []  # NotResource Denies
        self.prefixes: dict[str, list[int]] = {}
        self._action_memo: dict[frozenset[str], frozenset[int]] = {}
        self._resource_memo: dict[str, frozenset[int]] = {}
        for st in denies:
            if st.effect is not Effect.DENY or st.conditional:
                continue  # a conditional Deny narrows but we cannot tell when: it removes nothing
            denied = sets.of(st)
            if not denied:
                continue
            pos = len(self.denies)
            self.denies.append((st, denied))
            if st.not_resources:
                self.any_resource.append(pos)
            for r in st.resources:
                self.prefixes.setdefault(literal_prefix(arn(r)), []).append(pos)
            if st.not_actions:
                self.wide.append(pos)
                continue
            for raw in st.actions:
                pattern = raw.strip().lower()
                service, _, name = pattern.partition(":")
                if _WILDCARD.search(service) or not name:
                    self.wide.append(pos)
                elif _WILDCARD.search(name):
                    self.by_service.setdefault(service, []).append(pos)
                else:
                    for action in sets.catalogue.expand(pattern):
                        self.exact.setdefault(action, []).append(pos)
        self._sorted = sorted(self.prefixes)
        self._lengths = sorted({len(p) for p in self.prefixes})

    def __bool__(self) -> bool:
        return bool(self.denies)

    def _by_actions(self, actions: frozenset[str]) -> frozenset[int]:
        hit = self._action_memo.get(actions)  # memoised per action set: grants of one pattern share a frozenset
        if hit is not None:
            return hit
        found: set[int] = set(self.wide)
        if self.by_service:
            for service in self.sets.services(actions):
                found.update(self.by_service.get(service, ()))
        if len(actions) <= len(self.exact):
            for a in actions:
                found.update(self.exact.get(a, ()))
        else:
            for a, positions in self.exact.items():
                if a in actions:
                    found.update(positions)
        out = self._action_memo[actions] = frozenset(found)
        return out

    def _by_resource(self, resource: str) -> frozenset[int]:
        hit = self._resource_memo.get(resource)
        if hit is not None:
            return hit
        mine = literal_prefix(resource)
        found: set[int] = set(self.any_resource)
        for n in self._lengths:  # Deny prefixes that are a prefix of the grant's
            if n > len(mine):
                break
            found.update(self.prefixes.get(mine[:n], ()))
        i = bisect_left(self._sorted, mine)  # Deny prefixes that extend the grant's
        while i < len(self._sorted) and self._sorted[i].startswith(mine):
            found.update(self.prefixes[self._sorted[i]])
            i += 1
        out = self._resource_memo[resource] = frozenset(found)
        return out

    def candidates(self, actions: frozenset[str], resource: str) -> list[int]:
        """Positions of the Denies that may remove one of `actions` on `resource`, in written order."""
        return sorted(self._by_actions(actions) & self._by_resource(resource))


def _apply_denies(
    grants: list[Grant], denies: Iterable[Statement], sets: ActionSets, resources: Mapping[str, Resource]
) -> list[Grant]:
    """Each grant goes through the Denies that can touch it (`DenyIndex`), in the order they are written.
    A Deny transforms each grant independently of the others, so this equals applying every Deny to
    every grant (tests/engines/test_iam_index.py checks it against that brute force)."""
    resolved: dict[str, str] = {}

    def arn(text: str) -> str:
        hit = resolved.get(text)
        if hit is None:
            hit = resolved[text] = arns.resolve(text, resources)[0]
        return hit

    index = DenyIndex(denies, sets, arn)
    if not index:
        return grants

    out: list[Grant] = []
    for g in grants:
        positions = index.candidates(g.actions, g.resource)
        if not positions:
            out.append(g)
            continue
        parts = [g]
        for pos in positions:
            st, denied = index.denies[pos]
            nxt: list[Grant] = []
            for part in parts:
                nxt.extend(deny_one(part, st, denied, arn, sets.applies))
            parts = nxt
            if not parts:
                break
        out.extend(parts)
    return out


def deny_one(
    g: Grant, st: Statement, denied: frozenset[str], arn: Callable[[str], str], applies: Callable[[str, str], bool]
) -> list[Grant]:
    """What is left of one grant after one unconditional Deny (`denied`: its expanded actions). `applies`
    (`ActionSets.applies`) drops actions from a resource the Deny narrowed the grant to when they cannot
    apply to it (`Deny *` with `NotResource: arn:aws:s3:::mine` leaves S3 actions on that bucket only)."""
    hit = g.actions & denied
    if not hit:
        return [g]
    out: list[Grant] = []
    rest = g.actions - hit
    if st.not_resources:
        if rest:
            out.append(replace(g, actions=frozenset(rest)))
        for k in (arn(r) for r in st.not_resources):  # the denied actions survive only on the excepted resources
            narrowed = arns.intersect(g.resource, k)
            if narrowed is None:
                continue
            kept = hit if narrowed == g.resource else frozenset(a for a in hit if applies(a, narrowed))
            if kept:
                out.append(replace(g, actions=frozenset(kept), resource=narrowed))
        return out
    deny_res = [arn(r) for r in st.resources]
    if any(arns.covers(d, g.resource) for d in deny_res):
        if rest:
            out.append(replace(g, actions=frozenset(rest)))
        return out
    narrower = tuple(d for d in deny_res if arns.covers(g.resource, d))
    if not narrower:
        return [g]
    if rest:
        out.append(replace(g, actions=frozenset(rest)))
    out.append(replace(g, actions=frozenset(hit), except_resources=g.except_resources + narrower))
    return out


def _apply_boundary(
    grants: list[Grant], boundary: tuple[Statement, ...], sets: ActionSets, resources: Mapping[str, Resource]
) -> list[Grant]:
    allows = [(sets.of(b), b) for b in boundary if b.effect is Effect.ALLOW]
    out: list[Grant] = []
    for g in grants:
        for allowed, b in allows:
            inter = g.actions & allowed
            if not inter:
                continue
            b_resources = ["*"] if b.not_resources else [arns.resolve(r, resources)[0] for r in b.resources]
            for br in b_resources:
                narrowed = arns.intersect(g.resource, br)
                if narrowed is None:
                    continue
                kept = inter if narrowed == g.resource else frozenset(a for a in inter if sets.applies(a, narrowed))
                if kept:
                    out.append(
                        replace(
                            g, actions=frozenset(kept), resource=narrowed, conditional=g.conditional or b.conditional
                        )
                    )
    return _apply_denies(_merge(out), [b for b in boundary if b.effect is Effect.DENY], sets, resources)


def _merge(grants: list[Grant]) -> list[Grant]:
    """Join grants that differ only by their action sets (the boundary splits them per boundary statement)."""
    merged: dict[tuple[object, ...], Grant] = {}
    for g in grants:
        key = (g.loc, g.source, g.resource, g.resource_text, g.conditional, g.except_resources, g.written)
        if key in merged:
            merged[key] = replace(merged[key], actions=merged[key].actions | g.actions)
        else:
            merged[key] = g
    return list(merged.values())


def boundary_statements(app: App, role: Role, catalogue: Catalogue) -> tuple[Statement, ...] | None:
    """The boundary's statements when its document is known; None when unknown."""
    text = (role.permissions_boundary or "").strip()
    if not text:
        return ()
    name = managed.aws_policy_name(text)
    if name is not None:
        return managed.by_name(catalogue, name, role.loc)
    res = app_policy(app, text)
    if res is None:
        return None
    doc = res.properties.get("PolicyDocument")
    return policy_statements(doc, res.loc.path, line_of(res.properties, "PolicyDocument", res.loc.line), res.logical_id)


def app_policy(app: App, text: str) -> Resource | None:
    """The app's own `AWS::IAM::ManagedPolicy` a boundary designates: by reference (`!Ref P`, `!GetAtt
    P.PolicyArn`, `${P}` in a `!Sub`), or by an ARN ending with its `ManagedPolicyName` (any account:
    the template names the policy it deploys). None when the boundary is outside the app."""
    arn, lid = arns.resolve(text, app.resources)
    if lid is not None:
        res = app.resources.get(lid)
        return res if res is not None and res.type == "AWS::IAM::ManagedPolicy" else None
    if ":policy/" not in arn:
        return None
    tail = arn.split(":policy/", 1)[1].rsplit("/", 1)[-1]
    for res in app.resources.values():
        if res.type == "AWS::IAM::ManagedPolicy" and arns.name_of(res) == tail:
            return res
    return None


def effective(
    app: App, role: Role, catalogue: Catalogue, sets: ActionSets, memo: dict[str, tuple[str, str | None]] | None = None
) -> EffectivePermissions:
    stmts, unknown = role_statements(role, catalogue, app.resources)
    grants = grants_of(stmts, sets, app.resources, memo)
    denies = tuple(s for s in stmts if s.effect is Effect.DENY)
    grants = _apply_denies(grants, denies, sets, app.resources)
    boundary = boundary_statements(app, role, catalogue)
    if boundary:
        grants = _apply_boundary(grants, boundary, sets, app.resources)
    return EffectivePermissions(
        grants=tuple(g for g in grants if g.actions),
        statements=stmts,
        denies=denies,
        boundary=role.permissions_boundary,
        boundary_known=boundary is not None,
        unknown_policies=unknown,
    )
