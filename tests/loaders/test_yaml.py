"""Line-aware YAML/JSON loading: lines, short-form tags, and limits against hostile documents."""

from __future__ import annotations

import pytest

from fnaudit.errors import InputError
from fnaudit.loaders._yaml import LDict, LList, load_any, load_json, load_yaml

TEMPLATE = """\
AWSTemplateFormatVersion: 2010-09-09
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt FnRole.Arn
      Name: !Sub "${AWS::StackName}-fn"
      Layers:
        - !Ref Layer
        - arn:aws:lambda:us-east-1:123456789012:layer:x:1
      Joined: !Join ["", [a, !Ref B]]
      Empty: !GetAZs ""
"""


def test_lines_of_keys_and_items() -> None:
    doc = load_yaml(TEMPLATE)
    assert isinstance(doc, LDict)
    props = doc["Resources"]["Fn"]["Properties"]
    assert doc.line_of("Resources") == 2
    assert props.line_of("Role") == 6
    assert isinstance(props["Layers"], LList)
    assert props["Layers"].line_of(1) == 10


def test_short_form_tags_become_long_form() -> None:
    props = load_yaml(TEMPLATE)["Resources"]["Fn"]["Properties"]
    assert props["Role"] == {"Fn::GetAtt": ["FnRole", "Arn"]}
    assert props["Name"] == {"Fn::Sub": "${AWS::StackName}-fn"}
    assert props["Layers"][0] == {"Ref": "Layer"}
    assert props["Joined"] == {"Fn::Join": ["", ["a", {"Ref": "B"}]]}
    assert props["Empty"] == {"Fn::GetAZs": ""}


def test_dates_stay_strings_as_cloudformation_reads_them() -> None:
    assert load_yaml(TEMPLATE)["AWSTemplateFormatVersion"] == "2010-09-09"
    assert load_yaml("Version: 2012-10-17")["Version"] == "2012-10-17"


def test_merge_keys_and_anchors() -> None:
    doc = load_yaml("base: &b {timeout: 6, memory: 128}\nfn:\n  <<: *b\n  timeout: 30\n")
    assert doc["fn"] == {"timeout": 30, "memory": 128}


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(InputError, match=r"line 3"):
        load_yaml("a: 1\nb: [1, 2\nc: 3\n")


def test_alias_bomb_is_refused() -> None:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
    with pytest.raises(InputError, match="alias bomb"):
        load_yaml("\n".join(lines))


@pytest.mark.parametrize("text", ["a: " + "[" * 10_000 + "]" * 10_000, "{" * 10_000 + "}" * 10_000])
def test_deep_nesting_is_refused(text: str) -> None:
    with pytest.raises(InputError, match=r"nesting|depth"):
        load_yaml(text)


def test_deep_block_nesting_is_refused() -> None:
    text = "".join(f"{'  ' * i}k{i}:\n" for i in range(300)) + "  " * 300 + "v: 1\n"
    with pytest.raises(InputError, match=r"nesting|depth"):
        load_yaml(text)


def test_json_keeps_lines_and_reports_errors() -> None:
    doc = load_json('{\n  "Resources": {\n    "Fn": {"Type": "AWS::Lambda::Function"}\n  }\n}\n')
    assert doc["Resources"].line_of("Fn") == 3
    with pytest.raises(InputError, match="JSON syntax error at line 2"):
        load_any('{\n  "a": ,\n}', "template.json")


def test_empty_document_is_none() -> None:
    assert load_yaml("") is None
    assert load_yaml("# only a comment\n") is None


def test_keys_are_read_as_the_serverless_framework_reads_them() -> None:
    # Regression (issue 13, section 3): YAML 1.1 made `true:` the key "True" (and `yes:` too), so a
    # lookup by the text `true` or `yes` found nothing; js-yaml (YAML 1.2 core) keys are strings.
    data = load_yaml("true: a\nFalse: b\nyes: c\noff: d\n~: e\n1: f\n0x10: g\n1.5: h\n'on': i\n")
    assert data == {
        "true": "a",
        "false": "b",
        "yes": "c",
        "off": "d",
        "null": "e",
        "1": "f",
        "16": "g",
        "1.5": "h",
        "on": "i",
    }
    assert data.line_of("yes") == 3


def test_values_keep_their_types() -> None:
    assert load_yaml("a: true\nb: 12\nc: ~\nd: 1.5\n") == {"a": True, "b": 12, "c": None, "d": 1.5}
