"""The local advisory store: OSV records in one SQLite file, indexed by (ecosystem, normalised name).

A lookup reads only the rows of the packages asked for (an index seek per name), never the whole
database. Records are stored compactly: the fields matching and reporting need, JSON, zlib'd.

Where it lives: `--db DIR`, else `$FNAUDIT_DB`, else `$FNAUDIT_CACHE_DIR/osv`, else `<user cache dir>/fnaudit/osv`; the file is
`osv.sqlite3` in that folder. Sources: a folder laid out `<Ecosystem>/<ID>.json` (osv.dev's layout,
like the shared snapshot), a folder of `*.json` records, or osv.dev's per-ecosystem `all.zip`;
`update` downloads those zips from a base URL (osv.dev's bucket by default, any mirror otherwise).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DB_FILE = "osv.sqlite3"
ENV_VAR = "FNAUDIT_DB"
URL_ENV_VAR = "FNAUDIT_OSV_URL"
DEFAULT_BASE_URL = "https://osv-vulnerabilities.storage.googleapis.com"
DEFAULT_ECOSYSTEMS = ("npm", "PyPI", "Maven", "Go", "crates.io", "RubyGems", "Packagist")
SCHEMA_VERSION = "1"
MAX_RECORD_BYTES = 8 * 1024 * 1024
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
    from fnaudit import cache  # the project-wide cache folder (FNAUDIT_CACHE_DIR; tests use it)

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
    records: int
    newest_modified: str | None


@dataclass(frozen=True, slots=True)
class ImportReport:
    records: int
    skipped: int
    ecosystems: dict[str, int]
    problems: tuple[str, ...] = ()


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    summary = record.get("summary") or ""
    if not summary and record.get("details"):
        summary = str(record["details"]).strip().split("\n", 1)[0][:200]
    db = record.get("database_specific") or {}
    return {
        "id": record["id"],
        "aliases": [a for a in record.get("aliases") or [] if isinstance(a, str)],
        "summary": summary,
        "severity": record.get("severity") or [],
        "db_severity": db.get("severity") if isinstance(db, dict) else None,
        "withdrawn": record.get("withdrawn"),
        "modified": record.get("modified"),
    }


def _affected_rows(record: dict[str, Any]) -> Iterator[tuple[str, str, bytes]]:
    for aff in record.get("affected") or []:
        pkg = aff.get("package") or {}
        eco, name = pkg.get("ecosystem"), pkg.get("name")
        if not isinstance(eco, str) or not isinstance(name, str):
            continue
        data: dict[str, Any] = {"ecosystem": eco, "name": name}
        if aff.get("ranges"):
            data["ranges"] = [
                {"type": r.get("type"), "events": r.get("events") or []}
                for r in aff["ranges"]
                if isinstance(r, dict) and r.get("type") in ("ECOSYSTEM", "SEMVER")
            ]
        if aff.get("versions"):
            data["versions"] = aff["versions"]
        for key in ("ecosystem_specific", "database_specific"):
            spec = aff.get(key)
            if isinstance(spec, dict) and isinstance(spec.get("severity"), str):
                data["severity"] = spec["severity"]
        yield base_ecosystem(eco), normalise_name(eco, name), json.dumps(data, separators=(",", ":")).encode()


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

    @classmethod
    def open(cls, directory: str | os.PathLike[str] | None = None) -> Store | None:
        """The store in `directory` (or the default place), None when none has been imported."""
        d = default_dir(directory)
        if not (d / DB_FILE).is_file():
            return None
        store = cls(d)
        if store.is_empty():
            store.close()
            return None
        return store

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM advisory LIMIT 1").fetchone() is None

    # --- import ------------------------------------------------------------------------------

    def import_source(self, source: Path, origin: str | None = None) -> ImportReport:
        """A folder (`<Ecosystem>/<ID>.json` or flat `*.json`) or an OSV `all.zip`."""
        source = Path(source)
        if source.is_dir():
            return self._import(_folder_records(source), origin or str(source), replace_ecosystem=None)
        if source.is_file() and zipfile.is_zipfile(source):
            return self._import(_zip_records(source), origin or str(source), replace_ecosystem=None)
        raise StoreError(f"{source}: not a folder of OSV JSON files nor a zip archive")

    def _import(self, records: Iterable[tuple[str, dict[str, Any] | None]], origin: str,
                replace_ecosystem: str | None) -> ImportReport:
        count = skipped = 0
        per_eco: dict[str, int] = {}
        newest: dict[str, str] = {}
        problems: list[str] = []
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        cur = self.db.cursor()
        cur.execute("BEGIN")
        try:
            if replace_ecosystem is not None:
                cur.execute("DELETE FROM affected WHERE ecosystem = ?", (replace_ecosystem,))
            for where, record in records:
                if record is None or not isinstance(record.get("id"), str):
                    skipped += 1
                    if len(problems) < 20:
                        problems.append(f"{where}: not an OSV record")
                    continue
                doc = _compact(record)
                rows = list(_affected_rows(record))
                existing = cur.execute("SELECT rid, modified FROM advisory WHERE id = ?", (record["id"],)).fetchone()
                blob = zlib.compress(json.dumps(doc, separators=(",", ":")).encode())
                withdrawn = 1 if record.get("withdrawn") else 0
                if existing is None:
                    cur.execute("INSERT INTO advisory(id, modified, withdrawn, doc) VALUES (?,?,?,?)",
                                (record["id"], doc["modified"], withdrawn, blob))
                    rid = cur.lastrowid
                else:
                    rid = existing[0]
                    cur.execute("UPDATE advisory SET modified=?, withdrawn=?, doc=? WHERE rid=?",
                                (doc["modified"], withdrawn, blob, rid))
                    cur.execute("DELETE FROM affected WHERE rid = ?", (rid,))
                cur.executemany("INSERT INTO affected(ecosystem, name, rid, data) VALUES (?,?,?,?)",
                                [(e, n, rid, d) for e, n, d in rows])
                count += 1
                for eco in {e for e, _, _ in rows} or {"(none)"}:
                    per_eco[eco] = per_eco.get(eco, 0) + 1
                    m = str(doc.get("modified") or "")
                    if m > newest.get(eco, ""):
                        newest[eco] = m
            if replace_ecosystem is not None:
                cur.execute("DELETE FROM advisory WHERE rid NOT IN (SELECT rid FROM affected)")
            for eco, n in per_eco.items():
                if eco == "(none)":
                    continue
                total = cur.execute("SELECT COUNT(DISTINCT rid) FROM affected WHERE ecosystem = ?", (eco,)).fetchone()[0]
                cur.execute("INSERT OR REPLACE INTO source VALUES (?,?,?,?,?)", (eco, origin, now, total, newest.get(eco)))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        self._docs.clear()
        return ImportReport(count, skipped, dict(sorted(per_eco.items())), tuple(problems))

    def update(self, ecosystems: Iterable[str], base_url: str | None = None,
               timeout: float = 60.0) -> dict[str, ImportReport]:
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
                out[eco] = self._import(_zip_records(target), url, replace_ecosystem=eco)
        return out

    # --- read --------------------------------------------------------------------------------

    def status(self) -> list[EcosystemStatus]:
        rows = self.db.execute("SELECT ecosystem, origin, imported_at, records, newest_modified FROM source ORDER BY ecosystem")
        return [EcosystemStatus(e, o, dt.datetime.fromisoformat(t), n, m) for e, o, t, n, m in rows]

    def imported_at(self) -> dt.datetime | None:
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
                    "SELECT f.name, f.rid, f.data FROM affected f JOIN advisory a ON a.rid = f.rid "  # noqa: S608
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
            doc = self._docs[rid] = json.loads(zlib.decompress(blob))
        return doc


class _LazyDoc:
    """An advisory's record, decompressed on first use: most looked-up rows are not hits."""

    __slots__ = ("_store", "_rid", "_doc")

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


def _load(where: str, raw: bytes) -> tuple[str, dict[str, Any] | None]:
    if len(raw) > MAX_RECORD_BYTES:
        return where, None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return where, None
    return where, data if isinstance(data, dict) else None


def _folder_records(folder: Path) -> Iterator[tuple[str, dict[str, Any] | None]]:
    for path in sorted(folder.rglob("*.json")):
        if path.is_symlink() or not path.is_file():
            continue
        yield _load(str(path.relative_to(folder)), path.read_bytes())


def _zip_records(archive: Path) -> Iterator[tuple[str, dict[str, Any] | None]]:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if info.is_dir() or not info.filename.endswith(".json"):
                continue
            if info.file_size > MAX_RECORD_BYTES:
                yield info.filename, None
                continue
            yield _load(info.filename, zf.read(info))


def _download(url: str, target: Path, timeout: float) -> None:
    req = urllib.request.Request(url, headers={"User-Agent": "fnaudit (advisory update)"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp, target.open("wb") as fh:  # noqa: S310 - scheme checked
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
