"""CDK loader: apps read from their TypeScript / JavaScript / Python source (tests/loaders/fixtures/cdk/<case>),
never synthesised; exact fields, and lines found in the fixture by a marker text."""

from __future__ import annotations

from pathlib import Path

from fnaudit.errors import Loss, ScanError
from fnaudit.loaders import LoadOptions, LoadOutcome, ScanRoot, load_all
from fnaudit.loaders.cdk.functions import runtime_name
from fnaudit.loaders.cdk.interp import lib_sym
from fnaudit.loaders.cdk.values import Sym, Unknown
from fnaudit.model import AuthKind, Dialect, Function, Loc, Origin, TriggerKind

FIX = Path(__file__).parent / "fixtures" / "cdk"
MANAGED_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def load(name: str) -> LoadOutcome:
    target = FIX / name
    outcome, _ = load_all(target, ScanRoot.of(target), LoadOptions())
    return outcome


def line(name: str, rel: str, text: str, nth: int = 1) -> int:
    hits = [i for i, x in enumerate((FIX / name / rel).read_text().splitlines(), start=1) if text in x]
    return hits[nth - 1]


def functions(outcome: LoadOutcome) -> dict[str, Function]:
    assert len(outcome.apps) == 1
    return {f.name: f for f in outcome.apps[0].functions}


def test_typescript_app_stacks_props_and_helper_construct() -> None:
    out = load("ts-shop")
    assert out.errors == []
    app = out.apps[0]
    assert (app.dialect, app.source) == (Dialect.CDK, "bin/shop.ts")
    fns = functions(out)
    assert sorted(fns) == [
        "ShopApi/Admin",
        "ShopApi/Notify",
        "ShopApi/Orders",
        "ShopApi/Search",
        "ShopApi/Worker/Handler",
    ]
    api = "lib/api-stack.ts"
    orders = fns["ShopApi/Orders"]
    assert orders.loc == Loc(api, line("ts-shop", api, "new lambda.Function(this, 'Orders'"))
    assert (orders.runtime.value, orders.runtime.loc) == ("python3.12", Loc(api, line("ts-shop", api, "PYTHON_3_12")))
    assert (orders.handler.value, orders.memory.value) == ("app.handler", 512)
    # `path.join(__dirname, '../lambda/orders')`: relative to the stack's file
    assert orders.code.language == "python" and orders.code.handler_file == "lambda/orders/app.py"
    # a prop passed by the entry (`stage`), a literal secret, a construct attribute and an unknown value
    assert orders.environment["STAGE"].value == "prod-eu"  # `stage + '-eu'` in the entry, passed as a prop
    assert orders.environment["STAGE"].loc == Loc(api, line("ts-shop", api, "STAGE: props.stage"))
    assert orders.environment["STRIPE_API_KEY"].value.startswith("sk_live_")
    assert orders.environment["TABLE_NAME"].origin is Origin.UNRESOLVED
    assert orders.environment["BUILD_ID"].origin is Origin.UNRESOLVED
    # the role CDK makes, with the grants expanded at the grant's line
    role = orders.role
    assert role is not None and role.id == "ShopApi/Orders/ServiceRole"
    assert [s.principals for s in role.trust] == [("Service:lambda.amazonaws.com",)]
    assert [m.name for m in role.managed_policies] == ["AWSLambdaBasicExecutionRole"]
    got = [(s.actions[:2], s.loc) for s in role.statements]
    assert got == [
        (("dynamodb:BatchGetItem", "dynamodb:Query"), Loc(api, line("ts-shop", api, "grantReadWriteData"))),
        (("sqs:SendMessage", "sqs:GetQueueAttributes"), Loc(api, line("ts-shop", api, "grantSendMessages"))),
    ]
    assert "dynamodb:PutItem" in role.statements[0].actions
    # REST API: GET without an authorizer, POST with the Cognito one
    routes = sorted((t.kind, t.method, t.path, t.authorizer.kind, t.loc.line) for t in orders.triggers)
    assert routes == [
        (TriggerKind.API_REST, "GET", "/orders", AuthKind.NONE, line("ts-shop", api, "addMethod('GET'")),
        (TriggerKind.API_REST, "POST", "/orders", AuthKind.COGNITO, line("ts-shop", api, "addMethod('POST'")),
    ]


