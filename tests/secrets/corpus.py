"""Reading the labelled corpus (tests/secrets/corpus.txt), shared by the test and the benchmark.

Format: `## file: <path>` starts a section (the lines are the content of that file); every other
non-blank line is `<content>  # expect: <detector-id>` (a secret of that format is on this line)
or `<content>  # ok: <reason>` (nothing to report). The annotation is stripped before scanning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).with_name("corpus.txt")
_ANNOTATION = re.compile(r"^(?P<content>.*?)\s+# (?P<kind>expect|ok): (?P<label>.+?)\s*$")


@dataclass(frozen=True, slots=True)
class Line:
    file: str
    number: int  # 1-based line within its file
    content: str
    expect: str | None  # detector id, or None for a negative
    reason: str = ""
    corpus_line: int = 0

    @property
    def id(self) -> str:
        return f"{self.corpus_line}:{self.expect or 'ok'}"


def load(path: Path = CORPUS) -> list[Line]:
    out: list[Line] = []
    current: str | None = None
    counts: dict[str, int] = {}
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith("## file: "):
            current = raw[len("## file: ") :].strip()
            continue
        if not raw.strip() or raw.startswith("## "):
            continue
        m = _ANNOTATION.match(raw)
        if m is None or current is None:
            raise ValueError(f"corpus line {n} has no `# expect:` / `# ok:` annotation: {raw!r}")
        counts[current] = counts.get(current, 0) + 1
        expect = m.group("label") if m.group("kind") == "expect" else None
        out.append(
            Line(current, counts[current], m.group("content"), expect, m.group("label") if expect is None else "", n)
        )
    return out


def files(lines: list[Line]) -> dict[str, str]:
    """The text of each corpus file, annotations stripped, one corpus line per file line."""
    by_file: dict[str, list[str]] = {}
    for ln in lines:
        by_file.setdefault(ln.file, []).append(ln.content)
    return {f: "\n".join(v) + "\n" for f, v in by_file.items()}
