"""The SARIF report: valid SARIF 2.1.0, rules[] from the registry, fingerprints, suppressions."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from fnaudit.config import Config
from fnaudit.errors import Loss, ScanError
from fnaudit.pipeline import ScanResult, scan
from fnaudit.report import Format, render
from tests.report.builders import RULES, SCAN_DATE, make_result

SARIF_SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def to_sarif(result: ScanResult) -> dict[str, Any]:
    out = io.StringIO()
    render(result, Format.SARIF, out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def validate(doc: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)


def test_valid_against_sarif_schema() -> None:
    errors = (
        ScanError("broken.yml", "not valid YAML", "load"),
        ScanError("pyproject.toml:3", "ignore expired", "config"),
    )
    doc = to_sarif(make_result(errors=errors))
    validate(doc)
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1


def test_rules_describe_every_rule_that_ran() -> None:
    driver = to_sarif(make_result())["runs"][0]["tool"]["driver"]
    assert driver["name"] == "fnaudit"
    assert [r["id"] for r in driver["rules"]] == [r.code for r in RULES]
    iam = driver["rules"][2]
    assert iam["name"] == "iam-admin-access"
    assert iam["shortDescription"] == {"text": "Role allows every action"}
    assert iam["fullDescription"] == {"text": "Role allows every action."}
    assert iam["help"]["markdown"].startswith("## What it finds")
    assert iam["help"]["text"] == iam["help"]["markdown"]
    assert "external/cwe/cwe-269" in iam["properties"]["tags"]
    assert "permissions" in iam["properties"]["tags"]
    assert iam["properties"]["security-severity"] == "9.5"
    assert iam["properties"]["precision"] == "high"
    assert [r["properties"]["security-severity"] for r in driver["rules"]] == ["8.0", "3.0", "9.5", "0.0"]


def test_rules_listed_even_without_findings() -> None:
    doc = to_sarif(make_result(findings=()))
    validate(doc)
    assert len(doc["runs"][0]["tool"]["driver"]["rules"]) == len(RULES)
    assert doc["runs"][0]["results"] == []


def test_results() -> None:
    run = to_sarif(make_result())["runs"][0]
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("IAM001", "error"),
        ("IAM001", "error"),
        ("AUTH001", "error"),
        ("DOS001", "note"),
        ("OBS001", "note"),
    ]
    first = results[0]
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "IAM001"
    assert first["message"] == {"text": "the role of api allows every action on every resource"}
    assert first["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "serverless.yml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 8},
            }
        }
    ]
    assert first["partialFingerprints"] == {"fnaudit/v1": "aaaa000000000001"}
    assert first["properties"]["function"] == "api"
    assert first["properties"]["severity"] == "critical"
    assert "%SRCROOT%" in run["originalUriBaseIds"]


def test_suppressions() -> None:
    results = to_sarif(make_result())["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert len(suppressed) == 1
    assert suppressed[0]["suppressions"] == [
        {"kind": "external", "justification": "worker role is reviewed by the platform team"}
    ]
    inline = replace(
        make_result().findings[0],
        suppression=replace(make_result().findings[1].suppression, kind="inline", reason="accepted"),
    )  # type: ignore[type-var]
    doc = to_sarif(make_result(findings=(inline,)))
    validate(doc)
    assert doc["runs"][0]["results"][0]["suppressions"] == [{"kind": "inSource", "justification": "accepted"}]


def test_no_region_for_unknown_line() -> None:
    f = replace(make_result().findings[0], location=replace(make_result().findings[0].location, line=0))
    doc = to_sarif(make_result(findings=(f,)))
    validate(doc)
    assert "region" not in doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]


def test_errors_become_notifications() -> None:
    doc = to_sarif(make_result(errors=(ScanError("broken.yml", "not valid YAML", "load", Loss.APP),)))
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"] == {"text": "not valid YAML"}
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.yml"


@pytest.mark.parametrize(
    ("loss", "level"),
    [
        (Loss.APP, "error"),
        (Loss.FUNCTION, "error"),
        (Loss.PARTIAL, "warning"),
        (Loss.NONE, "note"),
    ],
)
def test_an_errors_level_says_what_it_cost(loss: Loss, level: str) -> None:
    doc = to_sarif(make_result(errors=(ScanError("x.py", "problem", "code", loss),)))
    validate(doc)
    (note,) = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == level


def test_deterministic() -> None:
    assert to_sarif(make_result(seconds=0.1)) == to_sarif(make_result(seconds=0.7))


def test_no_secret_values() -> None:
    out = io.StringIO()
    render(make_result(), Format.SARIF, out)
    assert "hunter2" not in out.getvalue()


@pytest.mark.usefixtures("fake_loader")
def test_pipeline_output_is_valid(app_dir: Path) -> None:
    doc = to_sarif(scan(app_dir, Config(today=SCAN_DATE)))
    validate(doc)
    assert doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == app_dir.resolve().as_uri() + "/"


def test_code_flows_from_trace() -> None:
    from fnaudit.findings import TraceStep
    from fnaudit.model.loc import Loc
    from tests.report.builders import sample_findings

    first, *rest = sample_findings()
    traced = replace(
        first,
        trace=(
            TraceStep(Loc("handler.py", 3), "event['body'] read"),
            TraceStep(Loc("handler.py", 5), "concatenated into query"),
            TraceStep(Loc("handler.py", 9), "reaches cursor.execute()"),
        ),
    )
    doc = to_sarif(make_result(findings=(traced, *rest)))
    validate(doc)
    results = doc["runs"][0]["results"]
    [flow] = results[0]["codeFlows"]
    steps = flow["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in steps] == [
        "event['body'] read",
        "concatenated into query",
        "reaches cursor.execute()",
    ]
    assert steps[0]["location"]["physicalLocation"]["region"] == {"startLine": 3}
    assert [s["kinds"] for s in steps] == [["source"], ["pass-through"], ["sink"]]
    assert all("codeFlows" not in r for r in results[1:])


def test_example_app_sarif_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "shop-api"
    doc = to_sarif(scan(example, Config(today=SCAN_DATE)))
    validate(doc)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(r["help"]["markdown"] and "security-severity" in r["properties"] for r in rules)
    assert all(any(t.startswith("external/cwe/") for t in r["properties"]["tags"]) for r in rules)
    assert all("partialFingerprints" in r for r in doc["runs"][0]["results"])
