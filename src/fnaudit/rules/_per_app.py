"""A rule helper's answer for one app, computed once however many functions ask for it.

Some facts are the app's own (its buckets with their public grants, which function can take over which) yet are
asked for per function by the attack-path rules: computed on every call, they made a 1,000-function app's rules
quadratic. An App is immutable, so an answer kept for the app it was computed from can never go stale: `PerApp`
keeps the last app's answer, by identity (never by equality: comparing two Apps costs as much as the answer).
One entry only, so it holds no more than one app alive; two scans in two threads at worst compute an answer
twice (the entry is one tuple, read and replaced whole).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from fnaudit.model.app import App

T = TypeVar("T")


class PerApp(Generic[T]):
    def __init__(self, compute: Callable[[App], T]) -> None:
        self._compute = compute
        self._last: tuple[App, T] | None = None

    def __call__(self, app: App) -> T:
        last = self._last
        if last is not None and last[0] is app:
            return last[1]
        value = self._compute(app)
        self._last = (app, value)
        return value
