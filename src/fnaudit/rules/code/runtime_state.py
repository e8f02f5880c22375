"""CODE012: event data kept in the execution environment across invocations."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import trace, trace_text, unclaimed_hits
from fnaudit.rules.registry import Context, rule


@rule(
    "CODE012",
    "runtime-state",
    title="Request data kept in the runtime between invocations",
    category=Category.STATE,
    severity=Severity.MEDIUM,
    cwe=(488, 377),
    owasp=("SAS-9",),
    references=("https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html",),
    needs=(Fact.CODE,),
)
def runtime_state(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    A handler that writes data derived from its event into a module-level mutable object (a
    dict, list or set defined at import time, or a `global` it rebinds), or into a file under
    `/tmp`: both outlive the invocation.

    In JavaScript/TypeScript: module-level `let` variables, objects, arrays, `Map`s and `Set`s written
    from the handler (`cache[key] = …`, `.push`, `.set`, `Object.assign`), and
    `fs.writeFile`/`appendFile`/`createWriteStream` under `/tmp` with a name that is not unique per
    invocation.

    ## When it speaks

    - **Speaks when**: the code engine finds a handler writing data derived from its event into state that
      outlives the invocation: a module-level mutable object (a dict, list or set defined at import time, a
      rebound `global`; module-level `let`, objects, `Map`s and `Set`s in JavaScript) or a file under `/tmp` (in
      JavaScript with a name that is not unique per invocation). Always medium, medium confidence; code no
      function claims is reported one level lower with no function.
    - **Evidence**: the message names the function and the module-level object or `/tmp` file; the trace goes
      from the event field to the write, on the write's line. One finding per object or file.
    - **Stays quiet**: module-level state written from constants or configuration (a client, a cache of a secret
      fetched by name); writes to local variables; `/tmp` files named uniquely per invocation in JavaScript.

    ## Why it matters

    Lambda reuses an execution environment for later invocations, possibly for other callers:
    module state and `/tmp` leak one request's data into the next (another user's order, a stale
    authorization decision), and an attacker can plant values that later requests trust.

    ## How to fix

    Keep request data in local variables. For a cache, key it on non-sensitive, non-user data,
    bound its size and lifetime, or use an external cache; write temporary files under a
    per-invocation name and delete them in a `finally`.

    ## Example

    Bad:

    ```python
    LAST_ORDERS = {}

    def handler(event, context):
        user = event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"]
        LAST_ORDERS[user] = json.loads(event["body"])
    ```

    Good:

    ```python
    def handler(event, context):
        order = json.loads(event["body"])
        TABLE.put_item(Item=order)
    ```

    ## References

    - CWE-488: Exposure of Data Element to Wrong Session; CWE-377: Insecure Temporary File
    - Serverless Security Top 10, SAS-9 Serverless Function Execution Flow Manipulation
    """
    for fn in app.functions:
        if fn.code_facts is None:
            continue
        for w in fn.code_facts.state_writes:
            where = f"module-level object `{w.target}`" if w.kind == "global" else f"/tmp file `{w.target}`"
            yield Hit(
                w.loc,
                f"function {fn.name}: event data is written to {where}, which survives into later invocations",
                function=fn.id,
                evidence=trace_text(w.steps),
                key=f"{w.kind}:{w.target}",
                trace=trace(w.steps),
                confidence="medium",
            )
    yield from unclaimed_hits(app, ctx, runtime_state, Severity.MEDIUM)  # code no function claims
