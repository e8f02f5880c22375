"""Shared check for the rules that look for one curated group of actions (data reads, credentials,
exfiltration) in a role's Allow statements."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fnaudit.findings import Hit, Severity
from fnaudit.model.app import App, Role, Statement
from fnaudit.rules.iam._actions import is_all_actions, is_service_wildcard, members, quiet_on_star
from fnaudit.rules.iam._policy import (
    RoleUsers,
    any_resource,
    condition_note,
    effective_actions,
    function_roles,
    managed_name,
    reported_statements,
    scoped_by_condition,
    resources_text,
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
            if st.not_actions:
                continue
            everywhere = any_resource(st)
            if only_everywhere and (not everywhere or scoped_by_condition(st)):
                continue
            effective = effective_actions(users, st, everywhere_only=only_everywhere)
            policy = managed_name(st)
            for action in st.actions:
                a = action.strip()
                if is_all_actions(a) or is_service_wildcard(a):
                    continue
                found = members(a, group)
                if effective is not None:
                    found = tuple(x for x in found if x in effective)  # a Deny or the boundary took them away
                if only_everywhere:
                    found = tuple(x for x in found if not quiet_on_star(x))
                if not found:
                    continue
                if policy is not None:  # an AWS managed policy: one finding per policy, at the line attaching it
                    first, acc, anywhere = per_policy.get(policy, (st, [], False))
                    acc.extend(x for x in found if x not in acc)
                    per_policy[policy] = (first if first.conditional <= st.conditional else st, acc, anywhere or everywhere)
                    continue
                yield _hit(app, users, role, st, a, found, everywhere, severity, what, remediation)
        for policy, (st, acc, everywhere) in per_policy.items():
            yield _hit(app, users, role, st, f"AWS managed policy {policy}", tuple(sorted(acc)), everywhere,
                       severity, what, remediation)


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
    managed = managed_name(st)
    via = f" (through `{action}`)" if action.lower() not in {f.lower() for f in found} else ""
    label = where(role, st)
    if action.startswith("AWS managed policy "):
        via, label = "", f"{action} attached to role {role.id}"
    return Hit(
        st.loc,
        f"{users.subject}: {label} allows {what} {shown}{via} on {resources_text(st)}{condition_note(st)}",
        function=users.function_id,
        functions=users.function_ids,
        evidence=f"Allow {action} on {resources_text(st)}",
        remediation=remediation(app, found),
        severity=with_condition(severity(everywhere, found), st),
        key=f"managed:{managed}" if action.startswith("AWS managed policy ") else
        f"action:{action}|{resources_text(st) if not everywhere else '*'}",
    )
