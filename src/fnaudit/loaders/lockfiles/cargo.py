"""`Cargo.lock` (TOML `[[package]]`). Packages without a `source` are the workspace's own crates."""

from __future__ import annotations

import tomllib

from fnaudit.loaders.lockfiles._common import LockfileError, ParseContext, Parsed, dedupe, package
from fnaudit.loaders.lockfiles.poetry import table_lines

NAMES = ("Cargo.lock",)
ECOSYSTEM = "crates.io"


def parse(ctx: ParseContext, text: str) -> Parsed:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LockfileError(f"not valid TOML: {exc}") from None
    if data and "package" not in data and "version" not in data and "metadata" not in data:
        raise LockfileError("not a Cargo.lock: no [[package]] tables")
    lines = table_lines(text)
    out = []
    for i, p in enumerate(data.get("package") or []):
        src = str(p.get("source") or "")
        if not src:
            continue  # a crate of this workspace
        source = (
            "registry" if src.startswith(("registry+", "sparse+")) else ("git" if src.startswith("git+") else "url")
        )
        out.append(
            package(
                ctx,
                ECOSYSTEM,
                str(p["name"]),
                str(p.get("version") or "") or None,
                lines[i] if i < len(lines) else 0,
                source=source,
            )
        )
    return Parsed(packages=dedupe(out))
