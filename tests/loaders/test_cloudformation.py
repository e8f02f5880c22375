"""CloudFormation loader: one named fixture per edge case, exact fields asserted.

Lines are looked up in the fixture by a marker text (`line_of_text`), so a test states which line of
the template a value must point at without hard-coding numbers that drift when a fixture is edited.
"""

from __future__ import annotations

from pathlib import Path

from fnaudit.errors import Loss
from fnaudit.loaders import LoadOptions, LoadOutcome, ScanRoot, load_all
from fnaudit.loaders._intrinsics import Resolver
from fnaudit.loaders.cloudformation import load as load_cfn
from fnaudit.loaders.cloudformation import metadata_ignores, read_resources
from fnaudit.loaders.discover import discover
from fnaudit.model import (
    AuthKind,
    Dialect,
    Effect,
    Function,
    Loc,
    Origin,
    RefKind,
    TriggerKind,
)
from fnaudit.model.app import ComponentKind

FIX = Path(__file__).parent / "fixtures" / "cloudformation"


def load(name: str, **options: object) -> LoadOutcome:
    target = FIX / name
    root = ScanRoot.of(target if target.is_dir() else FIX)
    outcome, _ = load_all(target, root, LoadOptions(**options))  # type: ignore[arg-type]
    return outcome


def line_of_text(name: str, text: str, nth: int = 1) -> int:
    """1-based line of the `nth` line of fixture `name` that contains `text`."""
    hits = [i for i, ln in enumerate((FIX / name).read_text().splitlines(), 1) if text in ln]
    assert len(hits) >= nth, f"{text!r} not in {name}"
    return hits[nth - 1]


def only_function(outcome: LoadOutcome, name: str) -> Function:
    assert len(outcome.apps) == 1
    fn = outcome.apps[0].function(name)
    assert fn is not None, f"no function {name}"
    return fn


def test_empty_file_is_reported_not_loaded() -> None:
    out = load("empty.yaml")
    assert out.apps == []
    assert [(e.path, e.stage) for e in out.errors] == [("empty.yaml", "load")]
    assert "not a CloudFormation or SAM template" in out.errors[0].message


def test_yaml_without_resources_is_reported() -> None:
    out = load("not-a-template.yaml")
    assert out.apps == []
    assert [e.path for e in out.errors] == ["not-a-template.yaml"]
    assert "no `Resources`" in out.errors[0].message


def test_loader_called_directly_on_a_non_template_returns_an_error() -> None:
    doc = discover(FIX / "json-template.json", ScanRoot.of(FIX)).docs[0]
    bad = type(doc)(doc.path, doc.rel, doc.text, ["not", "a", "mapping"], doc.dialect)
    out = load_cfn(bad, ScanRoot.of(FIX), LoadOptions())
    assert out.apps == [] and "no `Resources` mapping" in out.errors[0].message


def test_json_template_keeps_lines() -> None:
    out = load("json-template.json")
    assert out.errors == []
    app = out.apps[0]
    assert (app.name, app.dialect, app.root, app.source) == (
        "json-template",
        Dialect.CLOUDFORMATION,
        "",
        "json-template.json",
    )
    fn = only_function(out, "JsonFunction")
    assert fn.id == "json-template.json#JsonFunction"
    assert fn.loc == Loc("json-template.json", 4)
    assert (fn.runtime.value, fn.runtime.origin, fn.runtime.loc.line) == ("nodejs20.x", Origin.SET, 7)
    assert (fn.timeout.value, fn.timeout.loc.line) == (15, 9)
    assert fn.memory.origin is Origin.DEFAULT and fn.memory.loc == fn.loc
    assert fn.role is not None and fn.role.id == "JsonRole" and not fn.role.external
    assert fn.role.trust[0].principals == ("Service:lambda.amazonaws.com",)


