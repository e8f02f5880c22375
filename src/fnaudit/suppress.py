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
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from fnaudit.config import IgnoreEntry
from fnaudit.errors import ScanError
from fnaudit.findings import Finding, Suppression
from fnaudit.fingerprint import SourceLines
from fnaudit.model.loc import Loc

INLINE = re.compile(r"fnaudit:\s*ignore\[([^\]]*)\]\s*(?:--\s*)?(.*?)\s*(?:\*/|-->)?\s*$")
BASELINE_SCHEMA = "fnaudit/baseline/v1"
_COMMENT_ONLY = re.compile(r"^\s*(#|//|/\*|<!--|--)")


def _selects(selector: str, f: Finding) -> bool:
    sel = selector.strip()
    return bool(sel) and (f.rule_name == sel.lower() or f.rule_id.startswith(sel.upper()))


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
    """Fingerprints listed in a baseline file. Raises ValueError with a clear message when unreadable.

    Any version of the file is read; fingerprints written before they included the finding's line
    text (fnaudit.fingerprint) match no finding, so such a baseline suppresses nothing."""
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


class Suppressor:
    """Marks findings as they are produced: first-phase findings before the attack-path rules read
    them (a path built on a link suppressed on purpose carries that suppression), then the paths.

    It remembers which config ignores matched across every call, for `warnings()`.
    """

    def __init__(
        self,
        root: Path | SourceLines,
        ignores: tuple[IgnoreEntry, ...],
        today: dt.date,
        baseline: set[str] | None = None,
        inline: bool = True,
        metadata: Mapping[str, list[tuple[str, str]]] | None = None,
    ) -> None:
        self.lines = root if isinstance(root, SourceLines) else SourceLines(root)
        self.ignores = ignores
        self.today = today
        self.baseline = baseline
        self.inline = inline
        self.metadata = metadata or {}
        self.used: set[int] = set()
        self.seconds = 0.0  # time spent marking, for the `suppress` timing of --verbose

    def mark(self, findings: Iterable[Finding]) -> list[Finding]:
        started = time.perf_counter()
        out = [self._mark(f) for f in findings]
        self.seconds += time.perf_counter() - started
        return out

    def _mark(self, f: Finding) -> Finding:
        sup: Suppression | None = None
        if self.inline:
            sup = inline_suppression(f, self.lines.get(f.location.path))
        if sup is None and f.function_id in self.metadata:
            for selector, reason in self.metadata[f.function_id or ""]:
                if _selects(selector, f):
                    sup = Suppression("metadata", reason or "(no reason given)")
                    break
        if sup is None:
            for i, entry in enumerate(self.ignores):
                if config_suppression(f, entry, self.today):
                    self.used.add(i)
                    sup = Suppression("config", entry.reason)
                    break
        if sup is None and f.suppression is not None:
            return f  # inherited with its reason (an attack path built on a suppressed link)
        if sup is None and self.baseline is not None and f.fingerprint in self.baseline:
            sup = Suppression("baseline", "in baseline")
        return replace(f, suppression=sup) if sup else f

    def warnings(self) -> list[ScanError]:
        """Config ignores that expired, or that matched no finding in any call to `mark`."""
        out: list[ScanError] = []
        for i, entry in enumerate(self.ignores):
            where = entry.source or "config"
            if entry.until is not None and entry.until < self.today:
                out.append(
                    ScanError(
                        where,
                        f"ignore of {entry.rule} expired on {entry.until.isoformat()}; fix the findings or extend `until`",
                        "config",
                    )
                )
            elif i not in self.used:
                out.append(ScanError(where, f"ignore of {entry.rule} matched no finding; remove it", "config"))
        return out


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
    s = Suppressor(root, ignores, today, baseline, inline, metadata)
    return s.mark(findings), s.warnings()
