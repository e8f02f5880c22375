"""DOS002 and DOS003: timeouts that let one invocation run (and bill) longer than anyone waits."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, Function
from fnaudit.rules._common import by_dialect, inherited_note, setting_loc
from fnaudit.rules.registry import Context, rule

MAX_TIMEOUT = 900  # seconds: Lambda's hard ceiling


@rule(
    "DOS002",
    "timeout-at-maximum",
    title="Function timeout set to the 15-minute maximum",
    category=Category.AVAILABILITY,
    severity=Severity.INFO,
    cwe=(400,),
    owasp=("SAS-8",),
    references=("https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html",),
)
def timeout_at_maximum(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions whose timeout is 900 seconds, the maximum Lambda allows, whether set on the
    function or inherited from `provider.timeout` / `Globals.Function.Timeout`.

    A hygiene check, reported at `info`: the table and the Markdown comment count these in one line
    per app (`--show info` lists them); JSON, SARIF and HTML list them in full.

    ## When it speaks

    - **Speaks when**: a function's timeout, its own or inherited from the provider or `Globals`, is exactly 900
      seconds, Lambda's maximum. Info.
    - **Evidence**: the message names the function and says where the value is inherited from; the finding sits
      on the timeout's line; the evidence is `timeout=900`.
    - **Stays quiet**: any timeout below 900 s; unset timeouts (the dialect's default of 3 or 6 s); values the
      loader cannot resolve.

    ## Why it matters

    A maximal timeout is rarely a measured need; it is usually "make the timeout errors go
    away". It lets a slow dependency, an infinite loop or an attacker-controlled input that
    triggers expensive work (a regular expression, a huge payload) hold a concurrent execution
    for 15 minutes per call, which multiplies the cost of a flood and the time before anyone
    notices.

    ## How to fix

    Set the timeout a little above the function's measured p99 duration. In serverless.yml:
    `timeout: 30` (on the function or under `provider`). In SAM / CloudFormation: `Timeout: 30`.
    Long-running work belongs in Step Functions or in batches that checkpoint.

    ## Example

    Bad (serverless.yml):

    ```yaml
    provider:
      timeout: 900
    ```

    Good:

    ```yaml
    provider:
      timeout: 20
    functions:
      nightlyReport:
        handler: report.build
        timeout: 300   # measured: p99 210 s
    ```

    ## References

    - CWE-400: Uncontrolled Resource Consumption
    """
    for fn in app.functions:
        t = fn.timeout
        if not t.is_set or whole_number(t.value) != MAX_TIMEOUT:
            continue
        note = inherited_note(app, t)
        yield Hit(
            setting_loc(t, fn.loc),
            f"function {fn.name}: timeout is {MAX_TIMEOUT} s, the maximum{note}",
            function=fn.id,
            evidence=f"timeout={MAX_TIMEOUT}{note}",
            remediation=by_dialect(
                app,
                serverless="Lower `timeout:` to just above the measured duration (e.g. `timeout: 30`).",
                sam="Lower `Timeout:` to just above the measured duration (e.g. `Timeout: 30`).",
                cloudformation="Lower `Timeout:` to just above the measured duration (e.g. `Timeout: 30`).",
            ),
            key="timeout",
        )


@rule(
    "DOS003",
    "timeout-exceeds-http-integration",
    title="Function timeout longer than its HTTP integration waits",
    category=Category.AVAILABILITY,
    severity=Severity.MEDIUM,
    cwe=(400,),
    owasp=("SAS-8",),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html",
    ),
)
def timeout_exceeds_http_integration(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions invoked by an API Gateway route whose timeout is longer than the integration
    timeout of the API (29 seconds for REST APIs, 30 seconds for HTTP APIs by default, or the
    value configured on the integration).

    ## When it speaks

    - **Speaks when**: a function's timeout (its own or inherited, a whole number of seconds) is longer than the
      shortest integration timeout of its HTTP triggers: 29 s for a REST API, 30 s for an HTTP API. Medium.
    - **Evidence**: the message names the function, its timeout and the integration's; the finding sits on the
      timeout's line; the evidence is `timeout=<s>; integration timeout=<s>`.
    - **Stays quiet**: functions with no HTTP trigger of known integration timeout (function URLs have none);
      unset timeouts (Lambda's defaults are below every integration limit); timeouts at or below the
      integration's.

    ## Why it matters

    When the API gives up, the caller gets a 504, but the function keeps running (and billing)
    until its own timeout. A client that retries on 504, or an attacker who found a slow input,
    stacks invocations that nobody waits for: each retry adds a full-length execution.

    ## How to fix

    Set the function timeout at or below the integration timeout, e.g. `timeout: 25` in
    serverless.yml or `Timeout: 25` in SAM / CloudFormation. Work that needs longer should be
    accepted synchronously and done asynchronously (queue, Step Functions).

    ## Example

    Bad (serverless.yml):

    ```yaml
    functions:
      export:
        handler: export.handler
        timeout: 120
        events:
          - http: POST /export
    ```

    Good:

    ```yaml
    functions:
      export:
        handler: export.handler
        timeout: 25
        events:
          - http: POST /export
    ```

    ## References

    - CWE-400: Uncontrolled Resource Consumption
    """
    for fn in app.functions:
        t = fn.timeout
        seconds = whole_number(t.value) if t.is_set else None
        if seconds is None:
            continue  # unset: Lambda's defaults (3 s, 6 s in serverless) are below every integration limit
        limit = _integration_limit(fn)
        if limit is None or seconds <= limit:
            continue
        note = inherited_note(app, t)
        yield Hit(
            setting_loc(t, fn.loc),
            f"function {fn.name}: timeout {seconds} s{note} exceeds the {limit} s its HTTP integration waits; "
            "callers get a 504 while the function keeps running",
            function=fn.id,
            evidence=f"timeout={seconds}{note}; integration timeout={limit}",
            remediation=by_dialect(
                app,
                serverless=f"Set `timeout: {limit - 1}` or less on {fn.name}, or move the slow work to an asynchronous path.",
                sam=f"Set `Timeout: {limit - 1}` or less, or move the slow work to an asynchronous path.",
                cloudformation=f"Set `Timeout: {limit - 1}` or less, or move the slow work to an asynchronous path.",
            ),
            key="timeout",
        )


def _integration_limit(fn: Function) -> int | None:
    """The shortest integration timeout among the function's HTTP triggers (None: none is known)."""
    limits = [t.integration_timeout for t in fn.http_triggers if t.integration_timeout]
    return min(limits) if limits else None


def whole_number(value: object) -> int | None:
    """A setting's value as a whole number (`30`, `30.0`, `"30"`); None for anything else: a boolean, a
    reference or an expression the loader could not resolve. Timeouts and concurrency are read alike."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
