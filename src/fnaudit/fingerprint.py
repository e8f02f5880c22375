"""Finding fingerprints: distinct for distinct findings, stable across line moves and reformatting.

A fingerprint hashes the rule code, the file path, the function, a line-free key of what was found
(the env var name, the statement's action, the sink call and source…) and the finding's own source
line without its whitespace (so two injections of the same shape in one function differ by their
text). Findings that still agree on all of that (the same statement written twice) are told apart by
their occurrence index, in line order. No line number enters the hash: inserting lines above a
finding, re-indenting or reformatting it leaves its fingerprint unchanged, so baselines don't churn.

The first occurrence's material is exactly (rule, path, function, key, text), so a copy of a line
added *below* an existing finding is new while the existing one keeps its fingerprint.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from fnaudit.errors import InputError
from fnaudit.findings import Finding
from fnaudit.model.loc import Loc

_SPACE = re.compile(r"\s+")
# An inline suppression comment is not part of the code it annotates: adding one must not change the
# fingerprint of the finding it silences (nor of the PATH finding built on it).
_IGNORE_COMMENT = re.compile(r"\s*(?:#|//|/\*|<!--|--)\s*fnaudit:\s*ignore\[.*$")
MAX_TEXT = 400  # characters of a normalised line that enter the hash (a minified line is not a statement)
MAX_FILE_BYTES = 10 * 1024 * 1024  # files larger than this are not read for line text


def fingerprint(rule_code: str, path: str, function_id: str | None, key: str, text: str = "") -> str:
    normal_key = _SPACE.sub(" ", key).strip()
    parts = [rule_code, path, function_id or "", normal_key]
    if text:  # without a line (app-level findings, unreadable files) the material is what it always was
        parts.append("text:" + text)
    return _hash("\x1f".join(parts))


def _hash(material: str) -> str:
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def normalise(line: str) -> str:
    """A source line as it enters the fingerprint: no fnaudit ignore comment, no whitespace at all (a
    formatter adding spaces after commas or around operators changes nothing), no trailing `,`/`;`
    (adding an element after a JSON value adds a comma to its line)."""
    text = _IGNORE_COMMENT.sub("", line)
    text = _SPACE.sub("", text).rstrip(",;")
    return text[:MAX_TEXT]


class SourceLines:
    """Lines of scanned files, each read once, never outside the scan root and never a huge file.

    Shared by fingerprints (the finding's own line) and inline suppressions (the line and the one above).
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._cache: dict[str, list[str]] = {}
        from fnaudit.loaders._files import ScanRoot  # lazily: importing the loaders costs ~0.1 s

        # resolves each folder once for all the files read (the scan's files do not change meanwhile)
        self._fs = ScanRoot(self.root)

    def get(self, rel: str) -> list[str]:
        lines = self._cache.get(rel)
        if lines is None:
            lines = self._read(rel)
            self._cache[rel] = lines
        return lines

    def _read(self, rel: str) -> list[str]:
        if not rel:
            return []
        try:
            real = self._fs.real(os.fspath(self.root / rel))  # resolved: a link out of the root is out of it
            if not self._fs.relative(real):  # outside the root, or the root itself
                return []
            st = os.stat(real)
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
                return []
            return Path(real).read_text(encoding="utf-8", errors="replace").splitlines()
        except (OSError, ValueError, InputError):  # InputError: a link loop
            return []

    def text(self, loc: Loc) -> str:
        """The normalised text of the line at `loc` ("" when there is none)."""
        lines = self.get(loc.path)
        return normalise(lines[loc.line - 1]) if 1 <= loc.line <= len(lines) else ""


def disambiguate(findings: Iterable[Finding]) -> list[Finding]:
    """Drop exact repeats (one rule reaching one spot twice) and give findings that share a
    fingerprint on different lines distinct ones: the first (in line order) keeps it, the n-th gets
    the fingerprint re-hashed with its index. The input order is kept."""
    kept: list[Finding] = []
    seen: set[tuple[str, int]] = set()
    lines_of: dict[str, list[int]] = {}
    for f in findings:
        k = (f.fingerprint, f.location.line)
        if k in seen:
            continue
        seen.add(k)
        kept.append(f)
        lines_of.setdefault(f.fingerprint, []).append(f.location.line)
    index = {fp: {line: i for i, line in enumerate(sorted(lines))} for fp, lines in lines_of.items() if len(lines) > 1}
    out = []
    for f in kept:
        n = index.get(f.fingerprint, {}).get(f.location.line, 0)
        out.append(replace(f, fingerprint=_hash(f"{f.fingerprint}\x1f#{n}")) if n else f)
    return out
