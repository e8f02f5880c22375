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
    if resource.startswith("!Sub "):  # `!Sub arn:${AWS::Partition}:lambda:${AWS::Region}:…:function:*`
        resource = re.sub(r"\$\{[^}]*\}", "x", resource[5:].strip())
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


# ---- statements as the IAM engine expanded them -----------------------------------------------

MANAGED_PREFIX = "AWS managed policy "
# AWS managed policies that give a function the keys to the account (IAMFullAccess can grant itself the rest).
ADMIN_POLICIES = frozenset({"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"})


def role_statements(users: RoleUsers, role: Role) -> tuple[Statement, ...]:
    """The role's statements with AWS managed policies expanded (by the IAM engine), each located at
    the line that attaches it; the role's own statements when the engine did not run."""
    for fn in users.functions:
        if fn.permissions is not None:
            return fn.permissions.statements
    return tuple(role.all_statements())


def managed_name(st: Statement) -> str | None:
    """The AWS managed policy a statement comes from, or None for the app's own statements."""
    if not st.source.startswith(MANAGED_PREFIX):
        return None
    return st.source[len(MANAGED_PREFIX):].split(".", 1)[0]


def admin_equivalent(statements: tuple[Statement, ...]) -> bool:
    """A set of statements that grants everything, or can grant itself everything: `*` / NotAction on
    every resource, or `iam:*` on every resource (unconditional)."""
    from fnaudit.model.app import Effect

    for s in statements:
        if s.effect is not Effect.ALLOW or s.conditional:
            continue
        everywhere = any_resource(s)
        if s.not_actions and everywhere:
            return True
        for a in s.actions:
            a = a.strip().lower()
            if a in ("*", "*:*") or (a == "iam:*" and everywhere):
                return True
    return False


def admin_managed(users: RoleUsers, role: Role) -> frozenset[str]:
    """Names of the attached AWS managed policies that amount to administrator access."""
    by_policy: dict[str, list[Statement]] = {}
    for st in role_statements(users, role):
        name = managed_name(st)
        if name is not None:
            by_policy.setdefault(name, []).append(st)
    out = {n for n, sts in by_policy.items() if n in ADMIN_POLICIES or admin_equivalent(tuple(sts))}
    out.update(mp.name for mp in role.managed_policies if mp.aws_managed and mp.name in ADMIN_POLICIES)
    return frozenset(out)


def reported_statements(users: RoleUsers, role: Role) -> Iterator[Statement]:
    """Allow statements for the per-statement rules: the role's own and those of AWS managed policies,
    except the managed policies IAM001 already reports as administrator access."""
    from fnaudit.model.app import Effect

    admin = admin_managed(users, role)
    for st in role_statements(users, role):
        if st.effect is not Effect.ALLOW:
            continue
        name = managed_name(st)
        if name is not None and name in admin:
            continue
        yield st


# Condition keys that restrict which resources a grant reaches: a grant on `*` behind one of them is
# scoped (by tag, account, key prefix…), not "every resource".
_SCOPING_KEY = re.compile(
    r"^(aws:resourcetag/.+|aws:resourceaccount|aws:resourceorgid|aws:resourceorgpaths|[a-z0-9-]+:resourcetag/.+"
    r"|s3:prefix|s3:existingobjecttag/.+|dynamodb:leadingkeys|kms:viaservice|kms:encryptioncontext:.+"
    r"|kms:encryptioncontextkeys|secretsmanager:secretid|ssm:resourcetag/.+|lambda:functionarn)$"
)


def scoped_by_condition(st: Statement) -> bool:
    """Whether the statement's Condition limits the resources it reaches (e.g. `aws:ResourceTag/team`)."""
    return any(
        _SCOPING_KEY.match(key.lower()) and not op.lower().startswith(("stringnot", "arnnot"))
        for op, key, _ in st.conditions
    )


def effective_actions(users: RoleUsers, st: Statement, everywhere_only: bool = False) -> frozenset[str] | None:
    """The canonical actions the statement still grants after Deny statements and the permissions
    boundary (from the IAM engine), on every resource when `everywhere_only`; None when unknown."""
    perms = next((f.permissions for f in users.functions if f.permissions is not None), None)
    if perms is None:
        return None
    out: set[str] = set()
    for g in perms.grants:
        if g.loc == st.loc and g.source == st.source and (not everywhere_only or _any(g.resource)):
            out.update(g.actions)
    return frozenset(out)
