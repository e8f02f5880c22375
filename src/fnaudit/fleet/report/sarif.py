"""The SARIF 2.1.0 fleet report: one run whose results are the fleet's active findings (`FleetView.active`).

Findings of many repositories share one log, so each result says which target it belongs to twice: its
artifact location's `uriBaseId` is the target's name (declared in `originalUriBaseIds`, with the target as its
description, since the fleet report does not know where each checkout lives), and its first logical location is
`<target>/<function>` (or the target alone for an app-level finding). A deployed resource (`aws:` targets: no
file, line 0) has no region. `partialFingerprints` carries the finding's line-free fingerprint, prefixed by the
target so that the same code in two repositories stays two alerts. `tool.driver.rules` lists the rules the
results use (the fleet report knows their codes only). Every string is cleaned (`clean_tree`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from fnaudit import __version__
from fnaudit.report.json import write
from fnaudit.report.sarif import FINGERPRINT_KEY, INFORMATION_URI, SARIF_SCHEMA
from fnaudit.textsafe import clean_tree

if TYPE_CHECKING:
    from fnaudit.fleet.model import FleetFinding, FleetView

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}


def render(view: FleetView, out: TextIO) -> None:
    write(document(view), out)


def document(view: FleetView) -> dict[str, Any]:
    findings = [f for f in view.active if not f.record.suppressed]
    rules = sorted({f.record.rule_id for f in findings})
    index = {code: i for i, code in enumerate(rules)}
    targets = sorted({f.target for f in findings})
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "fnaudit",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [{"id": code, "name": code} for code in rules],
            }
        },
        "automationDetails": {"id": f"fnaudit-fleet/run-{view.latest_run.id}" if view.latest_run else "fnaudit-fleet/"},
        "originalUriBaseIds": {name: {"description": {"text": f"The root of fleet target {name}"}} for name in targets},
        "results": [result(f, index[f.record.rule_id]) for f in findings],
        "columnKind": "unicodeCodePoints",
    }
    if view.latest_run is not None:
        run["properties"] = {"fleetRun": view.latest_run.id, "startedAt": view.latest_run.started_at}
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return dict(clean_tree(doc))


def result(f: FleetFinding, rule_index: int) -> dict[str, Any]:
    r = f.record
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": quote(r.path.lstrip("/"), safe="/:@!$&'()*+,;=-._~"), "uriBaseId": f.target}
    }
    if r.line > 0:
        physical["region"] = {"startLine": r.line}
    logical = {
        "fullyQualifiedName": f"{f.target}/{r.function}" if r.function else f.target,
        "kind": "function" if r.function else "module",
    }
    if r.function:
        logical["name"] = r.function
    location: dict[str, Any] = {"physicalLocation": physical, "logicalLocations": [logical]}
    if r.key:
        location["logicalLocations"].append(
            {"name": r.key, "fullyQualifiedName": f"{r.path}/{r.key}", "kind": "resource"}
        )
    return {
        "ruleId": r.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL.get(r.severity, "warning"),
        "message": {"text": r.message or r.rule_id},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f"{f.target}/{r.fingerprint}"},
        "properties": {
            "target": f.target,
            "severity": r.severity,
            "security-severity": SECURITY_SEVERITY.get(r.severity, "0.0"),
            "category": r.category,
            "firstSeenRun": f.first_seen_run,
            "lastSeenRun": f.last_seen_run,
        },
    }
