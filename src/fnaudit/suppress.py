"""Suppressions: one semantics for inline comments, CloudFormation Metadata, config entries and baselines.

A suppressed finding stays in the result, marked with the suppression that matched (kind and
reason), so JSON and SARIF can still show it. Like config ignores (which must have a reason, and are
reported when they matched nothing or expired), inline ignores are held to account: one without a
reason still suppresses but is reported, one that matched no finding of a rule that ran is reported,
and an ignore (inline or config) naming a retired rule code says so. All of these are warnings
(stage `config`, nothing lost).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from fnaudit import globs
from fnaudit.config import IgnoreEntry
from fnaudit.errors import Loss, ScanError
from fnaudit.findings import Finding, Suppression
from fnaudit.fingerprint import SourceLines
from fnaudit.model.loc import Loc
from fnaudit.rules.registry import Retired, Rule, all_rules, retired

# The comment marker is required: the words in a string literal (a test of this very tool, a doc
# string) are not an ignore. Group 1: the selectors; group 2: the reason, `--` optional.
INLINE = re.compile(r"(?:#|//|/\*|<!--|--)\s*fnaudit:\s*ignore\[([^\]]*)\]\s*(?:--\s*)?(.*?)\s*(?:\*/|-->)?\s*$")
BASELINE_SCHEMA = "fnaudit/baseline/v1"
_COMMENT_ONLY = re.compile(r"^\s*(#|//|/\*|<!--|--)")
NO_REASON = "(no reason given)"


def _selects(selector: str, f: Finding) -> bool:
    return _designates(selector, f.rule_id, f.rule_name)


def _designates(selector: str, code: str, name: str) -> bool:
    sel = selector.strip()
    return bool(sel) and (name == sel.lower() or code.startswith(sel.upper()))


@dataclass(frozen=True, slots=True)
class InlineIgnore:
    """One `fnaudit: ignore[...]` comment: where it is written, what it names, why ("" when no reason)."""

    path: str
    line: int
    selectors: tuple[str, ...]
    reason: str
    covers: tuple[int, ...]  # its own line, and the next one when the comment is alone on its line

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _parse(path: str, n: int, text: str) -> InlineIgnore | None:
    if "fnaudit" not in text:  # most lines: skip the regex
        return None
    m = INLINE.search(text)
    if not m:
        return None
    selectors = tuple(s.strip() for s in m.group(1).split(",") if s.strip())
    covers = (n, n + 1) if _COMMENT_ONLY.match(text) else (n,)
    return InlineIgnore(path, n, selectors, m.group(2), covers)


def inline_ignores(path: str, lines: list[str]) -> list[InlineIgnore]:
    """Every ignore comment in a file, in line order."""
    return [ig for n, text in enumerate(lines, start=1) if (ig := _parse(path, n, text)) is not None]


def _inline_match(f: Finding, lines: list[str]) -> tuple[InlineIgnore, tuple[str, ...]] | None:
    """The ignore comment that covers the finding's line and names its rule, with the selectors that do."""
    line = f.location.line
    for n in (line, line - 1):
        if 1 <= n <= len(lines):
            ig = _parse(f.location.path, n, lines[n - 1])
            if ig is None or line not in ig.covers:
                continue
            hit = tuple(s for s in ig.selectors if _selects(s, f))
            if hit:
                return ig, hit
    return None


def inline_suppression(f: Finding, lines: list[str]) -> Suppression | None:
    """An `fnaudit: ignore[CODE] reason` comment at the end of the finding's line, or alone on the line above.

    A trailing comment belongs to its own line only, so one ignore never silences the next statement.
    """
    match = _inline_match(f, lines)
    if match is None:
        return None
    ig = match[0]
    return Suppression("inline", ig.reason or NO_REASON, Loc(ig.path, ig.line))


