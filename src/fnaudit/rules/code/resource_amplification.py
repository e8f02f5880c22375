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
