"""Handler discovery: every way a Node module can export its handler, and the forms that wrap it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.code.helpers import flows, fn, run
from tests.code.javascript.helpers import node_app

SINK = 'require("child_process").execSync("ls " + event.body);'

FORMS = {
    "exports_assign": ("app.js", f"exports.handler = async (event) => {{\n  {SINK}\n}};\n", 2),
    "module_exports_member": ("app.js", f"module.exports.handler = function (event, context) {{\n  {SINK}\n}};\n", 2),
    "module_exports_object": (
        "app.js",
        f"async function run(event) {{\n  {SINK}\n}}\nmodule.exports = {{ handler: run }};\n",
        2,
    ),
    "module_exports_shorthand": (
        "app.js",
        f"const handler = async (event) => {{\n  {SINK}\n}};\nmodule.exports = {{ handler }};\n",
        2,
    ),
    "module_exports_method": ("app.js", f"module.exports = {{\n  async handler(event) {{\n    {SINK}\n  }},\n}};\n", 3),
    "esm_const": ("app.mjs", f"export const handler = async (event) => {{\n  {SINK}\n}};\n", 2),
    "esm_function": ("app.mjs", f"export async function handler(event) {{\n  {SINK}\n}}\n", 2),
    "esm_export_clause": (
        "app.mjs",
        f"async function main(event) {{\n  {SINK}\n}}\nexport {{ main as handler }};\n",
        2,
    ),
    "cjs_file": ("app.cjs", f"exports.handler = (event, context, callback) => {{\n  {SINK}\n}};\n", 2),
    "typescript": (
        "app.ts",
        f"import type {{ Handler }} from 'aws-lambda';\nexport const handler: Handler = async (event: any) => {{\n  {SINK}\n}};\n",
        3,
    ),
    "middy": (
        "app.mjs",
        f"import middy from '@middy/core';\nconst base = async (event) => {{\n  {SINK}\n}};\nexport const handler = middy(base).use(a()).use(b());\n",
        3,
    ),
    "middy_inline": (
        "app.js",
        f"const middy = require('@middy/core');\nexports.handler = middy(async (event) => {{\n  {SINK}\n}});\n",
        3,
    ),
    "wrapper": (
        "app.js",
        f"const Sentry = require('@sentry/serverless');\nasync function base(event) {{\n  {SINK}\n}}\nexports.handler = Sentry.AWSLambda.wrapHandler(base);\n",
        3,
    ),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_handler_forms(tmp_path: Path, name: str) -> None:
    file, code, line = FORMS[name]
    node_app(tmp_path, {file: code})
    assert flows(run(tmp_path), "h") == [("command", line)]


def test_reexported_handler(tmp_path: Path) -> None:
    node_app(
        tmp_path,
        {
            "app.mjs": "export { handler } from './impl/index.mjs';\n",
            "impl/index.mjs": "export * from './real.mjs';\n",
            "impl/real.mjs": f"export async function handler(event) {{\n  {SINK}\n}}\n",
        },
    )
    result = run(tmp_path)
    f = fn(result, "h")
    assert [(fl.sink.loc.path, fl.sink.loc.line) for fl in f.code_facts.flows] == [("impl/real.mjs", 2)]
    assert set(f.code_facts.files) == {"app.mjs", "impl/index.mjs", "impl/real.mjs"}


def test_commonjs_reexport_and_index_file(tmp_path: Path) -> None:
    node_app(
        tmp_path,
        {
            "app.js": "const { handler } = require('./lib');\nmodule.exports = { handler };\n",
            "lib/index.js": f"exports.handler = async (event) => {{\n  {SINK}\n}};\n",
        },
    )
    assert [(fl.sink.loc.path) for fl in fn(run(tmp_path), "h").code_facts.flows] == ["lib/index.js"]


def test_missing_handler_is_reported_as_not_found(tmp_path: Path) -> None:
    node_app(tmp_path, {"app.js": "exports.other = async () => {};\n"})
    facts = fn(run(tmp_path), "h").code_facts
    assert facts is not None and facts.handler_found is False


def test_node_modules_are_never_followed(tmp_path: Path) -> None:
    node_app(
        tmp_path,
        {
            "app.js": "const lib = require('evil');\nconst rel = require('./node_modules/evil');\nexports.handler = async (event) => { lib.run(event.body); rel.run(event.body); };\n",
            "node_modules/evil/index.js": "exports.run = (x) => require('child_process').exec(x);\n",
        },
    )
    f = fn(run(tmp_path), "h")
    assert f.code_facts.flows == ()
    assert f.code_facts.files == ("app.js",)
    assert "evil" in f.code_facts.imports


def test_imports_are_package_names(tmp_path: Path) -> None:
    node_app(
        tmp_path,
        {
            "app.mjs": "import { S3Client } from '@aws-sdk/client-s3';\nimport fs from 'node:fs';\nimport x from 'lodash/get';\nexport const handler = async () => {};\n"
        },
    )
    assert fn(run(tmp_path), "h").code_facts.imports == ("@aws-sdk/client-s3", "fs", "lodash")


def test_class_method_handler(tmp_path: Path) -> None:
    code = f"class Api {{\n  async handle(event) {{\n    {SINK}\n  }}\n}}\nconst api = new Api();\nexports.handler = api.handle.bind(api);\n"
    node_app(tmp_path, {"app.js": code})
    assert flows(run(tmp_path), "h") == [("command", 3)]


def test_typescript_imports_by_output_name(tmp_path: Path) -> None:
    node_app(
        tmp_path,
        {
            "app.ts": "import { run } from './lib/run.js';\nexport const handler = async (event: any) => run(event.body);\n",
            "lib/run.ts": "import { execSync } from 'child_process';\nexport function run(cmd: string) {\n  return execSync('sh -c ' + cmd);\n}\n",
        },
    )
    result = run(tmp_path)
    f = fn(result, "h")
    assert [(fl.sink.loc.path, fl.sink.loc.line) for fl in f.code_facts.flows] == [("lib/run.ts", 3)]
