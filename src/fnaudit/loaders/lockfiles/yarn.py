"""`yarn.lock`: Yarn classic (v1, its own indented format) and Yarn Berry (v2+, YAML with `__metadata`).

Each entry is keyed by the descriptors it satisfies (`name@^1.0.0, name@^1.2.0` or, in Berry,
`name@npm:^1.0.0`); an alias descriptor `alias@npm:real@^1` installs `real`. yarn.lock does not
say which packages are for development, so the sibling `package.json` supplies the roots (with the
`package.json` of every workspace member it declares: a workspace root often has only devDependencies,
and its members' dependencies ship) and a walk of the lock's dependency graph marks what no production
root reaches (when every edge resolves; otherwise only what `devDependencies` reach). A Berry member's
entry lists its devDependencies with the others: its own manifest splits them.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from fnaudit.loaders.lockfiles._common import (
    LockfileError,
    ParseContext,
    Parsed,
    dedupe,
    dev_only,
    load_json,
    npm_manifest_roots,
    npm_source,
    npm_workspace_members,
    package,
)
from fnaudit.model.package import Package

NAMES = ("yarn.lock",)
ECOSYSTEM = "npm"
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split_descriptor(desc: str) -> tuple[str, str]:
    """`@scope/name@^1` → (`@scope/name`, `^1`); `name@npm:^1` → (`name`, `npm:^1`)."""
    desc = desc.strip().strip('"')
    at = desc.find("@", 1)
    if at < 0:
        return desc, ""
    return desc[:at], desc[at + 1 :]


def _real(name: str, rng: str) -> tuple[str, str]:
    """Follow an alias: (`alias`, `npm:real@^1`) → (`real`, `^1`)."""
    if rng.startswith("npm:") and "@" in rng[5:]:
        return split_descriptor(rng[4:])
    return name, rng


def parse(ctx: ParseContext, text: str) -> Parsed:
    berry = "__metadata:" in text
    if berry:
        entries = _berry_entries(text)
    elif "# yarn lockfile v1" in text or re.search(r'^\S.*:\n\s+version "', text, re.M):
        entries = _v1_entries(text)
    elif not text.strip() or (text.lstrip().startswith("#") and not re.search(r"^\S", _strip_comments(text), re.M)):
        entries = []
    else:
        raise LockfileError("not a yarn.lock: neither a Yarn v1 lockfile nor a Berry one (__metadata)")
    return Parsed(packages=dedupe(_packages(ctx, entries, berry)))


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


# An entry: (descriptors, version, resolution-or-resolved, {dep name: range}, line)
Entry = tuple[list[str], str | None, str, dict[str, str], int]


def _v1_entries(text: str) -> list[Entry]:
    entries: list[Entry] = []
    current: list[Any] | None = None
    section = ""
    for i, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        line = raw.strip()
        if indent == 0:
            descs = [d.strip().strip('"') for d in line.rstrip(":").split(",") if d.strip()]
            current = [descs, None, "", {}, i]
            entries.append(current)  # type: ignore[arg-type]
            section = ""
            continue
        if current is None:
            continue
        if indent == 2:
            if line.endswith(":"):
                section = line[:-1]
                continue
            section = ""
            key, _, value = line.partition(" ")
            value = value.strip().strip('"')
            if key == "version":
                current[1] = value
            elif key == "resolved":
                current[2] = value
        elif indent >= 4 and section in ("dependencies", "optionalDependencies"):
            key, _, value = line.partition(" ")
            current[3][key.strip('"')] = value.strip().strip('"')
    return [tuple(e) for e in entries]  # type: ignore[misc]


def _berry_entries(text: str) -> list[Entry]:
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - safe loader
    except yaml.YAMLError as exc:
        raise LockfileError(f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise LockfileError("not a yarn.lock")
    lines = {}
    for i, raw in enumerate(text.splitlines(), start=1):
        if raw and not raw[0].isspace() and raw.rstrip().endswith(":") and not raw.startswith("#"):
            key = raw.rstrip()[:-1]
            if key.startswith('"'):
                try:
                    key = json.loads(key)
                except json.JSONDecodeError:
                    key = key.strip('"')
            lines[key] = i
    entries: list[Entry] = []
    for key, entry in data.items():
        if key == "__metadata" or not isinstance(entry, dict):
            continue
        descs = [d.strip() for d in str(key).split(",") if d.strip()]
        deps = {str(k): str(v) for k, v in (entry.get("dependencies") or {}).items()}
        deps.update({str(k): str(v) for k, v in (entry.get("optionalDependencies") or {}).items()})
        version = entry.get("version")
        entries.append(
            (
                descs,
                str(version) if version is not None else None,
                str(entry.get("resolution") or ""),
                deps,
                lines.get(key, 0),
            )
        )
    return entries


def _berry_source(resolution: str) -> str:
    _, rng = split_descriptor(resolution)
    if rng.startswith("npm:") or not resolution:
        return "registry"
    if rng.startswith("patch:"):
        inner = rng[6:].split("#", 1)[0]
        from urllib.parse import unquote

        _, inner_rng = split_descriptor(unquote(inner))
        return "registry" if inner_rng.startswith("npm:") else npm_source(inner_rng)
    if rng.startswith("workspace:"):
        return "workspace"
    return npm_source(rng) if npm_source(rng) != "registry" else "url"


def _member_roots(
    ctx: ParseContext, resolution: str, deps: dict[str, str], by_desc: dict[str, int]
) -> tuple[list[int], list[int]] | None:
    """(production, development) entries a Berry workspace member depends on, split by its package.json;
    None when the member's manifest cannot be read."""
    folder = resolution.split("@workspace:", 1)[-1]
    manifest = ctx.sibling(f"{folder}/package.json") if folder and ".." not in folder.split("/") else None
    if manifest is None:
        return None
    try:
        prod, dev = npm_manifest_roots(load_json(ctx.read(manifest), "package.json"))
    except LockfileError:
        return None
    out: tuple[list[int], list[int]] = ([], [])
    for dep, rng in deps.items():
        target = by_desc.get(f"{dep}@{rng}", by_desc.get(f"{dep}@npm:{rng}"))
        if target is not None:
            out[1 if dep in dev and dep not in prod else 0].append(target)
    return out