def test_short_form_tags_are_resolved() -> None:
    name = "short-form-tags.yaml"
    fn = only_function(load(name), "TagsFunction")
    env = fn.environment
    assert (env["STAGE"].value, env["STAGE"].origin, env["STAGE"].loc.line) == (
        "prod",
        Origin.SET,
        line_of_text(name, "STAGE:"),
    )
    assert env["REGION"].value == "us-east-1"
    assert env["FIRST"].value == "a"
    assert env["LITERAL"].value == "${NotAVariable}"
    table = env["TABLE"]
    assert table.origin is Origin.UNRESOLVED and table.ref is not None
    assert (table.ref.kind, table.ref.text) == (RefKind.CLOUDFORMATION, "!Ref Table")
    assert fn.code.note == "code is an S3 artifact s3://artifacts-prod/code.zip"
    assert fn.role is not None and fn.role.id == "TagsRole"


def test_code_outside_the_repository_is_not_an_error() -> None:
    out = load("s3-artifact.yaml")
    assert out.errors == []
    artifact = only_function(out, "ArtifactFunction")
    assert (artifact.code.language, artifact.code.in_repo, artifact.code.note) == (
        "java",
        False,
        "code is an S3 artifact s3://my-artifacts/app.jar",
    )
    inline = only_function(out, "InlineFunction")
    assert (inline.code.in_repo, inline.code.note) == (False, "inline code")
    image = only_function(out, "ImageFunction")
    assert image.package_type == "Image"
    assert image.code.note == "container image 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest"
    assert image.runtime.origin is Origin.DEFAULT
    assert artifact.role is not None and artifact.role.external
    assert artifact.role.id == "arn:aws:iam::123456789012:role/existing-role"
    assert artifact.role_shared_with == ("ImageFunction", "InlineFunction")


def test_local_code_folder_resolves_handlers() -> None:
    out = load("local-code")
    py = only_function(out, "PyFunction")
    assert (py.code.in_repo, py.code.root, py.code.handler_file, py.code.handler_symbol) == (
        True,
        "src",
        "src/users/api.py",
        "create",
    )
    node = only_function(out, "NodeFunction")
    assert (node.code.language, node.code.handler_file, node.code.handler_symbol) == ("node", "web/handler.mjs", "main")
    escaping = only_function(out, "EscapingFunction")
    assert escaping.code.in_repo is False
    assert len(out.errors) == 1
    err = out.errors[0]
    assert err.path == "template.yaml"
    assert err.message.startswith(
        f"line {line_of_text('local-code/template.yaml', 'Code: ../../outside')}: function EscapingFunction"
    )
    assert "outside the scanned folder" in err.message


def test_roles_inline_managed_attached_external_and_shared() -> None:
    name = "roles-and-policies.yaml"
    out = load(name)
    assert out.errors == []
    app = out.apps[0]
    assert list(app.roles) == ["SharedRole"]
    reader = only_function(out, "ReaderFunction")
    role = reader.role
    assert role is not None and role.id == "SharedRole" and role.loc.line == line_of_text(name, "SharedRole:")
    assert role.name == "shared-role"
    assert role.permissions_boundary == "arn:aws:iam::123456789012:policy/boundary"
    assert reader.role_shared_with == ("WriterFunction",)
    assert only_function(out, "WriterFunction").role_shared_with == ("ReaderFunction",)

    inline = [(s.effect, s.actions, s.resources, s.loc.line, s.source, s.conditional, s.sid) for s in role.statements]
    assert inline == [
        (
            Effect.ALLOW,
            ("dynamodb:GetItem", "dynamodb:Query"),
            ("!GetAtt Table.Arn",),
            line_of_text(name, "Sid: ReadTable"),
            "Policies[0] inline-data.Statement[0]",
            False,
            "ReadTable",
        ),
        (
            Effect.DENY,
            ("s3:DeleteObject",),
            ("*",),
            line_of_text(name, "- Effect: Deny"),
            "Policies[0] inline-data.Statement[1]",
            True,
            None,
        ),
        (
            Effect.ALLOW,
            ("sqs:SendMessage",),
            ("!GetAtt Queue.Arn",),
            line_of_text(name, "Action: sqs:SendMessage") - 1,
            "ExtraPolicy extra.Statement[0]",
            False,
            None,
        ),
    ]
    managed = [(m.arn, m.loc.line, m.aws_managed, [s.actions for s in m.statements]) for m in role.managed_policies]
    assert managed == [
        (
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            line_of_text(name, "AWSLambdaBasicExecutionRole"),
            True,
            [],
        ),
        ("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", line_of_text(name, "AmazonS3ReadOnlyAccess"), True, []),
        ("TablePolicy", line_of_text(name, "- !Ref TablePolicy"), False, [("dynamodb:PutItem",)]),
    ]
    assert [s.actions for s in role.trust] == [("sts:AssumeRole",)]

    external = only_function(out, "ExternalFunction").role
    assert external is not None and external.external
    assert (external.id, external.loc.line) == (
        "arn:aws:iam::123456789012:role/platform/lambda-exec",
        line_of_text(name, "role/platform/lambda-exec"),
    )
    imported = only_function(out, "ImportedRoleFunction").role
    assert imported is not None and imported.external and imported.id == "!ImportValue shared-stack-RoleArn"
    assert set(app.resources) == {
        "SharedRole",
        "TablePolicy",
        "ExtraPolicy",
        "Table",
        "Queue",
        "ReaderFunction",
        "WriterFunction",
        "ExternalFunction",
        "ImportedRoleFunction",
    }
    assert app.resources["Queue"].type == "AWS::SQS::Queue"


