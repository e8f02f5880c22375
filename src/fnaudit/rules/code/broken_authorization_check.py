"""CODE018: authorization decided by a value the caller sends, or a token checked only when it is present."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import unclaimed_hits
from fnaudit.rules.code._weakness import by_exposure, weakness_hits
from fnaudit.rules.registry import Context, rule


@rule(
    "CODE018",
    "broken-authorization-check",
    title="Authorization decided by request data, or a token checked only when present",
    category=Category.AUTH,
    severity=Severity.HIGH,
    cwe=(807, 306, 290),
    owasp=("SAS-2", "SAS-5"),
    references=("https://owasp.org/www-project-serverless-top-10/",),
    needs=(Fact.CODE,),
)
def broken_authorization_check(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    - A request header or query parameter compared to a literal to decide what the caller may do:
      `if event["headers"]["x-role"] == "admin"`, `req.headers['x-admin'] === 'true'`, `if
      event["queryStringParameters"]["debug"] == "1"` (the key or the literal must look like a
      role, group, permission or flag). The value is followed through the function's own variables
      back to the handler's event (or Flask's `request`, Express's `req`); confidence is high when it
      is the handler's event parameter.
    - A token verified only when its header is present (`if "Authorization" in headers: verify(...)`),
      with the request carrying on when it is absent (medium confidence).

    Values set by API Gateway's authorizer (`requestContext.authorizer.claims`, `…authorizer.jwt.claims`)
    are not the caller's and are not reported. Severity is high on a public route without an
    authorizer, lower behind one or for internal triggers.

    ## When it speaks

    - **Speaks when**: the code engine finds, in a function reached over HTTP or an unknown trigger, either an
      `if` that compares a request field (body, query string, header, path parameter) with string or boolean
      literals where the field or the literal names a privilege (`role`, `group`, `isAdmin`, `"admin"`…), or a
      token check that runs only when the `Authorization` header is present (`if token: verify(token)` with no
      return or raise, `if token and not verify(token): return 401`: medium confidence). Severity by exposure:
      high from a public route with no authorizer, lower behind an authorizer.
    - **Evidence**: the message names the function, the line of the test, the request field and what it is
      compared with (or the header checked only when present), and how callers reach the function.
    - **Stays quiet**: functions whose triggers are all internal; decisions taken from the authorizer's claims
      (`requestContext.authorizer`); `if not token: return 401` before verifying, which is the right shape;
      comparisons of request fields that name no privilege.

    ## Why it matters

    The caller writes every header and query parameter: `x-role: admin` is one curl option away. A check
    that runs only when the header is there is skipped by leaving the header out.

    ## How to fix

    Decide authorization from the verified identity: the authorizer's claims
    (`requestContext.authorizer.claims["cognito:groups"]`) or a token you verify on every request; reject
    a request without credentials (`401`) before any other work.

    ## Example

    Bad:

    ```python
    if event["headers"].get("x-role") == "admin":
        return delete_user(event["pathParameters"]["id"])
    ```

    Good:

    ```python
    groups = event["requestContext"]["authorizer"]["claims"].get("cognito:groups", "")
    if "admins" in groups.split(","):
        return delete_user(event["pathParameters"]["id"])
    ```

    ## References

    - CWE-807: Reliance on Untrusted Inputs in a Security Decision
    - CWE-306: Missing Authentication for Critical Function
    - OWASP Serverless Top 10, SAS-2 Broken Authentication, SAS-5 Improper Function Permissions
    """
    yield from weakness_hits(
        app,
        "authz",
        by_exposure(Severity.HIGH),
        "decide authorization from the authorizer's claims (requestContext.authorizer) or a token verified on every "
        "request; return 401 when the credentials are missing",
        http_only=True,
        say_reach=True,
    )
    yield from unclaimed_hits(app, ctx, broken_authorization_check, Severity.HIGH)  # code no function claims
