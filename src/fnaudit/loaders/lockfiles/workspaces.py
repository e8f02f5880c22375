"""Whether a lockfile in a parent folder pins a subfolder: only when the parent declares it a member.

A lockfile above a folder is not, by itself, the folder's lockfile: `npm install` in the subfolder
ignores it unless the parent's `package.json` lists the subfolder in `workspaces` (npm, yarn) or its
`pnpm-workspace.yaml` does in `packages`; for Python, a `[tool.uv.workspace]` whose `members` (less
`exclude`) match it, or a Poetry project that depends on it by `path`; for Rust, `[workspace] members`.
Patterns are globs relative to the workspace root (`packages/*`, `apps/**`, `!apps/legacy`).
"""

from __future__ import annotations

import json
import tomllib
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_BYTES = 1024 * 1024


def workspace_root(root: Path, folder: Path, locks: tuple[str, ...]) -> Path | None:
    """The nearest parent of `folder` (inside `root`) holding one of `locks` and declaring `folder` a
    member of its workspace; None when there is none."""
    here = folder.resolve()
    top = root.resolve()
    while here != top and top in here.parents:
        here = here.parent
        if any((here / n).is_file() for n in locks) and declares(here, folder.resolve().relative_to(here).as_posix()):
            return here
    return None


def declares(parent: Path, rel: str) -> bool:
    """Whether `parent` declares the folder `rel` (POSIX, relative to it) a workspace member."""
    return _member(rel, _patterns(parent))


def _patterns(parent: Path) -> list[str]:
    out: list[str] = []
    pkg = _load(parent / "package.json", json.loads)
    if isinstance(pkg, dict):
        ws = pkg.get("workspaces")
        if isinstance(ws, dict):
            ws = ws.get("packages")
        out += [p for p in ws or () if isinstance(p, str)] if isinstance(ws, list) else []
    pnpm = _load(parent / "pnpm-workspace.yaml", lambda t: yaml.load(t, Loader=_Loader))  # noqa: S506 - safe loader
    if isinstance(pnpm, dict) and isinstance(pnpm.get("packages"), list):
        out += [p for p in pnpm["packages"] if isinstance(p, str)]
    for name in ("pyproject.toml", "Cargo.toml"):
        data = _load(parent / name, tomllib.loads)
        if not isinstance(data, dict):
            continue
        tool = _table(data, "tool")
        cargo = data.get("workspace") if name == "Cargo.toml" else None
        for ws in (_table(_table(tool, "uv"), "workspace"), cargo):
            if isinstance(ws, dict):
                out += [p for p in ws.get("members") or () if isinstance(p, str)]
                out += [f"!{p}" for p in ws.get("exclude") or () if isinstance(p, str)]
        for spec in _table(_table(tool, "poetry"), "dependencies").values():
            if isinstance(spec, dict) and isinstance(spec.get("path"), str):
                out.append(spec["path"])  # a path dependency is locked by the parent's poetry.lock
    return out


def _table(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _member(rel: str, patterns: list[str]) -> bool:
    hit = False
    for raw in patterns:
        negate = raw.startswith("!")
        pat = raw[1:] if negate else raw
        pat = pat.strip().removeprefix("./").rstrip("/")
        if not pat:
            continue
        matched = fnmatchcase(rel, pat) or (pat.endswith("/**") and (rel + "/").startswith(pat[:-2]))
        if matched:
            hit = not negate
    return hit


def _load(path: Path, parse: Any) -> Any:
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        return parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, tomllib.TOMLDecodeError, yaml.YAMLError):
        return None
