"""`Pipfile.lock`: JSON with `default` (deployed) and `develop` (development-only) sections."""

from __future__ import annotations

from fnaudit.loaders.lockfiles._common import KeyLines, LockfileError, ParseContext, Parsed, dedupe, load_json, package

NAMES = ("Pipfile.lock",)
ECOSYSTEM = "PyPI"


def parse(ctx: ParseContext, text: str) -> Parsed:
    data = load_json(text, "Pipfile.lock")
    if "default" not in data and "develop" not in data and "_meta" not in data:
        raise LockfileError("not a Pipfile.lock: no default/develop sections")
    lines = KeyLines(text)
    direct: set[str] = set()
    out = Parsed()
    for section, scope in (("default", "runtime"), ("develop", "dev")):
        entries = data.get(section) or {}
        start = lines.first(section)
        for name, entry in entries.items():
            if not isinstance(entry, dict):
                continue
            version = entry.get("version")
            source = "registry"
            if "git" in entry:
                source = "git"
            elif "path" in entry or "file" in entry:
                source = "path" if "path" in entry else "url"
            pin = version[2:] if isinstance(version, str) and version.startswith("==") else None
            out.packages.append(
                package(
                    ctx,
                    ECOSYSTEM,
                    name,
                    pin if source == "registry" else None,
                    lines.first(name, start, objects=True),
                    scope=scope,
                    direct=None if not direct else name in direct,
                    source=source,
                    requirement="" if pin or source != "registry" else str(version or ""),
                )
            )
    out.packages = dedupe(out.packages)
    return out
