"""`package-lock.json` (lockfileVersion 1, 2, 3) and `npm-shrinkwrap.json` (same format).

v2/v3: the flat `packages` map keyed by install path (`node_modules/a/node_modules/b`); the
package's name is the last `node_modules/` segment unless the entry says `name` (an alias,
`"x": "npm:real@1"`). Entries without a `node_modules/` segment are workspaces; `link: true`
entries point at them; both are local code, not registry packages. `dev: true` marks
development-only packages (`devOptional` ones may ship, so they stay runtime).
v1: the nested `dependencies` tree; aliases are written `"version": "npm:real@1.2.3"`.
"""

from __future__ import annotations

from typing import Any

from fnaudit.loaders.lockfiles._common import (
    KeyLines,
    LockfileError,
    ParseContext,
    Parsed,
    dedupe,
    load_json,
    npm_manifest_roots,
    npm_source,
    package,
)
from fnaudit.model.package import Package

NAMES = ("package-lock.json", "npm-shrinkwrap.json")
ECOSYSTEM = "npm"


def parse(ctx: ParseContext, text: str) -> Parsed:
    data = load_json(text, "package-lock.json")
    version = data.get("lockfileVersion")
    if not isinstance(version, int) or isinstance(version, bool):
        raise LockfileError("not a package-lock.json: no lockfileVersion")
    lines = KeyLines(text)
    out = Parsed()
    if isinstance(data.get("packages"), dict) and version >= 2:
        out.packages = _v2(ctx, data["packages"], lines)
    elif isinstance(data.get("dependencies"), dict):
        out.packages = _v1(ctx, data["dependencies"], lines)
    out.packages = dedupe(out.packages)
    return out


def _name_of(key: str, entry: dict[str, Any]) -> str:
    if "node_modules/" in key:
        return entry.get("name") or key.rsplit("node_modules/", 1)[1]
    return entry.get("name") or key


def _v2(ctx: ParseContext, packages: dict[str, Any], lines: KeyLines) -> list[Package]:
    root = packages.get("", {}) if isinstance(packages.get(""), dict) else {}
    prod, dev = npm_manifest_roots(root)
    direct_names = prod | dev
    out = []
    for key, entry in packages.items():
        if not key or not isinstance(entry, dict):
            continue
        if "node_modules/" not in key or entry.get("link"):
            continue  # a workspace folder, or the link to one: the project's own code
        name = _name_of(key, entry)
        ver = entry.get("version")
        resolved = str(entry.get("resolved") or "")
        source = npm_source(resolved) if resolved else "registry"
        if isinstance(ver, str) and npm_source(ver) != "registry":
            source = npm_source(ver)
        if not isinstance(ver, str):
            ver = None
        if ver and ver.startswith("npm:"):  # v2 alias written as version
            name, _, ver = ver[4:].rpartition("@")
        nested = key.count("node_modules/") > 1
        direct = (not nested) and key.rsplit("node_modules/", 1)[1] in direct_names
        out.append(
            package(
                ctx,
                ECOSYSTEM,
                name,
                ver,
                lines.first(key, objects=True),
                scope="dev" if entry.get("dev") else "runtime",
                direct=direct,
                source=source,
            )
        )
    return out


def _v1(ctx: ParseContext, deps: dict[str, Any], lines: KeyLines) -> list[Package]:
    manifest = ctx.sibling("package.json")
    direct_names: set[str] | None = None
    if manifest is not None:
        try:
            prod, dev = npm_manifest_roots(load_json(ctx.read(manifest), "package.json"))
            direct_names = prod | dev
        except LockfileError:
            direct_names = None
    out = []
    cursor = 0  # entries appear in file order: each is searched after the previous one

    def walk(tree: dict[str, Any], depth: int, after: int) -> None:
        nonlocal cursor
        for key, entry in tree.items():
            if not isinstance(entry, dict):
                continue
            line = lines.first(key, cursor, objects=True) or lines.first(key, after, objects=True)
            cursor = max(cursor, line)
            name, ver = key, entry.get("version")
            ver = ver if isinstance(ver, str) else None
            source = npm_source(ver) if ver else "registry"
            if ver and ver.startswith("npm:"):
                name, _, ver = ver[4:].rpartition("@")
                source = "registry"
            elif ver and source == "registry" and entry.get("resolved"):
                source = npm_source(str(entry["resolved"]))
            direct = None if direct_names is None else (depth == 0 and key in direct_names)
            out.append(
                package(
                    ctx,
                    ECOSYSTEM,
                    name,
                    ver,
                    line,
                    scope="dev" if entry.get("dev") else "runtime",
                    direct=direct,
                    source=source,
                )
            )
            if isinstance(entry.get("dependencies"), dict):
                walk(entry["dependencies"], depth + 1, line)

    walk(deps, 0, 0)
    return out
