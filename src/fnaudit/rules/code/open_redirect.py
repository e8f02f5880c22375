"""CODE011: event data chooses where a redirect goes."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hits
from fnaudit.rules.registry import Context, rule

_FIX = "Redirect only to paths of your own site or to an allowlist of targets; never to a URL taken from the request."

_FIX_NODE = (
    "Redirect only to paths of your own site or to an allowlist of targets; never to a URL taken from the request."
)


@rule(
    "CODE011",
    "open-redirect",
    title="Event data chooses the target of a redirect",
    category=Category.INJECTION,
    severity=Severity.MEDIUM,
    cwe=(601,),
    owasp=("SAS-1",),
    references=("https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html",),
    needs=(Fact.CODE,),
)
def open_redirect(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    A response with a `Location` header (3xx status) whose value comes from the event, unless it
    starts with a fixed scheme and host or was checked against an allowlist. A constant prefix fixes
    the host when it runs at least to the first `/`, `?` or `#` after it (`"https://www.example.com/" + x`,
    `f"{SITE}/welcome/{x}"`), or when it is a path on the same site whose second character cannot
    start another slash (`"/app/" + x`, `"/login?next=" + x`). `"/" + x` is still reported
    (`x` = `/evil.com` makes `//evil.com`), and so is a prefix that stops inside the host
    (`` `https://${x}.example.com/` ``, `"https://www.example.com" + x`).

    In JavaScript/TypeScript: the `Location` header of a response object literal (status 3xx or none).

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to the target of a redirect: `flask.redirect`, werkzeug `redirect`, FastAPI/Starlette
      `RedirectResponse`, Django `redirect` / `HttpResponseRedirect`, a Lambda proxy or Chalice/Powertools
      response with a 3xx status and a `Location` header (`res.redirect` and `Location` headers in JavaScript),
      with no check that pins the target (a host allowlist on the parsed URL, `urllib.parse.quote` of the value)
      on the way. One finding per flow (sink call, event field). Severity follows how the source is reached:
      medium from a public HTTP route or function URL with no authorizer; one level lower behind an authorizer,
      on a private API, or when the framework route declares authentication in code (`@login_required`, an auth
      middleware); two levels lower, one step less confident, from an internal trigger (queue, bucket, stream,
      schedule) or an unknown one. A flow from an internal trigger that another function of the app fills with
      its own event data is a second-order flow, reported at that writer's exposure one level lower. Code no
      function claims is reported with no function, one level below medium, the whole event taken as the source.
    - **Evidence**: the message names the function, the event field (`body.id`, `queryStringParameters.q`), how
      it is reached (the trigger and its authorizer), the sink call and its line; the trace lists every step
      from the event to the sink (with the writer's steps first for a second-order flow). The finding sits on
      the sink's line, or on the call in the function's own code when the sink is in a helper several functions
      share.
    - **Stays quiet**: a target whose constant prefix runs at least to the first `/`, `?` or `#` after the host
      (`"https://www.example.com/" + x`, `f"{SITE}/welcome/{x}"`), or is a path on the same site whose second
      character cannot start another slash (`"/app/" + x`, `"/login?next=" + x`); a target whose parsed host was
      checked against an allowlist. `"/" + x` and a prefix that stops inside the host are still reported.

    ## Why it matters

    `https://you.example/login?next=https://evil.example` sends your users to a phishing page
    from a link on your domain, and can leak tokens put in the redirect.

    ## How to fix

    Accept only known targets (an allowlist of paths or hosts), or only relative paths that you
    prefix with your own origin.

    ## Example

    Bad:

    ```python
    target = event["queryStringParameters"]["next"]
    return {"statusCode": 302, "headers": {"Location": target}}
    ```

    Good:

    ```python
    target = event["queryStringParameters"]["next"]
    if target not in ALLOWED_TARGETS:
        target = "/"
    return {"statusCode": 302, "headers": {"Location": target}}
    ```

    ## References

    - CWE-601: URL Redirection to Untrusted Site
    - OWASP Serverless Top 10, SAS-1 Function Event Data Injection
    """
    yield from flow_hits(app, ir.REDIRECT, Severity.MEDIUM, "open redirect", _FIX, _FIX_NODE)
