"""IAM002: execution roles granted every action of a service (`s3:*`, `dynamodb:*`, …)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, Statement
from fnaudit.model.facts import Fact
from fnaudit.rules._common import by_dialect
from fnaudit.rules.iam._actions import expand
from fnaudit.rules.iam._policy import (
    RoleUsers,
    any_resource,
    boundary_note,
    cause,
    condition_note,
    effective_actions,
    function_roles,
    limits_note,
    reported_statements,
    reports_service_wildcard,
    resources_text,
    where,
    with_condition,
)
from fnaudit.rules.registry import Context, rule


@rule(
    "IAM002",
    "iam-service-wildcard",
    title="Function role grants every action of a service",
    category=Category.PERMISSIONS,
    severity=Severity.HIGH,
    cwe=(732, 250),
    owasp=("SAS-4",),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
    ),
    needs=(Fact.PERMISSIONS,),
)
def iam_service_wildcard(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Allow statements in a function's role whose action is a whole service: `s3:*`,
    `dynamodb:*`, `sqs:*`, `lambda:*`… On `Resource: "*"` the severity is high; scoped to
    particular resources it is medium (the function can still delete the table, rewrite the
    bucket policy, purge the queue). A `Condition` lowers the severity one step. `*` itself and
    `iam:*` are reported by IAM001. AWS managed policies attached to the role are expanded from
    the catalogue and reported at the line that attaches them (`AmazonS3FullAccess` is `s3:*` on
    `*`). What counts is what survives Deny statements and the permissions boundary: a wildcard
    left with only reads (under a `ReadOnlyAccess` boundary, say) is not "every action" any more,
    and IAM005 judges its reads; `iam:*` that IAM001 does not report (its policy-writing actions
    denied) is reported here.

    One finding per policy statement (and one per AWS managed policy): this rule's problem and the
    statement's other IAM problems are named in one finding, owned by the highest-ranked rule present
    (IAM001, IAM006, IAM007, IAM008, IAM002, IAM003, IAM005, IAM010), the worst severity deciding; JSON
    `problems` lists each. Selecting or ignoring this rule adds or removes its problem alone.

    ## When it speaks

    - **Speaks when**: an Allow statement of a function's role grants `service:*` (`s3:*`, `dynamodb:*`…) and at
      least one Write or Permissions-management action of that service survives. High on every resource, medium
      on narrower resources. Statements come from the role's own policies and from AWS managed policies as the
      IAM engine expands them; an action counts only when it survives the role's Deny statements (`NotAction`,
      `NotResource` included) and a permissions boundary the app defines. A `Condition` on the statement lowers
      the severity one step.
    - **Evidence**: the message names the function(s), the statement and the wildcard, and how many of the
      service's actions remain after Deny statements or the boundary; the finding sits on the statement; one
      finding per statement.
    - **Stays quiet**: `*` and `iam:*` while IAM001 reports them; a service wildcard that a read-only boundary
      or Deny leaves with reads only (IAM005 judges the reads); AWS managed policies IAM001 reports as
      administrator access.

    ## Why it matters

    A service wildcard grants the destructive and permission-changing actions along with the ones
    the code needs: `s3:*` includes `s3:PutBucketPolicy` (make the bucket public) and
    `s3:DeleteBucket`; `lambda:*` includes `lambda:UpdateFunctionCode` on other functions. A
    compromised function inherits all of it, and the wildcard also covers every action AWS adds
    to the service later.

    ## How to fix

    List the actions the function calls, e.g. `Action: [s3:GetObject, s3:PutObject]` with
    `Resource: arn:aws:s3:::my-bucket/*`. In SAM prefer policy templates (`S3ReadPolicy`,
    `DynamoDBCrudPolicy`, `SQSSendMessagePolicy`).

    ## Example

    Bad (serverless.yml):

    ```yaml
    - Effect: Allow
      Action: dynamodb:*
      Resource: "*"
    ```

    Good:

    ```yaml
    - Effect: Allow
      Action: [dynamodb:GetItem, dynamodb:Query]
      Resource: !GetAtt OrdersTable.Arn
    ```

    ## References

    - CWE-732: Incorrect Permission Assignment for Critical Resource
    """
    for users, role in function_roles(app):
        for st in reported_statements(users, role):
            everywhere = any_resource(st)
            for action in st.actions:
                if not reports_service_wildcard(users, st, action):
                    continue  # not `service:*`, or Deny statements / the boundary left no write of the service
                base = Severity.HIGH if everywhere else Severity.MEDIUM
                service = action.strip().split(":", 1)[0]
                limits = _limits(users, st, action)
                what = f"`{action.strip()}`" if limits else f"every {service} action (`{action.strip()}`)"
                yield Hit(
                    st.loc,
                    f"{users.subject}: {where(role, st)} allows {what} on "
                    f"{resources_text(st)}{condition_note(st)}{limits}{boundary_note(users)}",
                    function=users.function_id,
                    functions=users.function_ids,
                    evidence=f"Allow {action.strip()} on {resources_text(st)}",
                    remediation=by_dialect(
                        app,
                        serverless=f"Replace `{action.strip()}` with the {service} actions the function calls, scoped to its resources.",
                        sam=f"Replace `{action.strip()}` with a SAM policy template or the {service} actions the function calls.",
                        cloudformation=f"Replace `{action.strip()}` with the {service} actions the function calls, on its resources' ARNs.",
                    ),
                    severity=with_condition(base, st),
                    key=cause(role, st),  # the statement: one finding per statement (fnaudit.rules.iam.merge)
                    cause=cause(role, st),
                )


def _limits(users: RoleUsers, st: Statement, action: str) -> str:
    """`(N of M s3 actions remain after …)` when Deny statements or the boundary took part of the service away."""
    survived = effective_actions(users, st)
    if survived is None:
        return ""
    prefix = action.strip().lower().split(":", 1)[0] + ":"
    alone = frozenset(expand(action))
    kept = frozenset(a for a in survived if a.lower().startswith(prefix))
    if not alone - kept:
        return ""
    return limits_note(users, replace(st, actions=(action,), not_actions=()), kept)
