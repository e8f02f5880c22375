"""CI and editor integration: the pre-commit hook, the composite GitHub Action, the README recipes.

The Action's `run:` steps are executed here in bash, with `${{ inputs.* }}` / `${{ github.* }}`
substituted as GitHub would, against the example app; `python -m pip install` is stubbed (no
network in tests) and `fnaudit` is this checkout's. The SARIF file it writes must be valid.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "shop-api"
SARIF_SCHEMA = json.loads((REPO / "tests" / "report" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
EXPR = re.compile(r"\$\{\{\s*([a-z]+)\.([A-Za-z0-9_.-]+)\s*\}\}")
EXPECTED = json.loads((REPO / "tests" / "expected" / "shop-api.json").read_text(encoding="utf-8"))


def expected_results() -> list[tuple[str, str, int, str]]:
    """(rule, file, line, fingerprint) of each finding of the example app, as its expected report lists them."""
    return sorted(
        (f["rule_id"], f["location"]["path"], f["location"]["line"], f["fingerprint"])
        for f in EXPECTED["findings"]
        if not f["suppressed"]
    )


def sarif_results(doc: dict[str, Any]) -> list[tuple[str, str, int, str]]:
    out = []
    for r in doc["runs"][0]["results"]:
        where = r["locations"][0]["physicalLocation"]
        out.append(
            (
                r["ruleId"],
                where["artifactLocation"]["uri"],
                where["region"]["startLine"],
                r["partialFingerprints"]["fnaudit/v1"],
            )
        )
    return sorted(out)


def load(name: str) -> Any:
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


# --- pre-commit ------------------------------------------------------------------------------


def test_pre_commit_hook_definition() -> None:
    hooks = load(".pre-commit-hooks.yaml")
    [hook] = [h for h in hooks if h["id"] == "fnaudit"]
    assert hook["entry"] == "fnaudit scan"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in (
        "serverless.yml",
        "app/template.yaml",
        "src/orders/handlers.py",
        "web/resize.js",
        "requirements.txt",
        "package-lock.json",
        ".fnaudit.toml",
    ):
        assert files.search(path), path
    assert not files.search("docs/notes.md")


def test_pre_commit_hook_runs(tmp_path: Path) -> None:
    """What pre-commit runs: the entry plus the hook's args, in the repository root, no file names."""
    hook = next(h for h in load(".pre-commit-hooks.yaml") if h["id"] == "fnaudit")
    app = shutil.copytree(EXAMPLE, tmp_path / "repo")
    entry = hook["entry"].split()
    assert entry[0] == "fnaudit"
    cmd = [sys.executable, "-m", "fnaudit", *entry[1:]]
    failing = subprocess.run([*cmd, "--fail-on", "high", "--no-color"], cwd=app, capture_output=True, text=True)
    assert failing.returncode == 1, failing.stderr
    assert "AUTH001" in failing.stdout
    passing = subprocess.run([*cmd, "--fail-on", "none", "-q"], cwd=app, capture_output=True, text=True)
    assert passing.returncode == 0, passing.stdout + passing.stderr


# --- the GitHub Action -----------------------------------------------------------------------


def test_action_definition() -> None:
    action = load("action.yml")
    assert action["runs"]["using"] == "composite"
    assert {"path", "fail-on", "sarif-file", "args", "version"} <= action["inputs"].keys()
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    runs = [s for s in steps if "run" in s]
    assert all(s["shell"] == "bash" for s in runs)
    assert any("pip install" in s["run"] for s in runs)
    scan = next(s for s in runs if s.get("id") == "scan")
    assert "fnaudit scan" in scan["run"] and "--format sarif" in scan["run"]
    # inputs reach scripts through env, never pasted into the script text (script injection)
    assert all("${{" not in s["run"] for s in runs)


