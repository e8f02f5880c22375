"""CODE022: a number from the event sizes work (loops, allocations, page sizes, sleeps) without an upper bound."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hits
from fnaudit.rules.registry import Context, rule

_FIX = (
    "Bound the number before it sizes anything: `n = min(int(q['n']), MAX_ITEMS)`, or reject it "
    "(`if n > MAX_ITEMS: return {'statusCode': 400}`)."
)
_FIX_NODE = (
    "Bound the number before it sizes anything: `const n = Math.min(Number(q.n), MAX_ITEMS)`, or reject it "
    "(`if (n > MAX_ITEMS) return { statusCode: 400 }`)."
)


@rule(
    "CODE022",
    "resource-amplification",
    title="A number from the event sizes work without an upper bound",
    category=Category.AVAILABILITY,
    severity=Severity.MEDIUM,
    cwe=(770, 400),
    owasp=("SAS-8",),
    references=("https://cwe.mitre.org/data/definitions/770.html",),
    needs=(Fact.CODE,),
)
def resource_amplification(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    A number taken from the event (also after `int()`, `float()`, `Number()`, `parseInt()`, unary `+`)
    that decides how much work the function does, with no upper bound on the way:

    - Python: `range(n)`, `"x" * n` / `[0] * n`, Pillow `img.resize((w, h))`, `time.sleep(n)`,
      `asyncio.sleep(n)`, `itertools.repeat(x, n)`, and boto3 page sizes (`Limit=n`, `MaxKeys=n`,
      `PageSize=n`, `MaxItems=n`, `MaxResults=n`);
    - JavaScript / TypeScript: `for (let i = 0; i < n; i++)`, `Array(n)` / `new Array(n)`,
      `Array.from({ length: n })`, `Buffer.alloc(n)`, `"x".repeat(n)`, sharp/Jimp `.resize(w, h)`,
      `setTimeout(f, n)`, and `{ Limit: n }` / `{ MaxKeys: n }` in SDK parameters and v3 commands.

    A bound clears it: `min(n, MAX)` / `Math.min(n, MAX)` (the other argument not event data), or a
    guard such as `if n > MAX: return` / `if (n > MAX) return` (or the work inside `if n <= MAX:`).

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to something a number sizes: `range(n)`, `time.sleep` / `asyncio.sleep`,
      `itertools.repeat(x, n)`, Pillow `resize((w, h))`, string or list repetition, and boto3 page sizes
      (`Limit`, `MaxKeys`, `PageSize`, `MaxItems`, `MaxResults`, `MaxRecords`, `MaxNumberOfMessages`); a numeric
      cast (`int()`, `float()`) does not clean the value here, it is still the attacker's number, with no upper
      bound (`min(n, MAX)` with a constant, or a comparison that rejects large values) on the way. One finding
      per flow (sink call, event field). Severity follows how the source is reached: medium from a public HTTP
      route or function URL with no authorizer; one level lower behind an authorizer, on a private API, or when
      the framework route declares authentication in code (`@login_required`, an auth middleware); two levels
      lower, one step less confident, from an internal trigger (queue, bucket, stream, schedule) or an unknown
      one. A flow from an internal trigger that another function of the app fills with its own event data is a
      second-order flow, reported at that writer's exposure one level lower. Code no function claims is reported
      with no function, one level below medium, the whole event taken as the source.
    - **Evidence**: the message names the function, the event field (`body.id`, `queryStringParameters.q`), how
      it is reached (the trigger and its authorizer), the sink call and its line; the trace lists every step
      from the event to the sink (with the writer's steps first for a second-order flow). The finding sits on
      the sink's line, or on the call in the function's own code when the sink is in a helper several functions
      share.
    - **Stays quiet**: a number bounded with `min(n, MAX_ITEMS)` or rejected above a maximum before use;
      constant sizes; numbers that only choose an item (an index, an id) rather than how much work is done.

    ## Why it matters

    The caller chooses the size of the work and you pay for it: one request asking for a 50,000 ×
    50,000 image, a billion loop iterations or a 900-second sleep holds an instance until its timeout or
    exhausts its memory, and a few of them use up the function's concurrency (denial of service and of
    wallet).

    ## How to fix

    Clamp every number that sizes work to a constant maximum, or reject requests above it.

    ## Example

    Bad:

    ```python
    count = int(event["queryStringParameters"]["count"])
    items = [make_item(i) for i in range(count)]
    ```

    Good:

    ```python
    count = min(int(event["queryStringParameters"]["count"]), 100)
    items = [make_item(i) for i in range(count)]
    ```

    ## References

    - CWE-770: Allocation of Resources Without Limits or Throttling
    - CWE-400: Uncontrolled Resource Consumption
    - OWASP Serverless Top 10, SAS-8 Denial of Service & Financial Resource Exhaustion
    """
    yield from flow_hits(
        app, ir.AMPLIFICATION, Severity.MEDIUM, "resource amplification (no upper bound)", _FIX, _FIX_NODE
    )