def test_api_gateway_v1_methods() -> None:
    name = "api-v1.yaml"
    out = load(name)
    assert out.errors == []
    fn = only_function(out, "OrdersFunction")
    got = sorted(
        (
            t.kind,
            t.method,
            t.path,
            t.public,
            t.authorizer.kind,
            t.authorizer.name,
            t.api_key_required,
            t.api,
            t.integration_timeout,
            t.loc.line,
        )
        for t in fn.triggers
    )
    rest = TriggerKind.API_REST
    assert got == sorted(
        [
            (rest, "GET", "/orders", True, AuthKind.NONE, None, False, "Api", 29, line_of_text(name, "PublicMethod:")),
            (
                rest,
                "DELETE",
                "/orders/{id}",
                True,
                AuthKind.COGNITO,
                "CognitoAuthorizer",
                False,
                "Api",
                29,
                line_of_text(name, "CognitoMethod:"),
            ),
            (
                rest,
                "POST",
                "/",
                True,
                AuthKind.LAMBDA,
                "TokenAuthorizer",
                False,
                "Api",
                29,
                line_of_text(name, "CustomMethod:"),
            ),
            (rest, "PUT", "/orders", True, AuthKind.API_KEY, None, True, "Api", 29, line_of_text(name, "KeyMethod:")),
            (
                rest,
                "ANY",
                "/",
                False,
                AuthKind.IAM,
                None,
                False,
                "PrivateApi",
                29,
                line_of_text(name, "PrivateMethod:"),
            ),
        ]
    )
    cognito = next(t for t in fn.triggers if t.method == "DELETE")
    assert cognito.authorizer.loc.line == line_of_text(name, "AuthorizationType: COGNITO_USER_POOLS")
    assert cognito.is_authenticated


def test_api_gateway_v2_routes() -> None:
    name = "api-v2.yaml"
    out = load(name)
    assert out.errors == []
    fn = only_function(out, "ItemsFunction")
    got = sorted(
        (
            t.kind,
            t.method,
            t.path,
            t.public,
            t.authorizer.kind,
            t.authorizer.origin,
            t.authorizer.name,
            t.integration_timeout,
            t.loc.line,
        )
        for t in fn.triggers
    )
    http = TriggerKind.API_HTTP
    assert got == sorted(
        [
            (
                http,
                "POST",
                "/items",
                True,
                AuthKind.JWT,
                Origin.SET,
                "JwtAuthorizer",
                30,
                line_of_text(name, "SecuredRoute:"),
            ),
            (
                http,
                "GET",
                "/items/{id}",
                True,
                AuthKind.NONE,
                Origin.DEFAULT,
                None,
                30,
                line_of_text(name, "OpenRoute:"),
            ),
        ]
    )


