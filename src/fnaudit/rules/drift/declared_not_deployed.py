"""DRIFT002: a function the IaC declares that the account does not run."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.drift import DiffKind
from fnaudit.rules.drift._common import declared_at
from fnaudit.rules.registry import Context, rule


@rule(
    "DRIFT002",
    "declared-not-deployed",
    title="Declared function not deployed",
    category=Category.CONFIG,
    severity=Severity.LOW,
    cwe=(1068,),
    owasp=("SAS-3",),
    references=("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html",),
)
def declared_not_deployed(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions the compared repository's IaC declares that match no function of the scanned account: never
    deployed, deployed to another account or region, renamed, or deleted by hand. Only an account scan with
    `--compare PATH` reports it.

    ## When it speaks

    - **Speaks when**: a function declared by an IaC of the compared repository is matched by no deployed
      function of the scanned account (deployed name, logical name or generated name). Low.
    - **Evidence**: the message names the declared function and its IaC file and line; the finding sits on the
      deployed app (the account and region scanned); the evidence names the expected deployed name.
    - **Stays quiet**: every scan without `--compare`; declared functions a deployed function matches. A name
      two declarations claim matches neither: both are reported here, and the deployed function by DRIFT001.

    ## Why it matters

    What the repository says is deployed is not: a reviewer reading the IaC draws conclusions (this route is
    protected by that function's authorizer, this queue has a consumer) that do not hold in the account.
    A function deleted by hand can also mean someone changed the account outside the pipeline.

    ## How to fix

    Deploy the IaC (and find out why it was not), or remove the declaration if the function is gone for good.
    When the account scan was narrowed (`--function`, one region), widen it before acting.

    ## Example

    Bad: serverless.yml declares `payments` (deployed as `shop-dev-payments`), and the account has no such
    function.

    Good: `sls deploy` has run, or `payments` is removed from serverless.yml.

    ## References

    - CWE-1068: Inconsistency Between Implementation and Documented Design
    """
    for d in app.drift:
        if d.kind is not DiffKind.DECLARED_ONLY:
            continue
        yield Hit(
            d.deployed_loc,
            f"function {d.declared_function} declared at {declared_at(d)} is not deployed (no function {d.declared})",
            evidence=f"declared: {d.declared_function} at {declared_at(d)}; deployed: none named {d.declared}",
            remediation="Deploy the IaC, or remove the declaration if the function is gone for good.",
            key=f"declared-only|{d.declared_loc.path if d.declared_loc else ''}|{d.declared_function}",
        )
