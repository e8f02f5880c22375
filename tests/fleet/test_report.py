"""The fleet reports (`fnaudit.fleet.report`) on hand-built `FleetView`s: exact table rows, the exact JSON of a
small view and its validation against schema/fleet-v1.json, SARIF valid against the vendored 2.1.0 schema with
the target in each location, and a hostile target name escaped everywhere. The browser checks of the HTML page
are in test_report_browser.py."""

from __future__ import annotations

import io
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from fnaudit import __version__
from fnaudit.fleet.model import (
    FindingRecord,
    FleetDiff,
    FleetFinding,
    FleetView,
    FunctionRecord,
    RiskyFunction,
    RunInfo,
    Status,
    TargetState,
    TrendPoint,
)
from fnaudit.fleet.report import render, render_diff
from fnaudit.fleet.report.charts import risk_bins, trend

SARIF_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "report" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
RUN1 = RunInfo(1, "2026-12-01T10:00:00Z", "2026-12-01T10:05:00Z", 3, 0)
RUN2 = RunInfo(2, "2026-12-02T10:00:00Z", "2026-12-02T10:04:00Z", 3, 1)
HOSTILE = '<script>alert("x")</script>&evil\u202e[red]'


def _f(
    target: str,
    rule: str,
    sev: str,
    cat: str,
    fn: str | None,
    path: str,
    line: int,
    msg: str,
    fp: str,
    first: int,
    last: int,
    fixed: int | None = None,
    key: str = "",
) -> FleetFinding:
    return FleetFinding(target, FindingRecord(fp, rule, sev, cat, fn, path, line, msg, key=key), first, last, fixed)


NEW_IAM = _f(
    "shop-api", "IAM001", "critical", "iam", "adminReport", "template.yaml", 42, "Role grants s3:* on *", "fp-iam", 2, 2
)
NEW_PATH = _f(
    "shop-api",
    "PATH001",
    "high",
    "attack-path",
    "getOrder",
    "src/get.py",
    7,
    "Public URL reaches DynamoDB scan",
    "fp-path",
    2,
    2,
)
FIXED_CODE = _f(
    "billing",
    "CODE003",
    "medium",
    "injection",
    "charge",
    "handler.py",
    12,
    "SQL built from the event",
    "fp-code",
    1,
    1,
    fixed=2,
)
OLD_SECRET = _f(
    "billing", "SEC001", "high", "secrets", None, "config.yml", 3, "A hard-coded key sk_l…(45 chars)", "fp-sec", 1, 2
)
HOSTILE_FINDING = _f(
    HOSTILE, "CODE001", "low", "injection", "h", "a.py", 1, "<img src=x onerror=alert(1)>", "fp-h", 2, 2
)
AWS_FINDING = _f(
    "prod-account",
    "ENV001",
    "high",
    "secrets",
    "orders",
    "arn:aws:lambda:eu-west-1:123456789012:function:orders",
    0,
    "A secret in an environment variable",
    "fp-aws",
    2,
    2,
    key="Environment.Variables.DB_PASSWORD",
)


def fleet_view(hostile: bool = False) -> FleetView:
    """Three targets (one failed), two new findings, one fixed, one attack path; `hostile` adds a fourth target
    whose name and message are markup and a bidi override."""
    shop = FunctionRecord("adminReport", "template.yaml", 64.2, 80.0, "python3.12", public=True)
    charge = FunctionRecord("charge", "serverless.yml", 12.5, 30.0, "nodejs20.x")
    targets: tuple[TargetState, ...] = (
        TargetState("shop-api", Status.OK, 2, 64.2, (("critical", 1), ("high", 1)), 2),
        TargetState("billing", Status.OK, 2, 12.5, (("high", 1),), 1),
        TargetState("legacy", Status.FAILED, 2, 0.0, (), 0, error="git clone failed: repository not found"),
    )
    extra: tuple[FleetFinding, ...] = ()
    if hostile:
        targets += (TargetState(HOSTILE, Status.OK, 2, 3.0, (("low", 1),), 1),)
        extra = (HOSTILE_FINDING,)
    return FleetView(
        latest_run=RUN2,
        since_run=RUN1,
        targets=targets,
        total_findings=3 + len(extra),
        new=(NEW_IAM, NEW_PATH, *extra),
        fixed=(FIXED_CODE,),
        riskiest=(RiskyFunction("shop-api", shop, 2), RiskyFunction("billing", charge, 1)),
        trend=(TrendPoint(1, RUN1.started_at, 2, 0, 2), TrendPoint(2, RUN2.started_at, 2, 1, 3)),
        by_family=(("IAM", 1), ("PATH", 1), ("SEC", 1)),
        by_rule=(("IAM001", 1), ("PATH001", 1), ("SEC001", 1)),
        attack_paths=(NEW_PATH,),
        runs=(RUN1, RUN2),
        active=(NEW_IAM, NEW_PATH, OLD_SECRET, *extra),
    )