def test_function_urls() -> None:
    name = "function-url.yaml"
    out = load(name)
    fn = only_function(out, "UrlFunction")
    assert fn.url is not None
    assert (fn.url.auth_type.value, fn.url.auth_type.loc.line) == ("NONE", line_of_text(name, "AuthType: NONE"))
    assert fn.url.loc.line == line_of_text(name, "  Url:")
    assert (fn.url.cors_allow_origins, fn.url.cors_allow_credentials) == (("*",), True)
    (trig,) = fn.triggers
    assert (trig.kind, trig.public, trig.authorizer.kind) == (TriggerKind.FUNCTION_URL, True, AuthKind.NONE)
    iam = only_function(out, "IamFunction")
    assert iam.url is not None and iam.url.auth_type.value == "AWS_IAM"
    assert [t.authorizer.kind for t in iam.triggers] == [AuthKind.IAM]


def test_invoke_permissions() -> None:
    name = "permissions.yaml"
    out = load(name)
    assert out.errors == []
    got = [
        (p.function, p.principal, p.action, p.source_arn, p.source_account, p.function_url_auth_type, p.loc.line)
        for p in out.apps[0].permissions
    ]
    assert got == [
        ("Target", "*", "lambda:InvokeFunction", None, None, None, line_of_text(name, "AnyonePermission:")),
        (
            "Target",
            "s3.amazonaws.com",
            "lambda:InvokeFunction",
            "arn:aws:s3:::uploads",
            "!Ref AWS::AccountId",
            None,
            line_of_text(name, "BucketPermission:"),
        ),
        ("Target", "*", "lambda:InvokeFunctionUrl", None, None, "NONE", line_of_text(name, "UrlPermission:")),
        (None, "123456789012", "lambda:InvokeFunction", None, None, None, line_of_text(name, "ForeignPermission:")),
    ]


def test_event_sources() -> None:
    name = "events.yaml"
    out = load(name)
    assert out.errors == []
    fn = only_function(out, "Worker")
    got = sorted((t.kind, t.source, t.public, t.loc.line) for t in fn.triggers)
    assert got == sorted(
        [
            (TriggerKind.S3, "Uploads", False, line_of_text(name, "- Event: s3:ObjectCreated")),
            (TriggerKind.SNS, "Topic", False, line_of_text(name, "TopicSubscription:")),
            (TriggerKind.SCHEDULE, "Nightly", False, line_of_text(name, "Nightly:")),
            (TriggerKind.EVENTBRIDGE, "OnOrder", False, line_of_text(name, "OnOrder:")),
            (TriggerKind.SQS, "Queue", False, line_of_text(name, "QueueMapping:")),
            (
                TriggerKind.KINESIS,
                "arn:aws:kinesis:us-east-1:123456789012:stream/clicks",
                False,
                line_of_text(name, "StreamMapping:"),
            ),
            (TriggerKind.ALB, "TargetGroup", False, line_of_text(name, "  TargetGroup:")),  # behind an internal ALB
            (
                TriggerKind.ALB,
                "PublicTargetGroup",
                True,
                line_of_text(name, "PublicTargetGroup:"),
            ),  # unknown LB → public
            (TriggerKind.COGNITO, "UserPool", False, line_of_text(name, "PreSignUp:")),
        ]
    )
    assert all(t.authorizer.kind is AuthKind.NONE and t.authorizer.origin is Origin.DEFAULT for t in fn.triggers)
    assert (fn.on_failure.value, fn.on_failure.origin, fn.on_failure.loc.line) == (
        "!GetAtt FailureQueue.Arn",
        Origin.SET,
        line_of_text(name, "OnFailure:"),
    )


def test_log_groups_give_retention() -> None:
    name = "log-groups.yaml"
    out = load(name)
    assert out.errors == []
    ref = only_function(out, "RefFunction").log_retention_days
    assert (ref.value, ref.origin, ref.loc.line) == (14, Origin.SET, line_of_text(name, "RetentionInDays: 14"))
    named = only_function(out, "NamedFunction")
    assert (named.log_retention_days.origin, named.log_retention_days.loc) == (Origin.DEFAULT, named.loc)
    custom = only_function(out, "CustomGroupFunction").log_retention_days
    assert (custom.value, custom.loc.line) == (90, line_of_text(name, "RetentionInDays: 90"))
    assert only_function(out, "NoGroupFunction").log_retention_days.origin is Origin.DEFAULT


