"""`uv.lock` (TOML `[[package]]`). The project itself (`source = {editable|virtual = "."}`) is not a
dependency; its `dependencies` are the production roots and its `dev-dependencies` groups the
development roots; the graph decides what is dev-only.
"""

from __future__ import annotations

import tomllib
from typing import Any

from fnaudit.loaders.lockfiles._common import LockfileError, ParseContext, Parsed, dedupe, dev_only, package, pep503
from fnaudit.loaders.lockfiles.poetry import table_lines

NAMES = ("uv.lock",)
ECOSYSTEM = "PyPI"


def _dep_names(items: Any) -> list[str]:  # any TOML value: an array of tables, or junk
    return [pep503(d["name"]) for d in items or () if isinstance(d, dict) and "name" in d]


def parse(ctx: ParseContext, text: str) -> Parsed:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LockfileError(f"not valid TOML: {exc}") from None
    if "version" not in data and "package" not in data:
        raise LockfileError("not a uv.lock: no `version` and no [[package]] tables")
    pkgs = data.get("package") or []
    lines = table_lines(text)
    edges: dict[str, list[str]] = {}
    prod_roots: list[str] = []
    dev_roots: list[str] = []
    local = set()
    for p in pkgs:
        n = pep503(p["name"])
        deps = _dep_names(p.get("dependencies"))
        for extra in (p.get("optional-dependencies") or {}).values():
            deps += _dep_names(extra)
        edges.setdefault(n, []).extend(deps)
        src = p.get("source") or {}
        if "editable" in src or "virtual" in src:
            local.add(n)
            prod_roots.extend(deps)
            for group in (p.get("dev-dependencies") or {}).values():
                dev_roots.extend(_dep_names(group))
    dev_set = dev_only(edges, prod_roots, dev_roots)
    direct = set(prod_roots) | set(dev_roots)
    out = []
    for i, p in enumerate(pkgs):
        n = pep503(p["name"])
        src = p.get("source") or {}
        if n in local:
            continue
        source = "registry"
        if "git" in src:
            source = "git"
        elif "path" in src or "directory" in src:
            source = "path"
        elif "url" in src:
            source = "url"
        out.append(
            package(
                ctx,
                ECOSYSTEM,
                str(p["name"]),
                str(p.get("version") or "") or None,
                lines[i] if i < len(lines) else 0,
                scope="dev" if n in dev_set else "runtime",
                direct=n in direct,
                source=source,
            )
        )
    return Parsed(packages=dedupe(out))
