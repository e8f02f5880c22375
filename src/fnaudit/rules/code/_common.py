"""Shared by the CODE rules: severity from the trigger, and the hit of a data flow with its trace.

The same sink is worse the easier its source is to reach: the rule's top severity when the data
comes from a public HTTP route with no authorizer, one level lower behind an authorizer (or on a
private API), two levels lower (and lower confidence) when the source is an internal trigger
(queue, bucket, stream…) or the trigger is unknown.
"""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Hit, Severity, TraceStep
from fnaudit.model.app import App, Function, Trigger, TriggerKind
from fnaudit.model.code import Flow, Step

_LADDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)
_DOWN = {"high": "medium", "medium": "low", "low": "low"}


def lower(sev: Severity, levels: int) -> Severity:
    return _LADDER[min(_LADDER.index(sev) + levels, len(_LADDER) - 1)]


def exposure(fn: Function, trigger_kinds: tuple[str, ...]) -> tuple[int, str, Trigger | None]:
    """(levels below the top severity, a phrase saying how the source is reached, the trigger)."""
    kinds = set(trigger_kinds)
    http = [t for t in fn.triggers if t.kind.value in kinds and t.kind.is_http]
    open_routes = [t for t in http if t.public and not t.is_authenticated]
    if open_routes:
        t = open_routes[0]
        return 0, f"{_describe(t)}, public with no authorizer", t
    if http:
        t = http[0]
        auth = t.authorizer.kind.value
        return 1, f"{_describe(t)}, " + (f"behind an authorizer ({auth})" if t.is_authenticated else "not public"), t
    matching = [t for t in fn.triggers if t.kind.value in kinds]
    if matching:
        return 2, f"{_describe(matching[0])} (internal trigger)", matching[0]
    return 2, "an unknown trigger", None


def _describe(t: Trigger) -> str:
    if t.kind is TriggerKind.FUNCTION_URL:
        return "function URL"
    return t.describe


def trace_text(steps: tuple[Step, ...]) -> str:
    return " → ".join(f"{s.loc} {s.note}" for s in steps)


def trace(steps: tuple[Step, ...]) -> tuple[TraceStep, ...]:
    return tuple(TraceStep(s.loc, s.note) for s in steps)


def flow_hits(app: App, kind: str, top: Severity, what: str, fix: str, fix_node: str | None = None) -> Iterator[Hit]:
    """One hit per flow of sink family `kind`, at the sink line, with the trace as evidence.

    `fix_node`: the remediation worded for JavaScript/TypeScript, used for Node functions."""
    for fn in app.functions:
        if fn.code_facts is None:
            continue
        for flow in fn.code_facts.flows:
            if flow.sink.kind == kind:
                yield flow_hit(fn, flow, top, what, for_language(fn, fix, fix_node))


def for_language(fn: Function, fix: str, fix_node: str | None) -> str:
    """The remediation in the function's language (Python wording unless a Node one is given)."""
    return fix_node if fix_node and fn.code.language == "node" else fix


def flow_hit(fn: Function, flow: Flow, top: Severity, what: str, fix: str) -> Hit:
    levels, reached, _ = exposure(fn, flow.source.triggers)
    confidence = flow.confidence if levels < 2 else _DOWN[flow.confidence]
    message = (
        f"function {fn.name}: {flow.source.path} (from {reached}) reaches {flow.sink.call} "
        f"at line {flow.sink.loc.line}: {what}"
    )
    return Hit(
        flow.sink.loc,
        message,
        function=fn.id,
        evidence=trace_text(flow.steps),
        remediation=fix,
        severity=lower(top, levels),
        key=f"{flow.sink.kind}:{flow.sink.call}:{flow.source.path}",
        trace=trace(flow.steps),
        confidence=confidence,
    )