def test_parameters_conditions_and_mappings() -> None:
    name = "parameters-and-conditions.yaml"
    fn = only_function(load(name), "CondFunction")
    assert (fn.memory.value, fn.memory.origin, fn.memory.loc.line) == (
        512,
        Origin.SET,
        line_of_text(name, "MemorySize:"),
    )
    assert fn.timeout.value == 10  # FindInMap with the Env default
    assert fn.reserved_concurrency.value == 5  # IsProd is false with Env=dev
    assert fn.tracing.value == "PassThrough"  # IsDev = Not IsProd
    env = fn.environment
    assert env["ENV"].value == "dev"
    assert env["SHARED"].origin is Origin.UNRESOLVED and env["SHARED"].ref is not None
    assert (env["SHARED"].ref.kind, env["SHARED"].ref.text) == (
        RefKind.CLOUDFORMATION,
        "!ImportValue shared-stack-Value",
    )
    assert env["MAYBE"].origin is Origin.UNRESOLVED and env["MAYBE"].ref is not None
    assert env["MAYBE"].ref.text == "!If [UnknownCond, a, b]"
    assert env["NOVALUE"].ref is not None and env["NOVALUE"].ref.kind is RefKind.PARAMETER

    prod = only_function(load(name, params={"Env": "prod", "Undeclared": "x"}), "CondFunction")
    assert (prod.timeout.value, prod.reserved_concurrency.value, prod.tracing.value) == (60, 100, "Active")
    assert (prod.environment["MAYBE"].value, prod.environment["NOVALUE"].value) == ("a", "x")


def test_environment_secret_references() -> None:
    name = "env-secret-references.yaml"
    env = only_function(load(name), "SecretFunction").environment
    kinds = {k: (v.origin, v.ref.kind if v.ref else None) for k, v in env.items()}
    assert kinds == {
        "DB_PASSWORD": (Origin.UNRESOLVED, RefKind.SECRETS_MANAGER),
        "SECURE_TOKEN": (Origin.UNRESOLVED, RefKind.SSM_SECURE),
        "PLAIN_PARAM": (Origin.UNRESOLVED, RefKind.SSM),
        "SECRET_REF": (Origin.UNRESOLVED, RefKind.SECRET_RESOURCE),
        "PARAM_NAME": (Origin.UNRESOLVED, RefKind.SECRET_RESOURCE),
        "SECRET_ARN": (Origin.SET, RefKind.SECRET_ARN),
        "SUB_SECRET": (Origin.UNRESOLVED, RefKind.SECRETS_MANAGER),
        "API_KEY": (Origin.SET, None),
    }
    assert env["SECRET_ARN"].value == "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"
    assert all(env[k].is_secret_reference for k in kinds if k != "API_KEY")
    assert env["API_KEY"].value == "sk_live_plaintext_value" and not env["API_KEY"].is_secret_reference
    assert env["DB_PASSWORD"].loc.line == line_of_text(name, "DB_PASSWORD:")


def test_broken_resources_are_errors_and_the_rest_loads() -> None:
    name = "broken-resources.yaml"
    out = load(name)
    messages = sorted(e.message for e in out.errors)
    assert all(e.path == name and e.stage == "load" for e in out.errors)
    assert messages == sorted(
        [
            f"line {line_of_text(name, 'NotAMapping:')}: resource NotAMapping is not a mapping; skipped",
            f"line {line_of_text(name, 'NoType:')}: resource NoType has no Type; skipped",
            f"line {line_of_text(name, 'NoRuntime:')}: function NoRuntime has no Runtime; its code cannot be analysed",
            f"line {line_of_text(name, 'MissingRole')}: Fn::GetAtt to unknown resource or parameter 'MissingRole'",
            f"line {line_of_text(name, 'MissingTable')}: Ref to unknown resource or parameter 'MissingTable'",
        ]
    )
    assert [f.name for f in out.apps[0].functions] == ["NoRuntime", "TypoRole", "GoodFunction"]


def test_metadata_ignores() -> None:
    doc = discover(FIX / "broken-resources.yaml", ScanRoot.of(FIX)).docs[0]
    assert metadata_ignores(doc.data, doc.rel) == {
        "broken-resources.yaml#GoodFunction": [("DOS001", "batch job, concurrency is bounded upstream")]
    }


