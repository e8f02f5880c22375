"""CODE009: event data parsed as XML with entity resolution."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hits
from fnaudit.rules.registry import Context, rule

_FIX = "Parse untrusted XML with `defusedxml`, or give lxml a parser with `resolve_entities=False, no_network=True`."

_FIX_NODE = "Do not enable entity substitution: drop `noent: true` from libxmljs options, or use a parser that does not expand entities."


@rule(
    "CODE009",
    "xxe",
    title="Event data is parsed as XML with entity resolution (XXE)",
    category=Category.INJECTION,
    severity=Severity.HIGH,
    cwe=(611,),
    owasp=("SAS-1",),
    references=("https://lxml.de/FAQ.html#how-do-i-use-lxml-safely-as-a-web-service-endpoint",),
    needs=(Fact.CODE,),
)
def xxe(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Event data parsed by lxml (`etree.fromstring`, `XML`, `parse`, `iterparse`) with the default
    parser or a parser that resolves entities. The standard library's `xml.etree` does not fetch
    external entities and is not reported; `defusedxml` is the safe choice.

    In JavaScript/TypeScript: `libxmljs`/`libxmljs2` `parseXml`/`parseXmlString` with `noent: true`.

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to an XML parser that resolves entities: lxml `etree.fromstring`/`XML`/`parse`/`iterparse`
      and `XMLParser.feed` with the default parser or one that resolves entities, `xml.sax.parseString` /
      `pulldom.parseString` with external entities switched on (`libxmljs` with `noent: true` in JavaScript),
      with no safe parser (`defusedxml`) on the way. One finding per flow (sink call, event field). Severity
      follows how the source is reached: high from a public HTTP route or function URL with no authorizer; one
      level lower behind an authorizer, on a private API, or when the framework route declares authentication in
      code (`@login_required`, an auth middleware); two levels lower, one step less confident, from an internal
      trigger (queue, bucket, stream, schedule) or an unknown one. A flow from an internal trigger that another
      function of the app fills with its own event data is a second-order flow, reported at that writer's
      exposure one level lower. Code no function claims is reported with no function, one level below high, the
      whole event taken as the source.
    - **Evidence**: the message names the function, the event field (`body.id`, `queryStringParameters.q`), how
      it is reached (the trigger and its authorizer), the sink call and its line; the trace lists every step
      from the event to the sink (with the writer's steps first for a second-order flow). The finding sits on
      the sink's line, or on the call in the function's own code when the sink is in a helper several functions
      share.
    - **Stays quiet**: an lxml parser built with `resolve_entities=False`; the standard library's `xml.etree`
      (it fetches no external entity); `defusedxml`; SAX without the external-entities feature.

    ## Why it matters

    An external entity (`<!ENTITY x SYSTEM "file:///proc/self/environ">`) makes the parser read
    local files, such as the environment with the function's AWS credentials, or fetch URLs.

    ## How to fix

    Use `defusedxml.ElementTree.fromstring`, or `etree.XMLParser(resolve_entities=False,
    no_network=True)` passed to every lxml parse call.

    ## Example

    Bad:

    ```python
    doc = etree.fromstring(event["body"])
    ```

    Good:

    ```python
    SAFE = etree.XMLParser(resolve_entities=False, no_network=True)
    doc = etree.fromstring(event["body"], SAFE)
    ```

    ## References

    - CWE-611: Improper Restriction of XML External Entity Reference
    - OWASP Serverless Top 10, SAS-1 Function Event Data Injection
    """
    yield from flow_hits(app, ir.XXE, Severity.HIGH, "XML external entity injection", _FIX, _FIX_NODE)
