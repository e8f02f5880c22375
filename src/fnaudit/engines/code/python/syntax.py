"""Small `ast` helpers the Python fact extractors (auth checks, weaknesses) share."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import lru_cache

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


def unparse(node: ast.AST) -> str:
    """`ast.unparse(node)`, with a fast path for the common callee shape: a name or a dotted chain of names
    (`boto3.client`, `self.table.get_item`), whose text is the names joined by dots. `ast.unparse` builds a
    whole unparser per call, which made it a visible cost of the code engine."""
    parts: list[str] = []
    cur = node
    while isinstance(cur, ast.Attribute):
        parts.append(cur.attr)
        cur = cur.value
    if not isinstance(cur, ast.Name):
        return _unparse(node)
    parts.append(cur.id)
    return ".".join(reversed(parts))


# The fact extractors ask for the text of the same expression several times (a callee is matched by each
# derivation of `ownership`, a call's text by the taint walk and by the checks). Trees are never modified
# after parsing, so the text of a node never changes; the cache holds its nodes (no reuse of their ids).
_unparse = lru_cache(maxsize=8192)(ast.unparse)
