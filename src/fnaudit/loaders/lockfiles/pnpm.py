"""`pnpm-lock.yaml`: lockfile v5/v6 (`packages` keyed `/name@1.0.0` or `/name/1.0.0`, with `dev:`)
and v9 (`packages` keyed `name@1.0.0`, the graph in `snapshots`, no dev flag: computed from
`importers` roots). Peer-dependency suffixes (`(react@18.2.0)` or `_react@18.2.0`) are dropped.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from fnaudit.loaders.lockfiles._common import LockfileError, ParseContext, Parsed, dedupe, dev_only, npm_source, package

NAMES = ("pnpm-lock.yaml",)
ECOSYSTEM = "npm"
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PEER = re.compile(r"\(.*$")


def _split_key(key: str, v5: bool) -> tuple[str, str]:
    k = _PEER.sub("", key.lstrip("/"))
    if v5 and "@" not in k[1:].split("/", 1)[-1]:
        name, _, ver = k.rpartition("/")
        return name, ver.split("_", 1)[0]
    at = k.rfind("@")
    if at <= 0:
        return k, ""
    return k[:at], k[at + 1 :]


def parse(ctx: ParseContext, text: str) -> Parsed:
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - safe loader
    except yaml.YAMLError as exc:
        raise LockfileError(f"not valid YAML: {exc}") from None
    if data is None:
        return Parsed()
    if not isinstance(data, dict) or "lockfileVersion" not in data:
        raise LockfileError("not a pnpm-lock.yaml: no lockfileVersion")
    major = int(float(str(data["lockfileVersion"]).split(".")[0] or 0))
    lines: dict[str, int] = {}
    in_packages = False
    for i, raw in enumerate(text.splitlines(), start=1):
        if raw and not raw[0].isspace():
            in_packages = raw.startswith("packages:")
            continue
        if in_packages and raw.startswith("  ") and not raw.startswith("   ") and raw.rstrip().endswith(":"):
            lines[raw.strip()[:-1].strip("'\"")] = i
    packages: dict[str, Any] = data.get("packages") or {}
    importers = data.get("importers") or {".": data}
    direct: set[str] = set()
    prod_roots: list[str] = []
    dev_roots: list[str] = []

    def ref(name: str, spec: Any) -> str:
        version = spec.get("version") if isinstance(spec, dict) else spec
        version = str(version)
        if version.startswith("link:"):
            return ""
        if major >= 9:
            return f"{name}@{version}"
        return version if version.startswith("/") else (f"/{name}@{version}" if major >= 6 else f"/{name}/{version}")

    for imp in importers.values():
        if not isinstance(imp, dict):
            continue
        for section, roots in (
            ("dependencies", prod_roots),
            ("optionalDependencies", prod_roots),
            ("devDependencies", dev_roots),
        ):
            for name, spec in (imp.get(section) or {}).items():
                direct.add(name)
                r = ref(name, spec)
                if r:
                    roots.append(r)
    dev_set: set[str] = set()
    if major >= 9:
        edges: dict[str, list[str]] = {}
        for key, snap in (data.get("snapshots") or {}).items():
            deps = {**((snap or {}).get("dependencies") or {}), **((snap or {}).get("optionalDependencies") or {})}
            edges[key] = [f"{n}@{v}" for n, v in deps.items()]
        snap_dev = dev_only(edges, prod_roots, dev_roots)
        reached_prod = set(edges) - snap_dev
        dev_set = {_PEER.sub("", str(k)) for k in snap_dev} - {_PEER.sub("", str(k)) for k in reached_prod}
    out = []
    for key, entry in packages.items():
        entry = entry if isinstance(entry, dict) else {}
        name, version = _split_key(str(key), major < 6)
        if entry.get("name"):
            name = entry["name"]
            version = str(entry.get("version") or version)
        resolution = entry.get("resolution") or {}
        source = "registry"
        if resolution.get("type") == "git" or "commit" in resolution:
            source = "git"
        elif resolution.get("directory"):
            source = "path"
        elif resolution.get("tarball"):
            source = npm_source(str(resolution["tarball"]))
            if source == "registry" and not version[:1].isdigit():
                source = "url"
        if source == "registry" and version and not version[:1].isdigit():
            source = npm_source(version) if npm_source(version) != "registry" else "url"
        dev = _PEER.sub("", str(key)) in dev_set if major >= 9 else entry.get("dev") is True
        out.append(
            package(
                ctx,
                ECOSYSTEM,
                name,
                version or None,
                lines.get(str(key), 0),
                scope="dev" if dev else "runtime",
                direct=name in direct,
                source=source,
            )
        )
    return Parsed(packages=dedupe(out))
