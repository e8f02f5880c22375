"""`poetry.lock` (TOML `[[package]]` tables). Old locks say `category = "dev"`; newer ones do not,
so the groups of the sibling pyproject.toml and the lock's dependency graph decide what is dev-only.
"""

from __future__ import annotations

import tomllib

from fnaudit.loaders.lockfiles import _pyproject
from fnaudit.loaders.lockfiles._common import LockfileError, ParseContext, Parsed, dedupe, dev_only, package, pep503

NAMES = ("poetry.lock",)
ECOSYSTEM = "PyPI"


def table_lines(text: str, header: str = "[[package]]") -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), start=1) if line.strip() == header]


def parse(ctx: ParseContext, text: str) -> Parsed:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LockfileError(f"not valid TOML: {exc}") from None
    pkgs = data.get("package")
    if pkgs is None:
        if data and "metadata" not in data:
            raise LockfileError("not a poetry.lock: no [[package]] tables")
        return Parsed()
    lines = table_lines(text)
    roots = _pyproject.roots(ctx.sibling("pyproject.toml"))
    edges = {pep503(p["name"]): [pep503(d) for d in (p.get("dependencies") or {})] for p in pkgs}
    dev_set: set[str] = set()
    if roots is not None:
        dev_set = dev_only(edges, roots[0], roots[1])
    out = []
    for i, p in enumerate(pkgs):
        name = str(p.get("name", ""))
        src = (p.get("source") or {}).get("type")
        source = {"git": "git", "url": "url", "file": "path", "directory": "path"}.get(src or "", "registry")
        dev = p["category"] == "dev" if "category" in p else pep503(name) in dev_set
        direct = None if roots is None else pep503(name) in (roots[0] | roots[1])
        out.append(
            package(
                ctx,
                ECOSYSTEM,
                name,
                str(p.get("version") or "") or None,
                lines[i] if i < len(lines) else 0,
                scope="dev" if dev else "runtime",
                direct=direct,
                source=source,
            )
        )
    return Parsed(packages=dedupe(out))
