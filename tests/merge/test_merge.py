"""One finding per location and cause, and attack paths shown with their foothold (fnaudit.merge, issue 22).

Fixtures (tests/merge/fixtures):
- path-one-sink: `preview` (public route, command injection at preview.py:10) writes every S3 object with its
  own role (PATH001) and may replace the code of `deploy`, an administrator (PATH004);
- secret-two-rules: handler.py:6 writes the Stripe key's literal default (SECRET002) to /tmp (SECRET005);
- code-two-rules: handler.py:5 runs `os.system(eval(event["body"]))` (CODE002 and CODE003), no attack path.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import jsonschema

from fnaudit.config import Config, IgnoreEntry
from fnaudit.findings import Category, Finding, Merged, Related, Severity, Suppression
from fnaudit.merge import merge_findings
from fnaudit.model.loc import Loc
from fnaudit.pipeline import ScanResult, scan
from fnaudit.report import Format, render
from fnaudit.report.options import RenderOptions
from fnaudit.suppress import baseline_document
from tests.conftest import REPO, SCAN_DATE

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMA = json.loads((REPO / "src" / "fnaudit" / "schema" / "findings-v1.json").read_text(encoding="utf-8"))
SINK = Loc("preview.py", 10)
SARIF_SCHEMA = json.loads((REPO / "tests" / "report" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def _scan(folder: Path, **config: object) -> ScanResult:
    return scan(folder, Config(today=SCAN_DATE, **config))  # type: ignore[arg-type]


def _at(result: ScanResult, loc: Loc) -> list[tuple[str, str | None]]:
    """(rule, suppression kind) of every finding at `loc`, in the result's order."""
    return [(f.rule_id, f.suppression.kind if f.suppression else None) for f in result.findings if f.location == loc]


def _one(result: ScanResult, rule_id: str) -> Finding:
    (f,) = [f for f in result.findings if f.rule_id == rule_id]
    return f


def _text(result: ScanResult, fmt: Format) -> str:
    out = io.StringIO()
    render(result, fmt, out, RenderOptions(color=False, width=None))
    return out.getvalue()


def _copy(name: str, tmp_path: Path) -> Path:
    dest = tmp_path / name
    shutil.copytree(FIXTURES / name, dest)
    return dest


def _comment(path: Path, line: int, comment: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] += "  " + comment
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- attack paths: one sink, several reaches ---------------------------------------------------------


def test_path001_and_path004_on_one_sink_are_one_finding() -> None:
    folder = FIXTURES / "path-one-sink"
    # before: each rule alone reports its path at the sink
    (alone1,) = _scan(folder, select=("PATH001",)).findings
    (alone4,) = _scan(folder, select=("PATH004",)).findings
    assert [(f.rule_id, f.location, f.severity) for f in (alone1, alone4)] == [
        ("PATH001", SINK, Severity.CRITICAL),
        ("PATH004", SINK, Severity.CRITICAL),
    ]
    # after: one finding, owned by PATH001 (the higher-ranked rule), with PATH001's fingerprint
    result = _scan(folder)
    assert _at(result, SINK) == [("CODE002", None), ("PATH001", None)]
    path = _one(result, "PATH001")
    assert path.fingerprint == alone1.fingerprint
    assert path.severity is Severity.CRITICAL
    assert path.merged == (
        Merged("PATH001", alone1.rule_name, Severity.CRITICAL, alone1.fingerprint, SINK, alone1.message),
        Merged("PATH004", alone4.rule_name, Severity.CRITICAL, alone4.fingerprint, SINK, alone4.message),
    )
    assert path.message == (
        f"{alone1.message}. Also from this sink: PATH004 (cross-function-path): then, through function deploy, "
        "the attacker can control the whole AWS account (administrator: every action on every resource)."
    )
    # the trace: PATH001's steps, then PATH004's own (the pivot and deploy's reach), named by their rule
    assert path.trace[: len(alone1.trace)] == alone1.trace
    extra = [s.note for s in path.trace[len(alone1.trace) :]]
    assert extra[0] == "PATH004: pivot: replaces the code of function deploy"
    assert all(n.startswith("PATH004: ") for n in extra) and any(
        "reach: control the whole AWS account" in n for n in extra
    )
    # the merge step is pure: the two single-rule findings fold into exactly the scan's finding
    (folded,) = merge_findings([alone1, alone4])
    assert folded == path


