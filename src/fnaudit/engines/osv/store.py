"""The local advisory store: OSV records in one SQLite file, indexed by (ecosystem, normalised name).

A lookup reads only the rows of the packages asked for (an index seek per name), never the whole
database. Records are stored compactly: the fields matching and reporting need, JSON, zlib'd.

Where it lives: `--db DIR`, else `$FNAUDIT_DB`, else `$FNAUDIT_CACHE_DIR/osv`, else `<user cache dir>/fnaudit/osv`; the file is
`osv.sqlite3` in that folder. Sources: a folder laid out `<Ecosystem>/<ID>.json` (osv.dev's layout,
like the shared snapshot), a folder of `*.json` records, or osv.dev's per-ecosystem `all.zip`;
`update` downloads those zips from a base URL (osv.dev's bucket by default, any mirror otherwise).
Reading and cleaning the records is `records.py`'s job: a bad record is skipped and named, never fatal.

A *record set* (a project's own folder or zip of OSV records, named by `advisories` in its config or
by `--db`) is indexed once into `<cache>/osv-sets/` and reused while its files are unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import urllib.parse
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from fnaudit.engines.osv import records

DB_FILE = "osv.sqlite3"
ENV_VAR = "FNAUDIT_DB"
URL_ENV_VAR = "FNAUDIT_OSV_URL"
DEFAULT_BASE_URL = "https://osv-vulnerabilities.storage.googleapis.com"
DEFAULT_ECOSYSTEMS = ("npm", "PyPI", "Maven", "Go", "crates.io", "RubyGems", "Packagist")
SCHEMA_VERSION = "1"
MAX_RECORD_BYTES = records.MAX_RECORD_BYTES
MAX_DOWNLOAD_BYTES = 2 * 1024 * 1024 * 1024
_PEP503 = re.compile(r"[-_.]+")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS source(
    ecosystem TEXT PRIMARY KEY, origin TEXT NOT NULL, imported_at TEXT NOT NULL,
    records INTEGER NOT NULL, newest_modified TEXT);
CREATE TABLE IF NOT EXISTS advisory(
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, modified TEXT, withdrawn INTEGER NOT NULL, doc BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS affected(ecosystem TEXT NOT NULL, name TEXT NOT NULL, rid INTEGER NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS affected_key ON affected(ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_rid ON affected(rid);
"""


class StoreError(Exception):
    """The store or a source cannot be used (the message says what to do)."""


def base_ecosystem(ecosystem: str) -> str:
    """`Debian:11` → `Debian`; OSV ecosystems may carry a release suffix."""
    return ecosystem.split(":", 1)[0]


def normalise_name(ecosystem: str, name: str) -> str:
    """The index key of a package name: PEP 503 for PyPI, case-folded where the registry is case-insensitive."""
    eco = base_ecosystem(ecosystem)
    if eco == "PyPI":
        return _PEP503.sub("-", name).lower()
    if eco == "crates.io":
        return name.lower().replace("-", "_")
    if eco in ("npm", "Maven", "Packagist", "RubyGems", "NuGet"):
        return name.lower()
    return name


def default_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from fnaudit import (
        cache,  # the project-wide cache folder (FNAUDIT_CACHE_DIR; tests use it)
    )

    folder = cache.cache_dir()
    if folder is not None:
        return folder.expanduser() / "osv"
    # Caching is off, but the advisory store is data the user imported, not a cache: keep its home.
    import platformdirs

    return Path(platformdirs.user_cache_dir("fnaudit")) / "osv"


@dataclass(frozen=True, slots=True)
class EcosystemStatus:
    ecosystem: str
    origin: str
    imported_at: dt.datetime
    records: int  # records stored (distinct OSV ids naming a package of the ecosystem), withdrawn included
    newest_modified: str | None
    withdrawn: int = 0


