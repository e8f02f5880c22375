"""IAM001: execution roles that amount to administrator access."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, Role, Statement
from fnaudit.model.facts import Fact
from fnaudit.rules._common import by_dialect
from fnaudit.rules.iam._actions import is_all_actions
from fnaudit.rules.iam._policy import (
    ADMIN_POLICIES,
    RoleUsers,
    admin_managed,
    any_resource,
    boundary_note,
    cause,
    condition_note,
    effective_actions,
    function_roles,
    limits_note,
    reports_admin,
    resources_text,
    where,
    with_condition,
)
from fnaudit.rules.iam.merge import policy_cause
from fnaudit.rules.registry import Context, rule

__all__ = ["ADMIN_POLICIES", "iam_admin_access"]


@rule(
    "IAM001",
    "iam-admin-access",
    title="Function role has administrator access",
    category=Category.PERMISSIONS,
    severity=Severity.CRITICAL,
    cwe=(250, 269),
    owasp=("SAS-4",),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
    ),
    needs=(Fact.PERMISSIONS,),
)
def iam_admin_access(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Execution roles that can do anything, or can make themselves able to:

    - an Allow statement with `Action: "*"` (or `"*:*"`) on `Resource: "*"`; on a narrower
      resource the same statement is reported with severity high;
    - an Allow statement with `NotAction` on every resource ("everything except …");
    - `iam:*` on any resource (the role can attach any policy to itself);
    - the AWS managed policies `AdministratorAccess`, `PowerUserAccess` and `IAMFullAccess`,
      by name or ARN, and any other AWS managed policy whose document (from the IAM engine's
      catalogue) grants `*`, `NotAction` or `iam:*` on every resource.

    A statement with a `Condition` is reported one severity lower. Deny statements are never
    findings.

    What counts is what survives the role's unconditional Deny statements (`NotAction`,
    `NotResource` included) and its permissions boundary (inline in the template, a customer
    managed policy of the template, or an AWS managed policy by ARN): it is still administrator
    access when what is left on every resource includes a way to write its own policies
    (`iam:PutRolePolicy`, `iam:AttachRolePolicy`, …) or at least half of the account's write and
    permissions-management actions (`*` minus IAM is still everything else). `Allow *` with a
    `Deny` + `NotAction` on a few actions, or under a `ReadOnlyAccess` boundary, is not: the
    other rules report what is left (IAM005 the data reads on `*`, IAM003 the writes). A boundary
    that cannot be read (a customer managed policy outside the app, an unresolved reference) is
    treated as not limiting, and the finding says so.

    One finding per policy statement (and one per AWS managed policy): this rule's problem and the
    statement's other IAM problems are named in one finding, owned by the highest-ranked rule present
    (IAM001, IAM006, IAM007, IAM008, IAM002, IAM003, IAM005, IAM010), the worst severity deciding; JSON
    `problems` lists each. Selecting or ignoring this rule adds or removes its problem alone.

    ## When it speaks

    - **Speaks when**: a function's execution role has an attached AWS managed policy that amounts to
      administrator access (`AdministratorAccess`, `PowerUserAccess`, `IAMFullAccess`, or one whose surviving
      grants are), or an Allow statement with `*` / `*:*`, `iam:*`, or `NotAction` on every resource, when what
      survives still includes a way to grant itself permissions (`iam:AttachRolePolicy`, `iam:PutRolePolicy`,
      `iam:CreatePolicyVersion`…) or at least half of the account's Write and Permissions-management actions.
      Critical on every resource; high for `*` or `iam:*` on narrower resources while a write survives.
      Statements come from the role's own policies and from AWS managed policies as the IAM engine expands them;
      an action counts only when it survives the role's Deny statements (`NotAction`, `NotResource` included)
      and a permissions boundary the app defines. A `Condition` on the statement lowers the severity one step.
    - **Evidence**: the message names the function(s) using the role, the statement (or the managed policy) and
      what it allows, with `(N of M actions remain after …)` when Deny statements or the boundary cut it down
      and a note when the boundary could not be read; the finding sits on the statement or on the line attaching
      the policy; one finding per statement (its other problems are folded into it).
    - **Stays quiet**: statements that Deny statements or the boundary cut down to less than administrator
      access (the other IAM rules then report what is left); `iam:*` limited to named resources with no write
      left; Deny statements.

    ## Why it matters

    Whoever controls the function's code or input (an injection, a vulnerable dependency, a
    leaked deployment credential) acts with the role's permissions: with administrator access,
    one bug in one function is the whole AWS account, its data, its other workloads and its
    bill (SAS-4, over-privileged functions).

    ## How to fix

    Grant each function only the actions it calls, on the resources it uses. In serverless.yml,
    give the function its own statements (`iam.role.statements` per function with the
    `serverless-iam-roles-per-function` plugin, or a dedicated `role:`). In SAM, use policy
    templates (`Policies: [DynamoDBReadPolicy: {TableName: !Ref Table}]`). In CloudFormation, list
    the actions and ARNs in the role's policy. Remove managed admin policies from execution roles.

    ## Example

    Bad (serverless.yml):

    ```yaml
    provider:
      iam:
        role:
          statements:
            - Effect: Allow
              Action: "*"
              Resource: "*"
    ```

    Good:

    ```yaml
    provider:
      iam:
        role:
          statements:
            - Effect: Allow
              Action: [dynamodb:GetItem, dynamodb:PutItem]
              Resource: !GetAtt OrdersTable.Arn
    ```

    Bad (SAM): `Policies: [arn:aws:iam::aws:policy/AdministratorAccess]`.
    Good (SAM): `Policies: [DynamoDBCrudPolicy: {TableName: !Ref OrdersTable}]`.

    ## References

    - CWE-250: Execution with Unnecessary Privileges
    - CWE-269: Improper Privilege Management
    """
    for users, role in function_roles(app):
        admin = admin_managed(users, role)
        for mp in role.managed_policies:
            if mp.aws_managed and mp.name in admin:
                yield Hit(
                    mp.loc,
                    f"{users.subject}: role {role.id} has the managed policy {mp.name}, which gives "
                    f"control of the account{boundary_note(users)}",
                    function=users.function_id,
                    functions=users.function_ids,
                    evidence=f"managed policy {mp.arn}",
                    remediation=_remediation(app),
                    key=policy_cause(role.id, mp.name),
                    cause=policy_cause(role.id, mp.name),
                )
        for st in role.allow_statements():
            yield from _statement_hits(app, users, role, st)


