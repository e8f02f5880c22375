"""SAM loader: translated with aws-sam-translator, every location mapped back to the SAM source."""

from __future__ import annotations

import json
import socket
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from fnaudit.config import Config
from fnaudit.errors import Loss
from fnaudit.loaders import LoadOptions, LoadOutcome, ScanRoot, load_all
from fnaudit.model import AuthKind, Dialect, Function, Loc, Origin, TriggerKind
from fnaudit.model.app import ComponentKind
from fnaudit.pipeline import scan
from fnaudit.report import json as json_report

FIX = Path(__file__).parent / "fixtures" / "sam"


def load(name: str) -> LoadOutcome:
    outcome, _ = load_all(FIX / name, ScanRoot.of(FIX / name), LoadOptions())
    return outcome


def line_of_text(name: str, text: str, nth: int = 1) -> int:
    hits = [i for i, ln in enumerate((FIX / name / "template.yaml").read_text().splitlines(), 1) if text in ln]
    assert len(hits) >= nth, f"{text!r} not in {name}"
    return hits[nth - 1]


def function(outcome: LoadOutcome, name: str) -> Function:
    assert len(outcome.apps) == 1
    fn = outcome.apps[0].function(name)
    assert fn is not None, f"no function {name}"
    return fn


def test_globals_are_inherited_with_the_globals_line() -> None:
    name = "globals-inherited"
    out = load(name)
    assert out.errors == []
    assert out.apps[0].dialect is Dialect.SAM
    inherits = function(out, "InheritsFunction")
    assert inherits.id == "template.yaml#InheritsFunction"
    assert inherits.loc.line == line_of_text(name, "InheritsFunction:")
    assert (inherits.runtime.value, inherits.runtime.origin, inherits.runtime.loc.line) == (
        "python3.12",
        Origin.INHERITED,
        line_of_text(name, "Runtime: python3.12"),
    )
    assert (inherits.timeout.value, inherits.timeout.origin, inherits.timeout.loc.line) == (
        30,
        Origin.INHERITED,
        line_of_text(name, "Timeout: 30"),
    )
    assert (inherits.tracing.value, inherits.tracing.origin, inherits.tracing.loc.line) == (
        "Active",
        Origin.INHERITED,
        line_of_text(name, "Tracing: Active"),
    )
    assert (inherits.handler.origin, inherits.handler.loc.line) == (
        Origin.SET,
        line_of_text(name, "Handler: app.handler"),
    )
    assert (inherits.memory.origin, inherits.memory.loc) == (Origin.DEFAULT, inherits.loc)
    env = {k: (v.value, v.origin, v.loc.line) for k, v in inherits.environment.items()}
    assert env == {
        "LOG_LEVEL": ("INFO", Origin.INHERITED, line_of_text(name, "LOG_LEVEL: INFO")),
        "TABLE": ("own", Origin.SET, line_of_text(name, "TABLE: own")),
    }
    assert (inherits.code.in_repo, inherits.code.handler_file, inherits.code.handler_symbol) == (
        True,
        "src/app.py",
        "handler",
    )

    overrides = function(out, "OverridesFunction")
    assert (overrides.runtime.value, overrides.runtime.origin, overrides.runtime.loc.line) == (
        "python3.13",
        Origin.SET,
        line_of_text(name, "Runtime: python3.13"),
    )
    assert (overrides.memory.value, overrides.memory.origin) == (1024, Origin.SET)
    assert overrides.environment["TABLE"].origin is Origin.INHERITED
    assert overrides.role is not None and overrides.role.id == "OverridesFunctionRole"
    assert overrides.role.loc.line == overrides.loc.line
    assert overrides.role_shared_with == ()