def test_typescript_function_url_wildcard_policy_and_event_source() -> None:
    fns = functions(load("ts-shop"))
    api = "lib/api-stack.ts"
    admin = fns["ShopApi/Admin"]
    assert admin.url is not None and admin.url.auth_type.value == "NONE"
    assert admin.url.auth_type.loc == Loc(api, line("ts-shop", api, "authType: lambda.FunctionUrlAuthType.NONE"))
    # `Code.fromAsset('lambda/admin')`: relative to cdk.json's folder, where CDK runs
    assert admin.code.handler_file == "lambda/admin/admin.py"
    assert admin.role is not None
    assert [(s.actions, s.resources, s.loc) for s in admin.role.statements] == [
        (("s3:*",), ("*",), Loc(api, line("ts-shop", api, "new iam.PolicyStatement")))
    ]
    worker = fns["ShopApi/Worker/Handler"]  # made by a construct class the stack instantiates
    assert worker.loc == Loc("lib/worker.ts", line("ts-shop", "lib/worker.ts", "new lambda.Function"))
    assert (worker.runtime.value, worker.timeout.value) == ("nodejs14.x", 120)
    assert worker.code.handler_file == "lambda/worker/index.js"
    (trigger,) = worker.triggers
    assert (trigger.kind, trigger.source) == (TriggerKind.SQS, "ShopData/Jobs")
    assert trigger.loc == Loc("lib/worker.ts", line("ts-shop", "lib/worker.ts", "addEventSource"))
    assert worker.role is not None
    assert [s.actions[0] for s in worker.role.statements] == ["sqs:ReceiveMessage"]


def test_nodejs_function_entry_default_and_given() -> None:
    fns = functions(load("ts-shop"))
    notify, search = fns["ShopApi/Notify"], fns["ShopApi/Search"]
    # no entry: `<defining file>.<id>.ts` beside the stack's file; no runtime: CDK's pick, unresolved
    assert (notify.handler.value, notify.code.handler_file) == ("api-stack.Notify.handler", "lib/api-stack.Notify.ts")
    assert notify.runtime.origin is Origin.UNRESOLVED
    assert (search.runtime.value, search.handler.value) == ("nodejs20.x", "search.main")
    assert search.code.handler_file == "lambda/search/search.ts"


def test_python_app_http_api_grants_roles_and_schedule() -> None:
    out = load("py-shop")
    assert out.errors == []
    assert out.apps[0].source == "app.py"
    fns = functions(out)
    api = "shop/api_stack.py"
    orders, report, ingest = fns["ShopApi/Orders"], fns["ShopApi/Report"], fns["ShopApi/Ingest"]
    # a module constant, snake-case props, `os.path.join(os.path.dirname(__file__), ...)`
    assert (orders.runtime.value, orders.handler.value, orders.timeout.value) == ("python3.12", "main.handler", 10)
    assert orders.code.handler_file == "functions/orders/main.py"
    assert (orders.tracing.value, orders.log_retention_days.value) == ("Active", 7)
    assert orders.log_retention_days.loc == Loc(api, line("py-shop", api, "log_retention="))
    assert orders.environment["STAGE"].value == "prod"
    assert orders.role is not None
    (read,) = orders.role.statements
    assert read.loc == Loc(api, line("py-shop", api, "grant_read_data"))
    assert "dynamodb:Query" in read.actions and "dynamodb:PutItem" not in read.actions
    ((kind, method, path, auth),) = [(t.kind, t.method, t.path, t.authorizer.kind) for t in orders.triggers]
    assert (kind, method, path, auth) == (TriggerKind.API_HTTP, "GET", "/orders", AuthKind.JWT)
    # PythonFunction: entry folder + index + default handler name
    assert (report.runtime.value, report.handler.value) == ("python3.8", "report.handler")
    assert report.runtime.loc == Loc(api, line("py-shop", api, "PYTHON_3_8"))
    assert report.code.handler_file == "functions/report/report.py"
    got = sorted((t.kind, t.path, t.authorizer.kind) for t in report.triggers)
    assert got == [(TriggerKind.API_HTTP, "/report", AuthKind.NONE), (TriggerKind.SCHEDULE, None, AuthKind.NONE)]
    # an explicit role: no role made for the function, its managed policy at the call's line
    assert ingest.role is not None and ingest.role.id == "ShopApi/OpsRole"
    assert [(m.name, m.loc) for m in ingest.role.managed_policies] == [
        ("AdministratorAccess", Loc(api, line("py-shop", api, "add_managed_policy")))
    ]
    ((kind2, source),) = [(t.kind, t.source) for t in ingest.triggers]
    assert (kind2, source) == (TriggerKind.S3, "ShopData/Uploads")


