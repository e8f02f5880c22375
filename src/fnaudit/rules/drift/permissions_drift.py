"""DRIFT005: a deployed function whose role grants other permissions than the IaC declares."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.drift import Difference, Setting
from fnaudit.rules.drift._common import setting_hits
from fnaudit.rules.registry import Context, rule


@rule(
    "DRIFT005",
    "permissions-drift",
    title="Deployed role permissions differ from the IaC",
    category=Category.PERMISSIONS,
    severity=Severity.MEDIUM,
    cwe=(1068, 269),
    owasp=("SAS-4", "SAS-3"),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
    ),
)
def permissions_drift(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Differences between the execution role a deployed function runs with and the role its IaC declares,
    compared as the set of (effect, action) → resources of the inline policies and of the managed policies
    whose statements are known; AWS-managed policies are compared by name. One finding per action (or managed
    policy) added, removed or given other resources. High when the deployment grants more (an Allow added or
    widened, a Deny removed, a managed policy attached), medium otherwise. Only an account scan with
    `--compare PATH` reports it.

    ## When it speaks

    - **Speaks when**: the deployed role allows or denies an action the declared role does not (and no
      wildcard action of the declared role covers), or the other way round, or with other literal resources,
      or a managed policy is attached on one side only. High when the deployed side grants more.
    - **Evidence**: the message names the function, the effect and action, the resources on each side and
      the IaC file and line; the finding sits on the deployed role; the key is `role|<Effect action>|<change>`.
    - **Stays quiet**: every scan without `--compare`; resources the IaC gives by reference (`!GetAtt`,
      `${…}`), resolved only at deploy time; a role the IaC only references by ARN; the log and event-source
      statements the Serverless Framework adds to the role it generates.

    ## Why it matters

    Over-privileged functions (OWASP Serverless SAS-4): a permission added in the console is invisible to the
    repository's least-privilege review and to fnaudit's IAM and attack-path findings on it. A role widened by
    hand is also how an attacker with console access keeps a foothold.

    ## How to fix

    Redeploy the role from the IaC, or, if the permission is needed, declare it in the IaC (scoped to the
    resources the function uses: `fnaudit permissions FUNCTION` prints them) and deploy it.

    ## Example

    Bad: the IaC allows `dynamodb:GetItem` on the orders table; the deployed role also allows `s3:*` on `*`.

    Good: the deployed role is exactly the one the IaC declares.

    ## References

    - CWE-1068: Inconsistency Between Implementation and Documented Design
    - CWE-269: Improper Privilege Management
    """
    yield from setting_hits(
        app,
        frozenset({Setting.ROLE}),
        "Redeploy the role from the IaC, or declare the permission in the IaC (scoped to the resources the "
        "function uses) and deploy it.",
        _severity,
    )


def _severity(d: Difference) -> Severity | None:
    return Severity.HIGH if d.wider else None
