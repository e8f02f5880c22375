"""IAM003: write and permission-changing actions granted on every resource."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, Dialect, Role, Statement
from fnaudit.model.facts import Fact
from fnaudit.rules.iam._actions import (
    DATA_READ,
    PERMISSIONS,
    RANK,
    WRITE,
    access_level,
    quiet_on_star,
)
from fnaudit.rules.iam._groups import explain_event_source, patterns
from fnaudit.rules.iam._policy import (
    RoleUsers,
    any_resource,
    boundary_note,
    cause,
    condition_note,
    effective_actions,
    function_roles,
    limits_note,
    managed_name,
    reported_statements,
    scoped_by_condition,
    where,
    with_condition,
)
from fnaudit.rules.iam.merge import policy_cause
from fnaudit.rules.registry import Context, rule


@rule(
    "IAM003",
    "iam-unscoped-write",
    title="Write or permissions-management action on every resource",
    category=Category.PERMISSIONS,
    severity=Severity.MEDIUM,
    cwe=(732,),
    owasp=("SAS-4",),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
    ),
    needs=(Fact.PERMISSIONS,),
)
def iam_unscoped_write(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Allow statements in a function's role that grant a Write or Permissions-management action
    (`s3:PutObject`, `dynamodb:DeleteItem`, `sqs:SendMessage`, `iam:PassRole`,
    `lambda:UpdateFunctionCode`, or patterns such as `s3:Put*` and `dynamodb:*Item` that include
    them) on `Resource: "*"`. One problem per action.

    Not reported: actions that AWS does not let you scope to a resource, for which `*` is the
    only possible grant (`xray:PutTraceSegments`, `xray:PutTelemetryRecords`,
    `cloudwatch:PutMetricData`, the VPC network-interface actions `ec2:CreateNetworkInterface` /
    `DescribeNetworkInterfaces` / `DeleteNetworkInterface`, `sts:GetCallerIdentity`, …); whole
    services and `*` (IAM002, IAM001); Deny statements. A `Condition` lowers the severity one step. Actions count as
    granted only when they survive Deny statements (`NotAction`, `NotResource` included) and the
    permissions boundary; a `*`, `service:*` or NotAction that Deny statements or the boundary cut
    down below what IAM001 / IAM002 report is judged here on what is left.

    One finding per policy statement (and one per AWS managed policy): this rule's problem and the
    statement's other IAM problems are named in one finding, owned by the highest-ranked rule present
    (IAM001, IAM006, IAM007, IAM008, IAM002, IAM003, IAM005, IAM010), the worst severity deciding; JSON
    `problems` lists each. Selecting or ignoring this rule adds or removes its problem alone.

    ## When it speaks

    - **Speaks when**: an Allow statement of a function's role grants, on `Resource: "*"` with no
      resource-scoping Condition (`aws:ResourceTag/…`, `s3:prefix`, `dynamodb:LeadingKeys`, `kms:ViaService`…),
      an action or pattern that reaches a Write or Permissions-management action that could have been scoped to
      a resource. Medium for Write, high for Permissions management. AWS managed policies are reported once per
      policy; an event-source policy SAM or the Framework attaches for a trigger the function has
      (`AWSLambdaSQSQueueExecutionRole`…) is info, low when no function of the role has that trigger. Statements
      come from the role's own policies and from AWS managed policies as the IAM engine expands them; an action
      counts only when it survives the role's Deny statements (`NotAction`, `NotResource` included) and a
      permissions boundary the app defines. A `Condition` on the statement lowers the severity one step.
    - **Evidence**: the message names the function(s), the statement or managed policy, the action pattern and
      its level, and what remains after Deny statements or the boundary; the finding sits on the statement or
      the line attaching the policy; the evidence is `Allow <action> on *`.
    - **Stays quiet**: actions AWS does not let you scope (`xray:PutTraceSegments`, `cloudwatch:PutMetricData`,
      the VPC network-interface actions) and the function's own logging
      (`logs:CreateLogGroup`/`CreateLogStream`/`PutLogEvents`); data reads (IAM005); `*`, `iam:*` and
      `service:*` while IAM001/IAM002 report them; grants on named resources.

    ## Why it matters

    A write granted on `*` reaches every bucket, table, queue or function in the account, not
    just the one the function works with: a compromised function can overwrite other teams'
    data or, with `iam:PassRole` / `lambda:UpdateFunctionCode`, take over other functions and
    their roles.

    ## How to fix

    Replace `*` with the ARNs the function uses. In serverless.yml:
    `Resource: !GetAtt OrdersTable.Arn` or `arn:aws:s3:::${self:custom.bucket}/*`. In SAM use the
    policy templates that take the resource name (`S3WritePolicy: {BucketName: !Ref Bucket}`).
    For `iam:PassRole`, name the role ARN and add the condition `iam:PassedToService`.

    ## Example

    Bad (serverless.yml):

    ```yaml
    - Effect: Allow
      Action: [s3:PutObject]
      Resource: "*"
    ```

    Good:

    ```yaml
    - Effect: Allow
      Action: [s3:PutObject]
      Resource: arn:aws:s3:::invoices-prod/*
    ```

    ## References

    - CWE-732: Incorrect Permission Assignment for Critical Resource
    """
    for users, role in function_roles(app):
        per_policy: dict[str, tuple[Statement, list[str], str]] = {}
        for st in reported_statements(users, role):
            if not any_resource(st) or scoped_by_condition(st):
                continue
            effective = effective_actions(users, st, everywhere_only=True)
            policy = managed_name(st)
            for a, reached in patterns(users, st, effective):
                level = _reported_level(reached, effective)
                if level is None:
                    continue
                if policy is not None:  # an AWS managed policy: one finding per policy, at the line attaching it
                    first, acc, worst = per_policy.get(policy, (st, [], level))
                    acc.append(a)
                    worst = level if RANK[level] > RANK[worst] else worst
                    per_policy[policy] = (first if first.conditional <= st.conditional else st, acc, worst)
                    continue
                yield _hit(app, users, role, st, a, level, cause(role, st))
        for policy, (st, acc, worst) in per_policy.items():
            shown = ", ".join(f"`{a}`" for a in acc[:5]) + (f" and {len(acc) - 5} more" if len(acc) > 5 else "")
            hit = _hit(
                app,
                users,
                role,
                st,
                shown,
                worst,
                policy_cause(role.id, policy),
                label=f"AWS managed policy {policy} attached to role {role.id}",
            )
            yield explain_event_source(hit, policy, users)


