"""The GitLab SAST report (schema 15.x): scan block, one vulnerability per unsuppressed finding, identifiers."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import replace
from typing import Any

from fnaudit import __version__
from fnaudit.errors import ScanError
from fnaudit.pipeline import ScanResult
from fnaudit.report import gitlab
from tests.report.builders import finding, make_result

NOW = dt.datetime(2026, 11, 29, 12, 0, 5, 123456, tzinfo=dt.UTC)
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")  # the schema's pattern for scan times
SEVERITIES = {"Info", "Unknown", "Low", "Medium", "High", "Critical"}


def doc(result: ScanResult | None = None) -> dict[str, Any]:
    return gitlab.document(result or make_result(), now=NOW)


def test_scan_block() -> None:
    d = doc(replace(make_result(), stats=replace(make_result().stats, seconds=3.4)))
    assert d["version"] == "15.0.7"
    assert d["schema"].endswith("/v15.0.7/dist/sast-report-format.json")
    tool = {"id": "fnaudit", "name": "fnaudit", "version": __version__, "vendor": {"name": "fnaudit"}}
    assert d["scan"] == {
        "analyzer": tool,
        "scanner": {**tool, "url": "https://github.com/fnaudit/fnaudit"},
        "type": "sast",
        "start_time": "2026-11-29T12:00:02",
        "end_time": "2026-11-29T12:00:05",
        "status": "success",
    }
    assert TIME.match(d["scan"]["start_time"]) and TIME.match(d["scan"]["end_time"])


def test_one_vulnerability_per_unsuppressed_finding() -> None:
    vulns = doc()["vulnerabilities"]
    assert [(v["identifiers"][0]["value"], v["severity"], v["location"]) for v in vulns] == [
        ("IAM001", "Critical", {"file": "serverless.yml", "start_line": 8, "method": "api"}),
        ("AUTH001", "High", {"file": "serverless.yml", "start_line": 18, "method": "api"}),
        ("DOS001", "Low", {"file": "serverless.yml", "start_line": 12, "method": "api"}),
        ("OBS001", "Info", {"file": "serverless.yml", "start_line": 1}),
    ]  # the worker's IAM001 is suppressed: GitLab would show it as a new vulnerability
    first = vulns[0]
    assert first == {
        "id": str(uuid.uuid5(gitlab._ID_NAMESPACE, "IAM001:aaaa000000000001")),
        "category": "sast",
        "name": "Role allows every action",
        "description": 'the role of api allows every action on every resource\n\nEvidence: Action: "*"',
        "severity": "Critical",
        "location": {"file": "serverless.yml", "start_line": 8, "method": "api"},
        "identifiers": [
            {"type": "fnaudit_rule", "name": "IAM001 iam-admin-access", "value": "IAM001"},
            {
                "type": "cwe",
                "name": "CWE-269",
                "value": "269",
                "url": "https://cwe.mitre.org/data/definitions/269.html",
            },
        ],
        "solution": "Fix the iam-admin-access problem.",
    }
    for v in vulns:
        assert v["severity"] in SEVERITIES
        assert 1 <= len(v["name"]) <= 255
        assert all(i["type"] and i["name"] and i["value"] for i in v["identifiers"])


def test_ids_are_stable_and_unique() -> None:
    assert [v["id"] for v in doc()["vulnerabilities"]] == [v["id"] for v in doc()["vulnerabilities"]]
    twins = (finding("AUTH001", "api", 18, "one", "same"), finding("AUTH001", "api", 30, "two", "same"))
    ids = [v["id"] for v in doc(make_result(findings=twins))["vulnerabilities"]]
    assert len(set(ids)) == 2


def test_scan_errors_are_messages() -> None:
    d = doc(make_result(errors=(ScanError("broken.yml", "not valid YAML (line 3)", "load"),)))
    assert d["scan"]["messages"] == [{"level": "warn", "value": "load: broken.yml: not valid YAML (line 3)"}]
    assert d["scan"]["status"] == "success"  # the rest of the app was analysed


def test_long_fields_are_cut_to_the_schema_limits() -> None:
    long = replace(finding("AUTH001", "api", 18, "m", "f1"), title="t" * 300, remediation="r" * 8000)
    (v,) = doc(make_result(findings=(long,)))["vulnerabilities"]
    assert len(v["name"]) == 255 and v["name"].endswith("…")
    assert len(v["solution"]) == 7000
