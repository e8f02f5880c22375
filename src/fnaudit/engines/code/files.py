"""A per-scan cache of the code files the code engine reads: each file read and parsed once.

Files are keyed by path and content hash: two functions sharing a module share its parse tree
(and the summaries computed on it), and a file that cannot be analysed (too big, not UTF-8, a
syntax error) becomes one `ScanError` with its path, line and what to do, reported once.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fnaudit.errors import ScanError

MAX_BYTES = 2 * 1024 * 1024  # files larger than this are not analysed


@dataclass(slots=True)
class SourceFile:
    """One readable code file: its text, its hash, and parse results by language (lazily)."""

    path: Path  # absolute
    rel: str  # relative to the scan root, POSIX
    text: str
    digest: str
    trees: dict[str, Any] = field(default_factory=dict)


class FileCache:
    """Reads and parses files once per scan. `errors` collects one entry per bad file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[Path, SourceFile | None] = {}
        self._parsed: dict[tuple[str, str], Any] = {}  # (language, digest) -> tree (or None)
        self.errors: dict[str, ScanError] = {}
        self.files_read = 0

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def read(self, path: Path) -> SourceFile | None:
        """The file's text, or None (with an error entry) when it cannot be analysed."""
        path = path.resolve() if not path.is_absolute() else path
        if path in self._files:
            return self._files[path]
        result = self._read(path)
        self._files[path] = result
        return result

    def _read(self, path: Path) -> SourceFile | None:
        rel = self.rel(path)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                self._error(
                    rel,
                    f"not analysed: {size // 1024} KiB is over the {MAX_BYTES // (1024 * 1024)} MiB limit for code files "
                    "(generated or bundled code?); exclude it or split it",
                )
                return None
            data = path.read_bytes()
        except OSError as exc:
            self._error(rel, f"cannot read the file: {exc.strerror or exc}")
            return None
        self.files_read += 1
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self._error(
                rel,
                f"not analysed: line {line} is not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
                "save the file as UTF-8 (Python 3 and Node read source as UTF-8)",
            )
            return None
        return SourceFile(path, rel, text, hashlib.sha1(data).hexdigest())

    def parse(self, f: SourceFile, language: str, parser: Callable[[SourceFile], Any]) -> Any:
        """Parse once per content; `parser` raises `ParseFailure` for a file that does not parse."""
        if language in f.trees:
            return f.trees[language]
        key = (language, f.digest)
        if key not in self._parsed:
            try:
                self._parsed[key] = parser(f)
            except ParseFailure as exc:
                self._error(f.rel, exc.message, exc.line)
                self._parsed[key] = None
        f.trees[language] = self._parsed[key]
        return f.trees[language]

    def _error(self, rel: str, message: str, line: int = 0) -> None:
        where = f"line {line}: " if line else ""
        self.errors.setdefault(rel, ScanError(rel, f"{where}{message}", "code"))


class ParseFailure(Exception):
    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def parse_python(f: SourceFile) -> ast.Module:
    try:
        return ast.parse(f.text, filename=f.rel, type_comments=False)
    except SyntaxError as exc:
        raise ParseFailure(
            f"Python syntax error ({exc.msg}); the file was not analysed for code findings: "
            "fix it, or check that the function's runtime matches the code",
            exc.lineno or 0,
        ) from None
    except (ValueError, RecursionError) as exc:
        raise ParseFailure(f"Python file could not be parsed ({exc}); the file was not analysed") from None


def sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
