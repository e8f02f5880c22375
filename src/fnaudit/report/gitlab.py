"""The GitLab SAST report (`artifacts: reports: sast:`), security-report-schemas version 15.x.

GitLab shows these in the merge request widget and the vulnerability report. Field by field:

- `scan`: `type` "sast", `analyzer` and `scanner` with vendor "fnaudit", `status`, and `start_time` /
  `end_time` in the schema's zone-less UTC form (YYYY-MM-DDTHH:MM:SS). A scan error becomes a
  `scan.messages[]` entry (level "warn"): the rest of the app was analysed.
- one vulnerability per unsuppressed finding (a suppressed finding would come back as a new
  vulnerability in GitLab, which has no notion of it): `id` a UUID derived from the finding's
  line-free fingerprint (so it survives edits), `name` the rule title, `description` the message and
  evidence, `solution` the fix, `severity` Critical/High/Medium/Low/Info, `location` file and
  start_line, `identifiers` the rule (primary, first) and each CWE of the rule.
- a live-account finding (`fnaudit scan aws:`) about a deployed resource: `location.file` is the resource's
  ARN, without start_line, and its configuration key (`Environment.Variables.DB_PASSWORD`) is said in the
  description ("Configuration key: …"), because the schema's location has no field for it (file,
  start_line, end_line, class and method only). A file in a downloaded package keeps its
  `<function ARN>!/app.py` path and line.
- `category` "sast" is kept on each vulnerability for older readers (15.x no longer defines it but
  allows it). Dependency findings stay in this SAST report: a `dependency_scanning` report is a
  different document whose locations name a package and version, not a file and line.

Every string is cleaned by `fnaudit.textsafe`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import TYPE_CHECKING, Any, TextIO

from fnaudit import __version__
from fnaudit.findings import Severity
from fnaudit.report.json import write
from fnaudit.report.options import RenderOptions
from fnaudit.textsafe import clean_tree

if TYPE_CHECKING:
    from fnaudit.errors import ScanError
    from fnaudit.findings import Finding
    from fnaudit.pipeline import ScanResult
    from fnaudit.rules.registry import Rule

SCHEMA_VERSION = "15.0.7"  # an early 15.x release: older GitLab versions read it too
SCHEMA_URL = (
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
    f"v{SCHEMA_VERSION}/dist/sast-report-format.json"
)
INFORMATION_URI = "https://github.com/fnaudit/fnaudit"
SEVERITY = {
    Severity.CRITICAL: "Critical",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.INFO: "Info",
}
# The schema's limits (maxLength): a longer value makes GitLab reject the whole report.
_NAME_MAX, _DESCRIPTION_MAX, _SOLUTION_MAX = 255, 1_048_576, 7_000
_ID_NAMESPACE = uuid.UUID("0f6b5d1e-4a55-5b6e-9d1a-6e6175646974")  # fixed: ids must not change between runs
_TIME = "%Y-%m-%dT%H:%M:%S"


def render(result: ScanResult, out: TextIO, options: RenderOptions | None = None) -> None:
    write(document(result), out)


def document(result: ScanResult, now: dt.datetime | None = None) -> dict[str, Any]:
    """The report; `now` (UTC) is when the scan ended, for tests (default: the current time)."""
    end = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    start = end - dt.timedelta(seconds=round(result.stats.seconds))
    tool = {"id": "fnaudit", "name": "fnaudit", "version": __version__, "vendor": {"name": "fnaudit"}}
    scan: dict[str, Any] = {
        "analyzer": tool,
        "scanner": {**tool, "url": INFORMATION_URI},
        "type": "sast",
        "start_time": start.strftime(_TIME),
        "end_time": end.strftime(_TIME),
        "status": "success",
    }
    if result.errors:
        scan["messages"] = [_message(e, result.target) for e in result.errors]
    rules = {r.code: r for r in result.rules}
    seen: Counter[str] = Counter()
    vulnerabilities = [_vulnerability(f, rules.get(f.rule_id), seen) for f in result.active_findings]
    doc: dict[str, Any] = clean_tree(
        {"version": SCHEMA_VERSION, "schema": SCHEMA_URL, "scan": scan, "vulnerabilities": vulnerabilities}
    )
    return doc


def _vulnerability(f: Finding, rule: Rule | None, seen: Counter[str]) -> dict[str, Any]:
    key = f"{f.rule_id}:{f.fingerprint}"
    seen[key] += 1
    if seen[key] > 1:  # two findings with one fingerprint must still be two vulnerabilities
        key += f":{seen[key]}"
    description = f.message
    if f.location.key:  # a deployed resource's configuration key: GitLab's location has no field for it
        description += f"\n\nConfiguration key: {f.location.key}"
    if f.evidence:
        description += f"\n\nEvidence: {f.evidence}"
    location: dict[str, Any] = {"file": f.location.path}
    if f.location.line > 0:
        location["start_line"] = f.location.line
    if f.function:
        location["method"] = f.function
    out: dict[str, Any] = {
        "id": str(uuid.uuid5(_ID_NAMESPACE, key)),
        "category": "sast",
        "name": _cut(f.title or f.rule_name, _NAME_MAX),
        "description": _cut(description, _DESCRIPTION_MAX),
        "severity": SEVERITY[f.severity],
        "location": location,
        "identifiers": _identifiers(f, rule),
    }
    if f.remediation:
        out["solution"] = _cut(f.remediation, _SOLUTION_MAX)
    links = [{"url": ref} for ref in (rule.references if rule else ()) if ref.startswith("https://")]
    if links:
        out["links"] = links
    return out


def _identifiers(f: Finding, rule: Rule | None) -> list[dict[str, str]]:
    """The rule first (GitLab takes the first identifier as the primary one), then its CWEs."""
    ids = [{"type": "fnaudit_rule", "name": f"{f.rule_id} {f.rule_name}", "value": f.rule_id}]
    for n in rule.cwe if rule else ():
        ids.append(
            {
                "type": "cwe",
                "name": f"CWE-{n}",
                "value": str(n),
                "url": f"https://cwe.mitre.org/data/definitions/{n}.html",
            }
        )
    return ids


def _message(e: ScanError, target: str) -> dict[str, str]:
    return {"level": "warn", "value": f"{e.stage}: {e.path or target}: {e.message}"}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
