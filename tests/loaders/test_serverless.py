"""The Serverless Framework loader, one named fixture per edge case (tests/loaders/fixtures/serverless/)."""

from __future__ import annotations

from pathlib import Path

from fnaudit.config import Config
from fnaudit.errors import Loss, ScanError
from fnaudit.loaders import load_all
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders._yaml import load_any
from fnaudit.loaders.base import LoadOptions, LoadOutcome, SourceDoc
from fnaudit.loaders.serverless import load
from fnaudit.model import (
    App,
    AuthKind,
    Code,
    Dialect,
    Effect,
    Function,
    Loc,
    ManagedPolicy,
    Origin,
    Ref,
    RefKind,
    Trigger,
    TriggerKind,
    Value,
)
from fnaudit.pipeline import scan
from tests.conftest import SCAN_DATE

FIXTURES = Path(__file__).parent / "fixtures" / "serverless"
SLS = "serverless.yml"


def _load(name: str, options: LoadOptions | None = None, file: str = SLS, root: str = "") -> LoadOutcome:
    """Load `fixtures/serverless/<name>/<root>/<file>` with the scan root at `<name>/<root>`."""
    scan_root = ScanRoot.of(FIXTURES / name / root)
    path = scan_root.path / file
    text = read_text(path)
    doc = SourceDoc(path, scan_root.rel(path), text, load_any(text, path.name), Dialect.SERVERLESS)
    return load(doc, scan_root, options or LoadOptions())


def _app(name: str, options: LoadOptions | None = None, file: str = SLS) -> App:
    out = _load(name, options, file)
    assert out.errors == []
    assert len(out.apps) == 1
    return out.apps[0]


def _fn(app: App, name: str) -> Function:
    fn = app.function(name)
    assert fn is not None, name
    return fn


def _at(line: int, path: str = SLS) -> Loc:
    return Loc(path, line)


def _summary(t: Trigger) -> tuple[object, ...]:
    return (t.kind, t.loc.line, t.method, t.path, t.public, t.authorizer.kind, t.authorizer.name, t.authorizer.loc.line)


# ---- whole files ----------------------------------------------------------------------------------


def test_empty_file_is_a_service_without_functions() -> None:
    # Decision: the loader turns an empty serverless.yml into an App with no functions and no error.
    # Discovery (which runs first in a real scan) reports it instead, as a file that is not a service.
    out = _load("empty")
    assert out.errors == []
    assert [(a.name, a.functions, a.source, a.root) for a in out.apps] == [("empty", (), SLS, "")]
    root = ScanRoot.of(FIXTURES / "empty")
    total, _ = load_all(root.path, root, LoadOptions())
    assert total.apps == []
    assert total.errors == [
        ScanError(
            SLS,
            "not a Serverless Framework service: expected a mapping with `service`, `provider` and `functions`",
            "load",
            Loss.NONE,  # an empty file held no app to lose
        )
    ]


def test_not_yaml_is_an_error_entry() -> None:
    root = ScanRoot.of(FIXTURES / "not-yaml")
    total, _ = load_all(root.path, root, LoadOptions())
    assert total.apps == []
    assert total.errors == [
        ScanError(SLS, "YAML syntax error: did not find expected ',' or ']' at line 5, column 10", "load", Loss.APP)
    ]


def test_not_a_mapping_is_an_error_not_an_exception() -> None:
    doc = SourceDoc(FIXTURES / "minimal" / SLS, SLS, "- a\n", ["a"], Dialect.SERVERLESS)
    out = load(doc, ScanRoot.of(FIXTURES / "minimal"), LoadOptions())
    assert out.apps == []
    assert out.errors == [
        ScanError(SLS, "not a Serverless Framework service: the file is not a mapping", "load", Loss.APP)
    ]


