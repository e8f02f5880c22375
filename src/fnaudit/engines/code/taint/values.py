"""The value lattice: a value is a set of `Ref`s (a root read at a path), each with its trace steps.

Language-neutral: a front end produces these values from its syntax and never looks inside them
except through the helpers below. Roots: a parameter index (>= 0), or one of the special roots
`EXC` (exception text), `SECRET` (a secret-named environment variable), `EVENT` (the invocation's
event reached without a parameter, e.g. Powertools `app.current_event`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fnaudit.model.code import Route, Step
from fnaudit.model.loc import Loc

EXC = -2
SECRET = -3
EVENT = -4
# The label of an `EXC` value that is another function's response (`lambda.invoke`): it carries that
# function's `errorMessage` and `stackTrace` when it fails, so returning it is a verbose error.
INVOKE_RESPONSE = "the response of another function it invoked (errorMessage and stackTrace when that one fails)"
# Caps keep values finite on loops and deep structures (the analysis must terminate on any input).
MAX_STEPS = 12
MAX_PATH = 8
# "Sanitised for every sink kind": `clear(v, ALL)` drops the value altogether.
ALL = frozenset({"*"})


@dataclass(frozen=True, slots=True)
class Ref:
    root: int  # >= 0: parameter index; EXC; SECRET; EVENT
    path: tuple[str, ...] = ()
    flat: bool = False  # text built from the value: further subscripts keep the path
    cleared: frozenset[str] = frozenset()  # sink kinds this value was sanitised for
    label: str = ""


Val = dict[Ref, tuple[Step, ...]]
# The environment of a function walk: access key (`a.b['c']`, `a.b`) → value.
Env = dict[str, Val]
EMPTY: Val = {}


def union(*vals: Val) -> Val:
    """The join of values: every ref of any of them, keeping the shortest trace of each."""
    if len(vals) == 1:
        return vals[0]
    out: Val = {}
    for v in vals:
        for r, s in v.items():
            if r not in out or len(s) < len(out[r]):
                out[r] = s
    return out


def flatten(v: Val) -> Val:
    """Text built from the value (concatenation, formatting): it keeps its path under later reads."""
    if all(r.flat for r in v):
        return v
    out: Val = {}
    for r, s in v.items():
        nr = r if r.flat else Ref(r.root, r.path, True, r.cleared, r.label)
        if nr not in out:
            out[nr] = s
    return out


def sub(v: Val, key: str) -> Val:
    """The value read at `key` inside `v` (a field, an element: see `sources.ELEM`/`ANY`)."""
    if not v:
        return v
    out: Val = {}
    for r, s in v.items():
        nr = r if r.flat or len(r.path) >= MAX_PATH else Ref(r.root, (*r.path, key), False, r.cleared, r.label)
        out.setdefault(nr, s)
    return out


def clear(v: Val, kinds: frozenset[str]) -> Val:
    """The value sanitised for the sink kinds `kinds` (for all of them when `kinds is ALL`)."""
    if kinds is ALL:
        return {}
    out: Val = {}
    for r, s in v.items():
        out.setdefault(Ref(r.root, r.path, r.flat, r.cleared | kinds, r.label), s)
    return out


def with_step(v: Val, step: Step) -> Val:
    if not v:
        return v
    return {r: ((*s, step) if len(s) < MAX_STEPS else s) for r, s in v.items()}


def active(v: Val, kind: str) -> Val:
    """The refs not sanitised for sink `kind`."""
    return {r: s for r, s in v.items() if kind not in r.cleared}


# --- summaries -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    """Something a function does with a value: a sink (`kind` = sink family), `log`, `state-global`, `state-tmp`."""

    kind: str
    call: str
    loc: Loc
    val: tuple[tuple[Ref, tuple[Step, ...]], ...]
    route: Route | None = None  # the framework route whose view the event happened in


@dataclass(slots=True)
class Summary:
    """Built while one function is walked (hence mutable), then only read."""

    params: list[str]
    ret: Val = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    returns: list[tuple[Loc, Val]] = field(default_factory=list)
    self_attrs: dict[str, Val] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)  # framework routes merged into this summary

    def record(self, kind: str, call: str, loc: Loc, val: Val) -> None:
        """An event with a value (an event without one carries no taint and is not kept)."""
        if val:
            self.events.append(Event(kind, call, loc, tuple(val.items())))


def instantiate(val: Val, args: Sequence[Val]) -> Val:
    """A callee's summary value seen at one call: each reference to parameter N becomes argument N's
    references (paths joined, steps appended, capped); the callee's own roots (event, module state)
    stay as they are."""
    out: Val = {}
    for r, steps in val.items():
        if r.root < 0:
            out.setdefault(r, steps)
            continue
        if r.root >= len(args):
            continue
        for a, asteps in args[r.root].items():
            nr = Ref(
                a.root,
                a.path if a.flat else (a.path + r.path)[:MAX_PATH],
                a.flat or r.flat,
                a.cleared | r.cleared,
                a.label,
            )
            s = (asteps + steps)[:MAX_STEPS]
            if nr not in out or len(s) < len(out[nr]):
                out[nr] = s
    return out


# --- environments ----------------------------------------------------------------------------------


def merge_envs(a: Env, b: Env) -> Env:
    """Both paths may have run (loop bodies, exception handlers, the two arms of an `if`)."""
    out = dict(a)
    for k, v in b.items():
        out[k] = union(out[k], v) if k in out and out[k] is not v else v
    return out


def join_branches(
    body: Env, body_ends: bool, other: Env, other_ends: bool, merge: Callable[[Env, Env], Env] = merge_envs
) -> Env:
    """The environment after an if/else: a branch that returns or raises does not flow on, so only
    the other one does; when both (or neither) end, both are merged."""
    if body_ends and not other_ends:
        return other
    if other_ends and not body_ends:
        return body
    return merge(body, other)


def sanitise(env: Env, key: str, kinds: frozenset[str], fields: bool = False) -> None:
    """A guard constrains `key` for `kinds` in the current branch. A key never assigned becomes an
    explicit empty value, so a later read does not fall back to its (tainted) base. With `fields`,
    the keys read through it (`key.x`) are constrained too (JavaScript: `event.body` is both)."""
    env[key] = clear(env[key], kinds) if key in env else {}
    if fields:
        for k in [k for k in env if k.startswith(key + ".")]:
            env[k] = clear(env[k], kinds)


def stored_in_field(val: Val, event_index: int | None) -> Val:
    """A value stored in a field or property outlives the call (the Java and Kotlin front ends): the handler's
    event reads become the `EVENT` root, which any method may read; a helper's parameter refs cannot be
    named from elsewhere and are dropped."""
    out: Val = {}
    for r, s in val.items():
        if r.root < 0:
            out[r] = s
        elif r.root == event_index:
            out[Ref(EVENT, r.path, r.flat, r.cleared, r.label)] = s
    return out
