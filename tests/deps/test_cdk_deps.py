"""Dependencies of a CDK app's Node functions: a NodejsFunction is bundled by esbuild from the nearest lockfile
above its entry (the app's own package-lock.json), and only what the handler imports ships."""

from __future__ import annotations

from pathlib import Path

from fnaudit.config import Config
from fnaudit.pipeline import scan
from tests.conftest import SCAN_DATE

APP = {
    "cdk.json": '{"app": "npx ts-node bin/app.ts"}\n',
    "bin/app.ts": (
        "import * as cdk from 'aws-cdk-lib';\nimport { ApiStack } from '../lib/api-stack';\n"
        "const app = new cdk.App();\nnew ApiStack(app, 'Api');\n"
    ),
    "lib/api-stack.ts": (
        "import * as cdk from 'aws-cdk-lib';\n"
        "import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';\n"
        "import { Construct } from 'constructs';\n"
        "export class ApiStack extends cdk.Stack {\n"
        "  constructor(scope: Construct, id: string) {\n"
        "    super(scope, id);\n"
        "    new NodejsFunction(this, 'Handler', { entry: 'lambda/handler.ts' });\n"
        "  }\n"
        "}\n"
    ),
    "lambda/handler.ts": (
        "import _ from 'lodash';\n"
        "export const handler = async (event: any) => ({ statusCode: 200, body: _.escape(event.body) });\n"
    ),
    "package.json": '{"name": "app", "dependencies": {"aws-cdk-lib": "2.170.0", "lodash": "4.17.20"}}\n',
    "package-lock.json": (
        '{"name": "app", "lockfileVersion": 3, "requires": true, "packages": {'
        '"": {"name": "app", "dependencies": {"aws-cdk-lib": "2.170.0", "lodash": "4.17.20"}}, '
        '"node_modules/lodash": {"version": "4.17.20"}, "node_modules/aws-cdk-lib": {"version": "2.170.0"}}}\n'
    ),
}


def test_a_nodejs_function_ships_the_imported_packages_of_the_apps_lockfile(tmp_path: Path) -> None:
    for rel, text in APP.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    result = scan(tmp_path, Config(select=("DEP",), today=SCAN_DATE))
    (fn,) = [f for app in result.apps for f in app.functions]
    assert fn.name == "Api/Handler"
    # aws-cdk-lib is in the same lockfile but the handler never imports it: it is not in the bundle
    assert [(p.name, p.version, p.loc.path) for p in fn.packages] == [("lodash", "4.17.20", "package-lock.json")]
    assert fn.ship_note == "bundled by cdk-nodejsfunction: only imported packages ship"