def test_minimal() -> None:
    app = _app("minimal")
    assert (app.name, app.dialect, app.root, app.source) == ("minimal", Dialect.SERVERLESS, "", SLS)
    fn = _fn(app, "hello")
    assert fn.id == "serverless.yml#hello"
    assert fn.loc == _at(6)
    assert fn.runtime == Value("python3.12", _at(4), Origin.INHERITED)
    assert fn.handler == Value("handler.hello", _at(7))
    assert fn.code == Code("python", True, "", "handler.py", "hello")
    # nothing written: DEFAULT at the function's line (the platform's 6 s / 1024 MB apply)
    for v in (fn.timeout, fn.memory, fn.reserved_concurrency, fn.tracing, fn.log_retention_days):
        assert v == Value(None, _at(6), Origin.DEFAULT)
    assert fn.triggers == ()
    assert fn.role is not None and fn.role.id == "IamRoleLambdaExecution"
    assert fn.role.loc == _at(2) and fn.role.statements == ()
    assert list(app.roles) == ["IamRoleLambdaExecution"]


def test_root_is_the_service_folder_relative_to_the_scan_root() -> None:
    root = ScanRoot.of(FIXTURES)
    path = FIXTURES / "minimal" / SLS
    text = read_text(path)
    doc = SourceDoc(path, "minimal/serverless.yml", text, load_any(text, SLS), Dialect.SERVERLESS)
    app = load(doc, root, LoadOptions()).apps[0]
    assert (app.root, app.source) == ("minimal", "minimal/serverless.yml")
    fn = _fn(app, "hello")
    assert fn.id == "minimal/serverless.yml#hello"
    assert fn.code == Code("python", True, "minimal", "minimal/handler.py", "hello")


def test_inherited_runtime_and_provider_defaults() -> None:
    app = _app("inherited-runtime")
    inh = _fn(app, "inherits")
    assert inh.runtime == Value("nodejs20.x", _at(4), Origin.INHERITED)
    assert inh.timeout == Value(10, _at(5), Origin.INHERITED)
    assert inh.memory == Value(512, _at(6), Origin.INHERITED)
    assert inh.log_retention_days == Value(14, _at(7), Origin.INHERITED)
    assert inh.architecture == Value("arm64", _at(8), Origin.INHERITED)
    assert inh.tracing == Value("Active", _at(10), Origin.INHERITED)
    assert inh.reserved_concurrency == Value(None, _at(17), Origin.DEFAULT)  # never inherited
    assert dict(inh.environment) == {
        "STAGE": Value("prod", _at(12), Origin.INHERITED),
        "SHARED": Value("from-provider", _at(13), Origin.INHERITED),
    }
    assert inh.layers == (Value("arn:aws:lambda:us-east-1:123456789012:layer:common:3", _at(15), Origin.INHERITED),)
    assert inh.code == Code("node", True, "", "handler.js", "inherits")

    own = _fn(app, "overrides")
    assert own.runtime == Value("python3.12", _at(21))
    assert own.timeout == Value(30, _at(22))
    assert own.memory == Value(2048, _at(23))
    assert own.reserved_concurrency == Value(5, _at(24))
    assert own.log_retention_days == Value(90, _at(25))
    assert own.tracing == Value("PassThrough", _at(26))
    assert own.architecture == Value("arm64", _at(8), Origin.INHERITED)
    assert dict(own.environment) == {
        "STAGE": Value("prod", _at(12), Origin.INHERITED),
        "SHARED": Value("from-function", _at(28)),
        "OWN": Value("mine", _at(29)),
    }
    assert own.layers == (Value("arn:aws:lambda:us-east-1:999999999999:layer:foreign:1", _at(31)),)
    assert own.code == Code("python", True, "", "handler.py", "overrides")


# ---- variables ------------------------------------------------------------------------------------


def test_unresolved_vars_stay_symbolic_with_their_kind() -> None:
    env = _fn(_app("unresolved-vars"), "api").environment
    expected = {
        "DB_PASSWORD": (9, RefKind.SSM, "${ssm:/db/password}"),
        "API_KEY": (10, RefKind.SECRETS_MANAGER, "${ssm:/aws/reference/secretsmanager/prod/api-key}"),
        "QUEUE_URL": (11, RefKind.CLOUDFORMATION, "${cf:infra-stack.QueueUrl}"),
        "ACCOUNT": (12, RefKind.AWS, "${aws:accountId}"),
        "BUCKET_ARN": (13, RefKind.CLOUDFORMATION, "arn:aws:s3:::${cf:infra-stack.Bucket}/*"),
        "TOKEN": (14, RefKind.ENVIRONMENT, "${env:DEPLOY_TOKEN}"),
        "FEATURE": (15, RefKind.PARAMETER, "${param:feature}"),
        "OBJECT": (16, RefKind.S3, "${s3:my-bucket/key}"),
    }
    for key, (line, kind, text) in expected.items():
        assert env[key] == Value(None, _at(line), Origin.UNRESOLVED, Ref(kind, text)), key
    assert env["DB_PASSWORD"].is_secret_reference and env["API_KEY"].is_secret_reference
    assert not env["QUEUE_URL"].is_secret_reference
    assert env["PLAIN"] == Value("hello", _at(17))


