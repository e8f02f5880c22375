"""Reading a function's role for the IAM rules: which statements apply to every resource, how to
name a statement in a message, how a condition lowers a severity, and what a statement still grants
after Deny statements and the permissions boundary (the IAM engine's grants, indexed by statement)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from fnaudit.findings import Severity
from fnaudit.model.app import App, Effect, Function, Role, Statement
from fnaudit.model.permissions import EffectivePermissions
from fnaudit.rules.iam import _actions
from fnaudit.rules.iam.merge import policy_cause, statement_cause

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


_STATEMENT_INDEX = re.compile(r"\.Statement\[\d+\]$")


def cause(role: Role, st: Statement) -> str:
    """The statement's identity for the fold into one finding per statement (fnaudit.rules.iam.merge), also
    the hits' fingerprint key: an AWS managed policy's statements are one, the policy attached to the role;
    so are the statements of a policy written on one line (a SAM policy template such as `S3CrudPolicy`
    expands to two statements at the line that names it: one thing to fix)."""
    policy = managed_name(st)
    if policy is not None:
        return policy_cause(role.id, policy)
    document = _STATEMENT_INDEX.sub("", st.source)
    if document != st.source and any(
        o.loc == st.loc and o.source != st.source and _STATEMENT_INDEX.sub("", o.source) == document
        for o in role.all_statements()
    ):
        return statement_cause(role.id, None, document)
    return statement_cause(role.id, st.sid, st.source)


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
    return st.source[len(MANAGED_PREFIX) :].split(".", 1)[0]


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
    perms = permissions(users)
    if perms is not None:  # judged on what survives Deny statements and the boundary
        out = {n for n in out if admin_equivalent_actions(_surviving(perms, n))}
    # named but not in the catalogue: its document is unknown, so judge it by its name
    out.update(
        mp.name
        for mp in role.managed_policies
        if mp.aws_managed and mp.name in ADMIN_POLICIES and mp.name not in by_policy
    )
    return frozenset(out)


def _surviving(perms: EffectivePermissions, policy: str) -> frozenset[str]:
    """The actions an AWS managed policy still grants unconditionally on every resource."""
    source = MANAGED_PREFIX + policy + "."
    out: set[str] = set()
    for g in perms.grants:
        if g.source.startswith(source) and not g.conditional and _any(g.resource):
            out.update(g.actions)
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
    perms = permissions(users)
    if perms is None:
        return None
    out: set[str] = set()
    for g in perms.of_statement(st.loc, st.source):
        if not everywhere_only or _any(g.resource):
            out.update(g.actions)
    return frozenset(out)


# ---- what survives Deny statements and the boundary -------------------------------------------


def permissions(users: RoleUsers) -> EffectivePermissions | None:
    """The IAM engine's effective permissions of the role (shared by its functions); None when it did not run."""
    return next((f.permissions for f in users.functions if f.permissions is not None), None)


def boundary_note(users: RoleUsers) -> str:
    """Said in every permission finding of a role whose boundary is set but could not be read (a customer
    managed policy outside the app, an unresolved reference): we report as if it did not limit anything,
    which may overstate, and the reader must know why."""
    perms = permissions(users)
    if perms is None or perms.boundary_known or not perms.boundary:
        return ""
    return (
        f" (the role has the permissions boundary {perms.boundary}, which is not in the app and could not be "
        "read: reported as if it did not limit anything)"
    )


def written_actions(st: Statement) -> frozenset[str]:
    """What the statement alone grants: its patterns expanded, or every action except a NotAction's."""
    if st.not_actions:
        excluded = {a for p in st.not_actions for a in _actions.expand(p)}
        return frozenset(a for a in _actions.all_actions() if a not in excluded)
    return frozenset(a for p in st.actions for a in _actions.expand(p))


def limits_note(users: RoleUsers, st: Statement, survived: frozenset[str] | None) -> str:
    """`(N of M actions remain after …)` when Deny statements or the boundary took part of the statement away."""
    if survived is None:
        return ""
    alone = written_actions(st)
    if alone <= survived:
        return ""
    perms = permissions(users)
    causes = []
    if perms is None or any(d.effect is Effect.DENY and not d.conditional for d in perms.denies):
        causes.append("Deny statements")
    if perms is not None and perms.boundary and perms.boundary_known:
        causes.append(f"the permissions boundary {perms.boundary}")
    return (
        f" ({len(alone & survived)} of {len(alone)} actions remain after {' and '.join(causes) or 'Deny statements'})"
    )


