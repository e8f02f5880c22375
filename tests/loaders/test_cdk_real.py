"""CDK apps as people write them: the benchmark generator's CDK apps against their CloudFormation twin, and
the gaps measured on real apps (bench/cdk.py read; figures in bench/README.md), one test per gap.

A gap still open is a strict xfail naming its owner: it starts failing (XPASS) the day the construct is read,
and the marker is then removed, the test staying as the regression test. Sources are small reductions of the
real apps' stacks, written here (the real apps stay out of the repository)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fnaudit.loaders import LoadOptions, LoadOutcome, ScanRoot, load_all
from fnaudit.model import Function, TriggerKind

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(folder: Path) -> LoadOutcome:
    outcome, _ = load_all(folder, ScanRoot.of(folder), LoadOptions())
    return outcome


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _functions(outcome: LoadOutcome) -> dict[str, Function]:
    return {f.name.rsplit("/", 1)[-1]: f for app in outcome.apps for f in app.functions}


def _shape(fn: Function) -> tuple[str, str, tuple[tuple[str, str | None, str | None, bool], ...]]:
    """What must agree between a CDK app and its CloudFormation twin: runtime, handler, and the triggers."""
    triggers = sorted((t.kind.value, t.method, t.path, t.public) for t in fn.triggers)
    return (str(fn.runtime.value), str(fn.handler.value), tuple(triggers))


@pytest.mark.parametrize("dialect", ["cdk-ts", "cdk-py"])
def test_generated_cdk_app_reads_every_function_and_trigger_of_its_cloudformation_twin(
    dialect: str, tmp_path: Path
) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from generate import generate  # the benchmark's generator: a sibling script, not a package
    finally:
        sys.path.remove(str(BENCH))
    # 60 functions: two stacks, every event kind, own roles, authorizers on both API kinds
    generate(dialect, 60, tmp_path / "cdk")  # type: ignore[arg-type]
    generate("cloudformation", 60, tmp_path / "cfn")
    cdk, cfn = _load(tmp_path / "cdk"), _load(tmp_path / "cfn")
    assert [e for e in cdk.errors if "advisory" not in e.message] == []
    cdk_fns, cfn_fns = _functions(cdk), _functions(cfn)
    assert sorted(cdk_fns) == sorted(cfn_fns) and len(cdk_fns) == 60
    assert {n: _shape(f) for n, f in cdk_fns.items()} == {n: _shape(f) for n, f in cfn_fns.items()}


# ---- gaps found on real apps (bench/cdk.py read) ----------------------------------------------------------


def test_typescript_import_equals_require(tmp_path: Path) -> None:
    app = _write(
        tmp_path,
        {
            "cdk.json": '{"app": "npx ts-node index.ts"}\n',
            "index.ts": (
                "import lambda = require('aws-cdk-lib/aws-lambda');\n"
                "import cdk = require('aws-cdk-lib');\n\n"
                "export class S extends cdk.Stack {\n"
                "  constructor(app: cdk.App, id: string) {\n"
                "    super(app, id);\n"
                "    new lambda.Function(this, 'F', {\n"
                "      code: lambda.Code.fromAsset('src'), handler: 'a.handler', runtime: lambda.Runtime.PYTHON_3_12,\n"
                "    });\n"
                "  }\n"
                "}\n\n"
                "const app = new cdk.App();\n"
                "new S(app, 'S');\n"
            ),
            "src/a.py": "def handler(event, context):\n    return 1\n",
        },
    )
    fns = _functions(_load(app))
    assert sorted(fns) == ["F"]
    assert (fns["F"].runtime.value, fns["F"].handler.value) == ("python3.12", "a.handler")


def test_cdk_v1_lambda_proxy_integration_route(tmp_path: Path) -> None:
    app = _write(
        tmp_path,
        {
            "cdk.json": '{"app": "python3 app.py"}\n',
            "app.py": (
                "from aws_cdk import core as cdk, aws_apigatewayv2 as apigatewayv2, aws_lambda as lambda_\n"
                "from aws_cdk import aws_apigatewayv2_integrations as integrations\n\n\n"
                "class ApiStack(cdk.Stack):\n"
                "    def __init__(self, scope, construct_id, **kwargs):\n"
                "        super().__init__(scope, construct_id, **kwargs)\n"
                "        fn = lambda_.Function(self, 'MyFunction', runtime=lambda_.Runtime.PYTHON_3_9,\n"
                "                              handler='index.handler', code=lambda_.Code.from_asset('src'))\n"
                "        http_api = apigatewayv2.HttpApi(self, 'MyHttpApi')\n"
                "        http_api.add_routes(path='/', methods=[apigatewayv2.HttpMethod.GET],\n"
                "                            integration=integrations.LambdaProxyIntegration(handler=fn))\n\n\n"
                "app = cdk.App()\n"
                "ApiStack(app, 'Api')\n"
            ),
            "src/index.py": "def handler(event, context):\n    return 1\n",
        },
    )
    out = _load(app)
    fn = _functions(out)["MyFunction"]
    reported = any("LambdaProxyIntegration" in e.message for e in out.errors)
    assert reported or [(t.kind, t.method, t.path) for t in fn.triggers] == [(TriggerKind.API_HTTP, "GET", "/")]


def test_lambda_event_source_mapping_construct(tmp_path: Path) -> None:
    app = _write(
        tmp_path,
        {
            "cdk.json": '{"app": "npx ts-node --prefer-ts-exts bin/app.ts"}\n',
            "bin/app.ts": (
                "import * as cdk from 'aws-cdk-lib';\n"
                "import * as lambda from 'aws-cdk-lib/aws-lambda';\n"
                "import * as sqs from 'aws-cdk-lib/aws-sqs';\n\n"
                "class S extends cdk.Stack {\n"
                "  constructor(scope: cdk.App, id: string) {\n"
                "    super(scope, id);\n"
                "    const queue = new sqs.Queue(this, 'Q');\n"
                "    const fn = new lambda.Function(this, 'F', {\n"
                "      code: lambda.Code.fromAsset('src'), handler: 'app.handler',\n"
                "      runtime: lambda.Runtime.NODEJS_22_X,\n"
                "    });\n"
                "    new lambda.EventSourceMapping(this, 'M', {\n"
                "      target: fn, batchSize: 10, eventSourceArn: queue.queueArn,\n"
                "    });\n"
                "  }\n"
                "}\n\n"
                "new S(new cdk.App(), 'S');\n"
            ),
            "src/app.js": "exports.handler = async () => 1;\n",
        },
    )
    out = _load(app)
    assert [e.message for e in out.errors] == []
    assert [t.kind for t in _functions(out)["F"].triggers] == [TriggerKind.SQS]


def test_stack_region_and_account_are_the_pseudo_parameters(tmp_path: Path) -> None:
    from fnaudit.config import Config
    from fnaudit.pipeline import scan
    from tests.conftest import SCAN_DATE

    stack = (
        "import * as cdk from 'aws-cdk-lib';\n"
        "import * as iam from 'aws-cdk-lib/aws-iam';\n"
        "import * as lambda from 'aws-cdk-lib/aws-lambda';\n\n"
        "class S extends cdk.Stack {\n"
        "  constructor(scope: cdk.App, id: string) {\n"
        "    super(scope, id);\n"
        "    const fn = new lambda.Function(this, 'F', {\n"
        "      code: lambda.Code.fromAsset('src'), handler: 'a.handler', runtime: lambda.Runtime.PYTHON_3_12,\n"
        "    });\n"
        "    fn.addToRolePolicy(new iam.PolicyStatement({\n"
        "      actions: ['sqs:SendMessage'], resources: [`arn:aws:sqs:${this.region}:${this.account}:*`],\n"
        "    }));\n"
        "  }\n"
        "}\n\n"
        "new S(new cdk.App(), 'S');\n"
    )
    app = _write(
        tmp_path,
        {
            "cdk.json": '{"app": "npx ts-node --prefer-ts-exts bin/app.ts"}\n',
            "bin/app.ts": stack,
            "src/a.py": "def handler(event, context):\n    return 1\n",
        },
    )
    result = scan(app, Config(today=SCAN_DATE))
    # the statement's line is its `addToRolePolicy` call, where IAM003 is reported when the resource is `*`
    statement_line = next(i for i, x in enumerate(stack.splitlines(), start=1) if "addToRolePolicy" in x)
    assert ("IAM003", "bin/app.ts", statement_line) in {
        (f.rule_id, f.location.path, f.location.line) for f in result.findings if f.location is not None
    }


def test_asset_code_constructor_names_the_code_folder(tmp_path: Path) -> None:
    app = _write(
        tmp_path,
        {
            "cdk.json": '{"app": "npx ts-node --prefer-ts-exts bin/app.ts"}\n',
            "bin/app.ts": (
                "import * as cdk from 'aws-cdk-lib';\n"
                "import * as lambda from 'aws-cdk-lib/aws-lambda';\n\n"
                "class S extends cdk.Stack {\n"
                "  constructor(scope: cdk.App, id: string) {\n"
                "    super(scope, id);\n"
                "    new lambda.Function(this, 'GetOne', {\n"
                "      code: new lambda.AssetCode('src'), handler: 'get-one.handler',\n"
                "      runtime: lambda.Runtime.NODEJS_22_X,\n"
                "    });\n"
                "  }\n"
                "}\n\n"
                "new S(new cdk.App(), 'S');\n"
            ),
            "src/get-one.js": "exports.handler = async () => 1;\n",
        },
    )
    fn = _functions(_load(app))["GetOne"]
    assert (fn.code.language, fn.code.handler_file) == ("node", "src/get-one.js")


@pytest.mark.parametrize("language", ["ts", "py"])
def test_cron_schedules_are_written_as_cdk_writes_them(language: str, tmp_path: Path) -> None:
    if language == "ts":
        files = {
            "cdk.json": '{"app": "npx ts-node bin/app.ts"}\n',
            "bin/app.ts": (
                "import * as cdk from 'aws-cdk-lib';\n"
                "import * as lambda from 'aws-cdk-lib/aws-lambda';\n"
                "import * as events from 'aws-cdk-lib/aws-events';\n"
                "import * as targets from 'aws-cdk-lib/aws-events-targets';\n"
                "const app = new cdk.App();\n"
                "const stack = new cdk.Stack(app, 'Cron');\n"
                "const fn = new lambda.Function(stack, 'Job', {\n"
                "  runtime: lambda.Runtime.PYTHON_3_12, handler: 'job.handler', code: lambda.Code.fromAsset('src'),\n"
                "});\n"
                "new events.Rule(stack, 'Daily', {\n"
                "  schedule: events.Schedule.cron({ minute: '0', hour: '8' }), targets: [new targets.LambdaFunction(fn)],\n"
                "});\n"
                "new events.Rule(stack, 'Mondays', {\n"
                "  schedule: events.Schedule.cron({ minute: '30', weekDay: 'MON' }), targets: [new targets.LambdaFunction(fn)],\n"
                "});\n"
            ),
        }
    else:
        files = {
            "cdk.json": '{"app": "python3 app.py"}\n',
            "app.py": (
                "import aws_cdk as cdk\n"
                "from aws_cdk import aws_lambda as _lambda, aws_events as events, aws_events_targets as targets\n"
                "app = cdk.App()\n"
                "stack = cdk.Stack(app, 'Cron')\n"
                "fn = _lambda.Function(stack, 'Job', runtime=_lambda.Runtime.PYTHON_3_12, handler='job.handler',\n"
                "                      code=_lambda.Code.from_asset('src'))\n"
                "events.Rule(stack, 'Daily', schedule=events.Schedule.cron(minute='0', hour='8'),\n"
                "            targets=[targets.LambdaFunction(fn)])\n"
                "events.Rule(stack, 'Mondays', schedule=events.Schedule.cron(minute='30', week_day='MON'),\n"
                "            targets=[targets.LambdaFunction(fn)])\n"
                "app.synth()\n"
            ),
        }
    files["src/job.py"] = "def handler(event, context):\n    return None\n"
    outcome = _load(_write(tmp_path, files))
    (app,) = outcome.apps
    expressions = {
        lid: r.properties.get("ScheduleExpression") for lid, r in app.resources.items() if r.type == "AWS::Events::Rule"
    }
    assert expressions == {"Cron/Daily": "cron(0 8 * * ? *)", "Cron/Mondays": "cron(30 * ? * MON *)"}
    (fn,) = app.functions
    assert sorted(t.kind for t in fn.triggers) == [TriggerKind.SCHEDULE, TriggerKind.SCHEDULE]
