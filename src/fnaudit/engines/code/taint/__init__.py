"""The language-neutral taint core, shared by every language front end (python/, javascript/).

- `values`: the value lattice (refs with trace steps), environments, branch joins, sanitising;
- `summaries`: function summaries, argument binding and instantiation at call sites;
- `responses`: which parts of a Lambda proxy response literal are XSS / redirect sinks;
- `secrets`: environment variables whose value is a secret (the secrets engine's judgement);
- `resources`: what an environment variable names, for SDK calls;
- `facts`: flows, runtime-state writes, verbose errors and log leaks read off a handler's summary.

A front end translates its syntax into these operations; see docs/language-interface.md.
"""

from __future__ import annotations

from fnaudit.engines.code.taint.summaries import apply_events, bind_arguments, call_positional, loop_passes, returned
from fnaudit.engines.code.taint.values import (
    ALL,
    EMPTY,
    EVENT,
    EXC,
    MAX_PATH,
    MAX_STEPS,
    SECRET,
    Env,
    Event,
    Ref,
    Summary,
    Val,
    active,
    clear,
    flatten,
    instantiate,
    join_branches,
    merge_envs,
    sanitise,
    sub,
    union,
    with_step,
)

__all__ = [
    "ALL",
    "EMPTY",
    "EVENT",
    "EXC",
    "MAX_PATH",
    "MAX_STEPS",
    "SECRET",
    "Env",
    "Event",
    "Ref",
    "Summary",
    "Val",
    "active",
    "apply_events",
    "bind_arguments",
    "call_positional",
    "clear",
    "flatten",
    "instantiate",
    "join_branches",
    "loop_passes",
    "merge_envs",
    "returned",
    "sanitise",
    "sub",
    "union",
    "with_step",
]
