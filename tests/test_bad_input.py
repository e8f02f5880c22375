"""Hostile and broken input: the scan never crashes or hangs, reports each problem, and goes on.

Every test lays out a scan root with a good Serverless service (`good/`, two functions) next to
one bad file, runs the whole `scan()`, and checks three things: the bad file is in
`ScanResult.errors` under its path (relative to the root) with a message a person can act on; the
good service still loads its functions; and nothing took long (hostile inputs are refused by
limits, not by running out of time or memory).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.errors import Loss, ScanError
from fnaudit.pipeline import ScanResult, scan
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
GOOD_HANDLER = (
    "def hello(event, context):\n    return {'statusCode': 200}\n\n\ndef world(event, context):\n    return None\n"
)

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
        except BaseException as exc:  # noqa: BLE001 — surfaced below: scan() must not raise for bad input
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


def assert_error(result: ScanResult, path: str, stage: str, loss: Loss, start: str) -> ScanError:
    """The bad file has exactly one error: of this stage, costing this much, its message starting `start`."""
    found = [(e.stage, e.loss, e.message[: len(start)]) for e in errors_for(result, path)]
    assert found == [(stage, loss, start)], f"errors were: {[(e.path, e.message) for e in result.errors]}"
    return errors_for(result, path)[0]


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
    assert_error(
        result,
        "bad/serverless.yml",
        "load",
        Loss.APP,
        "YAML syntax error: mapping values are not allowed in this context at line 4, column 22",
    )
    assert_good_app_loaded(result)


def test_malformed_json_template(root: Path) -> None:
    _write(
        root / "bad" / "template.json",
        '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {\n    "Fn": {"Type": "AWS::Lambda::Function",\n',
    )
    result = run_scan(root)
    assert_error(
        result,
        "bad/template.json",
        "load",
        Loss.APP,
        "JSON syntax error at line 5, column 1: Expecting property name enclosed in double quotes",
    )
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
    assert_error(result, f"bad/{name}", "load", Loss.APP, BOMB)
    assert_good_app_loaded(result)


YAML_MAPPING = "YAML syntax error: mapping values are not allowed in this context "
JSON_PROPERTY = "Expecting property name enclosed in double quotes"
BOMB = "document expands to more than 1,000,000 values (YAML alias bomb?); refusing to load it"
DEPTH = 10_000
YAML_DEPTH = "YAML syntax error: exceeded maximum nesting depth at line "


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("template.yaml", "[" * DEPTH + "]" * DEPTH + "\n", YAML_DEPTH + "1, column 1001"),  # YAML flow style
        # YAML block style (compact nested sequences)
        ("template.yml", "- " * DEPTH + "deep\n", YAML_DEPTH + "1, column 1999"),
        (
            "serverless.yml",
            "service: deep\nfunctions:\n  f: " + "{a: " * DEPTH + "1" + "}" * DEPTH + "\n",
            YAML_DEPTH + "3, column 3998",
        ),
        (  # JSON
            "template.json",
            '{"a": ' * DEPTH + "1" + "}" * DEPTH + "\n",
            "nesting deeper than 200 levels; not a template fnaudit can read",
        ),
    ],
    ids=["yaml-flow", "yaml-block", "serverless-flow", "json"],
)
def test_deep_nesting_is_refused(root: Path, name: str, text: str, message: str) -> None:
    _write(root / "bad" / name, text)
    result = run_scan(root)
    assert_error(result, f"bad/{name}", "load", Loss.APP, message)
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
    assert_error(
        result,
        "bad/template.yaml",
        "discover",
        Loss.APP,
        "file is 50.0 MB, over the 10 MB limit for IaC files; if it is generated, scan its source instead or "
        "exclude it",
    )
    assert_good_app_loaded(result)


def test_binary_serverless_yml(root: Path) -> None:
    _write(root / "bad" / "serverless.yml", bytes(range(256)) * 64)
    result = run_scan(root)
    assert_error(
        result, "bad/serverless.yml", "discover", Loss.NONE, "binary file (contains NUL bytes); not an IaC template"
    )
    assert_good_app_loaded(result)


def test_non_utf8_template(root: Path) -> None:
    text = (
        MINIMAL_TEMPLATE_HEAD
        + "Description: Caf\u00e9 cr\u00e8me \u00e0 l'\u00e9t\u00e9\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
    )
    _write(root / "bad" / "template.yaml", text.encode("latin-1"))
    result = run_scan(root)
    assert_error(result, "bad/template.yaml", "discover", Loss.APP, "not valid UTF-8 (byte 55); save the file as UTF-8")
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
    assert_error(
        result,
        "bad/serverless.yml",
        "load",
        Loss.PARTIAL,
        "line 9: `${file(../../etc/passwd)}` points outside the scanned folder; fnaudit never reads there",
    )
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
    assert result.errors == ()  # a folder loop is simply not entered again: nothing is lost


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
    assert_error(
        result,
        "bad/template.yaml",
        "discover",
        Loss.APP,
        "symbolic link to a file outside the scanned folder; not followed",
    )
    assert all(app.source != "bad/template.yaml" for app in result.apps)
    assert_good_app_loaded(result)


# --------------------------------------------------------------------------------------------
# Valid YAML that is not what its name promises
# --------------------------------------------------------------------------------------------


NOT_A_SERVICE = "not a Serverless Framework service: expected a mapping with `service`, `provider` and `functions`"


def test_serverless_yml_that_is_not_a_service(root: Path) -> None:
    _write(root / "bad" / "serverless.yml", "foo: bar\n")
    result = run_scan(root)
    assert_error(result, "bad/serverless.yml", "load", Loss.APP, NOT_A_SERVICE)
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
    assert_error(result, "bad/serverless.yml", "load", Loss.NONE, NOT_A_SERVICE)  # an empty file held nothing to lose
    assert_good_app_loaded(result)


# --------------------------------------------------------------------------------------------
# All of it at once: one bad file never hides another's error or the good app
# --------------------------------------------------------------------------------------------


def test_every_bad_file_in_one_tree(root: Path) -> None:
    _write(root / "a" / "serverless.yml", "service: a\nprovider:\n  name: aws\n  runtime: x: y\n")
    _write(root / "b" / "template.json", '{"Resources": {')
    _write(
        root / "c" / "template.yaml",
        MINIMAL_TEMPLATE_HEAD
        + _alias_bomb()
        + "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties: {Tags: *l8}\n",
    )
    _write(root / "d" / "template.yaml", "[" * DEPTH + "]" * DEPTH)
    _write(root / "e" / "serverless.yml", b"\x00\x01\x02" * 100)
    _write(root / "f" / "template.yaml", (MINIMAL_TEMPLATE_HEAD + "Description: \u00e9\n").encode("latin-1"))
    _write(root / "g" / "serverless.yml", "foo: bar\n")
    result = run_scan(root)
    assert [(e.path, e.stage, e.loss, e.message) for e in result.errors] == [
        ("a/serverless.yml", "load", Loss.APP, YAML_MAPPING + "at line 4, column 13"),
        ("b/template.json", "load", Loss.APP, "JSON syntax error at line 1, column 16: " + JSON_PROPERTY),
        ("c/template.yaml", "load", Loss.APP, BOMB),
        ("d/template.yaml", "load", Loss.APP, YAML_DEPTH + "1, column 1001"),
        ("e/serverless.yml", "discover", Loss.NONE, "binary file (contains NUL bytes); not an IaC template"),
        ("f/template.yaml", "discover", Loss.APP, "not valid UTF-8 (byte 52); save the file as UTF-8"),
        ("g/serverless.yml", "load", Loss.APP, NOT_A_SERVICE),
    ]
    assert_good_app_loaded(result)


def test_paths_are_relative_to_the_root_when_the_target_is_given_relative(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fnaudit scan project` from the parent folder: errors and apps are named from the root, not the cwd."""
    _write(root / "bad" / "serverless.yml", "service: bad\nprovider:\n  name: aws\n  runtime: x: y\n")
    monkeypatch.chdir(root.parent)
    result = run_scan(Path(root.name))
    assert_error(
        result,
        "bad/serverless.yml",
        "load",
        Loss.APP,
        "YAML syntax error: mapping values are not allowed in this context at line 4, column 13",
    )
    assert_good_app_loaded(result)
    assert all(f.code.root == "good" for app in result.apps for f in app.functions)


