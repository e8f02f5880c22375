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
