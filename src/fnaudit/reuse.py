"""Results of one scan kept for the next: a template's apps, loaded and enriched, reused while unchanged.

The costly part of a scan is per IaC document: loading it (SAM translation, Terraform and CDK
evaluation) and running the engines on its apps (code taint, secrets, lockfiles, IAM). A document's
*unit* result depends on the document, on the files its loader and engines opened (handler code and
its modules, lockfiles, manifests, included templates, zips), on the folders they listed, and on what
the scan was asked (options, selected facts, advisory store, fnaudit's own code). All of that is
recorded when the unit is computed (`fnaudit.reads` listens to every open), and an entry is reused
only when all of it is unchanged:

- the entry's key hashes the document's path, the scan's options and configuration, the facts the
  selected rules need, the identity of the advisory store, and fnaudit's code and installed
  libraries (an edited or upgraded analyser is a new key: stale entries are never asked for again);
- the entry lists every input file under the scan root with its content hash (SHA-256 of the bytes,
  never a modification time: a file rewritten within the clock's resolution is still seen), every
  listed folder with a hash of its names, and a hash of the names discovery walked in the unit's
  scope (the folder holding the document and all its inputs): a file added or removed there (a new
  module a handler could import, a handler that was missing) invalidates it too.

Entries are pickles in `<cache dir>/units/`, written atomically (temp file + rename), bounded in
total size (`FNAUDIT_CACHE_MAX_MB`, default 1024: the least recently used go first), safe to
delete at any time, and ignored when unreadable. `FNAUDIT_CACHE_DIR=off` turns reuse off with every
other cache. The cache folder is the user's own (like pip's or ruff's): whoever can write there
can already run code as the user, so reading pickles from it adds no exposure.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sysconfig
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fnaudit import __version__
from fnaudit import cache as disk

FORMAT = "1"  # bump when what an entry holds changes shape
DEFAULT_MAX_MB = 1024
_NAMESPACE = "units"


@dataclass(frozen=True, slots=True)
class Inputs:
    """What a unit's result was computed from (paths relative to the scan root)."""

    files: Mapping[str, str]  # file → SHA-256 of its bytes ("" when it did not exist or could not be read)
    folders: Mapping[str, str]  # listed folder → hash of its sorted entry names
    scope: str  # the folder whose walked files are hashed by name ("" = the scan root)
    walked: str  # hash of the names discovery walked under `scope`

    def digest(self) -> str:
        """One hash of all of it: equal digests, equal inputs."""
        parts = [*(f"f:{k}:{v}" for k, v in sorted(self.files.items()))]
        parts += [*(f"d:{k}:{v}" for k, v in sorted(self.folders.items())), f"s:{self.scope}:{self.walked}"]
        return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(slots=True)
