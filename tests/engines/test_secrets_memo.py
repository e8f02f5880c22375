"""The secrets engine judges a repeated value or line once (issue 18): memoised answers must be the answers.

`scanner.scan_line` is memoised without the lines before it, which matter only when a literal's key needs
context (a slot such as express-session's `secret`); `context.judge` by all its arguments, the place included;
`detectors._candidates` keeps the detectors whose keyword occurs in the value, found by substring tests."""

from __future__ import annotations

from fnaudit.engines.secrets import _has_secret_default, _parameters_block
from fnaudit.engines.secrets.context import Place, judge
from fnaudit.engines.secrets.detectors import _ALWAYS, BY_ID, _candidates, _for_key
from fnaudit.engines.secrets.detectors import DETECTORS as TABLE
from fnaudit.engines.secrets.scanner import scan_line

SESSION = ['const session = require("express-session");', "app.use(session({"]
LINE = "  secret: 'keyboard cat',"


def _detectors(line: str, previous: list[str] | None = None) -> list[tuple[str | None, str, str, tuple[str, ...]]]:
    return [(k, t, v.detector, v.flags) for k, t, v in scan_line(line, Place.CODE, "code", previous or [])]


def test_a_line_judged_alone_first_is_judged_again_with_the_call_it_sits_in() -> None:
    assert _detectors(LINE) == []
    assert _detectors(LINE, SESSION) == [("secret", "keyboard cat", "generic-secret", ("signing-key",))]
    assert _detectors(LINE) == []
    # and the other way round, on a line the memo has not seen yet
    other = '  secret: "correct horse",'
    assert _detectors(other, SESSION) == [("secret", "correct horse", "generic-secret", ("signing-key",))]
    assert _detectors(other) == []


def test_the_memoised_line_gives_a_fresh_list_each_time() -> None:
    line = f'const token = "{BY_ID["github-pat"].example}";'  # a generated fake, never a real token
    first = scan_line(line, Place.CODE, "code")
    assert [v.detector for _, _, v in first] == ["github-pat"]
    first.clear()
    assert [v.detector for _, _, v in scan_line(line, Place.CODE, "code")] == ["github-pat"]


def test_judge_answers_per_place_whatever_was_asked_before() -> None:
    # a slot (Flask / Django SECRET_KEY) is judged where code uses the value, not in a function's environment
    for _ in range(2):
        code = judge("SECRET_KEY", "dev", Place.CODE)
        assert code is not None and (code.detector, code.flags) == ("generic-secret", ("signing-key",))
        assert judge("SECRET_KEY", "dev", Place.ENVIRONMENT) is None


def test_candidates_are_the_detectors_whose_keyword_occurs_in_the_value() -> None:
    values = [d.example for d in TABLE] + [d.counter_example for d in TABLE] + ["", "plain text", "a.b-c"]
    keys: list[str | None] = [None, "DATADOG_API_KEY", "password"]
    for value in values:
        for key in keys:
            want = set(_ALWAYS) | {i for i, d in enumerate(TABLE) if any(k in value for k in d.keywords)}
            if key:
                want |= set(_for_key(key))
            assert _candidates(value, key) == tuple(sorted(want)), (value, key)
    # each format's own example is among the candidates of its value (under its example key)
    for i, d in enumerate(TABLE):
        assert i in _candidates(d.example, d.example_key or None), d.id


TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  # the database's password
  DbPassword:
    Type: String
    Default: {default}

  Stage:
    Type: String
Resources:
  Fn:
    Type: AWS::Serverless::Function
"""


def test_the_quick_look_parses_the_parameters_block_alone() -> None:
    text = TEMPLATE.format(default="changeme")
    block = _parameters_block(text)
    assert block.startswith("Parameters:\n") and block.endswith("    Type: String\n")
    assert "Resources" not in block and "AWSTemplateFormatVersion" not in block
    # a guessable password is a secret default only where a resource takes it whole (password_parameters)
    assert _has_secret_default(text, "template.yaml", frozenset({"DbPassword"})) is True
    assert _has_secret_default(text, "template.yaml") is False
    generated = BY_ID["github-pat"].example
    assert _has_secret_default(TEMPLATE.format(default=generated), "template.yaml") is True


def test_a_template_whose_top_level_is_not_plain_keys_is_parsed_whole() -> None:
    text = TEMPLATE.format(default="x")
    for odd in (
        "---\n" + text,  # a document marker
        text.replace("    Default: x", "\tDefault: x"),  # a tab
        text.replace("\n", "\r\n"),
        text + "Parameters :\n  Other:\n    Default: y\n",  # the key twice: YAML keeps the last one
        text + "'Outputs': {}\n",  # a quoted key
        text.replace("Parameters:", "Parameters: &params"),
        text.replace("Parameters:", "Parameters: {}  "),
    ):
        assert _parameters_block(odd) is odd
    # an alias to an anchor outside the block does not parse alone: the careful parse decides
    anchored = TEMPLATE.format(default="*pw").replace("AWSTemplateFormatVersion: '2010-09-09'", "Defaults: &pw x")
    assert _has_secret_default(anchored, "template.yaml") is True


def test_long_lines_and_values_are_judged_without_the_memo() -> None:
    token = BY_ID["github-pat"].example
    line = "var a=" + ",".join(["1"] * 1200) + f';var t="{token}";'  # a minified bundle's line (>1024 chars)
    for _ in range(2):
        assert [v.detector for _, _, v in scan_line(line, Place.CODE, "code")] == ["github-pat"]
        verdict = judge(None, line, Place.CODE)
        assert verdict is not None and verdict.detector == "github-pat"
