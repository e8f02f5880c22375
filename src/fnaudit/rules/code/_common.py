"""Shared by the CODE rules: severity from the trigger, and the hit of a data flow with its trace.

The same sink is worse the easier its source is to reach: the rule's top severity when the data
comes from a public HTTP route with no authorizer, one level lower behind an authorizer (or on a
private API), two levels lower (and lower confidence) when the source is an internal trigger
(queue, bucket, stream…) or the trigger is unknown. Entry points in code no function claims
(`App.unclaimed`) are reported with no function, one level below the top (`unclaimed_flow_hits`,
`unclaimed_hits`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from fnaudit.findings import Hit, Severity, TraceStep
from fnaudit.model.app import App, Authorizer, Code, Function, Trigger, TriggerKind
from fnaudit.model.code import Flow, Route, Step
from fnaudit.model.loc import Loc, Value
from fnaudit.model.routes import serving_trigger
from fnaudit.model.unclaimed import UNCLAIMED, UnclaimedEntry
from fnaudit.rules.code._second_order import StoreWrite, feeding, writes
from fnaudit.rules.registry import Context

_LADDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)
_DOWN = {"high": "medium", "medium": "low", "low": "low"}


def lower(sev: Severity, levels: int) -> Severity:
    return _LADDER[min(_LADDER.index(sev) + levels, len(_LADDER) - 1)]


def exposure(
    fn: Function, trigger_kinds: tuple[str, ...], route: Route | None = None
) -> tuple[int, str, Trigger | None]:
    """(levels below the top severity, a phrase saying how the source is reached, the trigger).

    With the framework `route` the data came in by, the trigger is the one that serves that route
    (its own API route for Chalice, the proxy route for an app behind an adapter), and authentication
    the route's code declares (`@login_required`, an auth middleware) counts one level."""
    if route is not None:
        serving = serving_trigger(fn, route)
        if serving is not None:
            levels, reached, t = exposure(replace(fn, triggers=(serving,)), trigger_kinds)
            if route.auth is not None and levels == 0:
                levels, reached = (
                    1,
                    f"{_describe(serving)}, public; the route requires authentication in code ({route.auth})",
                )
            return levels, f"route {route.describe} via {reached}", t
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


@dataclass(frozen=True, slots=True)
class AppFlows:
    """What a flow's hit needs to know of the rest of the app: the `store` writes of its functions (for
    second-order flows) and the code files several functions share (for the line to change)."""

    app: App
    stored: tuple[StoreWrite, ...]
    shared: frozenset[str]

    @staticmethod
    def of(app: App) -> AppFlows:
        users: dict[str, int] = {}
        for fn in app.functions:
            for path in set(fn.code_facts.files if fn.code_facts is not None else ()):
                users[path] = users.get(path, 0) + 1
        return AppFlows(app, tuple(writes(app)), frozenset(p for p, n in users.items() if n > 1))


def flow_hits(app: App, kind: str, top: Severity, what: str, fix: str, fix_node: str | None = None) -> Iterator[Hit]:
    """One hit per flow of sink family `kind`, at the line to change, with the trace as evidence.

    `fix_node`: the remediation worded for JavaScript/TypeScript, used for Node functions."""
    context = AppFlows.of(app)
    for fn in app.functions:
        if fn.code_facts is None:
            continue
        for flow in fn.code_facts.flows:
            if flow.sink.kind == kind:
                yield flow_hit(fn, flow, top, what, for_language(fn, fix, fix_node), context)
    yield from unclaimed_flow_hits(app, kind, top, what, fix, fix_node)


def for_language(fn: Function, fix: str, fix_node: str | None) -> str:
    """The remediation in the function's language (Python wording unless a Node one is given)."""
    return fix_node if fix_node and fn.code.language == "node" else fix


def flow_hit(fn: Function, flow: Flow, top: Severity, what: str, fix: str, context: AppFlows | None = None) -> Hit:
    """The hit of one flow. With the `context` of the app:

    - a flow from an internal trigger (a queue, a table's stream, a bucket…) that another function of the
      app fills with its own event data is a second-order flow: reported once, here, with the writer's
      exposure one level lower, both functions named and the writer's steps first (see `_second_order`);
    - a sink inside a helper that several functions share is reported at the call in this function's own
      code, where the fix usually goes (the helper may be safe for its other callers); the sink stays the
      trace's last step (SARIF shows it as a related location)."""
    levels, reached, trigger = exposure(fn, flow.source.triggers, flow.route)
    confidence = flow.confidence if levels < 2 else _DOWN[flow.confidence]
    steps = flow.steps
    functions: tuple[str, ...] = ()
    if levels >= 2 and context is not None:
        fed = _most_exposed_writer(context.app, list(context.stored), fn, trigger)
        if fed is not None and fed[0] + 1 < levels:
            w_levels, w_reached, write = fed
            # as sure as the weaker of the two flows: below a direct public flow (high), above an internal one
            levels, confidence = (
                w_levels + 1,
                min(write.flow.confidence, flow.confidence, key=lambda c: _RANK.get(c, 0)),
            )
            reached = (
                f"{reached}; function {write.fn.name} stores {write.flow.source.path} from {w_reached} "
                f"into it at {write.call.loc}: a second-order flow"
            )
            steps = (*write.flow.steps, *flow.steps)
            functions = (fn.id, write.fn.id)
    at = _own_call(flow, context.shared) if context is not None else None
    where = f"at line {flow.sink.loc.line}"
    if at is not None:
        where = f"in {flow.sink.loc} (a helper other functions share too), called at line {at.line}"
    message = f"function {fn.name}: {flow.source.path} (from {reached}) reaches {flow.sink.call} {where}: {what}"
    return Hit(
        at or flow.sink.loc,
        message,
        function=fn.id,
        evidence=trace_text(steps),
        remediation=fix,
        severity=lower(top, levels),
        key=f"{flow.sink.kind}:{flow.sink.call}:{flow.source.path}",
        functions=functions,
        trace=trace(steps),
        confidence=confidence,
    )


