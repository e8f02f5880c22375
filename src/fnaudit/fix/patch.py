"""A plan as text: the new content of each file, and the unified diff a person reviews (or `git apply`s)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from fnaudit.fix.model import Edit, Fix, Plan
from fnaudit.fix.sources import Sources, apply
from fnaudit.redact import redact

MIN_MASK = 4  # shorter values are not secrets worth hiding, and masking them would garble the patch


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


def unified(texts: dict[str, str], sources: Sources, masks: Iterable[str] = ()) -> str:
    """The patch of `texts` against the files as they are, `git apply`-able (a/ and b/ prefixes) unless it
    shows a secret: each of `masks` is replaced by its redacted form on both sides first."""
    hidden = sorted({m for m in masks if len(m) >= MIN_MASK}, key=len, reverse=True)
    parts: list[str] = []
    for path in sorted(texts):
        before = _masked(sources.text(path) or "", hidden).splitlines(keepends=True)
        after = _masked(texts[path], hidden).splitlines(keepends=True)
        parts.extend(_lines(difflib.unified_diff(before, after, f"a/{path}", f"b/{path}")))
    return "".join(parts)


def masks_of(plan: Plan, secret_values: Iterable[str] = ()) -> tuple[str, ...]:
    """What a shown patch must hide: the fixes' own secrets and the values of secret findings left in the files."""
    return (*{m for f in plan.fixes for m in f.masked}, *secret_values)


def of_plan(plan: Plan, sources: Sources, secret_values: Iterable[str] = ()) -> str:
    return unified(new_texts(plan.fixes, sources), sources, masks_of(plan, secret_values))


def of_fix(fix: Fix, sources: Sources, secret_values: Iterable[str] = ()) -> str:
    """The diff of one fix alone, for the terminal view that shows each finding above its hunks."""
    return unified(new_texts((fix,), sources), sources, (*fix.masked, *secret_values))


def _masked(text: str, masks: list[str]) -> str:
    for secret in masks:
        if secret in text:
            text = text.replace(secret, redact(secret))
    return text


def _lines(diff: Iterable[str]) -> Iterable[str]:
    for line in diff:
        yield line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
