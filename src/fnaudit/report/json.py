"""The JSON report: the `fnaudit/findings/v1` document of DESIGN.md §4 (schema/findings-v1.json).

The document is the contract other outputs and users' scripts rely on, so it is built from the
result field by field (never `asdict`), list order follows the result's sorted order, and the only
value that differs between two runs on the same input is `stats.seconds` (and `stats.stages`, and
`stats.reused`: how many documents an earlier scan's cache gave).
Environment variables appear by name only: their values may be secrets. Every string is passed
through `fnaudit.textsafe` (JSON would escape C0 controls anyway, but not C1 controls or bidi
overrides, and viewers render the text).
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterator, Sequence
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, Any, TextIO

from fnaudit import __version__
from fnaudit.model.routes import serving_trigger
from fnaudit.report.options import RenderOptions
from fnaudit.textsafe import clean_tree, json_text_is_clean

if TYPE_CHECKING:
    from fnaudit.findings import Finding, Merged, Problem
    from fnaudit.model.app import App, Function, Trigger
    from fnaudit.model.code import Route, SdkCall
    from fnaudit.model.loc import Loc, Value
    from fnaudit.model.package import Advisory
    from fnaudit.pipeline import ScanResult
    from fnaudit.risk import Risk

SCHEMA = "fnaudit/findings/v1"


def render(result: ScanResult, out: TextIO, options: RenderOptions | None = None) -> None:
    """Write `document(result)` as `json.dump(..., indent=2, ensure_ascii=False)` writes it, byte for byte.

    Both steps of the plain way walk the whole document in Python (the standard library's encoder is
    pure Python once `indent` is set), so: encode the raw document first, and clean it only when the
    text shows a string that cleaning would change (rare: scanned text with control characters)."""
    with _no_cyclic_gc():
        raw = _document(result)
        text = dumps(raw)
        if not json_text_is_clean(text):
            text = dumps(clean_tree(raw))
    out.write(text)
    out.write("\n")


def write(doc: Any, out: TextIO) -> None:
    """`json.dump(doc, out, indent=2, ensure_ascii=False)` and a newline, the same bytes, through `dumps`: how
    the other JSON reports (SARIF, GitLab) write their documents too."""
    with _no_cyclic_gc():
        text = dumps(doc)
    out.write(text)
    out.write("\n")


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while the document is built: it makes no cycles, but its
    hundreds of thousands of new dicts and strings trigger collections, and a full one walks every object
    the scan still holds (about a second at 1,000 functions). Reference counting still frees everything;
    the collector is switched back on only if it was on (another thread may have paused it too)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def document(result: ScanResult) -> dict[str, Any]:
    doc: dict[str, Any] = clean_tree(_document(result))
    return doc


_CONTAINERS = (dict, list, tuple)
_SCALARS = frozenset({str, int, float, bool, type(None)})  # exact classes: a cheaper test than isinstance
_Encode = Callable[[Any, int], Sequence[str]]


def dumps(value: Any) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, the same text, mostly encoded in C.

    With `indent` the standard library encodes every value in Python; without it, in C. The items of
    a container, encoded by C with `",\n" + indentation` as item separator, read exactly as `indent`
    writes them; so each run of items that are not themselves non-empty containers (most of a report:
    a finding's scalars, locations, string lists) goes to C at once, and only the containers are
    walked here."""
    if c_make_encoder is None:  # pragma: no cover - a Python without the _json accelerator
        return json.dumps(value, indent=2, ensure_ascii=False)
    parts: list[str] = []
    _emit(value, 0, parts, {})
    return "".join(parts)


def _emit(value: Any, level: int, parts: list[str], encoders: dict[int, _Encode]) -> None:
    if not (isinstance(value, _CONTAINERS) and value):  # a scalar, `[]` or `{}`: the same at any level
        parts.extend(_encoder(encoders, level)(value, 0))
        return
    encode = _encoder(encoders, level)
    pad = "\n" + "  " * level
    sep = pad + "  "
    if isinstance(value, dict):
        parts.append("{")
        run: dict[Any, Any] = {}
        for k, v in value.items():
            if v.__class__ in _SCALARS or not (isinstance(v, _CONTAINERS) and v):
                run[k] = v
                continue
            if run:  # the items before this container, as C writes them between the braces
                parts.append(sep)
                parts.append("".join(encode(run, 0))[1:-1])
                run = {}
                sep = "," + pad + "  "
            parts.append(sep)
            parts.append(encode_basestring(k) if isinstance(k, str) else _key(k))
            parts.append(": ")
            _emit(v, level + 1, parts, encoders)
            sep = "," + pad + "  "
        if run:
            parts.append(sep)
            parts.append("".join(encode(run, 0))[1:-1])
        parts.append(pad + "}")
        return
    parts.append("[")
    items: list[Any] = []
    for v in value:
        if v.__class__ in _SCALARS or not (isinstance(v, _CONTAINERS) and v):
            items.append(v)
            continue
        if items:
            parts.append(sep)
            parts.append("".join(encode(items, 0))[1:-1])
            items = []
            sep = "," + pad + "  "
        parts.append(sep)
        _emit(v, level + 1, parts, encoders)
        sep = "," + pad + "  "
    if items:
        parts.append(sep)
        parts.append("".join(encode(items, 0))[1:-1])
    parts.append(pad + "]")


