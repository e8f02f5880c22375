"""Drift between a repository and the deployed account (account/drift.py and the DRIFT rules).

Two repository scans stand for the two sides: `fixtures/drift/declared` (a serverless service and a
CloudFormation stack) is the IaC, `fixtures/drift/deployed` (one CloudFormation template whose FunctionNames are
the deployed names, as the account scan renders it) is the account. They differ in exactly the compared settings.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from fnaudit.account.drift import Declarations, compare, match
from fnaudit.config import Config
from fnaudit.findings import Finding, Severity
from fnaudit.model.app import (
    App,
    AuthKind,
    Authorizer,
    Code,
    Dialect,
    Effect,
    Function,
    FunctionUrl,
    ManagedPolicy,
    Role,
    Statement,
    Trigger,
    TriggerKind,
)
from fnaudit.model.drift import DiffKind
from fnaudit.model.loc import Loc, Value
from fnaudit.pipeline import ScanResult, Stats, run_rules, scan
from fnaudit.report import Format, render
from fnaudit.rules.registry import Context, all_rules
from tests.conftest import REPO, SCAN_DATE

FIXTURES = Path(__file__).parent / "fixtures" / "drift"
DRIFT_RULES = tuple(r for r in all_rules() if r.code.startswith("DRIFT"))
# Values the deployed template holds in clear: no output of the comparison may show them.
SECRETS = ("sk_live_51HxQ2eZvKYlo2C8Nq7Rt3VwPz", "whsec_Qm9vZ2xlZ2FyZGVuMTIzNDU2", "orders-v2")


def _scan(folder: Path, config: Config | None = None) -> tuple[App, ...]:
    result = scan(folder, config or Config(select=("DRIFT",), today=SCAN_DATE))
    assert result.errors == ()
    return result.apps


def _drift_findings(apps: tuple[App, ...]) -> list[Finding]:
    out: list[Finding] = []
    for app in apps:
        findings, errors = run_rules(app, DRIFT_RULES, Context(today=SCAN_DATE), Config())
        assert errors == []
        out.extend(findings)
    return out


@pytest.fixture(scope="module")
def compared() -> tuple[App, ...]:
    return compare(_scan(FIXTURES / "declared"), _scan(FIXTURES / "deployed"), "../infra")


@pytest.fixture(scope="module")
def findings(compared: tuple[App, ...]) -> list[Finding]:
    return _drift_findings(compared)


def test_each_compared_setting_that_differs_is_one_finding(findings: list[Finding]) -> None:
    got = {(f.rule_id, f.function, f.severity, str(f.location)) for f in findings}
    assert got == {
        ("DRIFT001", "Export", Severity.MEDIUM, "template.yaml:138"),
        ("DRIFT002", None, Severity.LOW, "template.yaml"),
        ("DRIFT003", "Orders", Severity.MEDIUM, "template.yaml:76"),
        ("DRIFT004", "Orders", Severity.MEDIUM, "template.yaml:84"),  # TABLE changed
        ("DRIFT004", "Orders", Severity.MEDIUM, "template.yaml:86"),  # API_TOKEN added
        ("DRIFT004", "Payments", Severity.MEDIUM, "template.yaml:91"),  # LOG_LEVEL removed
        ("DRIFT005", "Orders", Severity.HIGH, "template.yaml:27"),  # s3:* on * added
        ("DRIFT005", "Orders", Severity.MEDIUM, "template.yaml:4"),  # dynamodb:PutItem removed
        ("DRIFT006", "Orders", Severity.HIGH, "template.yaml:165"),  # cognito → none
        ("DRIFT006", "Payments", Severity.HIGH, "template.yaml:108"),  # URL AWS_IAM → NONE
        ("DRIFT007", "Payments", Severity.LOW, "template.yaml:91"),  # reserved concurrency 5 → unreserved
        ("DRIFT007", "Payments", Severity.LOW, "template.yaml:98"),  # timeout 6 (Framework default) → 30
        ("DRIFT007", "Worker", Severity.LOW, "template.yaml:119"),  # tracing PassThrough (default) → Active
    }
    assert len(findings) == len(got)
    # Mailer (FunctionName, DLQ, Lambda's default timeout written out in the account) has no drift at all;
    # SIGNING_KEY (an SSM reference in the IaC) and LOG_LEVEL of orders (inherited, equal) are not findings.
    assert all(f.function != "Mailer" for f in findings)
    assert not any(
        "SIGNING_KEY" in f.message or ("LOG_LEVEL" in f.message and f.function == "Orders") for f in findings
    )


def _one(findings: list[Finding], rule: str, line: int) -> Finding:
    (found,) = [f for f in findings if f.rule_id == rule and f.location.line == line]
    return found


def test_messages_name_both_sides_and_the_iac_line(findings: list[Finding]) -> None:
    export = _one(findings, "DRIFT001", 138)
    assert export.message == "function legacy-export is deployed but no IaC in ../infra declares it"
    assert export.evidence == "deployed: legacy-export; declared: none in ../infra"
    (gone,) = [f for f in findings if f.rule_id == "DRIFT002"]
    assert gone.message == (
        "function reports declared at shop/serverless.yml:34 in ../infra is not deployed (no function shop-dev-reports)"
    )
    assert _one(findings, "DRIFT003", 76).message == (
        "function shop-dev-orders: runtime is python3.9 deployed but python3.12 in the IaC "
        "(shop/serverless.yml:5 in ../infra)"
    )
    assert _one(findings, "DRIFT003", 76).evidence == (
        "runtime: declared python3.12 at shop/serverless.yml:5 in ../infra; deployed python3.9"
    )
    assert _one(findings, "DRIFT005", 27).message == (
        "function shop-dev-orders: role permission Allow s3:* is deployed (on *) but not declared "
        "(not granted; shop/serverless.yml:9 in ../infra)"
    )
    assert _one(findings, "DRIFT005", 4).message == (
        "function shop-dev-orders: role permission Allow dynamodb:PutItem is declared "
        "(on arn:aws:dynamodb:eu-west-1:123456789012:table/orders; shop/serverless.yml:12 in ../infra) "
        "but not deployed (not granted)"
    )
    assert _one(findings, "DRIFT006", 165).message == (
        "function shop-dev-orders: route authorization GET /orders is none deployed but cognito in the IaC "
        "(shop/serverless.yml:25 in ../infra)"
    )
    assert _one(findings, "DRIFT006", 108).message == (
        "function shop-dev-payments: function URL auth type is NONE deployed but AWS_IAM in the IaC "
        "(shop/serverless.yml:33 in ../infra)"
    )
    assert _one(findings, "DRIFT007", 98).message == (
        "function shop-dev-payments: timeout is 30 deployed but 6 in the IaC (shop/serverless.yml:29 in ../infra)"
    )
    assert _one(findings, "DRIFT007", 91).message == (
        "function shop-dev-payments: reserved concurrency is unreserved deployed but 5 in the IaC "
        "(shop/serverless.yml:31 in ../infra)"
    )
    assert _one(findings, "DRIFT007", 119).message == (
        "function billing-Worker-A1B2C3D4E5F6: tracing mode is Active deployed but PassThrough in the IaC "
        "(billing/template.yaml:21 in ../infra)"
    )


def test_environment_values_are_redacted_on_both_sides(findings: list[Finding]) -> None:
    assert _one(findings, "DRIFT004", 86).message == (
        "function shop-dev-orders: environment variable API_TOKEN is deployed (sk_l…(34 chars)) but not declared "
        "(not set; shop/serverless.yml:19 in ../infra)"
    )
    assert _one(findings, "DRIFT004", 84).message == (
        "function shop-dev-orders: environment variable TABLE is o…(9 chars) deployed but o…(6 chars) in the IaC "
        "(shop/serverless.yml:22 in ../infra)"
    )
    assert _one(findings, "DRIFT004", 91).message == (
        "function shop-dev-payments: environment variable LOG_LEVEL is declared (i…(4 chars); "
        "shop/serverless.yml:8 in ../infra) but not deployed (not set)"
    )


def test_no_secret_value_in_any_output(compared: tuple[App, ...], findings: list[Finding]) -> None:
    texts = [repr(d) for app in compared for d in app.drift] + [repr(f) for f in findings]
    for secret in SECRETS:
        assert not any(secret in t for t in texts), secret
    assert not any("sk_live" in t for t in texts)


def test_keys_are_line_free_and_name_the_setting_item_and_change(findings: list[Finding]) -> None:
    fingerprints = {f.fingerprint for f in findings}
    assert len(fingerprints) == len(findings)
    drift = next(f for f in findings if f.rule_id == "DRIFT005" and f.severity is Severity.HIGH)
    assert "role Allow s3:*" in drift.evidence


def test_differences_record_both_locations(compared: tuple[App, ...]) -> None:
    (app,) = compared
    worker = next(d for d in app.drift if d.deployed_function == "billing-Worker-A1B2C3D4E5F6")
    assert (worker.kind, worker.setting, worker.declared, worker.deployed) == (
        DiffKind.SETTING,
        "tracing",
        "PassThrough",
        "Active",
    )
    assert (str(worker.declared_loc), str(worker.deployed_loc)) == ("billing/template.yaml:21", "template.yaml:119")
    assert worker.declared_function == "Worker"


def test_an_ordinary_scan_gives_the_drift_rules_nothing() -> None:
    result = scan(REPO / "examples" / "shop-api", Config(select=("DRIFT",), today=SCAN_DATE))
    assert result.findings == ()
    assert all(app.drift == () for app in result.apps)


def test_identical_sides_have_no_drift() -> None:
    declared = _scan(FIXTURES / "declared")
    assert _drift_findings(compare(declared, _scan(FIXTURES / "declared"), "repo")) == []


# ---- deployed names ------------------------------------------------------------------------------------------


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


SLS = """service: shop
provider:
  name: aws
  runtime: python3.12
{stage}functions:
  orders:
    handler: handler.orders
  named:
    handler: handler.named
    name: shop-named-by-hand
  unknown:
    handler: handler.unknown
    name: ${{ssm:/shop/name}}