def _substitute(text: str, inputs: dict[str, str], github: dict[str, str]) -> str:
    def value(m: re.Match[str]) -> str:
        scope, key = m.group(1), m.group(2)
        table = {"inputs": inputs, "github": github}.get(scope)
        if table is None or key not in table:
            raise KeyError(f"unexpected expression {m.group(0)}")
        return table[key]

    return EXPR.sub(value, text)


def run_action(tmp_path: Path, **overrides: str) -> tuple[dict[str, str], Path, list[str]]:
    """Run the Action's bash steps in order, as the runner would; returns its outputs, the SARIF path, the steps run."""
    action = load("action.yml")
    inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    workspace = tmp_path / "workspace"
    shutil.copytree(EXAMPLE, workspace / "app")
    inputs.update({"path": "app", "sarif-file": "out/fnaudit.sarif"})
    inputs.update(overrides)
    (workspace / "out").mkdir()
    github = {"action_path": str(REPO), "workspace": str(workspace)}
    # stubs: `python -m pip …` records instead of installing; `fnaudit` is this checkout's
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(
        f'#!/bin/sh\nif [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "pip $*" >> "{tmp_path}/pip.log"; exit 0; fi\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    (bin_dir / "fnaudit").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m fnaudit "$@"\n')
    for p in bin_dir.iterdir():
        p.chmod(0o755)
    output_file = tmp_path / "github_output"
    output_file.write_text("")
    outputs: dict[str, str] = {}
    ran = []
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue
        condition = step.get("if", "")
        if "steps.scan.outputs.exit-code == '1'" in condition and outputs.get("exit-code") != "1":
            continue
        env = {k: _substitute(str(v), inputs, github) for k, v in step.get("env", {}).items()}
        script = _substitute(step["run"], inputs, github)
        done = subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=workspace,
            env={
                **os.environ,
                **env,
                "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
                "GITHUB_OUTPUT": str(output_file),
                "NO_COLOR": "1",
            },
            capture_output=True,
            text=True,
        )
        ran.append(f"{step['name']}: {done.returncode}")
        for line in output_file.read_text().splitlines():
            key, _, value = line.partition("=")
            outputs[key] = value
        if done.returncode != 0:
            break
    return outputs, workspace / inputs["sarif-file"], ran


def test_action_steps_produce_valid_sarif(tmp_path: Path) -> None:
    outputs, sarif, ran = run_action(tmp_path, **{"fail-on": "none"})
    assert ran == ["Install fnaudit: 0", "Scan: 0"]
    assert outputs == {"sarif-file": "out/fnaudit.sarif", "exit-code": "0"}
    doc = json.loads(sarif.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    assert sarif_results(doc) == expected_results()
    assert (tmp_path / "pip.log").read_text().splitlines() == [f"pip -m pip install --quiet {REPO}"]


def test_action_fails_on_findings_after_writing_sarif(tmp_path: Path) -> None:
    outputs, sarif, ran = run_action(tmp_path, **{"fail-on": "high", "version": "0.1.0"})
    assert ran == ["Install fnaudit: 0", "Scan: 0", "Fail on findings: 1"]
    assert outputs["exit-code"] == "1"
    # written, complete, before the step failed, so it can still be uploaded
    assert sarif_results(json.loads(sarif.read_text(encoding="utf-8"))) == expected_results()
    assert (tmp_path / "pip.log").read_text().splitlines() == ["pip -m pip install --quiet fnaudit==0.1.0"]


def test_action_extra_args(tmp_path: Path) -> None:
    outputs, _sarif, _ = run_action(tmp_path, **{"fail-on": "low", "args": "--select OBS --severity-typo"})
    assert outputs["exit-code"] == "2"  # a bad flag fails the scan step itself


# --- README recipes --------------------------------------------------------------------------


def test_readme_documents_ci_recipes() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## Use in CI" in readme
    for needle in (
        "GitHub Actions",
        "GitLab CI",
        "pre-commit",
        "upload-sarif",
        "--format sarif",
        "id: fnaudit",
        "--new-only",
        "--changed-since",
    ):
        assert needle in readme, needle
