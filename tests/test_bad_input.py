"""Hostile and broken input: the scan never crashes or hangs, reports each problem, and goes on.

Every test lays out a scan root with a good Serverless service (`good/`, two functions) next to
one bad file, runs the whole `scan()`, and checks three things: the bad file is in
`ScanResult.errors` under its path (relative to the root) with a message a person can act on; the
good service still loads its functions; and nothing took long (hostile inputs are refused by
limits, not by running out of time or memory).
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.errors import ScanError
from fnaudit.scan import ScanResult, scan
from tests.conftest import SCAN_DATE

# Generous: each case takes well under a second when the limits work. A loop or an expansion
# without a limit would not finish at all, so any bound tells the two apart.
DEADLINE_SECONDS = 20.0

GOOD_SERVERLESS = """\
service: good
provider:
  name: aws
  runtime: python3.12
functions:
  hello:
    handler: handler.hello
    events:
      - httpApi: GET /hello
  world:
    handler: handler.world
"""
GOOD_HANDLER = "def hello(event, context):\n    return {'statusCode': 200}\n\n\ndef world(event, context):\n    return None\n"

MINIMAL_TEMPLATE_HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\n'


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The scan root, holding a good service; tests add bad files beside it."""
    project = tmp_path / "project"
    _write(project / "good" / "serverless.yml", GOOD_SERVERLESS)
    _write(project / "good" / "handler.py", GOOD_HANDLER)
    return project


def run_scan(target: Path) -> ScanResult:
    """`scan(target)` in a thread, failing the test if it does not return within the deadline."""
    outcome: dict[str, ScanResult | BaseException] = {}

    def work() -> None:
        try:
            outcome["result"] = scan(target, Config(today=SCAN_DATE))
        except BaseException as exc:  # surfaced below: scan() must not raise for bad input
            outcome["error"] = exc

    worker = threading.Thread(target=work, daemon=True)  # daemon: a hung scan cannot block pytest's exit
    worker.start()
    worker.join(DEADLINE_SECONDS)
    if worker.is_alive():
        pytest.fail(f"scan did not finish within {DEADLINE_SECONDS:.0f} s (hang or unbounded expansion)")
    if "error" in outcome:
        error = outcome["error"]
        assert isinstance(error, BaseException)
        raise AssertionError(f"scan() raised instead of reporting an error entry: {error!r}") from error
    result = outcome["result"]
    assert isinstance(result, ScanResult)
    return result


def errors_for(result: ScanResult, path: str) -> list[ScanError]:
    return [e for e in result.errors if e.path == path]


def assert_error(result: ScanResult, path: str, pattern: str) -> ScanError:
    """Exactly the bad file's error is there, and its message matches `pattern` (a regex, case-insensitive)."""
    found = errors_for(result, path)
    assert found, f"no error for {path!r}; errors were: {[(e.path, e.message) for e in result.errors]}"
    matching = [e for e in found if re.search(pattern, e.message, re.IGNORECASE)]
    assert matching, f"error(s) for {path!r} do not match /{pattern}/: {[e.message for e in found]}"
    return matching[0]


def assert_good_app_loaded(result: ScanResult) -> None:
    names = {f.name for app in result.apps if app.source == "good/serverless.yml" for f in app.functions}
    assert names == {"hello", "world"}, f"the good service next to the bad file lost its functions: {names}"
    assert not errors_for(result, "good/serverless.yml"), errors_for(result, "good/serverless.yml")


# --------------------------------------------------------------------------------------------
# Broken syntax
# --------------------------------------------------------------------------------------------


def test_malformed_yaml_names_the_line(root: Path) -> None:
    _write(
        root / "bad" / "serverless.yml",
        "service: bad\nprovider:\n  name: aws\n  runtime: python3.12: oops\nfunctions: {}\n",
    )
    result = run_scan(root)
    err = assert_error(result, "bad/serverless.yml", r"YAML")
    assert "line 4" in err.message
    assert_good_app_loaded(result)


def test_malformed_json_template(root: Path) -> None:
    _write(
        root / "bad" / "template.json",
        '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {\n    "Fn": {"Type": "AWS::Lambda::Function",\n',
    )
    result = run_scan(root)
    err = assert_error(result, "bad/template.json", r"JSON syntax error")
    assert re.search(r"line \d+", err.message)
    assert_good_app_loaded(result)


