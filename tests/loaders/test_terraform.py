"""Terraform loader: one named fixture per edge case (tests/loaders/fixtures/terraform/<case>), exact fields.

Lines are found in the fixture by a marker text, so a test says which `.tf` line a value must point at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.loaders import LoadOptions, LoadOutcome, ScanRoot, load_all
from fnaudit.model import AuthKind, Dialect, Function, Loc, Origin, TriggerKind
from fnaudit.model.app import ComponentKind

FIX = Path(__file__).parent / "fixtures" / "terraform"


def load(name: str, **options: object) -> LoadOutcome:
    target = FIX / name
    outcome, _ = load_all(target, ScanRoot.of(target), LoadOptions(**options))  # type: ignore[arg-type]
    return outcome


def line(name: str, rel: str, text: str, nth: int = 1) -> int:
    hits = [i for i, x in enumerate((FIX / name / rel).read_text().splitlines(), start=1) if text in x]
    return hits[nth - 1]


def only(outcome: LoadOutcome) -> Function:
    assert len(outcome.apps) == 1
    (fn,) = outcome.apps[0].functions
    return fn


def test_basic_function_role_and_url_point_at_their_tf_lines() -> None:
    out = load("basic")
    assert out.errors == []
    app = out.apps[0]
    assert (app.dialect, app.source, app.root) == (Dialect.TERRAFORM, "main.tf", "")
    fn = only(out)
    assert fn.name == "aws_lambda_function.orders"
    assert fn.loc == Loc("main.tf", line("basic", "main.tf", 'resource "aws_lambda_function" "orders"'))
    assert (fn.runtime.value, fn.runtime.loc) == ("python3.12", Loc("main.tf", line("basic", "main.tf", "runtime ")))
    assert (fn.timeout.value, fn.memory.value, fn.tracing.value) == (10, 256, "Active")
    assert fn.environment["STAGE"].value == "dev"
    assert fn.environment["STAGE"].loc == Loc("main.tf", line("basic", "main.tf", "STAGE = var.stage"))
    # an environment variable naming the table refers to the table resource, as a Ref would
    assert fn.environment["TABLE"].origin is Origin.UNRESOLVED
    assert fn.code.language == "python"
    assert fn.code.handler_file == "src/app.py"
    assert fn.log_retention_days.value == 14
    assert fn.url is not None and fn.url.auth_type.value == "AWS_IAM"
    role = fn.role
    assert role is not None and role.id == "aws_iam_role.lambda" and role.name == "shop-dev-lambda"
    (table,) = [s for s in role.statements if s.sid == "Table"]
    assert table.actions == ("dynamodb:GetItem", "dynamodb:PutItem")
    assert table.loc == Loc("main.tf", line("basic", "main.tf", "statement {", 2))
    assert [(m.name, m.loc) for m in role.managed_policies] == [
        ("AWSLambdaBasicExecutionRole", Loc("main.tf", line("basic", "main.tf", "policy_arn")))
    ]
    assert [s.principals for s in role.trust] == [("Service:lambda.amazonaws.com",)]


def test_variables_come_from_defaults_tfvars_auto_tfvars_var_files_and_flags_in_that_order() -> None:
    fn = only(load("variables"))
    assert fn.memory.value == 512  # terraform.tfvars over the default
    assert fn.timeout.value == 30  # *.auto.tfvars
    assert fn.runtime.origin is Origin.UNRESOLVED  # no default, no value: unknown, not a guess
    with_file = only(load("variables", tf_var_files=(str(FIX / "variables" / "ci.tfvars"),)))
    assert with_file.runtime.value == "nodejs22.x"
    with_flag = only(
        load(
            "variables",
            tf_var_files=(str(FIX / "variables" / "ci.tfvars"),),
            tf_vars={"runtime": "java21", "timeout": "60"},
        )
    )
    assert (with_flag.runtime.value, with_flag.timeout.value) == ("java21", 60)


def test_a_missing_var_file_is_an_error_and_the_scan_goes_on() -> None:
    out = load("variables", tf_var_files=("no/such.tfvars",))
    assert [(e.path, e.message) for e in out.errors] == [
        ("no/such.tfvars", "--var-file: no such file; its values are not used")
    ]
    assert len(out.apps[0].functions) == 1


def test_count_and_for_each_expand_when_known_and_stand_as_one_instance_when_not() -> None:
    out = load("expansion")
    names = sorted(f.name for f in out.apps[0].functions)
    assert names == [
        "aws_lambda_function.counted[0]",
        "aws_lambda_function.counted[1]",
        'aws_lambda_function.each["a"]',
        'aws_lambda_function.each["b"]',
        "aws_lambda_function.unknown",
    ]


def test_local_modules_two_levels_deep_pass_their_inputs_down() -> None:
    fn = only(load("nested"))
    assert fn.name == "module.service.module.function.aws_lambda_function.this"
    assert fn.runtime.value == "nodejs22.x"
    assert fn.runtime.loc == Loc("modules/function/main.tf", line("nested", "modules/function/main.tf", "runtime "))
    assert fn.loc.path == "modules/function/main.tf"


def test_policies_written_with_jsonencode_heredoc_and_file_are_read() -> None:
    role = only(load("policies")).role
    assert role is not None
    by_action = {s.actions: s.loc for s in role.statements}
    # a statement written in jsonencode({...}) is on its own line
    assert by_action[("s3:GetObject",)] == Loc("main.tf", line("policies", "main.tf", "Statement = [{"))
    assert by_action[("sqs:SendMessage",)] == Loc("main.tf", line("policies", "main.tf", "policy = <<-EOF"))
    (managed,) = role.managed_policies
    assert [s.actions for s in managed.statements] == [("dynamodb:Query",)]
    assert managed.loc == Loc("main.tf", line("policies", "main.tf", "policy_arn"))
    assert [s.principals for s in role.trust] == [("Service:lambda.amazonaws.com",)]


def test_an_unparseable_file_is_an_error_with_its_line_and_the_others_are_read() -> None:
    out = load("broken")
    assert [(e.path, e.message) for e in out.errors] == [
        ("broken.tf", "line 3: not valid HCL (syntax error); this file is not read")
    ]
    assert only(out).name == "aws_lambda_function.fn"


def test_the_dot_terraform_folder_is_not_an_app() -> None:
    out = load("dotterraform")
    assert out.apps == [] and out.errors == []


def test_tf_json_files_are_read_with_their_templates() -> None:
    fn = only(load("tfjson"))
    assert fn.environment["STAGE"].value == "prod"
    assert fn.runtime.loc.path == "main.tf.json"


def test_the_registry_lambda_module_is_interpreted_from_its_inputs() -> None:
    out = load("registry")
    assert out.errors == []
    fn = only(out)
    assert fn.name == "module.orders.aws_lambda_function.this[0]"
    assert fn.code.handler_file == "src/index.py"
    assert fn.environment["TABLE"].value == "orders"
    assert fn.log_retention_days.value == 30
    assert fn.url is not None and fn.url.auth_type.value == "NONE"
    role = fn.role
    assert role is not None
    assert ("dynamodb:PutItem",) in [s.actions for s in role.statements]
    kinds = sorted((t.kind, t.method, t.path) for t in fn.triggers if t.kind is TriggerKind.API_HTTP)
    assert kinds == [(TriggerKind.API_HTTP, "POST", "/orders")]
    (component,) = out.apps[0].components
    assert (component.logical_id, component.kind, component.location) == (
        "module.network",
        ComponentKind.REMOTE,
        "git::https://example.com/network.git",
    )
    assert component.loc == Loc("main.tf", line("registry", "main.tf", 'module "network"'))


def test_event_sources_written_as_their_own_resources_become_triggers() -> None:
    fn = only(load("triggers"))
    got = sorted((t.kind.value, t.loc.line) for t in fn.triggers)
    assert got == sorted(
        [
            ("sqs", line("triggers", "main.tf", 'resource "aws_lambda_event_source_mapping"')),
            ("s3", line("triggers", "main.tf", "lambda_function {")),
            ("schedule", line("triggers", "main.tf", 'resource "aws_cloudwatch_event_rule"')),
            ("sns", line("triggers", "main.tf", 'resource "aws_sns_topic_subscription"')),
        ]
    )


def test_rest_methods_are_joined_with_their_integrations_and_authorizers() -> None:
    fn = only(load("rest"))
    got = sorted((t.method, t.path, t.authorizer.kind) for t in fn.triggers)
    assert got == [("GET", "/items", AuthKind.NONE), ("POST", "/items", AuthKind.COGNITO)]
    (get,) = [t for t in fn.triggers if t.method == "GET"]
    assert get.authorizer.loc == Loc("main.tf", line("rest", "main.tf", 'authorization = "NONE"'))


@pytest.mark.parametrize("case", ["basic", "registry", "triggers", "rest", "nested", "policies"])
def test_no_location_is_left_on_a_virtual_line(case: str) -> None:
    """Every location of the App is a real `.tf` line: nothing points past the end of its file."""
    out = load(case)
    for fn in out.apps[0].functions:
        for value in (fn.runtime, fn.handler, fn.timeout, fn.memory):
            if value.loc.line:
                text = (FIX / case / value.loc.path).read_text().splitlines()
                assert value.loc.line <= len(text)


def test_permissions_prints_a_policy_document_data_source_for_a_terraform_app(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from fnaudit.cli import main

    code = main(["permissions", "aws_lambda_function.orders", str(FIX / "basic"), "--date", "2026-12-01"])
    out = capsys.readouterr().out
    assert code == 0
    body = out[out.index('data "aws_iam_policy_document"') :]
    assert body == (
        'data "aws_iam_policy_document" "orders_least_privilege" {\n'
        "  statement {\n"
        "    actions = [\n"
        '      "logs:CreateLogGroup",\n'
        '      "logs:CreateLogStream",\n'
        '      "logs:PutLogEvents",\n'
        "    ]\n"
        "    resources = [\n"
        '      "arn:aws:logs:*:*:log-group:/aws/lambda/shop-dev-orders:*",\n'
        "    ]\n"
        "  }\n"
        "  statement {\n"
        "    actions = [\n"
        '      "dynamodb:GetItem",\n'
        "    ]\n"
        "    resources = [\n"
        "      aws_dynamodb_table.orders.arn,\n"
        "    ]\n"
        "  }\n"
        "}\n"
    )


def test_json_report_of_a_terraform_app_is_valid_against_the_schema() -> None:
    import json
    from importlib import resources

    import jsonschema

    from fnaudit.config import Config
    from fnaudit.pipeline import scan
    from fnaudit.report import json as json_report

    doc = json_report.document(scan(FIX / "registry", Config()))
    schema = json.loads(resources.files("fnaudit").joinpath("schema/findings-v1.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert {f["name"] for f in doc["functions"]} == {"module.orders.aws_lambda_function.this[0]"}


def test_a_plan_json_is_read_instead_of_the_tf_files_beside_it_with_their_lines() -> None:
    out = load("plan")
    assert out.errors == []
    (app,) = out.apps
    assert (app.dialect, app.source) == (Dialect.TERRAFORM, "plan.json")
    fn = only(out)
    # values come from the plan (the variable `stage` is prod there), lines from main.tf
    assert fn.environment["TABLE"].value == "shop-prod-orders"
    assert fn.runtime.loc == Loc("main.tf", line("plan", "main.tf", "runtime "))
    assert fn.code.handler_file == "src/app.py"  # the archive_file reference names the code folder
    role = fn.role
    assert role is not None and role.id == "aws_iam_role.lambda"
    assert [s.actions for s in role.statements] == [("dynamodb:*",)]
    assert fn.url is not None and fn.url.auth_type.value == "NONE"


def test_dynamic_blocks_are_expanded_with_their_iterator() -> None:
    role = only(load("dynamic")).role
    assert role is not None
    got = [(s.sid, s.actions, s.resources, s.loc.line) for s in role.statements]
    content = line("dynamic", "main.tf", "content {")
    assert got == [
        (None, ("logs:PutLogEvents",), ("*",), line("dynamic", "main.tf", "statement {")),
        ("audit", ("s3:PutObject",), ("arn:aws:dynamodb:us-east-1:123456789012:table/audit",), content),
        (
            "orders",
            ("dynamodb:GetItem", "dynamodb:Query"),
            ("arn:aws:dynamodb:us-east-1:123456789012:table/orders",),
            content,
        ),
        # `for_each` unknown until apply: one statement stands for them, its actions an unresolved reference
        (None, ("!Ref grant.value",), ("*",), line("dynamic", "main.tf", "content {", 2)),
    ]
