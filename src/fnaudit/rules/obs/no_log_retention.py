"""OBS002: log groups that keep everything forever (and nothing is decided about them)."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.rules._common import by_dialect
from fnaudit.rules.registry import Context, rule


@rule(
    "OBS002",
    "no-log-retention",
    title="Function log group has no retention period",
    category=Category.CONFIG,
    severity=Severity.INFO,
    cwe=(779,),
    owasp=("SAS-5",),
    references=(
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention",
        "https://www.serverless.com/framework/docs/providers/aws/guide/serverless.yml#provider",
    ),
)
def no_log_retention(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions whose CloudWatch log group has no retention period: no `logRetentionInDays`
    (serverless, on the function or under `provider`), no `LoggingConfig` / log group with
    `RetentionInDays` (SAM, CloudFormation). Lambda then creates `/aws/lambda/<name>` on first
    invocation with "never expire". A value fnaudit cannot resolve (a `${param:…}`) is taken as set.

    A hygiene check, reported at `info`: the terminal table and the Markdown comment count these in
    one line per app ("5 functions without log retention: --show info") and JSON, SARIF and HTML
    list them in full. `--show info` lists them in the table; `severity = {OBS002 = "medium"}` in the
    configuration makes them ordinary findings (and lets `--fail-on` gate on them).

    ## When it speaks

    - **Speaks when**: a function's log group has no retention period: neither the function, the provider
      (`logRetentionInDays`) nor a declared `AWS::Logs::LogGroup` for it sets one. Info.
    - **Evidence**: the message names the function; the finding sits on the function; the evidence is `log
      retention: not set (never expire)`.
    - **Stays quiet**: any retention set, or given by a value the loader cannot resolve.

    ## Why it matters

    Logs kept forever accumulate whatever the function ever printed: request payloads, tokens,
    personal data, for as long as the account exists, and they are billed the whole time. A
    group the template does not declare is also a group nobody encrypts with a chosen key,
    protects from deletion, or watches with a metric filter: monitoring decisions start with
    declaring the log group (OWASP Serverless SAS-5).

    ## How to fix

    Declare the retention that your audit policy requires. In serverless.yml:
    `provider: {logRetentionInDays: 90}`. In SAM / CloudFormation: an `AWS::Logs::LogGroup` named
    `/aws/lambda/<function name>` with `RetentionInDays: 90`, referenced from the function's
    `LoggingConfig: {LogGroup: !Ref FunctionLogs}`.

    ## Example

    Bad (serverless.yml):

    ```yaml
    provider:
      name: aws
      runtime: nodejs22.x
    ```

    Good:

    ```yaml
    provider:
      name: aws
      runtime: nodejs22.x
      logRetentionInDays: 90
    ```

    ## References

    - CWE-779: Logging of Excessive Data
    """
    for fn in app.functions:
        r = fn.log_retention_days
        if r.is_set or r.is_unresolved:
            continue
        yield Hit(
            fn.loc,
            f"function {fn.name}: its log group has no retention period; logs are kept forever",
            function=fn.id,
            evidence="log retention: not set (never expire)",
            remediation=by_dialect(
                app,
                serverless="Set `provider.logRetentionInDays: 90` (or `logRetentionInDays` on the function).",
                sam=(
                    "Declare an `AWS::Logs::LogGroup` `/aws/lambda/<name>` with `RetentionInDays: 90` and point "
                    "`LoggingConfig: {LogGroup: ...}` at it."
                ),
                cloudformation=(
                    "Declare an `AWS::Logs::LogGroup` `/aws/lambda/<name>` with `RetentionInDays: 90` and point "
                    "`LoggingConfig: {LogGroup: ...}` at it."
                ),
            ),
            key="log-retention",
        )
