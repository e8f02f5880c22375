"""AUTH fixers: the findings they refuse (and why, exactly), and the text helpers' edge cases."""

from __future__ import annotations

from pathlib import Path

from fnaudit.config import Config
from fnaudit.fix.fixers.auth import _removal, _sibling_edit, _sls_url_edit
from fnaudit.fix.model import Edit, Plan
from fnaudit.fix.plan import plan
from fnaudit.fix.text import Format
from fnaudit.model.loc import Loc
from fnaudit.pipeline import scan
from tests.fix.harness import TODAY

ROLE = """  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.13
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          def handler(event, context):
              return {}
"""

METHOD = """  {name}:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: {method}
      AuthorizationType: {auth}
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Fn.Arn}}/invocations
"""

AUTHORIZER = """  {name}:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      Name: {name}
      RestApiId: !Ref Api
      Type: COGNITO_USER_POOLS
      IdentitySource: method.request.header.Authorization
      ProviderARNs: [arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_{name}]
"""

API = """  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: api
"""


def _plan(tmp_path: Path, files: dict[str, str], rule: str) -> Plan:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = scan(tmp_path, Config(today=TODAY, select=(rule,), excerpts=False, reuse=False))
    return plan(result, tmp_path)


def _template(*resources: str) -> str:
    return 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n' + ROLE + "".join(resources)


def test_route_with_two_authorizers_to_choose_from_is_not_fixed(tmp_path: Path) -> None:
    template = _template(
        API,
        AUTHORIZER.format(name="Staff"),
        AUTHORIZER.format(name="Customers"),
        METHOD.format(name="Get", method="GET", auth="NONE"),
    )
    made = _plan(tmp_path, {"template.yaml": template}, "AUTH001")
    assert made.fixes == ()
    assert [(n.rule_id, n.function, n.reason) for n in made.unfixed] == [
        (
            "AUTH001",
            "Fn",
            "the app has several authorizers for REST (`http`) routes (Customers, Staff): choose the one this "
            "route needs and attach it",
        )
    ]


def test_route_of_an_app_without_authorizer_is_not_fixed(tmp_path: Path) -> None:
    serverless = """service: s
provider:
  name: aws
  runtime: python3.13
functions:
  api:
    handler: h.main
    events:
      - httpApi: GET /items
"""
    made = _plan(tmp_path, {"serverless.yml": serverless, "h.py": "def main(e, c):\n    return {}\n"}, "AUTH001")
    assert made.fixes == ()
    assert [n.reason for n in made.unfixed] == [
        "the app has no authorizer for HTTP API (`httpApi`) routes to reuse: declare one (Cognito, JWT, Lambda or "
        "AWS_IAM) and attach it, or suppress the finding if the route is public by design"
    ]


def test_route_whose_authorizer_is_a_variable_is_not_fixed(tmp_path: Path) -> None:
    serverless = """service: s
custom:
  auth:
    prod: aws_iam
provider:
  name: aws
  runtime: python3.13
functions:
  api:
    handler: h.main
    events:
      - http:
          path: /items
          method: get
          authorizer: aws_iam
      - http:
          path: /items
          method: post
          authorizer: ${self:custom.auth.${sls:stage}, ''}
"""
    made = _plan(tmp_path, {"serverless.yml": serverless, "h.py": "def main(e, c):\n    return {}\n"}, "AUTH001")
    assert made.fixes == ()
    assert [n.reason for n in made.unfixed] == [
        "the route's authorizer on serverless.yml:19 comes from a variable that resolves to none: set it to "
        "aws_iam where the variable is defined"
    ]


PERMISSION = """  Anyone:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: {principal}
"""


