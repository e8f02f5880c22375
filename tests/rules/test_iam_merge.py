"""One IAM finding per policy statement (issue 22): the problems of one statement are folded into one finding
owned by the highest-ranked rule (fnaudit.rules.iam.merge), selection and suppression still work per rule, and
the attack paths still read every problem."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from fnaudit.cli import main
from fnaudit.config import Config
from fnaudit.findings import Finding, Severity
from fnaudit.pipeline import ScanResult, scan
from fnaudit.rules.paths._chain import role_reach
from fnaudit.suppress import baseline_document
from tests.conftest import SCAN_DATE

SCHEMA = Path(__file__).resolve().parents[2] / "src" / "fnaudit" / "schema" / "findings-v1.json"
# The IAM rules that judge statements, without IAM010 (its list of unused actions depends on the catalogue).
STATEMENT_RULES = ("IAM001", "IAM002", "IAM003", "IAM005", "IAM006", "IAM007", "IAM008")

_SLS = """service: s
frameworkVersion: "3"
provider:
  name: aws
  runtime: python3.13
  iam:
    role:
      statements:
{statements}
functions:
  f:
    handler: handler.main
"""
SUBJECT = "function f: provider.iam.role.statements[0] of role IamRoleLambdaExecution allows "


def _statement(actions: str, comment: str = "") -> str:
    """A statement whose finding is on its first line (9 for the first statement, 12 for the second)."""
    return f"""        - Effect: Allow{comment}
          Action: {actions}
          Resource: "*\""""


def _scan(
    tmp_path: Path,
    *statements: str,
    select: tuple[str, ...] = STATEMENT_RULES,
    ignore: tuple[str, ...] = (),
    baseline: str | None = None,
) -> ScanResult:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "serverless.yml").write_text(_SLS.format(statements="\n".join(statements)), encoding="utf-8")
    (tmp_path / "handler.py").write_text("def main(event, context):\n    return None\n", encoding="utf-8")
    result = scan(tmp_path, Config(select=select, ignore=ignore, today=SCAN_DATE, baseline=baseline))
    assert list(result.errors) == []
    return result


def _shape(findings: tuple[Finding, ...]) -> list[tuple[str, int, Severity, list[tuple[str, Severity, str]]]]:
    return [
        (f.rule_id, f.location.line, f.severity, [(p.rule_id, p.severity, p.evidence) for p in f.problems])
        for f in sorted(findings, key=lambda f: (f.location.line, f.rule_id))
    ]


def test_a_statement_with_several_problems_is_one_finding_naming_them_all(tmp_path: Path) -> None:
    result = _scan(tmp_path, _statement('["s3:*", "iam:PassRole"]'))
    assert _shape(result.findings) == [
        (
            "IAM002",
            9,
            Severity.HIGH,
            [("IAM002", Severity.HIGH, "Allow s3:* on *"), ("IAM003", Severity.HIGH, "Allow iam:PassRole on *")],
        )
    ]
    (f,) = result.findings
    assert f.message == (
        SUBJECT + "every s3 action (`s3:*`) on *. Also in this statement: unscoped write (IAM003): "
        "`iam:PassRole` (Permissions management) on every resource (`*`)."
    )
    assert f.evidence == "Allow s3:* on *; Allow iam:PassRole on *"
    assert f.problems[1].message == (SUBJECT + "`iam:PassRole` (Permissions management) on every resource (`*`)")


def test_the_worst_problem_decides_the_severity_not_the_owner(tmp_path: Path) -> None:
    result = _scan(tmp_path, _statement("[s3:PutObject, s3:GetObject, secretsmanager:GetSecretValue]"))
    assert _shape(result.findings) == [
        (
            "IAM003",  # the unscoped write owns the statement (rank), the secret read makes it high
            9,
            Severity.HIGH,
            [
                ("IAM003", Severity.MEDIUM, "Allow s3:PutObject on *"),
                ("IAM005", Severity.MEDIUM, "Allow s3:GetObject on *"),
                ("IAM005", Severity.HIGH, "Allow secretsmanager:GetSecretValue on *"),
            ],
        )
    ]
    assert result.findings[0].message.endswith(
        ". Also in this statement: unscoped data read (IAM005): reading `s3:GetObject` on *, reading "
        "`secretsmanager:GetSecretValue` on *."
    )


def test_selecting_one_rule_shows_its_problem_alone(tmp_path: Path) -> None:
    result = _scan(
        tmp_path, _statement("[s3:PutObject, s3:GetObject, secretsmanager:GetSecretValue]"), select=("IAM005",)
    )
    assert _shape(result.findings) == [
        (
            "IAM005",
            9,
            Severity.HIGH,
            [
                ("IAM005", Severity.MEDIUM, "Allow s3:GetObject on *"),
                ("IAM005", Severity.HIGH, "Allow secretsmanager:GetSecretValue on *"),
            ],
        )
    ]


