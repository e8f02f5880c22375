"""API Gateway settings in the model (`App.apis`): every dialect fills the same `Api` record, with lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

from fnaudit.config import Config
from fnaudit.loaders import LoadOptions, ScanRoot, load_all
from fnaudit.model.api import Api, ApiKind, Cors, Method, Throttle, UsagePlan
from fnaudit.model.app import App
from fnaudit.model.loc import Loc
from fnaudit.pipeline import scan

HANDLER = "def handler(event, context):\n    return {'statusCode': 200}\n"


def _app(tmp_path: Path, name: str, text: str) -> App:
    (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    (tmp_path / "handler.py").write_text(HANDLER, encoding="utf-8")
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "app.py").write_text(HANDLER, encoding="utf-8")
    outcome, _ = load_all(tmp_path, ScanRoot.of(tmp_path), LoadOptions())
    assert outcome.errors == []
    (app,) = outcome.apps
    return app


def _api(app: App, api_id: str) -> Api:
    return next(a for a in app.apis if a.id == api_id)


# ---- Serverless Framework ---------------------------------------------------------------------

SLS = """
service: shop
provider:
  name: aws
  runtime: python3.12
  apiGateway:
    usagePlan:
      - partners:
          quota: {limit: 5000, period: MONTH}
          throttle: {burstLimit: 20, rateLimit: 10}
  httpApi:
    cors:
      allowedOrigins: [https://app.example.com]
      allowCredentials: true
    authorizers:
      session:
        type: request
        functionName: auth
        identitySource: $request.header.Cookie
custom:
  apiGatewayThrottling:
    maxRequestsPerSecond: 100
functions:
  auth:
    handler: handler.handler
  orders:
    handler: handler.handler
    events:
      - http:
          path: orders
          method: post
          cors:
            origin: "*"
            allowCredentials: true
          throttling:
            maxRequestsPerSecond: 5
          request:
            schemas:
              application/json: {type: object}
            parameters:
              querystrings:
                q: true
                page: false
              headers:
                X-Tenant: {required: true}
      - http: GET /orders
      - httpApi: GET /v2/orders
resources:
  extensions:
    HttpApiStage:
      Properties:
        DefaultRouteSettings:
          ThrottlingBurstLimit: 50
"""


def test_serverless_rest_api_settings(tmp_path: Path) -> None:
    rest = _api(_app(tmp_path, "serverless.yml", SLS), "ApiGatewayRestApi")
    f = "serverless.yml"
    assert (rest.kind, rest.implicit, rest.external, rest.public, rest.loc) == (
        ApiKind.REST,
        True,
        False,
        True,
        Loc(f, 28),
    )
    assert rest.throttles == (
        Throttle(Loc(f, 20), "*", None, 100.0),  # custom.apiGatewayThrottling (plugin), stage-wide
        Throttle(Loc(f, 34), "POST /orders", None, 5.0),  # http.throttling
    )
    assert rest.usage_plans == (UsagePlan("partners", Loc(f, 7), Throttle(Loc(f, 9), "*", 20.0, 10.0), 5000, "MONTH"),)
    assert rest.methods == (
        Method(
            "POST",
            "/orders",
            Loc(f, 28),
            "orders",
            validator="serverless request schema",
            validates_body=True,
            validates_parameters=True,
            required_parameters=("querystring.q", "header.X-Tenant"),
            body_model="application/json",
        ),
        Method("GET", "/orders", Loc(f, 45), "orders"),
    )
    assert rest.cors == (Cors(Loc(f, 31), ("*",), True, target="POST /orders"),)
    assert rest.cookie_auth is False


def test_serverless_http_api_settings(tmp_path: Path) -> None:
    http = _api(_app(tmp_path, "serverless.yml", SLS), "HttpApi")
    f = "serverless.yml"
    assert (http.kind, http.loc, http.usage_plans) == (ApiKind.HTTP, Loc(f, 46), ())
    assert http.throttles == (Throttle(Loc(f, 51), "*", 50.0, None),)  # resources.extensions.HttpApiStage
    assert http.methods == (Method("GET", "/v2/orders", Loc(f, 46), "orders"),)
    assert http.cors == (Cors(Loc(f, 11), ("https://app.example.com",), True),)
    assert http.cookie_auth is True  # an httpApi authorizer reads $request.header.Cookie


def test_serverless_external_api_and_no_events(tmp_path: Path) -> None:
    app = _app(
        tmp_path,
        "serverless.yml",
        """
        service: shop
        provider:
          name: aws
          runtime: python3.12
          apiGateway:
            restApiId: abc123
        functions:
          orders:
            handler: handler.handler
            events:
              - http: GET /orders
          worker:
            handler: handler.handler
        """,
    )
    assert [(a.id, a.external) for a in app.apis] == [("ApiGatewayRestApi", True)]  # no httpApi event: no HTTP API


# ---- SAM ----------------------------------------------------------------------------------------

SAM = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    Cors:
      AllowOrigin: method.request.header.Origin
      AllowCredentials: true
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      MethodSettings:
        - ResourcePath: "/*"
          HttpMethod: "*"
          ThrottlingBurstLimit: 10
          ThrottlingRateLimit: 5
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: PER_API
          Quota: {Limit: 1000, Period: DAY}
      Models:
        Item: {type: object}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: [https://app.example.com]
        AllowCredentials: true
      RouteSettings:
        "GET /h":
          ThrottlingRateLimit: 3
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Create:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /items
            Method: post
            RequestModel: {Model: Item, Required: true, ValidateBody: true}
        H:
          Type: HttpApi
          Properties:
            ApiId: !Ref Http
            Path: /h
            Method: get
"""


def test_sam_settings_point_at_the_lines_written_in_sam(tmp_path: Path) -> None:
    app = _app(tmp_path, "template.yaml", SAM)
    f = "template.yaml"
    rest = _api(app, "Api")
    assert (rest.kind, rest.loc, rest.implicit) == (ApiKind.REST, Loc(f, 9), False)
    assert rest.throttles == (Throttle(Loc(f, 13), "*", 10.0, 5.0),)  # the `MethodSettings` line
    assert [(p.loc, p.limits, p.quota_limit, p.quota_period) for p in rest.usage_plans] == [
        (Loc(f, 20), True, 1000, "DAY")  # the `UsagePlan` line
    ]
    (method,) = rest.methods
    assert (method.route, method.loc, method.validated, method.validates_body, method.body_model) == (
        "POST /items",
        Loc(f, 41),  # the event
        True,
        True,
        "item",
    )
    # Globals.Api.Cors: the translator's OPTIONS mock echoes the Origin; the line is the Globals one
    assert rest.cors == (Cors(Loc(f, 5), (), True, echo=True, target="/items"),)
    http = _api(app, "Http")
    assert http.throttles == (Throttle(Loc(f, 32), "GET /h", None, 3.0),)
    assert http.cors == (Cors(Loc(f, 28), ("https://app.example.com",), True),)
    assert [m.loc for m in http.methods] == [Loc(f, 48)]


# ---- CloudFormation ----------------------------------------------------------------------------

CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Burst: {Type: Number}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "def handler(e, c): return 1"}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: api
      EndpointConfiguration: {Types: [PRIVATE]}
  Items:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: items}
  Validator:
    Type: AWS::ApiGateway::RequestValidator
    Properties: {RestApiId: !Ref Api, ValidateRequestBody: false, ValidateRequestParameters: true}
  Post:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Items
      HttpMethod: POST
      AuthorizationType: NONE
      RequestValidatorId: !Ref Validator
      RequestParameters: {method.request.querystring.q: true, method.request.header.x: false}
      RequestModels: {application/json: Empty}
      Integration:
        Type: AWS_PROXY
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  Options:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Items
      HttpMethod: OPTIONS
      AuthorizationType: NONE
      Integration:
        Type: MOCK
        IntegrationResponses:
          - StatusCode: "200"
            ResponseParameters:
              method.response.header.Access-Control-Allow-Origin: "'*'"
              method.response.header.Access-Control-Allow-Credentials: "'true'"
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      StageName: prod
      MethodSettings:
        - {ResourcePath: "/~1items", HttpMethod: POST, ThrottlingBurstLimit: !Ref Burst}
  Authorizer:
    Type: AWS::ApiGateway::Authorizer
    Properties: {RestApiId: !Ref Api, Type: REQUEST, IdentitySource: method.request.header.Cookie}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages: [{ApiId: !Ref Api, Stage: prod}]
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: HTTP
      CorsConfiguration: {AllowOrigins: ["*"], AllowCredentials: true}
      Body:
        openapi: "3.0.1"
        paths:
          /things:
            post:
              x-amazon-apigateway-integration:
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  Socket:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: WEBSOCKET}
"""


def test_cloudformation_rest_api(tmp_path: Path) -> None:
    app = _app(tmp_path, "template.yaml", CFN)
    f = "template.yaml"
    assert [a.id for a in app.apis] == ["Api", "Http"]  # WebSocket APIs are not HTTP APIs
    rest = _api(app, "Api")
    assert (rest.public, rest.cookie_auth) == (False, True)
    # `~1` encodes `/` in ResourcePath; a limit from a parameter without default is written, value unknown
    assert rest.throttles == (Throttle(Loc(f, 60), "POST /items", None, None, unknown=True),)
    assert rest.throttle_for("POST", "/items") == rest.throttles[0]
    assert rest.throttle_for("GET", "/items") is None
    assert [(p.id, p.limits) for p in rest.usage_plans] == [("Plan", False)]  # no throttle, no quota
    assert rest.methods == (
        Method(
            "POST",
            "/items",
            Loc(f, 27),
            "Fn",
            validator="Validator",
            validates_body=False,
            validates_parameters=True,
            required_parameters=("querystring.q",),
            body_model=None,  # `Empty` describes nothing
        ),
    )
    assert rest.cors == (Cors(Loc(f, 52), ("*",), True, target="/items"),)
    assert rest.cors[0].any_origin


def test_cloudformation_http_api(tmp_path: Path) -> None:
    http = _api(_app(tmp_path, "template.yaml", CFN), "Http")
    f = "template.yaml"
    assert http.cors == (Cors(Loc(f, 72), ("*",), True),)
    assert http.methods == (Method("POST", "/things", Loc(f, 77), "Fn"),)  # HTTP APIs: no validation fields
    assert http.throttles == ()


def test_cors_any_origin_and_route_coverage() -> None:
    loc = Loc("t.yml", 1)
    assert Cors(loc, ("'*'",)).any_origin
    assert Cors(loc, (), echo=True).any_origin
    assert not Cors(loc, ("https://a.example.com",), True).any_origin
    api = Api("A", ApiKind.HTTP, loc, throttles=(Throttle(loc, "ANY /x", rate=1.0), Throttle(loc, "GET /y")))
    assert api.throttle_for("POST", "/x") is not None
    assert api.throttle_for("GET", "/y") is None  # written without a limit: does not throttle


# ---- the rules that read these records: exact messages on the fixtures ---------------------------

FIXTURES = Path(__file__).parent.parent / "rules" / "fixtures"


def _findings(rule: str, folder: Path) -> list[tuple[str, int, str, str]]:
    result = scan(folder, Config(select=(rule,)))
    return sorted((f.location.path, f.location.line, f.severity.value, f.message) for f in result.findings)


def test_request_validation_messages_say_what_is_declared_and_not_checked() -> None:
    assert _findings("API001", FIXTURES / "API001" / "bad" / "cfn") == [
        (
            "template.yaml",
            34,
            "medium",
            "function OrdersFunction: POST /orders on API Api reaches the function with no request validator; it "
            "declares required parameters (querystring.tenant) and a body model (OrderModel), which API Gateway "
            "checks only when a validator is attached",
        ),
        (
            "template.yaml",
            50,
            "low",
            "function OrdersFunction: GET /orders on API Api reaches the function with no request validator; "
            "API Gateway passes any body and parameters to the code",
        ),
    ]


def test_throttling_finding_names_the_routes_a_usage_plan_does_not_cover() -> None:
    assert _findings("DOS005", FIXTURES / "DOS005" / "bad" / "sls-usage-plan") == [
        (
            "serverless.yml",
            24,
            "medium",
            "public REST API ApiGatewayRestApi has no throttling for 1 route(s) (GET /status): no stage or route "
            "throttle and no usage plan limits them (its usage plans limit only routes that require an API key)",
        )
    ]


def test_cors_findings_for_an_echoed_origin_and_a_cookie_authorizer() -> None:
    assert _findings("AUTH005", FIXTURES / "AUTH005" / "bad" / "sam") == [
        (
            "template.yaml",
            7,
            "high",
            "API ServerlessRestApi: CORS echoes any request Origin with credentials; any web site can read responses "
            "sent with the user's credentials (preflight for /profile, /settings)",
        ),
        (
            "template.yaml",
            19,
            "medium",
            "function ProfileFunction: its function URL's CORS allows every origin (*) with credentials",
        ),
    ]
    assert _findings("AUTH005", FIXTURES / "AUTH005" / "bad" / "sls-cookie") == [
        (
            "serverless.yml",
            18,
            "low",
            "API ApiGatewayRestApi: CORS allows every origin (*) and an authorizer reads the Cookie header; allowing "
            "credentials here would let any web site act as the user (preflight for GET /session)",
        )
    ]
