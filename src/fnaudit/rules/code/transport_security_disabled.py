"""CODE016: TLS certificate verification or encryption switched off, in code or in the function's environment."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.code import Step
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import for_language, trace, trace_text, unclaimed_hits
from fnaudit.rules.code._weakness import weakness_hits
from fnaudit.rules.registry import Context, rule

_FIX = (
    "keep certificate verification on (remove verify=False / ssl=False; pass a CA bundle with verify='/path/ca.pem' "
    "for a private CA) and require TLS to databases (sslmode=require or verify-full)"
)
_FIX_NODE = (
    "keep certificate verification on (remove rejectUnauthorized: false and NODE_TLS_REJECT_UNAUTHORIZED; pass the "
    "private CA with `ca:`) and require TLS to databases (ssl: { rejectUnauthorized: true }, sslmode=require)"
)


@rule(
    "CODE016",
    "transport-security-disabled",
    title="TLS verification or encryption disabled",
    category=Category.CONFIG,
    severity=Severity.MEDIUM,
    cwe=(295, 319),
    owasp=("SAS-7",),
    references=(
        "https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification",
        "https://nodejs.org/api/cli.html#node_tls_reject_unauthorizedvalue",
    ),
    needs=(Fact.CODE,),
)
def transport_security_disabled(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    - Python: `requests.*(verify=False)`, `httpx.Client(verify=False)`, `boto3.client(..., verify=False)`,
      `session.verify = False`, `ssl._create_unverified_context`, `check_hostname = False`,
      `verify_mode = ssl.CERT_NONE`, `cert_reqs=CERT_NONE`, aiohttp `ssl=False`;
    - JavaScript/TypeScript: `rejectUnauthorized: false` (https agents, `tls.connect`, database clients),
      `strictSSL: false`, `process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'`;
    - the function's environment (IaC) setting `NODE_TLS_REJECT_UNAUTHORIZED: "0"`, which turns
      verification off for every connection the Node runtime makes;
    - database connections without TLS: `sslmode=disable` (or `ssl=false`) in a connection string,
      `ssl_disabled=True` (MySQL Connector), `sslmode='disable'` (psycopg), `ssl: false` for a MySQL or
      Postgres client to a host that is not a literal `localhost`; a PyMySQL / MySQLdb / aiomysql
      `connect(host=...)` or a `mysql` / `mysql2` `createConnection` / `createPool({ host })` with no ssl
      options at all (those drivers connect in clear text unless asked; medium confidence, and not judged
      when the options come from `**kwargs` / a spread).

    `verify=True`, a CA bundle path, or `rejectUnauthorized: true` are not reported.

    ## When it speaks

    - **Speaks when**: the code engine finds TLS switched off in the function's code: `verify=False` on an HTTP
      call or session, `ssl._create_unverified_context()`, `cert_reqs=CERT_NONE`, `check_hostname = False` or
      `verify_mode = CERT_NONE` assignments, a database connection with `sslmode='disable'`, `ssl_disabled=True`
      or an `ssl=False` style argument, a connection string with `sslmode=disable`; `rejectUnauthorized: false`
      in JavaScript; or the function's environment sets `NODE_TLS_REJECT_UNAUTHORIZED` to `0`. Always medium.
    - **Evidence**: the message names the function and the call, assignment or environment variable that
      switches verification off, on its line; the evidence is that setting as written.
    - **Stays quiet**: verification left on or pointed at a private CA (`verify='/path/ca.pem'`, `ca:`);
      `NODE_TLS_REJECT_UNAUTHORIZED` set to anything but `0` or left unset; `sslmode=require` / `verify-full`;
      connections to the local host.

    ## Why it matters

    Without certificate verification anyone on the network path (a compromised VPC neighbour, a
    hijacked DNS name) can impersonate the server and read or change the traffic: tokens, API keys,
    customer data. Without TLS at all, the database credentials and rows travel in clear.

    ## How to fix

    Keep verification on; for a private CA pass its bundle (`verify="/opt/ca.pem"`, `ca:` in Node) rather
    than switching verification off. Require TLS on database connections (`sslmode=require` or
    `verify-full`, RDS's CA bundle).

    ## Example

    Bad:

    ```python
    requests.get(PARTNER_URL, verify=False)
    ```

    Good:

    ```python
    requests.get(PARTNER_URL, verify="/opt/partner-ca.pem", timeout=5)
    ```

    ## References

    - CWE-295: Improper Certificate Validation
    - CWE-319: Cleartext Transmission of Sensitive Information
    """
    yield from weakness_hits(app, "transport", lambda _fn, _w: Severity.MEDIUM, _FIX, _FIX_NODE)
    for fn in app.functions:
        env = fn.environment.get("NODE_TLS_REJECT_UNAUTHORIZED")
        if env is None or env.value is None or str(env.value).strip() != "0":
            continue
        note = "NODE_TLS_REJECT_UNAUTHORIZED=0 in the function's environment: Node verifies no certificate"
        steps = (Step(env.loc, note),)
        yield Hit(
            env.loc,
            f"function {fn.name}: {note}",
            function=fn.id,
            evidence=trace_text(steps),
            remediation=for_language(fn, _FIX, _FIX_NODE),
            severity=Severity.MEDIUM,
            key="transport:env:NODE_TLS_REJECT_UNAUTHORIZED",
            trace=trace(steps),
        )
    yield from unclaimed_hits(app, ctx, transport_security_disabled, Severity.MEDIUM)  # code no function claims
