"""Terraform loader on the shapes real apps are written in (issue 16, out-of-sample pass): each fixture under
tests/loaders/fixtures/terraform/real_<case> reproduces, in a small app of its own, a pattern met in public
Terraform Lambda apps that the reader got wrong; each test asserts the exact function, trigger and errors.
"""

from __future__ import annotations

from pathlib import Path

from fnaudit.loaders import LoadOptions, LoadOutcome, ScanRoot, load_all
from fnaudit.model import AuthKind, Function, Loc, Origin, TriggerKind

FIX = Path(__file__).parent / "fixtures" / "terraform"


def load(name: str) -> LoadOutcome:
    target = FIX / name
    outcome, _ = load_all(target, ScanRoot.of(target), LoadOptions())
    return outcome


def line(name: str, rel: str, text: str) -> int:
    return next(i for i, x in enumerate((FIX / name / rel).read_text().splitlines(), start=1) if text in x)


def only(outcome: LoadOutcome) -> Function:
    assert len(outcome.apps) == 1
    (fn,) = outcome.apps[0].functions
    return fn


def test_rest_integration_uri_written_out_with_an_unset_region_still_names_its_function() -> None:
    # `uri = "arn:aws:apigateway:${var.region}:lambda:path/.../${aws_lambda_function.f.arn}/invocations"` with
    # `variable "region" {}`: the unknown region used to make the whole URI unknown, and the route was lost
    out = load("real_rest_uri")
    assert out.errors == []
    fn = only(out)
    assert fn.name == "aws_lambda_function.quotes"
    (trig,) = fn.triggers
    assert (trig.kind, trig.method, trig.path, trig.public) == (TriggerKind.API_REST, "POST", "/quotes", True)
    assert trig.authorizer.kind is AuthKind.NONE
    assert trig.loc == Loc("main.tf", line("real_rest_uri", "main.tf", 'resource "aws_api_gateway_method" "post"'))


def test_references_to_resources_fnaudit_does_not_model_are_unknown_values_not_errors() -> None:
    # `random_string.suffix.id` in a function name and `.result` in an environment variable used to be
    # reported as references to a resource that does not exist
    out = load("real_unmodelled")
    assert out.errors == []
    fn = only(out)
    assert fn.environment["SUFFIX"].origin is Origin.UNRESOLVED
    assert fn.code.handler_file == "src/app.py"


def test_integration_through_an_alias_reaches_the_aliased_function() -> None:
    out = load("real_alias")
    assert out.errors == []
    fn = only(out)
    assert fn.name == "aws_lambda_function.orders"
    (trig,) = fn.triggers
    assert (trig.kind, trig.method, trig.path) == (TriggerKind.API_REST, "GET", "/orders")
    assert trig.authorizer.kind is AuthKind.NONE


def test_code_uploaded_to_s3_from_an_archive_file_is_read_from_the_archived_folder() -> None:
    # s3_bucket / s3_key name an aws_s3_object uploaded from data.archive_file, whose hash is the function's
    # source_code_hash: the code is the archive's folder, not an artifact out of reach
    out = load("real_s3_object")
    assert out.errors == []
    fn = only(out)
    assert fn.code.language == "python"
    assert fn.code.handler_file == "src/app.py"


def test_lambda_module_from_its_git_repository_is_interpreted_and_a_layer_call_makes_no_function() -> None:
    out = load("real_git_module")
    assert out.errors == []
    fn = only(out)  # `module.deps` (create_layer = true) builds a layer; sub-modules make no function
    assert fn.name == "module.worker.aws_lambda_function.this[0]"
    assert (fn.runtime.value, fn.handler.value) == ("python3.12", "app.handler")
    assert fn.code.handler_file == "src/app.py"
    # `//modules/alias` maps the queue to an alias of the function: the queue invokes the function (the alias
    # module used to be read as the function module itself, making a second, phantom function)
    (trig,) = fn.triggers
    assert (trig.kind, trig.loc) == (
        TriggerKind.SQS,
        Loc("main.tf", line("real_git_module", "main.tf", "event_source_mapping = {")),
    )
    assert [(c.logical_id, c.location) for c in out.apps[0].components if c.type == "module"] == [
        ("module.deploy", "github.com/terraform-aws-modules/terraform-aws-lambda//modules/deploy?ref=v7.2.0")
    ]


def test_a_module_called_from_outside_the_scanned_folder_is_an_error_not_a_silent_empty_scan() -> None:
    out = load("real_outside/app")
    assert out.apps == []
    assert [(e.path, e.stage, e.message) for e in out.errors] == [
        (
            ".",
            "discover",
            "module source '../../' is outside the scan root; not read (scan the folder that holds it to include it)",
        )
    ]


def test_source_code_hash_passed_through_a_module_input_still_names_the_archive() -> None:
    # the root module zips `src/` and hands bucket, key and `output_base64sha256` to a local module in one object
    out = load("real_module_hash")
    assert out.errors == []
    fn = only(out)
    assert fn.name == "module.jobs.aws_lambda_function.this"
    assert fn.loc == Loc("modules/fn/main.tf", line("real_module_hash", "modules/fn/main.tf", "aws_lambda_function"))
    assert fn.code.handler_file == "src/jobs.py"


def test_log_group_named_after_an_unresolved_function_name_is_that_functions_group() -> None:
    # `function_name = "movies-${random_string.suffix.id}"` and a log group `/aws/lambda/movies-${...same...}`:
    # the same parts, so its retention is the function's (it was reported as "kept forever")
    fn = only(load("real_unmodelled"))
    assert fn.log_retention_days.value == 30
    assert fn.log_retention_days.loc == Loc("main.tf", line("real_unmodelled", "main.tf", "retention_in_days"))


def test_heredoc_policy_with_interpolated_references_keeps_its_statements() -> None:
    # JSON text with `"${aws_sqs_queue.q.arn}"` (and an unset `${var.region}`) in it used to become a text join
    # the builder could not read: every statement, `s3:*` included, was silently lost
    out = load("real_heredoc_policy")
    assert out.errors == []
    role = only(out).role
    assert role is not None
    policy_line = line("real_heredoc_policy", "main.tf", "policy = <<EOF")
    assert [(s.actions, s.resources, s.loc, s.source) for s in role.statements] == [
        (
            ("sqs:SendMessage",),
            ("!GetAtt aws_sqs_queue.q.Arn",),
            Loc("main.tf", policy_line),
            "aws_iam_role_policy.p.Statement[0]",
        ),
        (
            ("s3:*",),
            ("arn:aws:s3:::bucket-!Ref var.region/*",),
            Loc("main.tf", policy_line),
            "aws_iam_role_policy.p.Statement[1]",
        ),
    ]