def config_suppression(f: Finding, entry: IgnoreEntry, today: dt.date) -> bool:
    if not _selects(entry.rule, f):
        return False
    if entry.until is not None and entry.until < today:
        return False
    if entry.path and not globs.matches(f.location.path, entry.path):  # one gitignore pattern
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
    """A baseline: sorted, no line numbers, no timestamps, so it only changes when findings do. A finding that
    merged others of its location and cause (fnaudit.merge) lists theirs too: if its own rule stops reporting,
    the next rule of the group owns it, and its fingerprint is already accepted."""
    entries = sorted(
        {
            (rule_id, f.location.path, f.function or "", fingerprint)
            for f in findings
            if not f.suppressed
            for rule_id, fingerprint in ((f.rule_id, f.fingerprint), *((m.rule_id, m.fingerprint) for m in f.merged))
        }
    )
    return {
        "schema": BASELINE_SCHEMA,
        "findings": [{"rule_id": r, "path": p, "function": fn, "fingerprint": fp} for r, p, fn, fp in entries],
    }


@dataclass(frozen=True, slots=True)
class Record:
    """What marking findings records in a `Suppressor`, which its warnings read: the config ignores and the
    inline selectors that matched, the rules and the files of the findings marked. Findings marked by another
    suppressor of the same configuration (a worker's, or an earlier scan's kept with its findings) bring theirs
    along (`Suppressor.add`), so the warnings are the ones marking them here would give."""

    used: frozenset[int] = frozenset()
    inline_used: frozenset[tuple[str, int, str]] = frozenset()
    marked: frozenset[tuple[str, str]] = frozenset()
    paths: frozenset[str] = frozenset()

    def __sub__(self, other: Record) -> Record:
        return Record(
            self.used - other.used,
            self.inline_used - other.inline_used,
            self.marked - other.marked,
            self.paths - other.paths,
        )


