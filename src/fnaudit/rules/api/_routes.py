"""Joining an API's routes (model/api.py) to the functions and triggers they invoke.

A `Method` names its function and carries the same location as the function's `Trigger` for that
route, so the trigger (public? authenticated? API key required?) is found by both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from fnaudit.model.api import Api, Method
from fnaudit.model.app import App, Function, Trigger


@dataclass(frozen=True, slots=True)
class Route:
    method: Method
    function: Function | None
    trigger: Trigger | None

    @property
    def open(self) -> bool:
        """Reachable from the internet without authentication (an API key alone does not count)."""
        if self.trigger is None:
            return True  # no trigger seen for it: assume the worst, as for an unknown route
        return self.trigger.public and not self.trigger.is_authenticated

    @property
    def api_key_required(self) -> bool:
        return self.trigger is not None and self.trigger.api_key_required


def routes(app: App, api: Api) -> Iterator[Route]:
    """The API's routes that invoke a function, CORS preflights (`OPTIONS`) left out."""
    for m in api.methods:
        if m.method == "OPTIONS":
            continue
        fn = app.function(m.function)
        trigger = next((t for t in fn.triggers if t.loc == m.loc), None) if fn is not None else None
        yield Route(m, fn, trigger)


def function_ids(items: Iterable[Route]) -> tuple[str, ...]:
    return tuple(sorted({r.function.id for r in items if r.function is not None}))


def listed(items: list[str], limit: int = 3) -> str:
    """`a, b, c` or `a, b, c and 4 more`."""
    head = ", ".join(items[:limit])
    return head if len(items) <= limit else f"{head} and {len(items) - limit} more"