def test_variables_resolved() -> None:
    out = _load("variables")
    assert out.errors == []
    assert out.consumed == {"config/settings.yml", "config/limits.json"}
    fn = _fn(out.apps[0], "worker")
    env = {k: v.value for k, v in fn.environment.items()}
    assert env == {
        "SERVICE": "vars",
        "STAGE": "dev",
        "REGION": "eu-west-1",
        "BUCKET_ARN": "arn:aws:s3:::uploads-dev/*",
        "TABLE": "dev-users",
        "SECOND": "second",
        "LOG_LEVEL": "info",
        "OWNER": "first",
        "FEATURE": "off",
        "COLOR": "blue",
        "LIMIT": "100",
        "RETRIES": "3",
    }
    assert all(v.origin is Origin.SET for v in fn.environment.values())
    assert fn.environment["TABLE"].loc == _at(26)
    assert fn.timeout == Value(10, _at(7), Origin.INHERITED)


def test_variables_with_stage_params_and_env_from_options() -> None:
    options = LoadOptions(stage="prod", params={"feature": "on"}, env={"LOG_LEVEL": "debug", "OWNER": "team"})
    fn = _fn(_app("variables", options), "worker")
    env = {k: v.value for k, v in fn.environment.items()}
    assert (env["STAGE"], env["TABLE"], env["BUCKET_ARN"]) == ("prod", "prod-users", "arn:aws:s3:::uploads-prod/*")
    assert (env["LOG_LEVEL"], env["OWNER"], env["FEATURE"]) == ("debug", "team", "on")
    assert fn.timeout == Value(20, _at(7), Origin.INHERITED)


def test_file_outside_root_is_refused() -> None:
    out = _load("file-outside-root", root="app")
    assert out.consumed == set()
    # one error per refused file, at the first place that reads it (variables resolve lazily)
    assert out.errors == [
        ScanError(
            SLS,
            "line 10: `${file(../secrets.yml):password}` points outside the scanned folder; fnaudit never reads there",
            "load",
        ),
    ]
    env = _fn(out.apps[0], "leak").environment
    assert env["SECRET"] == Value(
        None, _at(10), Origin.UNRESOLVED, Ref(RefKind.FILE, "${file(../secrets.yml):password}")
    )
    assert env["OTHER"] == Value("fallback", _at(11))


def test_cyclic_vars() -> None:
    out = _load("cyclic-vars")
    assert out.errors == [
        ScanError(SLS, "line 13: `${self:custom.a}` refers to itself (a cycle of variables)", "load"),
        ScanError(SLS, "line 14: `${self:custom.self}` refers to itself (a cycle of variables)", "load"),
    ]
    env = _fn(out.apps[0], "loop").environment
    assert env["A"] == Value(None, _at(13), Origin.UNRESOLVED, Ref(RefKind.OTHER, "${self:custom.a}"))
    assert env["SELF"] == Value(None, _at(14), Origin.UNRESOLVED, Ref(RefKind.OTHER, "${self:custom.self}"))
    assert env["FINE"] == Value("ok", _at(15))


# ---- events ---------------------------------------------------------------------------------------