def _encoder(encoders: dict[int, _Encode], level: int) -> _Encode:
    """The C encoder (no `indent`) whose item separator starts a new line at `level` + 1, with the
    settings `json.dumps(ensure_ascii=False)` gives it (NaN allowed, keys unsorted, the same error for
    a value JSON cannot hold)."""
    enc = encoders.get(level)
    if enc is None:
        item_separator = ",\n" + "  " * (level + 1)
        default = json.JSONEncoder().default
        enc = c_make_encoder(None, default, encode_basestring, None, ": ", item_separator, False, False, True)
        encoders[level] = enc
    return enc


def _key(k: Any) -> str:
    """A non-string mapping key as the standard encoder writes it (converted, or refused, as JSON does)."""
    text = json.dumps({k: 0}, ensure_ascii=False, separators=(",", ":"))
    return text[1 : text.rindex(":")]


def _document(result: ScanResult) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "tool": {"name": "fnaudit", "version": __version__},
        "target": result.target,
        # functions by descending risk (fnaudit.risk), then in the order of their apps
        "functions": [_function(app, fn, result) for app, fn in _by_risk(result)],
        "findings": [_finding(f) for f in result.findings],
        "errors": [e.to_json() for e in result.errors],
        # only when an app has nested applications: documents of apps without any are unchanged
        **({"components": components} if (components := _components(result)) else {}),
        "coverage": _coverage(result),
        "stats": {
            "files": result.stats.files,
            "functions": result.stats.functions,
            "seconds": result.stats.seconds,
            "stages": dict(sorted(result.stats.stages.items())),
            "reused": result.stats.reused,
        },
    }


def _components(result: ScanResult) -> list[dict[str, Any]]:
    """Every app's nested applications: what was loaded, and what fnaudit did not see (SAR, remote)."""
    return [
        {
            "app": app.source,
            "logical_id": c.logical_id,
            "type": c.type,
            "kind": c.kind.value,
            "location": c.location,
            "version": c.version,
            "loaded_as": c.loaded_as,
            "note": c.note,
            "loc": _loc(c.loc),
        }
        for app in result.apps
        for c in app.components
    ]


def _coverage(result: ScanResult) -> dict[str, Any]:
    """What happened to every file under the root, and what each function was credited (model.coverage)."""
    c = result.coverage
    return {
        "functions": [
            {
                "function": f.function_id,
                "name": f.name,
                "code_files": list(f.code_files),
                "lockfiles": list(f.lockfiles),
                "code_note": f.code_note,
                "lockfile_note": f.lockfile_note,
            }
            for f in c.functions
        ],
        "files": [
            {
                "path": f.path,
                "state": f.state.value,
                "by": list(f.by),
                "kind": f.kind.value if f.kind is not None else None,
                "reason": f.reason,
            }
            for f in c.files
        ],
        "folders": [{"path": f.path, "reason": f.reason} for f in c.folders],
    }


def _loc(loc: Loc) -> dict[str, Any]:
    """`{"path", "line"}`, and `"key"` only for a location that has one (a live-account finding's configuration
    key): the location objects of repository scans stay what they always were."""
    if loc.key:
        return {"path": loc.path, "line": loc.line, "key": loc.key}
    return {"path": loc.path, "line": loc.line}


def _plain(v: Value[Any]) -> Any:
    """The value itself: null when unset (platform default) or unresolved."""
    return v.value if v.is_set else None


def _by_risk(result: ScanResult) -> list[tuple[App, Function]]:
    pairs = [(app, fn) for app in result.apps for fn in app.functions]
    order = {fn.id: i for i, (_, fn) in enumerate(pairs)}
    risk = result.risk
    return sorted(pairs, key=lambda p: (-(risk[p[1].id].score if p[1].id in risk else 0.0), order[p[1].id]))


def _function(app: App, fn: Function, result: ScanResult | None = None) -> dict[str, Any]:
    risk = result.risk.get(fn.id) if result is not None else None
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
        "packages": sum(1 for p in fn.packages if p.source != "manifest"),  # third-party packages it ships
        "location": _loc(fn.loc),
        **({"blast_radius": _blast(fn)} if fn.blast_radius is not None else {}),
        **({"risk": _risk(risk)} if risk is not None else {}),
        # present when the code engine analysed the function's code ([] = no AWS SDK call found)
        **({"sdk_calls": [_sdk_call(c) for c in fn.sdk_calls]} if fn.code_facts is not None else {}),
        **({"framework": fn.framework} if fn.framework else {}),
        # the framework routes the function serves (Flask, FastAPI, Django, Express, Chalice, Powertools…)
        **({"routes": [_route(fn, r) for r in fn.code_facts.routes]} if fn.code_facts and fn.code_facts.routes else {}),
    }


