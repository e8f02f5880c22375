"""Locations of a live-account scan (`fnaudit scan aws:`, issue 19) in the model and every reporter.

A finding about a deployed resource points at its ARN and a configuration key (`Loc(arn, 0, key)`); a finding
in a downloaded code package at `<function ARN>!/<file>` and a line; a repository file as always. The result
below holds one of each, and each format is checked for exactly what it writes for them, and that a file
location is written exactly as before.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from fnaudit.errors import ScanError
from fnaudit.findings import Finding, Merged, Problem, Related, TraceStep
from fnaudit.model.loc import Loc
from fnaudit.pipeline import ScanResult
from fnaudit.report import Format, gitlab, render, sarif
from fnaudit.report import json as json_report
from fnaudit.report.options import RenderOptions
from fnaudit.report.table import shorten_loc
from tests.report.builders import RULE_BY_CODE, finding, make_result

REGION_TARGET = "aws:eu-west-1"
FN_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:orders"
ROLE_ARN = "arn:aws:iam::123456789012:role/service/orders-role"
PACKAGE_FILE = FN_ARN + "!/app.py"
URL_KEY = "FunctionUrlConfig.AuthType"
STATEMENT_KEY = "Policies.orders.Statement[0]"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
NOW = dt.datetime(2026, 12, 6, 3, 0, 0, tzinfo=dt.UTC)


def _deployed(code: str, loc: Loc, message: str, fingerprint: str, **changes: Any) -> Finding:
    """A finding of rule `code` about the deployed function `orders` at `loc`."""
    f = finding(code, "orders", 0, message, fingerprint)
    return replace(f, function_id=f"{REGION_TARGET}#orders", location=loc, **changes)


def account_result() -> ScanResult:
    """Four findings, in the scan's order: a role statement and a function URL (deployed resources, with
    a configuration key), a command injection in the downloaded package, and a file of the repository."""
    statement = Loc(ROLE_ARN, 0, STATEMENT_KEY)
    iam = RULE_BY_CODE["IAM001"]
    admin = _deployed(
        "IAM001",
        statement,
        "the role of orders allows every action on every resource",
        "aaaa000000000001",
        problems=(Problem("IAM001", iam.name, iam.severity, statement, "every action", 'Action: "*"', "Scope it."),),
        merged=(
            Merged("IAM001", iam.name, iam.severity, "aaaa000000000001", statement, "every action"),
            Merged("IAM001", iam.name, iam.severity, "aaaa0000000000ff", statement, "every resource"),
        ),
        related=(Related("AUTH001", "bbbb000000000001", Loc(FN_ARN, 0, URL_KEY), rule_name="x"),),
    )
    url = _deployed("AUTH001", Loc(FN_ARN, 0, URL_KEY), "orders has a public function URL", "bbbb000000000001")
    trace = (TraceStep(Loc(PACKAGE_FILE, 3), "event['body'] read"), TraceStep(Loc(PACKAGE_FILE, 9), "os.system()"))
    code = _deployed("AUTH001", Loc(PACKAGE_FILE, 9), "command injection", "cccc000000000001", trace=trace)
    repo_file = finding("DOS001", "api", 12, "api has no reserved concurrency", "dddd000000000001")
    return make_result(findings=(admin, url, code, repo_file), target=REGION_TARGET)


def rendered(result: ScanResult, fmt: Format, **options: Any) -> str:
    out = io.StringIO()
    render(result, fmt, out, RenderOptions(**options))
    return out.getvalue()


# --- the model ------------------------------------------------------------------------------------------


def test_a_file_location_prints_and_compares_as_before() -> None:
    assert str(Loc("a.py", 3)) == "a.py:3"
    assert str(Loc("a.py")) == "a.py"
    assert Loc("a.py", 3) == Loc("a.py", 3, "")
    assert Loc("a.py", 3).key == ""
    assert not Loc("a.py", 3).is_resource
    assert sorted([Loc("b.py", 1), Loc("a.py", 9), Loc("a.py", 2)]) == [Loc("a.py", 2), Loc("a.py", 9), Loc("b.py", 1)]


def test_a_resource_location_prints_its_key_where_the_line_would_be() -> None:
    assert str(Loc(FN_ARN, 0, "Environment.Variables.DB_PASSWORD")) == (
        "arn:aws:lambda:eu-west-1:123456789012:function:orders Environment.Variables.DB_PASSWORD"
    )
    assert str(Loc(FN_ARN)) == FN_ARN  # the resource as a whole
    assert str(Loc(PACKAGE_FILE, 9)) == "arn:aws:lambda:eu-west-1:123456789012:function:orders!/app.py:9"
    assert str(Loc(FN_ARN, 4, "AuthType")) == f"{FN_ARN}:4"  # a line, when there is one, is the usual path:line


def test_is_resource_is_an_arn_that_is_not_a_file_in_a_package() -> None:
    assert Loc(FN_ARN, 0, URL_KEY).is_resource
    assert Loc(ROLE_ARN).is_resource
    assert not Loc(PACKAGE_FILE, 9).is_resource
    assert not Loc("arn.yml", 1).is_resource
    assert not Loc("templates/arn:odd.yml", 1).is_resource


# --- JSON -----------------------------------------------------------------------------------------------


def test_json_writes_the_key_only_where_there_is_one() -> None:
    doc = json.loads(rendered(account_result(), Format.JSON))
    admin, url, code, repo_file = doc["findings"]
    statement = {"path": ROLE_ARN, "line": 0, "key": STATEMENT_KEY}
    assert admin["location"] == statement
    assert admin["problems"][0]["location"] == statement
    assert [m["location"] for m in admin["merged"]] == [statement, statement]
    assert admin["related"][0]["location"] == {"path": FN_ARN, "line": 0, "key": URL_KEY}
    assert url["location"] == {"path": FN_ARN, "line": 0, "key": URL_KEY}
    assert code["location"] == {"path": PACKAGE_FILE, "line": 9}
    assert code["trace"] == [
        {"path": PACKAGE_FILE, "line": 3, "note": "event['body'] read"},
        {"path": PACKAGE_FILE, "line": 9, "note": "os.system()"},
    ]
    assert repo_file["location"] == {"path": "serverless.yml", "line": 12}
    schema = json.loads(resources.files("fnaudit").joinpath("schema/findings-v1.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)


def test_json_of_a_file_location_is_byte_for_byte_as_before() -> None:
    assert json_report._loc(Loc("a.py", 3)) == {"path": "a.py", "line": 3}
    assert json_report.dumps(json_report._loc(Loc("a.py", 3))) == '{\n  "path": "a.py",\n  "line": 3\n}'
    trace = (TraceStep(Loc("a.py", 3), "read"),)
    f = replace(finding("AUTH001", "api", 3, "m", "f1"), location=Loc("a.py", 3), trace=trace)
    assert '"location": {\n        "path": "a.py",\n        "line": 3\n      },' in rendered(
        make_result(findings=(f,)), Format.JSON
    )
    assert json.loads(rendered(make_result(findings=(f,)), Format.JSON))["findings"][0]["trace"] == [
        {"path": "a.py", "line": 3, "note": "read"}
    ]


def test_the_schema_documents_the_key_as_an_optional_non_empty_string() -> None:
    schema = json.loads(resources.files("fnaudit").joinpath("schema/findings-v1.json").read_text(encoding="utf-8"))
    location = schema["$defs"]["location"]
    assert location["required"] == ["path", "line"]
    assert location["properties"]["key"]["type"] == "string"
    doc = json.loads(rendered(account_result(), Format.JSON))
    doc["findings"][1]["location"]["key"] = ""
    validator = jsonschema.Draft202012Validator(schema)
    assert not validator.is_valid(doc)  # an empty key is left out, never written


# --- SARIF ----------------------------------------------------------------------------------------------


def test_sarif_gives_a_resource_a_logical_location_and_a_package_file_a_physical_one() -> None:
    doc = json.loads(rendered(account_result(), Format.SARIF))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    run = doc["runs"][0]
    admin, url, code, repo_file = run["results"]
    assert admin["locations"] == [
        {
            "logicalLocations": [
                {"name": STATEMENT_KEY, "fullyQualifiedName": f"{ROLE_ARN}/{STATEMENT_KEY}", "kind": "resource"}
            ]
        }
    ]
    assert admin["relatedLocations"] == [
        {
            "id": 1,
            "logicalLocations": [{"name": URL_KEY, "fullyQualifiedName": f"{FN_ARN}/{URL_KEY}", "kind": "resource"}],
            "message": {"text": "foothold: AUTH001 (fingerprint bbbb000000000001)"},
        }
    ]
    assert admin["properties"]["problems"][0]["location"] == {"path": ROLE_ARN, "line": 0, "key": STATEMENT_KEY}
    assert admin["partialFingerprints"] == {"fnaudit/v1": "aaaa000000000001"}
    assert url["locations"] == [
        {"logicalLocations": [{"name": URL_KEY, "fullyQualifiedName": f"{FN_ARN}/{URL_KEY}", "kind": "resource"}]}
    ]
    package_uri = {
        "uri": "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Aorders%21/app.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert code["locations"] == [{"physicalLocation": {"artifactLocation": package_uri, "region": {"startLine": 9}}}]
    steps = code["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["physicalLocation"] for s in steps] == [
        {"artifactLocation": package_uri, "region": {"startLine": 3}},
        {"artifactLocation": package_uri, "region": {"startLine": 9}},
    ]
    assert repo_file["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "serverless.yml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 12},
            }
        }
    ]
    # an account has no folder: %SRCROOT% is only described, never a file URI made up from "aws:eu-west-1"
    described = "files of the code packages deployed in aws:eu-west-1, as <function ARN>!/<path>"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"description": {"text": described}}}


def test_sarif_names_the_resource_itself_when_there_is_no_key() -> None:
    f = _deployed("DOS001", Loc(ROLE_ARN), "orders-role is shared", "eeee000000000001")
    errors = (ScanError(FN_ARN, "AccessDenied: lambda:GetPolicy", "account"),)
    doc = sarif.document(make_result(findings=(f,), errors=errors, target="aws:*"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    run = doc["runs"][0]
    assert run["results"][0]["locations"] == [
        {"logicalLocations": [{"name": "orders-role", "fullyQualifiedName": ROLE_ARN, "kind": "resource"}]}
    ]
    assert run["invocations"][0]["toolExecutionNotifications"][0]["locations"] == [
        {"logicalLocations": [{"name": "orders", "fullyQualifiedName": FN_ARN, "kind": "resource"}]}
    ]
    assert run["originalUriBaseIds"]["%SRCROOT%"] == {
        "description": {"text": "files of the code packages deployed in aws:*, as <function ARN>!/<path>"}
    }
    assert sarif.resource_name("arn:aws:apigateway:eu-west-1::/restapis/a1b2c3") == "a1b2c3"
    assert sarif.resource_name("arn:aws:sqs:eu-west-1:123456789012:jobs") == "jobs"
    assert sarif.resource_name("arn:aws:s3:::") == "arn:aws:s3:::"


def test_sarif_of_file_locations_is_unchanged(tmp_path: Path) -> None:
    f = finding("AUTH001", "api", 18, "open", "f1")
    errors = (ScanError("pyproject.toml:3", "ignore expired", "config"),)
    run = sarif.document(make_result(findings=(f,), errors=errors, target=str(tmp_path)))["runs"][0]
    assert run["results"][0]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "serverless.yml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 18},
            }
        }
    ]
    assert run["invocations"][0]["toolExecutionNotifications"][0]["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "pyproject.toml%3A3", "uriBaseId": "%SRCROOT%"}}}
    ]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.resolve().as_uri() + "/"}}


# --- the terminal table, Markdown, HTML, JUnit, GitLab --------------------------------------------------


def test_table_shows_the_key_where_the_line_would_go() -> None:
    lines = rendered(account_result(), Format.TABLE).splitlines()
    # the rule column is as wide as "DOS001 no-reserved-concurrency", the widest of all the rows
    assert lines[:10] == [
        "orders",
        "  critical  IAM001 iam-admin-access         "
        "arn:aws:iam::123456789012:role/service/orders-role Policies.orders.Statement[0]",
        "      the role of orders allows every action on every resource",
        "      foothold: AUTH001 x at arn:aws:lambda:eu-west-1:123456789012:function:orders FunctionUrlConfig.AuthType",
        "      merged: IAM001 iam-admin-access, IAM001 iam-admin-access",
        "  high      AUTH001 http-no-authorizer      "
        "arn:aws:lambda:eu-west-1:123456789012:function:orders FunctionUrlConfig.AuthType",
        "      orders has a public function URL",
        "  high      AUTH001 http-no-authorizer      arn:aws:lambda:eu-west-1:123456789012:function:orders!/app.py:9",
        "      command injection",
        "",
    ]
    assert lines[10:13] == [
        "api (serverless.yml)",
        "  low       DOS001 no-reserved-concurrency  serverless.yml:12",
        "      api has no reserved concurrency",
    ]


def test_a_narrow_table_shortens_the_arn_never_the_key() -> None:
    url = account_result().findings[1]
    header = rendered(make_result(findings=(url,), target=REGION_TARGET), Format.TABLE, width=80).splitlines()[1]
    assert header == "  high      AUTH001 http-no-authorizer  …:orders FunctionUrlConfig.AuthType"
    assert len(header) <= 80
    assert shorten_loc(Loc(FN_ARN, 0, URL_KEY), 35) == "…:orders FunctionUrlConfig.AuthType"
    assert shorten_loc(Loc(PACKAGE_FILE, 9), 30) == "…:function:orders!/app.py:9"
    assert shorten_loc(Loc(ROLE_ARN, 0, STATEMENT_KEY), 45) == "…/orders-role Policies.orders.Statement[0]"
    assert shorten_loc(Loc(FN_ARN, 0, URL_KEY), 20) == "…nUrlConfig.AuthType"  # only the key's end fits
    # a file: exactly what shorten_path gives
    path = "services/orders/src/handlers/create_order_handler.py"
    assert shorten_loc(Loc(path, 123), 30) == "…/create_order_handler.py:123"


def test_markdown_html_and_junit_show_the_key() -> None:
    result = account_result()
    markdown = rendered(result, Format.MARKDOWN)
    assert f"<code>{FN_ARN} {URL_KEY}</code> — orders has a public function URL" in markdown
    assert f"<code>{PACKAGE_FILE}:9</code> — command injection" in markdown
    assert "<code>serverless.yml:12</code> — api has no reserved concurrency" in markdown
    html = rendered(result, Format.HTML)
    assert f'<span class="loc"><code>{FN_ARN} {URL_KEY}</code></span>' in html
    assert f'<span class="loc"><code>{PACKAGE_FILE}:9</code></span>' in html
    root = ET.fromstring(rendered(result, Format.JUNIT))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    url = cases[f"AUTH001 http-no-authorizer at {FN_ARN} {URL_KEY}"]
    assert (url.get("file"), url.get("line")) == (FN_ARN, None)
    assert f"location: {FN_ARN} {URL_KEY}\n" in (url.findtext("failure") or "")
    code = cases[f"AUTH001 http-no-authorizer at {PACKAGE_FILE}:9"]
    assert (code.get("file"), code.get("line")) == (PACKAGE_FILE, "9")
    repo_file = cases["DOS001 no-reserved-concurrency at serverless.yml:12"]
    assert (repo_file.get("file"), repo_file.get("line")) == ("serverless.yml", "12")


def test_gitlab_names_the_arn_as_file_and_the_key_in_the_description() -> None:
    vulns = gitlab.document(account_result(), now=NOW)["vulnerabilities"]
    admin, url, code, repo_file = vulns
    assert url["location"] == {"file": FN_ARN, "method": "orders"}
    assert url["description"] == "orders has a public function URL\n\nConfiguration key: FunctionUrlConfig.AuthType"
    assert url["id"] == str(uuid.uuid5(gitlab._ID_NAMESPACE, "AUTH001:bbbb000000000001"))
    assert admin["location"] == {"file": ROLE_ARN, "method": "orders"}
    assert admin["description"] == (
        "the role of orders allows every action on every resource\n\nConfiguration key: Policies.orders.Statement[0]"
    )
    assert code["location"] == {"file": PACKAGE_FILE, "start_line": 9, "method": "orders"}
    assert code["description"] == "command injection"
    assert repo_file["location"] == {"file": "serverless.yml", "start_line": 12, "method": "api"}
    assert repo_file["description"] == "api has no reserved concurrency"


# --- untrusted text -------------------------------------------------------------------------------------


def test_a_key_is_cleaned_like_a_path_in_every_format() -> None:
    evil_key = "Environment.Variables.\x1b[2JX\u202e"
    shown = "Environment.Variables.\\x1b[2JX\\u202e"
    f = _deployed("AUTH001", Loc(FN_ARN, 0, evil_key), "m", "ffff000000000001")
    f = replace(f, trace=(TraceStep(Loc(FN_ARN, 0, evil_key), "set"),))
    result = make_result(findings=(f,), target=REGION_TARGET)
    for fmt in Format:
        text = rendered(result, fmt)
        assert "\x1b" not in text and "\u202e" not in text, fmt
    doc = json.loads(rendered(result, Format.JSON))
    assert doc["findings"][0]["location"] == {"path": FN_ARN, "line": 0, "key": shown}
    assert doc["findings"][0]["trace"][0]["key"] == shown
    assert f"{FN_ARN} {shown}" in rendered(result, Format.TABLE)
