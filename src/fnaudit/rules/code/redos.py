"""CODE021: event data matched by a regular expression that backtracks catastrophically, or chosen as the pattern."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hits
from fnaudit.rules.registry import Context, rule

_FIX = (
    "Rewrite the pattern without nested or overlapping quantifiers (`^[a-z0-9]+@x\\.com$` instead of "
    "`^([a-z0-9]+)+@x\\.com$`), cap the input length before matching, or use the `re2` engine (`google-re2`), "
    "which never backtracks; never compile a pattern taken from the event (escape it with `re.escape`)."
)
_FIX_NODE = (
    "Rewrite the pattern without nested or overlapping quantifiers, cap the input length before matching, or "
    "use the `re2` package (linear time); never build a `RegExp` from event data (escape it first)."
)


@rule(
    "CODE021",
    "redos",
    title="Event data matched by a catastrophically backtracking regex (ReDoS)",
    category=Category.AVAILABILITY,
    severity=Severity.MEDIUM,
    cwe=(1333,),
    owasp=("SAS-8",),
    references=(
        "https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS",
        "https://github.com/google/re2/wiki/Syntax",
    ),
    needs=(Fact.CODE,),
)
def redos(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Event data matched by a regular expression with catastrophic backtracking: nested quantifiers
    whose inner repeat the rest of the group cannot pin down (`(a+)+`, `(\\w+\\s?)*`, `(.*a){20}`), or
    alternatives of the same width that match the same text under a repeat (`(ba|\\wa)+`). Python:
    `re.match/search/fullmatch/findall/finditer/split/sub` with a constant pattern, and the methods of a
    pattern compiled from a constant (`EMAIL = re.compile(...)`, then `EMAIL.match(x)`). JavaScript /
    TypeScript: `re.test(x)` / `re.exec(x)` on a regex literal or constant, `x.match(re)`,
    `x.replace(re, …)`, `x.split(re)`, `x.search(re)`.

    A pattern taken from the event (`re.compile(x)`, `re.search(x, s)`, `new RegExp(x)`) is reported
    whatever it looks like: the caller writes the regex.

    The pattern is judged from its syntax tree (`re._parser`; JavaScript literals parse the same for
    groups, classes and quantifiers). Known misses: one-character alternatives (`(\\w|\\d)+`), which the
    parser merges into one class, and backreferences.

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to a regular expression: event data chosen as the pattern (`re.compile`,
      `re.match`/`search`/`sub`… pattern argument; `new RegExp(x)` in JavaScript), or event data matched by a
      constant pattern that backtracks catastrophically (nested or overlapping quantifiers such as `(a+)+$`,
      checked by the engine's ReDoS analysis), with no `re.escape` (which makes a pattern literal) or numeric
      cast on the way. One finding per flow (sink call, event field). Severity follows how the source is
      reached: medium from a public HTTP route or function URL with no authorizer; one level lower behind an
      authorizer, on a private API, or when the framework route declares authentication in code
      (`@login_required`, an auth middleware); two levels lower, one step less confident, from an internal
      trigger (queue, bucket, stream, schedule) or an unknown one. A flow from an internal trigger that another
      function of the app fills with its own event data is a second-order flow, reported at that writer's
      exposure one level lower. Code no function claims is reported with no function, one level below medium,
      the whole event taken as the source.
    - **Evidence**: the message names the function, the event field (`body.id`, `queryStringParameters.q`), how
      it is reached (the trigger and its authorizer), the sink call and its line; the trace lists every step
      from the event to the sink (with the writer's steps first for a second-order flow). The finding sits on
      the sink's line, or on the call in the function's own code when the sink is in a helper several functions
      share.
    - **Stays quiet**: patterns without nested or overlapping quantifiers; a user value escaped with `re.escape`
      before it becomes a pattern; the `re2` engine; constant strings matched by any pattern.

    ## Why it matters

    A backtracking engine takes exponential time on a near-miss input (`"aaaa…a!"` against
    `^(a+)+$`): thirty characters hold a Lambda invocation until its timeout. Each request costs a full
    timeout of compute, and a handful of them exhaust the function's concurrency.

    ## How to fix

    Remove the nesting (`^[a-z0-9]+@x\\.com$`), bound the input length before matching, or use a
    linear-time engine (`re2`); escape event data before it becomes part of a pattern.

    ## Example

    Bad:

    ```python
    EMAIL = re.compile(r"^([a-z0-9]+)+@example\\.com$")
    EMAIL.match(json.loads(event["body"])["email"])
    ```

    Good:

    ```python
    EMAIL = re.compile(r"^[a-z0-9]+@example\\.com$")
    email = json.loads(event["body"])["email"][:254]
    EMAIL.match(email)
    ```

    ## References

    - CWE-1333: Inefficient Regular Expression Complexity
    - OWASP Serverless Top 10, SAS-8 Denial of Service & Financial Resource Exhaustion
    """
    yield from flow_hits(app, ir.REDOS, Severity.MEDIUM, "regular expression denial of service", _FIX, _FIX_NODE)
