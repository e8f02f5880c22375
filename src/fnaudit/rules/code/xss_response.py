"""CODE010: event data in an HTML response without escaping."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hits
from fnaudit.rules.registry import Context, rule

_FIX = "Escape event data before putting it in HTML (`html.escape`, `markupsafe.escape`), or render with an autoescaping template."

_FIX_NODE = "Escape event data before putting it in HTML (`escape-html`, `validator.escape`, `he.encode`), or render with an autoescaping template."


@rule(
    "CODE010",
    "xss-response",
    title="Event data in an HTML response (cross-site scripting)",
    category=Category.INJECTION,
    severity=Severity.HIGH,
    cwe=(79,),
    owasp=("SAS-1",),
    references=("https://owasp.org/www-community/attacks/xss/",),
    needs=(Fact.CODE,),
)
def xss_response(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    A proxy response (`{"statusCode": …, "headers": {"Content-Type": "text/html"}, "body": …}`)
    whose body is built from event data that was not HTML-escaped.

    In JavaScript/TypeScript: a response object literal whose `Content-Type` is `text/html` and whose
    `body` is built from event data.

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to the body of an HTML response: a Lambda proxy response whose `Content-Type` is
      `text/html`, `application/xhtml+xml` or `image/svg+xml`, FastAPI/Starlette `HTMLResponse`, Django
      `HttpResponse` (HTML unless its `content_type` says otherwise), a Chalice or Powertools `Response` with an
      HTML content type, with no HTML escaping (`html.escape`, `markupsafe.escape`, Django `escape`,
      `bleach.clean`, `urllib.parse.quote`, a numeric cast) on the way. One finding per flow (sink call, event
      field). Severity follows how the source is reached: high from a public HTTP route or function URL with no
      authorizer; one level lower behind an authorizer, on a private API, or when the framework route declares
      authentication in code (`@login_required`, an auth middleware); two levels lower, one step less confident,
      from an internal trigger (queue, bucket, stream, schedule) or an unknown one. A flow from an internal
      trigger that another function of the app fills with its own event data is a second-order flow, reported at
      that writer's exposure one level lower. Code no function claims is reported with no function, one level
      below high, the whole event taken as the source.
    - **Evidence**: the message names the function, the event field (`body.id`, `queryStringParameters.q`), how
      it is reached (the trigger and its authorizer), the sink call and its line; the trace lists every step
      from the event to the sink (with the writer's steps first for a second-order flow). The finding sits on
      the sink's line, or on the call in the function's own code when the sink is in a helper several functions
      share.
    - **Stays quiet**: a JSON or plain-text response (`application/json`, Django `JsonResponse`) whatever it
      contains; escaped values; an autoescaping template rendered with the data as variables.

    ## Why it matters

    A link with a script in the query string runs that script in the victim's browser on your
    domain: session theft, actions on the user's behalf.

    ## How to fix

    Escape every event value with `html.escape` (or render with Jinja2 and `autoescape=True`), or
    return JSON instead of HTML.

    ## Example

    Bad:

    ```python
    name = event["queryStringParameters"]["name"]
    return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": f"<h1>Hello {name}</h1>"}
    ```

    Good:

    ```python
    name = html.escape(event["queryStringParameters"]["name"])
    return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": f"<h1>Hello {name}</h1>"}
    ```

    ## References

    - CWE-79: Cross-site Scripting
    - OWASP Serverless Top 10, SAS-1 Function Event Data Injection
    """
    yield from flow_hits(app, ir.XSS, Severity.HIGH, "cross-site scripting", _FIX, _FIX_NODE)
