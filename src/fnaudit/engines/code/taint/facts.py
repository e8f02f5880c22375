"""The facts the rules read, computed from a handler's summary (the same for every language).

- flows: event data (parameter `event_index`, or the `EVENT` root) reaching a sink not sanitised
  for it, classified by what the function's triggers make attacker controlled (`sources`);
- runtime state: a module-level mutable object or a file under /tmp written with event data (any
  part of it, even identity claims: the next invocation may serve another caller);
- verbose errors: exception text in a value the handler returns;
- sensitive logging: the whole event, or a secret-named environment variable, logged.
"""

from __future__ import annotations

from fnaudit.engines.code import ir
from fnaudit.engines.code.sources import ANY, classify, render, specs_for
from fnaudit.engines.code.taint.credentials import credential_path, returned_environment, secret_label
from fnaudit.engines.code.taint.values import EVENT, EXC, SECRET, Summary
from fnaudit.model.app import Function
from fnaudit.model.code import Flow, LogLeak, Sink, Source, StateWrite, Step, VerboseError

_RANK = {"high": 2, "medium": 1, "low": 0}
_DOWN = {"high": "medium", "medium": "low", "low": "low"}


def flows(summary: Summary, event_index: int, param_name: str, fn: Function) -> list[Flow]:
    """One flow per sink (kind, file, line): the most confident, then the shortest."""
    specs = specs_for(fn.triggers)
    best: dict[tuple[str, str, int], Flow] = {}
    for ev in summary.events:
        if ev.kind not in ir.SINK_KINDS:
            continue
        for r, steps in ev.val:
            if r.root not in (event_index, EVENT) or ev.kind in r.cleared:
                continue
            spec = classify(r.path, r.flat, specs)
            if spec is None:
                continue
            confidence = spec.confidence
            if ANY in r.path:  # read at a computed key: maybe not the attacker-controlled part
                confidence = _DOWN[confidence]
            if ir.WEAK_GUARD + ev.kind in r.cleared:  # checked by a bypassable guard (see `ir.WEAK_GUARD`)
                confidence = _DOWN[confidence]
            source_loc = steps[0].loc if steps else ev.loc
            source = Source(render(r.path, param_name), source_loc, spec.triggers, confidence)
            flow = Flow(
                source,
                Sink(ev.kind, ev.call, ev.loc),
                (*tuple(steps), Step(ev.loc, f"reaches the {ev.call}" if " " in ev.call else f"reaches {ev.call}()")),
                confidence,
                ev.route,
            )
            key = (ev.kind, ev.loc.path, ev.loc.line)
            old = best.get(key)
            if old is None or (_RANK[flow.confidence], -len(flow.steps)) > (_RANK[old.confidence], -len(old.steps)):
                best[key] = flow
    return sorted(best.values(), key=lambda f: (f.sink.loc, f.sink.kind))


def state_writes(summary: Summary, event_index: int) -> list[StateWrite]:
    out: dict[tuple[str, int], StateWrite] = {}
    for ev in summary.events:
        if ev.kind not in ("state-global", "state-tmp"):
            continue
        refs = [(r, s) for r, s in ev.val if r.root in (event_index, EVENT)]
        if not refs:
            continue
        steps = min((s for _, s in refs), key=len)
        kind = "global" if ev.kind == "state-global" else "tmp"
        key = (ev.loc.path, ev.loc.line)
        out.setdefault(key, StateWrite(kind, ev.call, ev.loc, (*tuple(steps), Step(ev.loc, f"written to {ev.call}"))))
    return sorted(out.values(), key=lambda s: (s.loc, s.kind))


def verbose_errors(summary: Summary) -> list[VerboseError]:
    out: dict[tuple[str, int], VerboseError] = {}
    for loc, val in summary.returns:
        for r, steps in val.items():
            if r.root == EXC:
                out.setdefault(
                    (loc.path, loc.line),
                    VerboseError(r.label, loc, (*tuple(steps), Step(loc, "returned to the caller"))),
                )
    return sorted(out.values(), key=lambda v: v.loc)


def log_leaks(summary: Summary, event_index: int, extra: tuple[LogLeak, ...] = ()) -> list[LogLeak]:
    """Logged events and secrets; `extra` are the front end's own (a logging decorator's setting),
    kept unless a logged value already stands at the same place."""
    out: dict[tuple[str, int, str], LogLeak] = {}
    for ev in summary.events:
        if ev.kind != "log":
            continue
        for r, steps in ev.val:
            if r.root in (event_index, EVENT) and r.path == ():
                out.setdefault(
                    (ev.loc.path, ev.loc.line, "event"),
                    LogLeak("event", ev.loc, "", (*tuple(steps), Step(ev.loc, f"logged by {ev.call}()"))),
                )
            elif r.root == SECRET and (label := secret_label(r)) is not None:
                out.setdefault(
                    (ev.loc.path, ev.loc.line, label),
                    LogLeak("secret", ev.loc, label, (*tuple(steps), Step(ev.loc, f"logged by {ev.call}()"))),
                )
            elif r.root in (event_index, EVENT) and credential_path(r.path):  # a token or cookie of the caller
                name = render(r.path)
                out.setdefault(
                    (ev.loc.path, ev.loc.line, name),
                    LogLeak("credential", ev.loc, name, (*tuple(steps), Step(ev.loc, f"logged by {ev.call}()"))),
                )
    for loc, val in summary.returns:  # the whole environment returned: the function's AWS credentials
        for r in returned_environment(dict(val)):
            steps = dict(val)[r]
            out.setdefault(
                (loc.path, loc.line, r.label),
                LogLeak("returned", loc, r.label, (*tuple(steps), Step(loc, "returned to the caller"))),
            )
    for leak in extra:
        out.setdefault((leak.loc.path, leak.loc.line, leak.name or leak.kind), leak)
    return sorted(out.values(), key=lambda x: (x.loc, x.kind, x.name))