"""


@pytest.mark.parametrize(
    ("stage_line", "option", "expected"),
    [
        ("", None, "shop-dev-orders"),  # the Framework's default stage
        ("  stage: prod\n", None, "shop-prod-orders"),  # provider.stage
        ("  stage: prod\n", "qa", "shop-qa-orders"),  # --stage wins, as in the Framework
    ],
)
def test_serverless_deployed_names(tmp_path: Path, stage_line: str, option: str | None, expected: str) -> None:
    folder = _write(tmp_path / "svc", "serverless.yml", SLS.format(stage=stage_line))
    result = scan(folder, Config(select=("DRIFT",), stage=option, today=SCAN_DATE))
    names = {f.name: f.deployed_name for app in result.apps for f in app.functions}
    assert names == {"orders": expected, "named": "shop-named-by-hand", "unknown": None}


def test_cloudformation_deployed_name_is_the_literal_function_name(tmp_path: Path) -> None:
    template = """Resources:
  Named:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub "${Prefix}-named"
      Runtime: python3.12
      Handler: index.handler
      Code: {ZipFile: "def handler(e, c): return None"}
  Literal:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: literal-fn
      Runtime: python3.12
      Handler: index.handler
      Code: {ZipFile: "def handler(e, c): return None"}
  Generated:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Code: {ZipFile: "def handler(e, c): return None"}