# --------------------------------------------------------------------------------------------
# Issue 11: symlink loops, non-string types, and what each error costs (ScanError.loss)
# --------------------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_loop_of_files_is_one_error_each_and_the_rest_is_scanned(root: Path) -> None:
    """A file symlink loop made `Path.resolve()` raise `RuntimeError: Symlink loop` and aborted the scan."""
    (root / "bad").mkdir()
    (root / "bad" / "a.yml").symlink_to("b.yml")
    (root / "bad" / "b.yml").symlink_to("a.yml")
    (root / "bad" / "serverless.yml").symlink_to("serverless.yml")  # a named app that loops onto itself
    result = run_scan(root)
    loops = [(e.path, e.message, e.stage, e.loss) for e in result.errors if e.path.startswith("bad/")]
    message = "symbolic link loop (the link leads back to itself); not followed"
    assert loops == [
        ("bad/a.yml", message, "discover", Loss.PARTIAL),
        ("bad/b.yml", message, "discover", Loss.PARTIAL),
        ("bad/serverless.yml", message, "discover", Loss.APP),
    ]
    assert_good_app_loaded(result)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_file_variable_through_a_symlink_loop_is_an_error(root: Path) -> None:
    (root / "bad").mkdir()
    (root / "bad" / "loop.yml").symlink_to("loop.yml")
    _write(
        root / "bad" / "serverless.yml",
        "service: bad\nprovider:\n  name: aws\n  runtime: python3.12\n  environment:\n"
        "    X: ${file(./loop.yml):x}\nfunctions:\n  f:\n    handler: handler.f\n",
    )
    result = run_scan(root)
    assert_error(
        result,
        "bad/serverless.yml",
        "load",
        Loss.PARTIAL,
        "line 6: `${file(./loop.yml):x}` symbolic link loop (the link leads back to itself); not followed",
    )
    assert [f.name for app in result.apps if app.source == "bad/serverless.yml" for f in app.functions] == ["f"]
    assert_good_app_loaded(result)


