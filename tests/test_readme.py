"""Every ```python and ```sh block of README.md runs as written, on a copy of the example app.

A README whose first command ends in an error, or whose library example raises, is the first thing a new
user sees; this test runs them all. `fnaudit …` commands go through the CLI in-process; commands that
install packages, download, or run this very suite are skipped with the reason below (and any other
command fails the test, so that a new kind of command in the README is a decision, not a silent skip).
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from fnaudit.cli import main
from tests.conftest import REPO

README = REPO / "README.md"
EXAMPLE = REPO / "examples" / "shop-api"
_BLOCK = re.compile(r"^```(python|sh)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_ERRORS = re.compile(r"\b\d+ errors?\b")  # the summary's "…; 1 error"

# Command prefixes not run here, and why.
NOT_RUN = {
    "pip install": "installs packages; the tests run in an environment where fnaudit is installed",
    "python -m pytest": "runs the test suite this test belongs to",
    "ruff ": "a static check of this repository's code, run by .ci/run",
    "mypy": "a static check of this repository's code, run by .ci/run",
    "fnaudit db update": "downloads osv.dev's archives; the tests make no network call",
}


def _blocks() -> list[tuple[str, str]]:
    return [(m[1], m[2]) for m in _BLOCK.finditer(README.read_text(encoding="utf-8"))]


def _commands() -> list[str]:
    """Each command of the sh blocks: one per line, `a && b` split in two, comments dropped."""
    out = []
    for lang, code in _blocks():
        if lang != "sh":
            continue
        for line in code.splitlines():
            words = shlex.split(line, comments=True)
            command: list[str] = []
            for word in [*words, "&&"]:
                if word == "&&":
                    if command:
                        out.append(shlex.join(command))
                    command = []
                else:
                    command.append(word)
    return out


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A folder holding `examples/shop-api` (a copy: the commands write reports into it)."""
    shutil.copytree(EXAMPLE, tmp_path / "examples" / "shop-api")
    return tmp_path


def test_the_readme_has_the_blocks_this_test_runs() -> None:
    commands = _commands()
    assert commands[0] == "pip install -e ."
    assert commands[1] == "fnaudit scan examples/shop-api"  # the first thing a new user runs
    assert sum(lang == "python" for lang, _ in _blocks()) == 1


@pytest.mark.parametrize("command", _commands())
def test_sh_command(
    command: str, workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for prefix, reason in NOT_RUN.items():
        if command.startswith(prefix):
            pytest.skip(f"not run: {reason}")
    words = shlex.split(command)
    if words[0] != "fnaudit":
        pytest.fail(f"README command {command!r} is neither run nor listed in NOT_RUN")
    # `PATH` arguments name the example from the repository root; `.` means "your project": the example.
    monkeypatch.chdir(
        workspace if any(w.startswith("examples/") for w in words) else workspace / "examples" / "shop-api"
    )
    monkeypatch.setenv("NO_COLOR", "1")

    code = main(words[1:])

    out, err = capsys.readouterr()
    assert code in (0, 1), f"{command}: exit {code}\n{err}"
    if (words[1] == "scan" and "--fail-on" not in words) or "high" in words:
        assert code == 1, f"{command}: the example has high and critical findings"
    assert not _ERRORS.search(out + err), f"{command}: the example must scan without errors\n{out}\n{err}"
    assert "Traceback" not in err and "internal error" not in err


def test_first_command_prints_a_complete_report(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`fnaudit scan examples/shop-api` on a machine with no advisory store: dependency findings from the
    example's own advisories, and no "no advisory store" error (it used to exit with one)."""
    monkeypatch.chdir(workspace)
    assert main(["scan", "examples/shop-api", "--no-color"]) == 1
    out, err = capsys.readouterr()
    assert "DEP001 vulnerable-dependency" in out and "PyYAML 5.3.1 (PyPI) is affected by GHSA-8q59-q68h-6hv4" in out
    assert "DEP004" not in out and "no advisory store" not in out + err
    assert out.rstrip().splitlines()[-1].endswith("in 6 functions across 1 app")


def test_python_block(workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The library example, run as a script from the folder that holds `examples/` (it used to raise
    RecursionError on its first line)."""
    (code,) = [code for lang, code in _blocks() if lang == "python"]
    monkeypatch.chdir(workspace)
    exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})  # noqa: S102 - our own README
    out = capsys.readouterr().out
    assert re.search(r"^DEP001 None requirements\.txt:3 PyYAML 5\.3\.1 \(PyPI\) is affected by", out, re.MULTILINE), out
    assert "error:" not in out


@pytest.mark.parametrize(
    "before",
    [
        "",  # `from fnaudit import scan` first: the lazy lookup imported itself (RecursionError)
        "import fnaudit.pipeline",  # the module that defines it first (it was `fnaudit.scan`, which shadowed the function)
        "from fnaudit.pipeline import ScanResult",
        "import fnaudit.cli, fnaudit.report",
    ],
)
def test_fnaudit_scan_is_the_function_whatever_was_imported_before(before: str) -> None:
    import subprocess
    import sys

    script = (
        f"{before}\nimport fnaudit\nfrom fnaudit import scan, Config, ScanResult, Finding, Severity, Rule\n"
        "import fnaudit.pipeline\n"
        "assert fnaudit.scan is scan and callable(scan) and scan.__module__ == 'fnaudit.pipeline', fnaudit.scan\n"
        "assert Config.__name__ == 'Config' and ScanResult.__name__ == 'ScanResult'\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_unknown_attribute_is_an_attribute_error() -> None:
    import fnaudit

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        fnaudit.nope  # noqa: B018
