"""CODE019: the response's Access-Control-Allow-Origin echoes the request's Origin without an allowlist."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, Function
from fnaudit.model.code import Weakness
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import unclaimed_hits
from fnaudit.rules.code._weakness import weakness_hits
from fnaudit.rules.registry import Context, rule


def _severity(_fn: Function, w: Weakness) -> Severity:
    # with credentials, any site the victim visits reads the API's responses as the victim
    return Severity.HIGH if w.credentials else Severity.MEDIUM


@rule(
    "CODE019",
    "cors-origin-reflected",
    title="CORS origin reflected from the request",
    category=Category.CONFIG,
    severity=Severity.MEDIUM,
    cwe=(942, 346),
    owasp=("SAS-3",),
    references=("https://portswigger.net/web-security/cors",),
    needs=(Fact.CODE,),
)
def cors_origin_reflected(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    A response whose `Access-Control-Allow-Origin` is the request's own `Origin` header, with no check of
    that origin against an allowlist in the function: in a returned headers dict / object, Flask's
    `response.headers[...] = ...`, Express `res.setHeader` / `res.header` / `res.set`, and the `cors`
    middleware configured with `origin: true`. High severity when `Access-Control-Allow-Credentials: true`
    is sent too, medium otherwise.

    An origin tested first (`if origin in ALLOWED_ORIGINS`, `allowed.includes(origin)`, `origin ==
    "https://app.example.com"`) is not reported.

    ## When it speaks

    - **Speaks when**: the code engine finds, in a function reached over HTTP or an unknown trigger, an
      `Access-Control-Allow-Origin` header (a response dict, an assignment, a framework call) whose value is the
      request's `Origin` header with no allowlist check before it; `cors({ origin: true })` and reflecting
      callbacks in JavaScript. High when the same code allows credentials (`Access-Control-Allow-Credentials:
      true`), medium otherwise.
    - **Evidence**: the message names the function, the line that sets the header and how callers reach the
      function.
    - **Stays quiet**: an `Origin` checked against a fixed list (`if origin in ALLOWED`) or compared with one
      fixed origin before it is sent back; a constant origin or `*` (AUTH005 judges `*` with credentials in the
      template); functions whose triggers are all internal.

    ## Why it matters

    Reflecting the origin allows every website. With credentials, a page the victim opens can call the
    API with the victim's cookies and read the answers: their data, CSRF tokens, API keys.

    ## How to fix

    Compare the Origin with a fixed allowlist and send it back only when it is listed (or send one fixed
    origin); never combine a reflected origin with `Access-Control-Allow-Credentials: true`.

    ## Example

    Bad:

    ```python
    headers = {"Access-Control-Allow-Origin": event["headers"].get("origin", "*"),
               "Access-Control-Allow-Credentials": "true"}
    ```

    Good:

    ```python
    origin = event["headers"].get("origin", "")
    allowed = origin if origin in ALLOWED_ORIGINS else "https://app.example.com"
    headers = {"Access-Control-Allow-Origin": allowed, "Vary": "Origin"}
    ```

    ## References

    - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    - CWE-346: Origin Validation Error
    """
    yield from weakness_hits(
        app,
        "cors",
        _severity,
        "send back the Origin only when it is in a fixed allowlist (or one fixed origin), with Vary: Origin",
        "send back the Origin only when it is in a fixed allowlist (cors({ origin: ['https://app.example.com'] }))",
        http_only=True,
        say_reach=True,
    )
    yield from unclaimed_hits(app, ctx, cors_origin_reflected, Severity.MEDIUM)  # code no function claims
