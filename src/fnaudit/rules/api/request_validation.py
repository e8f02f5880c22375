"""API001: a REST API method that passes any request to its function, unvalidated."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.api import ApiKind, Method
from fnaudit.model.app import App
from fnaudit.rules._common import by_dialect
from fnaudit.rules.api._routes import Route, routes
from fnaudit.rules.registry import Context, rule


@rule(
    "API001",
    "no-request-validation",
    title="API method without request validation",
    category=Category.CONFIG,
    severity=Severity.MEDIUM,
    cwe=(20,),
    owasp=("SAS-1",),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html",
        "https://www.serverless.com/framework/docs/providers/aws/events/apigateway#request-schema-validators",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-api.html",
    ),
)
def no_request_validation(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Methods of an API Gateway REST API that invoke a function with no request validator: API
    Gateway passes whatever body, query string and headers the caller sends straight to the
    function. Required parameters and a body model are only checked when a validator is attached
    to the method, so a method that declares them without a validator is reported too (the message
    says so). HTTP APIs have no request validation and are not reported. Methods the app adds to
    an API of another stack (Serverless `provider.apiGateway.restApiId`) are reported too: the
    method, and its validator, are created by this app.

    Severity is medium when the method is public and has no authorizer (anyone can send it
    anything), low otherwise.

    ## When it speaks

    - **Speaks when**: a REST API method (not `OPTIONS`) that invokes a function has no request validator, or
      one told to check neither the body nor the parameters. Medium when the API is public and the route is open
      (no authorizer), low otherwise.
    - **Evidence**: the message names the function, the route and the API, and says what the method declares
      (required parameters, a body model) that API Gateway only checks with a validator; the finding sits on the
      method's line; the evidence is `<route> validator=none`.
    - **Stays quiet**: methods with a validator that checks the body or the parameters; HTTP APIs (API Gateway
      v2 has no request validation); CORS preflights; ALB targets and function URLs.

    ## Why it matters

    Every malformed or hostile request reaches the code and is billed, and the handler becomes the
    only line of defence against injection payloads, oversized fields and missing parameters
    (OWASP Serverless SAS-1, event injection). A validator with a JSON schema rejects them at the
    edge with a 400, before the function runs.

    ## How to fix

    Describe the body with a model (JSON schema) and the required parameters, and attach a request
    validator to the method. Serverless Framework: `request.schemas` on the `http` event (the
    Framework then creates the validator). SAM: `RequestModel: {Model: ..., Required: true,
    ValidateBody: true}` and `RequestParameters` with `Required: true` on the `Api` event.
    CloudFormation: an `AWS::ApiGateway::RequestValidator` referenced by the method's
    `RequestValidatorId`, with `RequestModels` / `RequestParameters`; in an OpenAPI body,
    `x-amazon-apigateway-request-validator`. Validate in the handler as well: a schema is a first
    filter, not a substitute.

    ## Example

    Bad (serverless.yml):

    ```yaml
    functions:
      createOrder:
        handler: orders.create
        events:
          - http: {path: orders, method: post}
    ```

    Good:

    ```yaml
    functions:
      createOrder:
        handler: orders.create
        events:
          - http:
              path: orders
              method: post
              request:
                schemas:
                  application/json: ${file(schemas/order.json)}
    ```

    Good (CloudFormation): `RequestValidatorId: !Ref BodyValidator` and
    `RequestModels: {application/json: !Ref OrderModel}` on the `AWS::ApiGateway::Method`.

    ## References

    - CWE-20: Improper Input Validation
    - OWASP Serverless Top 10, SAS-1 Function Event-Data Injection
    """
    for api in app.apis:
        if api.kind is not ApiKind.REST:
            continue
        for route in routes(app, api):
            if route.method.validated:
                continue
            yield _hit(app, api.id, route, api.public)


def _hit(app: App, api: str, route: Route, public: bool) -> Hit:
    m = route.method
    fn_name = route.function.name if route.function is not None else m.function
    if m.validator is not None:  # attached, but told to check neither the body nor the parameters
        message = f"function {fn_name}: {m.route} on API {api} has a validator ({m.validator}) that checks nothing"
    else:
        message = f"function {fn_name}: {m.route} on API {api} reaches the function with no request validator"
    declared = _declared(m)
    if declared and m.validator is not None:
        message += f"; it declares {declared}, which the validator is told not to check"
    elif declared:
        message += f"; it declares {declared}, which API Gateway checks only when a validator is attached"
    else:
        message += "; API Gateway passes any body and parameters to the code"
    open_route = public and route.open
    return Hit(
        m.loc,
        message,
        function=route.function.id if route.function is not None else None,
        evidence=f"{m.route} validator=none",
        remediation=by_dialect(
            app,
            serverless=(
                f"Add `request: {{schemas: {{application/json: ...}}}}` to the `http` event of {fn_name} "
                "(the Framework attaches a validator), and mark required parameters under `request.parameters`."
            ),
            sam=(
                "Add `RequestModel: {Model: <model>, Required: true, ValidateBody: true}` (and `RequestParameters` "
                "with `Required: true`) to the `Api` event, with the model under the API's `Models`."
            ),
            cloudformation=(
                "Attach an `AWS::ApiGateway::RequestValidator` with `RequestValidatorId` and give the method "
                "`RequestModels` / `RequestParameters`; in an OpenAPI body, set "
                "`x-amazon-apigateway-request-validator`."
            ),
        ),
        severity=Severity.MEDIUM if open_route else Severity.LOW,
        key=m.route,
    )


def _declared(m: Method) -> str:
    parts = []
    if m.required_parameters:
        parts.append("required parameters (" + ", ".join(m.required_parameters) + ")")
    if m.body_model:
        parts.append(f"a body model ({m.body_model})")
    return " and ".join(parts)
