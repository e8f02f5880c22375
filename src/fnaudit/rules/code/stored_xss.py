"""CODE023: event data stored to S3 as HTML/SVG (stored XSS), worse when the bucket is served as a website."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, Function
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hit, for_language, unclaimed_hits
from fnaudit.rules.data._buckets import buckets, writes
from fnaudit.rules.registry import Context, rule

_FIX = (
    "Store user content with a type browsers do not render (`ContentType='text/plain'` or "
    "`application/octet-stream` with `ContentDisposition='attachment'`), or escape it (`html.escape`) / "
    "sanitise it (`bleach.clean`) before storing it as HTML; serve user uploads from a separate domain."
)
_FIX_NODE = (
    "Store user content with a type browsers do not render (`ContentType: 'text/plain'` or "
    "`application/octet-stream` with `ContentDisposition: 'attachment'`), or sanitise it (`sanitize-html`, "
    "DOMPurify) before storing it as HTML; serve user uploads from a separate domain."
)


@rule(
    "CODE023",
    "stored-xss",
    title="Event data stored to S3 as HTML (stored XSS)",
    category=Category.INJECTION,
    severity=Severity.HIGH,
    cwe=(79,),
    owasp=("SAS-1",),
    references=(
        "https://owasp.org/www-community/attacks/xss/#stored-xss-attacks",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteHosting.html",
    ),
    needs=(Fact.CODE,),
)
def stored_xss(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Event data written to S3 as an object browsers render as a page: Python
    `put_object(Body=x, ContentType="text/html")`, `s3.Object(b, k).put(...)`, `upload_fileobj(f, b, k,
    ExtraArgs={"ContentType": "text/html"})`; JavaScript / TypeScript `new PutObjectCommand({ Body,
    ContentType: "text/html" })`, v2 `s3.putObject(params)` / `s3.upload(params)`, lib-storage
    `new Upload({ params })`. HTML, SVG, XHTML and XML content types count, and so does a content type
    the event itself chooses. `application/json`, `text/plain` and a missing content type do not.

    The finding is one level more severe when the function writes to a bucket of the app that has a
    `WebsiteConfiguration` (the object is served to browsers from the site's origin).

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to the body of an S3 object written as HTML: `put_object` / `Object.put` with a
      `ContentType` of `text/html`, `image/svg+xml`, `application/xhtml+xml` or XML, or `upload_fileobj` with
      such a type in `ExtraArgs`; critical (instead of high) at the top when the function writes to a bucket of
      the app configured as a website, with no HTML escaping or sanitising (`html.escape`, `markupsafe.escape`,
      `bleach.clean`) on the way. One finding per flow (sink call, event field). Severity follows how the source
      is reached: high (critical for a website bucket) from a public HTTP route or function URL with no
      authorizer; one level lower behind an authorizer, on a private API, or when the framework route declares
      authentication in code (`@login_required`, an auth middleware); two levels lower, one step less confident,
      from an internal trigger (queue, bucket, stream, schedule) or an unknown one. A flow from an internal
      trigger that another function of the app fills with its own event data is a second-order flow, reported at
      that writer's exposure one level lower. Code no function claims is reported with no function, one level
      below high (critical for a website bucket), the whole event taken as the source.
    - **Evidence**: the message names the function, the event field (`body.id`, `queryStringParameters.q`), how
      it is reached (the trigger and its authorizer), the sink call and its line; the trace lists every step
      from the event to the sink (with the writer's steps first for a second-order flow). The finding sits on
      the sink's line, or on the call in the function's own code when the sink is in a helper several functions
      share.
    - **Stays quiet**: objects stored as `text/plain`, `application/json`, `application/octet-stream` or with no
      HTML type; escaped or sanitised content; event data used only in the object key.

    ## Why it matters

    Whoever opens the stored object runs the attacker's script in the origin that serves it: session
    theft and actions as the victim on a website bucket or a CloudFront distribution in front of it,
    long after the request that stored it.

    ## How to fix

    Store user content with a content type that browsers do not render, escape or sanitise it before
    storing HTML, and serve user uploads from a separate (cookie-less) domain.

    ## Example

    Bad:

    ```python
    page = json.loads(event["body"])["html"]
    s3.put_object(Bucket=SITE, Key="p/index.html", Body=page, ContentType="text/html")
    ```

    Good:

    ```python
    page = html.escape(json.loads(event["body"])["html"])
    s3.put_object(Bucket=SITE, Key="p/index.html", Body=page, ContentType="text/html")
    ```

    ## References

    - CWE-79: Improper Neutralization of Input During Web Page Generation
    - OWASP Serverless Top 10, SAS-1 Function Event Data Injection
    """
    website_writers = _website_writers(app)
    for fn in app.functions:
        if fn.code_facts is None:
            continue
        fix = for_language(fn, _FIX, _FIX_NODE)
        for flow in fn.code_facts.flows:
            if flow.sink.kind != ir.STORED_XSS:
                continue
            site = website_writers.get(fn.id)
            if site:
                what = f"stored cross-site scripting (the function writes to bucket {site}, served as a website)"
                yield flow_hit(fn, flow, Severity.CRITICAL, what, fix)
            else:
                yield flow_hit(fn, flow, Severity.HIGH, "stored cross-site scripting", fix)
    yield from unclaimed_hits(app, ctx, stored_xss, Severity.HIGH)  # code no function claims


def _website_writers(app: App) -> dict[str, str]:
    """Function id → the logical id of a website bucket of the app its code writes to."""
    out: dict[str, str] = {}
    for bucket in buckets(app):
        if not bucket.website:
            continue
        written: list[tuple[Function, object]] = list(writes(app, bucket))
        for fn, _ in written:
            out.setdefault(fn.id, bucket.resource.logical_id)
    return out