def _packages(ctx: ParseContext, entries: list[Entry], berry: bool) -> list[Package]:
    by_desc: dict[str, int] = {}
    for idx, (descs, *_rest) in enumerate(entries):
        for d in descs:
            by_desc[d] = idx
            if "::" in d:  # Berry `link:`/`portal:` descriptors carry `::locator=…`; dependencies name them without
                by_desc.setdefault(d.split("::", 1)[0], idx)
    edges: dict[int, list[int]] = {}
    unresolved: dict[int, set[str]] = {}  # dependency names an entry's edges could not be followed to
    for idx, (_d, _v, _r, deps, _l) in enumerate(entries):
        targets = []
        for dep, rng in deps.items():
            for cand in (f"{dep}@{rng}", f"{dep}@npm:{rng}"):
                if cand in by_desc:
                    targets.append(by_desc[cand])
                    break
            else:
                unresolved.setdefault(idx, set()).add(dep)
        edges[idx] = targets
    prod_names: set[str] = set()
    dev_names: set[str] = set()
    have_manifest = False
    members: list[Any] | None = []
    manifest = ctx.sibling("package.json")
    if manifest is not None:
        try:
            root_manifest = load_json(ctx.read(manifest), "package.json")
            prod_names, dev_names = npm_manifest_roots(root_manifest)
            have_manifest = True
            # A workspace's lockfile pins its members' dependencies: they are roots as the root's are.
            members = npm_workspace_members(ctx, root_manifest)
            for member in members or ():
                mprod, mdev = npm_manifest_roots(member)
                prod_names |= mprod
                dev_names |= mdev
            dev_names -= prod_names
        except LockfileError:
            pass
    dev_set: set[int] = set()
    if have_manifest:
        member_names = {str(m.get("name")) for m in members or () if isinstance(m.get("name"), str)}
        prod_roots: list[int] = []
        dev_roots: list[int] = []
        read_all = True
        for idx, (descs, _v, resolution, _deps, _l) in enumerate(entries):
            name = split_descriptor(descs[0])[0] if descs else ""
            if berry and _berry_source(resolution) == "workspace" and resolution.endswith("@workspace:."):
                continue  # the root project: its deps are split by the manifest below
            if berry and _berry_source(resolution) == "workspace":
                # A member: Berry lists its dev dependencies with the others; its own manifest splits them.
                split = _member_roots(ctx, resolution, entries[idx][3], by_desc)
                if split is None:
                    prod_roots.extend(edges[idx])
                    read_all = False
                else:
                    prod_roots.extend(split[0])
                    dev_roots.extend(split[1])
                continue
            if name in prod_names:
                prod_roots.append(idx)
            elif name in dev_names:
                dev_roots.append(idx)
        # Every root and edge followed (a member linked by name is no gap): a production install provably
        # skips what no production root reaches, dev-only or orphaned. Otherwise only what dev roots reach.
        gaps = {n for names in unresolved.values() for n in names} - member_names
        complete = members is not None and not gaps and read_all
        dev_set = dev_only(edges, prod_roots, dev_roots, complete=complete)
    out = []
    for idx, (descs, version, resolution, _deps, line) in enumerate(entries):
        if not descs:
            continue
        name, rng = _real(*split_descriptor(descs[0]))
        if rng.startswith("npm:"):
            rng = rng[4:]
        if berry and resolution and "@" in resolution[1:]:  # Berry: the resolution names the real package
            rname, rrng = split_descriptor(resolution)
            if rrng.startswith("npm:"):
                name = rname
            source = _berry_source(resolution)
        else:
            source = npm_source(resolution) if resolution else npm_source(rng)
            if source == "registry" and npm_source(rng) != "registry":
                source = npm_source(rng)
        if source == "workspace":
            continue
        direct = (name in prod_names or name in dev_names) if have_manifest else None
        out.append(
            package(
                ctx,
                ECOSYSTEM,
                name,
                version,
                line,
                scope="dev" if idx in dev_set else "runtime",
                direct=direct,
                source=source,
            )
        )
    return out