def _statement_hits(app: App, users: RoleUsers, role: Role, st: Statement) -> Iterator[Hit]:
    if not reports_admin(users, st):
        return  # Deny statements or the boundary leave less than that: the other rules report what is left
    everywhere = any_resource(st)
    for action in st.actions:
        if is_all_actions(action):
            base = Severity.CRITICAL if everywhere else Severity.HIGH
            what = f"every action (`{action}`) on {resources_text(st)}"
        elif action.strip().lower() == "iam:*":
            base = Severity.CRITICAL if everywhere else Severity.HIGH
            what = f"`iam:*` on {resources_text(st)}, enough to grant itself any permission"
        else:
            continue
        yield _hit(app, users, role, st, what, with_condition(base, st))
    if st.not_actions and everywhere:
        what = f"every action except {', '.join(st.not_actions)} (NotAction) on {resources_text(st)}"
        yield _hit(app, users, role, st, what, with_condition(Severity.CRITICAL, st))


def _hit(app: App, users: RoleUsers, role: Role, st: Statement, what: str, severity: Severity) -> Hit:
    return Hit(
        st.loc,
        f"{users.subject}: {where(role, st)} allows {what}{condition_note(st)}"
        f"{limits_note(users, st, effective_actions(users, st, everywhere_only=any_resource(st)))}{boundary_note(users)}",
        function=users.function_id,
        functions=users.function_ids,
        evidence=f"Allow {', '.join(st.actions) or 'NotAction ' + ', '.join(st.not_actions)} on {resources_text(st)}",
        remediation=_remediation(app),
        severity=severity if severity is not Severity.CRITICAL else None,
        key=cause(role, st),  # the statement: one finding per statement (fnaudit.rules.iam.merge)
        cause=cause(role, st),
    )


def _remediation(app: App) -> str:
    return by_dialect(
        app,
        serverless=(
            "Replace the wildcard with the actions the function calls on the ARNs it uses, e.g. "
            "`Action: [dynamodb:GetItem]`, `Resource: !GetAtt Table.Arn`, and give each function its own role."
        ),
        sam="Replace it with SAM policy templates scoped to the resources, e.g. `DynamoDBReadPolicy: {TableName: !Ref Table}`.",
        cloudformation="List the actions the function calls and the ARNs it uses in the role's policy; drop admin managed policies.",
    )