def test_a_path_shows_its_foothold_and_the_foothold_is_not_listed_again() -> None:
    result = _scan(FIXTURES / "path-one-sink")
    path, code = _one(result, "PATH001"), _one(result, "CODE002")
    assert path.related == (Related("CODE002", code.fingerprint, SINK, "foothold", "command-injection"),)
    assert code.shown_with == path.fingerprint and not code.suppressed

    table = _text(result, Format.TABLE)
    assert "critical  CODE002" not in table  # no row of its own
    assert "      merged: PATH001 public-code-execution-path, PATH004 cross-function-path" in table.splitlines()
    assert "      foothold: CODE002 command-injection at preview.py:10" in table.splitlines()
    # the summary counts what is listed: 13 findings before the merge, less PATH004 (folded) and CODE002 (shown)
    summary = "11 findings (2 critical, 2 high, 3 medium, 4 info) in 2 functions across 1 app"
    assert table.rstrip().splitlines()[-1] == summary

    markdown = _text(result, Format.MARKDOWN)
    assert "<code>CODE002</code>" not in markdown
    assert "foothold\\: CODE002 command\\-injection at preview\\.py\\:10" in markdown

    html = _text(result, Format.HTML)
    assert f'data-fp="{code.fingerprint}"' not in html
    assert f'data-fp="{path.fingerprint}"' in html
    assert (
        '<span class="muted">foothold</span> <code>CODE002 command-injection</code> at <code>preview.py:10</code>'
        in html
    )

    doc = json.loads(_text(result, Format.JSON))
    jsonschema.validate(doc, SCHEMA)
    by_rule = {f["rule_id"]: f for f in doc["findings"]}
    assert by_rule["CODE002"]["shown_with"] == path.fingerprint  # kept, marked
    assert by_rule["PATH001"]["related"] == [
        {
            "rule_id": "CODE002",
            "rule_name": "command-injection",
            "fingerprint": code.fingerprint,
            "location": {"path": "preview.py", "line": 10},
            "role": "foothold",
        }
    ]
    assert [m["rule_id"] for m in by_rule["PATH001"]["merged"]] == ["PATH001", "PATH004"]
    assert "PATH004" not in by_rule

    sarif = json.loads(_text(result, Format.SARIF))
    jsonschema.validate(sarif, SARIF_SCHEMA)
    results = {r["ruleId"]: r for r in sarif["runs"][0]["results"]}
    assert results["CODE002"]["properties"]["shown_with"] == path.fingerprint
    (rel,) = results["PATH001"]["relatedLocations"]
    assert rel["physicalLocation"]["region"] == {"startLine": 10}
    assert rel["physicalLocation"]["artifactLocation"]["uri"] == "preview.py"
    assert results["PATH001"]["properties"]["merged_rules"] == ["PATH001", "PATH004"]
    assert [m["fingerprint"] for m in results["PATH001"]["properties"]["merged"]] == [
        m.fingerprint for m in path.merged
    ]

    junit = _text(result, Format.JUNIT)  # a CI test report lists every finding
    assert "CODE002" in junit


def test_select_code_still_reports_the_foothold_on_its_own() -> None:
    (code,) = [f for f in _scan(FIXTURES / "path-one-sink", select=("CODE",)).findings if f.location == SINK]
    assert (code.rule_id, code.shown_with, code.merged) == ("CODE002", None, ())
    assert code.fingerprint == _one(_scan(FIXTURES / "path-one-sink"), "CODE002").fingerprint


