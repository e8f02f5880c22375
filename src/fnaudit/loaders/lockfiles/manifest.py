"""The dependencies a `package.json` declares, read when no lockfile pins them.

Without a lockfile, what `npm install` deploys is whatever the registry serves for each entry: an exact
version (`"1.2.3"`, `"=1.2.3"`, `"v1.2.3"`) is matched like a locked one; anything else that names a
registry range (`^2.0.10`, `~1.2`, `>=1 <2`, `1.x`) keeps `version=None` and the range as `requirement`,
for the engine's range matching. Git, URL, file, workspace and alias specs are not registry packages.
"""

from __future__ import annotations

import json
import re

from fnaudit.loaders.lockfiles._common import ParseContext, package
from fnaudit.model.package import Package

ECOSYSTEM = "npm"
_SECTIONS = {"dependencies": "runtime", "optionalDependencies": "runtime", "devDependencies": "dev"}
_EXACT = re.compile(r"^[=v]?\s*(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$")
_NOT_REGISTRY = re.compile(
    r"^(file:|link:|portal:|workspace:|npm:|git|github:|gitlab:|bitbucket:|https?:|[\w.-]+/[\w.-]+)"
)


def parse_package_json(ctx: ParseContext, text: str) -> list[Package]:
    """The registry dependencies of a package.json (runtime and dev), each at its own line."""
    try:
        data = json.loads(text)
    except ValueError:
        return []  # DEP003 still names the manifest; an unreadable one has nothing to match
    if not isinstance(data, dict):
        return []
    lines = text.splitlines()
    out: list[Package] = []
    for section, scope in _SECTIONS.items():
        deps = data.get(section)
        if not isinstance(deps, dict):
            continue
        start = _line_of(lines, section, 0)
        for name, spec in deps.items():
            if not isinstance(name, str) or not isinstance(spec, str):
                continue
            line = _line_of(lines, name, start)
            spec = spec.strip()
            if _NOT_REGISTRY.match(spec):
                continue
            exact = _EXACT.match(spec)
            out.append(
                package(
                    ctx,
                    ECOSYSTEM,
                    name,
                    exact.group(1) if exact else None,
                    line,
                    scope=scope,
                    direct=True,
                    requirement="" if exact else (spec or "*"),
                )
            )
    return out


def _line_of(lines: list[str], key: str, after: int) -> int:
    """1-based line of `"key":` at or after line `after` (1 when not found)."""
    pattern = re.compile(r"^\s*" + re.escape(json.dumps(key)) + r"\s*:")
    for i in range(max(after - 1, 0), len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return max(after, 1)