def test_rest_api_auth_default_authorizer_and_overrides() -> None:
    name = "implicit-api-auth"
    out = load(name)
    assert out.errors == []
    fn = function(out, "ApiFunction")
    got = sorted(
        (
            t.kind,
            t.method,
            t.path,
            t.authorizer.kind,
            t.authorizer.name,
            t.api_key_required,
            t.api,
            t.public,
            t.integration_timeout,
            t.loc.line,
        )
        for t in fn.triggers
    )
    rest = TriggerKind.API_REST
    assert got == sorted(
        [
            (
                rest,
                "GET",
                "/items",
                AuthKind.COGNITO,
                "MyCognito",
                False,
                "MyApi",
                True,
                29,
                line_of_text(name, "ListItems:"),
            ),
            (rest, "GET", "/health", AuthKind.NONE, None, False, "MyApi", True, 29, line_of_text(name, "Health:")),
            (
                rest,
                "POST",
                "/custom",
                AuthKind.LAMBDA,
                "MyLambdaAuth",
                False,
                "MyApi",
                True,
                29,
                line_of_text(name, "Custom:"),
            ),
            (
                rest,
                "ANY",
                "/public",
                AuthKind.NONE,
                None,
                False,
                "ServerlessRestApi",
                True,
                29,
                line_of_text(name, "Implicit:"),
            ),
            (
                rest,
                "PUT",
                "/keyed",
                AuthKind.API_KEY,
                "api_key",
                True,
                "ServerlessRestApi",
                True,
                29,
                line_of_text(name, "WithKey:"),
            ),
            (
                rest,
                "GET",
                "/iam",
                AuthKind.IAM,
                "AWS_IAM",
                False,
                "ServerlessRestApi",
                True,
                29,
                line_of_text(name, "Iam:"),
            ),
        ]
    )
    health = next(t for t in fn.triggers if t.path == "/health")
    assert health.authorizer.origin is Origin.SET  # `Authorizer: NONE` written on purpose
    public = next(t for t in fn.triggers if t.path == "/public")
    assert public.authorizer.origin is Origin.DEFAULT
    # where each route's auth was decided: the API's DefaultAuthorizer (inherited) or the event (set)
    origins = {t.path: (t.authorizer.kind, t.authorizer.origin, t.authorizer.loc.line) for t in fn.triggers}
    assert origins == {
        "/items": (AuthKind.COGNITO, Origin.INHERITED, line_of_text(name, "DefaultAuthorizer: MyCognito")),
        "/health": (AuthKind.NONE, Origin.SET, line_of_text(name, "Health:")),
        "/custom": (AuthKind.LAMBDA, Origin.SET, line_of_text(name, "Custom:")),
        "/public": (AuthKind.NONE, Origin.DEFAULT, line_of_text(name, "Implicit:")),
        "/keyed": (AuthKind.API_KEY, Origin.SET, line_of_text(name, "WithKey:")),
        "/iam": (AuthKind.IAM, Origin.SET, line_of_text(name, "Iam:")),
    }
    perms = {(p.function, p.principal, p.loc.line) for p in out.apps[0].permissions}
    assert ("ApiFunction", "apigateway.amazonaws.com", line_of_text(name, "Health:")) in perms
    assert (None, "apigateway.amazonaws.com", line_of_text(name, "MyApi:")) in perms  # the authorizer's permission


def test_http_api_jwt() -> None:
    name = "http-api-jwt"
    out = load(name)
    assert out.errors == []
    fn = function(out, "HttpFunction")
    got = sorted(
        (t.kind, t.method, t.path, t.authorizer.kind, t.api, t.integration_timeout, t.loc.line) for t in fn.triggers
    )
    http = TriggerKind.API_HTTP
    assert got == sorted(
        [
            (http, "POST", "/orders", AuthKind.JWT, "HttpApi", 30, line_of_text(name, "Secured:")),
            (http, "GET", "/status", AuthKind.NONE, "HttpApi", 30, line_of_text(name, "Open:")),
            (http, "GET", "/implicit", AuthKind.NONE, "ServerlessHttpApi", 30, line_of_text(name, "ImplicitHttp:")),
        ]
    )
    origins = {
        t.path: (t.authorizer.kind, t.authorizer.name, t.authorizer.origin, t.authorizer.loc.line) for t in fn.triggers
    }
    assert origins == {
        "/orders": (AuthKind.JWT, "Jwt", Origin.INHERITED, line_of_text(name, "DefaultAuthorizer: Jwt")),
        "/status": (AuthKind.NONE, None, Origin.SET, line_of_text(name, "Open:")),
        "/implicit": (AuthKind.NONE, None, Origin.DEFAULT, line_of_text(name, "ImplicitHttp:")),
    }


