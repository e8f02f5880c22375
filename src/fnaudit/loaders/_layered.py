"""Settings read from layers of a JSON config, most general first (Chalice stages, Zappa `extends`).

A later layer overrides an earlier one key by key; every value keeps the line it was written on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fnaudit.errors import ScanError
from fnaudit.loaders._yaml import line_of
from fnaudit.model.loc import Loc, Value

Layers = Sequence[Mapping[str, Any]]


def setting(rel: str, layers: Layers, key: str) -> tuple[Any, Loc] | None:
    """The most specific value of `key` and where it was written, or None."""
    found = None
    for layer in layers:
        if key in layer:
            found = (layer[key], Loc(rel, line_of(layer, key)))
    return found


def int_setting(rel: str, layers: Layers, key: str, fallback: Loc, errors: list[ScanError]) -> Value[int]:
    """`key` as a number; unset (at `fallback`) when absent, and an error entry when it is not a number."""
    found = setting(rel, layers, key)
    if found is None:
        return Value.unset(fallback)
    raw, loc = found
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Value(raw, loc)
    errors.append(ScanError(rel, f"line {loc.line}: `{key}` must be a number; ignored", "load"))
    return Value.unset(fallback)


def environment(rel: str, layers: Layers, keys: Iterable[str]) -> dict[str, Value[str]]:
    """The environment variables of every layer's `keys` sections, later layers winning per variable."""
    out: dict[str, Value[str]] = {}
    names = tuple(keys)
    for layer in layers:
        for key in names:
            env = layer.get(key)
            if isinstance(env, dict):
                for name, raw in env.items():
                    out[str(name)] = Value(raw if isinstance(raw, str) else str(raw), Loc(rel, line_of(env, name)))
    return out
