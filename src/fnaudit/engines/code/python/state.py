"""The non-taint checks, read off a handler's summary: runtime state, verbose errors, sensitive logs.

- runtime state: a module-level mutable object (or a `global`) written from the handler, or a
  file written under /tmp, with data derived from the event (any part of it: even identity
  claims, since the next invocation may serve another caller);
- verbose errors: exception text (`str(e)`, `traceback.format_exc()`) in a value the handler returns;
- sensitive logging: the whole event, or an environment variable whose name says it is a secret,
  passed to `print` / `logging` / a logger; Powertools `inject_lambda_context(log_event=True)`.
"""

from __future__ import annotations

import ast

from fnaudit.engines.code.python.taint import EVENT, EXC, SECRET, Summary
from fnaudit.model.code import LogLeak, StateWrite, Step, VerboseError
from fnaudit.model.loc import Loc


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
        out.setdefault(key, StateWrite(kind, ev.call, ev.loc, tuple(steps) + (Step(ev.loc, f"written to {ev.call}"),)))
    return list(out.values())


def verbose_errors(summary: Summary) -> list[VerboseError]:
    out: dict[tuple[str, int], VerboseError] = {}
    for loc, val in summary.returns:
        for r, steps in val.items():
            if r.root == EXC:
                out.setdefault((loc.path, loc.line), VerboseError(r.label, loc, tuple(steps) + (Step(loc, "returned to the caller"),)))
    return list(out.values())


def log_leaks(summary: Summary, event_index: int, node: ast.AST, module_rel: str, module_imports: dict) -> list[LogLeak]:
    out: dict[tuple[str, int, str], LogLeak] = {}
    for ev in summary.events:
        if ev.kind != "log":
            continue
        for r, steps in ev.val:
            if r.root in (event_index, EVENT) and r.path == ():
                out.setdefault((ev.loc.path, ev.loc.line, "event"), LogLeak("event", ev.loc, "", tuple(steps) + (Step(ev.loc, f"logged by {ev.call}()"),)))
            elif r.root == SECRET:
                out.setdefault((ev.loc.path, ev.loc.line, r.label), LogLeak("secret", ev.loc, r.label, tuple(steps) + (Step(ev.loc, f"logged by {ev.call}()"),)))
    for dec in getattr(node, "decorator_list", []):
        if isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr == "inject_lambda_context":
            for kw in dec.keywords:
                if kw.arg == "log_event" and isinstance(kw.value, ast.Constant) and kw.value.value is True:
                    loc = Loc(module_rel, dec.lineno)
                    out.setdefault((loc.path, loc.line, "event"), LogLeak("event", loc, "", (Step(loc, "Powertools logs every incoming event (log_event=True)"),)))
    return list(out.values())
