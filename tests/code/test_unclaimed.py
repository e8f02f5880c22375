"""Code no function claims (issue 13, section 1): entry points analysed, findings with no function and
`attribution: "unclaimed"`, one level below a public route, in their own report group; coverage says so."""

from __future__ import annotations

import io
import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from fnaudit.config import Config
from fnaudit.engines.code.unclaimed import is_candidate
from fnaudit.findings import Finding, Severity
from fnaudit.pipeline import ScanResult, scan
from fnaudit.report import Format, render
from fnaudit.report.json import document
from tests.conftest import SCAN_DATE

FIXTURE = Path(__file__).parent / "unclaimed_app"
WHERE_SQL = "handler `lambda_handler` in a file no function claims (legacy/orders.py)"


def _scan(root: Path, *select: str) -> ScanResult:
    return scan(root, Config(select=select, today=SCAN_DATE))


def _row(f: Finding) -> tuple[str, str, int, str | None, str | None, Severity, str]:
    return (f.rule_id, f.location.path, f.location.line, f.function, f.attribution, f.severity, f.confidence)


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def result() -> ScanResult:
    return _scan(FIXTURE, "CODE")


def test_entries_of_unclaimed_files_are_reported_with_no_function(result: ScanResult) -> None:
    # the rule's top severity lowered one level (CODE001/CODE002 are critical from a public open route),
    # confidence one step below the flow's (already low: the whole event is the source)
    assert [_row(f) for f in result.findings] == [
        ("CODE001", "legacy/orders.py", 12, None, "unclaimed", Severity.HIGH, "low"),
        ("CODE002", "legacy/report.js", 6, None, "unclaimed", Severity.HIGH, "low"),
        ("CODE002", "scripts/admin.py", 10, None, "unclaimed", Severity.HIGH, "low"),
        ("CODE002", "scripts/server.js", 8, None, "unclaimed", Severity.HIGH, "low"),
        # runtime state (medium at most) and a verbose error (medium on a public route): one level lower
        ("CODE012", "legacy/orders.py", 14, None, "unclaimed", Severity.LOW, "low"),
        ("CODE013", "legacy/orders.py", 23, None, "unclaimed", Severity.LOW, "medium"),
        # the whole event logged: low at most, so info
        ("CODE014", "legacy/report.js", 4, None, "unclaimed", Severity.INFO, "low"),
    ]
    assert all(f.functions == () and f.function_id is None for f in result.findings)


def test_messages_name_the_file_and_symbol(result: ScanResult) -> None:
    by_place = {(f.rule_id, f.location.path): f for f in result.findings}
    sql = by_place["CODE001", "legacy/orders.py"]
    assert sql.message == (
        f"{WHERE_SQL}: event.queryStringParameters.id (the whole event is untrusted: no trigger is known) "
        "reaches cur.execute at line 12: SQL injection"
    )
    assert [(s.loc.line, s.note) for s in sql.trace] == [
        (10, "order_id = event['queryStringParameters']['id']"),
        (12, "reaches cur.execute()"),
    ]
    assert sql.remediation.startswith("Pass the values as query parameters")
    flask = by_place["CODE002", "scripts/admin.py"]
    assert flask.message.startswith("app `app` in a file no function claims (scripts/admin.py): ")
    assert "route GET /run" in flask.message
    express = by_place["CODE002", "scripts/server.js"]
    assert express.message.startswith("handler `handler` in a file no function claims (scripts/server.js): ")
    assert "route GET /ping" in express.message
    state = by_place["CODE012", "legacy/orders.py"]
    assert state.message == (
        f"{WHERE_SQL}: event data is written to module-level object `CACHE`, which survives into later invocations"
    )
    verbose = by_place["CODE013", "legacy/orders.py"]
    assert verbose.message.startswith("handler `refund` in a file no function claims (legacy/orders.py): ")


def test_test_files_and_claimed_code_are_not_analysed_as_unclaimed(result: ScanResult) -> None:
    # legacy/tests/test_orders.py and legacy/report.test.js hold injections with the handler shape
    paths = {f.location.path for f in result.findings}
    assert paths.isdisjoint({"legacy/tests/test_orders.py", "legacy/report.test.js", "src/handler.py"})
    (app,) = result.apps
    assert [(e.file, e.symbol, e.kind, e.language, e.loc.line) for e in app.unclaimed] == [
        ("legacy/orders.py", "lambda_handler", "handler", "python", 9),
        ("legacy/orders.py", "refund", "handler", "python", 18),
        ("legacy/report.js", "handler", "handler", "node", 3),
        ("scripts/admin.py", "app", "web-app", "python", 5),
        ("scripts/server.js", "handler", "web-app", "node", 11),
    ]
    # never a function: IAM, DOS and AUTH rules do not see the entries
    assert [fn.name for fn in app.functions] == ["api"]