def test_api_auth_inherited_from_the_api_or_globals() -> None:
    name = "api-auth-inherited"
    out = load(name)
    assert out.errors == []
    fn = function(out, "AuthFunction")
    got = {
        (t.kind, t.method, t.path): (
            t.authorizer.kind,
            t.authorizer.name,
            t.authorizer.origin,
            t.authorizer.loc.line,
            t.api_key_required,
            t.api,
            t.loc.line,
        )
        for t in fn.triggers
    }
    rest, http = TriggerKind.API_REST, TriggerKind.API_HTTP
    globals_iam = line_of_text(name, "DefaultAuthorizer: AWS_IAM")
    assert got == {
        # implicit API: Globals.Api.Auth gives both the authorizer and the API key requirement
        (rest, "GET", "/inherits"): (
            AuthKind.IAM,
            "AWS_IAM",
            Origin.INHERITED,
            globals_iam,
            True,
            "ServerlessRestApi",
            line_of_text(name, "Inherits:"),
        ),
        # `Authorizer: NONE` on the event drops the default authorizer; the API key still comes from Globals
        (rest, "GET", "/open"): (
            AuthKind.API_KEY,
            "api_key",
            Origin.INHERITED,
            line_of_text(name, "ApiKeyRequired: true"),
            True,
            "ServerlessRestApi",
            line_of_text(name, "OpenButKeyed:"),
        ),
        (rest, "GET", "/nokey"): (
            AuthKind.IAM,
            "AWS_IAM",
            Origin.INHERITED,
            globals_iam,
            False,
            "ServerlessRestApi",
            line_of_text(name, "NoKey:"),
        ),
        # an explicit API's own DefaultAuthorizer; ApiKeyRequired still merged in from Globals
        (rest, "POST", "/own"): (
            AuthKind.COGNITO,
            "OwnCognito",
            Origin.INHERITED,
            line_of_text(name, "DefaultAuthorizer: OwnCognito"),
            True,
            "OwnApi",
            line_of_text(name, "OwnDefault:"),
        ),
        # an operation written in DefinitionBody without `security` gets the API's default too
        (rest, "GET", "/written"): (
            AuthKind.LAMBDA,
            "BodyLambda",
            Origin.INHERITED,
            line_of_text(name, "DefaultAuthorizer: BodyLambda"),
            False,
            "BodyApi",
            line_of_text(name, "get:"),
        ),
        # Globals.HttpApi.Auth for the implicit HTTP API; `Authorizer: NONE` on the event stays set there
        (http, "GET", "/h"): (
            AuthKind.JWT,
            "GlobalJwt",
            Origin.INHERITED,
            line_of_text(name, "DefaultAuthorizer: GlobalJwt"),
            False,
            "ServerlessHttpApi",
            line_of_text(name, "HttpInherits:"),
        ),
        (http, "GET", "/h-open"): (
            AuthKind.NONE,
            None,
            Origin.SET,
            line_of_text(name, "HttpOwn:"),
            False,
            "ServerlessHttpApi",
            line_of_text(name, "HttpOwn:"),
        ),
    }


def test_policy_templates_and_managed_policy_names() -> None:
    name = "policy-templates"
    out = load(name)
    assert out.errors == []
    role = function(out, "PolicyFunction").role
    assert role is not None and not role.external
    statements = [(s.actions[:2], s.resources, s.loc.line, s.source) for s in role.statements]
    assert statements == [
        (
            ("dynamodb:GetItem", "dynamodb:DeleteItem"),
            (
                "!Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}",
                "!Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}/index/*",
            ),
            line_of_text(name, "- DynamoDBCrudPolicy:"),
            "Policies[0] DynamoDBCrudPolicy.Statement[0]",
        ),
        (
            ("s3:GetObject", "s3:ListBucket"),
            ("!Sub arn:${AWS::Partition}:s3:::${bucketName}", "!Sub arn:${AWS::Partition}:s3:::${bucketName}/*"),
            line_of_text(name, "- S3ReadPolicy:"),
            "Policies[1] S3ReadPolicy.Statement[0]",
        ),
        (
            ("ssm:GetParameter",),
            ("*",),
            line_of_text(name, "- Effect: Allow"),
            "Policies[2] PolicyFunctionRolePolicy4.Statement[0]",
        ),
    ]
    managed = [(m.arn, m.loc.line) for m in role.managed_policies]
    assert managed == [
        ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", line_of_text(name, "PolicyFunction:")),
        ("arn:aws:iam::aws:policy/AmazonSQSFullAccess", line_of_text(name, "- AmazonSQSFullAccess")),
        (
            "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
            line_of_text(name, "- AWSLambdaVPCAccessExecutionRole"),
        ),
    ]
    external = function(out, "RoleFunction").role
    assert external is not None and external.external and external.id == "arn:aws:iam::123456789012:role/existing"


