"""`gradle.lockfile`: `group:artifact:version=configuration,…` lines. A package only in test,
annotation-processor or tooling configurations is development-only."""

from __future__ import annotations

from fnaudit.loaders.lockfiles._common import LockfileError, ParseContext, Parsed, dedupe, package

NAMES = ("gradle.lockfile",)
ECOSYSTEM = "Maven"


def _deployed(config: str) -> bool:
    c = config.strip()
    if c.lower().startswith("test") or "Test" in c:
        return False
    return c.endswith(("runtimeClasspath", "RuntimeClasspath", "compileClasspath", "CompileClasspath"))


def parse(ctx: ParseContext, text: str) -> Parsed:
    out = Parsed()
    for i, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("empty="):
            continue
        coords, sep, configs = line.partition("=")
        parts = coords.split(":")
        if not sep or len(parts) < 3:
            raise LockfileError(f"line {i} is not `group:artifact:version=configurations`")
        group, artifact, version = parts[0], parts[1], parts[2]
        deployed = any(_deployed(c) for c in configs.split(","))
        out.packages.append(
            package(ctx, ECOSYSTEM, f"{group}:{artifact}", version, i, scope="runtime" if deployed else "dev")
        )
    out.packages = dedupe(out.packages)
    return out