def test_http_events() -> None:
    fn = _fn(_app("http-events"), "api")
    lam, iam, cog, none, key = AuthKind.LAMBDA, AuthKind.IAM, AuthKind.COGNITO, AuthKind.NONE, AuthKind.API_KEY
    rest = TriggerKind.API_REST
    assert [_summary(t) for t in fn.triggers] == [
        (rest, 14, "GET", "/public", True, none, None, 14),
        (rest, 15, "GET", "/users/{id}", True, lam, "authorizerFn", 18),
        (rest, 19, "POST", "/by-arn", True, lam, "arn:aws:lambda:us-east-1:123456789012:function:external-auth", 22),
        (rest, 23, "ANY", "/iam", True, iam, "aws_iam", 26),
        (rest, 27, "PUT", "/cognito", True, cog, "userPool", 30),
        (rest, 34, "GET", "/partner", True, key, None, 37),
        (rest, 38, "DELETE", "/token", True, lam, "tokenAuth", 41),
        (rest, 45, "GET", "/dynamic", True, AuthKind.UNKNOWN, "${ssm:/auth/arn}", 48),
    ]
    assert [t.api_key_required for t in fn.triggers] == [False] * 5 + [True, False, False]
    assert {t.integration_timeout for t in fn.triggers} == {29}
    assert fn.triggers[0].authorizer.origin is Origin.DEFAULT
    assert fn.triggers[1].authorizer.origin is Origin.SET
    assert fn.triggers[7].authorizer.origin is Origin.UNRESOLVED  # configured, but we cannot tell which
    assert not fn.triggers[5].is_authenticated  # an API key identifies a client, it does not authenticate


def test_http_events_private_endpoint_is_not_public() -> None:
    (trigger,) = _fn(_app("http-events-private"), "api").triggers
    assert (trigger.kind, trigger.path, trigger.public) == (TriggerKind.API_REST, "/internal", False)


def test_httpapi_authorizers() -> None:
    fn = _fn(_app("httpapi-authorizers"), "api")
    h = TriggerKind.API_HTTP
    assert [_summary(t) for t in fn.triggers] == [
        (h, 21, "GET", "/open", True, AuthKind.NONE, None, 21),
        (h, 22, "ANY", "*", True, AuthKind.NONE, None, 22),
        (h, 23, "POST", "/jwt", True, AuthKind.JWT, "jwtAuth", 26),  # no type under provider: JWT
        (h, 28, "GET", "/lambda", True, AuthKind.LAMBDA, "lambdaAuth", 31),  # type: request
        (h, 33, "GET", "/iam", True, AuthKind.IAM, None, 36),
        (h, 38, "GET", "/missing", True, AuthKind.UNKNOWN, "notDefined", 41),
    ]
    assert {t.integration_timeout for t in fn.triggers} == {30}


def test_other_events() -> None:
    fn = _fn(_app("other-events"), "consumer")
    k = TriggerKind
    assert [(t.kind, t.loc.line, t.source, t.public) for t in fn.triggers] == [
        (k.S3, 9, "photos", False),
        (k.S3, 10, "uploads", False),
        (k.SQS, 14, "arn:aws:sqs:us-east-1:123456789012:jobs", False),
        (k.SQS, 15, "!GetAtt JobsQueue.Arn", False),
        (k.SNS, 17, "alerts", False),
        (k.SNS, 18, "arn:aws:sns:us-east-1:123456789012:billing", False),
        (k.DYNAMODB_STREAM, 20, "!GetAtt UsersTable.StreamArn", False),
        (k.KINESIS, 23, "arn:aws:kinesis:us-east-1:123456789012:stream/clicks", False),
        (
            k.DYNAMODB_STREAM,
            24,
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000",
            False,
        ),
        (k.SCHEDULE, 25, "rate(5 minutes)", False),
        (k.EVENTBRIDGE, 26, "orders-bus", False),
        (k.COGNITO, 30, "users", False),
        (k.ALB, 33, "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/abc/def", True),
        (k.OTHER, 39, "websocket", False),
        (k.IOT, 40, "SELECT * FROM 'devices/+/telemetry'", False),
        (k.CLOUDWATCH_LOGS, 42, "/aws/lambda/other", False),
        (k.KAFKA, 43, "payments", False),
        (k.SCHEDULE, 46, "cron(0 12 * * ? *)", False),
        (k.MQ, 49, "arn:aws:mq:us-east-1:123456789012:broker:mq:b-1", False),
    ]
    alb = fn.triggers[12]
    assert (alb.path, alb.method, alb.authorizer.kind) == ("/alb", "POST", AuthKind.NONE)
    assert all(t.authorizer.kind is AuthKind.NONE for t in fn.triggers)


