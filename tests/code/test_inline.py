"""Code written in the template (SAM `InlineCode`, CloudFormation `Code.ZipFile`) is analysed like a
file, with every location on the template's own lines, and is never written into the scanned folder."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from fnaudit.loaders._yaml import load_yaml
from fnaudit.loaders.handlers import inline_code
from fnaudit.model.app import Code
from tests.code.helpers import code_errors, flows, fn, run

_ROLE = """\
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
"""


def _template(root: Path, body: str, name: str = "template.yaml") -> Path:
    text = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n' + _ROLE + body
    (root / name).write_text(text, encoding="utf-8")
    return root


def _code_of(text: str, lid: str = "Fn", handler: str = "index.handler", runtime: str = "python3.12") -> Code:
    """The Code the loader helper makes of `Resources.<lid>.Properties.Code.ZipFile` in `text`."""
    data = load_yaml(text)
    code = data["Resources"][lid]["Properties"]["Code"]
    return inline_code("t.yaml", text, code["ZipFile"], code.line_of("ZipFile"), handler, runtime)


def _lines(code: Code) -> dict[int, str]:
    assert code.inline is not None
    return {i: line for i, line in enumerate(code.inline.text.split("\n"), start=1) if line}


# ---- the loader helper: text and lines ------------------------------------------------------------


def test_a_block_scalar_keeps_its_lines_one_to_one() -> None:
    text = (
        "Resources:\n"
        "  Fn:\n"
        "    Properties:\n"
        "      Code:\n"
        "        ZipFile: |\n"
        "          import os\n"
        "\n"
        "          def handler(event, context):\n"
        "              os.system(event['q'])\n"
    )
    code = _code_of(text)
    assert _lines(code) == {6: "import os", 8: "def handler(event, context):", 9: "    os.system(event['q'])"}
    assert code.inline is not None and code.inline.first_line == 6
    assert (code.language, code.in_repo, code.handler_file, code.handler_symbol) == (
        "python",
        False,
        "t.yaml",
        "handler",
    )
    assert (code.inline.module, code.inline.extension) == ("index", ".py")


def test_sub_keeps_references_as_opaque_text_and_resolves_literals() -> None:
    text = (
        "Resources:\n"
        "  Fn:\n"
        "    Properties:\n"
        "      Code:\n"
        "        ZipFile:\n"
        "          Fn::Sub:\n"
        "            - |\n"
        "              T = '${Table}'\n"
        "              R = '${AWS::Region}'\n"
        "              S = '${!Literal}'\n"
        "              N = '${Name}'\n"
        "            - {Name: orders, Table: !Ref Orders}\n"
    )
    assert _lines(_code_of(text)) == {
        8: "T = '${Table}'",
        9: "R = '${AWS::Region}'",
        10: "S = '${Literal}'",
        11: "N = 'orders'",
    }


def test_join_maps_each_item_to_its_own_line() -> None:
    text = (
        "Resources:\n"
        "  Fn:\n"
        "    Properties:\n"
        "      Code:\n"
        "        ZipFile: !Join\n"
        "          - ''\n"
        '          - - "exports.handler = async (e) => {\\n"\n'
        '            - "  const t = \'"\n'
        "            - !Ref Table\n"
        '            - "\';\\n"\n'
        "\n"
        '            - "  return t;\\n};"\n'
    )
    code = _code_of(text, runtime="nodejs20.x")
    assert _lines(code) == {
        7: "exports.handler = async (e) => {",
        8: "  const t = '${Table}';",
        12: "  return t;",
        13: "};",
    }
    assert code.inline is not None and code.inline.extension == ".js"


def test_a_one_line_string_with_newlines_is_laid_out_from_its_line() -> None:
    # JSON templates hold the code as one quoted string: its lines follow the key's line
    text = json.dumps({"Resources": {"Fn": {"Properties": {"Code": {"ZipFile": "a = 1\nb = 2\n"}}}}}, indent=1)
    key_line = next(i for i, line in enumerate(text.splitlines(), start=1) if '"ZipFile"' in line)
    assert _lines(_code_of(text)) == {key_line: "a = 1", key_line + 1: "b = 2"}


@pytest.mark.parametrize(
    ("runtime", "handler", "note"),
    [
        ("java21", "x.Handler::handle", "inline code for java is not analysed"),
        ("python3.12", "main.handler", "Lambda names its file index.py, not main.py"),
    ],
)
def test_what_lambda_would_not_run_is_a_note(runtime: str, handler: str, note: str) -> None:
    text = "Resources:\n  Fn:\n    Properties:\n      Code:\n        ZipFile: |\n          x = 1\n"
    code = _code_of(text, handler=handler, runtime=runtime)
    assert code.note is not None and note in code.note


def test_code_that_is_not_text_is_a_note() -> None:
    text = "Resources:\n  Fn:\n    Properties:\n      Code:\n        ZipFile: !GetAtt Other.Code\n"
    code = _code_of(text)
    assert (code.inline, code.note) == (None, "inline code that is not a string, Fn::Sub or Fn::Join of strings")


# ---- scans: findings on template lines ------------------------------------------------------------

_PY_FN = """\
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          import os
          from helpers import run


          def handler(event, context):
              os.system("ls " + event["body"])
              return run(event)