def _own_call(flow: Flow, shared: frozenset[str]) -> Loc | None:
    """Where a flow whose sink sits in a shared file leaves the function's own code: the last step in a
    file no other function shares; None when the sink is in the function's own code (or no step is)."""
    if flow.sink.loc.path not in shared:
        return None
    own = [s.loc for s in flow.steps if s.loc.path and s.loc.path not in shared and s.loc.line > 0]
    return own[-1] if own else None


_RANK = {"low": 0, "medium": 1, "high": 2}


def _most_exposed_writer(
    app: App, known: list[StoreWrite], fn: Function, trigger: Trigger | None
) -> tuple[int, str, StoreWrite] | None:
    """(levels, how it is reached, the write) of the most exposed function writing event data into the
    store that fires `trigger`; None when no function of the app does."""
    best: tuple[int, str, StoreWrite] | None = None
    for write in feeding(app, known, fn, trigger):
        levels, reached, _ = exposure(write.fn, write.flow.source.triggers, write.flow.route)
        if best is None or levels < best[0]:
            best = (levels, reached, write)
    return best


# Code no function claims (App.unclaimed, engines/code/unclaimed.py): no trigger is known, so the whole
# event is the source. Reported with no function, one level below a public route with no authorizer
# (a script may well be deployed that way, but nothing says it is) and one step less confident.


def unclaimed_where(entry: UnclaimedEntry) -> str:
    """How a finding names an unclaimed entry: the symbol and the file, never a function. A Python web app
    is named by its app object (`app = Flask(__name__)`); everything else is a handler export."""
    noun = "app" if entry.language == "python" and entry.kind != "handler" else "handler"
    return f"{noun} `{entry.symbol}` in a file no function claims ({entry.file})"


def unclaimed_flow_hits(
    app: App, kind: str, top: Severity, what: str, fix: str, fix_node: str | None = None
) -> Iterator[Hit]:
    """`flow_hits` for the app's unclaimed entries."""
    for entry in app.unclaimed:
        remedy = fix_node if fix_node and entry.language == "node" else fix
        for flow in entry.code_facts.flows:
            if flow.sink.kind != kind:
                continue
            route = f", route {flow.route.method} {flow.route.path}" if flow.route is not None else ""
            yield Hit(
                flow.sink.loc,
                f"{unclaimed_where(entry)}: {flow.source.path} (the whole event is untrusted: no trigger is known"
                f"{route}) reaches {flow.sink.call} at line {flow.sink.loc.line}: {what}",
                evidence=trace_text(flow.steps),
                remediation=remedy,
                severity=lower(top, 1),
                key=f"{entry.symbol}:{flow.sink.kind}:{flow.sink.call}:{flow.source.path}",
                trace=trace(flow.steps),
                confidence=_DOWN[flow.confidence],
                attribution=UNCLAIMED,
            )


def unclaimed_hits(
    app: App, ctx: Context, check: Callable[[App, Context], Iterable[Hit]], default: Severity
) -> Iterator[Hit]:
    """A per-function CODE rule (`check`) run on the app's unclaimed entries, its hits re-attributed.

    Each entry is seen as a function behind a public route with no authorizer, the worst case the rule
    knows, so that its hit carries the rule's top severity for that fact; the hit is then lowered one
    level (`default` when the rule left the severity to its own), one step less confident, and names the
    file and symbol instead of a function. The views exist only here: no other rule ever sees them."""
    if not app.unclaimed:
        return
    views = {f"{e.file}#{e.symbol}": (e, _worst_case_view(e)) for e in app.unclaimed}
    seen = replace(app, functions=tuple(v for _, v in views.values()), unclaimed=())
    for hit in check(seen, ctx):
        if hit.function not in views:
            continue
        entry, view = views[hit.function]
        prefix = f"function {view.name}: "
        text = hit.message.removeprefix(prefix)
        yield replace(
            hit,
            message=f"{unclaimed_where(entry)}: {text}",
            function=None,
            functions=(),
            severity=lower(hit.severity or default, 1),
            key=f"{entry.symbol}:{hit.key if hit.key is not None else hit.evidence or text}",
            confidence=_DOWN[hit.confidence],
            attribution=UNCLAIMED,
        )


def _worst_case_view(entry: UnclaimedEntry) -> Function:
    loc = entry.loc
    public = Trigger(TriggerKind.FUNCTION_URL, loc, Authorizer.none(loc), public=True)
    return Function(
        id=f"{entry.file}#{entry.symbol}",
        name=entry.symbol,
        loc=loc,
        runtime=Value.unset(loc),
        handler=Value(entry.symbol, loc),
        code=Code(entry.language, True, handler_file=entry.file, handler_symbol=entry.symbol),
        triggers=(public,),
        code_facts=entry.code_facts,
    )
