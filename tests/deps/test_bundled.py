"""What a bundler or Serverless packaging ships decides which npm packages a function is credited with
(issue 22): serverless-esbuild, serverless-webpack, SAM esbuild builds, and `package.patterns`."""

from __future__ import annotations

import json
from pathlib import Path

from fnaudit.config import Config
from fnaudit.engines.deps.bundling import Bundle, bundle_of, npm_graph, shipped
from fnaudit.engines.osv.store import Store
from fnaudit.pipeline import ScanResult, scan
from tests.conftest import SCAN_DATE
from tests.deps.osvdata import record, write_folder

# express → body-parser → qs; lodash and aws-sdk unused by the handler; left-pad a dev-free extra.
LOCK = {
    "lockfileVersion": 3,
    "packages": {
        "": {"dependencies": {"express": "^4", "lodash": "^4", "aws-sdk": "^2", "left-pad": "^1"}},
        "node_modules/express": {"version": "4.0.0", "dependencies": {"body-parser": "^1"}},
        "node_modules/body-parser": {"version": "1.0.0", "dependencies": {"qs": "^6"}},
        "node_modules/qs": {"version": "6.0.0"},
        "node_modules/body-parser/node_modules/qs": {"version": "6.1.0"},
        "node_modules/lodash": {"version": "4.17.15"},
        "node_modules/aws-sdk": {"version": "2.0.0"},
        "node_modules/left-pad": {"version": "1.0.0"},
    },
}
HANDLER = (
    "const express = require('express');\nconst AWS = require('aws-sdk');\nexports.handler = async () => express;\n"
)
RECORDS = [
    record("GHSA-expr", "npm", "express", versions=["4.0.0"]),
    record("GHSA-qs61", "npm", "qs", versions=["6.1.0"]),
    record("GHSA-qs60", "npm", "qs", versions=["6.0.0"]),
    record("GHSA-loda", "npm", "lodash", versions=["4.17.15"]),
    record("GHSA-awss", "npm", "aws-sdk", versions=["2.0.0"]),
    record("GHSA-lpad", "npm", "left-pad", versions=["1.0.0"]),
]


def _app(tmp_path: Path, iac_name: str, iac: str, code_dir: str = "") -> Path:
    app = tmp_path / "app"
    code = app / code_dir if code_dir else app
    code.mkdir(parents=True, exist_ok=True)
    (app / iac_name).write_text(iac, encoding="utf-8")
    (code / "handler.js").write_text(HANDLER, encoding="utf-8")
    (code / "package-lock.json").write_text(json.dumps(LOCK, indent=1), encoding="utf-8")
    return app


def _scan(tmp_path: Path, app: Path, **config: object) -> ScanResult:
    db = tmp_path / "db"
    with Store(db, create=True) as store:
        store.import_source(write_folder(tmp_path / "osv", RECORDS))
    return scan(app, Config(select=("DEP001",), today=SCAN_DATE, db=str(db), **config))  # type: ignore[arg-type]


def _found(result: ScanResult) -> list[tuple[str, str | None, str]]:
    return sorted((f.rule_id, f.function, f.message.split(" ")[0]) for f in result.findings)


def _names(result: ScanResult) -> list[tuple[str, str | None]]:
    (fn,) = result.functions
    return sorted((p.name, p.version) for p in fn.packages)


ESBUILD = """\
service: s
plugins:
  - serverless-esbuild
provider:
  name: aws
  runtime: nodejs20.x
functions:
  api:
    handler: handler.handler
"""


def test_serverless_esbuild_ships_imports_and_their_closure_not_aws_sdk_on_node18(tmp_path: Path) -> None:
    result = _scan(tmp_path, _app(tmp_path, "serverless.yml", ESBUILD))
    # express and what it needs (the nested qs 6.1.0 that body-parser resolves, not the top-level 6.0.0);
    # aws-sdk is excluded by default, lodash and left-pad are not imported.
    assert _names(result) == [("body-parser", "1.0.0"), ("express", "4.0.0"), ("qs", "6.1.0")]
    assert [
        (f.rule_id, f.function, f.location.path, f.location.line, f.message.split(":")[0]) for f in result.findings
    ] == [
        ("DEP001", "api", "package-lock.json", 12, "express 4.0.0 (npm) is affected by GHSA-expr (not rated)"),
        ("DEP001", "api", "package-lock.json", 27, "qs 6.1.0 (npm) is affected by GHSA-qs61 (not rated)"),
    ]
    ids = sorted(a.id for f in result.functions for p in f.packages for a in p.advisories or ())
    assert ids == ["GHSA-expr", "GHSA-qs61"]
    (cov,) = result.coverage.functions
    assert cov.lockfiles == ("package-lock.json",)
    assert cov.lockfile_note == "bundled by serverless-esbuild: only imported packages ship"
    assert all(not app.packages for app in result.apps)  # what does not ship is not "unclaimed" either


def test_esbuild_external_ships_with_its_closure_and_exclude_overrides_the_default(tmp_path: Path) -> None:
    iac = ESBUILD + "custom:\n  esbuild:\n    external: [lodash]\n    exclude: [express]\n"
    result = _scan(tmp_path, _app(tmp_path, "serverless.yml", iac))
    # express excluded (never shipped, nor what only it needs); aws-sdk no longer excluded and imported
    assert _names(result) == [("aws-sdk", "2.0.0"), ("lodash", "4.17.15")]