def test_a_suppressed_path_leaves_its_foothold_shown_on_its_own() -> None:
    ignores = (IgnoreEntry("PATH", "the preview renderer runs in a sandbox"),)
    result = _scan(FIXTURES / "path-one-sink", ignores=ignores)
    assert _at(result, SINK) == [("CODE002", None), ("PATH001", "config")]
    assert _one(result, "CODE002").shown_with is None
    (row,) = [line for line in _text(result, Format.TABLE).splitlines() if " CODE002 " in line]
    assert row.split() == ["critical", "CODE002", "command-injection", "preview.py:10"]


def test_an_inline_ignore_of_the_lower_path_rule_leaves_the_other_reported(tmp_path: Path) -> None:
    app = _copy("path-one-sink", tmp_path)
    _comment(app / "preview.py", 10, "# fnaudit: ignore[PATH004] deploy's role is being scoped down")
    result = _scan(app)
    assert _at(result, SINK) == [("CODE002", None), ("PATH001", None), ("PATH004", "inline")]
    assert _one(result, "PATH001").merged == ()  # the ignored reach is not folded in
    assert "PATH004: " not in " ".join(s.note for s in _one(result, "PATH001").trace)
    assert [e.message for e in result.errors if e.stage == "config"] == []  # the ignore was used


# --- one line, two rules, one cause ------------------------------------------------------------------


def test_two_secret_rules_on_one_line_are_one_finding() -> None:
    folder = FIXTURES / "secret-two-rules"
    line = Loc("handler.py", 6)
    (s2,) = _scan(folder, select=("SECRET002",)).findings
    (s5,) = _scan(folder, select=("SECRET005",)).findings
    assert [(f.rule_id, f.location) for f in (s2, s5)] == [("SECRET002", line), ("SECRET005", line)]
    result = _scan(folder)
    assert _at(result, line) == [("SECRET002", None)]
    merged = _one(result, "SECRET002")
    assert merged.fingerprint == s2.fingerprint  # both high: the tie goes to the rule code
    assert [(m.rule_id, m.fingerprint) for m in merged.merged] == [
        ("SECRET002", s2.fingerprint),
        ("SECRET005", s5.fingerprint),
    ]
    assert merged.message == (
        f"{s2.message}. Same line and cause, also reported by SECRET005 (secret-written-to-tmp-or-response): "
        "the code reads a secret from os.environ['STRIPE_KEY'] and writes it to /tmp."
    )
    assert "sk_live_NlYloiv7JISR7gRKGYVqnoKM" not in merged.message  # still redacted


def test_two_code_injections_on_one_call_are_one_finding() -> None:
    result = _scan(FIXTURES / "code-two-rules")
    line = Loc("handler.py", 5)
    assert _at(result, line) == [("CODE002", None)]
    f = _one(result, "CODE002")
    assert [m.rule_id for m in f.merged] == ["CODE002", "CODE003"]
    assert f.message.endswith(
        "OS command injection. Same line and cause, also reported by CODE003 (code-injection): "
        "eval at line 5: code injection."
    )


def test_every_reporter_shows_the_merged_form() -> None:
    result = _scan(FIXTURES / "secret-two-rules")
    f = _one(result, "SECRET002")
    merged_line = "merged: SECRET002 secret-in-code, SECRET005 secret-written-to-tmp-or-response"
    assert f"      {merged_line}" in _text(result, Format.TABLE).splitlines()
    assert "merged\\: SECRET002 secret\\-in\\-code, SECRET005 secret\\-written\\-to\\-tmp\\-or\\-response" in _text(
        result, Format.MARKDOWN
    )
    html = _text(result, Format.HTML)
    assert '<span class="muted">merged</span> <code>SECRET002</code> secret-in-code, <code>SECRET005</code>' in html
    doc = json.loads(_text(result, Format.JSON))
    jsonschema.validate(doc, SCHEMA)
    (j,) = [x for x in doc["findings"] if x["rule_id"].startswith("SECRET")]
    assert [(m["rule_id"], m["fingerprint"], m["suppressed"]) for m in j["merged"]] == [
        (m.rule_id, m.fingerprint, False) for m in f.merged
    ]
    sarif = json.loads(_text(result, Format.SARIF))
    (r,) = [x for x in sarif["runs"][0]["results"] if x["ruleId"].startswith("SECRET")]
    assert r["properties"]["merged_rules"] == ["SECRET002", "SECRET005"]
    assert r["partialFingerprints"]["fnaudit/v1"] == f.fingerprint