def test_ignoring_the_top_problems_rule_leaves_the_others_reported(tmp_path: Path) -> None:
    result = _scan(tmp_path, _statement('["s3:*", "iam:PassRole"]'), ignore=("IAM002",))
    assert _shape(result.findings) == [
        ("IAM003", 9, Severity.HIGH, [("IAM003", Severity.HIGH, "Allow iam:PassRole on *")])
    ]
    assert result.findings[0].message == SUBJECT + "`iam:PassRole` (Permissions management) on every resource (`*`)"


def test_the_fingerprint_is_the_rule_and_the_statement_not_the_list_of_problems(tmp_path: Path) -> None:
    (alone,) = _scan(tmp_path / "a", _statement('["s3:*"]')).findings
    (more,) = _scan(tmp_path / "b", _statement('["s3:*", "iam:PassRole", "s3:GetObject"]')).findings
    assert (alone.rule_id, more.rule_id) == ("IAM002", "IAM002")
    assert [p.rule_id for p in alone.problems] == ["IAM002"]
    assert [p.rule_id for p in more.problems] == ["IAM002", "IAM003", "IAM005"]
    assert alone.fingerprint == more.fingerprint


def test_an_escalation_one_statement_grants_is_folded_into_it(tmp_path: Path) -> None:
    result = _scan(tmp_path, _statement("[iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction]"))
    assert [(f.rule_id, f.location.line, f.severity) for f in result.findings] == [("IAM006", 9, Severity.CRITICAL)]
    (f,) = result.findings
    assert {p.rule_id for p in f.problems} == {"IAM006", "IAM003"}
    assert [p.evidence for p in f.problems if p.rule_id == "IAM003"] == [
        "Allow iam:PassRole on *",
        "Allow lambda:CreateFunction on *",
        "Allow lambda:InvokeFunction on *",
    ]
    assert f.message.startswith("function f can escalate privileges (")
    assert " Also in this statement: unscoped write (IAM003): " in f.message


def test_escalations_that_need_two_statements_are_one_finding_of_their_own(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        _statement("[iam:PassRole]"),
        _statement("[lambda:CreateFunction, lambda:InvokeFunction, lambda:CreateEventSourceMapping]"),
    )
    assert _shape(result.findings) == [
        ("IAM003", 9, Severity.HIGH, [("IAM003", Severity.HIGH, "Allow iam:PassRole on *")]),
        # the two methods the pair of statements grants: one finding, apart from each statement's own
        (
            "IAM006",
            9,
            Severity.CRITICAL,
            [
                (
                    "IAM006",
                    Severity.CRITICAL,
                    "iam:PassRole on * + lambda:CreateFunction on * + lambda:InvokeFunction on *",
                ),
                (
                    "IAM006",
                    Severity.CRITICAL,
                    "iam:PassRole on * + lambda:CreateFunction on * + lambda:CreateEventSourceMapping on *",
                ),
            ],
        ),
        (
            "IAM003",
            12,
            Severity.MEDIUM,
            [
                ("IAM003", Severity.MEDIUM, "Allow lambda:CreateFunction on *"),
                ("IAM003", Severity.MEDIUM, "Allow lambda:InvokeFunction on *"),
            ],
        ),
    ]
    _, escalation, second = sorted(result.findings, key=lambda f: (f.location.line, f.rule_id))
    assert escalation.cause == (
        "statements:statement:IamRoleLambdaExecution|provider.iam.role.statements[0]"
        "+statement:IamRoleLambdaExecution|provider.iam.role.statements[1]"
    )
    assert escalation.message.endswith(
        "It reaches: any role. Also in these statements: privilege escalation (IAM006): Pass a role to a new Lambda "
        "function triggered by an event source."
    )
    # the other problem named by its action, not cut at the colon inside `lambda:CreateFunction`
    assert second.message.endswith(
        "Also in this statement: unscoped write (IAM003): `lambda:InvokeFunction` (Write) on every resource (`*`)."
    )


def test_an_inline_ignore_of_a_folded_rule_drops_that_problem_only(tmp_path: Path) -> None:
    result = _scan(tmp_path, _statement('["s3:*", "iam:PassRole"]', "  # fnaudit: ignore[IAM003] passes its own role"))
    active = [f for f in result.findings if not f.suppressed]
    muted = [f for f in result.findings if f.suppressed]
    assert _shape(tuple(active)) == [("IAM002", 9, Severity.HIGH, [("IAM002", Severity.HIGH, "Allow s3:* on *")])]
    assert _shape(tuple(muted)) == [
        ("IAM003", 9, Severity.HIGH, [("IAM003", Severity.HIGH, "Allow iam:PassRole on *")])
    ]
    assert muted[0].suppression is not None and muted[0].suppression.kind == "inline"
    assert muted[0].suppression.reason == "passes its own role"


