"""Fingerprints: distinct for distinct findings, stable across line moves (issue 11)."""

from __future__ import annotations

import collections
import json
import os
import shutil
from pathlib import Path

import pytest

from fnaudit import cli
from fnaudit.config import Config
from fnaudit.findings import Category, Finding, Severity
from fnaudit.fingerprint import SourceLines, disambiguate, fingerprint, normalise
from fnaudit.model.loc import Loc
from fnaudit.pipeline import scan
from tests.conftest import SCAN_DATE
from tests.rules.expectations import assembled

ROOT = Path(__file__).resolve().parent.parent
DATE = SCAN_DATE.isoformat()

SERVERLESS = """\
service: orders
provider:
  name: aws
  runtime: python3.12
functions:
  getOrder:
    handler: handler.get_order
    events:
      - httpApi: GET /orders/{id}
"""

HANDLER = """\
import psycopg2

conn = psycopg2.connect("dbname=shop")


def get_order(event, context):
    order_id = event["pathParameters"]["id"]
    cur = conn.cursor()
    cur.execute(f"SELECT * FROM orders WHERE id = '{order_id}'")
    return {"statusCode": 200}
"""
SELECT = "    cur.execute(f\"SELECT * FROM orders WHERE id = '{order_id}'\")\n"


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "serverless.yml").write_text(SERVERLESS)
    (tmp_path / "handler.py").write_text(HANDLER)
    return tmp_path


def _baseline(app: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = app / "baseline.json"
    assert cli.main(["baseline", str(app), "--output", str(out), "--date", DATE]) == 0
    capsys.readouterr()
    return out


def _scan_json(app: Path, baseline: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, object]]]:
    code = cli.main(
        ["scan", str(app), "--baseline", str(baseline), "--fail-on", "critical", "--format", "json", "--date", DATE]
    )
    doc = json.loads(capsys.readouterr().out)
    active = [f for f in doc["findings"] if not f["suppressed"]]
    return code, active


