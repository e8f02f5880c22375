"""The JUnit XML report: one suite per function group, a failing testcase per finding, skipped when suppressed,
errors as <error>, counts that add up, the common testsuites/testsuite/testcase shape."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from fnaudit.errors import ScanError
from fnaudit.pipeline import ScanResult
from fnaudit.report import Format, render
from tests.report.builders import finding, make_result

# What CI tools read (Jenkins/Surefire XSD, GitLab): these attributes and children, nothing else.
SUITES_ATTRS = {"name", "tests", "failures", "errors", "skipped", "time"}
SUITE_ATTRS = {"name", "tests", "failures", "errors", "skipped", "time"}
CASE_ATTRS = {"name", "classname", "file", "line"}


def parse(result: ScanResult) -> ET.Element:
    out = io.StringIO()
    render(result, Format.JUNIT, out)
    text = out.getvalue()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    return ET.fromstring(text)


def test_suites_cases_and_counts() -> None:
    root = parse(make_result(errors=(ScanError("broken.yml", "not valid YAML (line 3)", "load"),)))
    assert root.tag == "testsuites"
    assert {k: v for k, v in root.attrib.items() if k != "time"} == {
        "name": "fnaudit",
        "tests": "6",
        "failures": "4",
        "errors": "1",
        "skipped": "1",
    }
    assert root.get("time") == "0.250"
    suites = root.findall("testsuite")
    assert [(s.get("name"), s.get("tests"), s.get("failures"), s.get("errors"), s.get("skipped")) for s in suites] == [
        ("api (serverless.yml)", "3", "3", "0", "0"),
        ("worker (serverless.yml)", "1", "0", "0", "1"),
        ("serverless.yml (app-level)", "1", "1", "0", "0"),
        ("fnaudit scan errors", "1", "0", "1", "0"),
    ]
    assert set(root.attrib) == SUITES_ATTRS
    for suite in suites:
        assert set(suite.attrib) == SUITE_ATTRS
        for case in suite:
            assert case.tag == "testcase"
            assert set(case.attrib) <= CASE_ATTRS
            assert [c.tag for c in case] in ([], ["failure"], ["skipped"], ["error"])


def test_a_finding_is_a_failure_with_rule_and_severity() -> None:
    root = parse(make_result())
    case = root.findall("testsuite")[0].findall("testcase")[0]
    assert case.attrib == {
        "name": "IAM001 iam-admin-access at serverless.yml:8",
        "classname": "fnaudit.api",
        "file": "serverless.yml",
        "line": "8",
    }
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib == {
        "message": "critical: the role of api allows every action on every resource",
        "type": "IAM001",
    }
    assert (failure.text or "").splitlines() == [
        "severity: critical",
        "rule: IAM001 iam-admin-access (Role allows every action)",
        "location: serverless.yml:8",
        "function: api",
        "message: the role of api allows every action on every resource",
        'evidence: Action: "*"',
        "",
        "Fix the iam-admin-access problem.",
        "fingerprint: aaaa000000000001",
    ]


def test_suppressed_findings_are_skipped_with_the_reason() -> None:
    worker = parse(make_result()).findall("testsuite")[1]
    (case,) = worker.findall("testcase")
    skipped = case.find("skipped")
    assert skipped is not None and case.find("failure") is None
    assert skipped.get("message") == "suppressed (config): worker role is reviewed by the platform team"


def test_scan_errors_are_errors() -> None:
    root = parse(make_result(findings=(), errors=(ScanError("broken.yml", "not valid YAML (line 3)", "load"),)))
    suite = root.findall("testsuite")[-1]
    (case,) = suite.findall("testcase")
    assert case.attrib == {"name": "load: broken.yml", "classname": "fnaudit", "file": "broken.yml"}
    error = case.find("error")
    assert error is not None
    assert error.attrib == {"message": "not valid YAML (line 3)", "type": "load"}


def test_functions_without_findings_pass_and_a_clean_scan_is_not_empty() -> None:
    root = parse(make_result(findings=()))
    assert [(s.get("name"), [c.get("name") for c in s], s.get("failures")) for s in root] == [
        ("api (serverless.yml)", ["no findings"], "0"),
        ("worker (serverless.yml)", ["no findings"], "0"),
    ]
    assert root.get("tests") == "2" and root.get("failures") == "0"


def test_equal_testcase_names_are_numbered() -> None:
    findings = (finding("AUTH001", "api", 18, "first", "f1"), finding("AUTH001", "api", 18, "second", "f2"))
    names = [c.get("name") for c in parse(make_result(findings=findings)).iter("testcase")]
    assert names[:2] == [
        "AUTH001 http-no-authorizer at serverless.yml:18",
        "AUTH001 http-no-authorizer at serverless.yml:18 #2",
    ]
