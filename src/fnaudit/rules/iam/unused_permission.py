"""IAM010: permissions granted to a function that its code never uses."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.iam.used import RUNTIME_ACTIONS
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, Role, Statement
from fnaudit.model.facts import Fact
from fnaudit.rules._common import by_dialect
from fnaudit.rules.iam._actions import PERMISSIONS, WRITE, access_level
from fnaudit.rules.iam._policy import (
    RoleUsers,
    boundary_note,
    cause,
    effective_actions,
    function_roles,
    managed_name,
    reported_statements,
    where,
)
from fnaudit.rules.iam.merge import policy_cause
from fnaudit.rules.registry import Context, rule

# Used by the Lambda runtime for the function (logs, traces, VPC networking), never by its code; and
# sts:GetCallerIdentity, which needs no permission at all.
_RUNTIME = RUNTIME_ACTIONS | {"sts:getcalleridentity"}
_ORDER = {"low": 0, "medium": 1, "high": 2}


@rule(
    "IAM010",
    "iam-unused-permission",
    title="Permission granted but never used by the function's code",
    category=Category.PERMISSIONS,
    severity=Severity.LOW,
    cwe=(250,),
    owasp=("SAS-4",),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
    ),
    needs=(Fact.PERMISSIONS, Fact.CODE),
)
def iam_unused_permission(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Statements of a function's role that grant actions none of the functions using the role call:
    the AWS SDK calls of their code (boto3 clients, resources, paginators, waiters, S3 transfer
    helpers, found by the code engine) are mapped to IAM actions through botocore's service models,
    the IAM catalogue and a table of known mismatches (`ListObjectsV2` → `s3:ListBucket`, `Invoke`
    → `lambda:InvokeFunction`, `upload_file` → `s3:PutObject`…), plus what Lambda itself uses the
    role for (polling SQS / stream triggers, sending to a dead-letter queue, writing logs and
    traces, VPC networking). One finding per statement, listing the unused actions; AWS managed
    policies are reported once at the line that attaches them.

    Only functions whose code was analysed are checked (Python, JavaScript/TypeScript, Go, Java, Kotlin). The finding carries a
    confidence: high when every SDK call was resolved, medium when no SDK call was found or a call
    was resolved with medium confidence, low when some calls could not be mapped to IAM actions.
    Severity is medium when an unused action writes or changes permissions, low otherwise.

    One finding per policy statement (and one per AWS managed policy): this rule's problem and the
    statement's other IAM problems are named in one finding, owned by the highest-ranked rule present
    (IAM001, IAM006, IAM007, IAM008, IAM002, IAM003, IAM005, IAM010), the worst severity deciding; JSON
    `problems` lists each. Selecting or ignoring this rule adds or removes its problem alone.

    ## When it speaks

    - **Speaks when**: the code of every function using a role was analysed (the engine knows the AWS calls it
      makes) and an Allow statement of the role grants actions none of them uses. Low; the confidence is the
      lowest of the functions' analyses. AWS managed policies are reported once per policy.
    - **Evidence**: the message names the function(s), the statement or managed policy and the unused actions
      (all of them, or how many of those granted); the finding sits on the statement or the policy's line; the
      evidence lists up to 20 unused actions.
    - **Stays quiet**: roles of a function whose code could not be analysed (what the role needs is then
      unknown); actions the Lambda runtime uses for the function (logs, X-Ray traces, VPC networking) and
      `sts:GetCallerIdentity`; actions a Deny or the boundary already removes.

    ## Why it matters

    A permission nobody uses is pure risk: it adds to what an attacker gets from the function and
    to its blast radius, and it usually stays because nobody knows whether it is still needed.

    ## How to fix

    Remove the unused actions. `fnaudit permissions FUNCTION` prints the statements the code needs,
    scoped to the app's resources, in serverless.yml / SAM / CloudFormation / JSON form.

    ## Example

    Bad (serverless.yml, the handler only calls `table.get_item`):

    ```yaml
    - Effect: Allow
      Action: [dynamodb:GetItem, dynamodb:PutItem, dynamodb:DeleteItem]
      Resource: !GetAtt Orders.Arn
    ```

    Good:

    ```yaml
    - Effect: Allow
      Action: [dynamodb:GetItem]
      Resource: !GetAtt Orders.Arn
    ```

    ## References

    - CWE-250: Execution with Unnecessary Privileges
    """
    for users, role in function_roles(app):
        perms = [f.permissions for f in users.functions]
        if any(p is None or p.needed is None for p in perms):
            continue  # some function's code was not analysed: we cannot tell what the role needs
        used = {a.lower() for p in perms if p is not None and p.needed is not None for a in p.needed}
        confidence = min((p.needed_confidence for p in perms if p is not None), key=lambda c: _ORDER.get(c, 0))
        per_policy: dict[str, tuple[Statement, set[str]]] = {}
        for st in reported_statements(users, role):
            granted = effective_actions(users, st)
            if not granted:
                continue
            unused = {a for a in granted if a.lower() not in used and a.lower() not in _RUNTIME}
            if not unused:
                continue
            policy = managed_name(st)
            if policy is not None:
                first, acc = per_policy.get(policy, (st, set()))
                acc.update(unused)
                per_policy[policy] = (first, acc)
                continue
            yield _hit(app, users, role, st, where(role, st), unused, len(granted), confidence, cause(role, st))
        for policy, (st, acc) in per_policy.items():
            yield _hit(
                app,
                users,
                role,
                st,
                f"AWS managed policy {policy} attached to role {role.id}",
                acc,
                None,
                confidence,
                policy_cause(role.id, policy),
            )


def _hit(
    app: App,
    users: RoleUsers,
    role: Role,
    st: Statement,
    label: str,
    unused: set[str],
    granted: int | None,
    confidence: str,
    key: str,
) -> Hit:
    ordered = sorted(unused)
    shown = ", ".join(f"`{a}`" for a in ordered[:6]) + (f" and {len(ordered) - 6} more" if len(ordered) > 6 else "")
    if granted is not None and len(unused) == granted:
        what = f"none of the {granted} action(s) it grants is used by the code ({shown})"
    else:
        what = f"{len(ordered)} action(s) the code never uses: {shown}"
    risky = any(access_level(a) in (WRITE, PERMISSIONS) for a in ordered)
    return Hit(
        st.loc,
        f"{users.subject}: {label}: {what}{boundary_note(users)}",
        function=users.function_id,
        functions=users.function_ids,
        evidence=f"unused: {', '.join(ordered[:20])}",
        remediation=by_dialect(
            app,
            serverless="Remove the unused actions; `fnaudit permissions <function> --format serverless` prints the "
            "statements the code needs.",
            sam="Remove the unused actions; `fnaudit permissions <function> --format sam` prints the policy the code needs.",
            cloudformation="Remove the unused actions; `fnaudit permissions <function> --format cloudformation` prints "
            "the policy the code needs.",
        ),
        severity=Severity.MEDIUM if risky else Severity.LOW,
        key=key,  # the statement (or managed policy): one finding per statement (fnaudit.rules.iam.merge)
        cause=key,
        confidence=confidence,
    )