Parameters:
  Prefix: {Type: String, Default: shop}
"""
    folder = _write(tmp_path / "stack", "template.yaml", template)
    result = scan(folder, Config(select=("DRIFT",), today=SCAN_DATE))
    names = {f.name: f.deployed_name for app in result.apps for f in app.functions}
    assert names == {"Named": "shop-named", "Literal": "literal-fn", "Generated": None}


def test_sam_deployed_name_is_the_function_name_the_translator_keeps(tmp_path: Path) -> None:
    template = """Transform: AWS::Serverless-2016-10-31
Resources:
  Named:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: sam-named
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(e, c): return None"
  Generated:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(e, c): return None"
"""
    folder = _write(tmp_path / "sam", "template.yaml", template)
    result = scan(folder, Config(select=("DRIFT",), today=SCAN_DATE))
    names = {f.name: f.deployed_name for app in result.apps for f in app.functions}
    assert names == {"Named": "sam-named", "Generated": None}


def test_terraform_deployed_name_is_function_name(tmp_path: Path) -> None:
    tf = """resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = "{}"
}
resource "aws_lambda_function" "f" {
  function_name = "billing-worker"
  role          = aws_iam_role.r.arn
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "f.zip"
}
"""
    folder = _write(tmp_path / "tf", "main.tf", tf)
    result = scan(folder, Config(select=("DRIFT",), today=SCAN_DATE))
    assert [f.deployed_name for app in result.apps for f in app.functions] == ["billing-worker"]


def _fn(name: str, deployed_name: str | None = None, source: str = "template.yaml") -> Function:
    loc = Loc(source, 1)
    return Function(
        id=f"{source}#{name}",
        name=name,
        loc=loc,
        runtime=Value("python3.12", loc),
        handler=Value("index.handler", loc),
        code=Code("python", in_repo=False),
        deployed_name=deployed_name,
    )


def _app(*functions: Function, source: str = "template.yaml") -> App:
    return App(name=source, dialect=Dialect.CLOUDFORMATION, root="", source=source, functions=functions)


def _matched(name: str, *apps: App) -> str | None:
    found = match(name, Declarations.of(apps))
    return found.fn.id if found else None


def test_matching_order_deployed_name_then_logical_name_then_generated_name() -> None:
    a = _app(_fn("Orders", "shop-dev-orders"), _fn("Worker"), _fn("Mailer"))
    assert _matched("shop-dev-orders", a) == "template.yaml#Orders"
    assert _matched("Worker", a) == "template.yaml#Worker"
    assert _matched("billing-Worker-1A2B3C4D5E6F", a) == "template.yaml#Worker"
    # a logical id with an explicit deployed name is not matched by its logical id
    assert _matched("Orders", a) is None
    # the generated suffix is 8+ upper-case letters and digits
    assert _matched("billing-Worker-abcdefgh1234", a) is None
    assert _matched("billing-Worker-ABC12", a) is None
    assert _matched("billing-Worker", a) is None


def test_ambiguous_names_match_nothing() -> None:
    one = _app(_fn("Worker"), _fn("Orders", "orders"), source="a/template.yaml")
    two = _app(_fn("Worker"), _fn("Orders", "orders"), source="b/template.yaml")
    assert _matched("stack-Worker-ABCDEFGH1234", one, two) is None
    assert _matched("Worker", one, two) is None
    assert _matched("orders", one, two) is None
    # and the comparison reports both sides: the deployed function and the two declarations
    deployed = _app(_fn("orders", "orders"), source="aws.yaml")
    (app,) = compare((one, two), (deployed,), "repo")
    kinds = sorted((d.kind.value, d.function) for d in app.drift)
    assert kinds == [
        ("declared-only", "Orders"),
        ("declared-only", "Orders"),
        ("declared-only", "Worker"),
        ("declared-only", "Worker"),
        ("deployed-only", "orders"),
    ]


def test_with_nothing_deployed_every_declaration_is_reported_on_an_account_app() -> None:
    (app,) = compare((_app(_fn("Worker")),), (), "repo")
    assert (app.name, app.source, app.functions) == ("aws", "aws:", ())
    findings = _drift_findings((app,))
    assert [(f.rule_id, f.function, str(f.location), f.message) for f in findings] == [
        (
            "DRIFT002",
            None,
            "aws:",
            "function Worker declared at template.yaml:1 in repo is not deployed (no function Worker)",
        )
    ]


# ---- how settings are compared -----------------------------------------------------------------------------


def _st(effect: Effect, actions: tuple[str, ...], resources: tuple[str, ...], line: int) -> Statement:
    return Statement(effect, Loc("template.yaml", line), actions=actions, resources=resources)


def _compared(declared: Function, deployed: Function) -> list[tuple[str, str, str, str, str, bool]]:
    (app,) = compare((_app(declared, source="repo.yaml"),), (_app(deployed, source="aws.yaml"),), "repo")
    return [(d.setting or "", d.item, d.change.value, d.declared, d.deployed, d.wider) for d in app.drift]


def _with_role(fn: Function, *statements: Statement, policies: tuple[ManagedPolicy, ...] = ()) -> Function:
    role = Role("R", Loc(fn.loc.path, 2), statements=statements, managed_policies=policies)
    return replace(fn, role=role)


def test_role_grants_compare_by_action_with_wildcards_references_and_managed_policies() -> None:
    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    logs = _st(Effect.ALLOW, ("logs:PutLogEvents",), ("*",), 9)
    declared = _with_role(
        _fn("Worker", "worker"),
        _st(Effect.ALLOW, ("s3:*",), ("arn:aws:s3:::bucket/*",), 3),
        _st(Effect.ALLOW, ("dynamodb:GetItem",), ("!GetAtt Table.Arn",), 4),
        _st(Effect.DENY, ("s3:DeleteObject",), ("*",), 5),
        policies=(
            ManagedPolicy(basic, Loc("template.yaml", 6)),
            ManagedPolicy("arn:aws:iam::1:policy/ext", Loc("t", 7)),
        ),
    )
    deployed = _with_role(
        _fn("Worker", "worker"),
        _st(Effect.ALLOW, ("s3:GetObject",), ("arn:aws:s3:::bucket/*",), 3),  # covered by s3:*: not drift
        _st(Effect.ALLOW, ("dynamodb:GetItem",), ("arn:aws:dynamodb:eu-west-1:1:table/t",), 4),  # a reference
        policies=(
            ManagedPolicy(basic, Loc("template.yaml", 6), statements=(logs,)),  # AWS-managed: by name
            ManagedPolicy("arn:aws:iam::1:policy/ext", Loc("t", 7), statements=(logs,)),  # unknown in the IaC
        ),
    )
    assert _compared(declared, deployed) == [
        ("role", "Allow s3:*", "removed", "on arn:aws:s3:::bucket/*", "not granted", False),
        ("role", "Deny s3:DeleteObject", "removed", "on *", "not granted", True),  # a Deny gone: grants more
    ]


def test_an_allow_widened_to_every_resource_grants_more() -> None:
    declared = _with_role(_fn("W", "w"), _st(Effect.ALLOW, ("sqs:SendMessage",), ("arn:aws:sqs:eu-west-1:1:q",), 3))
    deployed = _with_role(_fn("W", "w"), _st(Effect.ALLOW, ("sqs:SendMessage",), ("*",), 3))
    assert _compared(declared, deployed) == [
        ("role", "Allow sqs:SendMessage", "changed", "on arn:aws:sqs:eu-west-1:1:q", "on *", True)
    ]


def test_actions_compare_whatever_their_case() -> None:
    declared = _with_role(_fn("W", "w"), _st(Effect.ALLOW, ("SQS:sendMessage", "s3:getobject"), ("*",), 3))
    deployed = _with_role(_fn("W", "w"), _st(Effect.ALLOW, ("sqs:SendMessage", "S3:PutObject"), ("*",), 3))
    assert _compared(declared, deployed) == [
        ("role", "Allow S3:PutObject", "added", "not granted", "on *", True),
        ("role", "Allow s3:getobject", "removed", "on *", "not granted", False),
    ]


def _route(kind: AuthKind, method: str = "GET", path: str = "/items", api_key: bool = False) -> Trigger:
    loc = Loc("template.yaml", 20)
    return Trigger(
        TriggerKind.API_REST,
        loc,
        Authorizer(kind, loc),
        path=path,
        method=method,
        public=True,
        api_key_required=api_key,
    )


def test_routes_and_urls_compare_their_authorization() -> None:
    declared = replace(
        _fn("Api", "api"),
        triggers=(
            _route(AuthKind.COGNITO, path="items/"),  # `items/` and `/items` are one route
            _route(AuthKind.UNKNOWN, "POST"),
            _route(AuthKind.NONE, "PUT", api_key=True),
            _route(AuthKind.IAM, "DELETE"),
        ),
    )
    deployed = replace(
        _fn("Api", "api"),
        triggers=(
            _route(AuthKind.COGNITO),
            _route(AuthKind.LAMBDA, "POST"),  # an authorizer of a kind the IaC does not tell: not evidence
            _route(AuthKind.NONE, "PUT"),  # the API key requirement dropped
            _route(AuthKind.NONE, "GET", "/admin"),  # a route the IaC does not have, open to anyone
        ),
        url=FunctionUrl(Value("NONE", Loc("aws.yaml", 30)), Loc("aws.yaml", 29)),
    )
    assert _compared(declared, deployed) == [
        ("http-auth", "DELETE /items", "removed", "aws_iam", "no route", False),
        ("http-auth", "GET /admin", "added", "no route", "none", True),
        ("http-auth", "PUT /items", "changed", "api_key", "none", True),
        ("url-auth", "", "added", "no URL", "NONE", True),
    ]


def test_defaults_of_each_dialect_stand_for_unwritten_settings() -> None:
    loc = Loc("template.yaml", 5)
    sls = replace(_fn("orders", "shop-dev-orders"), timeout=Value.unset(loc), memory=Value.unset(loc))
    declared = App(name="shop", dialect=Dialect.SERVERLESS, root="", source="serverless.yml", functions=(sls,))
    deployed = replace(
        _fn("orders", "shop-dev-orders"),
        timeout=Value(6, loc),
        memory=Value(128, loc),
        tracing=Value("PassThrough", loc),
    )
    (app,) = compare((declared,), (_app(deployed),), "repo")
    # 6 s is the Framework's default (not drift); 128 MB is not its 1024 MB
    assert [(d.setting, d.declared, d.deployed) for d in app.drift] == [("memory", "1024", "128")]


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f.value)
def test_reports_of_a_compared_scan_show_no_secret_and_validate(
    fmt: Format, compared: tuple[App, ...], findings: list[Finding]
) -> None:
    result = ScanResult(
        target="aws:eu-west-1",
        apps=compared,
        findings=tuple(findings),
        errors=(),
        rules=DRIFT_RULES,
        stats=Stats(files=1, functions=sum(len(a.functions) for a in compared), seconds=0.1),
        today=SCAN_DATE,
    )
    out = io.StringIO()
    render(result, fmt, out)
    text = out.getvalue()
    assert "DRIFT005" in text or fmt is Format.CYCLONEDX  # an SBOM lists packages, not findings
    for secret in SECRETS:
        assert secret not in text, (fmt, secret)
    if fmt is Format.JSON:
        schema = json.loads(resources.files("fnaudit").joinpath("schema/findings-v1.json").read_text("utf-8"))
        jsonschema.Draft202012Validator(schema).validate(json.loads(text))
