"""End to end on the bundled example app: the JSON report is exactly the expected one.

To accept a deliberate change, run `FNAUDIT_UPDATE_EXPECTED=1 python -m pytest tests/test_example_app.py`
and review the diff of tests/expected/shop-api.json like any other change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from fnaudit.cli import main
from tests.conftest import REPO, SCAN_DATE
from tests.expected_report import expected, stable

EXAMPLE = REPO / "examples" / "shop-api"
EXPECTED = Path(__file__).parent / "expected" / "shop-api.json"
SCHEMA = REPO / "src" / "fnaudit" / "schema" / "findings-v1.json"


def _report(tmp_path: Path, fmt: str) -> str:
    out = tmp_path / f"report.{fmt}"
    code = main(["scan", str(EXAMPLE), "--format", fmt, "--output", str(out), "--date", SCAN_DATE.isoformat()])
    assert code == 1  # the example app has findings on purpose
    return out.read_text(encoding="utf-8")


def test_json_report_is_the_expected_one(tmp_path: Path) -> None:
    raw = json.loads(_report(tmp_path, "json"))
    jsonschema.validate(raw, json.loads(SCHEMA.read_text(encoding="utf-8")))
    doc = stable(raw, "examples/shop-api")
    assert doc == expected(doc, EXPECTED)


def test_the_plaintext_secret_never_appears_in_any_output(tmp_path: Path) -> None:
    secret = "sk_live_51HxQ7wR2nT5vYb8KcPzL0aMd3GfJ9uXe4Rk2"
    assert secret in (EXAMPLE / "serverless.yml").read_text(encoding="utf-8")
    for fmt in ("json", "sarif", "table"):
        assert secret not in _report(tmp_path, fmt)
        assert secret[8:] not in _report(tmp_path, fmt)


def test_table_groups_by_function_with_a_summary(tmp_path: Path) -> None:
    lines = _report(tmp_path, "table").splitlines()
    headings = [line for line in lines if line and not line.startswith(" ")]
    assert headings[0] == "adminReport (serverless.yml) · blast radius 42.1 · risk 42.1"
    summary = next(line for line in reversed(lines) if " findings (" in line)
    # 31 findings in JSON: the attack paths of adminReport (PATH001) and getOrder (PATH002) show their footholds
    # (CODE002, CODE007) as a line under the path, so the table counts 29; one finding per IAM statement (the
    # unused dynamodb:* actions folded into IAM002, the data read into IAM003); hygiene findings (tracing, log
    # retention, the maximum timeout, no failure destination) are `info`, counted but not listed; three DEP001
    # from the example's own advisories (advisories/, named by .fnaudit.toml)
    assert summary == "29 findings (1 critical, 6 high, 8 medium, 2 low, 12 info) in 6 functions across 1 app"


def test_the_first_scan_is_complete_offline(tmp_path: Path) -> None:
    """The README's first command on a machine without an advisory store used to end with "1 error … no
    advisory store" (and DEP004): the example ships its own advisories, so its first scan is complete."""
    doc = json.loads(_report(tmp_path, "json"))
    assert doc["errors"] == []
    deps = sorted(
        (f["rule_id"], f["severity"], f["location"]["path"], f["location"]["line"], f["message"].split(":")[0])
        for f in doc["findings"]
        if f["rule_id"].startswith("DEP")
    )
    assert deps == [
        (
            "DEP001",
            "high",
            "requirements.txt",
            3,
            "PyYAML 5.3.1 (PyPI) is affected by GHSA-8q59-q68h-6hv4, CVE-2020-14343 (CVSS 9.8)",
        ),
        (
            "DEP001",
            "low",
            "requirements.txt",
            2,
            "Jinja2 3.1.2 (PyPI) is affected by GHSA-h5c8-rqwp-cp95, CVE-2024-22195 (CVSS 5.4)",
        ),
        (
            "DEP001",
            "low",
            "requirements.txt",
            4,
            "urllib3 1.26.18 (PyPI) is affected by GHSA-34jh-p97f-mpxf, CVE-2024-37891 (CVSS 4.4)",
        ),
        (
            "DEP003",
            "medium",
            "web/package.json",
            5,
            "web/package.json declares npm dependencies but no lockfile pins them; shipped by createOrder, resizeImage",
        ),
    ]


def test_python_dash_m_runs(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "fnaudit", "scan", str(EXAMPLE), "--format", "json", "--date", SCAN_DATE.isoformat()],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["schema"] == "fnaudit/findings/v1"


def test_fix_of_the_example_app_is_the_expected_patch(capsys: pytest.CaptureFixture[str]) -> None:
    """`fnaudit fix examples/shop-api` (the README's run) prints exactly tests/expected/shop-api-fix.diff, writes
    nothing, shows no secret, and says what it could not fix and why."""
    before = {p: p.read_bytes() for p in EXAMPLE.rglob("*") if p.is_file()}
    assert main(["fix", str(EXAMPLE), "--date", "2026-12-06"]) == 1  # findings remain that no fix covers
    out, err = capsys.readouterr()
    assert out == (Path(__file__).parent / "expected" / "shop-api-fix.diff").read_text(encoding="utf-8")
    assert {p: p.read_bytes() for p in EXAMPLE.rglob("*") if p.is_file()} == before
    assert "sk_live" not in out + err
    assert "fnaudit: 14 fix(es) for 22 finding(s); nothing written (--write applies them)" in err
    assert "fnaudit: not fixed: IAM003: the code calls s3:GetObject, s3:PutObject on a resource fnaudit cannot" in err
