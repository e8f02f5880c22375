"""Small `ast` helpers the Python fact extractors (auth checks, weaknesses) share."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fnaudit.engines.code.python.modules import Module

FuncDef = ast.FunctionDef | ast.AsyncFunctionDef

# The request as handlers name it: the handler's first parameter, else one of these; the attributes a
# router exposes the request being handled by (Chalice `app.current_request`, Powertools `app.current_event`);
# and the keys the event's headers are read under.
REQUEST_ROOTS = frozenset({"event", "evt", "req", "request"})
CURRENT_REQUEST = frozenset({"current_request", "current_event"})
HEADER_KEYS = frozenset({"headers", "multiValueHeaders"})


def top_defs(mod: Module) -> Iterator[FuncDef]:
    """Module-level functions and class methods: the units the analyser's reachability is computed for."""
    for top in mod.tree.body:
        if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield top
        elif isinstance(top, ast.ClassDef):
            yield from (b for b in top.body if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef)))


def def_spans(mod: Module) -> list[tuple[int, int, int]]:
    """(first line, last line, id) of `top_defs`, keyed like the analyser's reachable set (`id(def)`).

    Top-level definitions never overlap, so a fact lies in at most one span (see `engines.code.reach`)."""
    return [(d.lineno, d.end_lineno or d.lineno, id(d)) for d in top_defs(mod)]


def callee_name(call: ast.Call) -> str:
    """The name a call is made by: `f(...)` → f, `a.b.f(...)` → f; '' for anything else."""
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else ""
