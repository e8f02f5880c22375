"""The dated table of Lambda runtimes (`fnaudit/data/runtimes.json`), loaded once."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class RuntimeInfo:
    id: str
    name: str
    deprecation: dt.date | None  # Lambda stops patching it
    block_create: dt.date | None  # new functions can no longer use it
    block_update: dt.date | None  # existing functions can no longer be updated
    successor: str | None
    estimated: bool = False

    def deprecated_on(self, day: dt.date) -> bool:
        return self.deprecation is not None and day >= self.deprecation

    def days_left(self, day: dt.date) -> int | None:
        return (self.deprecation - day).days if self.deprecation is not None else None


def _date(text: object) -> dt.date | None:
    return dt.date.fromisoformat(text) if isinstance(text, str) else None


@cache
def runtimes() -> dict[str, RuntimeInfo]:
    raw = json.loads(resources.files("fnaudit").joinpath("data", "runtimes.json").read_text(encoding="utf-8"))
    out = {}
    for rid, e in raw["runtimes"].items():
        out[rid] = RuntimeInfo(
            id=rid,
            name=e["name"],
            deprecation=_date(e.get("deprecation")),
            block_create=_date(e.get("block_function_create")),
            block_update=_date(e.get("block_function_update")),
            successor=e.get("successor"),
            estimated=bool(e.get("estimated", False)),
        )
    return out


def lookup(runtime: str) -> RuntimeInfo | None:
    """The table entry for a runtime id as written (case and spaces forgiven); None when unknown."""
    return runtimes().get(runtime.strip().lower())
