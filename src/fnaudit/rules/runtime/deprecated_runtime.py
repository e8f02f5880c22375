"""RUNTIME001 and RUNTIME002: runtimes that AWS no longer patches, or will soon stop patching."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, Function
from fnaudit.rules._common import by_dialect, inherited_note, setting_loc
from fnaudit.rules.registry import Context, rule
from fnaudit.rules.runtime._table import RuntimeInfo, lookup

SOON_DAYS = 180  # how far ahead RUNTIME002 looks


@rule(
    "RUNTIME001",
    "deprecated-runtime",
    title="Function uses a deprecated runtime",
    category=Category.PLATFORM,
    severity=Severity.HIGH,
    cwe=(1104,),
    owasp=("SAS-3",),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/runtime-support-policy.html",
    ),
)
def deprecated_runtime(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions whose runtime (set on the function, or inherited from `provider.runtime` /
    `Globals.Function.Runtime`) has passed its deprecation date in AWS's Lambda runtime table,
    as of the scan date. The message gives the dates after which Lambda blocks creating and
    then updating functions on it, and the runtime to move to. Runtimes the table does not know
    (custom names, container images) are not reported.

    ## When it speaks

    - **Speaks when**: a function's runtime (its own or inherited, a literal such as `python3.8`) is in
      fnaudit's dated table of Lambda runtimes with a deprecation date on or before the scan date. High.
    - **Evidence**: the message names the function, the runtime, the deprecation date and the dates from which
      AWS blocks creating and updating functions on it; the finding sits on the runtime setting; the evidence is
      `runtime=<id>; deprecation=<date>`.
    - **Stays quiet**: container images (no runtime); runtimes not in the table or given by a value the loader
      cannot resolve; runtimes deprecated later than the scan date (RUNTIME002 warns ahead).

    ## Why it matters

    Under the shared responsibility model AWS patches the operating system and the language
    runtime only while the runtime is supported. After deprecation, known vulnerabilities in the
    interpreter, its standard library and the OS stay unpatched, the function is no longer
    eligible for support, and at the "block update" date you cannot even deploy a fix to it
    without changing the runtime first.

    ## How to fix

    Move to the successor runtime and test: `runtime: python3.13` in serverless.yml (on the
    function or under `provider`), `Runtime: python3.13` in SAM (`Globals.Function`) or
    CloudFormation.

    ## Example

    Bad (serverless.yml):

    ```yaml
    provider:
      name: aws
      runtime: python3.8
    ```

    Good:

    ```yaml
    provider:
      name: aws
      runtime: python3.13
    ```

    ## References

    - AWS Lambda runtimes and their deprecation dates
    - CWE-1104: Use of Unmaintained Third Party Components
    """
    for fn, info in _functions_with_runtime(app):
        if not info.deprecated_on(ctx.today):
            continue
        yield _hit(app, fn, info, ctx.today, soon=False)


@rule(
    "RUNTIME002",
    "runtime-deprecation-soon",
    title="Function runtime is deprecated within 180 days",
    category=Category.PLATFORM,
    severity=Severity.MEDIUM,
    cwe=(1104,),
    owasp=("SAS-3",),
    references=("https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",),
)
def runtime_deprecation_soon(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions whose runtime is still supported on the scan date but reaches its deprecation date
    in AWS's Lambda runtime table within the next 180 days.

    ## When it speaks

    - **Speaks when**: a function's runtime (its own or inherited) is deprecated within 180 days after the scan
      date, by fnaudit's dated table of Lambda runtimes. Medium.
    - **Evidence**: the message names the function, the runtime, its deprecation date and the days left, and the
      blocking dates; the finding sits on the runtime setting; the evidence is `runtime=<id>;
      deprecation=<date>`.
    - **Stays quiet**: runtimes already deprecated (RUNTIME001); runtimes with no deprecation date or one more
      than 180 days ahead; container images; unresolved values.

    ## Why it matters

    Runtime upgrades need testing (dependencies with native code, changed defaults, removed
    modules). Starting before the deprecation date keeps the function patched without a rushed
    migration, and before Lambda blocks updates to it.

    ## How to fix

    Plan the move to the successor runtime: `runtime: nodejs24.x` in serverless.yml, `Runtime:
    nodejs24.x` in SAM / CloudFormation; run the tests on the new runtime first.

    ## Example

    Bad (SAM), scanned late 2026:

    ```yaml
    Globals:
      Function:
        Runtime: nodejs22.x
    ```

    Good:

    ```yaml
    Globals:
      Function:
        Runtime: nodejs24.x
    ```

    ## References

    - AWS Lambda runtimes and their deprecation dates
    """
    horizon = ctx.today + dt.timedelta(days=SOON_DAYS)
    for fn, info in _functions_with_runtime(app):
        if info.deprecation is None or info.deprecated_on(ctx.today) or info.deprecation > horizon:
            continue
        yield _hit(app, fn, info, ctx.today, soon=True)


def _functions_with_runtime(app: App) -> Iterator[tuple[Function, RuntimeInfo]]:
    for fn in app.functions:
        rt = fn.runtime
        if not rt.is_set or not isinstance(rt.value, str):
            continue  # container images have no runtime; unresolved values are unknown, not findings
        info = lookup(rt.value)
        if info is not None:
            yield fn, info


def _hit(app: App, fn: Function, info: RuntimeInfo, today: dt.date, soon: bool) -> Hit:
    note = inherited_note(app, fn.runtime)
    dates = _dates(info, today)
    if soon:
        message = (
            f"function {fn.name}: runtime {info.id}{note} is deprecated on {info.deprecation} "
            f"({info.days_left(today)} days from the scan date){dates}"
        )
    else:
        message = f"function {fn.name}: runtime {info.id}{note} has been deprecated since {info.deprecation}{dates}"
    successor = info.successor or "a supported runtime"
    return Hit(
        setting_loc(fn.runtime, fn.loc),
        message,
        function=fn.id,
        evidence=f"runtime={info.id}{note}; deprecation={info.deprecation}",
        remediation=by_dialect(
            app,
            serverless=f"Change `runtime: {info.id}` to `runtime: {successor}` and test the function on it.",
            sam=f"Change `Runtime: {info.id}` to `Runtime: {successor}` and test the function on it.",
            cloudformation=f"Change `Runtime: {info.id}` to `Runtime: {successor}` and test the function on it.",
        ),
        key=info.id,
    )


def _dates(info: RuntimeInfo, today: dt.date) -> str:
    parts = []
    for what, day in (("creating functions", info.block_create), ("updating functions", info.block_update)):
        if day is not None:
            parts.append(f"{what} blocked {'since' if today >= day else 'from'} {day}")
    return f"; {', '.join(parts)}" if parts else ""
