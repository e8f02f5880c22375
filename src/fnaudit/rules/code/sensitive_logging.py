"""CODE014: whole events or secrets written to the logs."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import trace, trace_text
from fnaudit.rules.registry import Context, rule


@rule(
    "CODE014",
    "sensitive-logging",
    title="Whole event or secret written to the logs",
    category=Category.LOGGING,
    severity=Severity.MEDIUM,
    cwe=(532,),
    owasp=("SAS-5", "SAS-7"),
    references=("https://docs.powertools.aws.dev/lambda/python/latest/core/logger/",),
    needs=(Fact.CODE,),
)
def sensitive_logging(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    `print`, `logging` or logger calls that write the whole event (`print(event)`,
    `logger.info(json.dumps(event))`, Powertools `inject_lambda_context(log_event=True)`), or the
    value of an environment variable whose name says it is a secret (`DB_PASSWORD`, `API_KEY`…).

    In JavaScript/TypeScript: `console.*` or a logger (`logger.info`, pino, winston) given the whole
    event (`console.log(event)`, `JSON.stringify(event)`) or a secret from `process.env`.

    ## Why it matters

    Logs are kept for a long time and read by many people and tools. A whole event carries
    authorization headers, cookies, tokens and personal data; a logged secret is a leaked secret.

    ## How to fix

    Log the fields you need (request id, route, status), not the event; never log secrets, or
    mask them. Keep `log_event` off in production.

    ## Example

    Bad:

    ```python
    def handler(event, context):
        print(json.dumps(event))
    ```

    Good:

    ```python
    def handler(event, context):
        logger.info("request %s %s", event["requestContext"]["requestId"], event.get("rawPath"))
    ```

    ## References

    - CWE-532: Insertion of Sensitive Information into Log File
    - OWASP Serverless Top 10, SAS-7 Insecure Application Secrets Storage; SAS-5 logging
    """
    for fn in app.functions:
        if fn.code_facts is None:
            continue
        for leak in fn.code_facts.log_leaks:
            if leak.kind == "secret":
                message = f"function {fn.name}: the secret in environment variable {leak.name} is written to the logs"
                severity = Severity.MEDIUM
            else:
                message = f"function {fn.name}: the whole event is written to the logs (headers, tokens and personal data included)"
                severity = Severity.LOW
            yield Hit(
                leak.loc,
                message,
                function=fn.id,
                evidence=trace_text(leak.steps),
                severity=severity,
                key=f"log:{leak.kind}:{leak.name}",
                trace=trace(leak.steps),
                confidence="high" if leak.kind == "secret" else "medium",
            )
