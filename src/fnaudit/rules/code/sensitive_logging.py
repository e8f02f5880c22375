"""CODE014: whole events or secrets written to the logs."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import trace, trace_text, unclaimed_hits
from fnaudit.rules.registry import Context, rule


@rule(
    "CODE014",
    "sensitive-logging",
    title="Whole event, secret, credentials or the whole environment written to the logs",
    category=Category.LOGGING,
    severity=Severity.MEDIUM,
    cwe=(532,),
    owasp=("SAS-5", "SAS-7"),
    references=("https://docs.powertools.aws.dev/lambda/python/latest/core/logger/",),
    needs=(Fact.CODE,),
)
def sensitive_logging(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    `print`, `logging` or logger calls that write:

    - the whole event (`print(event)`, `logger.info(json.dumps(event))`, Powertools
      `inject_lambda_context(log_event=True)`);
    - the value of an environment variable whose name says it is a secret (`DB_PASSWORD`, `API_KEY`…);
    - the whole environment (`print(os.environ)`, `console.log(process.env)`), which holds the
      function's AWS credentials (`AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`) — also when it is
      returned to the caller;
    - a secret fetched at runtime: Secrets Manager `get_secret_value` / `GetSecretValueCommand`, SSM
      `get_parameter(..., WithDecryption=True)` / `GetParameterCommand({ WithDecryption: true })`, or
      the Parameters and Secrets extension over HTTP (`localhost:2773`, its token header);
    - the caller's credentials from the event: a token authorizer's `authorizationToken`, the
      `Authorization` and `Cookie` headers, HTTP API `cookies`, the `x-api-key` header.

    In JavaScript/TypeScript: `console.*` or a logger (`logger.info`, pino, winston) given any of the
    above (`console.log(event)`, `JSON.stringify(event)`, a secret from `process.env`).

    ## When it speaks

    - **Speaks when**: the code engine finds a log call (`print`, `logging`/logger methods such as `info`,
      `error`, `exception`; `console.log`/`info`/`error`… in JavaScript; a Powertools logging decorator that
      logs the event) given the whole event, a field of the event that carries the caller's credentials (a
      token, an `Authorization` header, a cookie), a secret (an environment variable whose name says secret, a
      value fetched at runtime from Secrets Manager or a decrypted SSM parameter) or the whole environment
      (`os.environ`, `process.env`); or a handler returning the whole environment. Severity by what leaks: high
      for the whole environment (it holds the function's AWS credentials, logged or returned), medium for a
      secret or the caller's credentials, low for the whole event.
    - **Evidence**: the message names the function and what leaks (the variable, the secret's source, the
      credential field); the trace runs from where the value is read to the log call or the return, on that
      line. One finding per line and leak; confidence medium for the whole event, high otherwise.
    - **Stays quiet**: logging chosen fields of the event that carry no credential (an id, a path); logging the
      name of a secret rather than its value; values that no longer carry the secret (a hash, a length).

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
            message, severity = _describe(fn.name, leak.kind, leak.name)
            yield Hit(
                leak.loc,
                message,
                function=fn.id,
                evidence=trace_text(leak.steps),
                severity=severity,
                key=f"log:{leak.kind}:{leak.name}",
                trace=trace(leak.steps),
                confidence="medium" if leak.kind == "event" else "high",
            )
    yield from unclaimed_hits(app, ctx, sensitive_logging, Severity.MEDIUM)  # code no function claims


# The whole environment holds the function's own AWS credentials: leaking it is worse than one secret.
_WHOLE_ENV = ("os.environ", "process.env")


def _describe(fn: str, kind: str, name: str) -> tuple[str, Severity]:
    """The message and severity of a leak of `kind` (`event`, `secret`, `credential`, `returned`)."""
    if kind == "returned":
        return (
            f"function {fn}: the whole environment ({name}) is returned to the caller, "
            "with the function's AWS credentials (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)",
            Severity.HIGH,
        )
    if kind == "credential":
        return f"function {fn}: the caller's credentials ({name}) are written to the logs", Severity.MEDIUM
    if kind == "secret" and name in _WHOLE_ENV:
        return (
            f"function {fn}: the whole environment ({name}) is written to the logs, "
            "with the function's AWS credentials (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)",
            Severity.HIGH,
        )
    if kind == "secret" and ", " in name:  # fetched at runtime: "Secrets Manager, get_secret_value"
        return f"function {fn}: a secret fetched at runtime ({name}) is written to the logs", Severity.MEDIUM
    if kind == "secret":
        return f"function {fn}: the secret in environment variable {name} is written to the logs", Severity.MEDIUM
    return (
        f"function {fn}: the whole event is written to the logs (headers, tokens and personal data included)",
        Severity.LOW,
    )