def test_function_url() -> None:
    app = _app("function-url")
    open_fn = _fn(app, "open")
    assert open_fn.url is not None
    assert open_fn.url.auth_type == Value("NONE", _at(8))
    assert open_fn.url.loc == _at(8)
    assert [_summary(t) for t in open_fn.triggers] == [
        (TriggerKind.FUNCTION_URL, 8, None, None, True, AuthKind.NONE, None, 8)
    ]

    locked = _fn(app, "locked")
    assert locked.url is not None
    assert locked.url.auth_type == Value("AWS_IAM", _at(12))
    assert (locked.url.cors_allow_origins, locked.url.cors_allow_credentials) == (("https://example.com",), True)
    assert [_summary(t) for t in locked.triggers] == [
        (TriggerKind.FUNCTION_URL, 11, None, None, True, AuthKind.IAM, None, 12)
    ]

    assert _fn(app, "none").url is None and _fn(app, "none").triggers == ()


# ---- IAM ------------------------------------------------------------------------------------------


def test_iam_roles() -> None:
    app = _app("iam")
    shared = app.roles["IamRoleLambdaExecution"]
    assert shared.loc == _at(5)
    assert [(s.effect, s.actions, s.resources, s.loc.line, s.source) for s in shared.statements] == [
        (
            Effect.ALLOW,
            ("dynamodb:GetItem", "dynamodb:PutItem"),
            ("arn:aws:dynamodb:us-east-1:123456789012:table/users",),
            8,
            "provider.iam.role.statements[0]",
        ),
        (Effect.ALLOW, ("s3:*",), ("*",), 17, "provider.iamRoleStatements[0]"),
    ]
    assert shared.managed_policies == (ManagedPolicy("arn:aws:iam::aws:policy/ReadOnlyAccess", _at(14)),)
    assert shared.permissions_boundary == "arn:aws:iam::123456789012:policy/boundary"

    assert _fn(app, "shared1").role is shared and _fn(app, "shared2").role is shared
    assert _fn(app, "shared1").role_shared_with == ("shared2",)
    assert _fn(app, "shared2").role_shared_with == ("shared1",)

    own = _fn(app, "own").role
    assert own is not None and (own.id, own.loc) == ("ownIamRoleLambdaExecution", _at(27))
    assert [(s.actions, s.loc.line, s.source) for s in own.statements] == [
        (("sqs:SendMessage",), 28, "functions.own.iamRoleStatements[0]")
    ]
    inherit = _fn(app, "ownInherit").role
    assert inherit is not None and inherit.id == "ownInheritIamRoleLambdaExecution"
    assert [(s.actions, s.loc.line) for s in inherit.statements] == [
        (("sns:Publish",), 35),
        (("dynamodb:GetItem", "dynamodb:PutItem"), 8),
        (("s3:*",), 17),
    ]
    assert _fn(app, "own").role_shared_with == ()

    custom = _fn(app, "custom").role
    assert custom is not None and (custom.id, custom.external, custom.loc) == ("CustomRole", False, _at(49))
    assert [(s.actions, s.resources, s.loc.line) for s in custom.statements] == [(("kms:Decrypt",), ("*",), 62)]
    assert _fn(app, "customGetAtt").role is custom
    assert _fn(app, "custom").role_shared_with == ("customGetAtt",)

    ext = _fn(app, "external").role
    assert ext is not None
    assert (ext.id, ext.external, ext.loc) == ("arn:aws:iam::123456789012:role/external-role", True, _at(46))
    assert sorted(app.roles) == [
        "CustomRole",
        "IamRoleLambdaExecution",
        "arn:aws:iam::123456789012:role/external-role",
        "ownIamRoleLambdaExecution",
        "ownInheritIamRoleLambdaExecution",
    ]


def test_provider_role_replaces_the_shared_role() -> None:
    app = _app("iam-provider-role")
    arn = "arn:aws:iam::123456789012:role/deploy-wide"
    assert list(app.roles) == [arn]
    for name, other in (("one", "two"), ("two", "one")):
        fn = _fn(app, name)
        assert fn.role is not None and (fn.role.id, fn.role.external, fn.role.loc) == (arn, True, _at(6))
        assert fn.role_shared_with == (other,)


# ---- resources ------------------------------------------------------------------------------------


