"""Missing-authorization findings sit on the line a person edits to fix them (issue 14).

AUTH001 / AUTH004: the `http` / `httpApi` event, or its `authorizer:` when one is written but says
"none"; SAM's `Auth: {Authorizer: NONE}`, else the event; an inline OpenAPI operation's `security`,
else the operation; CloudFormation's `AuthorizationType`, else the method or route resource.
AUTH003: the permission's `Principal` line. One test per dialect, each app written here in full.
"""

from __future__ import annotations

from pathlib import Path

from fnaudit.config import Config
from fnaudit.pipeline import scan
from tests.conftest import SCAN_DATE

Hit = tuple[str, str, int, str]  # (rule, file, line, route or target named in the message)
_URI = "!Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"


def _auth_hits(root: Path, files: dict[str, str], stage: str | None = None) -> tuple[set[Hit], list[str]]:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    result = scan(root, Config(select=("AUTH001", "AUTH003", "AUTH004"), today=SCAN_DATE, stage=stage))
    hits = set()
    for f in result.findings:
        # the part of the message that names what was found: "route api GET /x" / "function Fn"
        named = f.message.split("public route ")[1].split(" i")[0] if "public route " in f.message else f.function
        hits.add((f.rule_id, f.location.path, f.location.line, str(named)))
    return hits, [e.message for e in result.errors]


def _lines(text: str, marker: str) -> int:
    """1-based line of the only line of `text` holding `marker` (so the tests say which line, not a number)."""
    (line,) = [i for i, t in enumerate(text.splitlines(), 1) if marker in t]
    return line


SERVERLESS = """\
service: orders
provider:
  name: aws
  runtime: python3.13
custom:
  authorizer:
    prod: aws_iam
functions:
  orders:
    handler: handler.main
    events:
      - http: # L-open-rest
          path: /orders
          method: get
      - httpApi:
          path: /orders
          method: post
          authorizer: NONE # L-none-http-api
      - http:
          path: /orders/{id}
          method: get
          authorizer: ${self:custom.authorizer.${sls:stage}, ''} # L-stage-variable
      - http: # L-key-event
          path: /orders
          method: delete
          private: true
      - http:
          path: /orders/{id}
          method: delete
          private: true
          authorizer: # L-key-none
            type: NONE
      - http:
          path: /orders/{id}
          method: put
          authorizer: aws_iam
"""


def test_serverless_routes_are_reported_on_the_event_or_on_the_authorizer_that_says_none(tmp_path: Path) -> None:
    hits, errors = _auth_hits(tmp_path, {"serverless.yml": SERVERLESS, "handler.py": "def main(e, c): pass\n"})
    assert errors == []
    at = lambda marker: _lines(SERVERLESS, marker)  # noqa: E731
    assert hits == {
        ("AUTH001", "serverless.yml", at("L-open-rest"), "api GET /orders"),
        ("AUTH001", "serverless.yml", at("L-none-http-api"), "httpApi POST /orders"),
        ("AUTH001", "serverless.yml", at("L-stage-variable"), "api GET /orders/{id}"),
        ("AUTH004", "serverless.yml", at("L-key-event"), "api DELETE /orders"),
        ("AUTH004", "serverless.yml", at("L-key-none"), "api DELETE /orders/{id}"),
    }


def test_serverless_authorizer_variable_that_resolves_to_one_is_not_reported(tmp_path: Path) -> None:
    hits, _ = _auth_hits(tmp_path, {"serverless.yml": SERVERLESS, "handler.py": "def main(e, c): pass\n"}, "prod")
    assert ("AUTH001", "serverless.yml", _lines(SERVERLESS, "L-stage-variable"), "api GET /orders/{id}") not in hits
    assert ("AUTH001", "serverless.yml", _lines(SERVERLESS, "L-none-http-api"), "httpApi POST /orders") in hits


