"""Untrusted text (issue 11): escape sequences, bidi overrides and rich markup from the scanned repository
must not act on the terminal or on a report viewer, in any format or on stderr."""

from __future__ import annotations

import io
import json
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from fnaudit import cli
from fnaudit.errors import ScanError
from fnaudit.findings import TraceStep
from fnaudit.model.loc import Loc
from fnaudit.pipeline import ScanResult
from fnaudit.report import Format, render
from fnaudit.report.options import RenderOptions
from fnaudit.textsafe import clean, clean_tree, is_safe, one_line
from tests.report.builders import finding, make_app, make_result

CLEAR = "\x1b[2J"  # clears the screen
RLO = "\u202e"  # right-to-left override: "trojan source"
MARKUP = "[red]x[/red]"  # rich markup: must print literally
EVIL = f"{CLEAR}{RLO}{MARKUP}\r\x9b\x07"  # ... and a carriage return, a C1 CSI and a bell


def evil_result() -> ScanResult:
    """The message, evidence, path, trace, error and the function's own name all carry EVIL."""
    f = finding("AUTH001", "api", 18, f"route {EVIL} has no authorizer", "f1", evidence=f"path: /items{EVIL}")
    f = replace(
        f, trace=(TraceStep(Loc(f"handler{EVIL}.py", 3), f"event read {EVIL}"),), location=Loc(f"handler{EVIL}.py", 18)
    )
    app = make_app()
    api, worker = app.functions
    app = replace(app, functions=(replace(api, name=f"api{EVIL}"), worker))
    result = make_result(findings=(f,), errors=(ScanError(f"bad{EVIL}.yml", f"not valid YAML {EVIL}", "load"),))
    return replace(result, apps=(app,))


def output(fmt: Format, **options: object) -> str:
    out = io.StringIO()
    render(evil_result(), fmt, out, RenderOptions(**options))  # type: ignore[arg-type]
    return out.getvalue()


def assert_inert(text: str, colour: bool = False) -> None:
    if colour:  # rich's own styling: only SGR sequences (ESC [ … m), never the one from the input
        assert set(re.findall(r"\x1b\[[0-9;]*[A-Za-z]", text)) <= {m for m in re.findall(r"\x1b\[[0-9;]*m", text)}
        assert CLEAR not in text
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    for bad in ("\x1b", RLO, "\r", "\x9b", "\x07"):
        assert bad not in text, f"{bad!r} reached the output"


# --- textsafe --------------------------------------------------------------------------------------


def test_clean_escapes_controls_visibly_and_keeps_text() -> None:
    assert clean(f"a{CLEAR}b") == "a\\x1b[2Jb"
    assert clean(f"{RLO}abc\u2066") == "\\u202eabc\\u2066"
    assert clean("tab\tnew\nline\r") == "tab\tnew\nline\\x0d"
    assert clean("\x00\x7f\x85\u2028\ud800\uffff") == "\\x00\\x7f\\x85\\u2028\\ud800\\uffff"
    assert clean("plain ünïcödé → ok [red]") == "plain ünïcödé → ok [red]"
    assert clean(clean(EVIL)) == clean(EVIL)  # idempotent
    assert one_line("a\tb\nc\x1b") == "a b c\\x1b"
    assert is_safe(clean(EVIL)) and not is_safe(EVIL)
    assert clean_tree({"k\x1b": [f"v{RLO}", 1, None, {"n": "\x07"}]}) == {
        "k\\x1b": ["v\\u202e", 1, None, {"n": "\\x07"}]
    }


# --- every format ------------------------------------------------------------------------------------


@pytest.mark.parametrize("colour", [False, True])
def test_table(colour: bool) -> None:
    for width in (None, 80):
        text = output(Format.TABLE, color=colour, width=width, verbose=True)
        assert_inert(text, colour)
        plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
        assert "route \\x1b[2J\\u202e[red]x[/red]\\x0d\\x9b\\x07 has" in plain.replace("\n      ", " ")
        assert "api\\x1b[2J\\u202e[red]x[/red]" in plain  # the function's name in its group heading
        assert "bad\\x1b[2J" in plain  # the error, with --verbose


