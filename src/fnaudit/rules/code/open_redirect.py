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
    starts with a fixed scheme and host or was checked against an allowlist.

    In JavaScript/TypeScript: the `Location` header of a response object literal (status 3xx or none).

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
