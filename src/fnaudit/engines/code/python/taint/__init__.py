"""Intra-procedural taint propagation for Python, with one summary per function.

A function is analysed once, with its parameters as symbolic roots: a value is a set of `Ref`s
(parameter `i`, read at event path `p`), each with the trace steps that brought it there. The
summary of a function is what its return value and its sink arguments are made of, in terms of
its parameters; a call applies the callee's summary to the caller's arguments. The handler is
just the function whose parameter 0 is the event, so the same summaries serve every handler
(and every function that shares a module), and the engine never re-analyses a function.

Besides parameters, two special roots: `EXC` (exception text: `str(e)`, `traceback.format_exc()`)
for the verbose-error check, and `SECRET` (an environment variable whose name says it is a
secret) for the sensitive-logging check.

The analysis is flow-sensitive in straight-line code (an assignment replaces the value), merges
both branches of an `if`, runs loop bodies twice, and understands a few guards: membership in a
constant allowlist, `isdigit()`-style checks, `re.fullmatch`, and a `startswith` check on a
normalised path (`os.path.realpath`).

Layout: `values` (the value model), `engine` (the summary cache and the per-function driver),
`statements`, `guards`, `names`, `expressions`, `calls`, `interprocedural` (summaries applied across
functions and modules), `checks` (sinks and effects), `validation` (schemas and pydantic models),
`syntax` (AST helpers).
"""

from __future__ import annotations

from fnaudit.engines.code.python.taint.engine import FunctionAnalysis, TaintEngine
from fnaudit.engines.code.python.taint.values import (
    ALL,
    EMPTY,
    EVENT,
    EXC,
    MAX_PATH,
    MAX_STEPS,
    SECRET,
    Event,
    Ref,
    Summary,
    Val,
    active,
    instantiate,
    join_branches,
    clear,
    flatten,
    sub,
    union,
    with_step,
)

__all__ = [
    "ALL", "EMPTY", "EVENT", "EXC", "MAX_PATH", "MAX_STEPS", "SECRET", "Event", "FunctionAnalysis", "Ref", "Summary",
    "TaintEngine", "Val", "active",
    "instantiate", "join_branches", "clear", "flatten", "sub", "union", "with_step",
]