def _route(fn: Function, r: Route) -> dict[str, Any]:
    served = serving_trigger(fn, r)
    return {
        "method": r.method,
        "path": r.path,
        "view": r.view,
        "framework": r.framework,
        "location": _loc(r.loc),
        "auth_in_code": r.auth,
        "trigger": _trigger(served) if served is not None else None,
    }


def _risk(r: Risk) -> dict[str, Any]:
    """exposure × exploitability × blast radius, 0–100 (formula in fnaudit.risk)."""
    return {
        "score": r.score,
        "exposure": r.exposure,
        "exploitability": r.exploitability,
        "blast": r.blast,
        "reasons": list(r.reasons),
    }


def _sdk_call(c: SdkCall) -> dict[str, Any]:
    return {
        "service": c.service,
        "operation": c.operation,
        "location": _loc(c.loc),
        "resource": c.resource,
        "confidence": c.confidence,
        "reachable": c.reachable,
    }


def _blast(fn: Function) -> dict[str, Any]:
    """The IAM engine's blast radius (score documented in fnaudit.engines.iam.blast)."""
    b = fn.blast_radius
    assert b is not None
    perms = fn.permissions
    return {
        "score": b.score,
        "admin": b.admin,
        "pairs": b.pairs,
        "conditional_pairs": b.conditional_pairs,
        "by_service": {svc: dict(levels) for svc, levels in b.by_service.items()},
        "escalation": [
            {
                "method": e.method,
                "name": e.name,
                "conditional": e.conditional,
                "to_admin": e.to_admin,
                "targets": list(e.targets),
                "granted_by": [{"action": a, "location": _loc(g.loc), "source": g.source} for a, g in e.evidence],
            }
            for e in (perms.escalations if perms is not None else ())
        ],
        "reaches_functions": list(b.reaches_functions),
        "inherits_from": list(b.inherits_from),
        "unknown_policies": list(perms.unknown_policies) if perms is not None else [],
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
        "attribution": f.attribution,  # "unclaimed": in a file no function claims; null otherwise
        "location": _loc(f.location),
        "message": f.message,
        "evidence": f.evidence,
        "remediation": f.remediation,
        "fingerprint": f.fingerprint,
        "suppressed": f.suppressed,
    }
    if f.suppression is not None:
        doc["suppression"] = {"kind": f.suppression.kind, "reason": f.suppression.reason}
    if f.trace:  # data-flow findings: source → steps → sink
        doc["trace"] = [{**_loc(s.loc), "note": s.note} for s in f.trace]
    if f.advisories:  # dependency findings: every advisory of the package version, worst first
        doc["advisories"] = [advisory_doc(a) for a in f.advisories]
    if f.problems:  # IAM findings, one per statement: each problem as its rule reported it (rules.iam.merge)
        doc["problems"] = [problem_doc(p) for p in f.problems]
    if f.merged:  # fnaudit.merge: every finding of this location and cause, this one first, with its fingerprint
        doc["merged"] = [merged_doc(m) for m in f.merged]
    if f.related:  # an attack path's foothold: the CODE finding it stands on, listed on its own too
        doc["related"] = [
            {
                "rule_id": r.rule_id,
                "rule_name": r.rule_name,
                "fingerprint": r.fingerprint,
                "location": _loc(r.location),
                "role": r.role,
            }
            for r in f.related
        ]
    if f.shown_with is not None:  # a foothold: readers' reports show it inside this attack path
        doc["shown_with"] = f.shown_with
    return doc


def merged_doc(m: Merged) -> dict[str, Any]:
    """One finding folded into a finding of the same location and cause, as JSON and SARIF carry it."""
    out: dict[str, Any] = {
        "rule_id": m.rule_id,
        "rule_name": m.rule_name,
        "severity": m.severity.value,
        "fingerprint": m.fingerprint,
        "location": _loc(m.location),
        "message": m.message,
        "suppressed": m.suppression is not None,
    }
    if m.suppression is not None:
        out["suppression"] = {"kind": m.suppression.kind, "reason": m.suppression.reason}
    return out


def problem_doc(p: Problem) -> dict[str, Any]:
    """One problem of an IAM statement's finding, as JSON and SARIF carry it."""
    return {
        "rule_id": p.rule_id,
        "rule_name": p.rule_name,
        "severity": p.severity.value,
        "location": _loc(p.location),
        "message": p.message,
        "evidence": p.evidence,
        "remediation": p.remediation,
    }


def advisory_doc(a: Advisory) -> dict[str, Any]:
    """One advisory of a dependency finding, as JSON and SARIF carry it."""
    return {
        "id": a.id,
        "aliases": list(a.aliases),
        "summary": a.summary,
        "severity": a.severity,  # critical | high | medium | low, null when unrated
        "cvss": a.cvss,
        "score": a.score,
        "fixed": a.fixed,  # the lowest version that fixes this one; null when none is known
        "malicious": a.malicious,
    }
