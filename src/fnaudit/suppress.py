"""Suppressions: one semantics for inline comments, CloudFormation Metadata, config entries and baselines.

A suppressed finding stays in the result, marked with the suppression that matched (kind and
reason), so JSON and SARIF can still show it. Config ignores that matched nothing, or whose
expiry date has passed, are reported back as warnings.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from fnaudit.config import IgnoreEntry
from fnaudit.errors import ScanError
from fnaudit.findings import Finding, Suppression
from fnaudit.model.loc import Loc

INLINE = re.compile(r"fnaudit:\s*ignore\[([^\]]*)\]\s*(?:--\s*)?(.*?)\s*(?:\*/|-->)?\s*$")
BASELINE_SCHEMA = "fnaudit/baseline/v1"
_COMMENT_ONLY = re.compile(r"^\s*(#|//|/\*|<!--|--)")


def _selects(selector: str, f: Finding) -> bool:
    sel = selector.strip()
    return bool(sel) and (f.rule_name == sel.lower() or f.rule_id.startswith(sel.upper()))


class _Lines:
    """Lines of scanned files, read once, for inline comments."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, list[str]] = {}

    def get(self, rel: str) -> list[str]:
        if rel not in self.cache:
            try:
                p = (self.root / rel).resolve()
                if self.root not in p.parents or p.stat().st_size > 10 * 1024 * 1024:
                    self.cache[rel] = []
                else:
                    self.cache[rel] = p.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self.cache[rel] = []
        return self.cache[rel]


def inline_suppression(f: Finding, lines: list[str]) -> Suppression | None:
    """An `fnaudit: ignore[CODE] reason` comment at the end of the finding's line, or alone on the line above.

    A trailing comment belongs to its own line only, so one ignore never silences the next statement.
    """
    line = f.location.line
    for n in (line, line - 1):
        if 1 <= n <= len(lines):
            text = lines[n - 1]
            if n != line and not _COMMENT_ONLY.match(text):
                continue
            m = INLINE.search(text)
            if m and any(_selects(s, f) for s in m.group(1).split(",")):
                return Suppression("inline", m.group(2) or "(no reason given)", Loc(f.location.path, n))
    return None


def config_suppression(f: Finding, entry: IgnoreEntry, today: dt.date) -> bool:
    if not _selects(entry.rule, f):
        return False
    if entry.until is not None and entry.until < today:
        return False
    if entry.path and not fnmatch.fnmatch(f.location.path, entry.path):
        return False
    return not (entry.function and entry.function != f.function)


def load_baseline(path: Path) -> set[str]:
    """Fingerprints listed in a baseline file. Raises ValueError with a clear message when unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read baseline {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != BASELINE_SCHEMA:
        raise ValueError(f"{path} is not an fnaudit baseline (expected schema {BASELINE_SCHEMA!r})")
    return {str(e["fingerprint"]) for e in data.get("findings", []) if isinstance(e, dict) and "fingerprint" in e}


def baseline_document(findings: Iterable[Finding]) -> dict[str, object]:
    """A baseline: sorted, no line numbers, no timestamps, so it only changes when findings do."""
    entries = sorted(
        {(f.rule_id, f.location.path, f.function or "", f.fingerprint) for f in findings if not f.suppressed}
    )
    return {
        "schema": BASELINE_SCHEMA,
        "findings": [{"rule_id": r, "path": p, "function": fn, "fingerprint": fp} for r, p, fn, fp in entries],
    }


def apply(
    findings: list[Finding],
    root: Path,
    ignores: tuple[IgnoreEntry, ...],
    today: dt.date,
    baseline: set[str] | None = None,
    inline: bool = True,
    metadata: Mapping[str, list[tuple[str, str]]] | None = None,
) -> tuple[list[Finding], list[ScanError]]:
    """Mark suppressed findings; return them with warnings about unused and expired config ignores.

    `metadata` maps a function id to `(rule selector, reason)` pairs from CloudFormation
    `Metadata: {fnaudit: {ignore: [...]}}` (the only way to annotate a JSON template).
    """
    lines = _Lines(root.resolve())
    used: set[int] = set()
    out: list[Finding] = []
    for f in findings:
        sup: Suppression | None = None
        if inline:
            sup = inline_suppression(f, lines.get(f.location.path))
        if sup is None and metadata and f.function_id in metadata:
            for selector, reason in metadata[f.function_id]:
                if _selects(selector, f):
                    sup = Suppression("metadata", reason or "(no reason given)")
                    break
        if sup is None:
            for i, entry in enumerate(ignores):
                if config_suppression(f, entry, today):
                    used.add(i)
                    sup = Suppression("config", entry.reason)
                    break
        if sup is None and baseline is not None and f.fingerprint in baseline:
            sup = Suppression("baseline", "in baseline")
        out.append(replace(f, suppression=sup) if sup else f)
    warnings: list[ScanError] = []
    for i, entry in enumerate(ignores):
        where = entry.source or "config"
        if entry.until is not None and entry.until < today:
            warnings.append(
                ScanError(
                    where,
                    f"ignore of {entry.rule} expired on {entry.until.isoformat()}; fix the findings or extend `until`",
                    "config",
                )
            )
        elif i not in used:
            warnings.append(ScanError(where, f"ignore of {entry.rule} matched no finding; remove it", "config"))
    return out, warnings
