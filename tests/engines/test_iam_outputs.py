"""The IAM engine's facts in the outputs: JSON `functions[].blast_radius` (valid against the schema),
the table heading's score, and `fnaudit permissions`."""

from __future__ import annotations

import io
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from fnaudit.cli import main
from fnaudit.config import Config
from fnaudit.pipeline import scan
from fnaudit.report import json as json_report
from fnaudit.report import table
from tests.conftest import SCAN_DATE

FIXTURES = Path(__file__).parent.parent / "rules" / "fixtures"


def _schema() -> dict[str, object]:
    return json.loads(resources.files("fnaudit").joinpath("schema/findings-v1.json").read_text(encoding="utf-8"))


def test_json_blast_radius_is_valid_and_explains_escalation() -> None:
    result = scan(FIXTURES / "IAM006" / "bad" / "cfn", Config(select=("IAM",), today=SCAN_DATE))
    doc = json_report.document(result)
    jsonschema.Draft202012Validator(_schema()).validate(doc)
    by_name = {f["name"]: f for f in doc["functions"]}
    deployer = by_name["Deployer"]["blast_radius"]
    assert deployer["admin"] is True and deployer["score"] == 100.0
    assert deployer["inherits_from"] == ["AdminRole"]
    assert deployer["reaches_functions"] == ["Admin"]
    methods = {e["method"]: e for e in deployer["escalation"]}
    assert set(methods) == {"passrole-lambda-create-event-source", "lambda-update-function-code"}
    granted = methods["passrole-lambda-create-event-source"]["granted_by"]
    assert [g["action"] for g in granted] == [
        "iam:PassRole",
        "lambda:CreateFunction",
        "lambda:CreateEventSourceMapping",
    ]
    assert granted[0]["location"] == {"path": "template.yaml", "line": 30}
    assert by_name["Deployer"]["blast_radius"]["by_service"]["lambda"]["Write"] >= 2


def test_table_heading_shows_the_score() -> None:
    result = scan(FIXTURES / "IAM005" / "bad" / "sls", Config(select=("IAM",), today=SCAN_DATE))
    headings, _ = zip(*table.groups(result), strict=True)
    score = result.apps[0].functions[0].blast_radius
    assert score is not None
    assert headings[0].startswith(f"render (serverless.yml) · blast radius {score.score:g}")  # then "· risk N"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_permissions_prints_least_privilege(capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(FIXTURES / "IAM010" / "bad" / "sls")
    code, out, _ = _run(capsys, "permissions", "resize", folder)
    assert code == 0
    assert "- Effect: Allow" in out and "s3:GetObject" in out and "s3:PutObject" not in out
    assert '"arn:aws:s3:::thumbs-prod/*"' in out
    assert "sqs:ReceiveMessage" in out  # Lambda polls the trigger queue with the role

    code, out, _ = _run(capsys, "permissions", "resize", folder, "--format", "json")
    doc = json.loads(out)
    assert doc["Version"] == "2012-10-17"
    actions = {a for s in doc["Statement"] for a in s["Action"]}
    assert {"s3:GetObject", "logs:PutLogEvents"} <= actions and "dynamodb:PutItem" not in actions


def test_permissions_uses_the_apps_references(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "permissions", "Reader", str(FIXTURES / "IAM010" / "bad" / "cfn"), "-f", "cloudformation"
    )
    assert code == 0
    assert "- PolicyName: Reader-least-privilege" in out
    assert "!Ref Secret" in out and "secretsmanager:GetSecretValue" in out and "PutSecretValue" not in out
    code, out, _ = _run(capsys, "permissions", "Worker", str(FIXTURES / "IAM010" / "bad" / "sam"), "-f", "sam")
    assert "!GetAtt Target.Arn" in out and "lambda:InvokeFunction" in out


def test_permissions_without_analysed_code_prints_effective_permissions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "permissions", "Uploader", str(FIXTURES / "IAM003" / "bad" / "cfn"))
    assert code == 0
    assert "not analysed" in err
    assert out.startswith("Function Uploader: blast radius ")
    assert "s3" in out and "Grants:" in out


def test_permissions_table_and_unknown_function(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "permissions", "Deployer", str(FIXTURES / "IAM006" / "bad" / "cfn"), "-f", "table")
    assert code == 0 and "Escalation lambda-update-function-code" in out and "Inherits permissions of: AdminRole" in out
    code, _, err = _run(capsys, "permissions", "nope", str(FIXTURES / "IAM006" / "bad" / "cfn"))
    assert code == 2 and "no function 'nope'" in err and "Deployer" in err


def test_render_least_for_an_empty_function() -> None:
    from fnaudit.engines.iam.least import least_privilege
    from fnaudit.report.permissions import render_least

    result = scan(FIXTURES / "IAM004" / "bad" / "sls", Config(select=("IAM",), today=SCAN_DATE))
    app = result.apps[0]
    fn = app.functions[0]
    out = io.StringIO()
    render_least(least_privilege(fn, app), fn, app, "serverless", out)
    assert out.getvalue().rstrip().endswith("[]")
