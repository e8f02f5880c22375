"""`--changed-since GIT_REF` (only functions whose files changed) and `--baseline` + `--new-only`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from fnaudit import cli

Capture = pytest.CaptureFixture[str]

SLS = """\
service: two
provider:
  name: aws
  runtime: python3.12
functions:
  alpha:
    handler: src/alpha/handler.main
    url: true
  beta:
    handler: src/beta/handler.main
    url: true
"""

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    app = root / "app"
    for name in ("alpha", "beta"):
        (app / "src" / name).mkdir(parents=True)
        (app / "src" / name / "handler.py").write_text("def main(event, context):\n    return 1\n")
    (app / "serverless.yml").write_text(SLS)
    (app / "requirements.txt").write_text("requests==2.31.0\n")
    (root / "README.md").write_text("x\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "init")
    return root


def functions_reported(capsys: Capture, path: Path, *flags: str) -> tuple[int, set[str], str]:
    code = cli.main(["scan", str(path), "--format", "json", "--fail-on", "none", *flags])
    out, err = capsys.readouterr()
    doc = json.loads(out)
    names = {f["function"] for f in doc["findings"] if f["function"]}
    assert names <= {fn["name"] for fn in doc["functions"]}
    return code, names, err


def test_nothing_changed(capsys: Capture, repo: Path) -> None:
    code, names, _ = functions_reported(capsys, repo / "app", "--changed-since", "HEAD")
    assert code == 0 and names == set()


def test_code_change_keeps_only_that_function(capsys: Capture, repo: Path) -> None:
    (repo / "app" / "src" / "beta" / "handler.py").write_text("def main(event, context):\n    return 2\n")
    _, names, _ = functions_reported(capsys, repo / "app", "--changed-since", "HEAD")
    assert names == {"beta"}
    _, names, _ = functions_reported(capsys, repo / "app")
    assert names == {"alpha", "beta"}


def test_untracked_and_lockfile_changes(capsys: Capture, repo: Path) -> None:
    (repo / "app" / "src" / "alpha" / "util.py").write_text("X = 1\n")  # untracked, not imported: not alpha's
    (repo / "app" / "src" / "alpha" / "requirements.txt").write_text("pyyaml==5.1\n")  # alpha's own deps
    _, names, _ = functions_reported(capsys, repo / "app", "--changed-since", "HEAD")
    assert names == {"alpha"}
    (repo / "app" / "requirements.txt").write_text("requests==2.32.0\n")  # the app's deps: everyone
    _, names, _ = functions_reported(capsys, repo / "app", "--changed-since", "HEAD")
    assert names == {"alpha", "beta"}


def test_iac_change_keeps_every_function_of_the_app(capsys: Capture, repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "app" / "serverless.yml").write_text(SLS.replace("python3.12", "python3.13"))
    git(repo, "commit", "-q", "-am", "bump")
    _, names, _ = functions_reported(capsys, repo / "app", "--changed-since", "main")
    assert names == {"alpha", "beta"}
    _, names, _ = functions_reported(capsys, repo / "app", "--changed-since", "HEAD")
    assert names == set()


def test_not_a_git_repo_is_a_clear_error(capsys: Capture, tmp_path: Path) -> None:
    app = tmp_path / "plain"
    app.mkdir()
    (app / "serverless.yml").write_text(SLS)
    code = cli.main(["scan", str(app), "--changed-since", "HEAD"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "needs a git repository" in err and "Traceback" not in err


def test_unknown_ref(capsys: Capture, repo: Path) -> None:
    code = cli.main(["scan", str(repo / "app"), "--changed-since", "no-such-branch"])
    _, err = capsys.readouterr()
    assert code == 2 and "unknown git ref 'no-such-branch'" in err


# --- --baseline / --new-only ---------------------------------------------------------------------


def test_new_only_reports_what_the_baseline_does_not_know(capsys: Capture, repo: Path) -> None:
    app = repo / "app"
    assert cli.main(["baseline", str(app), "--output", str(app / ".fnaudit-baseline.json")]) == 0
    capsys.readouterr()
    # the default baseline file beside the app is used
    code, names, err = functions_reported(capsys, app, "--new-only")
    assert names == set() and "already in the baseline not reported" in err
    assert cli.main(["scan", str(app), "--new-only", "--fail-on", "low", "-q"]) == 0
    capsys.readouterr()
    # a new function brings new findings; the old ones stay quiet
    (app / "src" / "gamma").mkdir()
    (app / "src" / "gamma" / "handler.py").write_text("def main(event, context):\n    return 3\n")
    (app / "serverless.yml").write_text(SLS + "  gamma:\n    handler: src/gamma/handler.main\n    url: true\n")
    _, names, _ = functions_reported(capsys, app, "--new-only")
    assert names == {"gamma"}
    assert cli.main(["scan", str(app), "--new-only", "--fail-on", "low", "-q"]) == 1
    capsys.readouterr()
    # without --new-only the baseline findings are still in the report, marked suppressed
    code = cli.main(["scan", str(app), "--format", "json", "--baseline", str(app / ".fnaudit-baseline.json")])
    assert code == 1  # gamma's findings are new, so not covered by the baseline
    doc = json.loads(capsys.readouterr()[0])
    assert any(f.get("suppression", {}).get("kind") == "baseline" for f in doc["findings"])


def test_new_only_without_baseline_is_a_usage_error(capsys: Capture, repo: Path) -> None:
    code = cli.main(["scan", str(repo / "app"), "--new-only"])
    _, err = capsys.readouterr()
    assert code == 2 and "--new-only needs a baseline" in err
    code = cli.main(["scan", str(repo / "app"), "--new-only", "--baseline", str(repo / "nope.json")])
    _, err = capsys.readouterr()
    assert code == 2 and "not found" in err
