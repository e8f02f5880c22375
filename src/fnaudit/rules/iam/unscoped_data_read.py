"""IAM005: reads of data and secrets granted on every resource."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules._common import by_dialect
from fnaudit.rules.iam._actions import DATA_READ
from fnaudit.rules.iam._groups import group_hits
from fnaudit.rules.registry import Context, rule


@rule(
    "IAM005",
    "iam-unscoped-data-read",
    title="Data or secret read granted on every resource",
    category=Category.PERMISSIONS,
    severity=Severity.MEDIUM,
    cwe=(732, 200),
    owasp=("SAS-4",),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
    ),
    needs=(Fact.PERMISSIONS,),
)
def iam_unscoped_data_read(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Allow statements that let a function read data or secrets on every resource (`Resource: "*"`,
    `arn:aws:s3:::*`, `table/*`): `s3:GetObject`, `secretsmanager:GetSecretValue`,
    `ssm:GetParameter*`, `kms:Decrypt`, `dynamodb:GetItem` / `Query` / `Scan`,
    `sqs:ReceiveMessage`, `lambda:GetFunction` (code and environment of every function),
    `logs:GetLogEvents`… including patterns such as `s3:Get*` and AWS managed policies such as
    `ReadOnlyAccess` or `AWSLambdaExecute` (reported at the line that attaches them). Only actions
    that can be scoped to a resource are reported (the catalogue lists a resource type for them).
    High severity for secrets and keys (`secretsmanager`, `ssm`, `kms`), medium otherwise; a
    `Condition` lowers it one step. `*` and `service:*` are IAM001 / IAM002. Actions count as
    granted only when they survive Deny statements (`NotAction`, `NotResource` included) and the
    permissions boundary; a `*`, `service:*` or NotAction that Deny statements or the boundary cut
    down below what IAM001 / IAM002 report is judged here on what is left.

    One finding per policy statement (and one per AWS managed policy): this rule's problem and the
    statement's other IAM problems are named in one finding, owned by the highest-ranked rule present
    (IAM001, IAM006, IAM007, IAM008, IAM002, IAM003, IAM005, IAM010), the worst severity deciding; JSON
    `problems` lists each. Selecting or ignoring this rule adds or removes its problem alone.

    ## When it speaks

    - **Speaks when**: an Allow statement of a function's role grants, on `Resource: "*"` with no
      resource-scoping Condition, an action that returns data or secrets and could have been scoped:
      `s3:GetObject`, `secretsmanager:GetSecretValue`, `ssm:GetParameter*`, `kms:Decrypt`,
      `dynamodb:GetItem`/`Query`/`Scan`, `sqs:ReceiveMessage`, `kinesis:GetRecords`, `logs:GetLogEvents`,
      `lambda:GetFunction`… (directly or through a pattern). High when a secret service (Secrets Manager, SSM,
      KMS) is among them, medium otherwise; an event-source managed policy for a trigger the function has is
      info (low without the trigger). Statements come from the role's own policies and from AWS managed policies
      as the IAM engine expands them; an action counts only when it survives the role's Deny statements
      (`NotAction`, `NotResource` included) and a permissions boundary the app defines. A `Condition` on the
      statement lowers the severity one step.
    - **Evidence**: the message names the function(s), the statement or managed policy and the data actions it
      reaches (through which pattern); the finding sits on the statement or the policy's line; one finding per
      statement.
    - **Stays quiet**: reads on named resources; reads behind a resource-scoping Condition; `*`, `iam:*` and
      `service:*` while IAM001/IAM002 report them; list and describe actions that return no data.

    ## Why it matters

    A function that can read every bucket, table, parameter and secret of the account turns one
    injection or one vulnerable dependency into a full data breach: the attacker reads the other
    teams' data and the secrets that open the rest (SAS-4, SAS-7).

    ## How to fix

    Name the resources the function reads: `Resource: arn:aws:s3:::reports-prod/*`,
    `!GetAtt Orders.Arn`, `!Ref DbSecret`, `arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/*`.
    In SAM use the policy templates that take the resource name (`S3ReadPolicy`,
    `DynamoDBReadPolicy`, `AWSSecretsManagerGetSecretValuePolicy`, `SSMParameterReadPolicy`).

    ## Example

    Bad (serverless.yml):

    ```yaml
    - Effect: Allow
      Action: [secretsmanager:GetSecretValue]
      Resource: "*"
    ```

    Good:

    ```yaml
    - Effect: Allow
      Action: [secretsmanager:GetSecretValue]
      Resource: !Ref DbPasswordSecret
    ```

    ## References

    - CWE-732: Incorrect Permission Assignment for Critical Resource
    - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    """

    def severity(everywhere: bool, found: tuple[str, ...]) -> Severity:
        secrets = any(f.split(":", 1)[0] in _SECRET_SERVICES for f in found)
        return Severity.HIGH if secrets else Severity.MEDIUM

    yield from group_hits(
        app, DATA_READ, only_everywhere=True, severity=severity, what="reading", remediation=_remediation
    )


_SECRET_SERVICES = frozenset({"secretsmanager", "ssm", "kms"})


def _remediation(app: App, actions: tuple[str, ...]) -> str:
    service = actions[0].split(":", 1)[0]
    return by_dialect(
        app,
        serverless=f"Replace `*` with the ARNs of the {service} resources the function reads "
        "(e.g. `!GetAtt Table.Arn`, `arn:aws:s3:::<bucket>/<prefix>/*`, `!Ref Secret`).",
        sam=f"Use a SAM policy template scoped to the {service} resource the function reads "
        "(S3ReadPolicy, DynamoDBReadPolicy, AWSSecretsManagerGetSecretValuePolicy, SSMParameterReadPolicy).",
        cloudformation=f"Replace `*` with the ARNs of the {service} resources the function reads.",
    )
