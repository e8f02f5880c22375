"""The availability and monitoring fixers' edge cases, and the insert-key helpers of fix/text.py they use."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from fnaudit.config import Config
from fnaudit.fix.command import run_fix
from fnaudit.fix.fixers.operations import concurrency_for, existing_dlq
from fnaudit.fix.model import Edit, Plan
from fnaudit.fix.plan import plan
from fnaudit.fix.text import (
    has_yaml_comment,
    hcl_insert_point,
    hcl_lines,
    json_insert_point,
    json_lines,
    yaml_anchor,
    yaml_flow_insert,
    yaml_insert_point,
    yaml_lines,
)
from fnaudit.model.app import App, AuthKind, Authorizer, Dialect, Resource, Trigger, TriggerKind
from fnaudit.model.loc import Loc
from fnaudit.pipeline import scan

SELECT = ("DOS001", "DOS004", "OBS001", "OBS002")
CASES = Path(__file__).parent / "cases" / "operations"


def _plan(root: Path, files: dict[str, str], select: tuple[str, ...] = SELECT) -> Plan:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    result = scan(root, Config(today=dt.date(2026, 12, 6), select=select, excerpts=False, reuse=False))
    return plan(result, root)


# ---- text helpers ----------------------------------------------------------------------------------------------


def test_yaml_insert_point_is_after_the_block_in_its_indentation() -> None:
    lines = [
        "functions:",
        "    search:",
        "        handler: s.h",
        "        events:",
        "            - http: GET /",
        "",
        "x:",
    ]
    assert yaml_insert_point(lines, 1) == (5, 8)


def test_yaml_insert_point_refuses_values_written_on_the_line_and_sequences() -> None:
    assert yaml_insert_point(["ping: { handler: p.h }"], 0) is None
    assert yaml_insert_point(["fn: *shared"], 0) is None
    assert yaml_insert_point(["events:", "  - http: GET /"], 0) is None
    assert yaml_insert_point(["fn: &base  # shared", "  handler: h"], 0) == (2, 2)  # an anchor is a block


def test_yaml_anchor_names_the_anchor_a_key_defines() -> None:
    assert yaml_anchor("  defaults: &defaults") == "defaults"
    assert yaml_anchor("  defaults: !Ref x") is None
    assert yaml_anchor("  name: 'a&b'") is None


def test_yaml_flow_insert_keeps_spacing_and_comment() -> None:
    assert yaml_flow_insert("  t: { a: 1 }  # c", "b: 2") == "  t: { a: 1, b: 2 }  # c"
    assert yaml_flow_insert("  t: {a: [1, 2]}", "b: 2") == "  t: {a: [1, 2], b: 2}"
    assert yaml_flow_insert("  t: {}", "b: 2") == "  t: {b: 2}"
    assert yaml_flow_insert("  t: {a: '}'}", "b: 2") == "  t: {a: '}', b: 2}"
    assert yaml_flow_insert("  t: {a: 1,", "b: 2") is None  # continues on the next line
    assert yaml_flow_insert("  t: x {a}", "b: 2") is None


def test_has_yaml_comment_ignores_hashes_in_quotes_and_words() -> None:
    assert has_yaml_comment("a: 1 # note")
    assert not has_yaml_comment("a: 'x # y'")
    assert not has_yaml_comment("a: C#")


def test_yaml_lines_nests_with_the_step_and_comments_top_keys() -> None:
    tree = {"destinations": {"onFailure": {"type": "sqs"}}, "n": "1"}
    assert yaml_lines(tree, 4, 4, {"n": "review"}) == (
        "    destinations:",
        "        onFailure:",
        "            type: sqs",
        "    n: 1  # review",
    )


def test_json_insert_point_and_lines() -> None:
    lines = ['    "Properties": {', '        "Handler": "h"', "    }"]
    assert json_insert_point(lines, 0) == (1, 8)
    assert json_insert_point(['  "P": {}'], 0) is None
    assert json_insert_point(['  "P": {', "  }"], 0) is None
    assert json_lines("D", {"TargetArn": {"Fn::GetAtt": ["Q", "Arn"]}}, 8, 4) == (
        '        "D": {',
        '            "TargetArn": {"Fn::GetAtt": ["Q", "Arn"]}',
        "        },",
    )


def test_hcl_insert_point_and_blank_line_before_the_new_attribute() -> None:
    lines = ['resource "a" "b" {', '  name = "x"', "}"]
    close, indent = hcl_insert_point(lines, 0) or (0, 0)
    assert (close, indent) == (2, 2)
    assert hcl_lines(close, lines, ["mode = 1"], indent) == ("", "  mode = 1")
    assert hcl_lines(1, ['resource "a" "b" {', "}"], ["mode = 1"], 2) == ("  mode = 1",)
    assert hcl_insert_point(['resource "a" "b" { name = "x" }'], 0) is None


# ---- values ----------------------------------------------------------------------------------------------------


def test_concurrency_shares_a_budget_of_100_between_public_routes() -> None:
    route = Trigger(TriggerKind.API_HTTP, Loc("t", 2), Authorizer.none(Loc("t", 2)), "/x", "GET", public=True)
    assert concurrency_for((route,), 1)[0] == 50
    assert concurrency_for((route,), 3)[0] == 33
    assert concurrency_for((route,), 12)[0] == 10
    assert "3 public function(s) share 100" in concurrency_for((route,), 3)[1]


def test_concurrency_floor_for_a_function_url() -> None:
    url = Trigger(TriggerKind.FUNCTION_URL, Loc("t", 2), Authorizer.none(Loc("t", 2)), public=True)
    assert concurrency_for((url,), 1) == (
        10,
        "10: nothing throttles a function URL or an open invoke permission before the function, so it gets the "
        "floor; raise it to the peak you measured",
    )
    signed_in = Trigger(TriggerKind.API_HTTP, Loc("t", 2), Authorizer(AuthKind.JWT, Loc("t", 3)), "/x", public=True)
    assert concurrency_for((url, signed_in), 4)[0] == 10  # the route with an authorizer is not a way in


def test_existing_dlq_only_when_exactly_one_is_obvious() -> None:
    def app(*queues: tuple[str, str]) -> App:
        res = {q: Resource(q, "AWS::SQS::Queue", Loc("t", 1), {"QueueName": n} if n else {}) for q, n in queues}
        return App("a", Dialect.CLOUDFORMATION, "", "t", resources=res)

    assert existing_dlq(app(("Jobs", ""), ("JobsDLQ", ""))) == "JobsDLQ"
    assert existing_dlq(app(("Jobs", ""), ("Other", "jobs-dead-letter"))) == "Other"
    assert existing_dlq(app(("ADlq", ""), ("BDlq", ""))) is None
    assert existing_dlq(app(("Jobs", ""))) is None


# ---- fixers on whole apps --------------------------------------------------------------------------------------

_HANDLER = "def handler(event, context):\n    return {'statusCode': 200}\n"


def test_an_anchored_function_block_is_not_edited(tmp_path: Path) -> None:
    made = _plan(
        tmp_path,
        {
            "serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  logRetentionInDays: 7\n"
            "  tracing:\n    lambda: true\nfunctions:\n  search: &search\n    handler: h.handler\n"
            "    events:\n      - httpApi: GET /search\n",
            "h.py": _HANDLER,
        },
        ("DOS001",),
    )
    assert made.fixes == ()
    assert [(n.rule_id, n.function, n.reason) for n in made.unfixed] == [
        (
            "DOS001",
            "search",
            "serverless.yml:9 defines the anchor &search: a key added there changes every alias of it too; "
            "add it where it is used",
        )
    ]


def test_serverless_lambda_false_becomes_true_where_written(tmp_path: Path) -> None:
    made = _plan(
        tmp_path,
        {
            "serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  tracing:\n"
            "    lambda: false # cost\nfunctions:\n  a:\n    handler: h.handler\n  b:\n    handler: h.handler\n",
            "h.py": _HANDLER,
        },
        ("OBS001",),
    )
    assert [(f.summary, f.edits, len(f.resolves)) for f in made.fixes] == [
        (
            "active X-Ray tracing (set once for every function that inherits it)",
            (Edit("serverless.yml", 6, 7, ("    lambda: true # cost",)),),
            1,
        )
    ]


def test_sam_without_globals_gets_tracing_per_function(tmp_path: Path) -> None:
    template = (
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"
        "  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
        "      Handler: h.handler\n      CodeUri: .\n"
    )
    made = _plan(tmp_path, {"template.yaml": template, "h.py": _HANDLER}, ("OBS001",))
    assert [f.edits for f in made.fixes] == [(Edit("template.yaml", 10, 10, ("      Tracing: Active",)),)]
    assert made.fixes[0].notes[0].startswith("SAM adds the X-Ray write permissions to the role it generates")


def test_a_terraform_module_function_is_not_edited(tmp_path: Path) -> None:
    made = _plan(
        tmp_path,
        {
            "main.tf": 'module "fn" {\n  source        = "terraform-aws-modules/lambda/aws"\n'
            '  function_name = "fn"\n  handler       = "h.handler"\n  runtime       = "python3.12"\n'
            '  source_path   = "./src"\n}\n',
            "src/h.py": _HANDLER,
        },
        ("OBS001",),
    )
    assert made.fixes == ()
    assert [n.reason for n in made.unfixed] == [
        "module.fn.aws_lambda_function.this[0] is not an `aws_lambda_function` written in main.tf (a module, or "
        "JSON): set it on the module or resource by hand"
    ]


def test_same_provider_edit_folds_into_one_fix() -> None:
    expected = (CASES / "serverless" / "expected.diff").read_text("utf-8")
    assert expected.count("logRetentionInDays: 30") == 1
    assert expected.count("lambda: true") == 1


def test_write_keeps_crlf_line_endings(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "app"
    shutil.copytree(CASES / "cloudformation-yaml-crlf" / "app", root)
    config = Config(today=dt.date(2026, 12, 6), select=SELECT, excerpts=False, reuse=False)
    before = scan(root, config)
    run_fix(before, root, write=True, rescan=lambda: scan(root, config), out=io.StringIO(), err=io.StringIO())
    data = (root / "template.yaml").read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"  AuditFunctionDLQ:\r\n" in data


def test_an_existing_destinations_block_gets_on_failure_inside_it(tmp_path: Path) -> None:
    made = _plan(
        tmp_path,
        {
            "serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  a:\n"
            "    handler: h.handler\n    destinations:\n      onSuccess: arn:aws:sqs:eu-west-1:123456789012:done\n"
            "    events:\n      - sns: jobs\nresources:\n  Resources:\n    JobsDLQ:\n      Type: AWS::SQS::Queue\n",
            "h.py": _HANDLER,
        },
        ("DOS004",),
    )
    assert [f.edits for f in made.fixes] == [
        (Edit("serverless.yml", 10, 10, ("      onFailure:", "        type: sqs", "        arn: !GetAtt JobsDLQ.Arn")),)
    ]
    assert made.fixes[0].notes[0] == (
        "failed events go to the app's queue JobsDLQ: alarm on its `ApproximateNumberOfMessagesVisible`"
    )


def test_terraform_log_group_of_the_function_gets_the_retention(tmp_path: Path) -> None:
    made = _plan(
        tmp_path,
        {
            "main.tf": 'resource "aws_lambda_function" "api" {\n  function_name = "api"\n  role          = "arn:r"\n'
            '  handler       = "h.handler"\n  runtime       = "python3.12"\n  filename      = "b.zip"\n}\n\n'
            'resource "aws_cloudwatch_log_group" "api" {\n'
            '  name = "/aws/lambda/${aws_lambda_function.api.function_name}"\n}\n',
        },
        ("OBS002",),
    )
    assert [(f.summary, f.edits) for f in made.fixes] == [
        (
            "log group aws_cloudwatch_log_group.api of aws_lambda_function.api: 30 days of retention",
            (Edit("main.tf", 11, 11, ("", "  retention_in_days = 30")),),
        )
    ]


_TF_URL = (
    'resource "aws_lambda_function_url" "api" {\n  function_name      = aws_lambda_function.api.function_name\n'
    '  authorization_type = "NONE"\n}\n'
)


def test_terraform_unreserved_minus_one_is_replaced_where_written(tmp_path: Path) -> None:
    made = _plan(
        tmp_path,
        {
            "main.tf": 'resource "aws_lambda_function" "api" {\n  function_name = "api"\n  role          = "arn:r"\n'
            '  handler       = "h.handler"\n  runtime       = "python3.12"\n  filename      = "b.zip"\n'
            "  reserved_concurrent_executions = -1\n}\n\n" + _TF_URL,
        },
        ("DOS001",),
    )
    assert [f.edits for f in made.fixes] == [
        (Edit("main.tf", 7, 8, ("  reserved_concurrent_executions = 10 # fnaudit: review this limit",)),)
    ]


def test_terraform_block_already_there_is_not_added_twice(tmp_path: Path) -> None:
    made = _plan(
        tmp_path,
        {
            "main.tf": 'resource "aws_lambda_function" "api" {\n  function_name = "api"\n  role          = "arn:r"\n'
            '  handler       = "h.handler"\n  runtime       = "python3.12"\n  filename      = "b.zip"\n\n'
            "  tracing_config {\n  }\n}\n",
        },
        ("OBS001",),
    )
    assert made.fixes == ()
    assert [n.reason for n in made.unfixed] == ["main.tf:8 already has `tracing_config`: change it there"]


def test_a_flow_style_function_gets_no_nested_keys(tmp_path: Path) -> None:
    made = _plan(
        tmp_path,
        {
            "serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n"
            "  a: { handler: h.handler, events: [{ sns: jobs }] }\n",
            "h.py": _HANDLER,
        },
        ("DOS004",),
    )
    assert [n.reason for n in made.unfixed] == [
        "serverless.yml:6 is written on one line (flow style): add the keys by hand"
    ]


def test_resources_from_files_get_no_new_queue(tmp_path: Path) -> None:
    made = _plan(
        tmp_path,
        {
            "serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  a:\n"
            "    handler: h.handler\n    events:\n      - sns: jobs\nresources:\n  - ${file(extra.yml)}\n",
            "extra.yml": "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n",
            "h.py": _HANDLER,
        },
        ("DOS004",),
    )
    assert [n.reason for n in made.unfixed] == [
        "`resources` in serverless.yml has no `Resources:` block written out (a file include or a list): add the "
        "queue ADLQ there by hand"
    ]