def test_resources_list_with_file() -> None:
    out = _load("resources-list")
    assert out.errors == []
    assert out.consumed == {"resources/iam.yml"}
    app = out.apps[0]
    assert {lid: (r.type, r.loc) for lid, r in app.resources.items()} == {
        "UsersTable": ("AWS::DynamoDB::Table", _at(13)),
        "WriterRole": ("AWS::IAM::Role", Loc("resources/iam.yml", 2)),
        "WriterLogGroup": ("AWS::Logs::LogGroup", _at(19)),
        "PublicInvoke": ("AWS::Lambda::Permission", _at(24)),
    }
    fn = _fn(app, "writer")
    assert fn.role is app.roles["WriterRole"]
    assert [(s.actions, s.resources, s.loc) for s in fn.role.statements] == [
        (("dynamodb:PutItem",), ("!GetAtt UsersTable.Arn",), Loc("resources/iam.yml", 15))
    ]
    assert fn.log_retention_days == Value(30, _at(23))
    assert fn.environment["TABLE"].origin is Origin.UNRESOLVED
    assert fn.environment["TABLE"].ref is not None and fn.environment["TABLE"].ref.kind is RefKind.CLOUDFORMATION
    assert [(p.function, p.principal, p.loc) for p in app.permissions] == [("writer", "*", _at(24))]


# ---- code -----------------------------------------------------------------------------------------


def test_handlers() -> None:
    app = _app("handlers")
    code = {fn.name: fn.code for fn in app.functions}
    assert code["pyNested"] == Code("python", True, "", "src/handlers/user.py", "create")
    assert code["nodeJs"] == Code("node", True, "", "node/app.js", "handler")
    assert code["nodeMjs"] == Code("node", True, "", "node/esm.mjs", "handler")
    assert code["typescript"] == Code("node", True, "", "ts/src/main.ts", "handler")
    assert code["missing"] == Code("node", True, "", None, "handler", "node/nowhere.js/.mjs/.cjs/.ts not found under .")
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest"
    assert code["container"] == Code("node", False, note=f"container image {image}; its code is not in the repository")
    assert _fn(app, "container").package_type == "Image"
    assert _fn(app, "container").handler == Value(None, _at(19), Origin.DEFAULT)
    assert code["artifact"] == Code(
        "node", False, note="deployed from the artifact dist/artifact.zip; its code is not read"
    )


def test_json_flavour() -> None:
    app = _app("json-flavour", file="serverless.json")
    assert (app.name, app.source) == ("jsonsvc", "serverless.json")
    fn = _fn(app, "hello")
    assert fn.id == "serverless.json#hello"
    assert fn.loc == Loc("serverless.json", 11)
    assert fn.runtime == Value("python3.12", Loc("serverless.json", 5), Origin.INHERITED)
    assert fn.environment == {"MODE": Value("json", Loc("serverless.json", 7), Origin.INHERITED)}
    assert [(t.kind, t.loc.line, t.method, t.path, t.public) for t in fn.triggers] == [
        (TriggerKind.API_REST, 14, "GET", "/hello", True)
    ]


def test_broken_function() -> None:
    out = _load("broken-function")
    assert out.errors == [
        ScanError(SLS, "line 6: function notAMapping is not a mapping; skipped", "load", Loss.FUNCTION),
        ScanError(SLS, "line 7: function noHandler has no handler (and no image); its code cannot be located", "load"),
        ScanError(
            SLS, "line 13: unknown event type `teleport` on function badEvents; kept as an `other` trigger", "load"
        ),
        ScanError(
            SLS, "line 14: event 2 of function badEvents is not a one-key mapping like `- http: …`; ignored", "load"
        ),
        ScanError(
            SLS,
            "line 17: handler of function unresolvedHandler is `${ssm:/handler/name}`, which cannot be resolved",
            "load",
        ),
    ]
    app = out.apps[0]
    assert [f.name for f in app.functions] == ["noHandler", "badEvents", "unresolvedHandler", "good"]
    bad = _fn(app, "badEvents")
    assert [(t.kind, t.loc.line, t.source) for t in bad.triggers] == [
        (TriggerKind.API_REST, 12, None),
        (TriggerKind.OTHER, 13, "teleport"),
        (TriggerKind.SQS, 15, "arn:aws:sqs:us-east-1:123456789012:q"),
    ]
    unresolved = _fn(app, "unresolvedHandler")
    assert unresolved.handler == Value(None, _at(17), Origin.UNRESOLVED, Ref(RefKind.SSM, "${ssm:/handler/name}"))
    assert unresolved.code == Code("python", True, "", note="no handler set")
    good = _fn(app, "good")
    assert good.timeout == Value(None, _at(20), Origin.UNRESOLVED, Ref(RefKind.OTHER, "abc"))