# --- baselines and ignores of either rule ------------------------------------------------------------


def test_a_baseline_written_before_the_merge_accepts_the_merged_finding(tmp_path: Path) -> None:
    app = _copy("secret-two-rules", tmp_path)
    # an old baseline that knew only SECRET005's finding (SECRET002 written after it): the line is accepted
    old = _scan(app, select=("SECRET005",)).findings
    (app / "old.json").write_text(json.dumps(baseline_document(old)), encoding="utf-8")
    result = _scan(app, baseline=str(app / "old.json"))
    assert _at(result, Loc("handler.py", 6)) == [("SECRET002", "baseline")]


def test_a_baseline_written_after_the_merge_lists_every_merged_fingerprint(tmp_path: Path) -> None:
    app = _copy("secret-two-rules", tmp_path)
    result = _scan(app)
    f = _one(result, "SECRET002")
    doc = baseline_document([f])
    assert [(e["rule_id"], e["fingerprint"]) for e in doc["findings"]] == sorted(
        (m.rule_id, m.fingerprint) for m in f.merged
    )
    (app / "new.json").write_text(json.dumps(doc), encoding="utf-8")
    # accepted as a whole; and still accepted when SECRET002 no longer runs and SECRET005 stands alone
    assert _at(_scan(app, baseline=str(app / "new.json")), f.location) == [("SECRET002", "baseline")]
    alone = _scan(app, baseline=str(app / "new.json"), ignore=("SECRET002",))
    assert _at(alone, f.location) == [("SECRET005", "baseline")]


def test_an_inline_ignore_of_either_rule_still_works(tmp_path: Path) -> None:
    app = _copy("secret-two-rules", tmp_path)
    line = Loc("handler.py", 6)
    _comment(app / "handler.py", 6, "# fnaudit: ignore[SECRET005] the file is removed before the handler returns")
    result = _scan(app)
    assert _at(result, line) == [("SECRET002", None), ("SECRET005", "inline")]
    assert _one(result, "SECRET002").merged == ()
    assert [e.message for e in result.errors if e.stage == "config"] == []

    app2 = _copy("secret-two-rules", tmp_path / "both")
    _comment(app2 / "handler.py", 6, "# fnaudit: ignore[SECRET002,SECRET005] test key of the sandbox account")
    both = _scan(app2)
    assert _at(both, line) == [("SECRET002", "inline")]  # one suppressed finding naming both
    assert [(m.rule_id, m.suppression.kind if m.suppression else None) for m in _one(both, "SECRET002").merged] == [
        ("SECRET002", "inline"),
        ("SECRET005", "inline"),
    ]
    assert [e.message for e in both.errors if e.stage == "config"] == []


# --- what is not one cause ---------------------------------------------------------------------------


def _f(rule_id: str, category: Category, fp: str, function: str = "f1", line: int = 3, **kw: object) -> Finding:
    return Finding(
        rule_id=rule_id,
        rule_name=rule_id.lower(),
        title="t",
        category=category,
        severity=Severity.HIGH,
        function=function,
        function_id=function,
        location=Loc("app.py", line),
        message=f"function {function}: {rule_id} message text",
        evidence="",
        remediation="",
        fingerprint=fp,
        functions=(function,),
        function_ids=(function,),
        **kw,  # type: ignore[arg-type]
    )