def test_permission_without_a_caller_in_the_app_is_not_fixed(tmp_path: Path) -> None:
    made = _plan(tmp_path, {"template.yaml": _template(PERMISSION.format(principal='"*"'))}, "AUTH003")
    assert made.fixes == ()
    assert [(n.rule_id, n.reason) for n in made.unfixed] == [
        (
            "AUTH003",
            "the caller is unknown (no trigger of the function in this app needs it): name the principal that calls "
            "it (a service such as `s3.amazonaws.com` with `SourceArn` and `SourceAccount`, or an account id), or "
            "remove the permission if nothing needs it",
        )
    ]


def test_permission_with_two_callers_in_the_app_names_both(tmp_path: Path) -> None:
    extra = """  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - Protocol: lambda
          Endpoint: !GetAtt Fn.Arn
"""
    template = _template(API, METHOD.format(name="Get", method="GET", auth="AWS_IAM"), extra)
    made = _plan(tmp_path, {"template.yaml": template + PERMISSION.format(principal='"*"')}, "AUTH003")
    assert made.fixes == ()
    assert [n.reason for n in made.unfixed] == [
        "several callers of this app could use it (apigateway.amazonaws.com (api Api), sns.amazonaws.com (sns "
        "Topic)): give each its own permission with Principal and SourceArn"
    ]


def test_permission_for_an_eventbridge_rule_gets_its_arn(tmp_path: Path) -> None:
    rule = """  Nightly:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 day)
      Targets:
        - Id: fn
          Arn: !GetAtt Fn.Arn
"""
    made = _plan(tmp_path, {"template.yaml": _template(rule, PERMISSION.format(principal="'*'"))}, "AUTH003")
    assert made.unfixed == ()
    [fix] = made.fixes
    assert fix.summary == "invoke permission Anyone: Principal * → events.amazonaws.com, SourceArn of Nightly"
    assert fix.edits == (
        Edit("template.yaml", 34, 35, ("      Principal: 'events.amazonaws.com'",)),
        Edit("template.yaml", 35, 35, ("      SourceArn: !GetAtt Nightly.Arn",)),
    )


def test_url_grant_that_is_referenced_stays_with_a_note(tmp_path: Path) -> None:
    url = """  Url:
    Type: AWS::Lambda::Url
    DependsOn: UrlPublic
    Properties:
      TargetFunctionArn: !GetAtt Fn.Arn
      AuthType: NONE
  UrlPublic:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunctionUrl
      FunctionName: !Ref Fn
      Principal: "*"
      FunctionUrlAuthType: NONE
"""
    made = _plan(tmp_path, {"template.yaml": _template(url)}, "AUTH002")
    [fix] = made.fixes
    assert fix.summary == "function URL of Fn: AuthType NONE → AWS_IAM"
    assert fix.edits == (Edit("template.yaml", 27, 28, ("      AuthType: AWS_IAM",)),)
    assert fix.notes[-1] == (
        "the public grant UrlPublic (template.yaml:28) is still there because template.yaml:24 refers to it: remove "
        "that reference and the grant"
    )


def test_sls_url_forms() -> None:
    lines = ["    url: {}", "    url: ${self:custom.url}", "    url:", "      authorizer: 'NONE'"]
    assert _sls_url_edit("s.yml", lines, 0, Loc("s.yml", 1)) == Edit("s.yml", 1, 2, ("    url: {authorizer: aws_iam}",))
    assert _sls_url_edit("s.yml", lines, 1, Loc("s.yml", 2)) is None  # a variable: set it where it is defined
    assert _sls_url_edit("s.yml", lines, 2, Loc("s.yml", 4)) == Edit("s.yml", 4, 5, ("      authorizer: 'aws_iam'",))


def test_sibling_edit_json_adds_the_comma_the_previous_last_entry_needs() -> None:
    lines = ["    {", '      "Principal": {', '        "Service": "x"', "      }", "    }"]
    assert _sibling_edit("t.json", lines, 1, Format.JSON, [("A", '"1"'), ("B", '"2"')]) == Edit(
        "t.json", 4, 5, ("      },", '      "A": "1",', '      "B": "2"')
    )
    lines[3] = "      },"
    assert _sibling_edit("t.json", lines, 1, Format.JSON, [("A", '"1"')]) == Edit("t.json", 5, 5, ('      "A": "1",',))


