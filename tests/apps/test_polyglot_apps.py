"""End to end on four realistic Go and Java serverless apps (issue 15): each JSON report is exactly the expected one.

The apps (SAM and Serverless Framework, Go and Java) carry deliberate weaknesses, marked `expect:` where they are,
next to correct code; each mark must be in the report (`bench/polyglot.py` measures recall and precision on them).
Their dependencies are checked against the small advisory folder beside them (tests/apps/advisories), imported into a
store of the test's own. To accept a deliberate change: `FNAUDIT_UPDATE_EXPECTED=1 python -m pytest tests/apps`
and review the diff of tests/apps/expected/*.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from fnaudit.cli import main
from tests.conftest import REPO, SCAN_DATE
from tests.expected_report import expected, stable
from tests.rules.expectations import expectations

APPS_DIR = Path(__file__).parent
APPS = ("go-sam-orders", "go-sls-media", "java-sam-reports", "java-sls-billing")
SCHEMA = REPO / "src" / "fnaudit" / "schema" / "findings-v1.json"
# the one plaintext secret of the four apps (go-sam-orders' authorizer key), which no output may print
SECRET = "9f3KxQ2vLm8RtZ4wYb7NcPa1Hd6GsJe0Uq5TkXy2"


@pytest.fixture(scope="module")
def advisory_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("apps-advisories")
    assert main(["db", "import", str(APPS_DIR / "advisories"), "--db", str(store)]) == 0
    return store


def _scan(app: str, store: Path, out: Path, fmt: str = "json") -> str:
    code = main(
        [
            "scan",
            str(APPS_DIR / app),
            "--format",
            fmt,
            "--output",
            str(out),
            "--db",
            str(store),
            "--date",
            SCAN_DATE.isoformat(),
        ]
    )
    assert code == 1  # every app has findings on purpose
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("app", APPS)
def test_json_report_is_the_expected_one(app: str, advisory_store: Path, tmp_path: Path) -> None:
    raw = json.loads(_scan(app, advisory_store, tmp_path / "report.json"))
    jsonschema.validate(raw, json.loads(SCHEMA.read_text(encoding="utf-8")))
    doc = stable(raw, f"tests/apps/{app}")
    assert doc == expected(doc, APPS_DIR / "expected" / f"{app}.json")


@pytest.mark.parametrize("app", APPS)
def test_every_marked_weakness_is_reported(app: str, advisory_store: Path, tmp_path: Path) -> None:
    """The `expect:` marks (rule name, file, line) are all in the report: the deliberate weaknesses, read on their
    own, so that a lost one is named even while the whole expected report is being regenerated."""
    doc = json.loads(_scan(app, advisory_store, tmp_path / "report.json"))
    found = {(f["rule_name"], f["location"]["path"], f["location"]["line"]) for f in doc["findings"]}
    assert sorted(expectations(APPS_DIR / app) - found) == []


@pytest.mark.parametrize("fmt", ["json", "sarif", "table", "markdown"])
def test_the_plaintext_secret_never_appears(fmt: str, advisory_store: Path, tmp_path: Path) -> None:
    assert SECRET in (APPS_DIR / "go-sam-orders" / "template.yaml").read_text(encoding="utf-8")
    text = _scan("go-sam-orders", advisory_store, tmp_path / f"report.{fmt}", fmt)
    assert SECRET not in text
    assert SECRET[4:] not in text