def test_function_url_config() -> None:
    name = "function-url"
    out = load(name)
    assert out.errors == []
    fn = function(out, "UrlFunction")
    assert fn.url is not None
    assert (fn.url.auth_type.value, fn.url.auth_type.origin, fn.url.loc.line) == (
        "NONE",
        Origin.SET,
        line_of_text(name, "FunctionUrlConfig:"),
    )
    assert (fn.url.cors_allow_origins, fn.url.cors_allow_credentials) == (("*",), True)
    assert [(t.kind, t.public, t.authorizer.kind, t.loc.line) for t in fn.triggers] == [
        (TriggerKind.FUNCTION_URL, True, AuthKind.NONE, line_of_text(name, "FunctionUrlConfig:"))
    ]
    perms = sorted((p.action, p.principal, p.function_url_auth_type, p.loc.line) for p in out.apps[0].permissions)
    assert perms == [
        ("lambda:InvokeFunction", "*", None, line_of_text(name, "FunctionUrlConfig:")),
        ("lambda:InvokeFunctionUrl", "*", "NONE", line_of_text(name, "FunctionUrlConfig:")),
    ]


def test_event_sources_point_at_their_events() -> None:
    name = "events"
    out = load(name)
    assert out.errors == []
    fn = function(out, "EventsFunction")
    got = sorted((t.kind, t.source, t.public, t.loc.line) for t in fn.triggers)
    assert got == sorted(
        [
            (TriggerKind.S3, "Uploads", False, line_of_text(name, "Upload:")),
            (TriggerKind.SQS, "Queue", False, line_of_text(name, "Messages:")),
            (TriggerKind.SNS, "Topic", False, line_of_text(name, "Notices:")),
            (TriggerKind.SCHEDULE, "EventsFunctionNightly", False, line_of_text(name, "Nightly:")),
            (TriggerKind.EVENTBRIDGE, "EventsFunctionOrderPlaced", False, line_of_text(name, "OrderPlaced:")),
        ]
    )
    assert (fn.on_failure.value, fn.on_failure.origin) == ("!GetAtt Queue.Arn", Origin.SET)
    assert fn.on_failure.loc.line == line_of_text(name, "EventInvokeConfig:")


def test_invalid_sam_template_is_an_error_not_a_crash() -> None:
    out = load("invalid-sam")
    assert out.apps == []
    assert [(e.path, e.stage) for e in out.errors] == [("template.yaml", "load")]
    assert "invalid SAM template" in out.errors[0].message
    assert "[BrokenFunction]" in out.errors[0].message and "'Method' is required" in out.errors[0].message


def test_local_code_python_and_node_handlers() -> None:
    name = "local-code"
    out = load(name)
    py = function(out, "PyFunction")
    assert (py.code.language, py.code.in_repo, py.code.root, py.code.handler_file, py.code.handler_symbol) == (
        "python",
        True,
        "py",
        "py/pkg/main.py",
        "handler",
    )
    node = function(out, "NodeFunction")
    assert (node.code.language, node.code.root, node.code.handler_file, node.code.handler_symbol) == (
        "node",
        "node",
        "node/src/index.js",
        "handler",
    )
    escape = function(out, "EscapeFunction")
    assert escape.code.in_repo is False
    assert len(out.errors) == 1
    assert out.errors[0].message.startswith(
        f"line {line_of_text(name, 'CodeUri: ../../../elsewhere')}: function EscapeFunction"
    )


def test_image_package_type() -> None:
    name = "image"
    out = load(name)
    assert out.errors == []
    image = function(out, "ImageFunction")
    assert image.package_type == "Image"
    assert (image.code.in_repo, image.code.note) == (
        False,
        "container image 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1",
    )
    assert (image.timeout.value, image.timeout.loc.line) == (60, line_of_text(name, "Timeout: 60"))
    assert image.runtime.origin is Origin.DEFAULT
    built = function(out, "BuiltImageFunction")
    assert built.code.note == "container image built by `sam build` from the template's Metadata"