def test_file_variable_including_itself_is_a_cycle_not_a_hang(root: Path) -> None:
    _write(root / "bad" / "part.yml", "x: ${file(./part.yml):x}\n")
    _write(
        root / "bad" / "serverless.yml",
        "service: bad\nprovider:\n  name: aws\n  runtime: python3.12\n  environment:\n"
        "    X: ${file(./part.yml):x}\nfunctions:\n  f:\n    handler: handler.f\n",
    )
    result = run_scan(root)
    assert_error(result, "bad/serverless.yml", "load", Loss.PARTIAL, "line 6: variables nest more than 64 levels deep")
    assert_good_app_loaded(result)


SAM_HEAD = MINIMAL_TEMPLATE_HEAD + "Transform: AWS::Serverless-2016-10-31\nResources:\n"
SAM_GOOD_FUNCTION = (
    "  Good:\n    Type: AWS::Serverless::Function\n    Properties:\n"
    "      Runtime: python3.12\n      Handler: handler.hello\n      CodeUri: .\n"
)
CFN_GOOD_FUNCTION = (
    "  Good:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n"
    "      Handler: handler.hello\n      Code: .\n      Role: arn:aws:iam::123456789012:role/r\n"
)


@pytest.mark.parametrize(("written", "kind"), [("{}", "mapping"), ("[AWS::Lambda::Function]", "list"), ("7", "number")])
@pytest.mark.parametrize(
    ("head", "good"),
    [(SAM_HEAD, SAM_GOOD_FUNCTION), (MINIMAL_TEMPLATE_HEAD + "Resources:\n", CFN_GOOD_FUNCTION)],
    ids=["sam", "cloudformation"],
)
def test_non_string_resource_type_loses_only_that_resource(
    root: Path, written: str, kind: str, head: str, good: str
) -> None:
    """`Type: {}` failed the whole SAM template with `TypeError: unhashable type: 'dict'` (its valid functions lost)."""
    _write(root / "bad" / "template.yaml", head + f"  Broken:\n    Type: {written}\n" + good)
    _write(root / "bad" / "handler.py", GOOD_HANDLER)
    result = run_scan(root)
    bad = [(e.message, e.loss) for e in errors_for(result, "bad/template.yaml")]
    line = head.count("\n") + 2
    assert bad == [
        (
            f"line {line}: Type of resource Broken is a {kind}, not a resource type name like AWS::Lambda::Function; skipped",
            Loss.FUNCTION,
        )
    ]
    assert [f.name for app in result.apps if app.source == "bad/template.yaml" for f in app.functions] == ["Good"]
    assert_good_app_loaded(result)