# A principal that can write its own policies can give itself anything (attach AdministratorAccess to
# its role): one of these on every resource is administrator access, whatever else is denied.
SELF_GRANT = frozenset(
    a.lower()
    for a in (
        "iam:AttachRolePolicy",
        "iam:PutRolePolicy",
        "iam:AttachUserPolicy",
        "iam:PutUserPolicy",
        "iam:AttachGroupPolicy",
        "iam:PutGroupPolicy",
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:UpdateAssumeRolePolicy",
        "iam:DeleteRolePermissionsBoundary",
        "iam:PutRolePermissionsBoundary",
    )
)
# Share of the account's Write and Permissions-management actions above which a grant is "most of
# the account": `*` minus IAM (NotAction iam:*, PowerUserAccess) keeps ~97 %, a read-only boundary 0 %.
ADMIN_SHARE = 0.5


def admin_equivalent_actions(survived: frozenset[str]) -> bool:
    """Whether unconditional actions on every resource amount to administrator access: they include a way
    to grant itself permissions (`SELF_GRANT`), or most of the account's write and permissions-management
    actions."""
    if any(a.lower() in SELF_GRANT for a in survived):
        return True
    total = _actions.write_actions()
    if not total:
        return False
    return len(total & survived) >= ADMIN_SHARE * len(total)


def reports_admin(users: RoleUsers, st: Statement) -> bool:
    """Whether IAM001 reports this statement (`*`, `iam:*` or NotAction on every resource), judged on what
    survives Deny statements and the boundary; the other rules then leave the statement's wildcard to it.
    When the engine did not run, as written."""
    everywhere = any_resource(st)
    claims = any(_actions.is_all_actions(a) or a.strip().lower() == "iam:*" for a in st.actions) or (
        bool(st.not_actions) and everywhere
    )
    if not claims:
        return False
    survived = effective_actions(users, st, everywhere_only=everywhere)
    if survived is None:
        return True
    if not everywhere:  # `*` on narrower resources (reported high): while it can still change something
        return any(_actions.is_write_or_permissions(a) for a in survived)
    return admin_equivalent_actions(survived)


def reports_service_wildcard(users: RoleUsers, st: Statement, action: str) -> bool:
    """Whether IAM002 reports `service:*` in this statement: some Write or Permissions-management action of
    the service survives Deny statements and the boundary (a read-only boundary leaves reads, which IAM005
    judges). `iam:*` is IAM001's when it reports the statement."""
    a = action.strip().lower()
    if not _actions.is_service_wildcard(a):
        return False
    if a == "iam:*" and reports_admin(users, st):
        return False
    survived = effective_actions(users, st)
    if survived is None:
        return True
    prefix = a.split(":", 1)[0] + ":"
    return any(x.lower().startswith(prefix) and _actions.is_write_or_permissions(x) for x in survived)


def left_to_others(users: RoleUsers, st: Statement, action: str) -> bool:
    """For IAM003/5/7/8: a pattern IAM001 or IAM002 reports (as a whole) is not reported action by action."""
    a = action.strip()
    if _actions.is_all_actions(a) or a.lower() == "iam:*":
        return reports_admin(users, st) or (a.lower() == "iam:*" and reports_service_wildcard(users, st, a))
    if _actions.is_service_wildcard(a):
        return reports_service_wildcard(users, st, a)
    return False


def surviving_resources(users: RoleUsers, st: Statement, actions: Iterable[str]) -> tuple[str, ...]:
    """The resources on which the statement still grants any of `actions` (sorted)."""
    perms = permissions(users)
    if perms is None:
        return ()
    wanted = frozenset(actions)
    return tuple(sorted({g.resource for g in perms.of_statement(st.loc, st.source) if g.actions & wanted}))


def notaction_label(st: Statement) -> str:
    return "NotAction " + ", ".join(a.strip() for a in st.not_actions)
