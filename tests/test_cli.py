"""The command line: exit codes, outputs, rules/explain, baseline round trip, config errors."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fnaudit import __version__, cli

Capture = pytest.CaptureFixture[str]


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- exit codes ----------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_loader")
@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ((), 1),  # no --fail-on: any unsuppressed finding fails
        (("--fail-on", "critical"), 1),  # IAM001 is critical
        (("--select", "DOS,OBS", "--fail-on", "medium"), 0),  # only low and info findings
        (("--select", "DOS", "--fail-on", "low"), 1),
        (("--ignore", "IAM001", "--fail-on", "critical"), 0),
        (("--fail-on", "none"), 0),
        # info findings (monitoring and hygiene, issue 22) never fail the default gate; only `--fail-on info` does
        (("--select", "OBS"), 0),
        (("--select", "OBS", "--fail-on", "info"), 1),
    ],
)
def test_exit_codes(capsys: Capture, app_dir: Path, flags: tuple[str, ...], expected: int) -> None:
    code, out, _ = run(capsys, "scan", str(app_dir), *flags)
    assert code == expected, out


MALFORMED_SERVERLESS = "service: broken\nprovider:\n  name: aws\n  runtime: python3.12: oops\nfunctions: {}\n"


def test_malformed_only_serverless_yml_fails_the_gate(capsys: Capture, tmp_path: Path) -> None:
    """Issue 11: the only app of a repository could not be read; a CI gate must not pass (it exited 0)."""
    (tmp_path / "serverless.yml").write_text(MALFORMED_SERVERLESS, encoding="utf-8")
    code, out, err = run(capsys, "scan", str(tmp_path), "--fail-on", "high", "--format", "json")
    assert code == 2
    errors = json.loads(out)["errors"]
    assert [(e["path"], e["stage"], e["loss"]) for e in errors] == [("serverless.yml", "load", "app")]
    assert "line 4" in errors[0]["message"]
    assert "fnaudit: error: 1 error(s) lost an app or a function (first: serverless.yml: YAML syntax error" in err
    assert "--errors=warn" in err


def test_errors_warn_tolerates_lost_apps(capsys: Capture, tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(MALFORMED_SERVERLESS, encoding="utf-8")
    code, out, err = run(capsys, "scan", str(tmp_path), "--fail-on", "high", "--errors", "warn", "--format", "json")
    assert code == 0
    assert [e["loss"] for e in json.loads(out)["errors"]] == ["app"]
    assert "lost an app" not in err


def test_lost_app_exits_2_even_with_fail_on_none_and_in_the_table(capsys: Capture, tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(MALFORMED_SERVERLESS, encoding="utf-8")
    assert run(capsys, "scan", str(tmp_path), "--fail-on", "none")[0] == 2
    assert run(capsys, "scan", str(tmp_path), "--fail-on", "none", "--quiet")[0] == 2


def test_a_skipped_binary_file_does_not_fail_the_gate(capsys: Capture, tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_bytes(b"AWSTemplateFormatVersion\x00\x01\x02" * 10)
    code, out, _ = run(capsys, "scan", str(tmp_path), "--fail-on", "high", "--format", "json")
    assert code == 0
    assert [(e["path"], e["loss"]) for e in json.loads(out)["errors"]] == [("template.yaml", "none")]
    assert "binary file" in json.loads(out)["errors"][0]["message"]


def test_a_dropped_function_fails_the_gate_and_the_rest_is_reported(capsys: Capture, tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  lost: 42\n"
        "  kept:\n    handler: handler.main\n",
        encoding="utf-8",
    )
    (tmp_path / "handler.py").write_text("def main(event, context):\n    return None\n", encoding="utf-8")
    code, out, _ = run(capsys, "scan", str(tmp_path), "--fail-on", "critical", "--format", "json")
    doc = json.loads(out)
    assert code == 2
    assert [f["name"] for f in doc["functions"]] == ["kept"]
    assert [(e["path"], e["message"], e["loss"]) for e in doc["errors"] if e["stage"] == "load"] == [
        ("serverless.yml", "line 6: function lost is not a mapping; skipped", "function")
    ]


def test_unknown_flag_is_a_usage_error(capsys: Capture) -> None:
    code, _, err = run(capsys, "scan", "--frobnicate")
    assert code == 2
    assert "unrecognized arguments: --frobnicate" in err


def test_bad_flag_values_are_usage_errors(capsys: Capture) -> None:
    assert run(capsys, "scan", "--fail-on", "urgent")[0] == 2
    assert run(capsys, "scan", "--date", "yesterday")[0] == 2
    assert run(capsys, "scan", "--param", "novalue")[0] == 2
    assert run(capsys, "scan", "--format", "xml")[0] == 2


def test_no_command_prints_help(capsys: Capture) -> None:
    code, _, err = run(capsys)
    assert code == 2
    assert "usage: fnaudit" in err


def test_missing_path_is_reported_in_output_and_exits_2(capsys: Capture, tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    code, out, err = run(capsys, "scan", str(missing), "--format", "json")
    assert code == 2
    assert json.loads(out)["errors"] == [
        {"path": str(missing), "message": "no such file or folder", "stage": "discover", "loss": "app"}
    ]
    assert err.strip().endswith(f"fnaudit: error: {missing}: no such file or folder")


@pytest.mark.usefixtures("fake_rules")
def test_config_error_is_one_line_without_traceback(capsys: Capture, app_dir: Path) -> None:
    (app_dir / ".fnaudit.toml").write_text("selct = ['IAM']\n", encoding="utf-8")
    code, out, err = run(capsys, "scan", str(app_dir))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("fnaudit: error: .fnaudit.toml: unknown key `selct`")
    assert "Traceback" not in err


@pytest.mark.usefixtures("fake_rules")
def test_unknown_rule_in_select_flag(capsys: Capture, app_dir: Path) -> None:
    code, _, err = run(capsys, "scan", str(app_dir), "--select", "IAM0001")
    assert code == 2
    assert "unknown rule `IAM0001`" in err


# --- outputs -------------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_loader")
def test_ci_formats(capsys: Capture, app_dir: Path) -> None:
    """--format junit | gitlab | markdown (issue 11): each a complete report on stdout, the summary on stderr."""
    import xml.etree.ElementTree as ET

    code, out, err = run(capsys, "scan", str(app_dir), "--format", "junit")
    assert code == 1
    root = ET.fromstring(out)
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == ("testsuites", "5", "5", "0")
    assert [s.get("name") for s in root] == [
        "api (serverless.yml)",
        "worker (serverless.yml)",
        "serverless.yml (app-level)",
    ]
    assert err.startswith("fnaudit: wrote junit report: 5 findings (2 critical, 1 high, 1 low, 1 info)")

    code, out, err = run(capsys, "scan", str(app_dir), "--format", "gitlab", "--fail-on", "none")
    assert code == 0
    doc = json.loads(out)
    assert (doc["version"], doc["scan"]["type"]) == ("15.0.7", "sast")
    assert [(v["identifiers"][0]["value"], v["location"].get("method")) for v in doc["vulnerabilities"]] == [
        ("IAM001", "api"),
        ("IAM001", "worker"),
        ("AUTH001", "api"),
        ("DOS001", "api"),
        ("OBS001", None),
    ]

    code, out, _ = run(capsys, "scan", str(app_dir), "--format", "markdown", "--quiet")
    assert code == 1
    assert out.startswith("### fnaudit: 5 findings \\(2 critical, 1 high, 1 low, 1 info\\)")
    assert out.count("<details><summary><b>") == 4  # the info finding is counted in a line, not listed
    assert "\n1 info finding\\: `--show info`  \n" in out
    code, out, _ = run(capsys, "scan", str(app_dir), "--format", "markdown", "--quiet", "--show", "info")
    assert out.count("<details><summary><b>") == 5 and "--show info" not in out


@pytest.mark.usefixtures("fake_loader")
def test_output_writes_a_file(capsys: Capture, app_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.sarif"
    target.parent.mkdir()
    code, out, err = run(capsys, "scan", str(app_dir), "--format", "sarif", "--output", str(target))
    assert code == 1
    assert out == ""
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["version"] == "2.1.0"
    assert f"wrote sarif report to {target}: 5 findings" in err


@pytest.mark.usefixtures("fake_loader")
def test_unwritable_output_is_an_error(capsys: Capture, app_dir: Path, tmp_path: Path) -> None:
    code, _, err = run(capsys, "scan", str(app_dir), "--output", str(tmp_path / "no" / "such" / "dir" / "r.txt"))
    assert code == 2
    assert "cannot write" in err


@pytest.mark.usefixtures("fake_loader")
def test_table_output(capsys: Capture, app_dir: Path) -> None:
    code, out, _ = run(capsys, "scan", str(app_dir))
    assert code == 1
    assert out.splitlines()[0].startswith("api (serverless.yml) · blast radius ")  # score: fnaudit.engines.iam.blast
    assert out.splitlines()[-1] == "5 findings (2 critical, 1 high, 1 low, 1 info) in 2 functions across 1 app"
    assert "\x1b[" not in out  # not a terminal: no colour


@pytest.mark.usefixtures("fake_loader")
def test_quiet(capsys: Capture, app_dir: Path) -> None:
    code, out, err = run(capsys, "scan", str(app_dir), "--quiet")
    assert out == "5 findings (2 critical, 1 high, 1 low, 1 info) in 2 functions across 1 app\n"
    assert code == 1  # quiet changes what is printed, not the exit code
    code, out, err = run(capsys, "scan", str(app_dir), "--quiet", "--format", "json")
    assert json.loads(out)["schema"] == "fnaudit/findings/v1"
    assert code == 1
    assert err == ""


@pytest.mark.usefixtures("fake_loader")
def test_verbose_prints_timings_on_stderr(capsys: Capture, app_dir: Path) -> None:
    _, out, err = run(capsys, "scan", str(app_dir), "--format", "json", "--verbose")
    json.loads(out)
    for stage in ("load", "rules", "suppress", "total"):
        assert f"fnaudit: timing: {stage} " in err


@pytest.mark.usefixtures("fake_loader")
def test_inline_ignores_and_no_inline_ignores(capsys: Capture, app_dir: Path) -> None:
    yml = app_dir / "serverless.yml"
    lines = yml.read_text(encoding="utf-8").splitlines()
    assert lines[17].strip() == "- http:"
    lines[17] += "  # fnaudit: ignore[http-no-authorizer] -- only reachable through the VPN"
    yml.write_text("\n".join(lines) + "\n", encoding="utf-8")

    _, out, _ = run(capsys, "scan", str(app_dir), "--format", "json")
    (auth,) = [f for f in json.loads(out)["findings"] if f["rule_id"] == "AUTH001"]
    assert auth["suppression"] == {"kind": "inline", "reason": "only reachable through the VPN"}

    _, out, _ = run(capsys, "scan", str(app_dir), "--format", "json", "--no-inline-ignores")
    (auth,) = [f for f in json.loads(out)["findings"] if f["rule_id"] == "AUTH001"]
    assert auth["suppressed"] is False


@pytest.mark.usefixtures("fake_rules")
def test_flags_reach_the_config(app_dir: Path) -> None:
    (app_dir / ".fnaudit.toml").write_text("stage = 'prod'\nexclude = ['old/**']\n", encoding="utf-8")
    args = cli.build_parser().parse_args(
        [
            "scan",
            str(app_dir),
            "--date",
            "2027-02-03",
            "--param",
            "a=1",
            "--param",
            "b=x=y",
            "--env",
            "E=v",
            "--exclude",
            "tmp/**",
            "--select",
            "IAM",
            "--select",
            "AUTH001,DOS",
        ]
    )
    config = cli._config(args)
    assert config.today == dt.date(2027, 2, 3)
    assert config.stage == "prod"
    assert dict(config.params) == {"a": "1", "b": "x=y"}
    assert dict(config.env) == {"E": "v"}
    assert config.exclude == ("old/**", "tmp/**")
    assert config.select == ("IAM", "AUTH001", "DOS")


# --- rules and explain ---------------------------------------------------------------------


@pytest.mark.usefixtures("fake_rules")
def test_rules_table(capsys: Capture) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["CODE", "NAME", "CATEGORY", "SEVERITY", "TITLE"]
    assert lines[1].split()[:4] == ["AUTH001", "http-no-authorizer", "auth", "high"]
    assert len(lines) == 5


@pytest.mark.usefixtures("fake_rules")
def test_rules_json(capsys: Capture) -> None:
    code, out, _ = run(capsys, "rules", "--format", "json")
    assert code == 0
    rules = json.loads(out)
    assert [r["code"] for r in rules] == ["AUTH001", "DOS001", "IAM001", "OBS001"]
    assert rules[2] == {
        "code": "IAM001",
        "name": "iam-admin-access",
        "category": "permissions",
        "severity": "critical",
        "title": "Role allows every action",
        "cwe": [269],
        "owasp": ["SAS-3"],
    }


@pytest.mark.usefixtures("fake_rules")
@pytest.mark.parametrize("key", ["IAM001", "iam001", "iam-admin-access"])
def test_explain_by_code_and_name(capsys: Capture, key: str) -> None:
    code, out, _ = run(capsys, "explain", key)
    assert code == 0
    assert out.startswith("IAM001 iam-admin-access: Role allows every action\n")
    assert "default severity: critical" in out
    assert "CWE: CWE-269" in out
    assert "## How to fix" in out  # not a terminal: the Markdown source, as written


@pytest.mark.usefixtures("fake_rules")
def test_explain_unknown_rule(capsys: Capture) -> None:
    code, out, err = run(capsys, "explain", "NOPE042")
    assert code == 2
    assert out == ""
    assert err == "fnaudit: error: unknown rule NOPE042; run `fnaudit rules`\n"


# --- baseline ------------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_loader")
def test_baseline_round_trip(capsys: Capture, app_dir: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    code, _, err = run(capsys, "baseline", str(app_dir), "--output", str(baseline))
    assert code == 0
    assert f"wrote 5 finding(s) to {baseline}" in err
    text = baseline.read_text(encoding="utf-8")
    assert text.endswith("}\n") and '\n  "findings": [' in text  # indent 2, trailing newline
    doc = json.loads(text)
    assert doc["schema"] == "fnaudit/baseline/v1"
    keys = [(e["rule_id"], e["path"], e["function"], e["fingerprint"]) for e in doc["findings"]]
    assert keys == sorted(keys)
    assert all(set(e) == {"rule_id", "path", "function", "fingerprint"} for e in doc["findings"])  # no lines, no dates

    code, out, _ = run(capsys, "scan", str(app_dir), "--baseline", str(baseline), "--format", "json")
    assert code == 0
    findings = json.loads(out)["findings"]
    assert findings and all(f["suppression"] == {"kind": "baseline", "reason": "in baseline"} for f in findings)

    # Stable: regenerating gives the same bytes, even with the old baseline configured.
    (app_dir / ".fnaudit.toml").write_text(f"baseline = '{baseline}'\n", encoding="utf-8")
    run(capsys, "baseline", str(app_dir), "--output", str(tmp_path / "again.json"))
    assert (tmp_path / "again.json").read_text(encoding="utf-8") == text


@pytest.mark.usefixtures("fake_loader")
def test_baseline_to_stdout(capsys: Capture, app_dir: Path) -> None:
    code, out, _ = run(capsys, "baseline", str(app_dir), "--output", "-")
    assert code == 0
    assert len(json.loads(out)["findings"]) == 5


# --- as a process --------------------------------------------------------------------------


def test_python_dash_m_version() -> None:
    proc = subprocess.run([sys.executable, "-m", "fnaudit", "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert proc.stdout == f"fnaudit {__version__}\n"


def test_python_dash_m_usage_error_and_missing_path(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "fnaudit", "scan", "--nope"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "unrecognized arguments: --nope" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "fnaudit", "scan", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "no such file or folder" in proc.stderr
    assert "1 error" in proc.stdout


# --- colour --------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("flags", "no_color_env", "expected"),
    [((), None, True), (("--no-color",), None, False), ((), "1", False), ((), "", True)],
)
def test_colour_only_on_a_terminal_without_no_color(
    monkeypatch: pytest.MonkeyPatch, flags: tuple[str, ...], no_color_env: str | None, expected: bool
) -> None:
    if no_color_env is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color_env)
    args = cli.build_parser().parse_args(["scan", *flags])
    assert cli._render_options(args, FakeTerminal()).color is expected
    assert cli._render_options(args, io.StringIO()).color is False


@pytest.mark.usefixtures("fake_rules")
def test_explain_renders_markdown_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from fnaudit.report import catalogue
    from fnaudit.report.options import RenderOptions
    from fnaudit.rules.registry import find_rule

    rule = find_rule("IAM001")
    assert rule is not None
    out = FakeTerminal()
    catalogue.explain(rule, out, RenderOptions(color=True, width=80))
    text = out.getvalue()
    assert "\x1b[" in text
    assert "What it finds" in text and "## What it finds" not in text  # headings rendered, not raw