def test_a_baselined_statement_stays_accepted_when_a_problem_is_added(tmp_path: Path) -> None:
    (before,) = _scan(tmp_path / "a", _statement('["s3:*"]')).findings
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(baseline_document([before])), encoding="utf-8")
    after = _scan(tmp_path / "b", _statement('["s3:*", "iam:PassRole"]'), baseline=str(baseline)).findings
    assert [(f.rule_id, f.fingerprint, len(f.problems)) for f in after] == [("IAM002", before.fingerprint, 2)]
    assert after[0].suppression is not None and after[0].suppression.kind == "baseline"


def test_json_and_sarif_list_the_problems(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    _scan(app, _statement('["s3:*", "iam:PassRole"]'))
    out = tmp_path / "report.json"
    args = ["scan", str(app), "--select", ",".join(STATEMENT_RULES), "--date", SCAN_DATE.isoformat()]
    assert main([*args, "--format", "json", "--output", str(out)]) == 1
    doc = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")))
    (f,) = doc["findings"]
    assert [(p["rule_id"], p["severity"], p["location"], p["evidence"]) for p in f["problems"]] == [
        ("IAM002", "high", {"path": "serverless.yml", "line": 9}, "Allow s3:* on *"),
        ("IAM003", "high", {"path": "serverless.yml", "line": 9}, "Allow iam:PassRole on *"),
    ]
    sarif = tmp_path / "report.sarif"
    assert main([*args, "--format", "sarif", "--output", str(sarif)]) == 1
    (res,) = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert [p["rule_id"] for p in res["properties"]["problems"]] == ["IAM002", "IAM003"]


def test_attack_paths_read_every_problem_of_a_folded_finding(tmp_path: Path) -> None:
    result = _scan(tmp_path, _statement('["s3:*", "iam:PassRole", "ecr:GetAuthorizationToken"]'))
    (f,) = result.findings
    assert f.rule_id == "IAM007" and [p.rule_id for p in f.problems] == ["IAM007", "IAM002", "IAM003"]
    fn = result.functions[0]
    items = role_reach(fn, result.findings)
    assert [(i.kind, i.text, i.statement) for i in items] == [
        ("credentials", "mint or read credentials (ecr:GetAuthorizationToken)", "Allow ecr:GetAuthorizationToken on *"),
        ("data-write", "change IAM users, roles and policies", "Allow iam:PassRole on *"),
        ("data-write", "read and write every object in every bucket", "Allow s3:* on *"),
    ]
    assert all(i.finding is not None and i.finding.fingerprint == f.fingerprint for i in items)


def test_the_shared_fixture_is_one_finding_when_both_rules_run() -> None:
    folder = Path(__file__).parent / "fixtures" / "_shared" / "iam-one-statement-several-problems"
    result = scan(folder, Config(select=STATEMENT_RULES, today=SCAN_DATE))
    assert _shape(result.findings) == [
        (
            "IAM002",
            11,
            Severity.HIGH,
            [("IAM002", Severity.HIGH, "Allow s3:* on *"), ("IAM003", Severity.HIGH, "Allow iam:PassRole on *")],
        )
    ]


def test_a_sam_policy_template_is_one_statement(tmp_path: Path) -> None:
    # DynamoDBStreamReadPolicy expands to two statements, both at the line naming the template: one thing to fix
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return None\n", encoding="utf-8")
    (tmp_path / "template.yaml").write_text(
        """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Exporter:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      CodeUri: src/
      Policies:
        - DynamoDBStreamReadPolicy:
            TableName: !Ref Table
            StreamName: "*"
""",
        encoding="utf-8",
    )
    result = scan(tmp_path, Config(select=("IAM010",), today=SCAN_DATE))
    assert _shape(result.findings) == [
        (
            "IAM010",
            17,
            Severity.LOW,
            [
                (
                    "IAM010",
                    Severity.LOW,
                    "unused: dynamodb:DescribeStream, dynamodb:GetRecords, dynamodb:GetShardIterator",
                ),
                ("IAM010", Severity.LOW, "unused: dynamodb:ListStreams"),
            ],
        )
    ]
    assert result.findings[0].cause == "statement:ExporterRole|Policies[0] DynamoDBStreamReadPolicy"
