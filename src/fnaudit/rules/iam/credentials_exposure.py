"""IAM007: actions whose result is a credential."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.iam._actions import CREDENTIALS
from fnaudit.rules.iam._groups import group_hits
from fnaudit.rules.registry import Context, rule


@rule(
    "IAM007",
    "iam-credentials-exposure",
    title="Function role can mint or read credentials",
    category=Category.PERMISSIONS,
    severity=Severity.HIGH,
    cwe=(522, 250),
    owasp=("SAS-4",),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
    ),
    needs=(Fact.PERMISSIONS,),
)
def iam_credentials_exposure(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Allow statements that grant actions returning credentials: long-lived IAM user keys and
    passwords (`iam:CreateAccessKey`, `iam:UpdateAccessKey`, `iam:CreateLoginProfile`,
    `iam:UpdateLoginProfile`, `iam:CreateServiceSpecificCredential`, `iam:UploadSSHPublicKey`),
    session tokens (`sts:GetSessionToken`, `sts:GetFederationToken`), registry and database
    tokens (`ecr:GetAuthorizationToken`, `redshift:GetClusterCredentials`), instance secrets
    (`ec2:GetPasswordData`, `lightsail:GetInstanceAccessDetails`) and identity-pool credentials
    (`cognito-identity:GetCredentialsForIdentity`). High severity on every resource, medium when
    scoped; a `Condition` lowers it one step. `*` and `service:*` are IAM001 / IAM002. Actions count as
    granted only when they survive Deny statements (`NotAction`, `NotResource` included) and the
    permissions boundary; a `*`, `service:*` or NotAction that Deny statements or the boundary cut
    down below what IAM001 / IAM002 report is judged here on what is left.

    One finding per policy statement (and one per AWS managed policy): this rule's problem and the
    statement's other IAM problems are named in one finding, owned by the highest-ranked rule present
    (IAM001, IAM006, IAM007, IAM008, IAM002, IAM003, IAM005, IAM010), the worst severity deciding; JSON
    `problems` lists each. Selecting or ignoring this rule adds or removes its problem alone.

    ## When it speaks

    - **Speaks when**: an Allow statement of a function's role reaches, directly or through a pattern, an action
      whose result is a credential: `iam:CreateAccessKey`, `iam:CreateLoginProfile`, `sts:GetSessionToken`,
      `sts:GetFederationToken`, `ecr:GetAuthorizationToken`, `redshift:GetClusterCredentials`,
      `ec2:GetPasswordData`, `cognito-identity:GetCredentialsForIdentity`… High on every resource, medium on
      narrower resources; an event-source managed policy for a trigger the function has is info. Statements come
      from the role's own policies and from AWS managed policies as the IAM engine expands them; an action
      counts only when it survives the role's Deny statements (`NotAction`, `NotResource` included) and a
      permissions boundary the app defines. A `Condition` on the statement lowers the severity one step.
    - **Evidence**: the message names the function(s), the statement or managed policy, the credential actions
      and the resources; the finding sits on the statement or the policy's line; one finding per statement.
    - **Stays quiet**: `*`, `iam:*` and `service:*` while IAM001/IAM002 report them; actions a Deny or the
      boundary removes.

    ## Why it matters

    Credentials outlive the function: an attacker who can mint an access key for an IAM user keeps
    access after the function is fixed and redeployed, from anywhere, and the activity no longer
    looks like the function's. A Lambda function almost never needs to create credentials.

    ## How to fix

    Remove the action. If the function really rotates keys or issues tokens, scope it to the one
    user or resource (`arn:aws:iam::<account>:user/<rotation-user>`) and put it in a dedicated
    function with its own role.

    ## Example

    Bad (serverless.yml):

    ```yaml
    - Effect: Allow
      Action: iam:CreateAccessKey
      Resource: "*"
    ```

    Good: no credential-minting action in the execution role; the function reads the secret it
    needs with `secretsmanager:GetSecretValue` on that secret's ARN.

    ## References

    - CWE-522: Insufficiently Protected Credentials
    - CWE-250: Execution with Unnecessary Privileges
    """

    def severity(everywhere: bool, found: tuple[str, ...]) -> Severity:
        return Severity.HIGH if everywhere else Severity.MEDIUM

    yield from group_hits(
        app,
        CREDENTIALS,
        only_everywhere=False,
        severity=severity,
        what="obtaining credentials with",
        remediation=_remediation,
    )


def _remediation(app: App, actions: tuple[str, ...]) -> str:
    return (
        f"Remove {', '.join(f'`{a}`' for a in actions[:3])} from the execution role; if a function must issue "
        "credentials, give that one function its own role scoped to the one user or resource."
    )