# --------------------------------------------------------------------------------------------
# Documents built to exhaust the parser
# --------------------------------------------------------------------------------------------


def _alias_bomb(levels: int = 9, fan_out: int = 10) -> str:
    """A "billion laughs" document: each anchor lists the previous one `fan_out` times (10**9 leaves)."""
    lines = ["Metadata:", '  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        refs = ", ".join([f"*l{i - 1}"] * fan_out)
        lines.append(f"  l{i}: &l{i} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("name", "head", "tail"),
    [
        (
            "template.yaml",
            MINIMAL_TEMPLATE_HEAD,
            "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags: *l8\n",
        ),
        ("serverless.yml", "service: bomb\n", "provider:\n  name: aws\n  stackTags: *l8\nfunctions: {}\n"),
    ],
)
def test_alias_bomb_is_refused_quickly(root: Path, name: str, head: str, tail: str) -> None:
    _write(root / "bad" / name, head + _alias_bomb() + tail)
    result = run_scan(root)
    assert_error(result, f"bad/{name}", r"alias")
    assert_good_app_loaded(result)


DEPTH = 10_000


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("template.yaml", "[" * DEPTH + "]" * DEPTH + "\n"),  # YAML flow style
        ("template.yml", "- " * DEPTH + "deep\n"),  # YAML block style (compact nested sequences)
        ("serverless.yml", "service: deep\nfunctions:\n  f: " + "{a: " * DEPTH + "1" + "}" * DEPTH + "\n"),
        ("template.json", '{"a": ' * DEPTH + "1" + "}" * DEPTH + "\n"),  # JSON
    ],
    ids=["yaml-flow", "yaml-block", "serverless-flow", "json"],
)
def test_deep_nesting_is_refused(root: Path, name: str, text: str) -> None:
    _write(root / "bad" / name, text)
    result = run_scan(root)
    assert_error(result, f"bad/{name}", r"nest|depth")
    assert_good_app_loaded(result)


# --------------------------------------------------------------------------------------------
# Files that are not IaC text
# --------------------------------------------------------------------------------------------


def test_huge_template_is_refused_by_size(root: Path) -> None:
    big = root / "bad" / "template.yaml"
    big.parent.mkdir(parents=True)
    with big.open("wb") as fh:  # sparse: 50 MB long, nothing written, created instantly
        fh.truncate(50 * 1024 * 1024)
    result = run_scan(root)
    err = assert_error(result, "bad/template.yaml", r"\bMB\b")
    assert "50" in err.message and "limit" in err.message
    assert_good_app_loaded(result)


def test_binary_serverless_yml(root: Path) -> None:
    _write(root / "bad" / "serverless.yml", bytes(range(256)) * 64)
    result = run_scan(root)
    assert_error(result, "bad/serverless.yml", r"binary")
    assert_good_app_loaded(result)


def test_non_utf8_template(root: Path) -> None:
    text = MINIMAL_TEMPLATE_HEAD + "Description: Caf\u00e9 cr\u00e8me \u00e0 l'\u00e9t\u00e9\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
    _write(root / "bad" / "template.yaml", text.encode("latin-1"))
    result = run_scan(root)
    assert_error(result, "bad/template.yaml", r"UTF-8")
    assert_good_app_loaded(result)


# --------------------------------------------------------------------------------------------
# Paths that lead out of the scan root, or round in circles
# --------------------------------------------------------------------------------------------


