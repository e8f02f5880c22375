"""The scanned files as lines, read once, edited in memory, written back with their own line endings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fnaudit.fix.model import Edit


@dataclass(slots=True)
class Sources:
    """Files under `root` by their path relative to it. Never reads outside the root, never follows a link."""

    root: Path
    _texts: dict[str, str | None] = field(default_factory=dict)

    def text(self, rel: str) -> str | None:
        if rel not in self._texts:
            self._texts[rel] = self._read(rel)
        return self._texts[rel]

    def lines(self, rel: str) -> list[str] | None:
        """The file's lines without their endings (index 0 is line 1), None when it cannot be edited."""
        text = self.text(rel)
        return None if text is None else text.splitlines()

    def newline(self, rel: str) -> str:
        text = self.text(rel) or ""
        return "\r\n" if "\r\n" in text else "\n"

    def _read(self, rel: str) -> str | None:
        if "!/" in rel or rel.startswith(("arn:", "aws:")) or not rel:
            return None  # inside a zip artifact or a deployed resource: not the user's file
        path = self.root / rel
        try:
            if path.is_symlink() or not path.resolve().is_relative_to(self.root.resolve()):
                return None
            return path.read_bytes().decode("utf-8")  # bytes: `read_text` would turn CRLF into LF
        except (OSError, UnicodeDecodeError):
            return None


def apply(original: str, edits: list[Edit], newline: str) -> str:
    """`original` with `edits` (non-overlapping, one file) applied, bottom to top so line numbers hold."""
    lines = original.splitlines()
    ends_with_newline = original.endswith(("\n", "\r"))
    # bottom to top; at one line, the plan's later insertion first, so insertions end up in plan order
    for _, e in sorted(enumerate(edits), key=lambda p: (p[1].start, p[1].end, p[0]), reverse=True):
        lines[e.start - 1 : e.end - 1] = list(e.lines)
    text = newline.join(lines)
    return text + newline if ends_with_newline or not original else text
