"""CDK loader, more constructs and props (tests/loaders/fixtures/cdk/constructs-{ts,py}): each prop lowered to the
CloudFormation CDK writes for it, at the line of the prop; exact values, lines found by a marker text."""

from __future__ import annotations

from pathlib import Path

from fnaudit.loaders import LoadOptions, LoadOutcome, ScanRoot, load_all
from fnaudit.model import App, Loc, Origin, TriggerKind

FIX = Path(__file__).parent / "fixtures" / "cdk"
TS, TS_FILE = "constructs-ts", "lib/kit-stack.ts"
PY, PY_FILE = "constructs-py", "kit/kit_stack.py"


def load(name: str) -> LoadOutcome:
    target = FIX / name
    outcome, _ = load_all(target, ScanRoot.of(target), LoadOptions())
    return outcome


def app_of(name: str) -> App:
    out = load(name)
    assert out.errors == []
    (app,) = out.apps
    return app


def line(name: str, rel: str, text: str, nth: int = 1) -> int:
    hits = [i for i, x in enumerate((FIX / name / rel).read_text().splitlines(), start=1) if text in x]
    return hits[nth - 1]


def ts(text: str, nth: int = 1) -> Loc:
    return Loc(TS_FILE, line(TS, TS_FILE, text, nth))


def py(text: str, nth: int = 1) -> Loc:
    return Loc(PY_FILE, line(PY, PY_FILE, text, nth))


def test_function_props_architecture_layers_dead_letter_log_group_concurrency() -> None:
    app = app_of(TS)
    fns = {f.name: f for f in app.functions}
    worker, quiet = fns["Kit/Worker"], fns["Kit/Quiet"]
    assert (worker.architecture.value, worker.architecture.loc) == ("arm64", ts("architecture:"))
    assert [(v.ref.text if v.ref else None, v.loc) for v in worker.layers] == [("!Ref Kit/Shared", ts("layers:"))]
    assert app.resources["Kit/Shared"].type == "AWS::Lambda::LayerVersion"
    assert (worker.reserved_concurrency.value, worker.reserved_concurrency.loc) == (5, ts("reservedConcurrent"))
    # `deadLetterQueue: q` names the queue; `deadLetterQueueEnabled: true` is the queue CDK makes
    assert worker.dead_letter.ref is not None and worker.dead_letter.ref.text == "!GetAtt Kit/Failures.Arn"
    assert worker.dead_letter.loc == ts("deadLetterQueue: failures")
    assert quiet.dead_letter.ref is not None
    assert quiet.dead_letter.ref.text == "!GetAtt Kit/Quiet/DeadLetterQueue.Arn"
    assert quiet.dead_letter.loc == ts("deadLetterQueueEnabled")
    assert app.resources["Kit/Quiet/DeadLetterQueue"].type == "AWS::SQS::Queue"
    # `onFailure` as a prop and through `configureAsyncInvoke`: the EventInvokeConfig, at the destination's line
    assert (worker.on_failure.value, worker.on_failure.loc) == ("!GetAtt Kit/Failures.Arn", ts("onFailure:"))
    assert (quiet.on_failure.value, quiet.on_failure.loc) == ("!GetAtt Kit/Failures.Arn", ts("onFailure:", 2))
    invoke = app.resources["Kit/Worker/EventInvokeConfig"].properties
    assert invoke["MaximumRetryAttempts"] == 1
    # `logGroup: new logs.LogGroup(..., { retention })`: the retention of that group, at its line
    assert (worker.log_retention_days.value, worker.log_retention_days.loc) == (7, ts("retention: logs.Retention"))


def test_secrets_references_and_plaintext() -> None:
    for name, at in ((TS, ts), (PY, py)):
        (fn,) = [f for f in app_of(name).functions if f.name == "Kit/Worker"]
        env = fn.environment
        # an SSM parameter and an imported secret are references: unresolved, never a value
        assert (env["API_KEY"].origin, env["API_KEY"].loc) == (Origin.UNRESOLVED, at("API_KEY"))
        assert env["API_KEY"].ref is not None and "ssm:/kit/api-key" in env["API_KEY"].ref.text
        # `SecretValue.unsafePlainText('x').unsafeUnwrap()`: the secret, as written in the app
        assert (env["ADMIN_PASSWORD"].value, env["ADMIN_PASSWORD"].origin) == ("hunter2-Xq9!", Origin.SET)
        assert env["ADMIN_PASSWORD"].loc == at("ADMIN_PASSWORD")
    (worker,) = [f for f in app_of(TS).functions if f.name == "Kit/Worker"]
    assert worker.environment["DB_PASSWORD"].origin is Origin.UNRESOLVED  # `fromSecretNameV2(...).secretValue`


def test_add_permission_principal_source_and_line() -> None:
    app = app_of(TS)
    got = sorted((p.principal, p.source_arn, p.source_account, p.principal_loc) for p in app.permissions)
    assert got == [
        ("*", None, None, ts("principal: new iam.AnyPrincipal()")),
        ("s3.amazonaws.com", "arn:aws:s3:::kit-uploads", "123456789012", ts("principal: new iam.ServicePrincipal")),
    ]
    (perm,) = app_of(PY).permissions
    assert (perm.principal, perm.action, perm.principal_loc) == ("*", "lambda:InvokeFunction", py("AnyPrincipal"))