def test_file_variable_outside_the_root_is_refused(root: Path) -> None:
    secret = "root:x:0:0:do-not-read-me:/root:/bin/bash"
    _write(root.parent / "etc" / "passwd", secret + "\n")  # exists, so only the confinement stops the read
    _write(
        root / "bad" / "serverless.yml",
        "service: bad\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "functions:\n  leak:\n    handler: handler.leak\n    environment:\n"
        "      PASSWD: ${file(../../etc/passwd)}\n",
    )
    _write(root / "bad" / "handler.py", "def leak(event, context):\n    return None\n")
    result = run_scan(root)
    assert_error(result, "bad/serverless.yml", r"outside")
    assert_good_app_loaded(result)
    # The service itself still loads (the variable stays unresolved) and nothing of the file leaked.
    bad_fns = [f for app in result.apps if app.source == "bad/serverless.yml" for f in app.functions]
    assert [f.name for f in bad_fns] == ["leak"]
    assert "do-not-read-me" not in repr(result.apps)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_loop_does_not_hang(root: Path) -> None:
    (root / "good" / "loop").symlink_to(root, target_is_directory=True)  # good/loop -> the root
    (root / "self").symlink_to(".", target_is_directory=True)  # self -> itself
    result = run_scan(root)
    assert_good_app_loaded(result)
    sources = [app.source for app in result.apps]
    assert sources == ["good/serverless.yml"], f"an app was found again through a symlink: {sources}"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_to_a_file_outside_the_root(root: Path) -> None:
    outside = _write(
        root.parent / "elsewhere" / "template.yaml",
        MINIMAL_TEMPLATE_HEAD + "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n",
    )
    link = root / "bad" / "template.yaml"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    result = run_scan(root)
    assert_error(result, "bad/template.yaml", r"outside")
    assert all(app.source != "bad/template.yaml" for app in result.apps)
    assert_good_app_loaded(result)


# --------------------------------------------------------------------------------------------
# Valid YAML that is not what its name promises
# --------------------------------------------------------------------------------------------


def test_serverless_yml_that_is_not_a_service(root: Path) -> None:
    _write(root / "bad" / "serverless.yml", "foo: bar\n")
    result = run_scan(root)
    assert_error(result, "bad/serverless.yml", r"not a Serverless Framework service")
    assert_good_app_loaded(result)


def test_unrelated_yaml_is_silently_ignored(root: Path) -> None:
    _write(root / "tools" / "config.yaml", "foo: bar\nlist: [1, 2, 3]\n")
    _write(root / "good" / "settings.json", '{"colour": "blue"}\n')
    result = run_scan(root)
    assert result.errors == (), [(e.path, e.message) for e in result.errors]
    assert_good_app_loaded(result)


def test_empty_serverless_yml(root: Path) -> None:
    _write(root / "bad" / "serverless.yml", "")
    result = run_scan(root)
    assert_error(result, "bad/serverless.yml", r"empty|not a Serverless Framework service")
    assert_good_app_loaded(result)


# --------------------------------------------------------------------------------------------
# All of it at once: one bad file never hides another's error or the good app
# --------------------------------------------------------------------------------------------


def test_every_bad_file_in_one_tree(root: Path) -> None:
    _write(root / "a" / "serverless.yml", "service: a\nprovider:\n  name: aws\n  runtime: x: y\n")
    _write(root / "b" / "template.json", '{"Resources": {')
    _write(root / "c" / "template.yaml", MINIMAL_TEMPLATE_HEAD + _alias_bomb() + "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties: {Tags: *l8}\n")
    _write(root / "d" / "template.yaml", "[" * DEPTH + "]" * DEPTH)
    _write(root / "e" / "serverless.yml", b"\x00\x01\x02" * 100)
    _write(root / "f" / "template.yaml", (MINIMAL_TEMPLATE_HEAD + "Description: \u00e9\n").encode("latin-1"))
    _write(root / "g" / "serverless.yml", "foo: bar\n")
    result = run_scan(root)
    for path in ("a/serverless.yml", "b/template.json", "c/template.yaml", "d/template.yaml", "e/serverless.yml", "f/template.yaml", "g/serverless.yml"):
        assert errors_for(result, path), f"no error for {path}: {[(e.path, e.message) for e in result.errors]}"
    assert_good_app_loaded(result)


def test_paths_are_relative_to_the_root_when_the_target_is_given_relative(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fnaudit scan project` from the parent folder: errors and apps are named from the root, not the cwd."""
    _write(root / "bad" / "serverless.yml", "service: bad\nprovider:\n  name: aws\n  runtime: x: y\n")
    monkeypatch.chdir(root.parent)
    result = run_scan(Path(root.name))
    assert_error(result, "bad/serverless.yml", r"line 4")
    assert_good_app_loaded(result)
    assert all(f.code.root == "good" for app in result.apps for f in app.functions)