def test_different_families_functions_or_lines_stay_apart() -> None:
    findings = [
        _f("AUTH001", Category.AUTH, "a"),  # a route without authorizer …
        _f("DOS005", Category.AVAILABILITY, "b"),  # … and without throttling: two fixes
        _f("CODE002", Category.INJECTION, "c"),
        _f("SECRET002", Category.SECRETS, "d"),  # a secret and an injection on one line: two fixes
        _f("CODE003", Category.INJECTION, "e", function="f2"),  # one shared file, another function
        _f("CODE003", Category.INJECTION, "f", line=4),  # another line
        _f("CODE001", Category.INJECTION, "g", line=0),  # no line: not known to be one place
        _f("CODE007", Category.INJECTION, "h", line=0),
    ]
    assert merge_findings(findings) == findings


def test_a_baselined_member_accepts_the_group_and_a_deliberate_ignore_splits_it() -> None:
    baseline = Suppression("baseline", "in baseline")
    inline = Suppression("inline", "checked", Loc("app.py", 3))
    a = _f("CODE002", Category.INJECTION, "a")
    b = _f("CODE003", Category.INJECTION, "b", suppression=baseline)
    (one,) = merge_findings([a, b])
    assert (one.rule_id, one.fingerprint, one.suppression) == ("CODE002", "a", baseline)
    c = _f("CODE003", Category.INJECTION, "c", suppression=inline)
    assert merge_findings([a, c]) == [a, c]


def test_the_most_severe_rule_owns_the_merged_finding() -> None:
    low = _f("CODE001", Category.INJECTION, "low")
    crit = Finding(**{**{s: getattr(low, s) for s in Finding.__slots__}, "rule_id": "CODE009", "fingerprint": "crit",
                      "severity": Severity.CRITICAL})  # fmt: skip
    (one,) = merge_findings([low, crit])
    assert (one.rule_id, one.fingerprint, one.severity) == ("CODE009", "crit", Severity.CRITICAL)
    assert [m.fingerprint for m in one.merged] == ["crit", "low"]


def test_three_reaches_of_one_sink_and_the_risk_of_the_function_they_reach(tmp_path: Path) -> None:
    app = _copy("path-one-sink", tmp_path)
    yml = app / "serverless.yml"
    text = yml.read_text(encoding="utf-8").replace(
        "    handler: preview.handler\n",
        "    handler: preview.handler\n    environment:\n      STRIPE_KEY: sk_live_NlYloiv7JISR7gRKGYVqnoKM\n",
    )
    yml.write_text(text, encoding="utf-8")
    result = _scan(app)
    assert _at(result, SINK) == [("CODE002", None), ("PATH001", None)]
    path = _one(result, "PATH001")
    assert [m.rule_id for m in path.merged] == ["PATH001", "PATH004", "PATH003"]
    assert "; PATH003 (public-secret-exposure-path): " in path.message
    # the evidence names each reach; risk still finds the function the path goes through among them
    assert path.evidence.split("; ")[1].endswith("→ function:deploy")
    from fnaudit.risk import _pivots

    assert [fn.name for fn in _pivots(result.apps[0], [path])] == ["deploy"]


def test_a_path_on_a_merged_foothold_names_the_merged_finding(tmp_path: Path) -> None:
    """Two injections in one call, each a foothold of a path: one CODE finding, one path, one related entry."""
    app = _copy("code-two-rules", tmp_path)
    yml = app / "serverless.yml"
    text = yml.read_text(encoding="utf-8").replace(
        "  runtime: python3.12\n",
        '  runtime: python3.12\n  iam:\n    role:\n      statements:\n        - {Effect: Allow, Action: "s3:PutObject", '
        'Resource: "*"}\n',
    )
    yml.write_text(text, encoding="utf-8")
    result = _scan(app)
    line = Loc("handler.py", 5)
    assert _at(result, line) == [("CODE002", None), ("PATH001", None)]
    code, path = _one(result, "CODE002"), _one(result, "PATH001")
    assert [m.rule_id for m in code.merged] == ["CODE002", "CODE003"]
    assert len(path.merged) == 2 and {m.rule_id for m in path.merged} == {"PATH001"}  # one path per foothold
    assert path.related == (Related("CODE002", code.fingerprint, line, "foothold", "command-injection"),)
    assert code.shown_with == path.fingerprint