@dataclass(frozen=True, slots=True)
class EcosystemCount:
    records: int  # distinct OSV ids with at least one affected package of the ecosystem
    withdrawn: int  # of those, withdrawn ones (kept so that a re-import cannot revive them, never matched)

    def __str__(self) -> str:
        return f"{self.records}" + (f" ({self.withdrawn} withdrawn)" if self.withdrawn else "")


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one import did. Counts are of *records stored* (one per OSV id), as `db status` counts them."""

    records: int  # distinct ids stored (new or replacing an older copy)
    skipped: int  # files or members not imported (each has a line in `problems`, up to MAX_PROBLEMS)
    ecosystems: dict[str, EcosystemCount]  # this import's records per ecosystem (one naming two counts in both)
    problems: tuple[str, ...] = ()
    duplicates: int = 0  # files that repeated an id already read in this import (the newest copy is kept)


MAX_PROBLEMS = 50


class Store:
    """One opened store. Use as a context manager, or call `close()`."""

    def __init__(self, directory: Path, create: bool = False) -> None:
        self.directory = Path(directory)
        self.path = self.directory / DB_FILE
        if not self.path.is_file() and not create:
            raise StoreError(f"no advisory store at {self.path}")
        if create:
            self.directory.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.executescript(_SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        self._docs: dict[int, dict[str, Any]] = {}
        self._temporary: tempfile.TemporaryDirectory[str] | None = None  # a record set's store when caching is off

    @classmethod
    def open(cls, directory: str | os.PathLike[str] | None = None) -> Store | None:
        """The store in `directory` (or the default place), None when none has been imported.

        An explicit `directory` may also be a folder or zip of OSV records (a project's own advisory
        set, see `records_store`): it is indexed into a cached store on first use."""
        d = default_dir(directory)
        if directory is not None and not (d / DB_FILE).is_file() and is_records_source(d):
            return records_store(d)
        if not (d / DB_FILE).is_file():
            return None
        store = cls(d)
        if store.is_empty():
            store.close()
            return None
        return store

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM advisory LIMIT 1").fetchone() is None

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @property
    def problems(self) -> tuple[str, ...]:
        """For a store built from a record set: the files it skipped (each with the reason)."""
        raw = self._meta("problems")
        return tuple(json.loads(raw)) if raw else ()

    # --- import ------------------------------------------------------------------------------

    def import_source(self, source: Path, origin: str | None = None) -> ImportReport:
        """A folder (`<Ecosystem>/<ID>.json` or flat `*.json`) or an OSV `all.zip`."""
        source = Path(source)
        if source.is_dir():
            return self._import(records.folder_records(source), origin or str(source), replace_ecosystem=None)
        if source.is_file() and zipfile.is_zipfile(source):
            try:
                return self._import(records.zip_records(source), origin or str(source), replace_ecosystem=None)
            except zipfile.BadZipFile as exc:  # the central directory itself is broken: nothing was imported
                raise StoreError(f"{source}: not a readable zip archive ({exc})") from None
        raise StoreError(f"{source}: not a folder of OSV JSON files nor a zip archive")

    def _import(self, reads: Iterable[records.Read], origin: str, replace_ecosystem: str | None) -> ImportReport:
        """One transaction: either the whole import is stored, or (on an error outside any one record,
        such as a full disk) nothing is. A bad record is skipped and named in the report."""
        skipped = duplicates = 0
        problems: list[str] = []
        stored: dict[str, tuple[str, bool, frozenset[str]]] = {}  # id -> (modified, withdrawn, ecosystems)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        cur = self.db.cursor()
        cur.execute("BEGIN")
        try:
            touched: set[str] = set()
            if replace_ecosystem is not None:
                cur.execute("DELETE FROM affected WHERE ecosystem = ?", (replace_ecosystem,))
            for where, read in reads:
                rec = read if isinstance(read, records.Skipped) else _normalise(where, read)
                if isinstance(rec, records.Skipped):
                    skipped += 1
                    if len(problems) < MAX_PROBLEMS:
                        problems.append(str(rec))
                    continue
                ecos = frozenset(base_ecosystem(e) for e, _n, _d in rec.rows)
                if rec.id in stored:
                    duplicates += 1
                    if (rec.modified or "") < stored[rec.id][0]:
                        continue  # an older copy of a record this import already holds
                stored[rec.id] = (rec.modified or "", rec.withdrawn, ecos)
                touched |= self._put(cur, rec)
            if replace_ecosystem is not None:
                cur.execute("DELETE FROM advisory WHERE rid NOT IN (SELECT rid FROM affected)")
            per_eco: dict[str, EcosystemCount] = {}
            newest: dict[str, str] = {}
            for modified, withdrawn, ecos in stored.values():
                for eco in ecos:
                    n = per_eco.get(eco, EcosystemCount(0, 0))
                    per_eco[eco] = EcosystemCount(n.records + 1, n.withdrawn + withdrawn)
                    newest[eco] = max(newest.get(eco, ""), modified)
            # `update` replaces one ecosystem's data: the records of other ecosystems an archive mentions in
            # passing do not make the store "have" those ecosystems. A folder import is taken as it is.
            sources = {replace_ecosystem} if replace_ecosystem is not None else set(per_eco)
            counts = self.counts(touched | sources)
            for eco in sorted(sources):
                cur.execute(
                    "INSERT OR REPLACE INTO source VALUES (?,?,?,?,?)",
                    (eco, origin, now, counts.get(eco, EcosystemCount(0, 0)).records, newest.get(eco) or None),
                )
            for eco in sorted(touched - sources):  # keep other ecosystems' recorded totals true
                cur.execute(
                    "UPDATE source SET records = ? WHERE ecosystem = ?",
                    (counts.get(eco, EcosystemCount(0, 0)).records, eco),
                )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        self._docs.clear()
        return ImportReport(
            records=len(stored),
            skipped=skipped,
            ecosystems=dict(sorted(per_eco.items())),
            problems=tuple(problems),
            duplicates=duplicates,
        )

    @staticmethod
    def _put(cur: sqlite3.Cursor, rec: records.Normalised) -> set[str]:
        """Insert or replace one record; the ecosystems whose counts it changed (old rows and new)."""
        blob = zlib.compress(json.dumps(rec.doc, separators=(",", ":")).encode())
        rows = [
            (base_ecosystem(e), normalise_name(e, n), json.dumps(d, separators=(",", ":")).encode())
            for e, n, d in rec.rows
        ]
        touched = {e for e, _n, _d in rows}
        existing = cur.execute("SELECT rid FROM advisory WHERE id = ?", (rec.id,)).fetchone()
        if existing is None:
            cur.execute(
                "INSERT INTO advisory(id, modified, withdrawn, doc) VALUES (?,?,?,?)",
                (rec.id, rec.modified, int(rec.withdrawn), blob),
            )
            rid = cur.lastrowid
        else:
            rid = existing[0]
            touched |= {r[0] for r in cur.execute("SELECT DISTINCT ecosystem FROM affected WHERE rid = ?", (rid,))}
            cur.execute(
                "UPDATE advisory SET modified=?, withdrawn=?, doc=? WHERE rid=?",
                (rec.modified, int(rec.withdrawn), blob, rid),
            )
            cur.execute("DELETE FROM affected WHERE rid = ?", (rid,))
        cur.executemany(
            "INSERT INTO affected(ecosystem, name, rid, data) VALUES (?,?,?,?)", [(e, n, rid, d) for e, n, d in rows]
        )
        return touched

    def update(
        self, ecosystems: Iterable[str], base_url: str | None = None, timeout: float = 60.0
    ) -> dict[str, ImportReport]:
        """Download `<base>/<Ecosystem>/all.zip` for each ecosystem and replace its records."""
        base = (base_url or os.environ.get(URL_ENV_VAR) or DEFAULT_BASE_URL).rstrip("/")
        if not base.startswith(("https://", "http://", "file://")):
            raise StoreError(f"base URL {base!r} must be http(s):// or file://")
        out = {}
        for eco in ecosystems:
            url = f"{base}/{urllib.parse.quote(eco)}/all.zip"
            with tempfile.TemporaryDirectory(prefix="fnaudit-osv-") as tmp:
                target = Path(tmp) / "all.zip"
                _download(url, target, timeout)
                if not zipfile.is_zipfile(target):
                    raise StoreError(f"{url}: not a zip archive")
                try:
                    out[eco] = self._import(records.zip_records(target), url, replace_ecosystem=eco)
                except zipfile.BadZipFile as exc:
                    raise StoreError(f"{url}: not a readable zip archive ({exc})") from None
        return out

    # --- read --------------------------------------------------------------------------------

    def counts(self, ecosystems: Iterable[str] | None = None) -> dict[str, EcosystemCount]:
        """Records stored per ecosystem, counted from the rows themselves (what `db status` and
        `db import` both print): distinct OSV ids, withdrawn ones included and counted apart."""
        wanted = None if ecosystems is None else sorted(set(ecosystems))
        if wanted == []:
            return {}
        where = "" if wanted is None else f"WHERE f.ecosystem IN ({','.join('?' * len(wanted))})"
        rows = self.db.execute(
            "SELECT f.ecosystem, COUNT(DISTINCT f.rid), COUNT(DISTINCT CASE WHEN a.withdrawn THEN f.rid END) "
            f"FROM affected f JOIN advisory a ON a.rid = f.rid {where} GROUP BY f.ecosystem",
            wanted or (),
        )
        return {eco: EcosystemCount(n, w) for eco, n, w in rows}

    def status(self) -> list[EcosystemStatus]:
        rows = self.db.execute("SELECT ecosystem, origin, imported_at, newest_modified FROM source ORDER BY ecosystem")
        sources = rows.fetchall()
        counts = self.counts(e for e, *_ in sources)
        return [
            EcosystemStatus(
                e,
                o,
                dt.datetime.fromisoformat(t),
                counts.get(e, EcosystemCount(0, 0)).records,
                m,
                counts.get(e, EcosystemCount(0, 0)).withdrawn,
            )
            for e, o, t, m in sources
        ]

    def imported_at(self) -> dt.datetime | None:
        """When the data was imported; None for a project's own record set, whose age is its authors' call
        (a scan must not tell them to `db update` a folder they ship)."""
        if self._meta("kind") == "records":
            return None
        row = self.db.execute("SELECT MIN(imported_at) FROM source").fetchone()
        return dt.datetime.fromisoformat(row[0]) if row and row[0] else None

    def ecosystems(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT ecosystem FROM source")}

    def lookup(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[tuple[Any, dict[str, Any]]]]:
        """(ecosystem, name) → [(advisory doc, affected entry)], names normalised here."""
        wanted: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for eco, name in keys:
            wanted.setdefault((eco, normalise_name(eco, name)), []).append((eco, name))
        by_eco: dict[str, list[str]] = {}
        for eco, norm in wanted:
            by_eco.setdefault(eco, []).append(norm)
        out: dict[tuple[str, str], list[tuple[Any, dict[str, Any]]]] = {}
        for eco, names in by_eco.items():
            for i in range(0, len(names), 500):
                chunk = names[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = self.db.execute(
                    "SELECT f.name, f.rid, f.data FROM affected f JOIN advisory a ON a.rid = f.rid "
                    f"WHERE f.ecosystem = ? AND f.name IN ({marks}) AND a.withdrawn = 0",
                    (eco, *chunk),
                ).fetchall()
                for norm, rid, data in rows:
                    entry = (_LazyDoc(self, rid), json.loads(data))
                    for original in wanted[(eco, norm)]:
                        out.setdefault(original, []).append(entry)
        return out

    def _doc(self, rid: int) -> dict[str, Any]:
        doc = self._docs.get(rid)
        if doc is None:
            blob = self.db.execute("SELECT doc FROM advisory WHERE rid = ?", (rid,)).fetchone()[0]
            # Cleaned again on the way out: a store imported by an older fnaudit kept advisory text raw.
            doc = self._docs[rid] = records.clean_doc(json.loads(zlib.decompress(blob)))
        return doc


def _normalise(where: str, record: dict[str, Any]) -> records.Normalised | records.Skipped:
    try:
        return records.normalise(where, record)
    except (ValueError, TypeError, RecursionError) as exc:  # normalise checks types; this is the backstop
        return records.Skipped(where, f"cannot be used ({type(exc).__name__})")


# --- record sets: a project's own advisories -------------------------------------------------


def is_records_source(path: Path) -> bool:
    """A zip archive, or a folder holding at least one `*.json` (and no store)."""
    if path.is_file():
        return zipfile.is_zipfile(path)
    if not path.is_dir():
        return False
    return any(any(f.endswith(".json") for f in files) for _top, _dirs, files in os.walk(path))


def _fingerprint(source: Path) -> str:
    """What decides a record set's store: its place and each file's name, size and modification time
    (cheap to list; any edit changes it), fnaudit's version and the store schema."""
    from fnaudit import cache

    parts = [str(source.resolve()), SCHEMA_VERSION]
    if source.is_file():
        st = source.stat()
        parts.append(f"{st.st_size}:{st.st_mtime_ns}")
    else:
        for top, dirs, files in os.walk(source):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".json"):
                    try:
                        st = Path(top, name).lstat()
                    except OSError:
                        continue
                    parts.append(f"{Path(top, name).relative_to(source)}:{st.st_size}:{st.st_mtime_ns}")
    return cache.key("osv-records", *parts)


