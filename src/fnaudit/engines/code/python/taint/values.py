"""The value model: a value is a set of `Ref`s (a root read at a path), each with its trace steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fnaudit.model.code import Step
from fnaudit.model.loc import Loc

EXC = -2
SECRET = -3
EVENT = -4  # the invocation's event reached without a parameter (Powertools `app.current_event`)
MAX_STEPS = 12
MAX_PATH = 8
ALL = frozenset({"*"})


@dataclass(frozen=True, slots=True)
class Ref:
    root: int  # >= 0: parameter index; EXC; SECRET
    path: tuple[str, ...] = ()
    flat: bool = False  # text built from the value: further subscripts keep the path
    cleared: frozenset[str] = frozenset()  # sink kinds this value was sanitised for
    label: str = ""


Val = dict[Ref, tuple[Step, ...]]
EMPTY: Val = {}


@dataclass(frozen=True, slots=True)
class Event:
    """Something a function does with a value: a sink (`kind` = sink family), `log`, `state-global`, `state-tmp`."""

    kind: str
    call: str
    loc: Loc
    val: tuple[tuple[Ref, tuple[Step, ...]], ...]


@dataclass(slots=True)
class Summary:
    params: list[str]
    ret: Val = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    returns: list[tuple[Loc, Val]] = field(default_factory=list)
    self_attrs: dict[str, Val] = field(default_factory=dict)


# --- value helpers -------------------------------------------------------------------------------


def union(*vals: Val) -> Val:
    if len(vals) == 1:
        return vals[0]
    out: Val = {}
    for v in vals:
        for r, s in v.items():
            if r not in out or len(s) < len(out[r]):
                out[r] = s
    return out


def flatten(v: Val) -> Val:
    if all(r.flat for r in v):
        return v
    out: Val = {}
    for r, s in v.items():
        nr = r if r.flat else Ref(r.root, r.path, True, r.cleared, r.label)
        if nr not in out:
            out[nr] = s
    return out


def sub(v: Val, key: str) -> Val:
    if not v:
        return v
    out: Val = {}
    for r, s in v.items():
        nr = r if r.flat or len(r.path) >= MAX_PATH else Ref(r.root, r.path + (key,), False, r.cleared, r.label)
        out.setdefault(nr, s)
    return out


def clear(v: Val, kinds: frozenset[str]) -> Val:
    if kinds is ALL:
        return {}
    out: Val = {}
    for r, s in v.items():
        out.setdefault(Ref(r.root, r.path, r.flat, r.cleared | kinds, r.label), s)
    return out


def with_step(v: Val, step: Step) -> Val:
    if not v:
        return v
    return {r: (s + (step,) if len(s) < MAX_STEPS else s) for r, s in v.items()}


def active(v: Val, kind: str) -> Val:
    """The refs not sanitised for sink `kind`."""
    return {r: s for r, s in v.items() if kind not in r.cleared}


def instantiate(val: Val, args: list[Val]) -> Val:
    """A callee's summary value seen at one call: each reference to parameter N becomes argument N's
    references (paths joined, steps appended, capped); the callee's own roots (event, module state)
    stay as they are. Shared by the Python and JavaScript engines."""
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


def join_branches(body: dict[str, Val], body_ends: bool, other: dict[str, Val], other_ends: bool,
                  merge: Callable[[dict[str, Val], dict[str, Val]], dict[str, Val]]) -> dict[str, Val]:
    """The environment after an if/else: a branch that returns or raises does not flow on, so only
    the other one does; when both (or neither) end, both are merged. Shared by both languages."""
    if body_ends and not other_ends:
        return other
    if other_ends and not body_ends:
        return body
    return merge(body, other)
