"""Shared check for the rules that look for one curated group of actions (data reads, credentials,
exfiltration) in a role's Allow statements."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from fnaudit.findings import Hit, Severity
from fnaudit.model.app import App, Role, Statement
from fnaudit.rules.iam._actions import event_source_note, expand, quiet_on_star
from fnaudit.rules.iam._policy import (
    RoleUsers,
    any_resource,
    boundary_note,
    cause,
    condition_note,
    effective_actions,
    function_roles,
    left_to_others,
    limits_note,
    managed_name,
    notaction_label,
    reported_statements,
    reports_admin,
    resources_text,
    scoped_by_condition,
    surviving_resources,
    where,
    with_condition,
)


def group_hits(
    app: App,
    group: frozenset[str],
    *,
    only_everywhere: bool,
    severity: Callable[[bool, tuple[str, ...]], Severity],
    what: str,
    remediation: Callable[[App, tuple[str, ...]], str],
) -> Iterator[Hit]:
    """One hit per (statement, action pattern) that reaches actions of `group`. `*`, `service:*`
    and NotAction are left to IAM001 / IAM002. `only_everywhere`: report only on every resource, and
    only actions that could have been scoped."""
    for users, role in function_roles(app):
        per_policy: dict[str, tuple[Statement, list[str], bool]] = {}
        for st in reported_statements(users, role):
            everywhere = any_resource(st)
            if only_everywhere and (not everywhere or scoped_by_condition(st)):
                continue
            effective = effective_actions(users, st, everywhere_only=only_everywhere)
            on_every = effective if only_everywhere else effective_actions(users, st, everywhere_only=True)
            policy = managed_name(st)
            for action, reached in patterns(users, st, effective):
                found = tuple(x for x in reached if x.lower() in group)
                if effective is not None:
                    found = tuple(x for x in found if x in effective)  # a Deny or the boundary took them away
                if only_everywhere:
                    found = tuple(x for x in found if not quiet_on_star(x))
                if not found:
                    continue
                # a Deny's NotResource (or the boundary) can leave them only on narrower resources
                broad = everywhere and (on_every is None or any(x in on_every for x in found))
                if policy is not None:  # an AWS managed policy: one finding per policy, at the line attaching it
                    first, acc, anywhere = per_policy.get(policy, (st, [], False))
                    acc.extend(x for x in found if x not in acc)
                    per_policy[policy] = (first if first.conditional <= st.conditional else st, acc, anywhere or broad)
                    continue
                yield _hit(app, users, role, st, action, found, broad, severity, what, remediation)
        for policy, (st, acc, everywhere) in per_policy.items():
            hit = _hit(
                app,
                users,
                role,
                st,
                f"AWS managed policy {policy}",
                tuple(sorted(acc)),
                everywhere,
                severity,
                what,
                remediation,
            )
            yield explain_event_source(hit, policy, users)


def explain_event_source(hit: Hit, policy: str, users: RoleUsers) -> Hit:
    """A managed policy AWS provides for Lambda to poll a trigger (`AWSLambdaSQSQueueExecutionRole`): the hit
    says so and drops to `info` when a function of the role has that trigger, `low` when none has."""
    kinds = {t.kind.value for f in users.functions for t in f.triggers}
    note = event_source_note(policy, kinds)
    if note is None:
        return hit
    return replace(hit, message=f"{hit.message} ({note[0]})", severity=Severity.INFO if note[1] else Severity.LOW)


def patterns(
    users: RoleUsers, st: Statement, effective: frozenset[str] | None
) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(pattern as written, the actions it reaches) for each pattern of the statement that the rules below
    IAM001 / IAM002 judge: `*`, `service:*` and NotAction are IAM001's / IAM002's while they report them,
    and the caller's when Deny statements or the boundary left too little for that (what is left is
    then reported by the caller)."""
    if st.not_actions:
        if effective is not None and not reports_admin(users, st):
            yield notaction_label(st), tuple(sorted(effective))
        return
    for action in st.actions:
        a = action.strip()
        if left_to_others(users, st, a):
            continue
        yield a, expand(a)


def _hit(
    app: App,
    users: RoleUsers,
    role: Role,
    st: Statement,
    action: str,
    found: tuple[str, ...],
    everywhere: bool,
    severity: Callable[[bool, tuple[str, ...]], Severity],
    what: str,
    remediation: Callable[[App, tuple[str, ...]], str],
) -> Hit:
    shown = ", ".join(f"`{x}`" for x in found[:6]) + (f" and {len(found) - 6} more" if len(found) > 6 else "")
    via = f" (through `{action}`)" if action.lower() not in {f.lower() for f in found} else ""
    label = where(role, st)
    if action.startswith("AWS managed policy "):
        via, label = "", f"{action} attached to role {role.id}"
    on = resources_text(st)
    if any_resource(st) and not everywhere:  # narrowed by a Deny's NotResource or the boundary: say where
        on = ", ".join(surviving_resources(users, st, found)) or on
    return Hit(
        st.loc,
        f"{users.subject}: {label} allows {what} {shown}{via} on {on}{condition_note(st)}"
        f"{_limits(users, st, action)}{boundary_note(users)}",
        function=users.function_id,
        functions=users.function_ids,
        evidence=f"Allow {action} on {resources_text(st)}",
        remediation=remediation(app, found),
        severity=with_condition(severity(everywhere, found), st),
        key=cause(role, st),  # the statement (or the managed policy), for one finding per statement
        cause=cause(role, st),
    )


def _limits(users: RoleUsers, st: Statement, action: str) -> str:
    """For a wildcard reported action by action because Deny statements or the boundary cut it down."""
    if action.startswith("AWS managed policy ") or not (st.not_actions or "*" in action or "?" in action):
        return ""
    return limits_note(users, st, effective_actions(users, st))