def _where(findings: list[dict[str, object]]) -> set[tuple[object, object, object]]:
    return {(f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in findings}  # type: ignore[index]


def test_a_second_same_shape_injection_in_a_baselined_function_is_reported(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = _baseline(app, capsys)
    # same rule, same source (pathParameters.id), same sink call (cursor.execute): only the text differs
    text = HANDLER.replace(SELECT, SELECT + "    cur.execute(f\"DELETE FROM orders WHERE id = '{order_id}'\")\n")
    (app / "handler.py").write_text(text)
    code, active = _scan_json(app, baseline, capsys)
    assert code == 1
    assert _where(active) == {("CODE001", "handler.py", 10), ("PATH002", "handler.py", 10)}
    assert all(f["severity"] == "critical" for f in active)


def test_an_identical_copy_of_the_line_below_is_new_and_the_original_stays_baselined(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = _baseline(app, capsys)
    (app / "handler.py").write_text(HANDLER.replace(SELECT, SELECT + SELECT))  # same text: the occurrence index
    code, active = _scan_json(app, baseline, capsys)
    assert code == 1
    assert _where(active) == {("CODE001", "handler.py", 10), ("PATH002", "handler.py", 10)}


def test_moving_the_code_down_ten_lines_and_reindenting_finds_nothing_new(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = _baseline(app, capsys)
    moved = "# a comment\n\n" * 5 + HANDLER.replace(SELECT, SELECT.replace("(f", "(  f"))
    (app / "handler.py").write_text(moved)
    (app / "serverless.yml").write_text("# header\n" * 10 + SERVERLESS)
    code, active = _scan_json(app, baseline, capsys)
    assert (code, active) == (0, [])


def test_an_inline_ignore_comment_does_not_change_the_fingerprint(app: Path) -> None:
    before = {(f.rule_id, f.fingerprint) for f in scan(app, Config(today=SCAN_DATE)).findings}
    (app / "handler.py").write_text(HANDLER.replace(SELECT, SELECT.rstrip("\n") + "  # fnaudit: ignore[CODE001] ok\n"))
    result = scan(app, Config(today=SCAN_DATE))
    assert {(f.rule_id, f.fingerprint) for f in result.findings} == before
    suppressed = {f.rule_id: f.suppression for f in result.findings if f.suppression}
    assert sorted(suppressed) == ["CODE001", "PATH002"]  # the path stands on the ignored injection
    assert suppressed["CODE001"].reason == "ok"
    assert suppressed["PATH002"].reason == "via CODE001 at handler.py:9: ok"


def _assert_unique(findings: tuple[Finding, ...], where: str) -> None:
    counts = collections.Counter(f.fingerprint for f in findings)
    shared = sorted((f.rule_id, f.location.path, f.location.line) for f in findings if counts[f.fingerprint] > 1)
    assert shared == [], f"{where}: findings share a fingerprint: {shared}"


def test_no_two_findings_of_the_example_app_share_a_fingerprint(tmp_path: Path) -> None:
    result = scan(ROOT / "examples" / "shop-api", Config(today=SCAN_DATE, db=str(tmp_path / "no-db")))
    assert len(result.findings) > 20
    _assert_unique(result.findings, "examples/shop-api")


def test_no_two_findings_of_a_rule_fixture_share_a_fingerprint(tmp_path: Path) -> None:
    fixtures = ROOT / "tests" / "rules" / "fixtures"
    folders = sorted(p for p in fixtures.glob("*/*") if p.is_dir() and p.name in ("bad", "good"))
    assert len(folders) > 80
    total = 0
    for folder in folders:
        with assembled(folder) as target:  # with the shared apps the folder names
            result = scan(target, Config(today=SCAN_DATE, db=str(tmp_path / "no-db")))
        total += len(result.findings)
        _assert_unique(result.findings, str(folder.relative_to(ROOT)))
    assert total > 500


# --- units -------------------------------------------------------------------------------------------


def test_normalise_drops_space_and_drops_ignore_comments_and_trailing_commas() -> None:
    assert normalise('    "Action":   "*",  ') == '"Action":"*"'
    assert normalise("x = run(cmd)  # fnaudit: ignore[CODE002] reviewed") == "x=run(cmd)"
    assert normalise("run(cmd); // fnaudit: ignore[CODE002] reviewed") == "run(cmd)"
    assert normalise("x = 1  # a plain comment stays") == "x=1#aplaincommentstays"
    assert normalise("f(a,b)") == normalise("f( a, b )")


def test_fingerprint_without_text_is_the_historical_one_and_text_changes_it() -> None:
    base = fingerprint("CODE001", "h.py", "s.yml#f", "sql:cursor.execute:event.body")
    assert base == fingerprint("CODE001", "h.py", "s.yml#f", "sql:cursor.execute:event.body", "")
    assert len(base) == 32
    one = fingerprint("CODE001", "h.py", "s.yml#f", "sql:cursor.execute:event.body", "cur.execute(a)")
    two = fingerprint("CODE001", "h.py", "s.yml#f", "sql:cursor.execute:event.body", "cur.execute(b)")
    assert len({base, one, two}) == 3


def _finding(line: int, fp: str, rule: str = "CODE001") -> Finding:
    return Finding(
        rule,
        "sql-injection",
        "t",
        Category.INJECTION,
        Severity.HIGH,
        "f",
        "s.yml#f",
        Loc("h.py", line),
        "m",
        "e",
        "r",
        fp,
    )


def test_disambiguate_drops_repeats_and_numbers_the_others_in_line_order() -> None:
    found = [_finding(30, "a"), _finding(10, "a"), _finding(10, "a"), _finding(20, "b"), _finding(20, "a")]
    out = disambiguate(found)
    assert [(f.location.line, f.fingerprint == "a") for f in out] == [(30, False), (10, True), (20, False), (20, False)]
    assert out[2].fingerprint == "b"
    assert len({f.fingerprint for f in out}) == 4
    # the n-th occurrence is counted in line order, not in the order the rules yielded them
    again = disambiguate([_finding(20, "a"), _finding(10, "a"), _finding(30, "a")])
    assert {f.location.line: f.fingerprint for f in again} == {
        f.location.line: f.fingerprint for f in out if f.fingerprint != "b"
    }


def test_source_lines_never_read_outside_the_root_or_huge_files(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.py").write_text("TOKEN = 'outside'\n")
    (root / "ok.py").write_text("a = 1\n  b =   2\n")
    os.symlink(tmp_path / "secret.py", root / "link.py")
    with (root / "big.py").open("w") as fh:
        fh.truncate(11 * 1024 * 1024)
    lines = SourceLines(root)
    assert lines.text(Loc("ok.py", 2)) == "b=2"
    assert lines.text(Loc("ok.py", 3)) == ""
    assert lines.text(Loc("link.py", 1)) == ""
    assert lines.text(Loc("../secret.py", 1)) == ""
    assert lines.text(Loc(str(tmp_path / "secret.py"), 1)) == ""
    assert lines.text(Loc("big.py", 1)) == ""
    assert lines.text(Loc("", 1)) == ""


def test_secret_findings_do_not_hash_their_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The line of a secret finding holds the secret (a hash of it could be brute-forced when the
    secret is weak): it is never read for the fingerprint; occurrence indexes keep them distinct."""
    asked: list[Loc] = []
    real = SourceLines.text

    def spy(self: SourceLines, loc: Loc) -> str:
        asked.append(loc)
        return real(self, loc)

    monkeypatch.setattr(SourceLines, "text", spy)
    src = ROOT / "tests" / "rules" / "fixtures" / "SECRET001" / "bad"
    shutil.copytree(src, tmp_path / "app")
    result = scan(tmp_path / "app", Config(select=("SECRET001", "OBS001"), today=SCAN_DATE))
    secrets = [f for f in result.findings if f.rule_id == "SECRET001"]
    others = [f for f in result.findings if f.rule_id == "OBS001"]
    assert secrets and others
    assert not {f.location for f in secrets} & set(asked)
    assert {f.location for f in others} <= set(asked)
    _assert_unique(result.findings, "SECRET001 fixture")
