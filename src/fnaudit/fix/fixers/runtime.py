"""RUNTIME001: a deprecated runtime becomes its supported successor of the same language."""

from __future__ import annotations

from fnaudit.findings import Finding
from fnaudit.fix.context import FixContext
from fnaudit.fix.model import Edit, Fix, NoFix
from fnaudit.fix.registry import fixer
from fnaudit.fix.text import replace_token
from fnaudit.rules.runtime._table import lookup

# What usually breaks when a function moves to a newer runtime of its language: said with every fix.
_WHAT_TO_TEST = {
    "python": "run the tests on {new}: modules removed from the standard library (distutils, imp, asyncore) "
    "and packages with compiled parts built for {old} need new builds",
    "nodejs": "run the tests on {new}: native modules must be rebuilt, and the AWS SDK bundled in the runtime "
    "is v3 (`@aws-sdk/*`), not v2 (`aws-sdk`)",
    "java": "rebuild and run the tests on {new}: check the target bytecode level of the build",
    "dotnet": "retarget the project to {new} and run the tests",
    "ruby": "run the tests on {new} and refresh the Gemfile.lock",
    "provided": "rebuild the `bootstrap` binary for {new} (Amazon Linux 2023) and run it",
    "go": "rebuild for `provided.al2023` with `bootstrap` as the binary name",
}


@fixer("RUNTIME001")
def successor_runtime(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    fn = ctx.function(finding)
    if fn is None or fn.runtime.value is None:
        return None
    info = lookup(fn.runtime.value)
    if info is None:
        return None
    if not info.successor:
        return NoFix(
            finding.rule_id,
            finding.fingerprint,
            finding.function,
            f"{info.id} has no supported successor of the same language",
        )
    loc = fn.runtime.loc
    lines = ctx.sources.lines(loc.path)
    if lines is None or not 0 < loc.line <= len(lines):
        return NoFix(finding.rule_id, finding.fingerprint, finding.function, f"{loc.path} cannot be edited here")
    changed = replace_token(lines[loc.line - 1], info.id, info.successor)
    if changed is None:
        return NoFix(
            finding.rule_id, finding.fingerprint, finding.function,
            f"the runtime is not written as `{info.id}` on {loc}: it comes from a variable or an anchor; change it there",
        )  # fmt: skip
    family = next((k for k in _WHAT_TO_TEST if info.id.startswith(k)), "")
    note = _WHAT_TO_TEST.get(family, "run the tests on {new}").format(new=info.successor, old=info.id)
    where = " (set once for every function that inherits it)" if fn.runtime.origin.value == "inherited" else ""
    return Fix(
        finding.rule_id,
        finding.fingerprint,
        finding.function,
        f"runtime {info.id} → {info.successor}{where}",
        (Edit(loc.path, loc.line, loc.line + 1, (changed,)),),
        notes=(note,),
    )