def test_read_resources_on_a_plain_resources_block() -> None:
    """The API the Serverless Framework loader uses on `resources.Resources` (plain dicts: line 0)."""
    block = {
        "Resources": {
            "HelloLambdaFunction": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "svc-dev-hello"}},
            "HelloLogGroup": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": "/aws/lambda/svc-dev-hello", "RetentionInDays": 7},
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "Policies": [
                        {
                            "PolicyName": "p",
                            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
                        }
                    ]
                },
            },
            "Open": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": {"Ref": "HelloLambdaFunction"},
                    "Principal": "*",
                    "Action": "lambda:InvokeFunction",
                },
            },
        }
    }
    parts = read_resources(block["Resources"], "serverless.yml", Resolver(block, "serverless.yml", {}))
    assert parts.errors == ()
    assert parts.log_groups == {"/aws/lambda/svc-dev-hello": (7, Loc("serverless.yml", 0))}
    assert [s.actions for s in parts.roles["Role"].statements] == [("s3:*",)]
    assert [(p.function, p.principal) for p in parts.permissions] == [("HelloLambdaFunction", "*")]
    assert parts.resources["HelloLambdaFunction"].type == "AWS::Lambda::Function"


def test_resolver_guards_against_cycles_and_huge_strings() -> None:
    template = {
        "Conditions": {"A": {"Condition": "B"}, "B": {"Condition": "A"}},
        "Parameters": {"P": {"Type": "String", "Default": "x" * 60_000}},
        "Resources": {},
    }
    r = Resolver(template, "t.yaml", {})
    assert r.condition("A") is None
    loc = Loc("t.yaml", 1)
    cyc = r.value({"Fn::If": ["A", "yes", "no"]}, loc)
    assert cyc.origin is Origin.UNRESOLVED
    huge = r.value({"Fn::Join": ["", [{"Ref": "P"}, {"Ref": "P"}]]}, loc)
    assert huge.origin is Origin.UNRESOLVED and huge.ref is not None and "longer than" in huge.ref.text
    deep: object = "leaf"
    for _ in range(100):
        deep = {"Fn::Join": ["", [deep]]}
    assert r.value(deep, loc).origin is Origin.UNRESOLVED


def test_cdk_asset_metadata_locates_the_function_code(tmp_path: Path) -> None:
    """`cdk synth` points Code at the S3 upload and names the local folder in `aws:asset:path`."""
    import json as _json

    from fnaudit.config import Config
    from fnaudit.pipeline import scan

    out = tmp_path / "cdk.out"
    (out / "asset.abc123").mkdir(parents=True)
    (out / "asset.abc123" / "index.py").write_text("def handler(event, context):\n    return {}\n")
    template = {
        "Resources": {
            "Fn9270CBC0": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Code": {"S3Bucket": {"Fn::Sub": "cdk-assets-${AWS::AccountId}"}, "S3Key": "abc123.zip"},
                    "Handler": "index.handler",
                    "Runtime": "python3.12",
                    "Role": "arn:aws:iam::123456789012:role/r",
                },
                "Metadata": {"aws:asset:path": "asset.abc123", "aws:asset:property": "Code"},
            }
        }
    }
    (out / "App.template.json").write_text(_json.dumps(template, indent=2))
    result = scan(out, Config(select=("OBS001",)))
    (fn,) = result.functions
    assert (fn.code.in_repo, fn.code.root, fn.code.handler_file, fn.code.handler_symbol) == (
        True,
        "asset.abc123",
        "asset.abc123/index.py",
        "handler",
    )