@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        ("Properties: []", "Attribute 'Properties' should be a map"),
        (
            "Properties: {Runtime: python3.12, Handler: handler.hello, CodeUri: ., Events: []}",
            "Type of property 'Events' is invalid",
        ),
        (
            "Properties: {Runtime: python3.12, Handler: handler.hello, CodeUri: ., Events: {E: {Type: {}}}}",
            "Event with id [E] is invalid",
        ),
    ],
    ids=["properties-list", "events-list", "event-type-mapping"],
)
def test_sam_function_the_translator_rejects_loses_only_that_function(root: Path, properties: str, reason: str) -> None:
    """The translator refused the whole template for one bad function; now only that function is left out."""
    _write(
        root / "bad" / "template.yaml",
        SAM_HEAD + f"  Broken:\n    Type: AWS::Serverless::Function\n    {properties}\n" + SAM_GOOD_FUNCTION,
    )
    _write(root / "bad" / "handler.py", GOOD_HANDLER)
    result = run_scan(root)
    found = errors_for(result, "bad/template.yaml")
    assert [
        (e.loss, e.message.startswith("line 4: invalid SAM template: Resource with id [Broken] is invalid."))
        for e in found
    ] == [(Loss.FUNCTION, True)]
    assert reason in found[0].message and found[0].message.endswith("; resource skipped")
    assert [f.name for app in result.apps if app.source == "bad/template.yaml" for f in app.functions] == ["Good"]


def test_sam_template_level_problem_keeps_the_functions(root: Path) -> None:
    """A template the translator refuses as a whole: its functions are read without it, the loss is partial."""
    _write(
        root / "bad" / "template.yaml",
        SAM_HEAD.replace("Resources:\n", "Globals: {Function: []}\nResources:\n") + SAM_GOOD_FUNCTION,
    )
    result = run_scan(root)
    assert [(e.stage, e.loss, e.message) for e in errors_for(result, "bad/template.yaml")] == [
        (
            "load",
            Loss.PARTIAL,
            "invalid SAM template: 'Globals' section is invalid. Value of ${section} must be a dictionary",
        ),
        (
            "load",
            Loss.PARTIAL,
            "the SAM translator cannot read this template, so its 1 function(s) were read without it "
            "(events as written, no implicit API, policy templates not expanded)",
        ),
    ]
    assert [f.id for app in result.apps if app.source == "bad/template.yaml" for f in app.functions] == [
        "bad/template.yaml#Good"
    ]
    assert_good_app_loaded(result)


SLS_HEAD = "service: bad\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n"


