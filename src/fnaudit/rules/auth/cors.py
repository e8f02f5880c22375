"""AUTH005: CORS that lets any web site read responses sent with the user's credentials."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.api import Api, Cors
from fnaudit.model.app import App, Function
from fnaudit.rules._common import by_dialect
from fnaudit.rules.api._routes import function_ids, listed, routes
from fnaudit.rules.registry import Context, rule


@rule(
    "AUTH005",
    "cors-wildcard-with-credentials",
    title="CORS allows any origin with credentials",
    category=Category.AUTH,
    severity=Severity.HIGH,
    cwe=(942,),
    owasp=("SAS-2",),
    references=(
        "https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS#requests_with_credentials",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors",
        "https://www.serverless.com/framework/docs/providers/aws/events/apigateway#enabling-cors",
    ),
)
def cors_wildcard_with_credentials(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    CORS configurations of API Gateway REST and HTTP APIs and of function URLs that allow every
    origin — `*`, or the request's own `Origin` echoed back (`method.request.header.Origin` in an
    `OPTIONS` mock integration) — together with `Access-Control-Allow-Credentials: true`. Read from
    Serverless `http.cors` / `provider.httpApi.cors` / `url.cors`, SAM `Cors` / `CorsConfiguration`
    / `FunctionUrlConfig.Cors`, and CloudFormation `CorsConfiguration`, `AWS::Lambda::Url` `Cors`,
    `OPTIONS` methods and OpenAPI bodies.

    `*` without credentials is not a finding (browsers then send no cookies), except as a low
    severity note when an authorizer of the API reads its credential from the `Cookie` header.
    Severity is high when the API is public and has a route without an authorizer or cookie
    authentication, medium for other public APIs, low for private ones.

    ## When it speaks

    - **Speaks when**: an API's CORS configuration (serverless `cors:`, SAM `Cors`, an `OPTIONS` mock
      integration, an HTTP API `CorsConfiguration`) allows every origin (`*`) or echoes the request's `Origin`,
      and either allows credentials or the API has an authorizer that reads the `Cookie` header; or a function
      URL's CORS allows `*` with `AllowCredentials: true`. With credentials: high when a route of the API is
      open or the authorizer reads cookies, medium when every route is authenticated, low on a private API;
      without credentials (cookie authorizer only): low. A function URL: high when its `AuthType` is `NONE`,
      medium otherwise.
    - **Evidence**: the message names the API (or the function) and what is allowed (`*` or the echoed origin)
      and lists the preflight paths; one finding per CORS setting line (SAM's one `Cors` makes a preflight per
      path); the evidence is `<api> origin=*|<echo> credentials=true|false`.
    - **Stays quiet**: a list of named origins; `*` without credentials and without a cookie authorizer
      (browsers then send no cookies); CORS reflected by the function's own code (CODE019).

    ## Why it matters

    With credentials allowed for any origin, any web page a signed-in user visits can call the API
    with the user's cookies or HTTP authentication and read the answer: their data, tokens, and
    anything the API returns (CWE-942). Browsers refuse a literal `*` with credentials, which is why
    configurations that need both echo the `Origin` header instead — and that is worse, because it
    works.

    ## How to fix

    List the origins that may call the API (`https://app.example.com`), and allow credentials only
    for them. Serverless: `cors: {origins: [https://app.example.com], allowCredentials: true}`.
    SAM: `Cors: {AllowOrigin: "'https://app.example.com'", AllowCredentials: true}`; HTTP API
    `CorsConfiguration: {AllowOrigins: [https://app.example.com], AllowCredentials: true}`.
    CloudFormation: the same in `CorsConfiguration`, or a literal origin in the `OPTIONS`
    integration's `Access-Control-Allow-Origin`. If the API needs no browser credentials, set
    `allowCredentials` to false.

    ## Example

    Bad (serverless.yml):

    ```yaml
    - http:
        path: profile
        method: get
        cors:
          origin: "*"
          allowCredentials: true
    ```

    Good:

    ```yaml
    - http:
        path: profile
        method: get
        cors:
          origins: [https://app.example.com]
          allowCredentials: true
    ```

    ## References

    - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    - OWASP Serverless Top 10, SAS-2 Broken Authentication
    """
    for api in app.apis:  # an API of another stack too: this app's events add their CORS preflights to it
        by_line: dict[tuple[str, int], list[Cors]] = {}
        for c in api.cors:
            if c.any_origin and (c.credentials or api.cookie_auth):
                by_line.setdefault((c.loc.path, c.loc.line), []).append(c)
        for group in by_line.values():  # SAM: one `Cors` setting becomes a preflight per path
            yield _api_hit(app, api, group)
    for fn in app.functions:
        url = fn.url
        if url is not None and url.cors_allow_credentials and any(o.strip() == "*" for o in url.cors_allow_origins):
            yield _url_hit(app, fn)


def _api_hit(app: App, api: Api, group: list[Cors]) -> Hit:
    c = group[0]
    credentials = any(x.credentials for x in group)
    api_routes = list(routes(app, api))
    allowed = "echoes any request Origin" if c.echo else "allows every origin (*)"
    if credentials:
        severity = Severity.HIGH if any(r.open for r in api_routes) or api.cookie_auth else Severity.MEDIUM
        severity = severity if api.public else Severity.LOW
        message = (
            f"API {api.id}: CORS {allowed} with credentials; "
            "any web site can read responses sent with the user's credentials"
        )
    else:
        severity = Severity.LOW
        message = (
            f"API {api.id}: CORS {allowed} and an authorizer reads the Cookie header; "
            "allowing credentials here would let any web site act as the user"
        )
    targets = sorted({x.target for x in group if x.target != "*"})
    if targets:
        message += f" (preflight for {listed(targets)})"
    ids = function_ids(api_routes)
    return Hit(
        c.loc,
        message,
        function=ids[0] if len(ids) == 1 else None,
        functions=ids if len(ids) > 1 else (),
        evidence=f"{api.id} origin={'<echo>' if c.echo else '*'} credentials={str(credentials).lower()}",
        remediation=by_dialect(
            app,
            serverless="List the allowed origins: `cors: {origins: [https://app.example.com], allowCredentials: true}`",
            sam="Set `AllowOrigin` / `AllowOrigins` to the sites that may call the API, not `*` or the Origin.",
            cloudformation=(
                "Allow named origins in `CorsConfiguration.AllowOrigins` or in the `OPTIONS` integration's "
                "`Access-Control-Allow-Origin`, never `*` or `method.request.header.Origin` with credentials."
            ),
        ),
        severity=severity,
        key=f"{api.id} {c.target}",
    )


def _url_hit(app: App, fn: Function) -> Hit:
    url = fn.url
    assert url is not None
    open_url = str(url.auth_type.value or "NONE").upper() == "NONE"
    return Hit(
        url.loc,
        f"function {fn.name}: its function URL's CORS allows every origin (*) with credentials",
        function=fn.id,
        evidence="FunctionUrl Cors AllowOrigins=* AllowCredentials=true",
        remediation=by_dialect(
            app,
            serverless=f"List the allowed origins in `url.cors.allowedOrigins` of {fn.name}.",
            sam="List the allowed origins in `FunctionUrlConfig.Cors.AllowOrigins`.",
            cloudformation="List the allowed origins in the `AWS::Lambda::Url` `Cors.AllowOrigins`.",
        ),
        severity=Severity.HIGH if open_url else Severity.MEDIUM,
        key="url",
    )