def test_nested_stacks_local_loaded_with_parameters_others_recorded() -> None:
    name = "nested-stacks"
    out = load(name)
    assert [(a.source, a.nested_in, [f.name for f in a.functions]) for a in out.apps] == [
        ("template.yaml", None, ["ApiFunction"]),
        ("stacks/child.yaml", "template.yaml#ChildStack", ["ChildFunction"]),
        ("stacks/self.yaml", "template.yaml#SelfStack", []),
        # a CDK nested stack: the URL is computed, `Metadata` names the local template in cdk.out
        ("stacks/CdkNested.nested.template.json", "template.yaml#CdkNestedStack", ["CdkFunction"]),
    ]
    parent, child, itself, _ = out.apps
    t = f"{name}/template.yaml"
    assert [(c.logical_id, c.kind, c.location, c.loaded_as, c.loc.line) for c in parent.components] == [
        (
            "ChildStack",
            ComponentKind.NESTED,
            "./stacks/child.yaml",
            "stacks/child.yaml",
            line_of_text(t, "TemplateURL: ./stacks/child.yaml"),
        ),
        (
            "RemoteStack",
            ComponentKind.REMOTE,
            "https://s3.amazonaws.com/templates/remote.yaml",
            None,
            line_of_text(t, "TemplateURL: https://"),
        ),
        ("ComputedStack", ComponentKind.UNRESOLVED, "!Ref ChildUrl", None, line_of_text(t, "TemplateURL: !Ref")),
        ("OutsideStack", ComponentKind.UNRESOLVED, "../../outside.yaml", None, line_of_text(t, "../../outside.yaml")),
        (
            "SelfStack",
            ComponentKind.NESTED,
            "stacks/self.yaml",
            "stacks/self.yaml",
            line_of_text(t, "TemplateURL: stacks/self.yaml"),
        ),
        (
            "CdkNestedStack",
            ComponentKind.NESTED,
            "stacks/CdkNested.nested.template.json",
            "stacks/CdkNested.nested.template.json",
            line_of_text(t, "TemplateURL: !Join"),
        ),
    ]
    assert [(c.logical_id, c.kind, c.note) for c in itself.components] == [
        ("Again", ComponentKind.UNRESOLVED, "nested applications form a cycle or nest too deeply; not loaded again")
    ]
    table = child.functions[0].environment["TABLE"]
    assert (table.value, table.origin, table.loc) == ("staging-orders", Origin.SET, Loc("stacks/child.yaml", 17))
    assert [(e.path, e.message.split(";")[0], e.loss) for e in out.errors] == [
        (
            "template.yaml",
            f"line {line_of_text(t, 's3://bucket/openapi.yaml')}: AWS::Include of "
            "s3://bucket/openapi.yaml is not fetched",
            Loss.PARTIAL,
        ),
        (  # an include is confined to the scanned folder like every other file
            "template.yaml",
            f"line {line_of_text(t, 'Location: ../api-v1.yaml')}: AWS::Include of ../api-v1.yaml cannot be read "
            f"('../api-v1.yaml' points outside the scanned folder {(FIX / name).resolve()}",
            Loss.PARTIAL,
        ),
        ("stacks/self.yaml", "line 6: Again: nested applications form a cycle or nest too deeply", Loss.PARTIAL),
        (
            "template.yaml",
            f"line {line_of_text(t, 'TemplateURL: !Ref')}: nested application ComputedStack: its "
            "location (!Ref ChildUrl) is not known from the template",
            Loss.PARTIAL,
        ),
        (
            "template.yaml",
            f"line {line_of_text(t, '../../outside.yaml')}: nested application OutsideStack: "
            "'../../outside.yaml' points outside the scanned folder "
            f"{(FIX / name).resolve()}",
            Loss.PARTIAL,
        ),
    ]
    assert out.consumed == {
        "stacks/child.yaml",
        "stacks/self.yaml",
        "stacks/CdkNested.nested.template.json",
        "api/openapi.yaml",
    }


def test_local_aws_include_body_is_inlined_and_its_routes_read() -> None:
    name = "nested-stacks"
    out = load(name)
    fn = out.apps[0].function("ApiFunction")
    assert fn is not None
    # the included file's nodes are located at the include's `Location` line of the template
    assert [(t.kind, t.method, t.path, t.api, t.authorizer.kind, t.loc) for t in fn.triggers] == [
        (
            TriggerKind.API_REST,
            "GET",
            "/orders",
            "Api",
            AuthKind.NONE,
            Loc("template.yaml", line_of_text(f"{name}/template.yaml", "Location: api/openapi.yaml")),
        )
    ]
