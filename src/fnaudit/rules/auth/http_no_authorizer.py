"""AUTH001: a public HTTP route that runs the function for anyone on the internet."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fnaudit.findings import Category, Hit, Severity, TraceStep
from fnaudit.model.app import App, AuthKind, Function, Trigger, TriggerKind
from fnaudit.model.facts import Fact
from fnaudit.model.loc import Loc, Origin
from fnaudit.model.routes import serving_trigger
from fnaudit.rules._common import by_dialect
from fnaudit.rules.registry import Context, rule

# Function URLs have their own rule (AUTH002): their auth is a property of the URL, not of a route.
_ROUTE_KINDS = (TriggerKind.API_REST, TriggerKind.API_HTTP, TriggerKind.ALB)
# How a REST API method gets an authorizer in CloudFormation (AUTH001 and AUTH004 go on from here).
CFN_METHOD_AUTH = (
    "Set `AuthorizationType` to `AWS_IAM`, `COGNITO_USER_POOLS` or `CUSTOM` (with `AuthorizerId`) "
    "on the `AWS::ApiGateway::Method`"
)


@rule(
    "AUTH001",
    "http-route-without-authorizer",
    title="Public HTTP route without an authorizer",
    category=Category.AUTH,
    severity=Severity.HIGH,
    cwe=(306,),
    owasp=("SAS-2",),
    needs=(Fact.CODE,),  # authentication done in code lowers the finding (`code_auth`)
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
    protected only by an API key is not reported here: AUTH004 (`api-key-only-route`) reports it,
    with its own severity.

    The finding is on the line to change: in serverless.yml the `http` / `httpApi` event, or its
    `authorizer:` when one is written but says none (`NONE`, empty); in SAM the event's
    `Auth: {Authorizer: NONE}`, else the event; in an inline OpenAPI definition the operation's
    `security`, else the operation (`get:`); in CloudFormation the `AuthorizationType` of the
    `AWS::ApiGateway::Method` / `AWS::ApiGatewayV2::Route`, else the resource.

    Authentication the function's code performs itself lowers the finding one level (high → medium)
    and the message names the check and its line: an HMAC signature check of a request header
    (`hmac.compare_digest` / `crypto.timingSafeEqual`, or a plain `==` of the signature, which still
    authenticates), a JWT verified with a key (PyJWT / python-jose `jwt.decode` with pinned
    `algorithms`, `jsonwebtoken.verify`, `jose.jwtVerify`, `aws-jwt-verify`), or a provider's webhook
    verifier (Stripe, Slack, `@octokit/webhooks`), reachable from the handler and stopping the request
    when it fails. A token decoded without verification, a check whose failure is only logged or
    swallowed by a `try`, or one that runs only when the request carries the header, does not count. For a framework app behind one proxy route (Flask, Express
    behind an adapter), the finding lists the app's routes that declare no authentication in code
    (`@login_required`, an auth middleware) with their lines, and is one level lower when every route
    the trigger serves declares it. The gateway is still the better place: the code's check runs after
    the function is invoked (and billed) for every request.

    ## When it speaks

    - **Speaks when**: a function has an API Gateway REST or HTTP API route, or an ALB target, that the template
      makes public and that no authorizer protects (no Cognito, JWT, Lambda or IAM authorization on the method,
      the route, the API's default or the OpenAPI `security`). High; one level lower (medium) when the
      function's code authenticates every request the route delivers: each framework route it serves declares
      authentication (`@login_required`, an auth middleware), or the handler verifies a signature or token.
    - **Evidence**: the message names the function and the route (`POST /orders`) and says what the code does
      about authentication (the routes that declare none, or the check that lowered the severity); the finding
      sits on the line that decided the route's authorization (`AuthorizationType: NONE`, `Auth: {Authorizer:
      NONE}`, the OpenAPI operation), else the route's own line; the evidence is `<route> authorizer=<kind>`.
    - **Stays quiet**: routes with any authorizer (including `AWS_IAM`); private APIs; routes protected only by
      an API key (AUTH004 reports those); function URLs (AUTH002); queue, bucket, stream and schedule triggers.

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
            if trigger.is_authenticated or api_key_only(trigger):
                continue  # an API key alone is AUTH004's finding (api_key_only.py)
            yield _hit(app, fn, trigger, code_auth(fn, trigger))


@dataclass(frozen=True, slots=True)
class CodeAuth:
    """What the function's code does about authenticating the requests one trigger delivers.

    `lowers`: the code authenticates every such request (the finding drops one level); `phrase` says
    what was found, for the message ('' when nothing is worth saying); `trace` points at the lines
    (the checks, or the framework routes that declare no authentication)."""

    lowers: bool = False
    phrase: str = ""
    trace: tuple[TraceStep, ...] = ()


def code_auth(fn: Function, trigger: Trigger) -> CodeAuth:
    """The authentication the code of `fn` performs for requests arriving by `trigger`.

    A function that serves framework routes (`CodeFacts.routes`) is judged by the routes the trigger
    delivers: each declares its authentication or not (`Route.auth`), and only all of them together
    lower the finding, which stays one per trigger (the trigger is what to fix). A plain handler is
    judged by the checks its code makes (`CodeFacts.auth_checks`, reachable from the handler only)."""
    facts = fn.code_facts
    if facts is None:
        return CodeAuth()
    if facts.routes:
        served = [r for r in facts.routes if serving_trigger(fn, r) is trigger]
        if not served:
            return CodeAuth()
        bare = [r for r in served if r.auth is None]
        if not bare:
            kinds = ", ".join(sorted({r.auth for r in served if r.auth is not None}))
            what = {1: "the route it serves requires", 2: "both routes it serves require"}.get(
                len(served), f"all {len(served)} routes it serves require"
            )
            return CodeAuth(
                True,
                f"{what} authentication in code ({kinds})",
                tuple(TraceStep(r.loc, f"route {r.describe} requires {r.auth}") for r in served),
            )
        listed = ", ".join(f"{r.describe} ({r.loc})" for r in bare)
        if len(served) == 1:
            phrase = f"its route's code declares no authentication either: {listed}"
        elif len(bare) == len(served):
            phrase = f"none of its {len(served)} routes declares authentication in code: {listed}"
        else:
            verb = "declares" if len(bare) == 1 else "declare"
            phrase = f"{len(bare)} of its {len(served)} routes {verb} no authentication in code: {listed}"
        return CodeAuth(
            False, phrase, tuple(TraceStep(r.loc, f"route {r.describe} declares no authentication") for r in bare)
        )
    if not facts.auth_checks:
        return CodeAuth()
    first = facts.auth_checks[0]
    return CodeAuth(
        True,
        f"the code authenticates callers ({first.detail} at {first.loc})",
        tuple(TraceStep(c.loc, c.detail) for c in facts.auth_checks),
    )


def one_lower(severity: Severity) -> Severity:
    """The severity one level below (info stays info): a route the code authenticates is still public."""
    ladder = list(Severity)  # declared from critical down to info
    return ladder[min(ladder.index(severity) + 1, len(ladder) - 1)]


def api_key_only(trigger: Trigger) -> bool:
    """The route asks for an API key and nothing that authenticates a caller."""
    if trigger.is_authenticated:
        return False
    return trigger.authorizer.kind is AuthKind.API_KEY or trigger.api_key_required


def _hit(app: App, fn: Function, trigger: Trigger, auth: CodeAuth) -> Hit:
    route = trigger.describe
    message = f"function {fn.name}: public route {route} invokes the function with no authorizer; " + (
        f"{auth.phrase}: reported one level lower (an authorizer would stop callers before the function runs)"
        if auth.lowers
        else "anyone can call it" + (f"; {auth.phrase}" if auth.phrase else "")
    )
    remediation = by_dialect(
        app,
        serverless=(
            f"Add an authorizer to the `{sls_event(trigger)}` event of {fn.name}, e.g. `authorizer: {{type: aws_iam}}` "
            "or a JWT/Cognito/Lambda authorizer (`authorizer: {name: myAuthorizer}` declared under "
            "`provider.httpApi.authorizers`)."
        ),
        sam=(
            "Set `Auth: {Authorizer: <name>}` on the event, or `Auth: {DefaultAuthorizer: <name>}` on the "
            "`AWS::Serverless::Api`/`HttpApi` (Cognito, JWT, Lambda or AWS_IAM)."
        ),
        cloudformation=(
            f"{CFN_METHOD_AUTH}, or `AuthorizationType: JWT | AWS_IAM | CUSTOM` on the `AWS::ApiGatewayV2::Route`; "
            "for an ALB, authenticate at the listener rule (`authenticate-oidc` / `authenticate-cognito` action)."
        ),
    )
    return route_hit(fn, trigger, auth, message, remediation, Severity.HIGH)


def route_hit(
    fn: Function,
    trigger: Trigger,
    auth: CodeAuth,
    message: str,
    remediation: str,
    severity: Severity,
    evidence: str = "",
) -> Hit:
    """A finding on a public route without an authorizer (AUTH001, AUTH004), placed, keyed and evidenced alike:
    attack paths find the route by its description in the key and the evidence, so both rules must write them
    the same way. `severity`: the rule's, one level lower when the code authenticates the callers; `evidence`:
    what the rule adds after the authorizer (` api_key=required`)."""
    route = trigger.describe
    return Hit(
        route_loc(trigger),
        message,
        function=fn.id,
        evidence=f"{route} authorizer={trigger.authorizer.kind.value}{evidence}"
        + (" auth=code" if auth.lowers else ""),
        remediation=remediation,
        severity=one_lower(severity) if auth.lowers else None,
        key=route,
        trace=auth.trace,
    )


def route_loc(trigger: Trigger) -> Loc:
    """The line a person edits to give the route an authorizer: the one the loader recorded as deciding
    its authorization (`AuthorizationType: NONE`, `Auth: {Authorizer: NONE}`, an OpenAPI operation or
    its `security`, an `authorizer:` that resolves to nothing), else the line that explicitly says "no
    authorization", else the route's own line (the `http` event, the SAM event, the method resource)."""
    if trigger.decided_at is not None and trigger.decided_at.line:
        return trigger.decided_at
    auth = trigger.authorizer
    if auth.kind is AuthKind.NONE and auth.origin is Origin.SET and auth.loc.line:
        return auth.loc
    return trigger.loc


def sls_event(trigger: Trigger) -> str:
    return {TriggerKind.API_REST: "http", TriggerKind.API_HTTP: "httpApi", TriggerKind.ALB: "alb"}.get(
        trigger.kind, "http"
    )
