"""DRIFT003: a deployed function whose runtime is not the one the IaC declares."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.drift import Setting
from fnaudit.rules.drift._common import setting_hits
from fnaudit.rules.registry import Context, rule


@rule(
    "DRIFT003",
    "runtime-drift",
    title="Deployed runtime differs from the IaC",
    category=Category.PLATFORM,
    severity=Severity.MEDIUM,
    cwe=(1068, 1104),
    owasp=("SAS-3",),
    references=("https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",),
)
def runtime_drift(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions whose deployed runtime (`python3.9`) is not the one their IaC declares (`python3.13`): the
    runtime was changed in the console, or the last deployment is older than the IaC. Only an account scan
    with `--compare PATH` reports it.

    ## When it speaks

    - **Speaks when**: a deployed function matched to a declared one has a runtime different from the one
      the IaC writes or inherits (provider, Globals). Medium.
    - **Evidence**: the message names the function, both runtimes and the IaC file and line; the finding sits
      on the deployed runtime setting; the evidence is `runtime: declared <a> at <file:line>; deployed <b>`.
    - **Stays quiet**: every scan without `--compare`; a runtime the IaC gives by a value it cannot resolve;
      container-image functions, which have no runtime on either side.

    ## Why it matters

    The repository's scan judged the declared runtime; the account runs another, often an older one that is
    deprecated (no more security patches) or one the code was never tested on. Whatever fnaudit says about the
    runtime of the repository is wrong for the account.

    ## How to fix

    Redeploy from the IaC so that the account runs the declared runtime, or update the IaC to the runtime you
    mean to run, then deploy. Change runtimes only through the pipeline.

    ## Example

    Bad: serverless.yml declares `runtime: python3.13`; the deployed `shop-dev-orders` runs `python3.8`.

    Good: both say `python3.13` after `sls deploy`.

    ## References

    - CWE-1068: Inconsistency Between Implementation and Documented Design
    - CWE-1104: Use of Unmaintained Third Party Components
    """
    yield from setting_hits(
        app,
        frozenset({Setting.RUNTIME}),
        "Redeploy from the IaC, or change the runtime in the IaC and deploy it; never only in the console.",
    )
