"""JUnit XML, the test-report format every CI shows (GitLab, Jenkins, Azure DevOps, GitHub test reporters).

One `<testsuite>` per function group of the terminal table (a function, the functions sharing a role or
a lockfile, the app-level findings), because fnaudit's unit of work is the function and CI UIs list
suites first: a reader sees "getOrder: 3 failures". In each suite:

- one `<testcase>` per finding, failing: `<failure message="…" type="RULE">` with the severity, rule,
  location, evidence and fix in the body;
- a suppressed finding is a `<skipped>` testcase whose message says who suppressed it and why;
- a function without findings gets one passing testcase ("no findings"), so it shows up green and a
  clean scan is not "0 tests";
- scan errors (a file that could not be read) are `<error>` testcases of a suite "fnaudit scan errors".

The shape is the common one (the `testsuites` root with tests/failures/errors/skipped counts, what the
Jenkins/Surefire XSD and GitLab read). Every string is cleaned by `fnaudit.textsafe` first: XML 1.0
cannot carry most control characters even escaped, and ElementTree would write them raw.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from typing import TYPE_CHECKING, TextIO

from fnaudit.report.options import RenderOptions
from fnaudit.report.table import groups
from fnaudit.textsafe import clean, one_line

if TYPE_CHECKING:
    from fnaudit.errors import ScanError
    from fnaudit.findings import Finding
    from fnaudit.pipeline import ScanResult

ERRORS_SUITE = "fnaudit scan errors"


def render(result: ScanResult, out: TextIO, options: RenderOptions | None = None) -> None:
    root = document(result)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")


def document(result: ScanResult) -> ET.Element:
    root = ET.Element("testsuites", name="fnaudit", time=_seconds(result.stats.seconds))
    for heading, findings in groups(result, include_suppressed=True, include_shown=True):
        # the table's heading without its scores: CI keeps a suite's history by name, and risk changes
        suite = _suite(root, heading.split(" · ")[0])
        names: Counter[str] = Counter()
        for f in findings:
            _finding_case(suite, f, names)
    with_findings = {fid for f in result.findings for fid in (f.function_id, *f.function_ids) if fid}
    for app in result.apps:
        for fn in app.functions:
            if fn.id not in with_findings:
                suite = _suite(root, f"{fn.name} ({app.source})")
                ET.SubElement(suite, "testcase", name="no findings", classname=_classname(fn.name))
    if result.errors:
        suite = _suite(root, ERRORS_SUITE)
        for e in result.errors:
            _error_case(suite, e, result.target)
    for suite in root:
        _count(suite)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root)))
    return root


def _suite(root: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(root, "testsuite", name=one_line(name), time="0")


def _classname(function: str | None) -> str:
    # CI UIs split classnames at dots into a package tree: a function's name is one leaf under "fnaudit".
    return "fnaudit." + one_line(function or "app").replace(".", "_")


def _finding_case(suite: ET.Element, f: Finding, names: Counter[str]) -> None:
    name = one_line(f"{f.rule_id} {f.rule_name} at {f.location}")
    names[name] += 1
    if names[name] > 1:  # CI tools merge testcases with equal names; keep each finding visible
        name += f" #{names[name]}"
    case = ET.SubElement(suite, "testcase", name=name, classname=_classname(f.function), file=one_line(f.location.path))
    if f.location.line > 0:
        case.set("line", str(f.location.line))
    message = one_line(f"{f.severity.value}: {f.message}")
    if f.suppression is not None:
        skipped = ET.SubElement(
            case, "skipped", message=one_line(f"suppressed ({f.suppression.kind}): {f.suppression.reason}")
        )
        skipped.text = message
        return
    failure = ET.SubElement(case, "failure", message=message, type=f.rule_id)
    failure.text = _body(f)


def _body(f: Finding) -> str:
    lines = [
        f"severity: {f.severity.value}",
        f"rule: {f.rule_id} {f.rule_name} ({f.title})",
        f"location: {f.location}",
        f"function: {', '.join(f.functions) or f.function or '(app-level)'}",
        f"message: {f.message}",
    ]
    if f.evidence:
        lines.append(f"evidence: {f.evidence}")  # already redacted by the rule
    if f.remediation:
        lines += ["", f.remediation]
    lines.append(f"fingerprint: {f.fingerprint}")
    return clean("\n".join(lines))


def _error_case(suite: ET.Element, e: ScanError, target: str) -> None:
    where = e.path or target
    case = ET.SubElement(
        suite, "testcase", name=one_line(f"{e.stage}: {where}"), classname="fnaudit", file=one_line(where)
    )
    error = ET.SubElement(case, "error", message=one_line(e.message), type=one_line(e.stage))
    error.text = clean(e.message)


def _count(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))


def _seconds(seconds: float) -> str:
    return f"{seconds:.3f}"
