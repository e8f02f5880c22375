"""A per-scan cache of the code files the code engine reads: each file read and parsed once.

Files are keyed by path and content hash: two functions sharing a module share its parse tree
(and the summaries computed on it), and a file that cannot be analysed (too big, not UTF-8, a
syntax error) becomes one `ScanError` with its path, line and what to do, reported once.
"""

from __future__ import annotations

import ast
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fnaudit.engines.code.pep263 import SourceDecodeError, decode_python
from fnaudit.errors import ScanError
from fnaudit.loaders.archives import Artifacts

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

    def __init__(self, root: Path, artifacts: Artifacts) -> None:
        self.root = root
        self.artifacts = artifacts  # this scan's zip artifacts: `x.zip!/…` files are read from their folders
        self._files: dict[Path, SourceFile | None] = {}
        self._parsed: dict[tuple[str, str], Any] = {}  # (language, digest) -> tree (or None)
        self.errors: dict[str, ScanError] = {}
        self.files_read = 0
        self._real_paths: dict[Path, Path] = {}

    def rel(self, path: Path) -> str:
        inside_zip = self.artifacts.rel_path(path)  # `dist/fn.zip!/app.py` for a member of a zip artifact
        if inside_zip is not None:
            return inside_zip
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
        if not confined(self.artifacts, path):
            # the analysers only ask for files inside the function's code root; this keeps every
            # read confined even if one of them is wrong (a link followed out of the root)
            self._error(
                rel,
                "not analysed: the file is outside the scanned folder (a symbolic link?); fnaudit never reads there",
            )
            return None
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
        if path.suffix in (".py", ".pyi"):
            # Python files are read as the interpreter reads them: a BOM or a PEP 263 coding
            # declaration (`# -*- coding: latin-1 -*-`) decides the encoding, UTF-8 otherwise.
            try:
                text, _ = decode_python(data)
            except SourceDecodeError as exc:
                self._error(rel, f"not analysed: {exc.message}", exc.line)
                return None
            return SourceFile(path, rel, text, hashlib.sha1(data).hexdigest())
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

    def add_virtual(self, path: Path, rel: str, text: str) -> SourceFile:
        """Register code that is no file on disk (inline code of a template) under `path`, named `rel`
        in every location. `path` must be one no file can have (a path below the template file), so
        nothing beside it is ever read as one of its modules; the text is never written anywhere."""
        f = SourceFile(path, rel, text, sha(text))
        self._files[path] = f
        return f

    def exists_inside(self, path: Path, code_root: Path) -> bool:
        """Whether `path` is a file the analysers may read for a function whose code is in `code_root`.

        A file that is there but leads out of the code root through a symbolic link is one error
        entry (never read, never silently treated as a third-party module); a name the OS refuses
        (too long) is simply not there."""
        try:
            if not path.is_file():
                return False
            real, root_real = self._real(path), self._real(code_root)
        except (OSError, ValueError, RuntimeError):
            return False
        if real.is_relative_to(root_real):
            return True
        if Path(os.path.abspath(path)).is_relative_to(root_real):  # inside as written: a link leads out
            self._error(
                self.rel(Path(os.path.abspath(path))),
                "not analysed: a symbolic link to outside the function's code folder; fnaudit never reads "
                "there, so what the function imports from it is not followed",
            )
        return False

    def _real(self, path: Path) -> Path:
        """`path` with links resolved; cached for this scan only, since import resolution asks for the
        same folders often (a process-wide cache would keep a link's old target for the next scan)."""
        real = self._real_paths.get(path)
        if real is None:
            real = self._real_paths[path] = Path(os.path.realpath(path, strict=False))
        return real

    def project_file(
        self,
        rel: str,
        code_root: Path | None,
        language: str,
        parser: Callable[[SourceFile], Any],
        handler: bool = False,
    ) -> tuple[SourceFile, Any] | None:
        """A file of the function's project and its tree (the Java and Kotlin front ends read the classes a
        handler reaches this way): the handler's own file always, another only when it is inside the code
        folder (`exists_inside`: no link out of it is followed); None when missing or unparsable."""
        path = self.artifacts.real_path(rel)
        if not handler and (code_root is None or not self.exists_inside(path, code_root)):
            return None
        f = self.read(path)
        tree = self.parse(f, language, parser) if f is not None else None
        return (f, tree) if f is not None and tree is not None else None

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


def confined(artifacts: Artifacts, path: Path) -> bool:
    """`path`, links followed, is inside the scan root or the private folder of a zip artifact."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a link loop
        return False
    return real.is_relative_to(artifacts.confining_folder(real))


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
