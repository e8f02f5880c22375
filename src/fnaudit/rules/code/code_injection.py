"""CODE003: event data evaluated as Python code."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hits
from fnaudit.rules.registry import Context, rule

_FIX = "Never evaluate event data: parse it (`json.loads`, `ast.literal_eval` for literals) or map it to code through a fixed table."

_FIX_NODE = "Never evaluate event data: parse it (`JSON.parse`), map it to code through a fixed table, and pass functions (not strings) to `setTimeout`/`setInterval`."


@rule(
    "CODE003",
    "code-injection",
    title="Event data is evaluated as code",
    category=Category.INJECTION,
    severity=Severity.CRITICAL,
    cwe=(94, 95),
    owasp=("SAS-1",),
    references=("https://docs.python.org/3/library/functions.html#eval",),
    needs=(Fact.CODE,),
)
def code_injection(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Event data passed to `eval`, `exec` or `compile`.

    In JavaScript/TypeScript: `eval`, `new Function`, `vm.runIn*Context`/`vm.Script`, and
    `setTimeout`/`setInterval` given a string.

    ## Why it matters

    Whoever controls the event runs arbitrary Python inside the function, with its role and its
    environment variables (including the temporary AWS credentials).

    ## How to fix

    Parse data instead of evaluating it: `json.loads`, `ast.literal_eval` for Python literals, or a
    dictionary from allowed names to functions.

    ## Example

    Bad:

    ```python
    expr = event["queryStringParameters"]["expr"]
    return {"statusCode": 200, "body": str(eval(expr))}
    ```

    Good:

    ```python
    OPS = {"sum": sum, "max": max}
    op = OPS[event["queryStringParameters"]["op"]]
    ```

    ## References

    - CWE-94: Code Injection; CWE-95: Eval Injection
    - OWASP Serverless Top 10, SAS-1 Function Event Data Injection
    """
    yield from flow_hits(app, ir.CODE, Severity.CRITICAL, "code injection", _FIX, _FIX_NODE)
