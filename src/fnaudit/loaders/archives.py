"""Local zip artifacts (`CodeUri: code.zip`, `Code: ./dist/fn.zip`, `package.artifact: x.zip`), read in place.

A function deployed from a zip in the repository is analysed as if the zip were a folder. The zip
is opened with `zipfile`, checked before anything is written (member count, declared total size,
compression ratio of each member, names that are absolute, contain `..` or a NUL, links), then its
regular files are copied, byte-capped as they stream, into a private folder made by
`tempfile.mkdtemp` (mode 0700, never inside the scanned folder), which `release` removes when the
scan ends (and `atexit` if a scan never got there). Nothing in it is executed.

Paths: a file inside `dist/fn.zip` is named `dist/fn.zip!/app.py` everywhere (findings, JSON,
SARIF, errors), the convention of Java's `jar:` URLs and of other scanners. `real_path` and
`rel_path` translate between those names and the private folder; engines use them instead of
joining paths to the scan root themselves.
"""

from __future__ import annotations

import atexit
import os
import shutil
import stat
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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
        inner = rel[len(self.prefix):].lstrip("/")
        return self.folder / inner if inner else self.folder

    def name(self, path: Path) -> str:
        inner = path.relative_to(self.folder).as_posix()
        return self.prefix if inner in ("", ".") else f"{self.prefix}/{inner}"


_LOCK = threading.Lock()
_MOUNTS: dict[tuple[Path, str], Mount] = {}  # (scan root, zip rel) → mount, for this process's scans


def open_zip(root: Path, zip_path: Path) -> Mount:
    """The zip at `zip_path` (inside `root`), extracted once per scan; InputError saying why not."""
    root = root.resolve()
    real = zip_path.resolve()
    if not real.is_relative_to(root):
        raise InputError(f"zip artifact {zip_path.name} is outside the scanned folder (a symbolic link?); fnaudit never reads there")
    rel = real.relative_to(root).as_posix()
    key = (root, rel)
    with _LOCK:
        if key in _MOUNTS:
            return _MOUNTS[key]
        mount = _extract(real, rel)
        _MOUNTS[key] = mount
        return mount


def mount_of(root: Path, rel: str) -> Mount | None:
    """The mount a path like `dist/fn.zip!/app.py` (or `dist/fn.zip!`) lives in, if any."""
    if SEPARATOR not in rel:
        return None
    zip_rel = rel.split(SEPARATOR + "/", 1)[0].removesuffix(SEPARATOR)
    return _MOUNTS.get((root.resolve(), zip_rel))


def real_path(root: Path, rel: str) -> Path:
    """Where the file named `rel` (relative to the scan root, maybe inside a zip) can be read."""
    mount = mount_of(root, rel)
    return mount.real(rel) if mount is not None else root / rel


def rel_path(root: Path, path: Path) -> str | None:
    """The name of an absolute `path` inside a mounted zip (`dist/fn.zip!/app.py`), None when it is not in one."""
    root = root.resolve()
    for (r, _), mount in list(_MOUNTS.items()):
        if r == root and path.is_relative_to(mount.folder):
            return mount.name(path)
    return None


def confining_folder(root: Path, path: Path) -> Path:
    """The folder reads of `path` must stay in: its zip's private folder, else the scan root."""
    root = root.resolve()
    for (r, _), mount in list(_MOUNTS.items()):
        if r == root and path.is_relative_to(mount.folder):
            return mount.folder
    return root


def release(root: Path) -> None:
    """Remove the private folders of `root`'s zips (the end of a scan)."""
    root = root.resolve()
    with _LOCK:
        for key in [k for k in _MOUNTS if k[0] == root]:
            shutil.rmtree(_MOUNTS.pop(key).folder, ignore_errors=True)


_OWNER = os.getpid()  # forked workers share the registry; only the process that extracted removes


@atexit.register
def _release_all() -> None:
    if os.getpid() != _OWNER:
        return
    with _LOCK:
        for mount in _MOUNTS.values():
            shutil.rmtree(mount.folder, ignore_errors=True)
        _MOUNTS.clear()


# ---- reading a zip safely -------------------------------------------------------------------


def _extract(zip_path: Path, rel: str) -> Mount:
    try:
        with zipfile.ZipFile(zip_path) as zf:
            members = zf.infolist()
            _check(members, rel)
            folder = Path(tempfile.mkdtemp(prefix="fnaudit-zip-")).resolve()
            try:
                skipped = _copy(zf, members, folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
    except zipfile.BadZipFile as exc:
        raise InputError(f"zip artifact {rel} is not a readable zip ({exc}); its code is not analysed") from None
    except (OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise InputError(f"zip artifact {rel} could not be read ({type(exc).__name__}: {exc}); its code is not analysed") from None
    return Mount(rel, folder, skipped)


def _check(members: list[zipfile.ZipInfo], rel: str) -> None:
    """Refuse the whole zip before writing anything: too many members, too large, a bomb, zip-slip."""
    if len(members) > MAX_MEMBERS:
        raise InputError(f"zip artifact {rel} has {len(members)} entries, over the {MAX_MEMBERS} fnaudit reads; its code is not analysed")
    total = sum(m.file_size for m in members)
    if total > MAX_TOTAL_BYTES:
        raise InputError(
            f"zip artifact {rel} unpacks to {total // 1_048_576} MB, over the {MAX_TOTAL_BYTES // 1_048_576} MB limit; "
            "its code is not analysed: scan the folder it was built from instead"
        )
    for m in members:
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise InputError(
                f"zip artifact {rel}: entry {_shown(m.filename)} expands {m.file_size // max(m.compress_size, 1)} times "
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
                    raise InputError(f"unpacks to more than {MAX_TOTAL_BYTES // 1_048_576} MB (sizes in the zip understate it)")
                out.write(chunk)
    return tuple(skipped)


def _shown(name: str) -> str:
    clean = "".join(c if c.isprintable() else "?" for c in name)
    return repr(clean if len(clean) <= 80 else clean[:77] + "…")
