"""Reading scanned files safely: confined to the scan root, bounded in size, text only."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from fnaudit.errors import BinaryFileError, InputError

if TYPE_CHECKING:
    from fnaudit.loaders.archives import Artifacts

MAX_IAC_BYTES = 10 * 1024 * 1024  # a template over 10 MB is not hand-written IaC


@dataclass(frozen=True, slots=True)
class ScanRoot:
    """The folder a scan is confined to. Paths handed out are relative to it, POSIX style.

    `artifacts` is the scan's registry of zip artifacts (`archives.Artifacts`), where a loader that
    meets a local zip unpacks it; None outside a scan, where a zip is not read (an error entry).

    Resolving links is the scan's most repeated file-system work (every file's path is made relative
    to the root, several times, and `Path.resolve` re-reads every folder of the path each time), so a
    ScanRoot remembers the real path of every folder and file it has resolved: the files under the
    root do not change during a scan, and a scan makes its own ScanRoot."""

    path: Path
    artifacts: Artifacts | None = field(default=None, compare=False)
    _real: dict[str, str] = field(default_factory=dict, init=False, compare=False, repr=False)

    @staticmethod
    def of(path: Path, artifacts: Artifacts | None = None) -> ScanRoot:
        return ScanRoot(path.resolve(), artifacts)

    def rel(self, p: Path) -> str:
        """`p` relative to the root, POSIX style ('' for the root itself)."""
        if p.is_absolute():
            try:
                inside = self.relative(self.real(os.fspath(p)))
            except (InputError, ValueError):  # ValueError: a NUL in the path; the fallback below names it
                inside = None
            if inside is not None:
                return inside
        # Relative paths, and a symlink inside the root that points outside it (or a link loop): name
        # the link where it sits, not by an absolute path (errors must stay relative to the root and
        # reproducible).
        try:
            r = safe_resolve(p).relative_to(self.path) if p.is_absolute() else p
        except (ValueError, InputError):
            try:
                r = Path(os.path.abspath(p)).relative_to(self.path)
            except ValueError:
                r = p
        s = PurePosixPath(*Path(r).parts).as_posix()
        return "" if s == "." else s

    def resolve_inside(self, base: Path, relative: str) -> Path:
        """`relative` joined to folder `base`, refusing anything that leaves the scan root (.., symlinks)."""
        target = self.real(os.fspath(base / relative))
        if self.relative(target) is None:
            raise InputError(f"{relative!r} points outside the scanned folder {self.path}; fnaudit never reads there")
        return Path(target)

    def contains(self, p: Path) -> bool:
        """Whether `p`, symlinks followed, is inside the root (a symlink loop is nowhere: False)."""
        try:
            t = self.real(os.fspath(p))
        except InputError:
            return False
        return self.relative(t) is not None

    def real(self, s: str) -> str:
        """`str(safe_resolve(Path(s)))`, remembered for this scan (InputError for a loop, as there).

        The real path of `folder/name` is the real path of `folder` joined with `name` unless `name` is
        a link, so each folder is resolved once and each further path costs one `lstat`. Paths this
        shortcut does not cover (relative, `..`, not POSIX) take `Path.resolve` every time."""
        hit = self._real.get(s)
        if hit is not None:
            return hit
        head, tail = os.path.split(s)
        if os.name != "posix" or not tail or not os.path.isabs(s) or os.path.normpath(s) != s or s.startswith("//"):
            return str(safe_resolve(Path(s)))
        candidate = os.path.join(self.real(head), tail)
        try:
            st = os.lstat(candidate)
        except OSError:
            # Missing (or unreadable): resolution keeps the name as it is. Not remembered: a zip
            # artifact unpacked later in the scan may create it.
            return candidate
        out = str(safe_resolve(Path(candidate))) if stat.S_ISLNK(st.st_mode) else candidate
        self._real[s] = out
        return out

    def relative(self, real: str) -> str | None:
        """`real` (a resolved path) relative to the root, POSIX style, or None when it is outside."""
        root = str(self.path)
        if real == root:
            return ""
        prefix = root if root.endswith(os.sep) else root + os.sep
        if not real.startswith(prefix):
            return None
        return real[len(prefix) :].replace(os.sep, "/")


def safe_resolve(p: Path) -> Path:
    """`p.resolve()`, with a symlink loop (RuntimeError before Python 3.13, OSError after) or an
    unreadable link turned into InputError, so that one bad link is one error entry, not a failed scan."""
    try:
        return p.resolve()
    except RuntimeError:
        raise InputError("symbolic link loop (the link leads back to itself); not followed") from None
    except OSError as exc:
        raise InputError(f"cannot resolve path: {exc.strerror or exc}") from None


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Why a path the scan may not follow cannot be read, and what the user can do about it."""

    what: str  # "a symbolic link loop", "a symbolic link to outside the scanned folder", …
    advice: str


def unreadable_link(p: Path) -> Unreadable:
    """What is wrong with a path that is not inside the scan root once its links are followed.

    A loop or a dangling link must not be called a link "to outside the folder": the fix differs."""
    try:
        p.resolve(strict=True)
    except RuntimeError:  # a loop, Python < 3.13
        return Unreadable("a symbolic link loop (it leads back to itself)", "fix or remove the link")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Unreadable("a symbolic link loop (it leads back to itself)", "fix or remove the link")
        if os.path.islink(p):
            return Unreadable("a broken symbolic link (its target does not exist)", "fix or remove the link")
        return Unreadable(f"not readable ({exc.strerror or exc})", "check the path and its permissions")
    return Unreadable(
        "a symbolic link to outside the scanned folder, and fnaudit never reads there",
        "copy it into the folder or scan the folder that holds it",
    )


def read_text(path: Path, limit: int = MAX_IAC_BYTES) -> str:
    """The UTF-8 text of a file, or InputError saying why it cannot be used (size, binary, encoding)."""
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}") from None
    if size > limit:
        raise InputError(
            f"file is {size / 1_048_576:.1f} MB, over the {limit // 1_048_576} MB limit for IaC files; "
            "if it is generated, scan its source instead or exclude it"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}") from None
    if b"\x00" in data[:8192]:
        raise BinaryFileError("binary file (contains NUL bytes); not an IaC template")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8") from None
    return text
