"""The JSON fleet report (schema `fnaudit/fleet/v1`, src/fnaudit/schema/fleet-v1.json) and the JSON diff
(`fnaudit/fleet-diff/v1`, in the same schema file).

The document is the `FleetView` field by field, with pairs turned into objects so that a reader never depends on
positions: `counts` is `{"critical": 1, ...}` (worst first, only the severities the target has), `by_family` and
`by_rule` lists of `{"family"|"rule", "findings"}`. Every string is cleaned (`clean_tree`): names and messages
come from the scanned repositories. Written with the scan report's `write`, so the bytes are stable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

from fnaudit import __version__
from fnaudit.report.json import write
from fnaudit.textsafe import clean_tree

if TYPE_CHECKING:
    from fnaudit.fleet.model import FleetDiff, FleetFinding, FleetView, RiskyFunction, RunInfo, TargetState

SCHEMA = "fnaudit/fleet/v1"
DIFF_SCHEMA = "fnaudit/fleet-diff/v1"


def render(view: FleetView, out: TextIO) -> None:
    write(document(view), out)


def render_diff(diff: FleetDiff, out: TextIO) -> None:
    write(diff_document(diff), out)


def document(view: FleetView) -> dict[str, Any]:
    doc = {
        "schema": SCHEMA,
        "tool": {"name": "fnaudit", "version": __version__},
        "latest_run": run(view.latest_run) if view.latest_run else None,
        "since_run": run(view.since_run) if view.since_run else None,
        "total_findings": view.total_findings,
        "targets": [target(t) for t in view.targets],
        "new": [finding(f) for f in view.new],
        "fixed": [finding(f) for f in view.fixed],
        "riskiest": [risky(r) for r in view.riskiest],
        "trend": [
            {"run_id": p.run_id, "started_at": p.started_at, "new": p.new, "fixed": p.fixed, "active": p.active}
            for p in view.trend
        ],
        "by_family": [{"family": name, "findings": n} for name, n in view.by_family],
        "by_rule": [{"rule": name, "findings": n} for name, n in view.by_rule],
        "attack_paths": [finding(f) for f in view.attack_paths],
        "runs": [run(r) for r in view.runs],
    }
    return dict(clean_tree(doc))


def diff_document(diff: FleetDiff) -> dict[str, Any]:
    doc = {
        "schema": DIFF_SCHEMA,
        "tool": {"name": "fnaudit", "version": __version__},
        "run_a": run(diff.run_a),
        "run_b": run(diff.run_b),
        "new": [finding(f) for f in diff.new],
        "fixed": [finding(f) for f in diff.fixed],
    }
    return dict(clean_tree(doc))


def run(r: RunInfo) -> dict[str, Any]:
    return {
        "id": r.id,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
        "targets": r.targets,
        "failed": r.failed,
    }


def target(t: TargetState) -> dict[str, Any]:
    return {
        "name": t.name,
        "status": t.status.value,
        "run_id": t.run_id,
        "risk": t.risk,
        "counts": dict(t.counts),
        "total": t.total,
        "error": t.error,
    }


def finding(f: FleetFinding) -> dict[str, Any]:
    r = f.record
    return {
        "target": f.target,
        "rule": r.rule_id,
        "severity": r.severity,
        "category": r.category,
        "function": r.function,
        "location": {"path": r.path, "line": r.line, "key": r.key},
        "message": r.message,
        "fingerprint": r.fingerprint,
        "suppressed": r.suppressed,
        "first_seen_run": f.first_seen_run,
        "last_seen_run": f.last_seen_run,
        "fixed_in_run": f.fixed_in_run,
    }


def risky(r: RiskyFunction) -> dict[str, Any]:
    fn = r.function
    return {
        "target": r.target,
        "function": fn.name,
        "app": fn.app,
        "risk": fn.risk,
        "blast_radius": fn.blast_radius,
        "runtime": fn.runtime,
        "public": fn.public,
        "findings": r.findings,
    }