class Suppressor:
    """Marks findings as they are produced: first-phase findings before the attack-path rules read
    them (a path built on a link suppressed on purpose carries that suppression), then the paths.

    It remembers which config ignores and which inline selectors matched across every call, for `warnings()`.
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
        self.inline_used: set[tuple[str, int, str]] = set()  # (path, comment line, selector) that suppressed something
        self.marked: set[tuple[str, str]] = set()  # (code, name) of the rules whose findings were marked
        self.paths: set[str] = set()  # files findings were reported in
        self.seconds = 0.0  # time spent marking, for the `suppress` timing of --verbose

    def mark(self, findings: Iterable[Finding]) -> list[Finding]:
        started = time.perf_counter()
        out = [self._mark(f) for f in findings]
        self.seconds += time.perf_counter() - started
        return out

    def _mark(self, f: Finding) -> Finding:
        sup: Suppression | None = None
        self.marked.add((f.rule_id, f.rule_name))
        self.paths.add(f.location.path)
        if self.inline:
            match = _inline_match(f, self.lines.get(f.location.path))
            if match is not None:
                ig, selectors = match
                self.inline_used.update((ig.path, ig.line, s) for s in selectors)
                sup = Suppression("inline", ig.reason or NO_REASON, Loc(ig.path, ig.line))
        if sup is None and f.function_id in self.metadata:
            for selector, reason in self.metadata[f.function_id or ""]:
                if _selects(selector, f):
                    sup = Suppression("metadata", reason or NO_REASON)
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

    def record(self) -> Record:
        """What marking has recorded so far (a copy)."""
        return Record(frozenset(self.used), frozenset(self.inline_used), frozenset(self.marked), frozenset(self.paths))

    def add(self, record: Record) -> None:
        """Take in what marking findings elsewhere recorded (see `Record`)."""
        self.used |= record.used
        self.inline_used |= record.inline_used
        self.marked |= record.marked
        self.paths |= record.paths

    def warnings(self, files: Iterable[str] = (), rules: Iterable[Rule] | None = None) -> list[ScanError]:
        """Config ignores that expired or matched no finding in any call to `mark`; inline ignores
        without a reason, or that matched no finding; ignores naming a retired rule.

        Inline comments are looked for in `files` (the files the scan read) and in the files of the
        findings marked. A comment is judged unused only for selectors that designate a rule that
        ran: `rules`, the selected rules (when an attack-path rule is among them, every first-phase
        rule ran to feed it), or without them, the rules of the findings marked. So `--select IAM`
        never calls an `ignore[CODE001]` unused.
        """
        out: list[ScanError] = []
        for i, entry in enumerate(self.ignores):
            where = entry.source or "config"
            tomb = retired(entry.rule)
            if tomb is not None:
                out.append(_warning(where, _retired_message(entry.rule, tomb)))
            elif entry.until is not None and entry.until < self.today:
                out.append(
                    _warning(
                        where,
                        f"ignore of {entry.rule} expired on {entry.until.isoformat()}; "
                        "fix the findings or extend `until`",
                    )
                )
            elif i not in self.used:
                out.append(_warning(where, f"ignore of {entry.rule} matched no finding; remove it"))
        if self.inline:
            ran = _ran(rules) if rules is not None else self.marked
            out.extend(self._inline_warnings(set(files) | self.paths, ran))
        return out

    def _inline_warnings(self, files: set[str], ran: set[tuple[str, str]]) -> list[ScanError]:
        out: list[ScanError] = []
        for path in sorted(files):
            for ig in inline_ignores(path, self.lines.get(path)):
                named = ",".join(ig.selectors)
                if not ig.reason:
                    out.append(
                        _warning(
                            ig.where,
                            f"inline ignore of {named} has no reason; add one after the bracket "
                            f"(`fnaudit: ignore[{named}] why this is acceptable`)",
                        )
                    )
                unused: list[str] = []
                for sel in ig.selectors:
                    tomb = retired(sel)
                    if tomb is not None:
                        out.append(_warning(ig.where, "inline " + _retired_message(sel, tomb)))
                    elif (path, ig.line, sel) not in self.inline_used and any(_designates(sel, c, n) for c, n in ran):
                        unused.append(sel)
                if unused:
                    out.append(_warning(ig.where, f"inline ignore of {','.join(unused)} matched no finding; remove it"))
        return out


def _warning(where: str, message: str) -> ScanError:
    # Nothing of the scan was lost: a warning about the suppressions themselves never fails a run.
    return ScanError(where, message, "config", Loss.NONE)


def _retired_message(selector: str, tomb: Retired) -> str:
    return (
        f"ignore of {selector} names rule {tomb.code} ({tomb.name}), retired on {tomb.retired.isoformat()}: "
        f"{tomb.reason}; remove it"
    )


def _ran(rules: Iterable[Rule]) -> set[tuple[str, str]]:
    """(code, name) of the rules that ran: the selected ones, and every first-phase rule when an
    attack-path rule is selected (fnaudit.pipeline.run_rules runs them all to feed it)."""
    selected = tuple(rules)
    if any(r.phase > 0 for r in selected):
        selected += tuple(r for r in all_rules() if r.phase == 0)
    return {(r.code, r.name) for r in selected}


def apply(
    findings: list[Finding],
    root: Path,
    ignores: tuple[IgnoreEntry, ...],
    today: dt.date,
    baseline: set[str] | None = None,
    inline: bool = True,
    metadata: Mapping[str, list[tuple[str, str]]] | None = None,
) -> tuple[list[Finding], list[ScanError]]:
    """Mark suppressed findings; return them with warnings about the ignores (`Suppressor.warnings`:
    inline comments are looked for in the findings' files, judged for the findings' rules).

    `metadata` maps a function id to `(rule selector, reason)` pairs from CloudFormation
    `Metadata: {fnaudit: {ignore: [...]}}` (the only way to annotate a JSON template).
    """
    s = Suppressor(root, ignores, today, baseline, inline, metadata)
    return s.mark(findings), s.warnings()
