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

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to the source argument of `eval`, `exec` or `compile` (`eval`, `new Function`, `vm.run*`
      and string `setTimeout`/`setInterval` in JavaScript), with no sanitiser (a numeric cast, a hash) on the
      way. One finding per flow (sink call, event field). Severity follows how the source is reached: critical
      from a public HTTP route or function URL with no authorizer; one level lower behind an authorizer, on a
      private API, or when the framework route declares authentication in code (`@login_required`, an auth
      middleware); two levels lower, one step less confident, from an internal trigger (queue, bucket, stream,
      schedule) or an unknown one. A flow from an internal trigger that another function of the app fills with
      its own event data is a second-order flow, reported at that writer's exposure one level lower. Code no
      function claims is reported with no function, one level below critical, the whole event taken as the
      source.
    - **Evidence**: the message names the function, the event field (`body.id`, `queryStringParameters.q`), how
      it is reached (the trigger and its authorizer), the sink call and its line; the trace lists every step
      from the event to the sink (with the writer's steps first for a second-order flow). The finding sits on
      the sink's line, or on the call in the function's own code when the sink is in a helper several functions
      share.
    - **Stays quiet**: event data parsed as data (`json.loads`, `ast.literal_eval`) and never evaluated; a
      constant expression; a value cast to a number or mapped through a fixed table before it reaches the call.

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
