"""Local zip artifacts (`CodeUri: code.zip`, `Code: ./dist/fn.zip`, `package.artifact: x.zip`), read in place.

A function deployed from a zip in the repository is analysed as if the zip were a folder. The zip
is opened with `zipfile`, checked before anything is written (member count, declared total size,
compression ratio of each member, names that are absolute, contain `..` or a NUL, links), then its
regular files are copied, byte-capped as they stream, into a private folder made by
`tempfile.mkdtemp` (mode 0700, never inside the scanned folder). The zips a scan opens are
registered in that scan's `Artifacts`, which the pipeline closes when the scan ends (however it
ends), removing the folders. Nothing in them is executed.

Paths: a file inside `dist/fn.zip` is named `dist/fn.zip!/app.py` everywhere (findings, JSON,
SARIF, errors), the convention of Java's `jar:` URLs and of other scanners. `Artifacts.real_path`
and `Artifacts.rel_path` translate between those names and the private folder; loaders and engines
use them (through the scan's registry) instead of joining paths to the scan root themselves.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import threading
import weakref
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from fnaudit.errors import InputError

SEPARATOR = "!"  # `dist/fn.zip!/app.py`
MAX_MEMBERS = 20_000
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # uncompressed; Lambda's own limit for an unzipped package is 250 MB
MAX_RATIO = 200  # uncompressed / compressed size of one member; text compresses ~10x, bombs 1000x
RATIO_FLOOR = 1024 * 1024  # members smaller than this are never called bombs
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Mount:
    """A zip artifact opened for this scan: `rel` its path from the scan root, `folder` its members."""

    rel: str
    folder: Path
    skipped: tuple[str, ...] = ()  # members not extracted, with why (encrypted, a link…)

    @property
    def prefix(self) -> str:
        return f"{self.rel}{SEPARATOR}"

    def real(self, rel: str) -> Path:
        inner = rel[len(self.prefix) :].lstrip("/")
        return self.folder / inner if inner else self.folder

    def name(self, path: Path) -> str:
        inner = path.relative_to(self.folder).as_posix()
        return self.prefix if inner in ("", ".") else f"{self.prefix}/{inner}"


class Artifacts:
    """The zip artifacts one scan opened, by their path from the scan root: per-scan state.

    The pipeline makes one per scan, hands it to the loaders (on `ScanRoot`) and to the engines (on
    `EngineContext`), and calls `close` in a `finally` when the scan ends, however it ends. Two scans,
    even of the same folder and in two threads, never share one: each unpacks its own copy, and the
    end of one cannot remove what the other still reads. A registry nobody closes (a library caller
    that loads without scanning) removes its folders when it is garbage-collected or at exit.

    Copies sent to forked workers (pickled with the `EngineContext`) read the same folders but never
    remove them: only the registry that unpacked, in the process that unpacked, does.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._lock = threading.Lock()
        self._mounts: dict[str, Mount] = {}  # zip rel → mount
        self._by_folder: dict[Path, Mount] = {}  # private folder → mount: a path's mount in one look-up per depth
        self._cleanups: list[weakref.finalize[..., Any]] = []
        self._made: dict[str, weakref.finalize[..., Any]] = {}  # zip rel → the cleanup of a folder this registry made
        self._closed = False

    def open_zip(self, zip_path: Path) -> Mount:
        """The zip at `zip_path` (inside the root), extracted once per scan; InputError saying why not."""
        real = zip_path.resolve()
        if not real.is_relative_to(self.root):
            raise InputError(
                f"zip artifact {zip_path.name} is outside the scanned folder (a symbolic link?); "
                "fnaudit never reads there"
            )
        rel = real.relative_to(self.root).as_posix()
        with self._lock:  # loaders run in one thread today; the lock keeps one extraction per zip regardless
            if self._closed:
                raise InputError(f"zip artifact {rel} not read: the scan that asked for it has ended")
            if rel not in self._mounts:
                mount = _extract(real, rel)
                self._add(mount)
                cleanup = weakref.finalize(self, _remove, mount.folder, os.getpid())
                self._cleanups.append(cleanup)
                self._made[rel] = cleanup
            return self._mounts[rel]

    def hand_over(self) -> list[Mount]:
        """The zips this registry unpacked, given up to another registry (`adopt`): a forked worker that
        loaded a template returns them to the scan's registry, which removes the folders when the scan
        ends. Without this, the worker's copy would remove them when it is collected, under the parent."""
        with self._lock:
            made, self._made = self._made, {}
        for cleanup in made.values():
            cleanup.detach()
        return [self._mounts[rel] for rel in made]

    def adopt(self, mounts: list[Mount]) -> None:
        """Take over zips a worker unpacked (`hand_over`). A zip two workers unpacked is kept once: the
        second copy is removed at once (paths name a file by the zip, never by the folder)."""
        for mount in mounts:
            with self._lock:
                known = mount.rel in self._mounts
                if not known:
                    self._add(mount)
                    self._cleanups.append(weakref.finalize(self, _remove, mount.folder, os.getpid()))
            if known:
                _remove(mount.folder, os.getpid())

    def mount_of(self, rel: str) -> Mount | None:
        """The mount a path like `dist/fn.zip!/app.py` (or `dist/fn.zip!`) lives in, if any."""
        if SEPARATOR not in rel:
            return None
        zip_rel = rel.split(SEPARATOR + "/", 1)[0].removesuffix(SEPARATOR)
        return self._mounts.get(zip_rel)

    def real_path(self, rel: str) -> Path:
        """Where the file named `rel` (relative to the scan root, maybe inside a zip) can be read."""
        mount = self.mount_of(rel)
        return mount.real(rel) if mount is not None else self.root / rel

    def rel_path(self, path: Path) -> str | None:
        """The name of an absolute `path` inside a mounted zip (`dist/fn.zip!/app.py`), None when it is not in one."""
        mount = self._mount_holding(path)
        return mount.name(path) if mount is not None else None

    def confining_folder(self, path: Path) -> Path:
        """The folder reads of `path` must stay in: its zip's private folder, else the scan root."""
        mount = self._mount_holding(path)
        return mount.folder if mount is not None else self.root

    def _add(self, mount: Mount) -> None:
        self._mounts[mount.rel] = mount
        self._by_folder[mount.folder] = mount

    def _mount_holding(self, path: Path) -> Mount | None:
        # The folder is `path` or one of its parents (lexically, as `is_relative_to` says): one dict look-up per
        # depth, instead of one comparison per mounted zip (a thousand deployed packages made that quadratic).
        by_folder = self._by_folder
        if not by_folder:
            return None
        for candidate in (path, *path.parents):
            mount = by_folder.get(candidate)
            if mount is not None:
                return mount
        return None

    def close(self) -> None:
        """Remove the private folders of this scan's zips (the end of the scan). Idempotent."""
        with self._lock:
            self._closed = True
            cleanups, self._cleanups = self._cleanups, []
        for cleanup in cleanups:
            cleanup()  # a finalizer runs once: now, instead of at collection or exit

    def __enter__(self) -> Artifacts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        # A worker's copy: the mounts to read, no lock (not picklable) and no cleanups (not its folders).
        return {"root": self.root, "mounts": dict(self._mounts)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.root = state["root"]
        self._lock = threading.Lock()
        self._mounts = state["mounts"]
        self._by_folder = {m.folder: m for m in self._mounts.values()}
        self._cleanups = []
        self._made = {}
        self._closed = False


def _remove(folder: Path, owner: int) -> None:
    """Remove a zip's private folder, in the process that made it only (a forked child exiting must
    not remove what its parent still reads)."""
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


# ---- reading a zip safely -------------------------------------------------------------------


def _extract(zip_path: Path, rel: str) -> Mount:
    folder, skipped = _unpack(zip_path, None, rel)
    return Mount(rel, folder, skipped)


def unpack(zip_path: Path, folder: Path, rel: str) -> tuple[str, ...]:
    """Unpack `zip_path` into the existing `folder` with every check of a zip artifact; the members not
    written, with why. Raises InputError (naming the zip as `rel`) for a zip that is unreadable, too large,
    a bomb, or holds a zip-slip entry: nothing is written then, except by a zip whose sizes lied, which the
    caller removes."""
    return _unpack(zip_path, folder, rel)[1]


def _unpack(zip_path: Path, into: Path | None, rel: str) -> tuple[Path, tuple[str, ...]]:
    """The checks, then the copy into `into` (None: a new private folder, made only once the checks pass)."""
    try:
        with zipfile.ZipFile(zip_path) as zf:
            members = zf.infolist()
            _check(members, rel)
            folder = into.resolve() if into is not None else Path(tempfile.mkdtemp(prefix="fnaudit-zip-")).resolve()
            try:
                return folder, _copy(zf, members, folder)
            except BaseException:
                if into is None:
                    shutil.rmtree(folder, ignore_errors=True)
                raise
    except zipfile.BadZipFile as exc:
        raise InputError(f"zip artifact {rel} is not a readable zip ({exc}); its code is not analysed") from None
    except (OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        why = f"{type(exc).__name__}: {exc}"
        raise InputError(f"zip artifact {rel} could not be read ({why}); its code is not analysed") from None


def _check(members: list[zipfile.ZipInfo], rel: str) -> None:
    """Refuse the whole zip before writing anything: too many members, too large, a bomb, zip-slip."""
    if len(members) > MAX_MEMBERS:
        raise InputError(
            f"zip artifact {rel} has {len(members)} entries, over the {MAX_MEMBERS} fnaudit reads; "
            "its code is not analysed"
        )
    total = sum(m.file_size for m in members)
    if total > MAX_TOTAL_BYTES:
        raise InputError(
            f"zip artifact {rel} unpacks to {total // 1_048_576} MB, over the {MAX_TOTAL_BYTES // 1_048_576} MB limit; "
            "its code is not analysed: scan the folder it was built from instead"
        )
    for m in members:
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise InputError(
                f"zip artifact {rel}: entry {_shown(m.filename)} expands {m.file_size // max(m.compress_size, 1)} "
                "times "
                "(a zip bomb?); the artifact is not analysed"
            )
        if _unsafe_name(m.filename):
            raise InputError(
                f"zip artifact {rel}: entry {_shown(m.filename)} would be written outside the artifact's folder "
                "(an absolute path or `..`: a zip-slip attempt); the artifact is not analysed"
            )


def _unsafe_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return any(part == ".." for part in PurePosixPath(name).parts)


def _copy(zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], folder: Path) -> tuple[str, ...]:
    """Write the regular, unencrypted members; count real bytes (headers can lie) against the cap."""
    written = 0
    skipped: list[str] = []
    for m in members:
        mode = m.external_attr >> 16
        if m.is_dir():
            continue
        if stat.S_ISLNK(mode):
            skipped.append(f"{m.filename} (a symbolic link; not followed)")
            continue
        if m.flag_bits & 0x1:
            skipped.append(f"{m.filename} (encrypted)")
            continue
        dest = folder.joinpath(*PurePosixPath(m.filename).parts)
        if not dest.resolve().is_relative_to(folder.resolve()):  # belt and braces after _unsafe_name
            raise InputError(f"entry {_shown(m.filename)} leaves the artifact's folder")
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(m) as src, open(dest, "wb") as out:  # a repeated name overwrites, as unzip does
            while chunk := src.read(_CHUNK):
                written += len(chunk)
                if written > MAX_TOTAL_BYTES:
                    limit = MAX_TOTAL_BYTES // 1_048_576
                    raise InputError(f"unpacks to more than {limit} MB (sizes in the zip understate it)")
                out.write(chunk)
    return tuple(skipped)


def _shown(name: str) -> str:
    clean = "".join(c if c.isprintable() else "?" for c in name)
    return repr(clean if len(clean) <= 80 else clean[:77] + "…")
