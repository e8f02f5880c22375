"""The dependency engine: which lockfiles each function is credited with, store errors, reachability."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.engines.deps.imports import imported
from fnaudit.engines.osv.store import Store
from fnaudit.errors import Loss
from fnaudit.loaders.lockfiles import parse_folder
from fnaudit.pipeline import scan
from tests.conftest import SCAN_DATE
from tests.deps.osvdata import record, write_folder


def _write(base: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(text, encoding="utf-8")
    return base


def _db(tmp_path: Path, records: list) -> str:
    db = tmp_path / "db"
    with Store(db, create=True) as store:
        store.import_source(write_folder(tmp_path / "osv", records))
    return str(db)


SLS = """\
service: s
provider:
  name: aws
  runtime: python3.12
functions:
  users:
    handler: functions/users/handler.main
  orders:
    handler: functions/orders/handler.main
  web:
    handler: web/index.handler
    runtime: nodejs20.x
"""


def test_functions_are_credited_with_their_own_folders_and_language(tmp_path: Path) -> None:
    app = _write(
        tmp_path / "app",
        {
            "serverless.yml": SLS,
            "requirements.txt": "boto3==1.34.120\n",  # the service folder: bundled by every Python function
            "functions/users/handler.py": "import yaml\n\ndef main(event, context):\n    return yaml.safe_load(event['body'])\n",
            "functions/users/requirements.txt": "PyYAML==5.3\n",
            "functions/orders/handler.py": "def main(event, context):\n    return 1\n",
            "web/index.js": "const _ = require('lodash/fp');\nexports.handler = async () => _;\n",
            "web/package-lock.json": '{"lockfileVersion": 3, "packages": {"": {"dependencies": {"lodash": "^4"}}, '
            '"node_modules/lodash": {"version": "4.17.15"}}}',
        },
    )
    db = _db(
        tmp_path,
        [
            record("PYSEC-1", "PyPI", "pyyaml", events=[{"introduced": "0"}, {"fixed": "5.4"}]),
            record("GHSA-1", "npm", "lodash", events=[{"introduced": "0"}, {"fixed": "4.17.21"}]),
        ],
    )
    result = scan(app, Config(select=("DEP",), today=SCAN_DATE, db=db))
    pkgs = {fn.name: sorted(p.name for p in fn.packages) for fn in result.functions}
    assert pkgs == {"users": ["PyYAML", "boto3"], "orders": ["boto3"], "web": ["lodash"]}
    findings = {(f.function, f.location.path, f.rule_id) for f in result.findings}
    assert findings == {
        ("users", "functions/users/requirements.txt", "DEP001"),
        ("web", "web/package-lock.json", "DEP001"),
    }
    users = next(fn for fn in result.functions if fn.name == "users")
    if users.code_facts is not None:  # the code engine ran: PyYAML is imported as `yaml`
        (adv,) = next(p for p in users.packages if p.name == "PyYAML").advisories or ()
        assert adv.reachable == "reachable"


def test_a_package_shared_by_several_functions_is_one_finding_naming_them_all(tmp_path: Path) -> None:
    app = _write(
        tmp_path / "app",
        {
            "serverless.yml": SLS,
            "requirements.txt": "boto3==1.0.0\n",
            "functions/users/handler.py": "def main(e, c):\n    return 1\n",
            "functions/orders/handler.py": "def main(e, c):\n    return 1\n",
            "web/index.js": "exports.handler = async () => 1;\n",
        },
    )
    db = _db(tmp_path, [record("PYSEC-2", "PyPI", "boto3", versions=["1.0.0"])])
    (f,) = scan(app, Config(select=("DEP001",), today=SCAN_DATE, db=db)).findings
    assert f.function is None and f.functions == ("orders", "users")


def test_sam_layers_with_local_content_are_credited(tmp_path: Path) -> None:
    app = _write(
        tmp_path / "app",
        {
            "template.yaml": """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Layers:
        - !Ref Deps