def test_sibling_edit_hcl_aligns_or_starts_a_group() -> None:
    lines = ['  principal     = "*"', '  action = "x"']
    assert _sibling_edit("m.tf", lines, 0, Format.HCL, [("source_arn", "a")]) == Edit(
        "m.tf", 2, 2, ("  source_arn    = a",)
    )
    assert _sibling_edit("m.tf", lines, 1, Format.HCL, [("source_arn", "a"), ("id", "b")]) == Edit(
        "m.tf", 3, 3, ("", "  source_arn = a", "  id         = b")
    )


def test_removal_of_a_json_entry_in_the_middle_keeps_the_commas() -> None:
    lines = ["{", '  "A": {', '    "x": 1', "  },", '  "B": {', '    "y": 2', "  },", '  "C": 3', "}"]
    assert _removal("t.json", lines, 4, Format.JSON) == (Edit("t.json", 5, 8, ()),)
    lines = ["{", '  "A": 1,', '  "B": {', '    "y": 2', "  }", "}"]
    assert _removal("t.json", lines, 2, Format.JSON) == (Edit("t.json", 2, 6, ('  "A": 1',)),)


def test_sam_route_gets_the_apis_default_iam_authorizer(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n", encoding="utf-8")
    template = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: AWS_IAM
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      CodeUri: src/
      Events:
        Health:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /health
            Method: get
            Auth: {Authorizer: NONE}
"""
    made = _plan(tmp_path, {"template.yaml": template}, "AUTH001")
    assert made.unfixed == ()
    [fix] = made.fixes
    assert fix.summary == "route api GET /health of Fn: authorizer AWS_IAM"
    assert fix.edits == (Edit("template.yaml", 23, 24, ("            Auth: {Authorizer: AWS_IAM}",)),)


def test_terraform_url_grant_referenced_from_another_file_stays(tmp_path: Path) -> None:
    main = """resource "aws_lambda_function" "fn" {
  function_name = "fn"
  runtime       = "python3.12"
  handler       = "app.handler"
  role          = "arn:aws:iam::123456789012:role/fn"
  filename      = "build/fn.zip"
}

resource "aws_lambda_function_url" "fn" {
  function_name      = aws_lambda_function.fn.function_name
  authorization_type = "NONE"
}

resource "aws_lambda_permission" "url" {
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.fn.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}
"""
    outputs = """resource "aws_cloudwatch_log_group" "fn" {
  name       = "/aws/lambda/fn"
  depends_on = [aws_lambda_permission.url]
}
"""
    made = _plan(tmp_path, {"main.tf": main, "logs.tf": outputs}, "AUTH002")
    [fix] = made.fixes
    assert fix.edits == (Edit("main.tf", 11, 12, ('  authorization_type = "AWS_IAM"',)),)
    assert fix.notes[-1] == (
        "the public grant aws_lambda_permission.url (main.tf:14) is still there because logs.tf:3 refers to it: "
        "remove that reference and the grant"
    )


def test_permission_for_a_bucket_without_a_literal_name_is_not_fixed(tmp_path: Path) -> None:
    bucket = """  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub ${AWS::StackName}-uploads
      NotificationConfiguration:
        LambdaConfigurations:
          - Event: s3:ObjectCreated:*
            Function: !GetAtt Fn.Arn
"""
    made = _plan(tmp_path, {"template.yaml": _template(bucket, PERMISSION.format(principal='"*"'))}, "AUTH003")
    assert made.fixes == ()
    assert [n.reason for n in made.unfixed] == [
        "bucket Uploads has no literal BucketName: `!GetAtt Uploads.Arn` in the permission would make a circular "
        "dependency (the bucket's notification waits for the permission); give the bucket a name and set Principal: "
        "s3.amazonaws.com, SourceArn: arn:aws:s3:::<name>, SourceAccount: the account"
    ]