def test_destinations_and_dead_letter() -> None:
    app = _app("destinations")
    dest = _fn(app, "withDestination")
    assert dest.on_failure == Value("arn:aws:sqs:us-east-1:123456789012:failed", _at(10))
    assert dest.dead_letter == Value(None, _at(6), Origin.DEFAULT)
    mapped = _fn(app, "withMapping").on_failure
    assert (mapped.origin, mapped.loc, mapped.ref) == (
        Origin.UNRESOLVED,
        _at(16),
        Ref(RefKind.CLOUDFORMATION, "!GetAtt FailureQueue.Arn"),
    )
    dlq = _fn(app, "withDlq")
    assert dlq.dead_letter == Value("arn:aws:sns:us-east-1:123456789012:dlq", _at(21))
    assert dlq.on_failure == Value(None, _at(19), Origin.DEFAULT)
    neither = _fn(app, "neither")
    assert (neither.on_failure.origin, neither.dead_letter.origin) == (Origin.DEFAULT, Origin.DEFAULT)


def test_included_files_keep_their_locations() -> None:
    out = _load("includes")
    assert out.errors == []
    assert out.consumed == {"sls/env.yml", "sls/iam.yml", "sls/functions.yml"}
    app = out.apps[0]
    api, worker = _fn(app, "api"), _fn(app, "worker")
    assert (api.id, api.loc, api.handler.loc) == (
        "serverless.yml#api",
        Loc("sls/functions.yml", 1),
        Loc("sls/functions.yml", 2),
    )
    assert [(t.kind, t.loc, t.path) for t in api.triggers] == [
        (TriggerKind.API_HTTP, Loc("sls/functions.yml", 4), "/items")
    ]
    # secret references recognised as such, wherever they are written
    assert api.environment == {
        "DB_SECRET_ARN": Value(
            None, Loc("sls/env.yml", 1), Origin.UNRESOLVED, Ref(RefKind.SECRET_RESOURCE, "!Ref DbSecret")
        ),
        "DB_PASSWORD": Value(
            None,
            Loc("sls/env.yml", 2),
            Origin.UNRESOLVED,
            Ref(RefKind.SECRETS_MANAGER, "{{resolve:secretsmanager:prod/db:SecretString:password}}"),
        ),
    }
    assert all(v.is_secret_reference for v in api.environment.values())
    role = app.roles["IamRoleLambdaExecution"]
    assert (role.loc, [(s.actions, s.resources, s.loc) for s in role.statements]) == (
        _at(7),
        [(("secretsmanager:GetSecretValue",), ("!Ref DbSecret",), Loc("sls/iam.yml", 2))],
    )
    # the Framework's own `ApiLogGroup`, overridden in resources, beats the provider's retention
    assert api.log_retention_days == Value(7, _at(16))
    assert worker.log_retention_days == Value(30, Loc("sls/functions.yml", 7))


# ---- issue 13: loader defects seen on real apps, serverless-lift -----------------------------------


def test_self_references_inside_a_file_section_and_boolean_keys() -> None:
    # Regression: `custom: ${file()}` whose members use `${self:custom.…}` was "a cycle of variables",
    # and the `false:` key was "False", so `${self:custom.stmts.${env:WIDE, 'false'}}` dropped the role.
    app = _app("file-self-refs")
    fn = _fn(app, "build")
    assert fn.environment["TABLE"] == Value("reports-dev", _at(13))
    assert fn.environment["BUCKET"] == Value("reports-dev-files", _at(14))
    assert fn.role is not None
    custom = "config/custom.yml"
    assert [(s.actions, s.resources, s.loc) for s in fn.role.statements] == [
        (("dynamodb:Query",), ("arn:aws:dynamodb:us-east-1:123456789012:table/reports-dev",), Loc(custom, 10))
    ]
    wide = _app("file-self-refs", LoadOptions(env={"WIDE": "true"}))
    role = _fn(wide, "build").role
    assert role is not None
    assert [(s.actions, s.resources, s.loc) for s in role.statements] == [(("dynamodb:*",), ("*",), Loc(custom, 6))]


