"""Roots (production, development) declared in a pyproject.toml, PEP 503-normalised."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from fnaudit.loaders.lockfiles._common import pep503

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _names(items: Any) -> set[str]:  # any TOML value: a table, an array, or junk
    out = set()
    if isinstance(items, dict):
        return {pep503(k) for k in items if k.lower() != "python"}
    for item in items or ():
        if isinstance(item, str):
            m = _NAME.match(item)
            if m:
                out.add(pep503(m.group(1)))
        elif isinstance(item, dict) and "name" in item:
            out.add(pep503(str(item["name"])))
    return out


def roots(path: Path | None) -> tuple[set[str], set[str]] | None:
    if path is None:
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    prod: set[str] = set()
    dev: set[str] = set()
    project = data.get("project") or {}
    prod |= _names(project.get("dependencies"))
    for extra in (project.get("optional-dependencies") or {}).values():
        prod |= _names(extra)
    for group in (data.get("dependency-groups") or {}).values():
        dev |= _names(group)
    poetry = (data.get("tool") or {}).get("poetry") or {}
    prod |= _names(poetry.get("dependencies"))
    dev |= _names(poetry.get("dev-dependencies"))
    for gname, group in (poetry.get("group") or {}).items():
        (prod if gname == "main" else dev).update(_names((group or {}).get("dependencies")))
    uv = (data.get("tool") or {}).get("uv") or {}
    dev |= _names(uv.get("dev-dependencies"))
    return prod, dev - prod
