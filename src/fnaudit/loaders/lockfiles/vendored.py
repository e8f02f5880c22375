"""Packages vendored into a function's code folder: the exact versions that ship, no lockfile needed.

Python: `*.dist-info/METADATA` (its `Name:` and `Version:` headers) in the folder itself (`pip install
-t .`) and in its `vendor/`, `vendored/`, `python/` (a layer) and `lib/` subfolders. Node: each
`node_modules/<name>/package.json` and `node_modules/@scope/<name>/package.json` (`name` and `version`)
of the folder, when node_modules is part of the code folder. Nothing is imported or run; links that
leave the confining folder (the scan root or a zip's private folder) are not followed, and the number
of entries read is capped so that a huge tree costs a bounded time.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from fnaudit.errors import InputError
from fnaudit.loaders._files import safe_resolve
from fnaudit.loaders.lockfiles._common import purl
from fnaudit.model.loc import Loc
from fnaudit.model.package import Package

PYTHON_DIRS = ("", "vendor", "vendored", "python", "lib")
MAX_ENTRIES = 5000
MAX_METADATA_BYTES = 256 * 1024
_HEADER = re.compile(r"^(Name|Version):\s*(\S.*?)\s*$")


def vendored(folder: Path, top: Path, rel: str, real: Path | None = None) -> list[Package]:
    """The vendored packages of `folder` (inside `top`); `rel` is `folder` relative to the scan root, `real`
    the folder resolved when the caller has it."""
    out: list[Package] = []
    prefix = f"{rel}/" if rel and rel != "." else ""
    budget = [MAX_ENTRIES]
    for sub in PYTHON_DIRS:
        base = folder / sub if sub else folder
        for info in _children(base, top, budget, suffix=".dist-info", real=None if sub else real):
            p = _dist_info(info, top, f"{prefix}{sub + '/' if sub else ''}{info.name}/METADATA")
            if p is not None:
                out.append(p)
    modules = folder / "node_modules"
    for entry in _children(modules, top, budget):
        if entry.name.startswith("@"):
            for scoped in _children(entry, top, budget):
                p = _node(scoped, top, f"{prefix}node_modules/{entry.name}/{scoped.name}/package.json")
                if p is not None:
                    out.append(p)
        elif not entry.name.startswith("."):
            p = _node(entry, top, f"{prefix}node_modules/{entry.name}/package.json")
            if p is not None:
                out.append(p)
    return out


def _children(base: Path, top: Path, budget: list[int], suffix: str = "", real: Path | None = None) -> list[Path]:
    if not _dir_inside(base, top, real):
        return []
    try:
        names = sorted(n for n in os.listdir(base) if n.endswith(suffix))  # names only: no Path per entry
    except OSError:
        return []
    out = []
    for name in names:
        if budget[0] <= 0:
            break
        budget[0] -= 1
        if _inside(base / name, top) and (base / name).is_dir():
            out.append(base / name)
    return out


def _dir_inside(base: Path, top: Path, real: Path | None) -> bool:
    """Whether `base` is a folder inside `top` (`real`: `base` resolved, when known). A missing folder is
    answered first, without resolving (most code folders have no vendor/, lib/ or node_modules, and the
    confinement check costs a system call per path component); a folder that cannot be looked at is
    answered as before: confinement first, then the look, which raises."""
    try:
        is_dir: bool | None = base.is_dir()
    except OSError:
        is_dir = None
    if is_dir is False:
        return False
    if not (real.is_relative_to(top) if real is not None else _inside(base, top)):
        return False
    return is_dir if is_dir is not None else base.is_dir()


def _inside(p: Path, top: Path) -> bool:
    try:
        return safe_resolve(p).is_relative_to(top)
    except InputError:
        return False


def _read(path: Path, top: Path) -> str | None:
    if not _inside(path, top) or not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_METADATA_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


def _dist_info(info: Path, top: Path, rel: str) -> Package | None:
    text = _read(info / "METADATA", top)
    if text is None:
        return None
    found: dict[str, tuple[str, int]] = {}
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            break  # the headers end at the first blank line; the description follows
        m = _HEADER.match(line)
        if m and m.group(1) not in found:
            found[m.group(1)] = (m.group(2), i)
    if "Name" not in found or "Version" not in found:
        return None
    version, at = found["Version"]
    return _package("PyPI", found["Name"][0], version, Loc(rel, at))


def _node(entry: Path, top: Path, rel: str) -> Package | None:
    text = _read(entry / "package.json", top)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not isinstance(data.get("version"), str):
        return None
    line = next((i for i, t in enumerate(text.splitlines(), start=1) if re.match(r'^\s*"version"\s*:', t)), 1)
    return _package("npm", data["name"], data["version"], Loc(rel, line))


def _package(ecosystem: str, name: str, version: str, loc: Loc) -> Package:
    return Package(purl(ecosystem, name, version), ecosystem, name, version, loc, scope="runtime", source="registry")
