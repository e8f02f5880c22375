"""The `coverage` section (issue 13, "Never silent"): every file under the root is accounted for.

The fixture app is built here: a Serverless service in a subfolder with one function whose code is in
the repo and one deployed from an S3 artifact (its code sits, unclaimed, in `worker/`), a root lockfile
no function ships, a vendored `node_modules` folder, a `serverless.template.yml` of gallery metadata, a
binary image, a broken lockfile and a Python module that does not parse.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema

from fnaudit.cli import main
from fnaudit.config import Config
from fnaudit.loaders.discover import NOT_A_TEMPLATE
from fnaudit.model import coverage as cov
from fnaudit.pipeline import scan
from fnaudit.report import json as json_report
from fnaudit.report import table
from fnaudit.report.options import RenderOptions
from tests.conftest import REPO, SCAN_DATE

SCHEMA = REPO / "src" / "fnaudit" / "schema" / "findings-v1.json"

SERVERLESS = """\
service: shop
provider:
  name: aws
  runtime: python3.12
functions:
  api:
    handler: handler.main
    events:
      - httpApi: GET /items
  worker:
    handler: worker.handler
    package:
      artifact: s3://shop-artifacts/worker.zip
"""
S3_NOTE = "deployed from the artifact s3://shop-artifacts/worker.zip; its code is not read"
PIPFILE_ERROR = "lockfile not read: not valid JSON (Expecting value at line 1); is it a Pipfile.lock?"
SYNTAX_ERROR = (
    "line 1: Python syntax error (invalid syntax); the file was not analysed for code findings: fix it, "
    "or check that the function's runtime matches the code"
)


def _app(root: Path) -> Path:
    files = {
        "services/api/serverless.yml": SERVERLESS,
        "services/api/handler.py": "from lib import bad, util\n\n\ndef main(event, context):\n    return util.ok()\n",
        "services/api/lib/__init__.py": "",
        "services/api/lib/util.py": "def ok():\n    return {'statusCode': 200}\n",
        "services/api/lib/bad.py": "def broken(:\n",
        "services/api/requirements.txt": "requests==2.31.0\n",
        "services/api/Pipfile.lock": '{"_meta": ',
        "services/api/node_modules/left-pad/index.js": "module.exports = (s) => s;\n",
        "worker/worker.py": "def handler(event, context):\n    return event\n",
        "poetry.lock": '[[package]]\nname = "urllib3"\nversion = "1.26.0"\n',
        "serverless.template.yml": "name: shop-example\ndescription: metadata for the examples gallery\n",
        "README.md": "# Shop\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "services/api/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return root


def _files(doc: dict[str, object]) -> list[tuple[object, ...]]:
    coverage = doc["coverage"]
    assert isinstance(coverage, dict)
    return [(f["path"], f["state"], tuple(f["by"]), f["kind"], f["reason"]) for f in coverage["files"]]


def test_every_file_of_the_fixture_app_has_one_state(tmp_path: Path) -> None:
    root = _app(tmp_path / "app")
    doc = json_report.document(scan(root, Config(today=SCAN_DATE)))
    jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert _files(doc) == [
        ("README.md", "skipped", (), None, cov.NOT_READ),
        ("poetry.lock", "unattributed", (), "lockfile", "no function claims it"),
        ("serverless.template.yml", "skipped", (), None, NOT_A_TEMPLATE),
        ("services/api/Pipfile.lock", "failed", (), None, PIPFILE_ERROR),
        ("services/api/handler.py", "analysed", ("code", "secrets"), None, None),
        ("services/api/lib/__init__.py", "analysed", ("code", "secrets"), None, None),
        # it did not parse: failed, though the secrets engine read its text
        ("services/api/lib/bad.py", "failed", ("secrets",), None, SYNTAX_ERROR),
        ("services/api/lib/util.py", "analysed", ("code", "secrets"), None, None),
        ("services/api/logo.png", "skipped", (), None, cov.BINARY),
        ("services/api/requirements.txt", "analysed", ("deps",), None, None),
        ("services/api/serverless.yml", "analysed", ("iac",), None, None),
        # no function claims it, but its `handler(event, context)` is an entry point: analysed (issue 13)
        ("worker/worker.py", "analysed", ("code", "secrets"), None, "no function claims it"),
    ]
    # the vendored folder is listed once, not file by file
    assert doc["coverage"]["folders"] == [
        {"path": "services/api/node_modules", "reason": "dependency, build, cache or VCS folder; not walked"}
    ]
    assert doc["coverage"]["functions"] == [
        {
            "function": "services/api/serverless.yml#api",
            "name": "api",
            "code_files": ["services/api/handler.py", "services/api/lib/__init__.py", "services/api/lib/util.py"],
            "lockfiles": ["services/api/requirements.txt"],
            "code_note": None,
            "lockfile_note": None,
        },
        {
            "function": "services/api/serverless.yml#worker",
            "name": "worker",
            "code_files": [],
            "lockfiles": [],
            "code_note": S3_NOTE,
            "lockfile_note": S3_NOTE,
        },
    ]
    # every failed file is an `errors` entry naming it
    errors = {(e["path"], e["message"]) for e in doc["errors"]}
    assert ("services/api/Pipfile.lock", PIPFILE_ERROR) in errors
    assert ("services/api/lib/bad.py", SYNTAX_ERROR) in errors


def test_excluded_files_and_folders_are_listed_with_the_reason(tmp_path: Path) -> None:
    root = _app(tmp_path / "app")
    result = scan(root, Config(today=SCAN_DATE, exclude=("worker/", "README.md")))
    files = {f.path: f for f in result.coverage.files}
    assert files["README.md"] == cov.FileCoverage("README.md", cov.FileState.SKIPPED, reason="excluded by --exclude")
    assert "worker/worker.py" not in files
    assert [(f.path, f.reason) for f in result.coverage.folders] == [
        ("services/api/node_modules", "dependency, build, cache or VCS folder; not walked"),
        ("worker", "excluded by --exclude"),
    ]


def test_the_table_ends_with_one_line_naming_what_no_function_claims(tmp_path: Path) -> None:
    root = _app(tmp_path / "app")
    out = io.StringIO()
    table.render(scan(root, Config(today=SCAN_DATE)), out, RenderOptions(color=False))
    assert out.getvalue().splitlines()[-1] == (
        # worker/worker.py, code no function claims, was analysed from its entry point: not counted here
        "1 lockfile belongs to no function; 2 files could not be analysed: see --format json coverage"
    )


def test_no_closing_line_for_ordinary_skips(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "serverless.yml").write_text(SERVERLESS.replace("  worker:\n", "  other:\n"), encoding="utf-8")
    (root / "handler.py").write_text("def main(event, context):\n    return {}\n", encoding="utf-8")
    (root / "README.md").write_text("# hi\n", encoding="utf-8")
    (root / "logo.png").write_bytes(b"\x00\x01")
    out = io.StringIO()
    result = scan(root, Config(today=SCAN_DATE))
    table.render(result, out, RenderOptions(color=False))
    assert table.coverage_note(result) is None
    assert "--format json coverage" not in out.getvalue()
    assert [(f.path, f.state.value, f.reason) for f in result.coverage.files if f.state is cov.FileState.SKIPPED] == [
        ("README.md", "skipped", cov.NOT_READ),
        ("logo.png", "skipped", cov.BINARY),
    ]


def test_assemble_orders_states_and_counts_problems() -> None:
    """Failure beats analysis, analysis beats a discovery skip (kept as the note); too large is a problem."""
    c = cov.assemble(
        walked=["z.py", "a.yml", "big.js", "pom.xml", "package.json", "b.yml"],
        analysed={"a.yml": ["secrets", "iac"], "b.yml": ["secrets"], "z.py": ["code"]},
        skipped={"b.yml": "named like a template", "gone.yml": "excluded by --exclude"},
        failed={"z.py": "syntax error"},
        kind_of=lambda p: (
            {".py": cov.Kind.CODE, ".js": cov.Kind.CODE}.get(p[-3:], cov.Kind.OTHER)
            if p != "pom.xml"
            else cov.Kind.LOCKFILE
        ),
        probe=lambda p: cov.TOO_LARGE if p == "big.js" else None,
    )
    assert [(f.path, f.state.value, f.by, f.kind, f.reason) for f in c.files] == [
        ("a.yml", "analysed", ("iac", "secrets"), None, None),
        ("b.yml", "analysed", ("secrets",), None, "named like a template"),
        ("big.js", "skipped", (), None, cov.TOO_LARGE),
        ("gone.yml", "skipped", (), None, "excluded by --exclude"),
        ("package.json", "skipped", (), None, cov.NOT_READ),
        ("pom.xml", "unattributed", (), cov.Kind.LOCKFILE, "no function claims it"),
        ("z.py", "failed", ("code",), None, "syntax error"),
    ]
    assert [f.path for f in c.problems] == ["big.js", "z.py"]
    assert c.unattributed(cov.Kind.LOCKFILE) == 1


def test_a_single_file_target_covers_that_file(tmp_path: Path) -> None:
    root = _app(tmp_path / "app")
    code = main(
        [
            "scan",
            str(root / "services/api/serverless.yml"),
            "--format",
            "json",
            "--output",
            str(tmp_path / "r.json"),
            "--date",
            SCAN_DATE.isoformat(),
        ]
    )
    assert code == 1
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [f[:3] for f in _files(doc)] == [
        ("handler.py", "analysed", ("code", "secrets")),
        ("lib/__init__.py", "analysed", ("code", "secrets")),
        ("lib/bad.py", "failed", ("secrets",)),
        ("lib/util.py", "analysed", ("code", "secrets")),
        ("requirements.txt", "analysed", ("deps",)),
        ("serverless.yml", "analysed", ("iac",)),
    ]
    assert doc["coverage"]["folders"] == []


def test_files_whose_engine_the_selection_did_not_run_are_skipped_not_unattributed(tmp_path: Path) -> None:
    # With --select RUNTIME no engine runs (AUTH and DOS001 read the code's own authentication, so they run the code
    # engine): the function's own code and lockfile belong to it all the same.
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def main(event, context):\n    return 1\n", encoding="utf-8")
    (tmp_path / "src" / "requirements.txt").write_text("requests==2.31.0\n", encoding="utf-8")
    (tmp_path / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n"
        "      Handler: app.main\n      Runtime: python3.12\n",
        encoding="utf-8",
    )
    result = scan(tmp_path, Config(select=("RUNTIME",), today=SCAN_DATE))
    states = {f.path: (f.state.value, f.reason) for f in result.coverage.files}
    assert states == {
        "src/app.py": ("skipped", "not analysed: no selected rule needs it (see --select)"),
        "src/requirements.txt": ("skipped", "not analysed: no selected rule needs it (see --select)"),
        "template.yaml": ("analysed", None),
    }
    assert result.coverage.problems == ()
