"""Reading OSV records from a folder or a zip, and reducing each to the clean fields the store keeps.

Advisory sources are untrusted input (a mirror, a folder someone handed over, a zip downloaded from the
internet), so every record is read defensively: a file larger than `MAX_RECORD_BYTES`, bytes that are not
UTF-8, JSON that is invalid or nested deeper than the parser allows, a value that is not an object, a zip
member that cannot be decompressed: each becomes a `Skipped` entry naming the file and the reason, and the
other records are still imported. A record is then *normalised*: only fields of the expected types are kept
(so nothing deeply nested or oddly typed reaches the store), and every string loses its control characters
(ANSI escape sequences, C0/C1 controls, bidirectional overrides), so advisory text can never rewrite a
terminal, a log or a report that prints it.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_RECORD_BYTES = 8 * 1024 * 1024
MAX_SUMMARY_CHARS = 500
MAX_ID_CHARS = 200
RANGE_TYPES = ("ECOSYSTEM", "SEMVER")
EVENT_KEYS = ("introduced", "fixed", "last_affected", "limit")

# ESC-introduced sequences: CSI (`ESC [ … final`), OSC/DCS/PM/APC strings (ended by BEL or ESC \),
# and two-character escapes (`ESC c`, `ESC 7`). Removed whole, so that no parameter bytes are left
# behind as text ("[2J").
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
# C0 controls but \t and \n, DEL, C1 controls, and the bidirectional overrides / isolates that reorder
# what a terminal or an editor shows ("Trojan source").
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` without escape sequences and control characters; tabs become spaces, and newlines too
    unless `multiline`."""
    text = _CONTROLS.sub("", _ESCAPES.sub("", value).replace("\r\n", "\n"))
    text = text.replace("\t", " ")
    if not multiline:
        text = " ".join(text.split("\n"))
    return text


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file or zip member that was not imported, and why (both safe to print)."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Normalised:
    """One record as the store keeps it: the compact document and its (ecosystem, name, data) rows."""

    id: str
    modified: str | None
    withdrawn: bool
    doc: dict[str, Any]
    rows: tuple[tuple[str, str, dict[str, Any]], ...]  # (ecosystem as written, package name, affected data)


# --- reading ---------------------------------------------------------------------------------


def parse(where: str, raw: bytes) -> dict[str, Any] | Skipped:
    """The JSON object in `raw`, or why it is not one."""
    if len(raw) > MAX_RECORD_BYTES:
        return Skipped(where, f"larger than {_limit()}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Skipped(where, f"not UTF-8 text (invalid byte at offset {exc.start})")
    try:
        data = json.loads(text)
    except RecursionError:
        return Skipped(where, "JSON nested too deeply")
    except ValueError as exc:
        return Skipped(where, f"not valid JSON ({clean_text(str(exc))})")
    if not isinstance(data, dict):
        return Skipped(where, f"a JSON {_kind(data)}, not an OSV record (an object)")
    return data


Read = tuple[str, dict[str, Any] | Skipped]  # (where, the record or why not)


def folder_records(folder: Path) -> Iterator[Read]:
    """Every `*.json` under `folder`, in a stable order; symbolic links are not followed (a record folder
    is data, and a link could lead anywhere on the machine)."""
    walk_errors: list[OSError] = []
    for top, dirs, files in os.walk(folder, onerror=walk_errors.append):
        dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(top, d)))
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            path = Path(top, name)
            where = clean_text(str(path))
            if path.is_symlink():
                yield where, Skipped(where, "a symbolic link (not followed)")
                continue
            try:
                if path.stat().st_size > MAX_RECORD_BYTES:
                    yield where, Skipped(where, f"larger than {_limit()}")
                    continue
                with path.open("rb") as fh:
                    raw = fh.read(MAX_RECORD_BYTES + 1)  # the file may grow between stat and read
            except OSError as exc:
                yield where, Skipped(where, f"cannot be read ({clean_text(exc.strerror or str(exc))})")
                continue
            yield where, parse(where, raw)
    for err in walk_errors:
        where = clean_text(str(err.filename or folder))
        yield where, Skipped(where, f"cannot be listed ({clean_text(err.strerror or str(err))})")


