"""`composer.lock`: `packages` (deployed) and `packages-dev` (development-only). A `dev-…`
version is a branch, not a release (reported with source git)."""

from __future__ import annotations

from fnaudit.loaders.lockfiles._common import KeyLines, LockfileError, ParseContext, Parsed, dedupe, load_json, package

NAMES = ("composer.lock",)
ECOSYSTEM = "Packagist"


def parse(ctx: ParseContext, text: str) -> Parsed:
    data = load_json(text, "composer.lock")
    if "packages" not in data and "packages-dev" not in data:
        raise LockfileError("not a composer.lock: no packages / packages-dev")
    name_lines: list[tuple[int, str]] = []
    for i, raw in enumerate(text.splitlines(), start=1):
        s = raw.strip()
        if s.startswith('"name":') and raw.startswith("            ") and not raw.startswith("             "):
            name_lines.append((i, s))
    lines = KeyLines(text)
    out = Parsed()
    used: set[int] = set()
    for section, scope in (("packages", "runtime"), ("packages-dev", "dev")):
        start = lines.first(section)
        for p in data.get(section) or []:
            if not isinstance(p, dict) or "name" not in p:
                continue
            name = str(p["name"])
            version = str(p.get("version") or "") or None
            line = next((n for n, s in name_lines if n > start and n not in used and f'"{name}"' in s), 0)
            used.add(line)
            source = "registry"
            if version and (version.startswith("dev-") or version.endswith("-dev")):
                source = "git"
            elif (p.get("dist") or {}).get("type") == "path":
                source = "path"
            out.packages.append(package(ctx, ECOSYSTEM, name, version, line, scope=scope, source=source))
    out.packages = dedupe(out.packages)
    return out