@pytest.mark.parametrize("fmt", [Format.JSON, Format.SARIF, Format.GITLAB])
def test_json_documents(fmt: Format) -> None:
    text = output(fmt)
    assert_inert(text)
    assert "\\u001b" not in text  # JSON's own escape of ESC would be decoded back by a viewer
    strings = json.dumps(json.loads(text), ensure_ascii=False)
    assert_inert(strings)
    assert f"route {clean(EVIL)} has no authorizer".replace("\\", "\\\\") in strings


def test_junit() -> None:
    text = output(Format.JUNIT)
    assert_inert(text)
    root = ET.fromstring(text)  # XML 1.0 forbids most controls even escaped: it must parse
    failure = root.find(".//failure")
    assert failure is not None
    assert failure.get("message") == f"high: route {clean(EVIL)} has no authorizer"
    assert root.find(".//testsuite").get("name") == f"api{clean(EVIL)} (serverless.yml)"  # type: ignore[union-attr]


def test_markdown() -> None:
    text = output(Format.MARKDOWN)
    assert_inert(text)
    assert "[red]x[/red]" in text  # inside <summary> (HTML): literal, not a link
    assert "\\[red\\]x\\[\\/red\\]" in text  # in Markdown text: escaped


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f.value)
def test_no_format_prints_the_findings_control_characters(fmt: Format) -> None:
    """The finding's own text (message, evidence, path, error) in every format, HTML and CycloneDX too."""
    result = evil_result()
    result = replace(result, apps=(make_app(),))
    out = io.StringIO()
    render(result, fmt, out)
    assert_inert(out.getvalue())


# --- stderr ------------------------------------------------------------------------------------------


def test_cli_error_messages_are_cleaned(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["explain", f"X{EVIL}"]) == 2
    err = capsys.readouterr().err
    assert err == f"fnaudit: error: unknown rule X{clean(EVIL)}; run `fnaudit rules`\n"
    (tmp_path / ".fnaudit.toml").write_text('select = ["IAM\\u001b[2J\\u202e"]\n', encoding="utf-8")
    assert cli.main(["scan", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "unknown rule `IAM\\x1b[2J\\u202e`" in err
    assert_inert(err)


def test_cli_verbose_errors_and_warnings_are_cleaned(
    capsys: pytest.CaptureFixture[str], app_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors = (ScanError(f"a{EVIL}.yml", f"bad {EVIL}", "load"), ScanError(f"c{EVIL}.toml", f"unused {EVIL}", "config"))

    def scan(*args: object, **kwargs: object) -> ScanResult:
        return make_result(errors=errors)

    # the module that defines it, which the CLI imports from
    monkeypatch.setattr(sys.modules["fnaudit.pipeline"], "scan", scan)
    cli.main(["scan", str(app_dir), "--format", "json", "--verbose"])
    captured = capsys.readouterr()
    assert f"fnaudit: load: a{clean(EVIL)}.yml: bad {clean(EVIL)}\n" in captured.err
    assert_inert(captured.err)
    assert_inert(captured.out)
    cli.main(["scan", str(app_dir)])
    captured = capsys.readouterr()
    assert f"fnaudit: warning: c{clean(EVIL)}.toml: unused {clean(EVIL)}\n" in captured.err
    assert_inert(captured.err)


def test_permissions_output_is_cleaned(
    capsys: pytest.CaptureFixture[str], app_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fnaudit permissions` / `explain-path` print names and code of the scanned files straight to stdout."""
    monkeypatch.setattr(sys.modules["fnaudit.pipeline"], "scan", lambda *a, **k: evil_result())
    assert cli.main(["permissions", f"api{EVIL}", str(app_dir), "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert out == f"api{clean(EVIL)}: no execution role, or the IAM engine did not run\n"