def test_esbuild_bundle_false_ships_the_whole_lockfile(tmp_path: Path) -> None:
    result = _scan(tmp_path, _app(tmp_path, "serverless.yml", ESBUILD + "custom:\n  esbuild:\n    bundle: false\n"))
    assert len(_names(result)) == 7
    assert result.coverage.functions[0].lockfile_note is None


def test_include_dev_reports_what_the_bundle_leaves_out(tmp_path: Path) -> None:
    result = _scan(tmp_path, _app(tmp_path, "serverless.yml", ESBUILD), include_dev=True)
    assert len(_names(result)) == 7
    assert result.coverage.functions[0].lockfile_note == "bundled by serverless-esbuild: only imported packages ship"


def test_serverless_webpack_force_exclude(tmp_path: Path) -> None:
    iac = ESBUILD.replace("serverless-esbuild", "serverless-webpack") + (
        "custom:\n  webpack:\n    includeModules:\n      forceInclude: [left-pad]\n      forceExclude: [aws-sdk]\n"
    )
    result = _scan(tmp_path, _app(tmp_path, "serverless.yml", iac))
    assert _names(result) == [("body-parser", "1.0.0"), ("express", "4.0.0"), ("left-pad", "1.0.0"), ("qs", "6.1.0")]
    assert result.coverage.functions[0].lockfile_note == "bundled by serverless-webpack: only imported packages ship"


SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: handler.handler
      Runtime: nodejs20.x
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        External: [express]
"""


def test_sam_esbuild_external_is_left_out(tmp_path: Path) -> None:
    result = _scan(tmp_path, _app(tmp_path, "template.yaml", SAM, "src"))
    assert _names(result) == [("aws-sdk", "2.0.0")]
    assert [(f.function, f.location.path) for f in result.findings] == [("Api", "src/package-lock.json")]
    assert result.coverage.functions[0].lockfile_note == "bundled by sam-esbuild: only imported packages ship"


def test_sam_without_esbuild_ships_everything(tmp_path: Path) -> None:
    plain = SAM.split("    Metadata:")[0]
    result = _scan(tmp_path, _app(tmp_path, "template.yaml", plain, "src"))
    assert len(_names(result)) == 7
    assert result.coverage.functions[0].lockfile_note is None


def test_package_patterns_excluding_node_modules_subpaths(tmp_path: Path) -> None:
    iac = ESBUILD.replace("plugins:\n  - serverless-esbuild\n", "") + (
        "package:\n  patterns:\n    - '!node_modules/aws-sdk/**'\n    - '!node_modules/left-pad/**'\n"
    )
    result = _scan(tmp_path, _app(tmp_path, "serverless.yml", iac))
    assert _names(result) == [
        ("body-parser", "1.0.0"),
        ("express", "4.0.0"),
        ("lodash", "4.17.15"),
        ("qs", "6.0.0"),
        ("qs", "6.1.0"),
    ]
    assert result.coverage.functions[0].lockfile_note == (
        "`package.patterns` leave some node_modules out of the artifact"
    )


def test_bundle_of_reads_plugin_modules_and_node_default() -> None:
    data = {"plugins": {"modules": ["serverless-esbuild"]}}
    assert bundle_of(data, "serverless", "f", "nodejs16.x") == Bundle("serverless-esbuild", frozenset(), ("aws-sdk",))
    assert bundle_of(data, "serverless", "f", "nodejs18.x") == Bundle(
        "serverless-esbuild", frozenset(), ("aws-sdk", "@aws-sdk/*")
    )
    assert bundle_of({"plugins": ["serverless-offline"]}, "serverless", "f", "nodejs20.x") is None


def test_scoped_exclude_pattern_and_unread_lockfiles(tmp_path: Path) -> None:
    lock = tmp_path / "package-lock.json"
    lock.write_text(
        json.dumps(
            {
                "lockfileVersion": 3,
                "packages": {
                    "node_modules/@aws-sdk/client-s3": {"version": "3.0.0", "dependencies": {"tslib": "^2"}},
                    "node_modules/tslib": {"version": "2.0.0"},
                    "node_modules/@acme/x": {"version": "1.0.0"},
                },
            }
        ),
        encoding="utf-8",
    )
    graph = npm_graph(lock)
    assert graph is not None
    b = Bundle("serverless-esbuild", frozenset(), ("@aws-sdk/*",))
    assert shipped(graph, ("@aws-sdk/client-s3", "@acme/x/sub"), b) == {("@acme/x", "1.0.0")}
    (tmp_path / "yarn.lock").write_text("", encoding="utf-8")
    assert npm_graph(tmp_path / "yarn.lock") is None  # an unread graph: the engine keeps every package


def test_npm_v1_lockfile_graph_with_nested_dependencies(tmp_path: Path) -> None:
    v1 = {
        "lockfileVersion": 1,
        "dependencies": {
            "express": {"version": "4.0.0", "requires": {"body-parser": "^1"}},
            "body-parser": {
                "version": "1.0.0",
                "requires": {"qs": "^6"},
                "dependencies": {"qs": {"version": "6.1.0"}},
            },
            "qs": {"version": "6.0.0"},
            "lodash": {"version": "4.17.15"},
        },
    }
    app = _app(tmp_path, "serverless.yml", ESBUILD)
    (app / "package-lock.json").write_text(json.dumps(v1), encoding="utf-8")
    assert _names(_scan(tmp_path, app)) == [("body-parser", "1.0.0"), ("express", "4.0.0"), ("qs", "6.1.0")]
