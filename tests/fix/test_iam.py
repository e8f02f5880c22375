"""The least-privilege fixer's edge cases: what it refuses (and says why), and edits the cases do not show."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fnaudit.config import Config
from fnaudit.fix.fixers import iam_render
from fnaudit.fix.model import Edit, Plan
from fnaudit.fix.plan import plan
from fnaudit.pipeline import scan

_SERVERLESS = """\
service: notes
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements:
        - Effect: Allow
          Action: "*"
          Resource: "*"
functions:
  saveNote:
    handler: handler.save
"""


def _plan(root: Path, files: dict[str, str]) -> Plan:
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    config = Config(today=dt.date(2026, 12, 6), select=("IAM",), excerpts=False, reuse=False)
    return plan(scan(root, config), root)


def test_code_not_analysed_is_not_fixed(tmp_path: Path) -> None:
    result = _plan(tmp_path, {"serverless.yml": _SERVERLESS})
    assert result.fixes == ()
    assert [(n.rule_id, n.function, n.reason) for n in result.unfixed] == [
        (
            "IAM001",
            "saveNote",
            "the code of saveNote was not analysed (handler.py not found under .), so what it needs is unknown",
        )
    ]


def test_a_resource_the_code_does_not_name_is_not_fixed(tmp_path: Path) -> None:
    handler = (
        'import boto3\n\ns3 = boto3.client("s3")\n\n\n'
        'def save(event, context):\n    return s3.get_object(Bucket=event["bucket"], Key="k")\n'
    )
    result = _plan(tmp_path, {"serverless.yml": _SERVERLESS, "handler.py": handler})
    assert result.fixes == ()
    assert [n.reason for n in result.unfixed] == [
        "the code calls s3:GetObject on a resource fnaudit cannot resolve (saveNote at handler.py:7): name the "
        "resource (an environment variable set from the app's resource), then run again"
    ]


_SHARED = """\
service: shared
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [dynamodb:GetItem, dynamodb:PutItem]
          Resource: !GetAtt NotesTable.Arn
functions:
  reader:
    handler: reader.handle
    environment:
      TABLE: !Ref NotesTable
  writer:
    handler: writer.handle
    environment:
      TABLE: !Ref NotesTable
resources:
  Resources:
    NotesTable:
      Type: AWS::DynamoDB::Table