def zip_records(archive: Path) -> Iterator[Read]:
    """Every `*.json` member of an OSV zip, read in memory (never extracted), each size-capped."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if info.is_dir() or not info.filename.endswith(".json"):
                continue
            where = clean_text(f"{archive}:{info.filename}")
            if info.file_size > MAX_RECORD_BYTES:
                yield where, Skipped(where, f"larger than {_limit()}")
                continue
            try:
                with zf.open(info) as fh:
                    raw = fh.read(MAX_RECORD_BYTES + 1)
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                NotImplementedError,
                RuntimeError,
                ValueError,
                OSError,
            ) as exc:
                # CRC mismatch, truncated data, an unsupported compression method or an encrypted member.
                yield (
                    where,
                    Skipped(where, f"cannot be read from the archive ({type(exc).__name__}: {clean_text(str(exc))})"),
                )
                continue
            yield where, parse(where, raw)


def _limit() -> str:
    return f"{MAX_RECORD_BYTES >> 20} MB" if MAX_RECORD_BYTES >= 1 << 20 else f"{MAX_RECORD_BYTES} bytes"


def _kind(value: object) -> str:
    return {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), "null")


# --- normalising -----------------------------------------------------------------------------


def normalise(where: str, record: dict[str, Any]) -> Normalised | Skipped:
    """The fields matching and reporting need, typed and cleaned; or why the record cannot be used."""
    rid = record.get("id")
    if not isinstance(rid, str) or not clean_text(rid).strip():
        return Skipped(where, "no `id` string: not an OSV record")
    rid = clean_text(rid).strip()[:MAX_ID_CHARS]
    rows = tuple(_affected(record.get("affected")))
    if not rows:
        return Skipped(where, f"{rid} names no affected package with an ecosystem and a name: nothing could match it")
    summary = _text(record.get("summary"))
    if not summary:
        details = _text(record.get("details"), multiline=True)
        summary = next((line.strip() for line in details.split("\n") if line.strip()), "")[:200]
    db = record.get("database_specific")
    withdrawn = _text(record.get("withdrawn")) or None
    modified = _text(record.get("modified")) or None
    doc = {
        "id": rid,
        "aliases": [clean_text(a) for a in _list(record.get("aliases")) if isinstance(a, str)],
        "summary": summary[:MAX_SUMMARY_CHARS],
        "severity": [
            {"type": clean_text(s["type"]), "score": clean_text(s["score"])}
            for s in _list(record.get("severity"))
            if isinstance(s, dict) and isinstance(s.get("type"), str) and isinstance(s.get("score"), str)
        ],
        "db_severity": _text(db.get("severity")) or None if isinstance(db, dict) else None,
        "withdrawn": withdrawn,
        "modified": modified,
    }
    return Normalised(rid, modified, withdrawn is not None, doc, rows)


def clean_doc(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored document with its text cleaned again: stores written by older versions kept text raw."""
    out = dict(doc)
    for key in ("summary", "db_severity", "withdrawn", "modified"):
        if isinstance(out.get(key), str):
            out[key] = clean_text(out[key])
    if isinstance(out.get("aliases"), list):
        out["aliases"] = [clean_text(a) for a in out["aliases"] if isinstance(a, str)]
    return out


def _affected(value: object) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for aff in _list(value):
        if not isinstance(aff, dict):
            continue
        pkg = aff.get("package")
        if (
            not isinstance(pkg, dict)
            or not isinstance(pkg.get("ecosystem"), str)
            or not isinstance(pkg.get("name"), str)
        ):
            continue
        eco, name = clean_text(pkg["ecosystem"]).strip(), clean_text(pkg["name"]).strip()
        if not eco or not name:
            continue
        data: dict[str, Any] = {"ecosystem": eco, "name": name}
        ranges = [
            {
                "type": r["type"],
                "events": [
                    {k: clean_text(v) for k, v in e.items() if k in EVENT_KEYS and isinstance(v, str)}
                    for e in _list(r.get("events"))
                    if isinstance(e, dict)
                ],
            }
            for r in _list(aff.get("ranges"))
            if isinstance(r, dict) and r.get("type") in RANGE_TYPES
        ]
        if ranges:
            data["ranges"] = ranges
        listed = [clean_text(v) for v in _list(aff.get("versions")) if isinstance(v, str)]
        if listed:
            data["versions"] = listed
        for key in ("ecosystem_specific", "database_specific"):
            spec = aff.get(key)
            if isinstance(spec, dict) and isinstance(spec.get("severity"), str):
                data["severity"] = clean_text(spec["severity"])
        yield eco, name, data


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: object, *, multiline: bool = False) -> str:
    return clean_text(value, multiline=multiline).strip() if isinstance(value, str) else ""
