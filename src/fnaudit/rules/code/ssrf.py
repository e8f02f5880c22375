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
    At the socket level, event data choosing the host of a raw connection:
    `socket.create_connection((host, port))`, `socket.socket().connect((host, port))` (and
    `connect_ex`, `sendto`), `asyncio.open_connection(host, port)`, `telnetlib.Telnet(host)`,
    `ftplib.FTP(host)`, `smtplib.SMTP(host)`, `poplib`, `imaplib`, `http.client.HTTP(S)Connection(host)`.
    A constant host with an event-chosen port is not reported.

    In JavaScript/TypeScript: `fetch`, `axios` (and instances), `got`, `node-fetch`, `undici`,
    `http(s).get/request`, `superagent`, `needle`; at the socket level `net.connect(port, host)` /
    `net.createConnection({ host })`, `new net.Socket().connect(port, host)`, `tls.connect`, and a
    `dgram` socket's `send(msg, port, host)`.

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
