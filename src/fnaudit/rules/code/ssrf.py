"""CODE006: event data chooses the URL of an outbound request, or the host of a raw socket connection."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hits
from fnaudit.rules.registry import Context, rule

_FIX = (
    'Build the URL from a fixed scheme and host (`f"https://api.example.com/items/{quote(item)}"`) or check '
    "the host against an allowlist; never fetch a URL taken from the event."
)

_FIX_NODE = "Build the URL from a fixed scheme and host (`` `https://api.example.com/items/${encodeURIComponent(item)}` ``) or check the host against an allowlist; never fetch a URL taken from the event."


@rule(
    "CODE006",
    "ssrf",
    title="Event data chooses the URL or host of an outbound request or connection (SSRF)",
    category=Category.INJECTION,
    severity=Severity.HIGH,
    cwe=(918,),
    owasp=("SAS-1",),
    references=("https://owasp.org/www-community/attacks/Server_Side_Request_Forgery",),
    needs=(Fact.CODE,),
)
def ssrf(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Event data in the URL of `requests`, `httpx`, `urllib.request`, `urllib3` or `aiohttp` calls
    (module functions and sessions/clients), unless the URL starts with a fixed scheme and host.
    "Fixed" means a constant prefix that runs at least to the first `/`, `?` or `#` after the host
    (`"https://api.example.com/items/" + x`, `f"{BASE}/items/{x}"`, `"https://api.example.com?q=%s" % x`,
    `` `//api.example.com/${x}` ``, `urljoin(BASE, "/items/" + x)`, `new URL("/items/" + x, BASE)`, with
    `BASE` a module constant): the caller then only picks a path or a query, which is not SSRF. A prefix
    that stops inside the host (`"https://" + x`, `"https://api." + x`, `"https://api.example.com" + x`,
    `"https://%s/" % x`) is still reported, and so is `urljoin(BASE, x)` / `new URL(x, BASE)`: an
    absolute or scheme-relative `x` (`//evil.com`) replaces the base's host.
    At the socket level, event data choosing the host of a raw connection:
    `socket.create_connection((host, port))`, `socket.socket().connect((host, port))` (and
    `connect_ex`, `sendto`), `asyncio.open_connection(host, port)`, `telnetlib.Telnet(host)`,
    `ftplib.FTP(host)`, `smtplib.SMTP(host)`, `poplib`, `imaplib`, `http.client.HTTP(S)Connection(host)`.
    A constant host with an event-chosen port is not reported.

    In JavaScript/TypeScript: `fetch`, `axios` (and instances), `got`, `node-fetch`, `undici`,
    `http(s).get/request`, `superagent`, `needle`; at the socket level `net.connect(port, host)` /
    `net.createConnection({ host })`, `new net.Socket().connect(port, host)`, `tls.connect`, and a
    `dgram` socket's `send(msg, port, host)`.

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to what decides where an outbound request or connection goes: the URL of `requests`,
      `httpx`, `urllib`, `urllib3`, `aiohttp` calls (module functions and sessions/clients), or the host/address
      of a raw socket connection (`socket.create_connection`, `socket.connect`/`connect_ex`/`sendto`,
      `asyncio.open_connection`, `telnetlib`, `ftplib`, `smtplib`, `poplib`, `imaplib`, `http.client`); in
      JavaScript `fetch`, `axios`, `got`, `undici`, `superagent`, `needle`, `http(s).get`/`request` and
      `net`/`tls`/`dgram` connections, with no check that pins the host (`urlparse(url).hostname in ALLOWED`, a
      host suffix check) on the way. One finding per flow (sink call, event field). Severity follows how the
      source is reached: high from a public HTTP route or function URL with no authorizer; one level lower
      behind an authorizer, on a private API, or when the framework route declares authentication in code
      (`@login_required`, an auth middleware); two levels lower, one step less confident, from an internal
      trigger (queue, bucket, stream, schedule) or an unknown one. A flow from an internal trigger that another
      function of the app fills with its own event data is a second-order flow, reported at that writer's
      exposure one level lower. Code no function claims is reported with no function, one level below high, the
      whole event taken as the source.
    - **Evidence**: the message names the function, the event field (`body.id`, `queryStringParameters.q`), how
      it is reached (the trigger and its authorizer), the sink call and its line; the trace lists every step
      from the event to the sink (with the writer's steps first for a second-order flow). The finding sits on
      the sink's line, or on the call in the function's own code when the sink is in a helper several functions
      share.
    - **Stays quiet**: a URL whose constant prefix runs at least to the first `/`, `?` or `#` after the host
      (`"https://api.example.com/items/" + x`, `f"{BASE}/items/{x}"` with `BASE` a module constant): the caller
      then picks only a path or a query; a URL whose parsed host was checked against an allowlist; a socket with
      a constant host and an event-chosen port; the local Parameters and Secrets extension endpoint. A prefix
      that stops inside the host, or `urljoin(BASE, x)`, is still reported.

    ## Why it matters

    The function becomes a proxy into places the caller cannot reach: the Lambda Runtime API on
    localhost, VPC-internal services, other accounts' resources through the function's network
    position, with responses sometimes returned to the caller. A raw socket is worse than an HTTP
    client: any protocol can be spoken (SMTP relaying, Redis or database commands on internal hosts).

    ## How to fix

    Keep the scheme and host constant and only put (quoted) values in the path or query, or check
    the parsed host against an allowlist before the request (or the connection).

    ## Example

    Bad:

    ```python
    url = event["queryStringParameters"]["callback"]
    requests.post(url, json=result, timeout=5)
    ```

    Good:

    ```python
    item = quote(event["pathParameters"]["id"])
    requests.get(f"https://api.example.com/items/{item}", timeout=5)
    ```

    ## References

    - CWE-918: Server-Side Request Forgery
    - OWASP Serverless Top 10, SAS-1 Function Event Data Injection
    """
    yield from flow_hits(app, ir.SSRF, Severity.HIGH, "server-side request forgery", _FIX, _FIX_NODE)
