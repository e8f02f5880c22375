"""AUTH001: a public HTTP route that runs the function for anyone on the internet."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, AuthKind, Function, Trigger, TriggerKind
from fnaudit.model.loc import Loc, Origin
from fnaudit.rules._common import by_dialect
from fnaudit.rules.registry import Context, rule

# Function URLs have their own rule (AUTH002): their auth is a property of the URL, not of a route.
_ROUTE_KINDS = (TriggerKind.API_REST, TriggerKind.API_HTTP, TriggerKind.ALB)


@rule(
    "AUTH001",
    "http-route-without-authorizer",
    title="Public HTTP route without an authorizer",
    category=Category.AUTH,
    severity=Severity.HIGH,
    cwe=(306,),
    owasp=("SAS-2",),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
        "https://www.serverless.com/framework/docs/providers/aws/events/http-api#jwt-authorizers",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def http_route_without_authorizer(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    API Gateway (REST or HTTP API) routes and internet-facing ALB listeners that invoke a function
    and are reachable from the internet with no authorizer: no IAM auth, Cognito, JWT or Lambda
    authorizer on the route, and none inherited from the API's default authorizer. A route
    protected only by an API key is reported with severity medium: an API key identifies a
    client for throttling and quotas, it is not authentication (keys are shared, long-lived and
    travel in a header that gets logged).

    ## Why it matters

    Anyone who finds the URL can call the function with any input, so every bug in the handler
    is reachable without credentials, and every call is billed to you. This is broken
    authentication (OWASP Serverless SAS-2), and it is the entry point of most attack paths.

    ## How to fix

    Add an authorizer to the route, or a default authorizer to the API. In serverless.yml:
    `authorizer: {type: aws_iam}` (or a JWT / Cognito / Lambda authorizer) on the `http` /
    `httpApi` event. In SAM: `Auth: {Authorizer: MyCognitoAuth}` on the event, or
    `Auth: {DefaultAuthorizer: ...}` on the `AWS::Serverless::Api`. In CloudFormation:
    `AuthorizationType: AWS_IAM | COGNITO_USER_POOLS | CUSTOM` on the `AWS::ApiGateway::Method`
    (`AuthorizationType: JWT | AWS_IAM | CUSTOM` on an `AWS::ApiGatewayV2::Route`). If the route is
    public by design (a health check, a webhook that verifies a signature), suppress the finding
    with a reason.

    ## Example

    Bad (serverless.yml):

    ```yaml
    functions:
      createOrder:
        handler: orders.create
        events:
          - httpApi: POST /orders
    ```

    Good:

    ```yaml
    provider:
      httpApi:
        authorizers:
          cognito:
            type: jwt
            identitySource: $request.header.Authorization
            issuerUrl: https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc
            audience: [my-client-id]
    functions:
      createOrder:
        handler: orders.create
        events:
          - httpApi:
              method: POST
              path: /orders
              authorizer: {name: cognito}
    ```

    Bad (SAM):

    ```yaml
    Events:
      Create:
        Type: Api
        Properties: {Path: /orders, Method: post}
    ```

    Good (SAM): `Auth: {DefaultAuthorizer: CognitoAuth, Authorizers: {CognitoAuth: {UserPoolArn: ...}}}`
    on the `AWS::Serverless::Api` the event points at with `RestApiId`.

    ## References

    - CWE-306: Missing Authentication for Critical Function
    - OWASP Serverless Top 10, SAS-2 Broken Authentication
    """
    for fn in app.functions:
        for trigger in fn.triggers:
            if trigger.kind not in _ROUTE_KINDS or not trigger.public:
                continue
            if trigger.is_authenticated:
                continue
            yield _hit(app, fn, trigger)


def _hit(app: App, fn: Function, trigger: Trigger) -> Hit:
    api_key_only = trigger.authorizer.kind is AuthKind.API_KEY or trigger.api_key_required
    route = trigger.describe
    if api_key_only:
        message = (
            f"function {fn.name}: public route {route} is protected only by an API key; "
            "an API key identifies a client, it does not authenticate a caller"
        )
    else:
        message = (
            f"function {fn.name}: public route {route} invokes the function with no authorizer; anyone can call it"
        )
    remediation = by_dialect(
        app,
        serverless=(
            f"Add an authorizer to the `{_sls_event(trigger)}` event of {fn.name}, e.g. `authorizer: {{type: aws_iam}}` "
            "or a JWT/Cognito/Lambda authorizer (`authorizer: {name: myAuthorizer}` declared under "
            "`provider.httpApi.authorizers`)."
        ),
        sam=(
            "Set `Auth: {Authorizer: <name>}` on the event, or `Auth: {DefaultAuthorizer: <name>}` on the "
            "`AWS::Serverless::Api`/`HttpApi` (Cognito, JWT, Lambda or AWS_IAM)."
        ),
        cloudformation=(
            "Set `AuthorizationType` to `AWS_IAM`, `COGNITO_USER_POOLS` or `CUSTOM` (with `AuthorizerId`) on the "
            "`AWS::ApiGateway::Method`, or `AuthorizationType: JWT | AWS_IAM | CUSTOM` on the `AWS::ApiGatewayV2::Route`; "
            "for an ALB, authenticate at the listener rule (`authenticate-oidc` / `authenticate-cognito` action)."
        ),
    )
    return Hit(
        _where(trigger),
        message,
        function=fn.id,
        evidence=f"{route} authorizer={trigger.authorizer.kind.value}",
        remediation=remediation,
        severity=Severity.MEDIUM if api_key_only else None,
        key=route,
    )


def _where(trigger: Trigger) -> Loc:
    """The event line, or the line that explicitly says "no authorization" (`AuthorizationType: NONE`,
    `Authorizer: NONE`) when there is one: that is the line to change."""
    auth = trigger.authorizer
    if auth.kind is AuthKind.NONE and auth.origin is Origin.SET and auth.loc.line:
        return auth.loc
    return trigger.loc


def _sls_event(trigger: Trigger) -> str:
    return {TriggerKind.API_REST: "http", TriggerKind.API_HTTP: "httpApi", TriggerKind.ALB: "alb"}.get(
        trigger.kind, "http"
    )