def test_lift_constructs_become_a_worker_function_and_resources() -> None:
    app = _app("lift")
    assert [f.name for f in app.functions] == ["api", "jobsWorker"]
    worker = _fn(app, "jobsWorker")
    assert worker.loc == _at(22)
    assert worker.handler == Value("src/worker.handle", _at(23))
    assert worker.code == Code("python", True, "", "src/worker.py", "handle")
    assert worker.timeout == Value(60, _at(24))
    assert worker.runtime == Value("python3.12", _at(7), Origin.INHERITED)
    assert list(worker.environment) == ["STAGE", "OUT_DIR"]
    assert worker.role is not None and worker.role.id == "IamRoleLambdaExecution"
    assert worker.role_shared_with == ("api",)
    assert [(t.kind, t.loc, t.source, t.public, t.authorizer.kind) for t in worker.triggers] == [
        (TriggerKind.SQS, _at(22), "JobsQueue", False, AuthKind.NONE)
    ]
    assert {lid: (r.type, r.loc.line) for lid, r in app.resources.items()} == {
        "JobsQueue": ("AWS::SQS::Queue", 18),
        "JobsDlq": ("AWS::SQS::Queue", 18),
        "JobsEventSourceMapping": ("AWS::Lambda::EventSourceMapping", 22),
        "InboundHttpApi": ("AWS::ApiGatewayV2::Api", 27),
        "InboundRoute": ("AWS::ApiGatewayV2::Route", 29),
        "InboundBus": ("AWS::Events::EventBus", 27),
        "PublicHookHttpApi": ("AWS::ApiGatewayV2::Api", 32),
        "PublicHookRoute": ("AWS::ApiGatewayV2::Route", 35),
        "PublicHookBus": ("AWS::Events::EventBus", 32),
        "UploadsBucket": ("AWS::S3::Bucket", 36),
        "LandingBucket": ("AWS::S3::Bucket", 38),
        "LandingCDN": ("AWS::CloudFront::Distribution", 38),
    }
    # lift always creates the dead-letter queue; maxRetries is its receive count, batchSize the mapping's
    assert app.resources["JobsQueue"].properties["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["JobsDlq", "Arn"]},
        "maxReceiveCount": 4,
    }
    assert app.resources["JobsEventSourceMapping"].properties["BatchSize"] == 5
    assert app.resources["InboundRoute"].properties["AuthorizationType"] == "CUSTOM"
    assert app.resources["PublicHookRoute"].properties["AuthorizationType"] == "NONE"


def test_lift_worker_code_is_analysed_with_the_sqs_message_as_source() -> None:
    result = scan(FIXTURES / "lift", Config(today=SCAN_DATE))
    hits = [(f.rule_id, f.function, f.location) for f in result.findings if f.rule_id.startswith("CODE")]
    assert hits == [("CODE002", "jobsWorker", Loc("src/worker.py", 12))]
    (code,) = (f for f in result.findings if f.rule_id == "CODE002")
    assert "event.Records[].body.source (from sqs JobsQueue" in code.message
    assert result.errors == ()


def test_lift_constructs_of_unknown_shape_are_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "service: s\nprovider: {name: aws, runtime: python3.12}\n"
        "constructs:\n  odd: [1]\n  later:\n    type: future-thing\n  q:\n    type: queue\n"
    )
    root = ScanRoot.of(tmp_path)
    path = tmp_path / "serverless.yml"
    text = read_text(path)
    out = load(SourceDoc(path, SLS, text, load_any(text, SLS), Dialect.SERVERLESS), root, LoadOptions())
    assert out.errors == [
        ScanError(SLS, "line 4: construct odd is not a mapping; ignored", "load"),
        ScanError(SLS, "line 5: construct later has type `future-thing`, which fnaudit does not know; ignored", "load"),
    ]
    assert out.apps[0].functions == ()
    assert sorted(out.apps[0].resources) == ["QDlq", "QQueue"]
