"""Moving the App's locations from the lowered template's virtual lines to the `.tf` files and lines.

The App is a tree of frozen dataclasses, tuples and mappings; every `Loc` in it whose path is the
lowered template's is replaced by the real one. Objects are rebuilt only where something changed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

from fnaudit.errors import ScanError
from fnaudit.loaders._yaml import LDict, LList
from fnaudit.loaders.terraform.lower import LineTable
from fnaudit.model.loc import Loc

_LINE = re.compile(r"^line (\d+): ")


def remap(value: Any, fix: Callable[[Loc], Loc]) -> Any:
    memo: dict[int, Any] = {}

    def walk(v: Any) -> Any:
        if isinstance(v, Loc):
            return fix(v)
        if v is None or isinstance(v, (str, int, float, bool, bytes)):
            return v
        key = id(v)
        if key in memo:
            return memo[key]
        out = v
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            changes = {}
            for f in dataclasses.fields(v):
                old = getattr(v, f.name)
                new = walk(old)
                if new is not old:
                    changes[f.name] = new
            if changes:
                out = dataclasses.replace(v, **changes)
        elif isinstance(v, tuple) and not hasattr(v, "_fields"):
            items = tuple(walk(x) for x in v)
            out = items if any(a is not b for a, b in zip(items, v, strict=True)) else v
        elif isinstance(v, (list, frozenset, set)):
            items2 = [walk(x) for x in v]
            if any(a is not b for a, b in zip(items2, v, strict=True)):
                out = type(v)(items2)
        elif isinstance(v, Mapping) and type(v) is dict:
            new = {k: walk(x) for k, x in v.items()}
            out = new if any(new[k] is not x for k, x in v.items()) else v
        memo[key] = out
        return out

    return walk(value)


def remap_error(error: ScanError, virtual_rel: str, locate: Callable[[int], Loc | None], fallback: str) -> ScanError:
    if error.path != virtual_rel:
        return error
    m = _LINE.match(error.message)
    loc = locate(int(m.group(1))) if m else None
    if loc is None:
        return dataclasses.replace(error, path=fallback)
    message = f"line {loc.line}: {error.message[m.end() :]}" if m else error.message
    return dataclasses.replace(error, path=loc.path, message=message)


def real_lines(template: Any, lines: LineTable) -> None:
    """Rewrite the virtual lines of the lowered template's mappings and lists, in place, to `.tf` lines."""
    seen: set[int] = set()
    todo = [template]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, LDict):
            node.line = _real(lines, node.line)
            node.key_lines = {k: _real(lines, v) for k, v in node.key_lines.items()}
            todo.extend(node.values())
        elif isinstance(node, LList):
            node.line = _real(lines, node.line)
            node.item_lines = [_real(lines, v) for v in node.item_lines]
            todo.extend(node)
        elif isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)


def _real(lines: LineTable, virtual: int) -> int:
    loc = lines.loc(virtual)
    return loc.line if loc is not None else 0