"""
_TABLE = 'import os\nimport boto3\n\nt = boto3.resource("dynamodb").Table(os.environ["TABLE"])\n\n\n'


_SHARED_CODE = {
    "reader.py": _TABLE + 'def handle(event, context):\n    return t.get_item(Key={"id": "1"})\n',
    "writer.py": _TABLE + 'def handle(event, context):\n    t.put_item(Item={"id": "1"})\n',
}


def test_a_shared_role_is_split_with_the_plugin_added_before_functions(tmp_path: Path) -> None:
    result = _plan(tmp_path, {"serverless.yml": _SHARED, **_SHARED_CODE})
    assert result.unfixed == ()
    assert [(f.rule_id, f.summary, f.edits, f.commands) for f in result.fixes] == [
        (
            "IAM004",
            "one role per function for reader, writer (serverless-iam-roles-per-function)",
            (
                Edit("serverless.yml", 5, 11, ()),
                Edit(
                    "serverless.yml",
                    16,
                    16,
                    (
                        "    iamRoleStatements:",
                        "      - Effect: Allow",
                        "        Action: [dynamodb:GetItem]",
                        "        Resource: !GetAtt NotesTable.Arn",
                    ),
                ),
                Edit(
                    "serverless.yml",
                    20,
                    20,
                    (
                        "    iamRoleStatements:",
                        "      - Effect: Allow",
                        "        Action: [dynamodb:PutItem]",
                        "        Resource: !GetAtt NotesTable.Arn",
                    ),
                ),
                Edit("serverless.yml", 11, 11, ("plugins:", "  - serverless-iam-roles-per-function")),
            ),
            ("npm install --save-dev serverless-iam-roles-per-function",),
        )
    ]


def test_two_functions_without_aws_calls_keep_the_shared_role_so_it_is_split_by_hand(tmp_path: Path) -> None:
    text = _SHARED.replace(
        "resources:\n", "  ping:\n    handler: ping.handle\n  pong:\n    handler: ping.handle\nresources:\n"
    )
    idle = "def handle(event, context):\n    return {}\n"
    result = _plan(tmp_path, {"serverless.yml": text, "ping.py": idle, **_SHARED_CODE})
    assert result.fixes == ()
    assert [n.reason.split("; split", 1)[0] for n in result.unfixed] == [
        "ping, pong make no AWS call and would still share the provider's role"
    ]


def test_a_shared_role_with_managed_policies_is_split_by_hand(tmp_path: Path) -> None:
    text = _SHARED.replace(
        "    role:\n", "    role:\n      managedPolicies:\n        - arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess\n"
    )
    result = _plan(tmp_path, {"serverless.yml": text, **_SHARED_CODE})
    assert [f.rule_id for f in result.fixes] == []
    assert [n.reason for n in result.unfixed if n.rule_id == "IAM004"] == [
        "the shared role has managed policies or a permissions boundary, which per-function roles would lose; "
        "split the shared role by hand: give each function its own `iamRoleStatements` (the "
        "serverless-iam-roles-per-function plugin is needed; Framework v4: `iam.role.statements` on the "
        "function), with what each function needs (reader: dynamodb:GetItem on NotesTable | writer: "
        "dynamodb:PutItem on NotesTable); `fnaudit permissions FUNCTION` prints each in this file's dialect"
    ]


def test_a_statement_behind_a_yaml_alias_is_not_rewritten(tmp_path: Path) -> None:
    text = _SERVERLESS.replace('          Action: "*"\n', '          Action: &all "*"\n')
    handler = (
        'import os\nimport boto3\n\nt = boto3.resource("dynamodb").Table(os.environ["TABLE"])\n\n\n'
        'def save(event, context):\n    t.put_item(Item={"id": "1"})\n'
    )
    text = text.replace(
        "    handler: handler.save\n", "    handler: handler.save\n    environment:\n      TABLE: !Ref T\n"
    )
    text += "resources:\n  Resources:\n    T:\n      Type: AWS::DynamoDB::Table\n"
    result = _plan(tmp_path, {"serverless.yml": text, "handler.py": handler})
    assert result.fixes == ()
    assert [n.reason for n in result.unfixed] == [
        "the statement uses a YAML anchor, alias or merge key; rewrite it by hand (serverless.yml:8)"
    ]


def _cfn_json(statements: list[dict[str, object]]) -> str:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table"},
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
                    "Policies": [
                        {"PolicyName": "app", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}
                    ],
                },
            },
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Code": "src/",
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Environment": {"Variables": {"TABLE": {"Ref": "Table"}}},
                },
            },
        },
    }
    return json.dumps(template, indent=2) + "\n"


def test_an_unused_last_json_statement_is_removed_with_the_comma_before_it(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    text = _cfn_json(
        [
            {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": {"Fn::GetAtt": ["Table", "Arn"]}},
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
        ]
    )
    handler = _TABLE + 'def handler(event, context):\n    t.put_item(Item={"id": "1"})\n'
    result = _plan(tmp_path, {"template.json": text, "src/index.py": handler})
    assert text.splitlines()[39:46] == [
        "                },",
        "                {",
        '                  "Effect": "Allow",',
        '                  "Action": "sqs:SendMessage",',
        '                  "Resource": "*"',
        "                }",
        "              ]",
    ]
    assert [f.edits for f in result.fixes] == [
        (Edit("template.json", 40, 41, ("                }",)), Edit("template.json", 41, 46, ()))
    ]
    assert result.fixes[0].summary == "remove Allow sqs:SendMessage on *: the code uses none of it"


def test_yaml_block_reads_the_items_own_dash_and_a_condition_on_the_first_line() -> None:
    lines = [
        "statements:",
        "-   Condition: {Bool: {aws:SecureTransport: 'true'}}",
        "    Effect: Allow",
        "    Action: 's3:*'",
        '    Resource: "*"',
        "-   Effect: Deny",
    ]
    block = iam_render.yaml_block(lines, 1)
    assert isinstance(block, iam_render.Block)
    assert (block.start, block.end, block.dash, block.keys, block.quote) == (
        1,
        5,
        "-   ",
        ("condition", "effect", "action", "resource"),
        "'",
    )
    assert block.condition == ("    Condition: {Bool: {aws:SecureTransport: 'true'}}",)


def test_a_policy_attached_to_two_roles_is_not_rewritten_for_one(tmp_path: Path) -> None:
    case = Path(__file__).parent / "cases" / "iam" / "cloudformation-yaml" / "app"
    text = (case / "template.yaml").read_text("utf-8")
    text = text.replace(
        "  CatalogueFunction:\n",
        "  SharedPolicy:\n"
        "    Type: AWS::IAM::Policy\n"
        "    Properties:\n"
        "      PolicyName: shared\n"
        "      Roles: [!Ref CatalogueRole, !Ref OtherRole]\n"
        "      PolicyDocument:\n"
        "        Statement:\n"
        "          - Effect: Allow\n"
        '            Action: "sqs:*"\n'
        '            Resource: "*"\n'
        "\n"
        "  OtherRole:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      AssumeRolePolicyDocument:\n"
        "        Statement:\n"
        "          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}\n"
        "\n"
        "  OtherFunction:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties:\n"
        "      Runtime: python3.12\n"
        "      Handler: index.handler\n"
        "      Role: !GetAtt OtherRole.Arn\n"
        "      Code: src/\n"
        "\n"
        "  CatalogueFunction:\n",
    )
    (tmp_path / "src").mkdir()
    result = _plan(tmp_path, {"template.yaml": text, "src/index.py": (case / "src" / "index.py").read_text("utf-8")})
    shared = [(n.function, n.reason) for n in result.unfixed if "also attached" in n.reason]
    assert shared == [
        ("CatalogueFunction", "the statement's policy is also attached to OtherRole: give each role its own policy"),
        ("OtherFunction", "the statement's policy is also attached to CatalogueRole: give each role its own policy"),
    ]
    # the role's own statements are still rewritten
    assert sorted(f.summary for f in result.fixes) == [
        "Allow dynamodb:* on !GetAtt CatalogueTable.Arn → dynamodb:GetItem, dynamodb:PutItem on the app's resources",
        "Allow s3:GetObject, s3:PutObject, s3:DeleteObject on * → s3:GetObject on the app's resources",
    ]


def test_hcl_attributes_are_aligned_as_terraform_fmt_aligns_them() -> None:
    attrs = [("sid", ['"Data"']), ("effect", ['"Allow"']), ("actions", ["[", '    "s3:GetObject",', "  ]"])]
    attrs.append(("resources", ['["*"]']))
    assert iam_render._aligned("  ", attrs) == [
        '  sid     = "Data"',
        '  effect  = "Allow"',
        "  actions = [",
        '    "s3:GetObject",',
        "  ]",
        '  resources = ["*"]',
    ]


def test_a_sam_policy_template_is_used_only_when_its_actions_are_exactly_the_needed_ones() -> None:
    from fnaudit.fix.fixers import iam_sam
    from fnaudit.model.app import App, Dialect, Resource
    from fnaudit.model.loc import Loc

    app = App(
        "a",
        Dialect.SAM,
        "",
        "template.yaml",
        resources={
            "Queue": Resource("Queue", "AWS::SQS::Queue", Loc("template.yaml", 3)),
            "Table": Resource("Table", "AWS::DynamoDB::Table", Loc("template.yaml", 5)),
        },
    )
    queue = (("arn:aws:sqs:*:*:queue", "Queue"),)
    assert iam_sam.template_for(("sqs:SendMessage",), queue, app) == (
        "SQSSendMessagePolicy",
        "QueueName",
        "!GetAtt Queue.QueueName",
    )
    assert iam_sam.template_for(("sqs:SendMessage", "sqs:GetQueueUrl"), queue, app) is None
    # DynamoDBWritePolicy also grants UpdateItem and BatchWriteItem, and an index ARN: never a fit for PutItem
    assert iam_sam.template_for(("dynamodb:PutItem",), (("arn:aws:dynamodb:*:*:table/t", "Table"),), app) is None
    assert iam_sam.template_for(("sqs:SendMessage",), (("*", None),), app) is None