def _render(view: FleetView, fmt: str) -> str:
    out = io.StringIO()
    render(view, fmt, out)
    return out.getvalue()


def _schema() -> dict[str, Any]:
    text = resources.files("fnaudit").joinpath("schema/fleet-v1.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


# --- table ------------------------------------------------------------------------------------------------


def test_table_summary_targets_and_findings_rows() -> None:
    lines = _render(fleet_view(), "table").splitlines()
    assert lines[0] == (
        "Fleet run #2 (started 2026-12-02T10:00:00Z, finished 2026-12-02T10:04:00Z) · 3 targets, 1 failed"
        " · 3 active findings · 2 new and 1 fixed since run #1"
    )
    assert "Target     Status   Risk   Critical   High   Medium   Low   Info   Total" in lines
    assert "shop-api   ok       64.2          1      1        0     0      0       2" in lines
    assert "legacy     failed      0          0      0        0     0      0       0" in lines
    assert "  legacy failed: git clone failed: repository not found" in lines
    assert "shop-api   adminReport   template.yaml    64.2             80          2   yes" in lines
    new = lines.index("New since run #1 (2)")
    assert lines[new + 3] == (
        "critical   IAM001    shop-api   template.yaml:42   adminReport   run #2       Role grants s3:* on *"
    )
    fixed = lines.index("Fixed since run #1 (1)")
    assert (
        lines[fixed + 3]
        == "medium     CODE003   billing   handler.py:12   charge     run #1       SQL built from the event"
    )
    paths = lines.index("Attack paths (1)")
    assert lines[paths + 3].startswith("high       PATH001   shop-api   src/get.py:7   getOrder")
    assert all(line == line.rstrip() for line in lines)


def test_table_of_an_empty_history_and_a_first_run() -> None:
    empty = FleetView(None, None, (), 0, (), (), (), (), (), (), ())
    assert _render(empty, "table") == "Fleet: no run in the history yet\n"
    first = FleetView(RUN1, None, (), 0, (), (), (), (), (), (), ())
    assert _render(first, "table").splitlines()[0].endswith("· 0 active findings · 0 new and 0 fixed in the first run")


def test_table_diff_lists_new_then_fixed() -> None:
    out = io.StringIO()
    render_diff(FleetDiff(RUN1, RUN2, (NEW_IAM,), (FIXED_CODE,)), "table", out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Run #1 (2026-12-01T10:00:00Z) → run #2 (2026-12-02T10:00:00Z): 1 new, 1 fixed"
    assert lines[2] == "New in run #2 (1)"
    assert (
        lines[5] == "critical   IAM001   shop-api   template.yaml:42   adminReport   run #2       Role grants s3:* on *"
    )
    assert lines[7] == "Fixed in run #2 (1)"


def test_table_resource_location_and_hostile_text_is_plain() -> None:
    view = fleet_view(hostile=True)
    view = FleetView(view.latest_run, view.since_run, view.targets, 5, (*view.new, AWS_FINDING), (), (), (), (), (), ())
    out = io.StringIO()
    render(view, "table", out, color=True)
    text = out.getvalue()
    # markup in a target name is printed, never interpreted; the bidi override is shown as its escape
    assert '<script>alert("x")</script>&evil\\u202e[red]' in text
    assert "\u202e" not in text
    assert "arn:aws:lambda:eu-west-1:123456789012:function:orders Environment.Variables.DB_PASSWORD" in text
    assert "\x1b[" in text  # color was asked for


def test_unknown_formats_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown fleet report format 'xml'"):
        render(fleet_view(), "xml", io.StringIO())
    with pytest.raises(ValueError, match="unknown fleet diff format 'html'"):
        render_diff(FleetDiff(RUN1, RUN2, (), ()), "html", io.StringIO())


# --- JSON -------------------------------------------------------------------------------------------------


def _finding_doc(target: str, rule: str, fp: str, first: int, last: int, fixed: int | None = None) -> dict[str, Any]:
    return {
        "target": target,
        "rule": rule,
        "fingerprint": fp,
        "first_seen_run": first,
        "last_seen_run": last,
        "fixed_in_run": fixed,
    }


def test_json_of_a_small_view_is_exact() -> None:
    fn = FunctionRecord("getOrder", "template.yaml", 40.5, 20.0)
    view = FleetView(
        latest_run=RUN2,
        since_run=RUN1,
        targets=(TargetState("shop-api", Status.OK, 2, 40.5, (("high", 1),), 1),),
        total_findings=1,
        new=(NEW_PATH,),
        fixed=(),
        riskiest=(RiskyFunction("shop-api", fn, 1),),
        trend=(TrendPoint(2, RUN2.started_at, 1, 0, 1),),
        by_family=(("PATH", 1),),
        by_rule=(("PATH001", 1),),
        attack_paths=(NEW_PATH,),
    )
    path_doc = {
        "target": "shop-api",
        "rule": "PATH001",
        "severity": "high",
        "category": "attack-path",
        "function": "getOrder",
        "location": {"path": "src/get.py", "line": 7, "key": ""},
        "message": "Public URL reaches DynamoDB scan",
        "fingerprint": "fp-path",
        "suppressed": False,
        "first_seen_run": 2,
        "last_seen_run": 2,
        "fixed_in_run": None,
    }
    run1 = {
        "id": 1,
        "started_at": "2026-12-01T10:00:00Z",
        "finished_at": "2026-12-01T10:05:00Z",
        "targets": 3,
        "failed": 0,
    }
    run2 = {
        "id": 2,
        "started_at": "2026-12-02T10:00:00Z",
        "finished_at": "2026-12-02T10:04:00Z",
        "targets": 3,
        "failed": 1,
    }
    assert json.loads(_render(view, "json")) == {
        "schema": "fnaudit/fleet/v1",
        "tool": {"name": "fnaudit", "version": __version__},
        "latest_run": run2,
        "since_run": run1,
        "total_findings": 1,
        "targets": [
            {
                "name": "shop-api",
                "status": "ok",
                "run_id": 2,
                "risk": 40.5,
                "counts": {"high": 1},
                "total": 1,
                "error": None,
            }
        ],
        "new": [path_doc],
        "fixed": [],
        "riskiest": [
            {
                "target": "shop-api",
                "function": "getOrder",
                "app": "template.yaml",
                "risk": 40.5,
                "blast_radius": 20.0,
                "runtime": None,
                "public": False,
                "findings": 1,
            }
        ],
        "trend": [{"run_id": 2, "started_at": "2026-12-02T10:00:00Z", "new": 1, "fixed": 0, "active": 1}],
        "by_family": [{"family": "PATH", "findings": 1}],
        "by_rule": [{"rule": "PATH001", "findings": 1}],
        "attack_paths": [path_doc],
        "runs": [],
    }


def test_json_report_and_diff_are_valid_against_the_schema() -> None:
    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    doc = json.loads(_render(fleet_view(hostile=True), "json"))
    validator.validate(doc)
    assert [(t["name"], t["status"], t["error"]) for t in doc["targets"]][:3] == [
        ("shop-api", "ok", None),
        ("billing", "ok", None),
        ("legacy", "failed", "git clone failed: repository not found"),
    ]
    assert [
        _finding_doc(
            f["target"], f["rule"], f["fingerprint"], f["first_seen_run"], f["last_seen_run"], f["fixed_in_run"]
        )
        for f in doc["fixed"]
    ] == [_finding_doc("billing", "CODE003", "fp-code", 1, 1, 2)]
    assert doc["new"][2]["target"] == '<script>alert("x")</script>&evil\\u202e[red]'  # cleaned, not dropped
    validator.validate(json.loads(_render(FleetView(None, None, (), 0, (), (), (), (), (), (), ()), "json")))

    out = io.StringIO()
    render_diff(FleetDiff(RUN1, RUN2, (NEW_IAM, AWS_FINDING), (FIXED_CODE,)), "json", out)
    diff = json.loads(out.getvalue())
    validator.validate(diff)
    assert diff["schema"] == "fnaudit/fleet-diff/v1"
    assert [(f["rule"], f["location"]) for f in diff["new"]] == [
        ("IAM001", {"path": "template.yaml", "line": 42, "key": ""}),
        (
            "ENV001",
            {
                "path": "arn:aws:lambda:eu-west-1:123456789012:function:orders",
                "line": 0,
                "key": "Environment.Variables.DB_PASSWORD",
            },
        ),
    ]
    assert [f["fixed_in_run"] for f in diff["fixed"]] == [2]


def test_schema_refuses_a_report_missing_total_findings() -> None:
    doc = json.loads(_render(fleet_view(), "json"))
    del doc["total_findings"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(_schema()).validate(doc)


# --- SARIF ------------------------------------------------------------------------------------------------


def test_sarif_is_valid_and_locates_each_result_in_its_target() -> None:
    view = fleet_view(hostile=True)
    view = FleetView(
        view.latest_run,
        view.since_run,
        view.targets,
        5,
        view.new,
        view.fixed,
        (),
        (),
        (),
        (),
        (),
        active=(*view.active, AWS_FINDING),
    )
    doc = json.loads(_render(view, "sarif"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    (run,) = doc["runs"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["IAM001", "PATH001", "SEC001", "CODE001", "ENV001"]
    assert [r["level"] for r in results] == ["error", "error", "error", "note", "error"]
    assert [d["id"] for d in run["tool"]["driver"]["rules"]] == ["CODE001", "ENV001", "IAM001", "PATH001", "SEC001"]
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    iam = results[0]["locations"][0]
    assert iam["physicalLocation"] == {
        "artifactLocation": {"uri": "template.yaml", "uriBaseId": "shop-api"},
        "region": {"startLine": 42},
    }
    assert iam["logicalLocations"] == [
        {"fullyQualifiedName": "shop-api/adminReport", "kind": "function", "name": "adminReport"}
    ]
    assert results[0]["partialFingerprints"] == {"fnaudit/v1": "shop-api/fp-iam"}
    secret = results[2]["locations"][0]
    assert secret["logicalLocations"] == [{"fullyQualifiedName": "billing", "kind": "module"}]
    aws = results[4]["locations"][0]
    assert "region" not in aws["physicalLocation"]  # a deployed resource: no line
    assert aws["logicalLocations"][1] == {
        "name": "Environment.Variables.DB_PASSWORD",
        "fullyQualifiedName": "arn:aws:lambda:eu-west-1:123456789012:function:orders/Environment.Variables.DB_PASSWORD",
        "kind": "resource",
    }
    assert sorted(run["originalUriBaseIds"]) == sorted(
        ["shop-api", "billing", '<script>alert("x")</script>&evil\\u202e[red]', "prod-account"]
    )
    assert run["automationDetails"] == {"id": "fnaudit-fleet/run-2"}
    assert "\u202e" not in json.dumps(doc, ensure_ascii=False)


def test_sarif_leaves_out_suppressed_findings() -> None:
    rec = NEW_IAM.record
    quiet = FleetFinding(
        "shop-api",
        FindingRecord(
            rec.fingerprint,
            rec.rule_id,
            rec.severity,
            rec.category,
            rec.function,
            rec.path,
            rec.line,
            rec.message,
            suppressed=True,
        ),
        2,
        2,
    )
    view = FleetView(RUN2, RUN1, (), 0, (), (), (), (), (), (), (), active=(quiet,))
    doc = json.loads(_render(view, "sarif"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    assert doc["runs"][0]["results"] == [] and doc["runs"][0]["tool"]["driver"]["rules"] == []


# --- HTML -------------------------------------------------------------------------------------------------


def test_html_escapes_a_hostile_target_name_and_message() -> None:
    html = _render(fleet_view(hostile=True), "html")
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "\u202e" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;evil\\u202e[red]" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<script>") == 1  # our own, inline


def test_html_is_self_contained_with_three_charts() -> None:
    html = _render(fleet_view(), "html")
    assert "default-src 'none'" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    for kind in ("trend", "risk", "rules"):
        assert f'<svg class="chart {kind}"' in html
    assert '<rect class="bar fixed" data-run="2" data-value="1"' in html
    assert '<rect class="bar rule" data-rule="IAM001" data-value="1"' in html
    # the failed target has no risk: it is not counted in the lowest tenth
    assert '<rect class="bar bin" data-bin="0" data-value="0"' in html
    assert '<rect class="bar bin" data-bin="60" data-value="1"' in html


def test_trend_chart_labels_at_most_twelve_runs_but_draws_every_bar() -> None:
    points = [TrendPoint(i, f"2026-01-{i:02d}", i % 3, 1, 5) for i in range(1, 31)]
    svg = str(trend(points))
    assert svg.count('class="bar new"') == 30 and svg.count('class="bar fixed"') == 30
    labels = re.findall(r'text-anchor="middle">#(\d+)</text>', svg)
    assert labels == ["1", "4", "7", "10", "13", "16", "19", "22", "25", "28", "30"]


def test_risk_bins_put_each_target_in_its_tenth() -> None:
    targets = [TargetState(str(r), Status.OK, 1, r, (), 0) for r in (0.0, 9.9, 10.0, 64.2, 99.9, 100.0)]
    assert risk_bins(targets) == [2, 1, 0, 0, 0, 0, 1, 0, 0, 2]
