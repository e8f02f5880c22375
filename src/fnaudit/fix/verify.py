"""`--write`: apply the plan, scan again, keep what the second scan confirms, roll back the rest.

A fix is kept when the findings it was made for are gone from the second scan and no new finding appeared
where it edited. Findings are compared by what survives an edit (rule, function, file), counted: an edit
moves lines and changes the text fingerprints hash, so fingerprints cannot be compared across it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fnaudit.findings import Finding
from fnaudit.fix.model import Fix, Plan
from fnaudit.fix.patch import new_texts
from fnaudit.fix.sources import Sources
from fnaudit.pipeline import ScanResult

Key = tuple[str, str, str]
MAX_ROUNDS = 3  # each round rolls back at least one fix, or ends


@dataclass(frozen=True, slots=True)
class Verified:
    kept: tuple[Fix, ...]
    rolled_back: tuple[tuple[Fix, str], ...]  # (fix, why)
    result: ScanResult  # the scan of the files as written in the end


def write_and_verify(plan: Plan, sources: Sources, before: ScanResult, rescan: Callable[[], ScanResult]) -> Verified:
    originals = {path: sources.text(path) for fix in plan.fixes for path in {e.path for e in fix.edits}}
    by_fingerprint = {f.fingerprint: f for f in before.active_findings}
    kept = list(plan.fixes)
    rolled: list[tuple[Fix, str]] = []
    result = before
    for _ in range(MAX_ROUNDS):
        _write(sources.root, new_texts(kept, sources), originals)
        result = rescan()
        bad = _judge(kept, by_fingerprint, before, result)
        if not bad:
            break
        rolled.extend(bad)
        gone = {id(f) for f, _ in bad}
        kept = [f for f in kept if id(f) not in gone]
    else:  # still failing after the last round: nothing is kept
        rolled.extend((f, "the second scan did not confirm it") for f in kept)
        kept = []
        _write(sources.root, {}, originals)
        result = rescan()
    return Verified(tuple(kept), tuple(rolled), result)


def _write(root: Path, texts: dict[str, str], originals: dict[str, str | None]) -> None:
    for path, original in originals.items():
        text = texts.get(path, original)
        if text is not None:
            (root / path).write_bytes(text.encode("utf-8"))  # bytes: the text keeps its own line endings


def _key(f: Finding) -> Key:
    return (f.rule_id, f.function_id or "", f.location.path)


def _judge(
    fixes: list[Fix], by_fingerprint: dict[str, Finding], before: ScanResult, after: ScanResult
) -> list[tuple[Fix, str]]:
    old = Counter(_key(f) for f in before.active_findings)
    new = Counter(_key(f) for f in after.active_findings)
    bad: list[tuple[Fix, str]] = []
    for fix in fixes:
        # a fix waiting for its commands (a lockfile refresh) cannot have resolved anything yet
        targets = [] if fix.pending else [by_fingerprint[fp] for fp in fix.fingerprints if fp in by_fingerprint]
        expected = Counter(_key(f) for f in targets)
        for key, count in expected.items():
            if new[key] > old[key] - count:
                bad.append((fix, f"{key[0]} is still reported after the edit"))
                break
        else:
            paths = {e.path for e in fix.edits}
            appeared = [k for k in new if new[k] > old[k] and k[2] in paths]
            if appeared:
                bad.append((fix, f"the edit made a new {appeared[0][0]} finding in {appeared[0][2]}"))
    return bad