"""


def test_cloudformation_zipfile_is_analysed_on_template_lines(tmp_path: Path) -> None:
    # before: `Code.ZipFile` was only the note "inline code", and the function had no code facts
    _template(tmp_path, _PY_FN)
    result = run(tmp_path)
    assert flows(result, "Fn") == [("command", 21)]
    facts = fn(result, "Fn").code_facts
    assert facts is not None and facts.files == ("template.yaml",)
    assert code_errors(result) == []


def test_inline_code_never_imports_files_of_the_scanned_folder(tmp_path: Path) -> None:
    # `helpers.py` beside the template is not part of the function (Lambda ships only index.py)
    (tmp_path / "helpers.py").write_text("import os\n\ndef run(event):\n    os.system(event['x'])\n", encoding="utf-8")
    _template(tmp_path, _PY_FN)
    result = run(tmp_path)
    assert flows(result, "Fn") == [("command", 21)]
    facts = fn(result, "Fn").code_facts
    assert facts is not None and facts.files == ("template.yaml",) and "helpers" in facts.imports


def test_nothing_is_written_into_the_scanned_folder(tmp_path: Path) -> None:
    _template(tmp_path, _PY_FN)
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    run(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before == ["template.yaml"]


def test_two_inline_functions_of_one_template_keep_their_own_facts(tmp_path: Path) -> None:
    other = """\
  Quiet:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          import boto3


          def handler(event, context):
              boto3.client("s3").get_object(Bucket="b", Key=event["key"])
              return {}
"""
    _template(tmp_path, _PY_FN + other)
    result = run(tmp_path)
    assert flows(result, "Fn") == [("command", 21)]
    assert flows(result, "Quiet") == []
    assert [(c.service, c.operation, c.loc.line) for c in fn(result, "Quiet").sdk_calls] == [("s3", "GetObject", 35)]
    assert fn(result, "Fn").sdk_calls == ()


def test_a_syntax_error_is_an_error_on_the_template_line(tmp_path: Path) -> None:
    body = _PY_FN.replace("return run(event)", "return (")
    _template(tmp_path, body)
    result = run(tmp_path)
    (err,) = code_errors(result)
    assert err.path == "template.yaml"
    assert err.message.startswith("line 22: Python syntax error")
    assert fn(result, "Fn").code_facts is None


def test_json_template_join_of_lines(tmp_path: Path) -> None:
    lines = [
        "const { exec } = require('child_process');",
        "exports.handler = async (event) => {",
        "  exec('ping ' + event.queryStringParameters.host);",
        "};",
    ]
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "nodejs20.x",
                    "Handler": "index.handler",
                    "Role": "arn:aws:iam::123456789012:role/r",
                    "Code": {"ZipFile": {"Fn::Join": ["\n", lines]}},
                },
            }
        },
    }
    text = json.dumps(template, indent=2)
    (tmp_path / "template.json").write_text(text, encoding="utf-8")
    exec_line = next(i for i, line in enumerate(text.splitlines(), start=1) if "exec('ping" in line)
    assert flows(run(tmp_path), "Fn") == [("command", exec_line)]


def test_sam_inline_secret_is_reported_on_the_template_line_redacted(tmp_path: Path) -> None:
    key = "sk_live_" + "Qm7ZtR2vX9pLk4Wc8NhJ3sYd"
    (tmp_path / "template.yaml").write_text(
        textwrap.dedent(
            f"""\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: index.handler
                  InlineCode: |
                    STRIPE_KEY = "{key}"

                    def handler(event, context):
                        return {{}}
            """
        ),
        encoding="utf-8",
    )
    result = run(tmp_path, select=("SECRET002",))
    assert [(f.rule_id, f.function, f.location.path, f.location.line) for f in result.findings] == [
        ("SECRET002", "Fn", "template.yaml", 9)
    ]
    assert key not in result.findings[0].message


def test_inline_python_returning_a_secret_is_reported_on_the_template_line(tmp_path: Path) -> None:
    body = """\
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          import boto3


          def handler(event, context):
              value = boto3.client("secretsmanager").get_secret_value(SecretId="db")["SecretString"]
              return {"statusCode": 200, "body": value}
"""
    _template(tmp_path, body)
    result = run(tmp_path, select=("SECRET005",))
    assert [(f.rule_id, f.function, f.location.path, f.location.line) for f in result.findings] == [
        ("SECRET005", "Fn", "template.yaml", 21)
    ]