def records_store(source: Path) -> Store:
    """A store holding the records of `source` (a folder or zip of OSV JSON), built on first use.

    Kept in `<cache>/osv-sets/` and reused while the files are unchanged. Caching off
    (`FNAUDIT_CACHE_DIR=off`) or a cache that cannot be written: a temporary store, deleted when closed.
    Raises StoreError when no record of the set is usable."""
    from fnaudit import cache

    folder = cache.cache_dir()
    if folder is not None:
        try:
            return _cached_records_store(source, folder / "osv-sets")
        except OSError:
            pass  # a cache that cannot be written is ignored, as everywhere else
    tmp = tempfile.TemporaryDirectory(prefix="fnaudit-osv-")
    try:
        _build(source, Path(tmp.name))
    except BaseException:
        tmp.cleanup()
        raise
    store = Store(Path(tmp.name))
    store._temporary = tmp
    return store


def _cached_records_store(source: Path, sets: Path) -> Store:
    """Built in a private folder and renamed into place, so concurrent scans never see half a store."""
    place = hashlib.sha256(str(source.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    target = sets / f"{place}-{_fingerprint(source)[:32]}"
    if not (target / DB_FILE).is_file():
        sets.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=sets))
        try:
            _build(source, building)
            os.replace(building, target)
        except OSError:
            if not (target / DB_FILE).is_file():  # not a concurrent scan's win: a real failure
                raise
        finally:
            shutil.rmtree(building, ignore_errors=True)
        for old in sets.glob(f"{place}-*"):  # earlier versions of this set are never asked for again
            if old != target:
                shutil.rmtree(old, ignore_errors=True)
    return Store(target)


