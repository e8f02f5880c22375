"""The JSON report: the `fnaudit/findings/v1` document of DESIGN.md §4 (schema/findings-v1.json).

The document is the contract other outputs and users' scripts rely on, so it is built from the
result field by field (never `asdict`), list order follows the result's sorted order, and the only
value that differs between two runs on the same input is `stats.seconds` (and `stats.stages`).
Environment variables appear by name only: their values may be secrets.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from fnaudit import __version__
from fnaudit.report.options import RenderOptions

if TYPE_CHECKING:
    from fnaudit.findings import Finding
    from fnaudit.model.app import App, Function, Trigger
    from fnaudit.model.loc import Loc, Value
    from fnaudit.scan import ScanResult

SCHEMA = "fnaudit/findings/v1"


def render(result: ScanResult, out: TextIO, options: RenderOptions | None = None) -> None:
    json.dump(document(result), out, indent=2, ensure_ascii=False)
    out.write("\n")


def document(result: ScanResult) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "tool": {"name": "fnaudit", "version": __version__},
        "target": result.target,
        "functions": [_function(app, fn) for app in result.apps for fn in app.functions],
        "findings": [_finding(f) for f in result.findings],
        "errors": [e.to_json() for e in result.errors],
        "stats": {
            "files": result.stats.files,
            "functions": result.stats.functions,
            "seconds": result.stats.seconds,
            "stages": dict(sorted(result.stats.stages.items())),
        },
    }


def _loc(loc: Loc) -> dict[str, Any]:
    return {"path": loc.path, "line": loc.line}


def _plain(v: Value[Any]) -> Any:
    """The value itself: null when unset (platform default) or unresolved."""
    return v.value if v.is_set else None


def _function(app: App, fn: Function) -> dict[str, Any]:
    return {
        "id": fn.id,
        "name": fn.name,
        "app": app.source,
        "dialect": app.dialect.value,
        "runtime": _plain(fn.runtime),
        "handler": _plain(fn.handler),
        "code_path": fn.code.handler_file or fn.code.root,
        "role": fn.role.id if fn.role is not None else None,
        "triggers": [_trigger(t) for t in fn.triggers],
        "environment": sorted(fn.environment),  # names only, never values
        "timeout": _plain(fn.timeout),
        "memory": _plain(fn.memory),
        "reserved_concurrency": _plain(fn.reserved_concurrency),
        "location": _loc(fn.loc),
    }


def _trigger(t: Trigger) -> dict[str, Any]:
    return {
        "kind": t.kind.value,
        "path": t.path,
        "method": t.method,
        "public": t.public,
        "authorizer": t.authorizer.kind.value,
        "api_key_required": t.api_key_required,
        "source": t.source,
    }


def _finding(f: Finding) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "title": f.title,
        "category": f.category.value,
        "severity": f.severity.value,
        "function": f.function,
        "functions": list(f.functions),
        "location": _loc(f.location),
        "message": f.message,
        "evidence": f.evidence,
        "remediation": f.remediation,
        "fingerprint": f.fingerprint,
        "suppressed": f.suppressed,
    }
    if f.suppression is not None:
        doc["suppression"] = {"kind": f.suppression.kind, "reason": f.suppression.reason}
    return doc
