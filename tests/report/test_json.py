"""The JSON report: valid against schema/findings-v1.json, the §4 shape, no secret values, deterministic."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from fnaudit import __version__
from fnaudit.config import Config
from fnaudit.errors import ScanError
from fnaudit.pipeline import scan
from fnaudit.report import Format, render
from fnaudit.report.json import SCHEMA
from tests.report.builders import SCAN_DATE, make_result


def schema() -> dict[str, Any]:
    text = resources.files("fnaudit").joinpath("schema/findings-v1.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def to_json(result: object) -> dict[str, Any]:
    out = io.StringIO()
    render(result, Format.JSON, out)  # type: ignore[arg-type]
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def validate(doc: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.Draft202012Validator(schema()).validate(doc)


def test_output_is_valid_against_the_schema() -> None:
    errors = (ScanError("broken.yml", "not valid YAML (line 3)", "load"),)
    validate(to_json(make_result(errors=errors)))


def test_schema_is_strict() -> None:
    doc = to_json(make_result())
    doc["findings"][0]["severity"] = "urgent"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema())
    doc = to_json(make_result())
    doc["findings"][0]["extra"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema())
    doc = to_json(make_result())
    doc["findings"][0]["category"] = "misc"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema())


def test_document_shape() -> None:
    doc = to_json(make_result(errors=(ScanError("x.yml", "bad", "load"),)))
    assert list(doc) == ["schema", "tool", "target", "functions", "findings", "errors", "coverage", "stats"]
    assert doc["coverage"] == {"functions": [], "files": [], "folders": []}  # a result built without a scan
    assert doc["schema"] == SCHEMA == "fnaudit/findings/v1"
    assert doc["tool"] == {"name": "fnaudit", "version": __version__}
    assert doc["target"] == "demo"
    assert doc["errors"] == [{"path": "x.yml", "message": "bad", "stage": "load", "loss": "partial"}]
    assert doc["stats"] == {
        "files": 3,
        "functions": 2,
        "seconds": 0.25,
        "stages": {"load": 0.1, "rules": 0.1, "suppress": 0.05},
        "reused": 0,
    }


def test_functions() -> None:
    api, worker = to_json(make_result())["functions"]
    assert api == {
        "id": "serverless.yml#api",
        "name": "api",
        "app": "serverless.yml",
        "dialect": "serverless",
        "runtime": "python3.12",
        "handler": "handler.main",
        "code_path": "handler.py",
        "role": "IamRoleLambdaExecution",
        "triggers": [
            {
                "kind": "api",
                "path": "/items",
                "method": "GET",
                "public": True,
                "authorizer": "none",
                "api_key_required": False,
                "source": None,
            }
        ],
        "environment": ["DB_PASSWORD", "TABLE"],
        "timeout": None,  # AWS default, not written: null rather than a guess
        "memory": None,
        "reserved_concurrency": None,
        "packages": 0,  # third-party packages from its lockfiles (none here)
        "location": {"path": "serverless.yml", "line": 12},
    }
    assert worker["reserved_concurrency"] == 5
    assert worker["triggers"][0]["kind"] == "sqs"
    assert worker["triggers"][0]["authorizer"] == "aws_iam"


def test_environment_values_never_appear() -> None:
    out = io.StringIO()
    render(make_result(), Format.JSON, out)
    assert "hunter2" not in out.getvalue()


def test_findings() -> None:
    findings = to_json(make_result())["findings"]
    assert [(f["rule_id"], f["function"]) for f in findings] == [
        ("IAM001", "api"),
        ("IAM001", "worker"),
        ("AUTH001", "api"),
        ("DOS001", "api"),
        ("OBS001", None),
    ]
    first = findings[0]
    assert first == {
        "rule_id": "IAM001",
        "rule_name": "iam-admin-access",
        "title": "Role allows every action",
        "functions": ["api"],
        "attribution": None,  # about a function: nothing to explain
        "category": "permissions",
        "severity": "critical",
        "function": "api",
        "location": {"path": "serverless.yml", "line": 8},
        "message": "the role of api allows every action on every resource",
        "evidence": 'Action: "*"',
        "remediation": "Fix the iam-admin-access problem.",
        "fingerprint": "aaaa000000000001",
        "suppressed": False,
    }
    suppressed = findings[1]
    assert suppressed["suppressed"] is True
    assert suppressed["suppression"] == {"kind": "config", "reason": "worker role is reviewed by the platform team"}


def test_deterministic_except_seconds() -> None:
    a = to_json(make_result(seconds=0.1))
    b = to_json(make_result(seconds=0.9))
    assert a != b
    for doc in (a, b):
        doc["stats"].pop("seconds")
        doc["stats"].pop("stages")
    assert a == b


def test_empty_result() -> None:
    doc = to_json(replace(make_result(findings=()), apps=()))
    validate(doc)
    assert doc["functions"] == [] and doc["findings"] == []


@pytest.mark.usefixtures("fake_loader")
def test_pipeline_output_is_valid_and_stable(app_dir: Path) -> None:
    """Real scan pipeline (rules, suppressions) over the hand-built App: valid and deterministic."""
    docs = [to_json(scan(app_dir, Config(today=SCAN_DATE))) for _ in range(2)]
    for doc in docs:
        validate(doc)
        doc["stats"].pop("seconds")
        doc["stats"].pop("stages")
        doc["stats"].pop("reused")  # the second scan may reuse the first's documents
    assert docs[0] == docs[1]
    assert {f["rule_id"] for f in docs[0]["findings"]} == {"IAM001", "AUTH001", "DOS001", "OBS001"}


def _real_pipeline() -> str | None:
    """Why the real loaders and rules cannot run yet (they are written in parallel), or None."""
    try:
        import fnaudit.loaders.serverless  # noqa: F401
        from fnaudit.rules.registry import all_rules

        all_rules()
    except ImportError as exc:
        return f"real pipeline not importable yet: {exc}"
    return None


def test_end_to_end_on_fixture_app(tmp_path: Path) -> None:
    """The real loaders and rules on fixtures/app: JSON and SARIF are valid, and no secret leaks."""
    reason = _real_pipeline()
    if reason:
        pytest.skip(reason)
    from tests.report.builders import copy_fixture
    from tests.report.test_sarif import to_sarif
    from tests.report.test_sarif import validate as validate_sarif

    result = scan(copy_fixture(tmp_path / "app"), Config(today=SCAN_DATE))
    doc = to_json(result)
    validate(doc)
    validate_sarif(to_sarif(result))
    assert [(f["name"], f["handler"]) for f in doc["functions"]] == [("api", "handler.main"), ("worker", "worker.run")]
    assert doc["functions"][0]["environment"] == ["DB_PASSWORD", "TABLE"]
    assert doc["functions"][1]["reserved_concurrency"] == 5
    assert doc["findings"], "the fixture app has an open route and an admin role"
    for fmt in Format:
        out = io.StringIO()
        render(result, fmt, out)
        assert "hunter2hunter2" not in out.getvalue()