def test_asset_outside_the_root_loops_and_imports_are_errors_not_guesses() -> None:
    out = load("escape")
    fns = functions(out)
    assert sorted(fns) == ["Escape/Outside", "Escape/Reader"]  # the two functions made in a loop are not guessed
    assert fns["Escape/Outside"].code.in_repo is False
    app = "bin/app.js"
    got = sorted((e.path, int(e.message.split(":")[0].removeprefix("line ")), e.loss) for e in out.errors)
    assert got == [
        (app, line("escape", app, "fromAsset('../../../outside')"), Loss.PARTIAL),
        (app, line("escape", app, "for (const name"), Loss.PARTIAL),
        (app, line("escape", app, "new lambda.Alias"), Loss.PARTIAL),
        (app, line("escape", app, "shared.grantReadData"), Loss.PARTIAL),
    ]
    by_line = {int(e.message.split(":")[0].removeprefix("line ")): e.message for e in out.errors}
    assert "outside the scanned folder" in by_line[line("escape", app, "fromAsset('../../../outside')")]
    assert by_line[line("escape", app, "new lambda.Alias")].endswith("aws-lambda.Alias is not read from CDK source")
    # an imported role (`Role.fromRoleArn`) is not this app's: the function's role is unresolved
    reader = fns["Escape/Reader"]
    assert reader.role is not None
    assert (reader.role.id, reader.role.external, reader.role.statements) == ("!Ref Escape/Ext", True, ())


def test_java_cdk_app_is_detected_and_reported_as_not_read() -> None:
    out = load("java")
    assert out.apps == []
    assert out.errors == [
        ScanError(
            "cdk.json",
            "a CDK app in a language fnaudit does not read from source yet (only TypeScript, JavaScript, Python): "
            "'mvn -e -q compile exec:java'",
            "discover",
            Loss.APP,
        )
    ]


def test_library_symbols_of_cdk_v1_and_v2() -> None:
    assert lib_sym("aws-cdk-lib", "aws_lambda").attr("Function") == Sym("aws-lambda.Function")
    assert lib_sym("aws-cdk-lib/aws-lambda", None).attr("Runtime") == Sym("aws-lambda.Runtime")
    assert lib_sym("@aws-cdk/aws-lambda-python-alpha", "PythonFunction") == Sym("aws-lambda-python.PythonFunction")
    assert lib_sym("@aws-cdk/core", None).attr("Duration") == Sym("Duration")
    assert lib_sym("aws_cdk", "core").attr("Stack") == Sym("Stack")
    assert lib_sym("aws_cdk", None).attr("aws_sqs").attr("Queue") == Sym("aws-sqs.Queue")
    assert lib_sym("aws_cdk.aws_lambda_event_sources", "SqsEventSource") == Sym(
        "aws-lambda-event-sources.SqsEventSource"
    )


def test_runtime_enum_names() -> None:
    assert runtime_name(Sym("aws-lambda.Runtime.NODEJS_18_X")) == "nodejs18.x"
    assert runtime_name(Sym("aws-lambda.Runtime.PROVIDED_AL2023")) == "provided.al2023"
    assert runtime_name(Sym("aws-lambda.Runtime.JAVA_21")) == "java21"
    assert runtime_name(Sym("aws-lambda.Runtime.DOTNET_CORE_3_1")) == "dotnetcore3.1"
    assert runtime_name(Sym("aws-lambda.Runtime.GO_1_X")) == "go1.x"
    assert isinstance(runtime_name(Sym("aws-lambda.Runtime.NODEJS_LATEST")), Unknown)


