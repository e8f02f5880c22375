"""User-facing path patterns follow gitignore (git's documentation, "PATTERN FORMAT"), everywhere:
`--exclude`, a configured ignore's `path`, and Serverless `package.patterns` (anchored, `!` excludes).

Each case below is an example of git's documented behaviour; the integration tests show the three
settings use it (each failed with the fnmatch matching used before)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fnaudit import globs
from fnaudit.config import IgnoreEntry
from fnaudit.findings import Category, Finding, Severity
from fnaudit.fingerprint import fingerprint
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders.discover import discover
from fnaudit.model.loc import Loc
from fnaudit.suppress import config_suppression

SLS = "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions: {f: {handler: h.handler}}\n"


@pytest.mark.parametrize(
    ("patterns", "path", "is_dir", "expected"),
    [
        # no slash: a name at any depth
        (["*.log"], "debug.log", False, True),
        (["*.log"], "logs/deep/debug.log", False, True),
        (["build"], "a/build", True, True),
        # a slash at the start or in the middle anchors to the root
        (["/build"], "build", True, True),
        (["/build"], "a/build", True, False),
        (["doc/frotz"], "doc/frotz", True, True),
        (["doc/frotz"], "a/doc/frotz", True, False),
        # a trailing slash: directories only (and so what is under them), never a file of that name
        (["build/"], "build", True, True),
        (["build/"], "build", False, False),
        (["build/"], "src/build/out.js", False, True),
        # * and ? stop at a slash
        (["handlers/*.py"], "handlers/a.py", False, True),
        (["handlers/*.py"], "handlers/sub/a.py", False, False),
        (["handlers/?.py"], "handlers/ab.py", False, False),
        # ** : leading (any depth, none too), trailing (everything inside), middle (zero or more folders)
        (["**/legacy"], "legacy", True, True),
        (["**/legacy"], "a/b/legacy/x.yml", False, True),
        (["abc/**"], "abc/x/y.txt", False, True),
        (["a/**/b"], "a/b", True, True),
        (["a/**/b"], "a/x/y/b", True, True),
        (["a/**/b"], "c/a/b", True, False),
        # a matching directory matches everything under it
        (["vendor"], "vendor/lib/x.py", False, True),
        # negation re-includes; the last match wins
        (["*.log", "!keep.log"], "x/keep.log", False, False),
        (["*.log", "!keep.log", "x/keep.log"], "x/keep.log", False, True),
        (["!keep.log"], "keep.log", False, False),
        ([], "anything", False, False),
    ],
)
def test_gitignore_semantics(patterns: list[str], path: str, is_dir: bool, expected: bool) -> None:
    assert globs.matches_any(path, patterns, is_dir=is_dir) is expected


def test_a_single_pattern_cannot_negate() -> None:
    assert globs.matches("svc/serverless.yml", "svc/")
    assert not globs.matches("other.yml", "!svc/")  # a lone `!x` matches nothing, as in a .gitignore


@pytest.mark.parametrize(
    ("patterns", "path", "included"),
    [
        ([], "requirements.txt", True),
        (["!functions/**"], "functions/orders/requirements.txt", False),
        (["!functions/**", "functions/users/**"], "functions/users/requirements.txt", True),
        (["!functions/**", "functions/users/**"], "functions/orders/requirements.txt", False),
        (["!**", "./src/**"], "src/requirements.txt", True),
        # anchored at the service: `*.txt` is its top level only, `**/` any depth (none too)
        (["!*.txt"], "requirements.txt", False),
        (["!*.txt"], "lib/requirements.txt", True),
        (["!**/requirements.txt"], "requirements.txt", False),
        (["!**/requirements.txt"], "a/b/requirements.txt", False),
        (["!lib"], "lib/requirements.txt", False),
        (["!lib"], "other/lib/requirements.txt", True),
    ],
)
def test_serverless_package_patterns(patterns: list[str], path: str, included: bool) -> None:
    assert globs.serverless_included(path, patterns) is included


# ---- the settings that use them -------------------------------------------------------------------


def _write(root: Path, rel: str, text: str = SLS) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def _apps(root: Path, *exclude: str) -> list[str]:
    return [d.rel for d in discover(root, ScanRoot.of(root), exclude=exclude).docs]


def test_exclude_is_gitignore(tmp_path: Path) -> None:
    for rel in (
        "legacy/serverless.yml",
        "svc/legacy/serverless.yml",
        "examples/serverless.yml",
        "svc/examples/serverless.yml",
        "services/a/serverless.yml",
        "services/keep/serverless.yml",
    ):
        _write(tmp_path, rel)
    # `**/legacy` also excludes the top-level folder; fnmatch needed a slash before it
    assert _apps(tmp_path, "**/legacy") == [
        "examples/serverless.yml",
        "services/a/serverless.yml",
        "services/keep/serverless.yml",
        "svc/examples/serverless.yml",
    ]
    # anchored: `/examples` is the top-level folder only; unanchored `examples/` any folder of that name
    assert "svc/examples/serverless.yml" in _apps(tmp_path, "/examples")
    assert "examples/serverless.yml" not in _apps(tmp_path, "/examples")
    assert not any("examples" in a for a in _apps(tmp_path, "examples/"))
    # negation re-includes what a later `!` names, in order
    assert [a for a in _apps(tmp_path, "services/*", "!services/keep/") if a.startswith("services/")] == [
        "services/keep/serverless.yml"
    ]
    # as in git, a file under an excluded folder cannot be re-included
    assert not [a for a in _apps(tmp_path, "services/", "!services/keep/") if a.startswith("services/")]


def _finding(path: str) -> Finding:
    return Finding(
        rule_id="AUTH001",
        rule_name="http-route-without-authorizer",
        title="t",
        category=Category.AUTH,
        severity=Severity.HIGH,
        function="api",
        function_id="serverless.yml#api",
        location=Loc(path, 3),
        message="m",
        evidence="e",
        remediation="r",
        fingerprint=fingerprint("AUTH001", path, "serverless.yml#api", "k"),
    )


@pytest.mark.parametrize(
    ("pattern", "path", "suppressed"),
    [
        ("handlers/*.py", "handlers/a.py", True),
        ("handlers/*.py", "handlers/sub/a.py", False),  # fnmatch's `*` crossed the slash
        ("svc/", "svc/serverless.yml", True),  # a folder pattern covers what is under it
        ("**/handler.py", "handler.py", True),  # `**/` includes the top level
        ("/handler.py", "sub/handler.py", False),
        ("handler.py", "sub/handler.py", True),  # no slash: any depth
    ],
)
def test_config_ignore_path_is_one_gitignore_pattern(pattern: str, path: str, suppressed: bool) -> None:
    entry = IgnoreEntry("AUTH001", "reason", path=pattern, source=".fnaudit.toml:1")
    assert config_suppression(_finding(path), entry, dt.date(2026, 1, 1)) is suppressed