class Reuse:
    """The unit cache of one scan: looks entries up, checks their inputs, stores new ones.

    Hashes of files and folders are memoised for the scan (many units share a lockfile or a library
    folder); `hits` and `stored` count what happened, for the stats."""

    folder: Path
    root: Path
    walked: tuple[str, ...]  # every file discovery walked, relative to the root
    salt: str  # what the whole scan was asked (options, config, facts, store, analyser)
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024
    hits: int = 0
    stored: int = 0
    _file_hashes: dict[str, str] = field(default_factory=dict)
    _folder_hashes: dict[str, str] = field(default_factory=dict)
    _walked_hashes: dict[str, str] = field(default_factory=dict)

    def key(self, doc_rel: str) -> str:
        return disk.key(_NAMESPACE, FORMAT, self.salt, doc_rel)

    def derived_key(self, doc_rel: str, digest: str, *parts: str) -> str:
        """The key of a result derived from a unit (its inputs' `digest`) and `parts` alone."""
        return disk.key(_NAMESPACE, FORMAT, "derived", self.salt, doc_rel, digest, *parts)

    def get(self, key: str) -> tuple[Any, str] | None:
        """The payload stored under `key` with the digest of its inputs, when every recorded input is
        unchanged; else None."""
        kept = self._read(key)
        if kept is None:
            return None
        inputs, payload = kept
        if not isinstance(inputs, Inputs) or not self._still(inputs):
            return None
        self.hits += 1
        return payload, inputs.digest()

    def put(self, key: str, inputs: Inputs, payload: Any) -> str:
        """Store a unit's result; returns the digest of its inputs (what results derived from it key on)."""
        self._write(key, inputs, payload)
        return inputs.digest()

    def get_derived(self, key: str) -> Any | None:
        """A result whose key already says everything it depends on (it names a unit's input digest)."""
        kept = self._read(key)
        return kept[1] if kept is not None and kept[0] is None else None

    def put_derived(self, key: str, payload: Any) -> None:
        self._write(key, None, payload)

    def _read(self, key: str) -> tuple[Any, Any] | None:
        path = self._entry(key)
        try:
            with path.open("rb") as fh:
                fmt, inputs, payload = pickle.load(fh)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError, ImportError):
            return None
        if fmt != FORMAT:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # least recently used goes first when the cache is over its size
        return inputs, payload

    def _write(self, key: str, inputs: Inputs | None, payload: Any) -> None:
        target = self._entry(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((FORMAT, inputs, payload), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
            self.stored += 1
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass  # a cache that cannot be written is ignored

    def inputs(self, doc_rel: str, opened: Iterable[str], listed: Iterable[str]) -> Inputs:
        """The `Inputs` of a unit from the root-relative files it opened and folders it listed."""
        files = {rel: self.file_hash(rel) for rel in {doc_rel, *opened}}
        folders = {rel: self.folder_hash(rel) for rel in set(listed)}
        scope = _common_folder([doc_rel, *files, *(f"{d}/" for d in folders if d)])
        return Inputs(files, folders, scope, self.walked_hash(scope))

    def file_hash(self, rel: str) -> str:
        known = self._file_hashes.get(rel)
        if known is None:
            try:
                known = hashlib.sha256((self.root / rel).read_bytes()).hexdigest()
            except OSError:
                known = ""
            self._file_hashes[rel] = known
        return known

    def folder_hash(self, rel: str) -> str:
        known = self._folder_hashes.get(rel)
        if known is None:
            try:
                names = sorted(os.listdir(self.root / rel))
            except OSError:
                names = []
            known = hashlib.sha256("\0".join(names).encode("utf-8", "surrogatepass")).hexdigest()
            self._folder_hashes[rel] = known
        return known

    def walked_hash(self, scope: str) -> str:
        known = self._walked_hashes.get(scope)
        if known is None:
            prefix = f"{scope}/" if scope else ""
            names = sorted(rel for rel in self.walked if rel.startswith(prefix))
            known = hashlib.sha256("\0".join(names).encode("utf-8", "surrogatepass")).hexdigest()
            self._walked_hashes[scope] = known
        return known

    def prune(self) -> None:
        """Keep the cache under its size: remove the least recently used entries (only after writes)."""
        if not self.stored:
            return
        entries: list[tuple[float, int, Path]] = []
        for top, _dirs, files in os.walk(self.folder / _NAMESPACE):
            for name in files:
                path = Path(top, name)
                try:
                    st = path.stat()
                except OSError:
                    continue
                entries.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            try:
                path.unlink()
            except OSError:
                continue
            total -= size

    def _still(self, inputs: Inputs) -> bool:
        return (
            all(self.file_hash(rel) == digest for rel, digest in inputs.files.items())
            and all(self.folder_hash(rel) == digest for rel, digest in inputs.folders.items())
            and self.walked_hash(inputs.scope) == inputs.walked
        )

    def _entry(self, key: str) -> Path:
        return self.folder / _NAMESPACE / key[:2] / f"{key}.pickle"


def open_reuse(root: Path, walked: Iterable[str], asked: Iterable[str]) -> Reuse | None:
    """The unit cache of a scan of `root`, or None when caching is off. `asked`: what the scan was asked
    (options, configuration, facts, advisory store), each part as text."""
    folder = disk.cache_dir()
    if folder is None:
        return None
    salt = disk.key("scan", __version__, analyser_identity(), *asked)
    env = os.environ.get("FNAUDIT_CACHE_MAX_MB", "")
    max_mb = int(env) if env.isdigit() else DEFAULT_MAX_MB
    return Reuse(folder, root, tuple(walked), salt, max_mb * 1024 * 1024)


def analyser_identity() -> str:
    """fnaudit's own files (name, size, modification time) and the installed distributions' names and
    versions: editing fnaudit (an editable install) or upgrading a library it uses makes a new key."""
    package = Path(__file__).parent
    parts: list[str] = []
    for top, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            try:
                st = os.stat(os.path.join(top, name))
            except OSError:
                continue
            parts.append(f"{os.path.relpath(os.path.join(top, name), package)}:{st.st_size}:{st.st_mtime_ns}")
    for lib in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        try:
            parts.extend(sorted(n for n in os.listdir(lib) if n.endswith(".dist-info")))
        except OSError:
            continue
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def store_identity(db: str | None) -> str:
    """The advisory store a scan matches against, as it is now (its files' sizes and modification times:
    an update or an import rewrites them)."""
    from fnaudit.engines.osv.store import DB_FILE, default_dir

    folder = default_dir(db)
    parts = [str(folder)]
    paths = [folder] if folder.is_file() else [folder / DB_FILE, folder / f"{DB_FILE}-wal"]
    if folder.is_dir() and not (folder / DB_FILE).exists():  # a folder of OSV records (`--db DIR`)
        paths = sorted(Path(top, n) for top, _dirs, files in os.walk(folder) for n in files if n.endswith(".json"))
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            continue
        parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


def _common_folder(rels: Iterable[str]) -> str:
    """The deepest folder holding every path (a path ending in `/` is a folder itself)."""
    common: list[str] | None = None
    for rel in rels:
        parts = rel.split("!/", 1)[0].split("/")[:-1]
        if common is None:
            common = parts
            continue
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    return "/".join(common or [])