def _hit(
    app: App, users: RoleUsers, role: Role, st: Statement, a: str, level: str, key: str, label: str | None = None
) -> Hit:
    base = Severity.HIGH if level == PERMISSIONS else Severity.MEDIUM
    shown = a if a.startswith("`") else f"`{a}`"
    return Hit(
        st.loc,
        f"{users.subject}: {label or where(role, st)} allows {shown} ({level}) on every resource (`*`)"
        f"{condition_note(st)}{_limits(users, st, a, label)}{boundary_note(users)}",
        function=users.function_id,
        functions=users.function_ids,
        evidence=f"Allow {a.replace('`', '')} on *",
        remediation=_remediation(app, a.strip("`").split("`")[0]),
        severity=with_condition(base, st),
        key=key,  # the statement (or managed policy): one finding per statement (fnaudit.rules.iam.merge)
        cause=key,
    )


def _reported_level(reached: tuple[str, ...], effective: frozenset[str] | None) -> str | None:
    """The worst Write / Permissions-management level among the actions a pattern reaches that could
    be scoped and are not data reads; None when there is none."""
    worst: str | None = None
    for a in reached:
        if quiet_on_star(a) or a.lower() in DATA_READ or (effective is not None and a not in effective):
            continue
        level = access_level(a)
        if level in (WRITE, PERMISSIONS) and (worst is None or RANK[level] > RANK[worst]):
            worst = level
    return worst


def _limits(users: RoleUsers, st: Statement, action: str, label: str | None) -> str:
    """For a wildcard judged here because Deny statements or the boundary cut it down: what is left."""
    if label is not None or not (st.not_actions or "*" in action or "?" in action):
        return ""
    survived = effective_actions(users, st, everywhere_only=True)
    note = limits_note(users, st, survived)
    if not note or survived is None:
        return note
    left = sorted(
        x
        for x in survived
        if not quiet_on_star(x) and x.lower() not in DATA_READ and access_level(x) in (WRITE, PERMISSIONS)
    )
    shown = ", ".join(f"`{x}`" for x in left[:5]) + (f" and {len(left) - 5} more" if len(left) > 5 else "")
    return f"{note}: {shown}" if shown else note


def _remediation(app: App, action: str) -> str:
    service = action.split(":", 1)[0].lower()
    if action.lower() == "iam:passrole":
        scope = (
            "name the role ARN it passes (`Resource: arn:aws:iam::<account>:role/<role>`) and add "
            "`Condition: {StringEquals: {iam:PassedToService: lambda.amazonaws.com}}`"
        )
    else:
        example = _EXAMPLES.get(service, "!GetAtt <Resource>.Arn")
        scope = f"replace `*` with the ARNs the function uses, e.g. `Resource: {example}`"
    sam_hint = " (or use a SAM policy template that takes the resource name)" if app.dialect is Dialect.SAM else ""
    return f"For `{action}`, {scope}{sam_hint}."


_EXAMPLES = {
    "s3": "arn:aws:s3:::<bucket>/<prefix>/*",
    "dynamodb": "!GetAtt <Table>.Arn",
    "sqs": "!GetAtt <Queue>.Arn",
    "sns": "!Ref <Topic>",
    "lambda": "!GetAtt <Function>.Arn",
    "secretsmanager": "!Ref <Secret>",
    "ssm": "arn:aws:ssm:<region>:<account>:parameter/<path>/*",
    "kms": "!GetAtt <Key>.Arn",
    "logs": "arn:aws:logs:<region>:<account>:log-group:/aws/lambda/<name>:*",
    "events": "!GetAtt <EventBus>.Arn",
    "states": "!Ref <StateMachine>",
}
