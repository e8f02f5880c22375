"""The fix-case runner: an app before, the exact patch expected, then the patch written and verified.

A case is a folder `tests/fix/cases/<family>/<case>/` holding `app/` (the app before the fix), `expected.diff`
(the patch `fnaudit fix` must print, exactly) and optionally `case.toml`:

    select = ["RUNTIME001"]        # the rules whose findings are fixed (default: every rule)
    functions = ["orders"]         # `--function` globs
    fixed = ["RUNTIME001"]         # rules whose findings must be gone after --write (default: the rules of the plan)

`run_case` checks, in order: the printed patch equals `expected.diff`; written with verification, no fix is rolled
back, every fixed finding is gone and nothing new appears; every changed file still loads in its own tool's terms
(`roundtrip`). Set FNAUDIT_UPDATE_FIX_CASES=1 to write `expected.diff` from the current output, then review it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import tomllib
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fnaudit.config import Config
from fnaudit.fix.command import run_fix
from fnaudit.fix.plan import plan
from fnaudit.pipeline import ScanResult, scan

CASES = Path(__file__).parent / "cases"
TODAY = dt.date(2026, 12, 6)


@dataclass(frozen=True)
class CaseRun:
    diff: str
    before: ScanResult
    after: ScanResult
    stderr: str
    root: Path


def case_dirs(family: str | None = None) -> list[Path]:
    base = CASES / family if family else CASES
    return sorted(p.parent for p in base.rglob("expected.diff"))


def _config(case: Path) -> tuple[Config, tuple[str, ...], tuple[str, ...]]:
    settings: dict[str, Any] = {}
    if (case / "case.toml").is_file():
        settings = tomllib.loads((case / "case.toml").read_text("utf-8"))
    config = Config(today=TODAY, select=tuple(settings.get("select", ())), excerpts=False, reuse=False)
    return config, tuple(settings.get("functions", ())), tuple(settings.get("fixed", ()))


def run_case(case: Path, tmp: Path, db: Path | None = None) -> CaseRun:
    """Copy the case's app to `tmp`, print its patch, check it, then write it and check the second scan."""
    root = tmp / "app"
    shutil.copytree(case / "app", root)
    config, functions, fixed_rules = _config(case)
    if db is None and (case / "advisories").is_dir():  # the case's own OSV records (beside app/, not scanned)
        db = case / "advisories"
    if db is not None:
        config = replace(config, db=str(db))
    before = scan(root, config)
    out, err = io.StringIO(), io.StringIO()
    run_fix(before, root, functions=functions, rescan=lambda: scan(root, config), out=out, err=err)
    diff = out.getvalue()
    expected = case / "expected.diff"
    if os.environ.get("FNAUDIT_UPDATE_FIX_CASES"):
        expected.write_text(diff, encoding="utf-8")
    want = expected.read_bytes().decode("utf-8")  # bytes: a patch of a CRLF file keeps its `\r`s
    assert diff == want, f"{case.name}: the patch differs from expected.diff"
    assert diff, f"{case.name}: no fix was made"
    write_err = io.StringIO()
    after = run_fix(
        before,
        root,
        functions=functions,
        write=True,
        rescan=lambda: scan(root, config),
        out=io.StringIO(),
        err=write_err,
    )
    assert "rolled back" not in write_err.getvalue(), write_err.getvalue()
    # the rules of the findings the plan fixes (the piped patch names none): each must be gone after --write
    rules = set(fixed_rules) or {f.rule_id for f in plan(before, root, functions).fixes}
    _assert_fixed(before, after, rules)
    for path in _changed(diff):
        roundtrip(root, path)
    return CaseRun(diff, before, after, err.getvalue(), root)


def _changed(diff: str) -> list[str]:
    return [line[len("+++ b/") :].rstrip("\n") for line in diff.splitlines() if line.startswith("+++ b/")]


def _assert_fixed(before: ScanResult, after: ScanResult, rules: set[str]) -> None:
    def key(f: Any) -> tuple[str, str, str]:
        return (f.rule_id, f.function or "", f.location.path)

    old = Counter(key(f) for f in before.active_findings)
    new = Counter(key(f) for f in after.active_findings)
    appeared = [k for k in new if new[k] > old[k]]
    assert not appeared, f"new findings after the fix: {appeared}"
    if rules:
        left = [k for k in new if k[0] in rules]
        assert not left, f"still reported after the fix: {left}"


def roundtrip(root: Path, rel: str) -> None:
    """The fixed file still loads in its own tool's terms (not just ours)."""
    path = root / rel
    text = path.read_text("utf-8")
    name = path.name.lower()
    serverless = name.startswith("serverless.")  # its `resources:` holds CloudFormation, the file is not a template
    if name.endswith((".yml", ".yaml", ".json", ".template")) and _is_template(text) and not serverless:
        _cloudformation(path, text)
    elif name.endswith((".yml", ".yaml")):  # serverless.yml and other YAML: PyYAML with the Framework's tags
        from fnaudit.loaders.documents import read_document

        read_document(path)
    elif name.endswith(".tf"):  # tree-sitter-hcl, the grammar Terraform's own syntax is written in, finds no error
        from fnaudit.loaders.terraform.hcl import _parser

        tree = _parser().parse(text.encode("utf-8"))
        assert not tree.root_node.has_error, f"{rel}: does not parse as HCL after the fix"
    elif name == "package.json" or name.endswith(".json"):
        json.loads(text)
    elif name == "pyproject.toml":
        tomllib.loads(text)
    elif name.startswith("requirements") and name.endswith(".txt"):
        from packaging.requirements import Requirement

        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                Requirement(line)


def _is_template(text: str) -> bool:
    return "AWSTemplateFormatVersion" in text or ("Resources" in text and ("AWS::" in text))


def _cloudformation(path: Path, text: str) -> None:
    """SAM is translated by aws-sam-translator; the result (or a plain template) is checked by cfn-lint's
    schemas (errors only: warnings about style are the user's)."""
    import cfnlint.api

    matches = cfnlint.api.lint_file(path, config=cfnlint.api.ManualArgs(regions=["us-east-1"]))
    errors = [m for m in matches if str(m.rule.id).startswith("E")]
    assert not errors, f"{path.name}: cfn-lint errors: {[str(m) for m in errors]}"
