"""A plan as text: the new content of each file, and the unified diff a person reviews (or `git apply`s)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from fnaudit.fix.model import Edit, Fix, Plan
from fnaudit.fix.sources import Sources, apply


def new_texts(fixes: Iterable[Fix], sources: Sources) -> dict[str, str]:
    """Path → the file's text with every edit of `fixes` applied (only the files that change)."""
    by_path: dict[str, list[Edit]] = {}
    for fix in fixes:
        for edit in fix.edits:
            by_path.setdefault(edit.path, []).append(edit)
    out: dict[str, str] = {}
    for path, edits in sorted(by_path.items()):
        original = sources.text(path)
        if original is None:
            continue
        changed = apply(original, edits, sources.newline(path))
        if changed != original:
            out[path] = changed
    return out


def unified(texts: dict[str, str], sources: Sources) -> str:
    """The patch of `texts` against the files as they are, `git apply`-able (a/ and b/ prefixes)."""
    parts: list[str] = []
    for path in sorted(texts):
        before = (sources.text(path) or "").splitlines(keepends=True)
        after = texts[path].splitlines(keepends=True)
        parts.extend(_lines(difflib.unified_diff(before, after, f"a/{path}", f"b/{path}")))
    return "".join(parts)


def of_plan(plan: Plan, sources: Sources) -> str:
    return unified(new_texts(plan.fixes, sources), sources)


def of_fix(fix: Fix, sources: Sources) -> str:
    """The diff of one fix alone, for the terminal view that shows each finding above its hunks."""
    return unified(new_texts((fix,), sources), sources)


def _lines(diff: Iterable[str]) -> Iterable[str]:
    for line in diff:
        yield line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