def test_coverage_marks_the_analysed_unclaimed_files(result: ScanResult) -> None:
    files = {f.path: (f.state.value, f.by, f.reason) for f in result.coverage.files}
    for rel in ("legacy/orders.py", "legacy/db.py", "legacy/report.js", "scripts/admin.py", "scripts/server.js"):
        assert files[rel] == ("analysed", ("code",), "no function claims it"), rel
    assert files["src/handler.py"] == ("analysed", ("code",), None)
    # a test file is never an entry: it stays code that belongs to no function
    assert files["legacy/report.test.js"] == ("unattributed", (), "no function claims it")


def test_unclaimed_findings_are_reported_once_across_apps(tmp_path: Path) -> None:
    sls = "service: {name}\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  fn:\n    handler: h.main\n"
    root = _write(
        tmp_path / "repo",
        {
            "svc-a/serverless.yml": sls.format(name="a"),
            "svc-a/h.py": "def main(event, context):\n    return 1\n",
            "svc-b/serverless.yml": sls.format(name="b"),
            "svc-b/h.py": "def main(event, context):\n    return 2\n",
            # no app's folder holds it: one app reports it, never both
            "jobs/cleanup.py": "import os\n\n\ndef run(event, context):\n    os.system('rm ' + event['path'])\n",
        },
    )
    result = _scan(root, "CODE002")
    assert [_row(f) for f in result.findings] == [
        ("CODE002", "jobs/cleanup.py", 5, None, "unclaimed", Severity.HIGH, "low")
    ]
    assert sum(len(a.unclaimed) for a in result.apps) == 1


def test_a_function_s_own_handler_is_reported_for_the_function_only(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "app",
        {
            "serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n"
            "  fn:\n    handler: h.main\n",
            "h.py": "import os\n\n\ndef main(event, context):\n    os.system('ls ' + event['dir'])\n\n\n"
            "def other(event, context):\n    os.system('cat ' + event['file'])\n",
        },
    )
    result = _scan(root, "CODE002")
    # h.py is the function's: its second handler-shaped function is not an unclaimed entry
    assert [(f.location.line, f.function, f.attribution) for f in result.findings] == [(5, "fn", None)]
    assert result.apps[0].unclaimed == ()


@pytest.mark.parametrize(
    ("source", "symbols"),
    [
        ("export const handler = async (event) => { run(event.cmd); };\n", ["handler"]),
        ("export async function handler(event, context) { run(event.cmd); }\n", ["handler"]),
        ("module.exports.handler = async (e) => run(e.cmd);\n", ["handler"]),  # the `handler` export, any shape
        ("exports.purge = function (evt, ctx) { run(evt.cmd); };\nexports.util = (a, b) => a + b;\n", ["purge"]),
        ("export const sum = (a, b) => a + b;\n", []),
        ("export const check = (req, ctx) => run(req.cmd);\n", []),
        (
            "const base = async (event) => run(event.cmd);\nexport const handler = middy(base).use(cors());\n",
            ["handler"],
        ),
    ],
)
def test_javascript_handler_shapes(tmp_path: Path, source: str, symbols: list[str]) -> None:
    head = "const { execSync } = require('child_process');\nconst run = (c) => execSync(c);\n"
    root = _write(
        tmp_path / "app",
        {
            "serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\n",
            "tools/job.mjs": head + source,
        },
    )
    result = _scan(root, "CODE")
    assert [e.symbol for a in result.apps for e in a.unclaimed] == symbols


CHALICE = """import os

from chalice import Chalice

app = Chalice(app_name="ops")


@app.route("/run")
def run():
    os.system("run " + app.current_request.query_params["job"])
"""
FASTAPI = """import os

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/x")
def x(q: str):
    os.system("x " + q)


handler = Mangum(app)
"""
WRAPPED = """import os


def real(event, context):
    os.system("x " + event["cmd"])


handler = with_logging(real)
"""


@pytest.mark.parametrize(
    ("source", "entries", "line"),
    [
        (CHALICE, [("app", "chalice-app")], 10),
        (FASTAPI, [("app", "web-app")], 11),  # `handler = Mangum(app)` runs the same app: one entry, one finding
        (WRAPPED, [("real", "handler")], 5),  # `handler = with_logging(real)` is `real`: one entry
    ],
)
def test_python_app_and_handler_forms(tmp_path: Path, source: str, entries: list[tuple[str, str]], line: int) -> None:
    root = _write(
        tmp_path / "app",
        {"serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n", "ops/app.py": source},
    )
    result = _scan(root, "CODE002")
    assert [(e.symbol, e.kind) for a in result.apps for e in a.unclaimed] == entries
    assert [_row(f) for f in result.findings] == [
        ("CODE002", "ops/app.py", line, None, "unclaimed", Severity.HIGH, "low")
    ]


@pytest.mark.parametrize(
    "source",
    [
        "import os\n\n\ndef check(app, ctx):\n    os.system(app['cmd'])\n",  # `ctx` alone: click, rules, pytest
        "import os\n\n\ndef run(event):\n    os.system(event['cmd'])\n",  # one parameter: not a Lambda handler
        "import os\n\n\nclass Job:\n    def handler(self, event, context):\n        os.system(event['cmd'])\n",
    ],
)
def test_python_functions_without_the_handler_shape_are_not_entries(tmp_path: Path, source: str) -> None:
    root = _write(
        tmp_path / "app",
        {"serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n", "ops/tool.py": source},
    )
    result = _scan(root, "CODE")
    assert result.apps[0].unclaimed == ()
    assert result.findings == ()


