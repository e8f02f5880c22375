"""DRIFT007: a deployed function whose configuration (timeout, memory, concurrency, tracing, DLQ, handler)
is not the one the IaC declares."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.drift import Setting
from fnaudit.rules.drift._common import setting_hits
from fnaudit.rules.registry import Context, rule

_SETTINGS = frozenset(
    {Setting.TIMEOUT, Setting.MEMORY, Setting.CONCURRENCY, Setting.TRACING, Setting.DEAD_LETTER, Setting.HANDLER}
)


@rule(
    "DRIFT007",
    "configuration-drift",
    title="Deployed configuration differs from the IaC",
    category=Category.CONFIG,
    severity=Severity.LOW,
    cwe=(1068,),
    owasp=("SAS-3",),
    references=("https://docs.aws.amazon.com/lambda/latest/dg/configuration-function-common.html",),
)
def configuration_drift(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Deployed functions whose timeout, memory size, reserved concurrency, tracing mode, dead-letter queue or
    handler differ from what their IaC declares. A setting the IaC does not write stands for the platform's
    default (Lambda: 3 s, 128 MB, unreserved, PassThrough, no DLQ; the Serverless Framework: 6 s, 1024 MB), so
    a deployed default is not drift. One finding per setting. Only an account scan with `--compare PATH`
    reports it.

    ## When it speaks

    - **Speaks when**: a deployed function matched to a declared one has another timeout, memory size,
      reserved concurrency, tracing mode, dead-letter target or handler than the IaC writes, inherits or
      leaves to the default. Low.
    - **Evidence**: the message names the function, the setting, both values and the IaC file and line; the
      finding sits on the deployed setting; the evidence is `<setting>: declared <a> at <file:line>; deployed <b>`.
    - **Stays quiet**: every scan without `--compare`; a value the IaC gives by a reference or variable it
      cannot resolve (a DLQ as `!GetAtt Queue.Arn`); a default of an IaC dialect whose default is not known.

    ## Why it matters

    The availability findings of the repository (denial of wallet, timeouts, lost async events) were judged on
    the declared values: a reserved concurrency removed or a DLQ detached in the console undoes them silently,
    and a changed handler runs other code than the one reviewed.

    ## How to fix

    Redeploy from the IaC, or change the setting in the IaC and deploy it, so that the repository stays the
    description of what runs.

    ## Example

    Bad: serverless.yml sets `reservedConcurrency: 5` on `orders`; the deployed function has no reserved
    concurrency.

    Good: the deployed function has the reserved concurrency of 5 the IaC declares.

    ## References

    - CWE-1068: Inconsistency Between Implementation and Documented Design
    """
    yield from setting_hits(
        app, _SETTINGS, "Redeploy from the IaC, or change the setting in the IaC and deploy it; not in the console."
    )
