"""DRIFT004: a deployed function whose environment variables are not the ones the IaC declares."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.drift import Setting
from fnaudit.rules.drift._common import setting_hits
from fnaudit.rules.registry import Context, rule


@rule(
    "DRIFT004",
    "environment-drift",
    title="Deployed environment variables differ from the IaC",
    category=Category.CONFIG,
    severity=Severity.MEDIUM,
    cwe=(1068,),
    owasp=("SAS-3", "SAS-7"),
    references=("https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html",),
)
def environment_drift(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Environment variables of a deployed function that were added, removed or changed compared with its IaC:
    one finding per variable. Values are always shown redacted (at most 4 characters and the length), on
    both sides. Only an account scan with `--compare PATH` reports it.

    ## When it speaks

    - **Speaks when**: a variable is set on the deployed function and not in the IaC (added), in the IaC and
      not deployed (removed), or set on both sides to different literal values (changed). Medium.
    - **Evidence**: the message names the function, the variable, both values redacted and the IaC file and
      line; the finding sits on the deployed variable; the key is `environment|<NAME>|<change>`.
    - **Stays quiet**: every scan without `--compare`; a value the IaC gives by a reference (SSM, Secrets
      Manager, `!GetAtt`, an unresolved variable), since it is resolved only at deploy time.

    ## Why it matters

    A variable added by hand is often a credential pasted in the console, out of every review and rotation;
    a changed value points the function at another table, endpoint or feature flag than the repository says.
    Either way the deployed function does not behave like the code under review.

    ## How to fix

    Put the variable in the IaC (a secret as a reference to SSM Parameter Store or Secrets Manager, never the
    value) and redeploy, or redeploy to remove what was added by hand. Rotate any secret that was pasted.

    ## Example

    Bad: the deployed `shop-dev-orders` has `DEBUG=true` and `API_TOKEN=…`, the IaC has neither.

    Good: `API_TOKEN: ${ssm:/shop/api-token}` in serverless.yml, and nothing set outside the pipeline.

    ## References

    - CWE-1068: Inconsistency Between Implementation and Documented Design
    """
    yield from setting_hits(
        app,
        frozenset({Setting.ENVIRONMENT}),
        "Declare the variable in the IaC (a secret as an SSM / Secrets Manager reference) and redeploy, "
        "or redeploy to drop what was set by hand; rotate any secret that was pasted.",
    )
