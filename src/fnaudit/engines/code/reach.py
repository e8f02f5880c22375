"""Keep the facts of a shared module that the entry point being analysed can reach (both languages).

A module imported by several functions holds code that only some of them run: a check or a weakness in a
function the handler never reaches belongs to another entry point, and reporting it for every importer
would repeat it once per function of the app. The analysers know which functions are reached; this keeps
the facts by the source lines those functions span, so that the Python and JavaScript engines decide it
the same way.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Protocol, TypeVar

from fnaudit.model.loc import Loc

K = TypeVar("K")
K2 = TypeVar("K2", bound=tuple[str, int])


class Located(Protocol):
    """A fact with a place in the source (`AuthCheck`, `Weakness`)."""

    @property
    def loc(self) -> Loc: ...


F = TypeVar("F", bound=Located)


def keep_reached(facts: Iterable[F], spans: Sequence[tuple[int, int, K]], reachable: Container[K]) -> set[F]:
    """The facts outside every span, or inside a span whose key the entry point reaches.

    `spans`: (first line, last line, key) of the functions reachability is computed for; a fact enclosed by
    nested spans is kept when any of them is reached (a callback defined inside a reached function runs
    with it). Facts at module level, outside every function, always run on import and are kept."""
    kept = set()
    for fact in facts:
        enclosing = [key for lo, hi, key in spans if lo <= fact.loc.line <= hi]
        if not enclosing or any(k in reachable for k in enclosing):
            kept.add(fact)
    return kept


def reached_files(calls: Mapping[K2, Iterable[K2]], start: K2) -> list[str]:
    """The files of the functions reachable from `start` in a call graph keyed by (file, position), its own
    file first, in the order they are reached (the Java and Kotlin front ends' `CodeFacts.files`)."""
    seen, todo, files = {start}, [start], [start[0]]
    while todo:
        for k in calls.get(todo.pop(0), ()):
            if k not in seen:
                seen.add(k)
                todo.append(k)
                if k[0] not in files:
                    files.append(k[0])
    return files