@pytest.mark.parametrize(
    ("functions", "expected", "names"),
    [
        (  # a list of one-function mappings is merged (the Framework accepts it); `events: {}` is one error
            "  - a:\n      handler: handler.hello\n      events: {}\n  - b:\n      handler: handler.world\n",
            [("line 8: events of function a is not a list; ignored", Loss.PARTIAL)],
            ["a", "b"],
        ),
        (
            "  a:\n    handler: {module: handler}\n  b:\n    handler: handler.world\n",
            [
                (
                    "line 7: handler of function a is a mapping, not text like `handler.main`; its code cannot be located",
                    Loss.PARTIAL,
                )
            ],
            ["a", "b"],
        ),
        (
            "  a: [handler.hello]\n  b:\n    handler: handler.world\n",
            [("line 6: function a is not a mapping; skipped", Loss.FUNCTION)],
            ["b"],
        ),
        (
            "  - handler.hello\n",
            [("line 5: `functions` must be a mapping of function names; ignored", Loss.FUNCTION)],
            [],
        ),
    ],
    ids=["list-and-events-mapping", "handler-mapping", "function-list", "functions-of-strings"],
)
def test_serverless_items_of_the_wrong_type_are_errors_of_their_own(
    root: Path, functions: str, expected: list[tuple[str, Loss]], names: list[str]
) -> None:
    _write(root / "bad" / "serverless.yml", SLS_HEAD + functions)
    _write(root / "bad" / "handler.py", GOOD_HANDLER)
    result = run_scan(root)
    assert [(e.message, e.loss) for e in errors_for(result, "bad/serverless.yml")] == expected
    assert [f.name for app in result.apps if app.source == "bad/serverless.yml" for f in app.functions] == names
    assert_good_app_loaded(result)


def test_what_each_unreadable_file_costs(root: Path) -> None:
    """A binary file loses nothing; an unparseable app loses the app; an empty serverless.yml held nothing."""
    _write(root / "a" / "serverless.yml", "service: a\nprovider:\n  runtime: x: y\n")
    _write(root / "b" / "template.yaml", b"\x00\x01AWSTemplateFormatVersion" * 10)
    _write(root / "c" / "serverless.yml", "")
    _write(root / "d" / "template.json", '{"Resources": {')
    result = run_scan(root)
    assert [(e.path, e.loss) for e in result.errors if e.stage in ("discover", "load")] == [
        ("a/serverless.yml", Loss.APP),
        ("b/template.yaml", Loss.NONE),
        ("c/serverless.yml", Loss.NONE),
        ("d/template.json", Loss.APP),
    ]
    assert_good_app_loaded(result)


def test_sam_resource_that_is_not_a_function_rejected_by_the_translator_is_partial(root: Path) -> None:
    _write(
        root / "bad" / "template.yaml",
        SAM_HEAD
        + "  Table:\n    Type: AWS::Serverless::SimpleTable\n    Properties:\n      PrimaryKey: []\n"
        + SAM_GOOD_FUNCTION,
    )
    _write(root / "bad" / "handler.py", GOOD_HANDLER)
    result = run_scan(root)
    assert [(e.message, e.loss) for e in errors_for(result, "bad/template.yaml")] == [
        (
            (
                "line 4: invalid SAM template: Resource with id [Table] is invalid. Type of property 'PrimaryKey' is "
                "invalid.; resource skipped"
            ),
            Loss.PARTIAL,
        )
    ]
    assert [f.name for app in result.apps if app.source == "bad/template.yaml" for f in app.functions] == ["Good"]


def test_sam_resource_attribute_of_the_wrong_type_is_ignored_not_a_lost_template(root: Path) -> None:
    """The fuzzer found it: `Condition: []` crashed the translator (`unhashable type: 'list'`), losing the app."""
    _write(
        root / "bad" / "template.yaml",
        SAM_HEAD + "  Fn:\n    Type: AWS::Serverless::Function\n    Condition: []\n    Properties:\n"
        "      Runtime: python3.12\n      Handler: handler.hello\n      CodeUri: .\n"
        "      Events: {E: {Type: Api, Properties: {Path: /a, Method: get}}}\n",
    )
    _write(root / "bad" / "handler.py", GOOD_HANDLER)
    result = run_scan(root)
    assert [(e.message, e.loss) for e in errors_for(result, "bad/template.yaml")] == [
        ("line 6: Condition of resource Fn is not a name; ignored", Loss.PARTIAL)
    ]
    assert [f.name for app in result.apps if app.source == "bad/template.yaml" for f in app.functions] == ["Fn"]


