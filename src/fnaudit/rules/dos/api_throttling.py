"""DOS005: a public API with no throttling of its own in front of its functions."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.api import Api, ApiKind
from fnaudit.model.app import App
from fnaudit.rules._common import by_dialect
from fnaudit.rules.api._routes import Route, function_ids, listed, routes
from fnaudit.rules.registry import Context, rule


@rule(
    "DOS005",
    "api-without-throttling",
    title="Public API without throttling",
    category=Category.AVAILABILITY,
    severity=Severity.MEDIUM,
    cwe=(770,),
    owasp=("SAS-8",),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html",
        "https://www.serverless.com/framework/docs/providers/aws/events/apigateway#setting-api-keys-for-your-rest-api",
    ),
)
def api_without_throttling(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Public API Gateway APIs (REST or HTTP) with routes that invoke a function and that nothing
    throttles: no stage default throttle (`MethodSettings` on `/*` `*`, HTTP API
    `DefaultRouteSettings`), no throttle for the route itself (`MethodSettings` for its path,
    `RouteSettings`), and no usage plan with a throttle or quota covering it (a usage plan limits
    only the methods that require an API key). One finding per API, on the API's declaration, or
    on its first unthrottled route when the API is implicit (Serverless Framework, SAM events).
    Private REST APIs and APIs the app only references are not reported.

    Severity is medium when an unthrottled route has no authorizer, low when every one of them
    requires authentication.

    ## When it speaks

    - **Speaks when**: a public API of the app (not one defined in another stack) has routes that no throttle
      covers: no stage or route throttling (`MethodSettings`, `DefaultRouteSettings`, route settings) and no
      usage plan with limits for a route that requires an API key. Medium when one of those routes is open (no
      authorizer), low otherwise. One finding per API.
    - **Evidence**: the message names the API, how many routes are unthrottled and lists the first of them (and
      notes usage plans that cover only API-key routes); the finding sits on the API, or on the first route for
      an implicit API; the evidence is `<kind> <api> throttle=none`.
    - **Stays quiet**: private APIs; APIs of another stack the app only adds routes to; routes covered by a
      stage, method or route throttle, or by a limiting usage plan when they require an API key.

    ## Why it matters

    Without throttling, the only limit is the account-wide API Gateway quota (10,000 requests per
    second by default, shared by every API of the account and region) and the functions' own
    concurrency. One client can run up the bill (denial of wallet), exhaust the account's Lambda
    concurrency for every other function, and overload the databases behind the API (OWASP
    Serverless SAS-8).

    ## How to fix

    Set a stage default throttle sized for the expected traffic, and tighter limits on expensive
    routes. SAM: `MethodSettings: [{ResourcePath: "/*", HttpMethod: "*", ThrottlingBurstLimit: 50,
    ThrottlingRateLimit: 20}]` on the `AWS::Serverless::Api`, `DefaultRouteSettings` on an
    `HttpApi`. CloudFormation: the same on `AWS::ApiGateway::Stage` / `AWS::ApiGatewayV2::Stage`.
    Serverless Framework: a `provider.apiGateway.usagePlan` with `throttle` (for `private: true`
    routes) or the serverless-api-gateway-throttling plugin (`custom.apiGatewayThrottling`); for
    `httpApi` events, `DefaultRouteSettings` on the generated stage through
    `resources.extensions.HttpApiStage.Properties`.
    Consider AWS WAF rate-based rules for per-client limits.

    ## Example

    Bad (SAM):

    ```yaml
    Api:
      Type: AWS::Serverless::Api
      Properties:
        StageName: prod
    ```

    Good:

    ```yaml
    Api:
      Type: AWS::Serverless::Api
      Properties:
        StageName: prod
        MethodSettings:
          - ResourcePath: "/*"
            HttpMethod: "*"
            ThrottlingBurstLimit: 50
            ThrottlingRateLimit: 20
    ```

    ## References

    - CWE-770: Allocation of Resources Without Limits or Throttling
    - OWASP Serverless Top 10, SAS-8 Denial of Service and Financial Resource Exhaustion
    """
    for api in app.apis:
        if not api.public or api.external:
            continue
        uncovered = [r for r in routes(app, api) if not _throttled(api, r)]
        if uncovered:
            yield _hit(app, api, uncovered)


def _throttled(api: Api, route: Route) -> bool:
    if api.throttle_for(route.method.method, route.method.path) is not None:
        return True
    return route.api_key_required and bool(api.limiting_plans)


def _hit(app: App, api: Api, uncovered: list[Route]) -> Hit:
    kind = "REST API" if api.kind is ApiKind.REST else "HTTP API"
    names = [r.method.route for r in uncovered]
    plans = " (its usage plans limit only routes that require an API key)" if api.limiting_plans else ""
    message = (
        f"public {kind} {api.id} has no throttling for {len(names)} route(s) ({listed(names)}): "
        f"no stage or route throttle and no usage plan limits them{plans}"
    )
    open_routes = any(r.open for r in uncovered)
    ids = function_ids(uncovered)
    return Hit(
        uncovered[0].method.loc if api.implicit else api.loc,
        message,
        function=ids[0] if len(ids) == 1 else None,
        functions=ids if len(ids) > 1 else (),
        evidence=f"{kind} {api.id} throttle=none",
        remediation=by_dialect(
            app,
            serverless=(
                "Add a `provider.apiGateway.usagePlan` with `throttle: {burstLimit, rateLimit}` for API-key routes, "
                "or stage throttling with the serverless-api-gateway-throttling plugin "
                "(`custom.apiGatewayThrottling`); for an `httpApi`, `DefaultRouteSettings` under "
                "`resources.extensions.HttpApiStage.Properties`."
            ),
            sam=(
                'Set `MethodSettings: [{ResourcePath: "/*", HttpMethod: "*", ThrottlingBurstLimit: …, '
                "ThrottlingRateLimit: …}]` on the `AWS::Serverless::Api` (`DefaultRouteSettings` on an `HttpApi`), "
                "in `Globals` to cover the implicit API."
            ),
            cloudformation=(
                "Set `MethodSettings` throttling on the `AWS::ApiGateway::Stage` (`DefaultRouteSettings` on an "
                "`AWS::ApiGatewayV2::Stage`), or attach an `AWS::ApiGateway::UsagePlan` with `Throttle`."
            ),
        ),
        severity=Severity.MEDIUM if open_routes else Severity.LOW,
        key=f"{api.kind.value} {api.id}",
    )
