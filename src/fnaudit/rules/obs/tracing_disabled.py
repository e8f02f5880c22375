"""OBS001: functions that leave no X-Ray trace of what they did."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.rules._common import by_dialect, inherited_note, setting_loc
from fnaudit.rules.registry import Context, rule


@rule(
    "OBS001",
    "tracing-disabled",
    title="Active tracing is not enabled",
    category=Category.CONFIG,
    severity=Severity.INFO,
    cwe=(778,),
    owasp=("SAS-5",),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html",
        "https://www.serverless.com/framework/docs/providers/aws/guide/serverless.yml#tracing",
    ),
)
def tracing_disabled(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions whose tracing mode is not `Active`: tracing unset (Lambda's default is
    `PassThrough`, which records nothing unless the caller already sampled the request) or set
    to `PassThrough`, on the function or inherited from `provider.tracing.lambda` /
    `Globals.Function.Tracing`. A value fnaudit cannot resolve (a `${param:…}`) is taken as set.

    A monitoring check, reported at `info`: the terminal table and the Markdown comment count these
    in one line per app ("5 functions without tracing: --show info") and JSON, SARIF and HTML list
    them in full. `--show info` lists them in the table; `severity = {OBS001 = "medium"}` in the
    configuration makes them ordinary findings (and lets `--fail-on` gate on them).

    ## When it speaks

    - **Speaks when**: a function's X-Ray tracing mode, its own or inherited, is not `Active` (unset means
      PassThrough). Info.
    - **Evidence**: the message names the function and the mode as written and where it is inherited from; the
      finding sits on the tracing setting, else on the function; the evidence is `tracing=<mode>`.
    - **Stays quiet**: `Tracing: Active`, `tracing.lambda: true`, `TracingConfig: {Mode: Active}`; a mode given
      by a value the loader cannot resolve.

    ## Why it matters

    Insufficient logging and monitoring (OWASP Serverless SAS-5): during an incident, traces show
    which calls a function made to which services, in what order and how long they took. Without
    them, an attacker's use of the function's role (reads from a table, writes to a bucket) leaves
    far less to follow.

    ## How to fix

    Turn on active tracing and give the role `xray:PutTraceSegments` and
    `xray:PutTelemetryRecords`. In serverless.yml: `provider: {tracing: {lambda: true}}` (or
    `tracing: Active` on a function). In SAM: `Globals: {Function: {Tracing: Active}}`. In
    CloudFormation: `TracingConfig: {Mode: Active}`.

    ## Example

    Bad (serverless.yml):

    ```yaml
    provider:
      name: aws
      runtime: python3.13
    ```

    Good:

    ```yaml
    provider:
      name: aws
      runtime: python3.13
      tracing:
        lambda: true
    ```

    ## References

    - CWE-778: Insufficient Logging
    - OWASP Serverless Top 10, SAS-5 Insufficient Logging and Monitoring
    """
    for fn in app.functions:
        t = fn.tracing
        if t.is_unresolved or (t.is_set and str(t.value).strip().lower() in ("active", "true")):
            continue
        note = inherited_note(app, t)
        mode = str(t.value) if t.is_set else "not set, so PassThrough"
        yield Hit(
            setting_loc(t, fn.loc),
            f"function {fn.name}: X-Ray active tracing is off (tracing: {mode}{note})",
            function=fn.id,
            evidence=f"tracing={mode}{note}",
            remediation=by_dialect(
                app,
                serverless="Set `provider.tracing.lambda: true` (or `tracing: Active` on the function).",
                sam="Set `Tracing: Active` on the function or under `Globals.Function`.",
                cloudformation="Set `TracingConfig: {Mode: Active}` on the `AWS::Lambda::Function`.",
            ),
            key="tracing",
        )
