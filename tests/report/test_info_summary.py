"""Issue 22: monitoring and hygiene findings are `info`, counted in one line per app by the table and the
Markdown comment (unless `--show info` or `show = ["info"]`), listed in full by JSON, SARIF and HTML, and
never failing the default gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fnaudit import cli
from fnaudit.errors import ConfigError
from fnaudit.rules.registry import find_rule

Capture = pytest.CaptureFixture[str]

SERVERLESS = """\
service: shop
frameworkVersion: "3"
provider:
  name: aws
  runtime: python3.13
  timeout: 900
functions:
  list:
    handler: handler.list_items
    reservedConcurrency: 5
    events:
      - httpApi: GET /items
  thumbs:
    handler: handler.thumbs
    events:
      - s3: uploads
  nightly:
    handler: handler.nightly
    tracing: Active
    logRetentionInDays: 30
"""
HANDLER = "def list_items(event, context):\n    return 1\n\n\ndef thumbs(event, context):\n    return 2\n\n\n"
HANDLER += "def nightly(event, context):\n    return 3\n"
INFO_LINE = (
    "2 functions without tracing, 2 without log retention, 3 with the maximum timeout, "
    "1 async function without a failure destination: --show info"
)
SUMMARY = "11 findings (3 medium, 8 info) in 3 functions across 1 app"
HYGIENE = {"OBS001", "OBS002", "DOS002", "DOS004"}


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "serverless.yml").write_text(SERVERLESS, encoding="utf-8")
    (tmp_path / "handler.py").write_text(HANDLER, encoding="utf-8")
    return tmp_path


def run(capsys: Capture, *argv: str) -> tuple[int, str]:
    code = cli.main(["scan", *argv, "--select", "OBS,DOS", "--date", "2026-11-29"])
    return code, capsys.readouterr().out


def test_the_hygiene_rules_report_at_info() -> None:
    for code in sorted(HYGIENE):
        rule = find_rule(code)
        assert rule is not None and rule.severity.value == "info", code


def test_table_counts_info_findings_in_one_line_per_app(capsys: Capture, app: Path) -> None:
    code, out = run(capsys, str(app))
    lines = out.splitlines()
    assert lines[-2:] == [INFO_LINE, SUMMARY]
    assert [line.split()[:2] for line in lines if line.startswith("  ") and not line.startswith("    ")] == [
        ["medium", "DOS003"],
        ["medium", "DOS006"],
        ["medium", "DOS005"],
    ]
    assert "OBS001" not in out and "nightly (serverless.yml)" not in out  # a group of info findings alone goes too
    assert code == 1  # the three medium findings fail the default gate, the info ones do not


def test_show_info_lists_them(capsys: Capture, app: Path) -> None:
    _, out = run(capsys, str(app), "--show", "info")
    assert "--show info" not in out
    assert "  info      OBS001 tracing-disabled                   serverless.yml:13" in out
    assert "  info      DOS002 timeout-at-maximum                 serverless.yml:6" in out
    assert out.splitlines()[-1] == SUMMARY


def test_config_show_info(capsys: Capture, app: Path) -> None:
    (app / ".fnaudit.toml").write_text('show = ["info"]\n', encoding="utf-8")
    _, out = run(capsys, str(app))
    assert "--show info" not in out and "  info      OBS002 no-log-retention" in out


def test_config_show_rejects_anything_else(app: Path) -> None:
    from fnaudit import config_file

    (app / ".fnaudit.toml").write_text('show = ["low"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        config_file.load(app)
    assert str(exc.value) == ".fnaudit.toml: `show` lists `low`; expected one of info"


def test_markdown_counts_them_too(capsys: Capture, app: Path) -> None:
    _, out = run(capsys, str(app), "--format", "markdown", "--quiet")
    assert f"\n{INFO_LINE.replace(': --show info', '')}\\: `--show info`  \n" in out
    assert "<code>OBS001</code>" not in out and out.count("<details><summary>") == 3


def test_json_and_sarif_keep_every_info_finding(capsys: Capture, app: Path) -> None:
    _, out = run(capsys, str(app), "--format", "json", "--quiet")
    info = sorted((f["rule_id"], f["function"]) for f in json.loads(out)["findings"] if f["severity"] == "info")
    assert info == [
        ("DOS002", "list"),
        ("DOS002", "nightly"),
        ("DOS002", "thumbs"),
        ("DOS004", "thumbs"),
        ("OBS001", "list"),
        ("OBS001", "thumbs"),
        ("OBS002", "list"),
        ("OBS002", "thumbs"),
    ]
    _, out = run(capsys, str(app), "--format", "sarif", "--quiet")
    results = json.loads(out)["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results if r["level"] == "note") == [
        "DOS002",
        "DOS002",
        "DOS002",
        "DOS004",
        "OBS001",
        "OBS001",
        "OBS002",
        "OBS002",
    ]


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ((), 0),  # info alone never fails the default gate
        (("--fail-on", "low"), 0),
        (("--fail-on", "info"), 1),  # unless the threshold says so
    ],
)
def test_info_findings_and_exit_codes(capsys: Capture, app: Path, flags: tuple[str, ...], expected: int) -> None:
    code = cli.main(["scan", str(app), "--select", "OBS,DOS002,DOS004", "--date", "2026-11-29", *flags])
    out = capsys.readouterr().out
    assert code == expected, out
    assert out.splitlines()[-2:] == [INFO_LINE, "8 findings (8 info) in 3 functions across 1 app"]


def test_severity_override_makes_them_findings_again(capsys: Capture, app: Path) -> None:
    """`[severity]` in the config is how a team that wants tracing enforced gets it back as a finding."""
    (app / ".fnaudit.toml").write_text('[severity]\nOBS001 = "medium"\n', encoding="utf-8")
    code = cli.main(["scan", str(app), "--select", "OBS", "--date", "2026-11-29"])
    out = capsys.readouterr().out
    assert code == 1
    assert "  medium    OBS001 tracing-disabled  serverless.yml:8" in out
    assert out.splitlines()[-2] == "2 functions without log retention: --show info"


def test_one_line_per_app_named_by_its_iac_file(capsys: Capture, tmp_path: Path) -> None:
    for name in ("orders", "billing"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "serverless.yml").write_text(SERVERLESS.replace("service: shop", f"service: {name}"), "utf-8")
        (folder / "handler.py").write_text(HANDLER, encoding="utf-8")
    (tmp_path / "billing" / "serverless.yml").write_text(
        SERVERLESS.replace("  timeout: 900\n", "  tracing:\n    lambda: true\n"), encoding="utf-8"
    )
    code = cli.main(["scan", str(tmp_path), "--select", "OBS,DOS002,DOS004", "--date", "2026-11-29"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines == [
        "billing/serverless.yml: 2 functions without log retention, 1 async function without a failure destination: "
        "--show info",
        "orders/serverless.yml: " + INFO_LINE,
        "11 findings (11 info) in 6 functions across 2 apps",
    ]