def test_unclaimed_code_linked_out_of_the_root_is_never_read(tmp_path: Path) -> None:
    outside = _write(
        tmp_path / "outside", {"job.py": "import os\n\n\ndef run(event, context):\n    os.system(event['c'])\n"}
    )
    root = _write(tmp_path / "app", {"serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n"})
    (root / "tools").mkdir()
    (root / "tools/job.py").symlink_to(outside / "job.py")
    result = _scan(root, "CODE")
    assert result.findings == ()
    assert result.apps[0].unclaimed == ()
    assert not [e for e in result.errors if e.stage == "code"]  # discovery names the link; the code engine adds nothing


@pytest.mark.parametrize(
    ("rel", "candidate"),
    [
        ("legacy/orders.py", True),
        ("scripts/report.ts", True),
        ("legacy/tests/test_orders.py", False),
        ("src/__tests__/api.js", False),
        ("src/api.test.ts", False),
        ("src/api.spec.js", False),
        ("conftest.py", False),
        ("orders_test.py", False),
        ("dist/bundle.js", False),
        ("vendored/requests/api.py", False),
        ("types/index.d.ts", False),
        ("code.zip!/app.py", False),
        ("README.md", False),
    ],
)
def test_candidates_skip_tests_build_output_and_vendored_code(rel: str, candidate: bool) -> None:
    assert is_candidate(rel) is candidate


def test_secrets_and_lockfiles_no_function_ships_are_unclaimed(tmp_path: Path) -> None:
    from tests.deps.test_manifests import BASE, LOCK
    from tests.deps.test_manifests import _scan as deps_scan
    from tests.secrets.test_engine import OTHER_TOKEN, _sam_app

    found = deps_scan(
        tmp_path, {**BASE, "tools/package-lock.json": LOCK, "requirements.txt": "pyyaml==5.3\n"}, "DEP001"
    )
    assert [(f.location.path, f.function, f.attribution) for f in found] == [
        ("requirements.txt", "api", None),
        ("tools/package-lock.json", None, "unclaimed"),
    ]
    (tmp_path / "secrets").mkdir()
    root = _sam_app(  # the function ships src/ only (CodeUri)
        tmp_path / "secrets",
        {
            "src/app.py": f'TOKEN = "{OTHER_TOKEN}"\n\n\ndef handler(event, context):\n    return 1\n',
            "scripts/deploy.py": f'GITHUB_TOKEN = "{OTHER_TOKEN}"\n',
        },
    )
    result = _scan(root, "SECRET")
    assert sorted((f.location.path, f.function, f.attribution) for f in result.findings) == [
        ("scripts/deploy.py", None, "unclaimed"),
        ("src/app.py", "Fn", None),
    ]


# --- reporters -------------------------------------------------------------------------------------


def _rendered(result: ScanResult, fmt: Format) -> str:
    out = io.StringIO()
    render(result, fmt, out)
    return out.getvalue()


def test_json_carries_the_attribution_and_is_valid(result: ScanResult) -> None:
    doc = document(result)
    schema = json.loads(resources.files("fnaudit").joinpath("schema/findings-v1.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert {(f["function"], f["attribution"]) for f in doc["findings"]} == {(None, "unclaimed")}
    bad: dict[str, Any] = json.loads(json.dumps(doc))
    bad["findings"][0]["attribution"] = "lost"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(bad)
    del bad["findings"][0]["attribution"]  # always present: null when there is nothing to explain
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(bad)


def test_json_attribution_is_null_for_a_function_s_finding(tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root)
    (root / "src/handler.py").write_text(
        "import os\n\n\ndef main(event, context):\n    os.system('ls ' + event['queryStringParameters']['dir'])\n",
        encoding="utf-8",
    )
    doc = document(_scan(root, "CODE002"))
    assert [(f["location"]["path"], f["function"], f["attribution"]) for f in doc["findings"]] == [
        ("src/handler.py", "api", None),
        ("legacy/report.js", None, "unclaimed"),
        ("scripts/admin.py", None, "unclaimed"),
        ("scripts/server.js", None, "unclaimed"),
    ]


def test_sarif_puts_the_attribution_in_the_properties(result: ScanResult) -> None:
    run = json.loads(_rendered(result, Format.SARIF))["runs"][0]
    props = [r["properties"] for r in run["results"]]
    assert {(p["function"], p["attribution"]) for p in props} == {(None, "unclaimed")}


def test_table_markdown_and_html_group_unattributed_findings(result: ScanResult) -> None:
    from fnaudit.report.table import groups

    assert [(heading, len(found)) for heading, found in groups(result)] == [("Not attributed to a function", 7)]
    assert "#### Not attributed to a function" in _rendered(result, Format.MARKDOWN)
    page = _rendered(result, Format.HTML)
    assert '<section class="card" id="unattributed"' in page
    assert "<h2>Not attributed to a function</h2>" in page
    assert 'id="app-level"' not in page  # not app-level findings: their own group