SAM = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      CodeUri: src/
      Events:
        Open: # L-open-event
          Type: Api
          Properties:
            Path: /open
            Method: get
        OptOut:
          Type: Api
          Properties:
            RestApiId: !Ref SignedApi
            Path: /orders
            Method: get
            Auth:
              Authorizer: NONE # L-rest-none
        OptOutHttp:
          Type: HttpApi
          Properties:
            ApiId: !Ref SignedHttpApi
            Path: /people
            Method: get
            Auth:
              Authorizer: NONE # L-http-none
        KeyOnly:
          Type: Api
          Properties:
            RestApiId: !Ref SignedApi
            Path: /invoices
            Method: get
            Auth:
              ApiKeyRequired: true
              Authorizer: NONE # L-key-none
        Signed:
          Type: Api
          Properties:
            RestApiId: !Ref SignedApi
            Path: /signed
            Method: get
        FromBody:
          Type: Api
          Properties:
            RestApiId: !Ref BodyApi
            Path: /reports
            Method: get
        FromBodyToo: # the operation in DefinitionBody decides, not this event
          Type: Api
          Properties:
            RestApiId: !Ref BodyApi
            Path: /reports
            Method: post
  SignedApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: AWS_IAM
  SignedHttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: AWS_IAM
        EnableIamAuthorizer: true
  BodyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        openapi: "3.0.1"
        info: {{title: reports, version: "1"}}
        paths:
          /reports:
            get:
              security: [] # L-body-security
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: {_URI}
            post: # L-body-operation
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: {_URI}
  Anyone:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: "*" # L-principal
"""


def test_sam_routes_are_reported_on_authorizer_none_the_openapi_operation_or_the_event(tmp_path: Path) -> None:
    hits, errors = _auth_hits(tmp_path, {"template.yaml": SAM, "src/app.py": "def handler(e, c): pass\n"})
    assert errors == []
    at = lambda marker: _lines(SAM, marker)  # noqa: E731
    assert hits == {
        ("AUTH001", "template.yaml", at("L-open-event"), "api GET /open"),
        ("AUTH001", "template.yaml", at("L-rest-none"), "api GET /orders"),
        ("AUTH001", "template.yaml", at("L-http-none"), "httpApi GET /people"),
        ("AUTH004", "template.yaml", at("L-key-none"), "api GET /invoices"),
        ("AUTH001", "template.yaml", at("L-body-security"), "api GET /reports"),
        ("AUTH001", "template.yaml", at("L-body-operation"), "api POST /reports"),
        ("AUTH003", "template.yaml", at("L-principal"), "Fn"),
    }


def test_sam_read_without_the_translator_reports_authorizer_none_on_its_line(tmp_path: Path) -> None:
    # `Globals` the translator refuses: the functions are read from the events as written (_cfn_samraw)
    text = SAM.replace("Resources:\n", "Globals:\n  Function:\n    NotAProperty: 1\nResources:\n", 1)
    hits, errors = _auth_hits(tmp_path, {"template.yaml": text, "src/app.py": "def handler(e, c): pass\n"})
    assert any("read without it" in e for e in errors)
    at = lambda marker: _lines(text, marker)  # noqa: E731
    assert ("AUTH001", "template.yaml", at("L-rest-none"), "api GET /orders") in hits
    assert ("AUTH001", "template.yaml", at("L-http-none"), "httpApi GET /people") in hits
    assert ("AUTH001", "template.yaml", at("L-open-event"), "api GET /open") in hits


CLOUDFORMATION = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.13
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/fn
      Code: {{ZipFile: "def handler(e, c): pass"}}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {{Name: orders}}
  Orders:
    Type: AWS::ApiGateway::Resource
    Properties: {{RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: orders}}
  GetOrders:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Orders
      HttpMethod: GET
      AuthorizationType: NONE # L-rest-none
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: {_URI}
  PostOrders: # L-rest-unset
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Orders
      HttpMethod: POST
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: {_URI}
  PutOrders:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Orders
      HttpMethod: PUT
      ApiKeyRequired: true
      AuthorizationType: NONE # L-key-none
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: {_URI}
  HttpApi:
    Type: AWS::ApiGatewayV2::Api
    Properties: {{Name: people, ProtocolType: HTTP}}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {{ApiId: !Ref HttpApi, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn}}
  GetPeople:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref HttpApi
      RouteKey: GET /people
      AuthorizationType: NONE # L-route-none
      Target: !Sub integrations/${{Integration}}
  PostPeople: # L-route-unset
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref HttpApi
      RouteKey: POST /people
      Target: !Sub integrations/${{Integration}}
  BodyApi:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: reports
      Body:
        openapi: "3.0.1"
        info: {{title: reports, version: "1"}}
        components:
          securitySchemes:
            api_key: {{type: apiKey, name: x-api-key, in: header}}
        paths:
          /reports:
            get:
              security: [] # L-body-security
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: {_URI}
            post: # L-body-operation
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: {_URI}
            put:
              security: [{{api_key: []}}] # L-body-key
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: {_URI}
  Anyone:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !GetAtt Fn.Arn
      Principal: "*" # L-principal
"""


