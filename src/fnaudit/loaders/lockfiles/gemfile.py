"""`Gemfile.lock`: the `specs:` of the GEM (registry), GIT and PATH sections. Versions may carry a
platform (`1.13.0-x86_64-linux`), which is dropped. Gems that only `group :development/:test`
blocks of the sibling Gemfile reach (through the lock's dependency graph) are development-only.
"""

from __future__ import annotations

import re

from fnaudit.loaders.lockfiles._common import LockfileError, ParseContext, Parsed, dedupe, dev_only, package

NAMES = ("Gemfile.lock",)
ECOSYSTEM = "RubyGems"
_SPEC = re.compile(r"^    (\S+) \(([^)]+)\)\s*$")
_DEP = re.compile(r"^      (\S+)")
_PLATFORM = re.compile(r"-(x86|x64|arm|aarch|universal|java|mingw|mswin|darwin|linux)\S*$")


def _gemfile_roots(text: str) -> tuple[set[str], set[str]]:
    prod: set[str] = set()
    dev: set[str] = set()
    stack: list[bool] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        m = re.match(r"^group\s+(.+?)\s+do\b", line)
        if m:
            groups = set(re.findall(r":(\w+)|['\"](\w+)['\"]", m.group(1)))
            names = {a or b for a, b in groups}
            stack.append(bool(names) and names <= {"development", "test", "dev"})
            continue
        if re.match(r"^(\w+\s+)?do\b|.*\bdo(\s*\|.*\|)?$", line) and not line.startswith("gem "):
            stack.append(stack[-1] if stack else False)
            continue
        if line == "end" and stack:
            stack.pop()
            continue
        g = re.match(r"^gem\s+['\"]([^'\"]+)['\"](.*)$", line)
        if g:
            inline_dev = re.search(r"group[s]?:\s*\[?\s*:(development|test)", g.group(2)) is not None
            (dev if (stack and stack[-1]) or inline_dev else prod).add(g.group(1))
    return prod, dev - prod


def parse(ctx: ParseContext, text: str) -> Parsed:
    if text.strip() and not re.search(r"^(GEM|GIT|PATH|PLATFORMS|DEPENDENCIES)\s*$", text, re.M):
        raise LockfileError("not a Gemfile.lock: no GEM / DEPENDENCIES section")
    section = ""
    specs: list[tuple[str, str, str, int]] = []
    edges: dict[str, list[str]] = {}
    current = None
    declared: set[str] = set()
    for i, raw in enumerate(text.splitlines(), start=1):
        if raw and not raw[0].isspace():
            section = raw.strip()
            current = None
            continue
        if section in ("GEM", "GIT", "PATH"):
            m = _SPEC.match(raw)
            if m:
                name, version = m.group(1), _PLATFORM.sub("", m.group(2))
                specs.append((name, version, section, i))
                current = name
                edges.setdefault(name, [])
                continue
            d = _DEP.match(raw)
            if d and current:
                edges[current].append(d.group(1))
        elif section == "DEPENDENCIES":
            d = re.match(r"^  (\S+?)!?(\s|$)", raw)
            if d:
                declared.add(d.group(1))
    dev_set: set[str] = set()
    gemfile = ctx.sibling("Gemfile")
    if gemfile is not None:
        prod, dev = _gemfile_roots(ctx.read(gemfile))
        dev_set = dev_only(edges, prod, dev)
    out = []
    for name, version, section, line in specs:
        source = {"GEM": "registry", "GIT": "git", "PATH": "path"}[section]
        out.append(
            package(
                ctx,
                ECOSYSTEM,
                name,
                version,
                line,
                scope="dev" if name in dev_set else "runtime",
                direct=name in declared if declared else None,
                source=source,
            )
        )
    return Parsed(packages=dedupe(out))