def test_sam_translator_crash_loses_only_the_resource_it_crashes_on(
    root: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A crash inside the translator names no resource: each is translated alone to find the culprit."""
    from fnaudit.loaders import sam

    monkeypatch.setattr(sam, "_drop_bad_attributes", lambda *args: [])  # let `Condition: []` reach the translator
    monkeypatch.setenv("FNAUDIT_CACHE_DIR", "off")
    _write(
        root / "bad" / "template.yaml",
        SAM_HEAD + "  Fn:\n    Type: AWS::Serverless::Function\n    Condition: []\n    Properties:\n"
        "      Runtime: python3.12\n      Handler: handler.hello\n      CodeUri: .\n"
        "      Events: {E: {Type: Api, Properties: {Path: /a, Method: get}}}\n" + SAM_GOOD_FUNCTION,
    )
    _write(root / "bad" / "handler.py", GOOD_HANDLER)
    result = run_scan(root)
    assert [(e.message, e.loss) for e in errors_for(result, "bad/template.yaml")] == [
        (
            "line 4: the SAM translator cannot read resource Fn (TypeError: unhashable type: 'list'); resource skipped",
            Loss.FUNCTION,
        )
    ]
    assert [f.name for app in result.apps if app.source == "bad/template.yaml" for f in app.functions] == ["Good"]
    assert "Traceback" not in capfd.readouterr().err  # the translator's own logging stays quiet


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "serverless.yml",
            SLS_HEAD + "  '': {}\n  b:\n    handler: handler.world\n",
            "line 6: a function has an empty name; skipped",
        ),
        (
            "template.yaml",
            MINIMAL_TEMPLATE_HEAD + "Resources:\n  '':\n    Type: AWS::Lambda::Function\n" + CFN_GOOD_FUNCTION,
            "line 3: a resource has an empty logical id; skipped",
        ),
        (
            "template.yaml",
            SAM_HEAD + "  '':\n    Type: AWS::Serverless::Function\n" + SAM_GOOD_FUNCTION,
            "line 4: a resource has an empty logical id; skipped",
        ),
    ],
    ids=["serverless", "cloudformation", "sam"],
)
def test_function_with_an_empty_name_is_left_out(root: Path, name: str, text: str, expected: str) -> None:
    """The fuzzer found it: a function named '' made a report that fails its own schema (name minLength 1)."""
    _write(root / "bad" / name, text)
    _write(root / "bad" / "handler.py", GOOD_HANDLER)
    result = run_scan(root)
    assert [(e.message, e.loss) for e in errors_for(result, f"bad/{name}")] == [(expected, Loss.FUNCTION)]
    assert [f.name for app in result.apps if app.source == f"bad/{name}" for f in app.functions] in (["b"], ["Good"])


def test_functions_from_an_unreadable_file_variable_are_a_lost_function(root: Path) -> None:
    _write(root.parent / "outside.yml", "stolen:\n  handler: handler.hello\n")
    _write(
        root / "bad" / "serverless.yml",
        SLS_HEAD + "  - ${file(../../outside.yml)}\n  - b:\n      handler: handler.world\n",
    )
    _write(root / "bad" / "handler.py", GOOD_HANDLER)
    result = run_scan(root)
    assert [(e.message, e.loss) for e in errors_for(result, "bad/serverless.yml")] == [
        (
            "line 5: the functions of `${file(../../outside.yml)}` could not be read; they are not analysed",
            Loss.FUNCTION,
        ),
        (
            "line 6: `${file(../../outside.yml)}` points outside the scanned folder; fnaudit never reads there",
            Loss.PARTIAL,
        ),
    ]
    assert [f.name for app in result.apps if app.source == "bad/serverless.yml" for f in app.functions] == ["b"]