def test_stream_event_sources_and_their_grants() -> None:
    app = app_of(TS)
    (worker,) = [f for f in app.functions if f.name == "Kit/Worker"]
    got = [(t.kind, t.source, t.loc) for t in worker.triggers if t.kind is not TriggerKind.API_REST]
    assert got == [
        (TriggerKind.DYNAMODB_STREAM, "Kit/Orders", ts("new DynamoEventSource")),
        (TriggerKind.KINESIS, "Kit/Clicks", ts("new KinesisEventSource")),
    ]
    esm = app.resources["Kit/Worker/KinesisEventSource:Kit/Clicks"].properties
    assert (esm["StartingPosition"], esm["BatchSize"]) == ("TRIM_HORIZON", 50)
    assert app.resources["Kit/Orders"].properties["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    assert worker.role is not None
    assert [(s.actions[0], s.loc) for s in worker.role.statements] == [
        ("sqs:SendMessage", ts("deadLetterQueue: failures")),  # as CDK does, for the dead-letter queue
        ("sqs:SendMessage", ts("onFailure:")),  # and for the `SqsDestination`
        ("dynamodb:ListStreams", ts("new DynamoEventSource")),
        ("kinesis:DescribeStreamSummary", ts("new KinesisEventSource")),
    ]
    (fn,) = app_of(PY).functions
    assert [(t.kind, t.loc) for t in fn.triggers] == [(TriggerKind.DYNAMODB_STREAM, py("worker.add_event_source("))]


def test_policies_managed_policies_and_trust_principals() -> None:
    app = app_of(TS)
    ops, quiet = app.roles["Kit/Ops"], app.roles["Kit/Quiet/ServiceRole"]
    assert [(t.principals, t.loc) for t in ops.trust] == [(("AWS:*",), ts("assumedBy: new iam.AnyPrincipal()"))]
    # one `iam.Policy`, attached by `policy.attachToRole(ops)` and `quiet.role!.attachInlinePolicy(policy)`
    read = (("s3:GetObject",), ts("actions: ['s3:GetObject']"))
    assert [(s.actions, s.loc) for s in ops.statements] == [read]
    send = ("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl")  # `grantSendMessages`
    assert [(s.actions, s.loc) for s in quiet.statements] == [
        (("sqs:SendMessage",), ts("deadLetterQueueEnabled")),
        (send, ts("onFailure:", 2)),
        read,
    ]
    assert app.resources["Kit/ReadAll"].properties["Roles"] == [{"Ref": "Kit/Ops"}, {"Ref": "Kit/Quiet/ServiceRole"}]
    managed = app.resources["Kit/Audit"]
    assert managed.type == "AWS::IAM::ManagedPolicy" and managed.properties["Roles"] == [{"Ref": "Kit/Ops"}]
    py_ops = app_of(PY).roles["Kit/Ops"]
    principals = ("Service:lambda.amazonaws.com", "AWS:arn:aws:iam::123456789012:role/deployer")
    assert [(t.principals, t.loc) for t in py_ops.trust] == [(principals, py("assumed_by="))]
    assert [(s.actions, s.loc) for s in py_ops.statements] == [(("lambda:UpdateFunctionCode",), py("PolicyStatement"))]


def test_bucket_public_access() -> None:
    app = app_of(TS)
    site = app.resources["Kit/Site"].properties
    assert site["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    }
    policy = app.resources["Kit/Site/Policy"]
    assert (policy.type, policy.loc) == ("AWS::S3::BucketPolicy", ts("publicReadAccess: true"))
    (stmt,) = policy.properties["PolicyDocument"]["Statement"]
    assert (stmt["Principal"], stmt["Action"]) == ({"AWS": "*"}, "s3:GetObject")
    py_site = app_of(PY).resources["Kit/Site"].properties
    assert py_site["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": False}
    assert py_site["AccessControl"] == "PublicRead"


def test_rest_api_throttling_usage_plan_validator_cors_and_http_cors() -> None:
    apis = {a.id: a for a in app_of(TS).apis}
    rest, http = apis["Kit/Api"], apis["Kit/Feed"]
    assert [(t.target, t.rate, t.burst, t.loc) for t in rest.throttles] == [
        ("*", 100.0, 200.0, ts("throttlingRateLimit: 100")),
        ("POST /orders", 5.0, None, ts("'/orders/POST'")),
    ]
    (plan,) = rest.usage_plans
    assert plan.throttle is not None
    assert (plan.id, plan.loc, plan.throttle.rate, plan.throttle.burst) == (
        "Kit/Api/Plan",
        ts("addUsagePlan"),
        10.0,
        20.0,
    )
    assert (plan.quota_limit, plan.quota_period) == (1000, "DAY")
    (post,) = rest.methods
    assert (post.method, post.path, post.validator) == ("POST", "/orders", "Kit/Api/Default/orders/POST/validator")
    assert post.loc == ts("orders.addMethod('POST'")
    # the preflight CDK adds on the root and on each resource below it, at the `allowOrigins` line
    got = [(c.target, c.origins, c.credentials, c.loc) for c in rest.cors]
    origins = ("https://kit.example.com",)
    assert got == [
        ("/", origins, True, ts("allowOrigins: ['https")),
        ("/orders", origins, True, ts("allowOrigins: ['https")),
    ]
    assert [(c.origins, c.credentials, c.loc) for c in http.cors] == [(("*",), False, ts("corsPreflight:"))]


def test_python_async_invoke_on_success_and_dead_letter_queue_enabled() -> None:
    app = app_of(PY)
    (fn,) = app.functions
    assert fn.on_failure.origin is Origin.DEFAULT  # only `on_success` given
    invoke = app.resources["Kit/Worker/EventInvokeConfig"]
    assert invoke.loc == py("configure_async_invoke")
    assert invoke.properties["DestinationConfig"] == {
        "OnSuccess": {"Destination": {"Fn::GetAtt": ["Kit/Worker", "Arn"]}}
    }
    assert invoke.properties["MaximumEventAgeInSeconds"] == 3600
    assert fn.dead_letter.ref is not None and fn.dead_letter.ref.text == "!GetAtt Kit/Worker/DeadLetterQueue.Arn"
    assert (fn.architecture.value, fn.architecture.loc) == ("x86_64", py("architecture="))


def _app(tmp_path: Path, files: dict[str, str]) -> LoadOutcome:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    outcome, _ = load_all(tmp_path, ScanRoot.of(tmp_path), LoadOptions())
    return outcome


def test_event_source_mapping_construct_and_method(tmp_path: Path) -> None:
    stack = (
        "import * as cdk from 'aws-cdk-lib';\n"
        "import * as lambda from 'aws-cdk-lib/aws-lambda';\n"
        "import * as sqs from 'aws-cdk-lib/aws-sqs';\n"
        "class S extends cdk.Stack {\n"
        "  constructor(scope: cdk.App, id: string) {\n"
        "    super(scope, id);\n"
        "    const queue = new sqs.Queue(this, 'Q');\n"
        "    const fn = new lambda.Function(this, 'F', {\n"
        "      code: lambda.Code.fromAsset('src'), handler: 'app.handler', runtime: lambda.Runtime.NODEJS_22_X,\n"
        "    });\n"
        "    new lambda.EventSourceMapping(this, 'M', {\n"
        "      target: fn,\n"
        "      eventSourceArn: queue.queueArn,\n"
        "      batchSize: 10,\n"
        "    });\n"
        "    fn.addEventSourceMapping('Other', {\n"
        "      eventSourceArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/s' });\n"
        "  }\n"
        "}\n"
        "new S(new cdk.App(), 'S');\n"
    )
    out = _app(
        tmp_path,
        {
            "cdk.json": '{"app": "npx ts-node bin/app.ts"}\n',
            "bin/app.ts": stack,
            "src/app.js": "exports.handler = 1;\n",
        },
    )
    assert out.errors == []
    (fn,) = out.apps[0].functions
    got = [(t.kind, t.source, t.loc.line) for t in fn.triggers]
    assert got == [
        (TriggerKind.SQS, "S/Q", 11),
        (TriggerKind.KINESIS, "arn:aws:kinesis:eu-west-1:123456789012:stream/s", 16),
    ]
    assert out.apps[0].resources["S/M"].properties["BatchSize"] == 10


def test_cdk_v1_lambda_proxy_integration_is_the_route_target(tmp_path: Path) -> None:
    app = (
        "from aws_cdk import core as cdk, aws_apigatewayv2 as apigatewayv2, aws_lambda as lambda_\n"
        "from aws_cdk import aws_apigatewayv2_integrations as integrations\n"
        "class ApiStack(cdk.Stack):\n"
        "    def __init__(self, scope, construct_id, **kwargs):\n"
        "        super().__init__(scope, construct_id, **kwargs)\n"
        "        fn = lambda_.Function(self, 'Fn', runtime=lambda_.Runtime.PYTHON_3_12,\n"
        "                              handler='index.handler', code=lambda_.Code.from_asset('src'))\n"
        "        api = apigatewayv2.HttpApi(self, 'Http')\n"
        "        api.add_routes(path='/items', methods=[apigatewayv2.HttpMethod.GET],\n"
        "                       integration=integrations.LambdaProxyIntegration(handler=fn))\n"
        "app = cdk.App()\n"
        "ApiStack(app, 'Api')\n"
    )
    out = _app(tmp_path, {"cdk.json": '{"app": "python3 app.py"}\n', "app.py": app, "src/index.py": "x = 1\n"})
    assert out.errors == []
    (fn,) = out.apps[0].functions
    assert [(t.kind, t.method, t.path, t.loc.line) for t in fn.triggers] == [(TriggerKind.API_HTTP, "GET", "/items", 9)]