""",
            "src/app.py": "def handler(e, c):\n    return 1\n",
            "layer/requirements.txt": "requests==2.0.0\n",
        },
    )
    db = _db(tmp_path, [record("PYSEC-3", "PyPI", "requests", versions=["2.0.0"])])
    result = scan(app, Config(select=("DEP",), today=SCAN_DATE, db=db))
    assert [(f.rule_id, f.location.path) for f in result.findings] == [("DEP001", "layer/requirements.txt")]


def test_no_store_is_an_error_and_a_finding_and_nothing_when_dep_rules_do_not_run(tmp_path: Path) -> None:
    app = _write(
        tmp_path / "app",
        {
            "serverless.yml": SLS,
            "requirements.txt": "boto3==1.0.0\n",
            "functions/users/handler.py": "def main(e, c):\n    return 1\n",
        },
    )
    missing = str(tmp_path / "no-store")
    result = scan(app, Config(today=SCAN_DATE, db=missing))
    assert any("no advisory store" in e.message and "fnaudit db update" in e.message for e in result.errors)
    assert [f.rule_id for f in result.findings if f.rule_id == "DEP004"] == ["DEP004"]
    quiet = scan(app, Config(select=("IAM",), today=SCAN_DATE, db=missing))
    assert not any("advisory store" in e.message for e in quiet.errors)
    # a store without data for the ecosystem: the same, naming the ecosystem
    db = _db(tmp_path, [record("GHSA-9", "npm", "x", versions=["1.0.0"])])
    result = scan(app, Config(select=("DEP",), today=SCAN_DATE, db=db))
    assert any("no PyPI data" in e.message for e in result.errors)
    assert [f.rule_id for f in result.findings] == ["DEP004"]


def test_import_names() -> None:
    assert imported("PyPI", "PyYAML", ("yaml",))
    assert imported("PyPI", "beautifulsoup4", ("bs4.element",))
    assert imported("PyPI", "typing_extensions", ("typing_extensions",))
    assert imported("PyPI", "google-cloud-storage", ("google.cloud.storage",))
    assert imported("PyPI", "requests", ("json", "os")) is False
    assert imported("npm", "@aws-sdk/client-s3", ("@aws-sdk/client-s3",))
    assert imported("npm", "lodash", ("lodash/fp",))
    assert imported("npm", "lodash", ("node:fs",)) is False
    assert imported("Go", "golang.org/x/net", ("golang.org/x/net/http2",))
    assert imported("Maven", "g:a", ("com.g.A",)) is None


def test_serverless_layers_with_a_local_path_are_credited(tmp_path: Path) -> None:
    app = _write(
        tmp_path / "app",
        {
            "serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nlayers:\n  deps:\n"
            "    path: layer\nfunctions:\n  api:\n    handler: src/app.main\n    layers:\n"
            "      - { Ref: DepsLambdaLayer }\n",
            "src/app.py": "def main(e, c):\n    return 1\n",
            "layer/python/requirements.txt": "requests==2.0.0\n",
        },
    )
    db = _db(tmp_path, [record("PYSEC-4", "PyPI", "requests", versions=["2.0.0"])])
    result = scan(app, Config(select=("DEP001",), today=SCAN_DATE, db=db))
    assert [(f.function, f.location.path) for f in result.findings] == [("api", "layer/python/requirements.txt")]


def test_a_stale_store_is_reported(tmp_path: Path) -> None:
    import datetime as dt

    app = _write(
        tmp_path / "app",
        {
            "serverless.yml": SLS,
            "requirements.txt": "boto3==1.0.0\n",
            "functions/users/handler.py": "def main(e, c):\n    return 1\n",
        },
    )
    db = _db(tmp_path, [record("PYSEC-5", "PyPI", "other", versions=["1.0"])])
    later = dt.date.today() + dt.timedelta(days=45)
    result = scan(app, Config(select=("DEP",), today=later, db=db))
    assert any("days old" in e.message and "fnaudit db update" in e.message for e in result.errors)
    assert not any("days old" in e.message for e in scan(app, Config(select=("DEP",), db=db)).errors)


def test_cli_scan_flags_db_include_dev_and_cyclonedx(tmp_path: Path, capsys) -> None:
    import json

    from fnaudit.cli import main

    app = _write(
        tmp_path / "app",
        {
            "serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  api:\n"
            "    handler: index.handler\n",
            "index.js": "exports.handler = async () => 1;\n",
            "package.json": '{"dependencies": {"a": "^1"}, "devDependencies": {"b": "^1"}}',
            "package-lock.json": '{"lockfileVersion": 3, "packages": {"": {"dependencies": {"a": "^1"}, '
            '"devDependencies": {"b": "^1"}}, "node_modules/a": {"version": "1.0.0"}, '
            '"node_modules/b": {"version": "1.0.0", "dev": true}}}',
        },
    )
    db = _db(
        tmp_path, [record("GHSA-a", "npm", "a", versions=["1.0.0"]), record("GHSA-b", "npm", "b", versions=["1.0.0"])]
    )
    out = tmp_path / "r.json"
    args = ["scan", str(app), "--select", "DEP", "--db", db, "-f", "json", "-o", str(out), "-q"]
    assert main(args) == 1
    assert {f["evidence"] for f in json.loads(out.read_text())["findings"]} == {"pkg:npm/a@1.0.0 GHSA-a"}
    assert main([*args, "--include-dev"]) == 1
    assert len(json.loads(out.read_text())["findings"]) == 2
    bom = tmp_path / "bom.json"
    assert main(["scan", str(app), "--db", db, "-f", "cyclonedx", "-o", str(bom), "-q"]) == 1
    doc = json.loads(bom.read_text())
    assert doc["bomFormat"] == "CycloneDX" and [v["id"] for v in doc["vulnerabilities"]] == ["GHSA-a"]


def test_serverless_package_patterns_decide_what_a_function_bundles(tmp_path: Path) -> None:
    sls = SLS.replace(
        "functions:\n", "package:\n  individually: true\n  patterns:\n    - '!functions/**'\nfunctions:\n"
    ).replace(
        "    handler: functions/users/handler.main\n",
        "    handler: functions/users/handler.main\n    package:\n      patterns:\n        - 'functions/users/**'\n",
    )
    app = _write(
        tmp_path / "app",
        {
            "serverless.yml": sls,
            "functions/users/handler.py": "def main(e, c):\n    return 1\n",
            "functions/users/requirements.txt": "PyYAML==5.3\n",
            "functions/orders/handler.py": "def main(e, c):\n    return 1\n",
            "functions/orders/requirements.txt": "requests==2.0.0\n",
        },
    )
    db = _db(tmp_path, [record("PYSEC-6", "PyPI", "other", versions=["1.0"])])
    result = scan(app, Config(select=("DEP",), today=SCAN_DATE, db=db))
    pkgs = {fn.name: sorted(p.name for p in fn.packages) for fn in result.functions}
    assert pkgs["users"] == ["PyYAML"] and pkgs["orders"] == []  # orders' folder is excluded from its bundle


def test_a_lockfile_symlinked_out_of_the_root_is_one_error_and_the_rest_is_analysed(tmp_path: Path) -> None:
    # issue 11: `requirements.txt -> /elsewhere/requirements.txt` failed the engine for the whole app
    outside = _write(
        tmp_path / "outside",
        {"requirements.txt": "PyYAML==5.3\n", "pyproject.toml": "[project]\nname='x'\ndependencies=['a']\n"},
    )
    app = _write(
        tmp_path / "app",
        {
            "serverless.yml": SLS,
            "functions/users/handler.py": "def main(event, context):\n    return 1\n",
            "functions/orders/handler.py": "def main(event, context):\n    return 1\n",
            "functions/orders/requirements.txt": "PyYAML==5.3\n",
        },
    )
    (app / "functions/users/requirements.txt").symlink_to(outside / "requirements.txt")
    db = _db(tmp_path, [record("PYSEC-1", "PyPI", "pyyaml", events=[{"introduced": "0"}, {"fixed": "5.4"}])])
    result = scan(app, Config(select=("DEP",), today=SCAN_DATE, db=db))
    assert [(e.path, e.stage, e.loss) for e in result.errors] == [
        ("functions/users/requirements.txt", "deps", Loss.PARTIAL)
    ]
    assert result.errors[0].message.startswith("lockfile not read: it is a symbolic link to outside the scanned folder")
    assert {fn.name: sorted(p.name for p in fn.packages) for fn in result.functions} == {
        "users": [],
        "orders": ["PyYAML"],
        "web": [],
    }
    assert [(f.rule_id, f.location.path, f.location.line) for f in result.findings] == [
        ("DEP001", "functions/orders/requirements.txt", 1)
    ]


def test_a_manifest_symlinked_out_of_the_root_is_never_read(tmp_path: Path) -> None:
    outside = _write(tmp_path / "outside", {"package.json": '{"dependencies": {"lodash": "^4"}}'})
    folder = tmp_path / "app" / "web"
    folder.mkdir(parents=True)
    (folder / "package.json").symlink_to(outside / "package.json")
    fd = parse_folder(tmp_path / "app", folder)
    assert fd.unlocked == [] and fd.packages == []
    assert [(e.path, e.message.split(":")[0]) for e in fd.errors] == [("web/package.json", "manifest not read")]


@pytest.mark.parametrize(
    ("link_to", "what"),
    [
        ("requirements.txt", "a symbolic link loop"),  # the link points at itself
        ("gone.txt", "a broken symbolic link"),
    ],
)
def test_a_lockfile_link_that_leads_nowhere_is_one_error_saying_so(tmp_path: Path, link_to: str, what: str) -> None:
    # issue 11: a looping requirements.txt was skipped without a word (its folder listing dropped it)
    app = _write(
        tmp_path / "app",
        {
            "serverless.yml": SLS,
            "functions/users/handler.py": "def main(event, context):\n    return 1\n",
            "functions/orders/handler.py": "def main(event, context):\n    return 1\n",
            "functions/orders/requirements.txt": "PyYAML==5.3\n",
        },
    )
    (app / "functions/users/requirements.txt").symlink_to(link_to)
    db = _db(tmp_path, [record("PYSEC-1", "PyPI", "pyyaml", events=[{"introduced": "0"}, {"fixed": "5.4"}])])
    result = scan(app, Config(select=("DEP",), today=SCAN_DATE, db=db))
    assert [(e.path, e.stage, e.loss) for e in result.errors] == [
        ("functions/users/requirements.txt", "deps", Loss.PARTIAL)
    ]
    assert result.errors[0].message.startswith(f"lockfile not read: it is {what}")
    assert [(f.rule_id, f.location.path, f.location.line) for f in result.findings] == [
        ("DEP001", "functions/orders/requirements.txt", 1)
    ]