def test_cloudformation_routes_are_reported_on_authorization_type_the_openapi_operation_or_the_resource(
    tmp_path: Path,
) -> None:
    hits, errors = _auth_hits(tmp_path, {"template.yaml": CLOUDFORMATION})
    assert errors == []
    at = lambda marker: _lines(CLOUDFORMATION, marker)  # noqa: E731
    assert hits == {
        ("AUTH001", "template.yaml", at("L-rest-none"), "api GET /orders"),
        ("AUTH001", "template.yaml", at("L-rest-unset"), "api POST /orders"),
        ("AUTH004", "template.yaml", at("L-key-none"), "api PUT /orders"),
        ("AUTH001", "template.yaml", at("L-route-none"), "httpApi GET /people"),
        ("AUTH001", "template.yaml", at("L-route-unset"), "httpApi POST /people"),
        ("AUTH001", "template.yaml", at("L-body-security"), "api GET /reports"),
        ("AUTH001", "template.yaml", at("L-body-operation"), "api POST /reports"),
        ("AUTH004", "template.yaml", at("L-body-key"), "api PUT /reports"),
        ("AUTH003", "template.yaml", at("L-principal"), "Fn"),
    }


def test_cloudformation_json_permission_is_reported_on_its_principal(tmp_path: Path) -> None:
    text = """{
  "Resources": {
    "Fn": {
      "Type": "AWS::Lambda::Function",
      "Properties": {"Runtime": "nodejs22.x", "Handler": "index.handler", "Role": "arn:aws:iam::1:role/r",
                     "Code": {"ZipFile": "exports.handler = async () => ({});"}}
    },
    "Anyone": {
      "Type": "AWS::Lambda::Permission",
      "Properties": {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Ref": "Fn"},
        "Principal": "*"
      }
    }
  }
}
"""
    hits, errors = _auth_hits(tmp_path, {"template.json": text})
    assert errors == []
    assert hits == {("AUTH003", "template.json", _lines(text, '"Principal"'), "Fn")}


def test_sam_template_with_a_cloudformation_openapi_body_keeps_its_security_line(tmp_path: Path) -> None:
    # a plain AWS::ApiGateway::RestApi in a SAM template: SAM adds nothing to its Body, so its lines decide
    text = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: index.handler
      InlineCode: "def handler(e, c): pass"
  BodyApi:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: reports
      Body:
        openapi: "3.0.1"
        info: {{title: reports, version: "1"}}
        paths:
          /reports:
            get:
              security: [] # L-body-security
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: {_URI}
"""
    hits, errors = _auth_hits(tmp_path, {"template.yaml": text})
    assert errors == []
    assert hits == {("AUTH001", "template.yaml", _lines(text, "L-body-security"), "api GET /reports")}
