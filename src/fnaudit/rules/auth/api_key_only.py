"""AUTH004: a public HTTP route whose only protection is an API key."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, TriggerKind
from fnaudit.model.facts import Fact
from fnaudit.rules._common import by_dialect
from fnaudit.rules.auth.http_no_authorizer import CFN_METHOD_AUTH, api_key_only, code_auth, route_hit, sls_event
from fnaudit.rules.registry import Context, rule

# The same routes AUTH001 looks at: function URLs have no API keys, and AUTH002 covers them.
_ROUTE_KINDS = (TriggerKind.API_REST, TriggerKind.API_HTTP, TriggerKind.ALB)


@rule(
    "AUTH004",
    "api-key-only-route",
    title="Public HTTP route protected only by an API key",
    category=Category.AUTH,
    severity=Severity.MEDIUM,
    cwe=(306, 287),
    owasp=("SAS-2",),
    needs=(Fact.CODE,),  # authentication done in code lowers the finding (`code_auth`)
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def api_key_only_route(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Public API Gateway routes that require an API key (`private: true` in serverless.yml,
    `ApiKeyRequired: true` in SAM / CloudFormation, an `api_key` security scheme in OpenAPI) and
    have no authorizer that authenticates the caller: no IAM auth, Cognito, JWT or Lambda
    authorizer. A route with an API key *and* an authorizer is not reported, and a route with
    neither is AUTH001's finding. The finding is on the line AUTH001 would use: the line where an
    authorizer goes (the event, `Authorizer: NONE`, the OpenAPI `security`, `AuthorizationType`).

    ## When it speaks

    - **Speaks when**: a public API Gateway REST/HTTP route or ALB target has no authorizer but requires an API
      key (`private: true`, `ApiKeyRequired: true`). Medium; one level lower when the function's code
      authenticates every request the route delivers (framework routes that all declare authentication, a
      signature or token check in the handler).
    - **Evidence**: the message names the function and the route and says what the code does about
      authentication; the finding sits where the route's authorization is decided, like AUTH001; the evidence is
      `<route> authorizer=<kind> api_key=required`.
    - **Stays quiet**: routes with an authorizer (an API key next to one is only metering); routes with neither
      key nor authorizer (AUTH001); function URLs, which have no API keys.

    ## Why it matters

    An API key identifies a client application for usage plans (throttling and quotas); it is not
    authentication. Keys are long-lived, shared by every user of the client, shipped inside web and
    mobile apps where anyone can read them, and sent in a header (`x-api-key`) that proxies and
    logs record. Whoever holds a key can call the function with any input, as any user: the
    function cannot tell who is calling. The API Gateway documentation itself advises against
    using API keys for authentication or authorization.

    ## How to fix

    Keep the API key for metering if you need it, and add an authorizer that authenticates the
    caller. In serverless.yml: `authorizer: {type: aws_iam}` or a JWT / Cognito / Lambda authorizer
    on the `http` event, next to `private: true`. In SAM: `Auth: {Authorizer: MyCognitoAuth,
    ApiKeyRequired: true}` on the event, or a `DefaultAuthorizer` on the `AWS::Serverless::Api`.
    In CloudFormation: `AuthorizationType: AWS_IAM | COGNITO_USER_POOLS | CUSTOM` on the
    `AWS::ApiGateway::Method` that has `ApiKeyRequired: true`.

    As for AUTH001, authentication the function's code performs itself (a verified signature or JWT,
    reachable from the handler and stopping the request when it fails; every framework route behind
    the trigger declaring authentication in code) lowers the finding one level (medium → low), and
    the message names the check and its line.

    ## Example

    Bad (serverless.yml):

    ```yaml
    functions:
      listOrders:
        handler: orders.list
        events:
          - http:
              path: /orders
              method: get
              private: true
    ```

    Good:

    ```yaml
    functions:
      listOrders:
        handler: orders.list
        events:
          - http:
              path: /orders
              method: get
              private: true
              authorizer:
                type: COGNITO_USER_POOLS
                arn: arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc
    ```

    ## References

    - CWE-306: Missing Authentication for Critical Function
    - CWE-287: Improper Authentication
    - OWASP Serverless Top 10, SAS-2 Broken Authentication
    """
    for fn in app.functions:
        for trigger in fn.triggers:
            if trigger.kind not in _ROUTE_KINDS or not trigger.public or not api_key_only(trigger):
                continue
            route = trigger.describe
            auth = code_auth(fn, trigger)
            message = (
                f"function {fn.name}: public route {route} is protected only by an API key; "
                "an API key identifies a client, it does not authenticate a caller"
            )
            if auth.lowers:
                message += f"; {auth.phrase}: reported one level lower"
            else:
                message += ": anyone with the key can call it" + (f"; {auth.phrase}" if auth.phrase else "")
            yield route_hit(
                fn,
                trigger,
                auth,
                message,
                by_dialect(
                    app,
                    serverless=(
                        f"Keep `private: true` if you meter clients, and add an authorizer to the "
                        f"`{sls_event(trigger)}` event of {fn.name}: `authorizer: {{type: aws_iam}}` or a "
                        "JWT/Cognito/Lambda authorizer."
                    ),
                    sam=(
                        "Add `Authorizer: <name>` next to `ApiKeyRequired: true` in the event's `Auth` "
                        "(or a `DefaultAuthorizer` on the `AWS::Serverless::Api`): Cognito, Lambda or AWS_IAM."
                    ),
                    cloudformation=f"{CFN_METHOD_AUTH}; keep `ApiKeyRequired: true` only for metering.",
                ),
                Severity.MEDIUM,
                evidence=" api_key=required",
            )