def test_typescript_constructs_rest_proxy_schedules_notifications_image_inline() -> None:
    out = load("ts-constructs")
    assert out.errors == []
    fns = functions(out)
    app = "bin/app.ts"
    hello, image, inline = fns["Demo/Hello"], fns["Demo/Image"], fns["Demo/Inline"]
    # an explicit role with its managed policy from the props, at the policy's line
    assert hello.role is not None and hello.role.id == "Demo/HelloRole"
    assert [(m.name, m.loc.line) for m in hello.role.managed_policies] == [
        ("AWSLambdaBasicExecutionRole", line("ts-constructs", app, "fromAwsManagedPolicyName"))
    ]
    assert hello.reserved_concurrency.value == 5
    got = sorted((t.kind, t.path, t.method, t.authorizer.kind, t.source) for t in hello.triggers)
    assert got == [
        (TriggerKind.API_REST, "/", "ANY", AuthKind.NONE, None),  # LambdaRestApi: proxy on every path
        (TriggerKind.API_REST, "/{proxy+}", "ANY", AuthKind.NONE, None),
        (TriggerKind.API_HTTP, "/admin", "GET", AuthKind.IAM, None),  # a route's own authorizer
        (TriggerKind.API_HTTP, "/hello", "POST", AuthKind.JWT, None),  # the API's default authorizer
        (TriggerKind.SCHEDULE, None, None, AuthKind.NONE, "Demo/Nightly"),
    ]
    # grants on a role given to the function land on that role
    assert [(s.actions, s.loc.line) for s in hello.role.statements] == [
        (("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"), line("ts-constructs", app, "grantRead"))
    ]
    # a container image: no code read, and said so
    assert image.package_type == "Image" and image.code.in_repo is False
    assert image.code.note == "container image built by CDK from lambda/image; code not read"
    assert sorted((t.kind, t.source) for t in image.triggers) == [
        (TriggerKind.S3, "Demo/Drop"),
        (TriggerKind.SNS, "Demo/Alerts"),
    ]
    assert image.role is not None
    assert [s.actions for s in image.role.statements] == [("lambda:InvokeFunction",)]
    # inline code, laid out on the line of its string; a context lookup stays unresolved
    assert inline.code.inline is not None
    assert inline.code.inline.first_line == line("ts-constructs", app, "code: lambda.Code.fromInline")
    assert inline.code.inline.text.strip() == "def handler(event, context):\n    return 1"
    # GoFunction: the entry folder is the code, `bootstrap` the handler
    mover = fns["Demo/Mover"]
    assert (mover.runtime.value, mover.handler.value) == ("provided.al2023", "bootstrap")
    assert (mover.code.language, mover.code.handler_file) == ("go", "lambda/mover/main.go")


def _findings(folder: Path) -> set[tuple[str, str, str]]:
    from fnaudit.config import Config
    from fnaudit.pipeline import scan
    from tests.conftest import SCAN_DATE

    result = scan(folder, Config(today=SCAN_DATE))
    assert list(result.errors) == []
    return {(f.rule_id, (f.function or "").rsplit("/", 1)[-1], f.severity.value) for f in result.findings}


def test_parity_with_the_same_app_written_in_sam() -> None:
    cdk, sam = _findings(FIX / "parity" / "cdk"), _findings(FIX / "parity" / "sam")
    assert ("PATH001", "Report", "critical") in cdk
    # SAM attaches the AWS managed AWSLambdaSQSQueueExecutionRole (sqs:DeleteMessage on `*`) for an SQS
    # event; CDK's SqsEventSource grants the consume actions on the queue alone: the one real difference
    assert sam - cdk == {("IAM003", "Worker", "info")}
    assert cdk - sam == set()


def test_python_l1_function_and_role_inline_policies() -> None:
    out = load("py-l1")
    assert out.errors == []
    fn = functions(out)["Legacy/Fn"]
    assert fn.loc == Loc("app.py", line("py-l1", "app.py", "lambda_.CfnFunction("))
    assert (fn.runtime.value, fn.runtime.loc.line) == ("python3.9", line("py-l1", "app.py", 'runtime="python3.9"'))
    assert fn.environment["MODE"].value == "legacy"  # a map's keys keep their spelling
    assert fn.environment["TABLE"].value == "legacy-table"  # `PREFIX + "-table"`: text joined
    assert fn.code.inline is not None and fn.code.inline.first_line == line("py-l1", "app.py", "zip_file=")
    assert fn.role is not None and fn.role.id == "Legacy/Role"  # `role.role_arn` → the role
    got = [(s.actions, s.resources, s.loc.line) for s in fn.role.statements]
    assert got == [
        (("dynamodb:*",), ("*",), line("py-l1", "app.py", "iam.PolicyStatement(actions=")),
        # built step by step: `PolicyStatement()`, `add_actions`, `add_resources`, then `add_to_policy`
        (
            ("logs:CreateLogGroup", "logs:PutLogEvents"),
            ("*",),
            line("py-l1", "app.py", "audit = iam.PolicyStatement()"),
        ),
    ]


def test_constants_defined_through_an_import_cycle_are_unknown_not_a_crash() -> None:
    out = load("py-cycle")
    assert out.errors == []
    fn = functions(out)["Cycle/Fn"]
    assert fn.environment["STAGE"].origin is Origin.UNRESOLVED
