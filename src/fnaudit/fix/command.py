"""`fnaudit fix`: the plan shown as a patch, and with `--write` / `--interactive` applied and verified.

On a terminal each fix is shown under the finding it resolves (rule, function, what changes), followed by its
hunks, what to review and what to run by hand; piped, the output is the plain unified diff (`fnaudit fix >
fix.patch && git apply fix.patch`). The summary and what could not be fixed (and why) go to stderr.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from fnaudit.findings import Category, Finding
from fnaudit.fix import patch
from fnaudit.fix.model import Fix, Plan
from fnaudit.fix.plan import plan as make_plan
from fnaudit.fix.sources import Sources
from fnaudit.fix.text import value_of
from fnaudit.fix.verify import write_and_verify
from fnaudit.pipeline import ScanResult
from fnaudit.textsafe import clean


def run_fix(
    result: ScanResult,
    root: Path,
    *,
    functions: Sequence[str] = (),
    write: bool = False,
    interactive: bool = False,
    rescan: Callable[[], ScanResult],
    out: TextIO | None = None,
    err: TextIO | None = None,
    ask: Callable[[str], str] = input,
) -> ScanResult:
    """Show (and maybe write) the fixes of `result`; the findings that remain unfixed, for the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    sources = Sources(root)
    plan = make_plan(result, root, functions, sources)
    secrets = secret_values(result, sources)
    grouped = interactive or out.isatty()
    findings = {f.fingerprint: f for f in result.findings}  # what each shown fix resolves, looked up once
    if interactive:
        plan = _choose(plan, findings, sources, secrets, out, ask)
    elif grouped:
        for fix in plan.fixes:
            out.write(_shown(fix, findings, sources, secrets))
    else:
        out.write(patch.of_plan(plan, sources, secrets))
    if not grouped:  # the patch alone goes to stdout: what to run afterwards goes to stderr
        for fix in plan.fixes:
            for command in fix.commands:
                then = " (the finding goes once it has run)" if fix.pending else ""
                print(f"fnaudit: then run, for {fix.rule_id} {fix.summary}{then}: {command}", file=err)
    if _hides_secrets(plan, sources, secrets):
        print("fnaudit: the patch hides secret values (shown redacted): apply it with --write, not git apply", file=err)
    for nofix in plan.unfixed:
        who = f" ({nofix.function})" if nofix.function else ""
        print(f"fnaudit: not fixed: {nofix.rule_id}{who}: {clean(nofix.reason)}", file=err)
    resolved = len(plan.fixed_fingerprints)
    if not write:
        print(
            f"fnaudit: {len(plan.fixes)} fix(es) for {resolved} finding(s); nothing written (--write applies them)",
            file=err,
        )
        return _without(result, plan.fixed_fingerprints)
    if not plan.fixes:
        print("fnaudit: nothing to write", file=err)
        return result
    verified = write_and_verify(plan, sources, result, rescan)
    for fix, why in verified.rolled_back:
        print(f"fnaudit: rolled back: {fix.rule_id} ({fix.summary}): {clean(why)}", file=err)
    files = sorted({e.path for f in verified.kept for e in f.edits})
    print(
        f"fnaudit: wrote {len(verified.kept)} fix(es) to {len(files)} file(s): {', '.join(files) or '-'}; "
        f"the second scan confirmed them",
        file=err,
    )
    return verified.result


def _shown(fix: Fix, findings: Mapping[str, Finding], sources: Sources, secrets: tuple[str, ...]) -> str:
    """One fix for a person: the finding, then its hunks, then what to review and run."""
    finding = findings.get(fix.fingerprint)
    who = f" {fix.function}" if fix.function else ""
    head = f"# {fix.rule_id}{who}: {fix.summary}\n"
    if finding is not None:
        head += f"#   {clean(finding.message)}\n"
    if fix.resolves:
        head += f"#   (also resolves {len(fix.resolves)} other finding(s))\n"
    tail = "".join(f"#   review: {clean(n)}\n" for n in fix.notes)
    tail += "".join(f"#   run: {c}\n" for c in fix.commands)
    return head + patch.of_fix(fix, sources, secrets) + tail + "\n"


def _choose(
    plan: Plan,
    findings: Mapping[str, Finding],
    sources: Sources,
    secrets: tuple[str, ...],
    out: TextIO,
    ask: Callable[[str], str],
) -> Plan:
    """`--interactive`: each fix shown, then kept on `y`; `q` keeps what was chosen so far and stops asking."""
    chosen: list[Fix] = []
    for fix in plan.fixes:
        out.write(_shown(fix, findings, sources, secrets))
        out.flush()
        answer = ask("apply this fix? [y]es / [n]o / [q]uit: ").strip().lower()
        if answer.startswith("q"):
            break
        if answer.startswith("y"):
            chosen.append(fix)
    return dataclasses.replace(plan, fixes=tuple(chosen))


# `key: value` pairs of a YAML flow mapping; a value never spans a nested `{`, so `environment: {` is no pair
_FLOW_PAIR = re.compile(r"""([\w.-]+)\s*:\s*('[^']*'|"[^"]*"|[^,{}\[\]]+)""")


def secret_values(result: ScanResult, sources: Sources) -> tuple[str, ...]:
    """The values written on the lines of the scan's secret findings: a diff must show none of them, even as
    context of another fix's hunk."""
    values: set[str] = set()
    for finding in result.findings:
        if finding.category is not Category.SECRETS or finding.location.line <= 0:
            continue
        lines = sources.lines(finding.location.path)
        if lines is None or finding.location.line > len(lines):
            continue
        value = value_of(lines[finding.location.line - 1])
        if value.startswith(("{", "[")):  # a flow mapping: only the values of the keys the finding names
            for key, raw in _FLOW_PAIR.findall(value):
                if re.search(rf"\b{re.escape(key)}\b", finding.message + " " + finding.evidence):
                    values.add(raw.strip().strip("'\""))
        else:
            values.add(value)
    return tuple(sorted(v for v in values if len(v) >= patch.MIN_MASK))


def _hides_secrets(plan: Plan, sources: Sources, secrets: tuple[str, ...]) -> bool:
    masks = patch.masks_of(plan, secrets)
    paths = {e.path for f in plan.fixes for e in f.edits}
    return any(m in (sources.text(p) or "") for p in paths for m in masks if len(m) >= patch.MIN_MASK)


def _without(result: ScanResult, fixed: frozenset[str]) -> ScanResult:
    return dataclasses.replace(result, findings=tuple(f for f in result.findings if f.fingerprint not in fixed))
