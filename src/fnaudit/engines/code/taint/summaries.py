"""Summaries applied at call sites: arguments bound to parameters, events and return values carried over.

A function is analysed once with its parameters as symbolic roots; its `Summary` says what its
return value and the values of its events (sinks, logs, state writes) are made of, in terms of
those parameters. At a call, `bind_arguments` lines the caller's argument values up with the
callee's parameters and `instantiate` substitutes them; the handler is just the function whose
parameter 0 (or 1 after `self`) is the event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fnaudit.engines.code.taint.values import EMPTY, Event, Summary, Val, instantiate, with_step
from fnaudit.model.code import Route, Step
from fnaudit.model.loc import Loc


def bind_arguments(
    params: Sequence[str], positional: Sequence[Val], keywords: Mapping[str, Val], receiver: Val | None, step: Step
) -> list[Val]:
    """The argument value of each parameter. `receiver` is the value bound to the first parameter of
    a method (`self`/`this`: the object's value, EMPTY for a fresh object), None for a plain function.
    Every non-empty argument gets the "passed to f()" step."""
    args: list[Val] = [EMPTY] * len(params)
    offset = 0
    if receiver is not None:
        if params:
            args[0] = receiver
        offset = 1
    for i, v in enumerate(positional):
        if i + offset < len(args):
            args[i + offset] = v
    for name, v in keywords.items():
        if name in params:
            args[list(params).index(name)] = v
    return [with_step(a, step) if a else a for a in args]


def apply_events(callee: Summary, args: Sequence[Val], into: Summary, route: Route | None = None) -> None:
    """The callee's events, seen from the caller: recorded in the caller's summary. `route`: the callee
    is the view of that framework route (its events are tagged with it, and it is listed in `into`)."""
    if route is not None:
        into.routes.append(route)
    into.routes.extend(r for r in callee.routes if r not in into.routes)  # a helper that dispatches to routes
    for ev in callee.events:
        val = instantiate(dict(ev.val), args)
        if val:
            into.events.append(Event(ev.kind, ev.call, ev.loc, tuple(val.items()), route or ev.route))


def returned(callee: Summary, args: Sequence[Val], loc: Loc, call_text: str) -> Val:
    """The value a call returns, with the "returned from f()" step."""
    ret = instantiate(callee.ret, args)
    return with_step(ret, Step(loc, f"returned from {call_text}()")) if ret else ret


def call_positional(callee: Summary, args: Sequence[Val], caller: Summary, loc: Loc, name: str) -> Val:
    """A call with positional arguments only (the Go, Java and Kotlin front ends): the callee's events replayed
    in the caller's summary with the arguments bound, and the value it returns."""
    bound = bind_arguments(callee.params, args, {}, None, Step(loc, f"passed to {name}()"))
    apply_events(callee, bound, caller)
    return returned(callee, bound, loc, name)


# Loop nesting up to which a body is walked twice (a value assigned late in the body reaches its start);
# deeper, once: walking every level twice would double the cost with each level, and it must stay linear
# in the file whatever the input.
TWICE_LOOPS = 3


def loop_passes(depth: int) -> int:
    """How many times to walk the body of a loop nested `depth` deep (1 for the outermost)."""
    return 2 if depth <= TWICE_LOOPS else 1
