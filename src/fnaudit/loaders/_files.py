"""Reading scanned files safely: confined to the scan root, bounded in size, text only."""

from __future__ import annotations

import errno
import os
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
    meets a local zip unpacks it; None outside a scan, where a zip is not read (an error entry)."""

    path: Path
    artifacts: Artifacts | None = field(default=None, compare=False)

    @staticmethod
    def of(path: Path, artifacts: Artifacts | None = None) -> ScanRoot:
        return ScanRoot(path.resolve(), artifacts)

    def rel(self, p: Path) -> str:
        """`p` relative to the root, POSIX style ('' for the root itself)."""
        try:
            r = safe_resolve(p).relative_to(self.path) if p.is_absolute() else p
        except (ValueError, InputError):
            # A symlink inside the root that points outside it: name the link where it sits, not by
            # an absolute path (errors must stay relative to the root and reproducible).
            try:
                r = Path(os.path.abspath(p)).relative_to(self.path)
            except ValueError:
                r = p
        s = PurePosixPath(*Path(r).parts).as_posix()
        return "" if s == "." else s

    def resolve_inside(self, base: Path, relative: str) -> Path:
        """`relative` joined to folder `base`, refusing anything that leaves the scan root (.., symlinks)."""
        target = safe_resolve(base / relative)
        if target != self.path and self.path not in target.parents:
            raise InputError(f"{relative!r} points outside the scanned folder {self.path}; fnaudit never reads there")
        return target

    def contains(self, p: Path) -> bool:
        """Whether `p`, symlinks followed, is inside the root (a symlink loop is nowhere: False)."""
        try:
            t = safe_resolve(p)
        except InputError:
            return False
        return t == self.path or self.path in t.parents


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