def test_explicit_definition_body_routes_keep_their_lines() -> None:
    name = "explicit-definition-body"
    out = load(name)
    assert out.errors == []
    fn = function(out, "Fn")
    assert [(t.kind, t.method, t.path, t.api, t.authorizer.kind, t.loc.line) for t in fn.triggers] == [
        (TriggerKind.API_REST, "GET", "/hand", "Api", AuthKind.NONE, line_of_text(name, "get:"))
    ]


def _no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Make every socket fail (and record the attempt), with a region and credentials boto3 would use."""
    attempts: list[tuple[Any, ...]] = []

    class Refused(socket.socket):  # a class, so that modules subclassing socket.socket still import
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            attempts.append(args)
            raise OSError("network access is not allowed in this test")

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network access is not allowed in this test")

    monkeypatch.setattr(socket, "socket", Refused)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKEFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake")
    return attempts


def test_nested_applications_load_local_templates_and_record_sar_and_remote_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts = _no_network(monkeypatch)
    name = "nested-apps"
    out = load(name)
    assert attempts == []  # the SAR application was never resolved through AWS
    assert out.errors == []
    assert [(a.source, a.nested_in, [f.name for f in a.functions]) for a in out.apps] == [
        ("template.yaml", None, ["FrontFunction"]),
        ("apps/orders/template.yaml", "template.yaml#OrdersApp", ["OrdersFunction"]),
        ("stacks/billing.yaml", "template.yaml#BillingStack", ["BillingFunction"]),
    ]
    parent, orders, billing = out.apps
    assert [(c.logical_id, c.kind, c.location, c.version, c.loaded_as, c.loc.line) for c in parent.components] == [
        (
            "OrdersApp",
            ComponentKind.NESTED,
            "apps/orders/template.yaml",
            None,
            "apps/orders/template.yaml",
            line_of_text(name, "Location: apps/orders/template.yaml"),
        ),
        (
            "AuthApp",
            ComponentKind.SAR,
            "arn:aws:serverlessrepo:us-east-1:123456789012:applications/cognito-auth",
            "1.2.3",
            None,
            line_of_text(name, "Location:", 2),
        ),
        (
            "RemoteApp",
            ComponentKind.REMOTE,
            "https://example-bucket.s3.amazonaws.com/remote.yaml",
            None,
            None,
            line_of_text(name, "Location: https://"),
        ),
        (
            "BillingStack",
            ComponentKind.NESTED,
            "stacks/billing.yaml",
            None,
            "stacks/billing.yaml",
            line_of_text(name, "TemplateURL: stacks/billing.yaml"),
        ),
    ]
    # the parameters the parent passes (resolved where the parent says them), the child's defaults otherwise
    env = orders.functions[0].environment
    assert (env["TABLE"].value, env["TABLE"].origin, env["TABLE"].loc) == (
        "orders-prod",
        Origin.SET,
        Loc("apps/orders/template.yaml", 18),
    )
    assert env["OTHER"].origin is Origin.UNRESOLVED
    assert billing.functions[0].environment["CURRENCY"].value == "EUR"
    assert orders.functions[0].code.handler_file == "apps/orders/src/app.py"
    assert out.consumed == {"apps/orders/template.yaml", "stacks/billing.yaml"}


def test_nested_application_with_sar_app_is_listed_in_the_json_report(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_network(monkeypatch)
    result = scan(FIX / "nested-apps", Config())
    doc = json_report.document(result)
    assert [(c["app"], c["logical_id"], c["kind"], c["version"], c["loaded_as"]) for c in doc["components"]] == [
        ("template.yaml", "OrdersApp", "nested", None, "apps/orders/template.yaml"),
        ("template.yaml", "AuthApp", "sar", "1.2.3", None),
        ("template.yaml", "RemoteApp", "remote", None, None),
        ("template.yaml", "BillingStack", "nested", None, "stacks/billing.yaml"),
    ]
    assert sorted(f["name"] for f in doc["functions"]) == ["BillingFunction", "FrontFunction", "OrdersFunction"]
    schema = json.loads(resources.files("fnaudit").joinpath("schema/findings-v1.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)


def test_a_template_the_translator_rejects_still_yields_its_functions() -> None:
    name = "untranslatable"
    out = load(name)
    fn = function(out, "ApiFunction")
    assert [(e.message.split(".")[0], e.loss) for e in out.errors] == [
        ("invalid SAM template: 'Globals' section is invalid", Loss.PARTIAL),
        (
            "the SAM translator cannot read this template, so its 1 function(s) were read without it (events as "
            "written, no implicit API, policy templates not expanded); policy templates left out of the roles: "
            "ApiFunction: DynamoDBCrudPolicy",
            Loss.PARTIAL,
        ),
    ]
    assert (fn.runtime.value, fn.runtime.origin, fn.runtime.loc.line) == (
        "python3.7",
        Origin.INHERITED,
        line_of_text(name, "Runtime: python3.7"),
    )
    assert (fn.code.handler_file, fn.code.handler_symbol) == ("src/app.py", "handler")
    assert {k: (v.value, v.origin, v.loc.line) for k, v in fn.environment.items() if k == "LOG_LEVEL"} == {
        "LOG_LEVEL": ("INFO", Origin.INHERITED, line_of_text(name, "LOG_LEVEL: INFO"))
    }
    assert [(t.kind, t.method, t.path, t.public, t.authorizer.kind, t.source, t.loc.line) for t in fn.triggers] == [
        (TriggerKind.API_REST, "GET", "/items", True, AuthKind.NONE, None, line_of_text(name, "GetItems:")),
        (TriggerKind.SQS, None, None, False, AuthKind.NONE, "!GetAtt JobsQueue.Arn", line_of_text(name, "Jobs:")),
    ]
    assert fn.role is not None
    assert [(m.arn, m.loc.line) for m in fn.role.managed_policies] == [
        ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", fn.loc.line),
        ("arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess", line_of_text(name, "- AmazonDynamoDBReadOnlyAccess")),
    ]
    assert [s.actions for s in fn.role.statements] == [("s3:GetObject",)]


def test_functions_read_without_the_translator_get_their_findings() -> None:
    name = "untranslatable"
    result = scan(FIX / name, Config())
    fn_line = line_of_text(name, "ApiFunction:")
    assert sorted((f.rule_id, f.function, f.location.path, f.location.line) for f in result.findings) == [
        ("AUTH001", "ApiFunction", "template.yaml", line_of_text(name, "GetItems:")),
        ("DOS001", "ApiFunction", "template.yaml", fn_line),
        # one finding per managed policy: its unused actions (IAM010) are a problem of the IAM005 finding
        ("IAM005", "ApiFunction", "template.yaml", line_of_text(name, "- AmazonDynamoDBReadOnlyAccess")),
        ("IAM010", "ApiFunction", "template.yaml", line_of_text(name, "- Effect: Allow")),
        ("OBS001", "ApiFunction", "template.yaml", fn_line),
        ("OBS002", "ApiFunction", "template.yaml", fn_line),
        ("RUNTIME001", "ApiFunction", "template.yaml", line_of_text(name, "Runtime: python3.7")),
        ("SECRET001", "ApiFunction", "template.yaml", line_of_text(name, "STRIPE_KEY:")),
    ]


def test_aws_include_definition_body_local_is_inlined_remote_leaves_routes_with_unknown_auth() -> None:
    name = "include-openapi"
    out = load(name)
    fn = function(out, "Fn")
    include_line = line_of_text(name, "Location: ./api.yaml")
    assert [
        (t.kind, t.method, t.path, t.api, t.authorizer.kind, t.authorizer.origin, t.loc.line) for t in fn.triggers
    ] == [
        # from the included body: its security scheme is a Lambda authorizer; the event gives the line
        (TriggerKind.API_REST, "GET", "/hand", "Api", AuthKind.LAMBDA, Origin.SET, line_of_text(name, "Get:")),
        # only in the included body: located at the include in the template
        (TriggerKind.API_REST, "POST", "/extra", "Api", AuthKind.NONE, Origin.DEFAULT, include_line),
        # the body is in S3: the route comes from the event, what the body says of its authorizer is unknown
        (
            TriggerKind.API_REST,
            "POST",
            "/remote",
            "RemoteApi",
            AuthKind.UNKNOWN,
            Origin.UNRESOLVED,
            line_of_text(name, "Remote:"),
        ),
    ]
    assert [(e.path, e.message, e.loss) for e in out.errors] == [
        (
            "template.yaml",
            f"line {line_of_text(name, 'Location: s3://')}: AWS::Include of s3://bucket/api.yaml is not fetched; "
            "what it holds is unknown",
            Loss.PARTIAL,
        )
    ]
    assert out.consumed == {"api.yaml"}
