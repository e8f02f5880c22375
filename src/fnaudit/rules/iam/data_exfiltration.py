"""IAM008: actions that share data or resources outside the account."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules._common import by_dialect
from fnaudit.rules.iam._actions import EXFILTRATION
from fnaudit.rules.iam._groups import group_hits
from fnaudit.rules.registry import Context, rule


@rule(
    "IAM008",
    "iam-data-exfiltration",
    title="Function role can share data outside the account",
    category=Category.PERMISSIONS,
    severity=Severity.HIGH,
    cwe=(732, 200),
    owasp=("SAS-4",),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies-cross-account-resource-access.html",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
    ),
    needs=(Fact.PERMISSIONS,),
)
def iam_data_exfiltration(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Allow statements that let a function open a resource to other accounts or to the public, or
    stream data elsewhere: resource policies and ACLs (`s3:PutBucketPolicy`, `s3:PutBucketAcl`,
    `s3:PutObjectAcl`, `s3:PutBucketPublicAccessBlock`, `kms:PutKeyPolicy`, `kms:CreateGrant`,
    `secretsmanager:PutResourcePolicy`, `sqs:AddPermission`, `sns:AddPermission`,
    `lambda:AddPermission`, `ecr:SetRepositoryPolicy`), snapshot and image sharing
    (`ec2:ModifySnapshotAttribute`, `rds:ModifyDBSnapshotAttribute`), replication and exports
    (`s3:PutReplicationConfiguration`, `dynamodb:ExportTableToPointInTime`, `logs:CreateExportTask`,
    `logs:PutSubscriptionFilter`) and subscriptions (`sns:Subscribe`, which can deliver a topic's
    messages to any HTTPS endpoint or e-mail address). High on every resource, medium when scoped;
    a `Condition` lowers it one step. `*` and `service:*` are IAM001 / IAM002. Actions count as
    granted only when they survive Deny statements (`NotAction`, `NotResource` included) and the
    permissions boundary; a `*`, `service:*` or NotAction that Deny statements or the boundary cut
    down below what IAM001 / IAM002 report is judged here on what is left.

    One finding per policy statement (and one per AWS managed policy): this rule's problem and the
    statement's other IAM problems are named in one finding, owned by the highest-ranked rule present
    (IAM001, IAM006, IAM007, IAM008, IAM002, IAM003, IAM005, IAM010), the worst severity deciding; JSON
    `problems` lists each. Selecting or ignoring this rule adds or removes its problem alone.

    ## When it speaks

    - **Speaks when**: an Allow statement of a function's role reaches, directly or through a pattern, an action
      that shares data or resources outside the account or streams them elsewhere: bucket and object ACLs and
      policies, replication, snapshot and image sharing (`ec2:ModifySnapshotAttribute`,
      `rds:ModifyDBSnapshotAttribute`), exports (`rds:StartExportTask`, `logs:CreateExportTask`,
      `dynamodb:ExportTableToPointInTime`), `lambda:AddPermission`, function URL configuration,
      `kms:CreateGrant`/`PutKeyPolicy`, resource policies (Secrets Manager, SQS, SNS, ECR, Glue, EventBridge,
      API Gateway), `sns:Subscribe`, `logs:PutSubscriptionFilter`, `ram:CreateResourceShare`. High on every
      resource, medium on narrower resources. Statements come from the role's own policies and from AWS managed
      policies as the IAM engine expands them; an action counts only when it survives the role's Deny statements
      (`NotAction`, `NotResource` included) and a permissions boundary the app defines. A `Condition` on the
      statement lowers the severity one step.
    - **Evidence**: the message names the function(s), the statement or managed policy, the sharing actions and
      the resources; the finding sits on the statement or the policy's line; one finding per statement.
    - **Stays quiet**: `*`, `iam:*` and `service:*` while IAM001/IAM002 report them; actions a Deny or the
      boundary removes.

    ## Why it matters

    These actions move data out without the attacker downloading it through the function: one call
    makes a bucket public, shares a database snapshot with the attacker's account or replicates
    every new object there. It survives the function being fixed, and it bypasses network controls
    such as a VPC without internet access.

    ## How to fix

    Remove the action from the execution role: resource policies belong in the IaC, not in code
    at run time. If a function must do it, scope it to the one resource and add conditions (e.g.
    `aws:ResourceAccount`, `sns:Protocol`).

    ## Example

    Bad (CloudFormation):

    ```yaml
    - Effect: Allow
      Action: [s3:PutBucketPolicy, s3:PutObjectAcl]
      Resource: "*"
    ```

    Good: the bucket policy is declared in the template (`AWS::S3::BucketPolicy`); the function only
    has `s3:PutObject` on `arn:aws:s3:::uploads-prod/*`.

    ## References

    - CWE-732: Incorrect Permission Assignment for Critical Resource
    - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    """

    def severity(everywhere: bool, found: tuple[str, ...]) -> Severity:
        return Severity.HIGH if everywhere else Severity.MEDIUM

    yield from group_hits(
        app,
        EXFILTRATION,
        only_everywhere=False,
        severity=severity,
        what="sharing data outside the account with",
        remediation=_remediation,
    )


def _remediation(app: App, actions: tuple[str, ...]) -> str:
    return by_dialect(
        app,
        serverless="Declare resource policies in `resources:` instead of granting the function "
        f"{', '.join(f'`{a}`' for a in actions[:3])}; scope what remains to the one resource.",
        sam=f"Declare resource policies in the template instead of granting {', '.join(f'`{a}`' for a in actions[:3])}.",
        cloudformation=f"Declare resource policies in the template instead of granting "
        f"{', '.join(f'`{a}`' for a in actions[:3])}; scope what remains to the one resource.",
    )
