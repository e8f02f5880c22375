"""From a scan's findings to a plan: which fixes to make, in what order, and what cannot be fixed (why)."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from fnaudit.findings import Finding
from fnaudit.fix.context import FixContext
from fnaudit.fix.model import Edit, Fix, NoFix, Plan
from fnaudit.fix.registry import fixers
from fnaudit.fix.sources import Sources
from fnaudit.pipeline import ScanResult


def plan(result: ScanResult, root: Path, functions: Sequence[str] = (), sources: Sources | None = None) -> Plan:
    """Every active finding a fixer knows, turned into a fix, in the report's order. A fix whose edits collide
    with an earlier fix's is not made (it says which); one whose edits are an earlier fix's exactly is folded
    into it (a runtime set once in `provider:` fixes every function that inherits it)."""
    sources = sources or Sources(root)
    ctx = FixContext(result, sources, result.today)
    known = fixers()
    fixes: list[Fix] = []
    unfixed: list[NoFix] = []
    by_edits: dict[tuple[Edit, ...], int] = {}  # a fix's edits → its index: identical edits fold into it
    by_path: dict[str, list[tuple[int, int, Edit]]] = {}  # path → (fix index, edit index, edit): clashes, per file
    for finding in result.active_findings:
        fix = known.get(finding.rule_id)
        if fix is None or not _selected(finding, functions):
            continue
        try:
            made = fix(finding, ctx)
        except Exception as exc:  # noqa: BLE001 -- one broken fixer must not stop the others
            made = NoFix(
                finding.rule_id, finding.fingerprint, finding.function, f"the fixer failed: {type(exc).__name__}: {exc}"
            )
        if made is None:
            continue
        if isinstance(made, NoFix):
            unfixed.append(made)
            continue
        same = by_edits.get(made.edits)
        if same is not None:
            fixes[same] = replace(fixes[same], resolves=(*fixes[same].resolves, *made.fingerprints))
            continue
        clash = _clash(made.edits, by_path, fixes)
        if clash is not None:
            unfixed.append(
                NoFix(
                    made.rule_id,
                    made.fingerprint,
                    made.function,
                    f"its edit overlaps the fix of {clash}: fix that first, then run again",
                )
            )
            continue
        by_edits[made.edits] = len(fixes)
        for j, edit in enumerate(made.edits):
            by_path.setdefault(edit.path, []).append((len(fixes), j, edit))
        fixes.append(made)
    return Plan(tuple(fixes), tuple(unfixed))


def _selected(finding: Finding, functions: Sequence[str]) -> bool:
    if not functions:
        return True
    names = finding.functions or ((finding.function,) if finding.function else ())
    return any(fnmatch.fnmatchcase(n, p) for n in names for p in functions)


def _clash(edits: tuple[Edit, ...], by_path: dict[str, list[tuple[int, int, Edit]]], fixes: list[Fix]) -> str | None:
    """The earliest accepted fix one of `edits` overlaps (only edits of the same file can), named for the user."""
    hits = [
        (index, i, j, other)
        for i, e in enumerate(edits)
        for index, j, other in by_path.get(e.path, ())
        if e.overlaps(other)
    ]
    if not hits:
        return None
    index, _, _, other = min(hits, key=lambda h: h[:3])
    return f"{fixes[index].rule_id} ({fixes[index].summary}) at {other.path}:{other.start}"
