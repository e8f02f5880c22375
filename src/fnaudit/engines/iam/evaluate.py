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

from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import lru_cache

from fnaudit.engines.iam import arns, managed
from fnaudit.engines.iam.catalogue import Catalogue
from fnaudit.loaders import _iam
from fnaudit.loaders._yaml import line_of
from fnaudit.model.app import App, Effect, Resource, Role, Statement
from fnaudit.model.permissions import EffectivePermissions, Grant


class ActionSets:
    """Expanded action sets, memoised per pattern tuple so that identical statements share one frozenset."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._allow = lru_cache(maxsize=16384)(self._actions)
        self._not = lru_cache(maxsize=4096)(self._not_actions)

    def _actions(self, patterns: tuple[str, ...]) -> frozenset[str]:
        out: set[str] = set()
        for p in patterns:
            out.update(self.catalogue.expand(p))
        return frozenset(out)

    def _not_actions(self, patterns: tuple[str, ...]) -> frozenset[str]:
        excluded = self._allow(patterns)
        return frozenset(a for a in self.catalogue.all_actions() if a not in excluded)

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
    statements: Iterable[Statement], sets: ActionSets, resources: Mapping[str, Resource],
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
        written = tuple(a.strip() for a in st.actions) if not st.not_actions else (
            "NotAction: " + ", ".join(a.strip() for a in st.not_actions),
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


def _apply_denies(grants: list[Grant], denies: Iterable[Statement], sets: ActionSets, resources: Mapping[str, Resource]) -> list[Grant]:
    for st in denies:
        if st.effect is not Effect.DENY or st.conditional:
            continue
        denied = sets.of(st)
        if not denied:
            continue
        out: list[Grant] = []
        if st.not_resources:
            kept_only = [arns.resolve(r, resources)[0] for r in st.not_resources]
            for g in grants:
                hit = g.actions & denied
                if not hit:
                    out.append(g)
                    continue
                rest = g.actions - hit
                if rest:
                    out.append(replace(g, actions=frozenset(rest)))
                for k in kept_only:  # the denied actions survive only on the excepted resources
                    narrowed = arns.intersect(g.resource, k)
                    if narrowed is not None:
                        out.append(replace(g, actions=frozenset(hit), resource=narrowed))
            grants = out
            continue
        deny_res = [arns.resolve(r, resources)[0] for r in st.resources]
        for g in grants:
            hit = g.actions & denied
            if not hit:
                out.append(g)
                continue
            if any(arns.covers(d, g.resource) for d in deny_res):
                rest = g.actions - hit
                if rest:
                    out.append(replace(g, actions=frozenset(rest)))
                continue
            narrower = tuple(d for d in deny_res if arns.covers(g.resource, d))
            if narrower:
                rest = g.actions - hit
                if rest:
                    out.append(replace(g, actions=frozenset(rest)))
                out.append(replace(g, actions=frozenset(hit), except_resources=g.except_resources + narrower))
            else:
                out.append(g)
        grants = out
    return grants


def _apply_boundary(grants: list[Grant], boundary: tuple[Statement, ...], sets: ActionSets, resources: Mapping[str, Resource]) -> list[Grant]:
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
                if narrowed is not None:
                    out.append(replace(g, actions=frozenset(inter), resource=narrowed, conditional=g.conditional or b.conditional))
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
    for lid, res in app.resources.items():
        if res.type == "AWS::IAM::ManagedPolicy" and lid in text.replace("!Ref ", " ").split():
            doc = res.properties.get("PolicyDocument")
            return _iam.document_statements(doc, res.loc.path, line_of(res.properties, "PolicyDocument", res.loc.line), lid)
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
