"""Shared by the rules that read code *patterns* (`CodeFacts.weaknesses`) rather than data flows."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fnaudit.findings import Hit, Severity
from fnaudit.model.app import App, Function
from fnaudit.model.code import Weakness
from fnaudit.rules.code._common import exposure, for_language, lower, trace, trace_text


def reach(fn: Function) -> tuple[int, str]:
    """(levels below the top severity, how callers reach the function) over all its triggers."""
    levels, reached, _ = exposure(fn, tuple(t.kind.value for t in fn.triggers))
    return levels, reached


def weakness_hits(
    app: App,
    kind: str,
    severity: Callable[[Function, Weakness], Severity],
    fix: str,
    fix_node: str | None = None,
    http_only: bool = False,
    say_reach: bool = False,
) -> Iterator[Hit]:
    """One hit per weakness of family `kind` per function, on the weakness's line.

    `http_only`: the pattern matters only for a caller's request (authorization, CORS): functions whose
    triggers are all internal (queues, buckets, schedules) are skipped. `say_reach`: the message says how
    callers reach the function (for patterns whose risk is the caller's: tokens, authorization, CORS)."""
    for fn in app.functions:
        if fn.code_facts is None:
            continue
        if http_only and fn.triggers and not fn.http_triggers:
            continue
        for w in fn.code_facts.weaknesses:
            if w.kind != kind:
                continue
            yield Hit(
                w.loc,
                f"function {fn.name}: line {w.loc.line}: {w.detail}" + (f" ({reach(fn)[1]})" if say_reach else ""),
                function=fn.id,
                evidence=trace_text(w.steps),
                remediation=for_language(fn, fix, fix_node),
                severity=severity(fn, w),
                key=f"{kind}:{w.detail}",
                trace=trace(w.steps),
                confidence=w.confidence,
            )


def by_exposure(top: Severity) -> Callable[[Function, Weakness], Severity]:
    """The rule's top severity for a public route with no authorizer, lower behind one or for internal triggers."""

    def severity(fn: Function, _w: Weakness) -> Severity:
        return lower(top, reach(fn)[0])

    return severity
