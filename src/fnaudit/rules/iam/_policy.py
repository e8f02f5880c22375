"""Reading a function's role for the IAM rules: which statements apply to every resource, how to
name a statement in a message, and how a condition lowers a severity."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from fnaudit.findings import Severity
from fnaudit.model.app import App, Function, Role, Statement

# The resource part of an ARN (after `arn:partition:service:region:account:`) that means "every resource
# of the service": `*`, or a resource type followed by `*` (`table/*`, `function:*`). Bucket ARNs are the
# exception: in `arn:aws:s3:::reports/*` the part before `/*` is a bucket name, a real scope.
_ANY_RESOURCE_PART = re.compile(
    r"^\*$|^(table|function|role|user|group|policy|secret|parameter|key|alias|log-group|stream|queue|layer|instance"
    r"|stateMachine|rule|event-bus|repository|cluster)[:/]\*$"
)

_LOWER = {
    Severity.CRITICAL: Severity.HIGH,
    Severity.HIGH: Severity.MEDIUM,
    Severity.MEDIUM: Severity.LOW,
    Severity.LOW: Severity.INFO,
    Severity.INFO: Severity.INFO,
}


@dataclass(frozen=True, slots=True)
class RoleUsers:
    """The functions that run as one role. A role's statements are reported once, naming them all,
    rather than once per function: six functions sharing one `s3:*` line is one thing to fix."""

    functions: tuple[Function, ...]

    @property
    def subject(self) -> str:
        names = [f.name for f in self.functions]
        if len(names) == 1:
            return f"function {names[0]}"
        return f"{len(names)} functions sharing one role ({', '.join(names)})"

    @property
    def function_id(self) -> str | None:
        """The function's id when the role has one user; None for a shared role."""
        return self.functions[0].id if len(self.functions) == 1 else None

    @property
    def function_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.functions)


def function_roles(app: App) -> Iterator[tuple[RoleUsers, Role]]:
    """Each role with the functions that run as it, in the order the app declares them."""
    users: dict[str, list[Function]] = {}
    roles: dict[str, Role] = {}
    for fn in app.functions:
        if fn.role is not None:
            users.setdefault(fn.role.id, []).append(fn)
            roles.setdefault(fn.role.id, fn.role)
    for role_id, fns in users.items():
        yield RoleUsers(tuple(sorted(fns, key=lambda f: f.name))), roles[role_id]


def any_resource(st: Statement) -> bool:
    """Whether the statement reaches every resource: `*`, an all-wildcard ARN, or a NotResource
    (everything except a list)."""
    if st.not_resources:
        return True
    return any(_any(r.strip()) for r in st.resources)


def _any(resource: str) -> bool:
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    service, rest = parts[2], parts[5]
    if service in ("*", ""):
        return True  # `arn:aws:*:*:*:*`
    if service == "s3":
        return rest == "*"
    return bool(_ANY_RESOURCE_PART.match(rest))


def lowered(severity: Severity) -> Severity:
    """One step down: a grant behind a Condition is narrower than it reads."""
    return _LOWER[severity]


def with_condition(severity: Severity, st: Statement) -> Severity:
    return lowered(severity) if st.conditional else severity


def resources_text(st: Statement) -> str:
    if st.not_resources:
        return "every resource except " + ", ".join(st.not_resources)
    return ", ".join(st.resources) or "(no resource)"


def where(role: Role, st: Statement) -> str:
    """How a person finds the statement: its Sid or source path, and the role."""
    label = f"statement {st.sid}" if st.sid else (st.source or "a statement")
    return f"{label} of role {role.id}"


def condition_note(st: Statement) -> str:
    return " (behind a Condition, so severity is lowered one step)" if st.conditional else ""