def _build(source: Path, directory: Path) -> None:
    with Store(directory, create=True) as store:
        report = store.import_source(source)
        if report.records == 0:
            why = f" ({report.problems[0]})" if report.problems else ""
            raise StoreError(f"{source}: no usable OSV record{why}")
        store.db.execute("INSERT OR REPLACE INTO meta VALUES ('kind', 'records')")
        store.db.execute("INSERT OR REPLACE INTO meta VALUES ('problems', ?)", (json.dumps(report.problems),))


class _LazyDoc:
    """An advisory's record, decompressed on first use: most looked-up rows are not hits."""

    __slots__ = ("_doc", "_rid", "_store")

    def __init__(self, store: Store, rid: int) -> None:
        self._store, self._rid = store, rid
        self._doc: dict[str, Any] | None = None

    def _get(self) -> dict[str, Any]:
        if self._doc is None:
            self._doc = self._store._doc(self._rid)
        return self._doc

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._get().get(key, default)


def _download(url: str, target: Path, timeout: float) -> None:
    # imported here: http.client, ssl and email come with it, and only `db update` downloads (a scan never does)
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, headers={"User-Agent": "fnaudit (advisory update)"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp, target.open("wb") as fh:
            total = 0
            while chunk := resp.read(1 << 20):
                total += len(chunk)
                if total > MAX_DOWNLOAD_BYTES:
                    raise StoreError(f"{url}: larger than {MAX_DOWNLOAD_BYTES >> 30} GB; refused")
                fh.write(chunk)
    except urllib.error.HTTPError as exc:
        raise StoreError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StoreError(f"{url}: cannot download ({reason})") from None
