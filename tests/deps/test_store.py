"""The advisory store: import (folder, zip), update over HTTP (a loopback server), status, lookups."""

from __future__ import annotations

import http.server
import json
import re
import sqlite3
import threading
import zipfile
import zlib
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from fnaudit.cli import main
from fnaudit.engines.osv import records
from fnaudit.engines.osv.store import Store, StoreError, default_dir
from tests.deps.osvdata import record, write_folder, write_zip

RECORDS = [
    record("PYSEC-2099-1", "PyPI", "PyYAML", events=[{"introduced": "0"}, {"fixed": "5.4"}]),
    record("GHSA-1111-2222-3333", "npm", "@scope/pkg", events=[{"introduced": "0"}, {"fixed": "1.0.0"}]),
    record("GO-2099-0001", "Go", "golang.org/x/net", range_type="SEMVER", events=[{"introduced": "0"}]),
]


def test_import_folder_and_lookup_by_normalised_name(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "osv", list(RECORDS))
    (src / "PyPI" / "broken.json").write_text("{not json")
    with Store(tmp_path / "db", create=True) as store:
        report = store.import_source(src)
        assert (report.records, report.skipped) == (3, 1)
        found = store.lookup([("PyPI", "pyyaml"), ("PyPI", "PyYaml"), ("npm", "@scope/pkg"), ("npm", "other")])
        assert [d["id"] for d, _e in found[("PyPI", "pyyaml")]] == ["PYSEC-2099-1"]
        assert ("PyPI", "PyYaml") in found and ("npm", "other") not in found
        assert {s.ecosystem: s.records for s in store.status()} == {"Go": 1, "PyPI": 1, "npm": 1}


def test_a_lookup_uses_the_index(tmp_path: Path) -> None:
    with Store(tmp_path / "db", create=True) as store:
        store.import_source(write_folder(tmp_path / "osv", RECORDS))
        plan = store.db.execute(
            "EXPLAIN QUERY PLAN SELECT name, rid, data FROM affected WHERE ecosystem = ? AND name IN (?, ?)",
            ("PyPI", "a", "b"),
        ).fetchall()
        assert any("USING INDEX affected_key" in str(row) for row in plan), plan


def test_import_zip_and_reimport_replaces_a_record(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "all.zip", RECORDS[:1])
    with Store(tmp_path / "db", create=True) as store:
        store.import_source(archive)
        newer = record("PYSEC-2099-1", "PyPI", "pyyaml", events=[{"introduced": "0"}, {"fixed": "6.0"}])
        store.import_source(write_zip(tmp_path / "all2.zip", [newer]))
        ((_doc, entry),) = store.lookup([("PyPI", "pyyaml")])[("PyPI", "pyyaml")]
        assert entry["ranges"][0]["events"][1] == {"fixed": "6.0"}


def test_not_a_source(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("hello")
    with Store(tmp_path / "db", create=True) as store, pytest.raises(StoreError):
        store.import_source(tmp_path / "x.txt")


def test_store_location_flag_env_and_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FNAUDIT_DB", str(tmp_path / "env"))
    assert default_dir(str(tmp_path / "flag")) == tmp_path / "flag"
    assert default_dir() == tmp_path / "env"
    monkeypatch.delenv("FNAUDIT_DB")
    monkeypatch.setenv("FNAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    assert default_dir() == tmp_path / "cache" / "osv"
    assert Store.open() is None


@pytest.fixture
def osv_server(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTP server serving <Ecosystem>/all.zip archives built from test records."""
    root = tmp_path / "www"
    write_zip(root / "PyPI" / "all.zip", RECORDS[:1])
    write_zip(root / "npm" / "all.zip", RECORDS[1:2])
    handler = partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def test_update_downloads_per_ecosystem_archives(osv_server: str, tmp_path: Path) -> None:
    with Store(tmp_path / "db", create=True) as store:
        reports = store.update(["PyPI", "npm"], osv_server)
        assert {e: r.records for e, r in reports.items()} == {"PyPI": 1, "npm": 1}
        status = {s.ecosystem: s for s in store.status()}
        assert status["PyPI"].origin == f"{osv_server}/PyPI/all.zip"
        with pytest.raises(StoreError, match="HTTP 404"):
            store.update(["Go"], osv_server)
        assert {s.ecosystem for s in store.status()} == {"PyPI", "npm"}  # a failed download changes nothing


def test_cli_db_import_update_status(osv_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "db")
    assert main(["db", "status", "--db", db]) == 1
    assert "no advisory store" in capsys.readouterr().out
    src = write_folder(tmp_path / "osv", RECORDS)
    assert main(["db", "import", str(src), "--db", db]) == 0
    assert f"fnaudit: imported 3 record(s) into {db}: Go 1, PyPI 1, npm 1\n" == capsys.readouterr().err
    assert main(["db", "update", "--ecosystem", "npm", "--base-url", osv_server, "--db", db]) == 0
    assert main(["db", "status", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "PyPI" in out and "npm" in out and "day(s) ago" in out and f"{osv_server}/npm/all.zip" in out
    assert _status_counts(out) == {"Go": "1", "PyPI": "1", "npm": "1"}
    assert main(["db", "import", str(tmp_path / "missing"), "--db", db]) == 2
    assert main(["db", "update", "--ecosystem", "Go", "--base-url", osv_server, "--db", db]) == 2


def test_store_file_is_sqlite(tmp_path: Path) -> None:
    with Store(tmp_path / "db", create=True) as store:
        store.import_source(write_folder(tmp_path / "osv", RECORDS))
    con = sqlite3.connect(tmp_path / "db" / "osv.sqlite3")
    assert con.execute("SELECT COUNT(*) FROM advisory").fetchone()[0] == 3
    con.close()


# --- issue 11: bad records are skipped and named, counts agree, advisory text is cleaned -------------


def _status_counts(out: str) -> dict[str, str]:
    """`db status` lines → {ecosystem: "N" or "N (W withdrawn)"}."""
    found = {}
    for line in out.splitlines():
        m = re.match(r"^  (\S+)\s+(\d+) records( \(\d+ withdrawn\))?  imported ", line)
        if m:
            found[m[1]] = m[2] + (m[3] or "")
    return found


def _import_counts(err: str, db: str) -> dict[str, str]:
    """`db import`'s summary line → {ecosystem: "N" or "N (W withdrawn)"}."""
    line = next(ln for ln in err.splitlines() if ln.startswith("fnaudit: imported "))
    per = line.split(f" into {db}: ", 1)[1]
    return dict(item.split(" ", 1) for item in per.split(", "))


def test_bad_files_are_skipped_and_named_and_the_rest_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One record nested 100,000 levels deep used to abort the whole import with RecursionError (and no
    store); so did a record whose `affected` was not a list of objects. Each bad file is now one line."""
    monkeypatch.setattr(records, "MAX_RECORD_BYTES", 300_000)  # the cap (8 MB) without writing 8 MB
    src = write_folder(tmp_path / "osv", RECORDS)
    bad = src / "PyPI"
    depth = 100_000
    (bad / "deep.json").write_text('{"id": "DEEP-1", "details": ' + "[" * depth + "]" * depth + "}")
    (bad / "array.json").write_text('[{"id": "ARR-1"}]')
    (bad / "huge.json").write_text(json.dumps({**RECORDS[0], "id": "HUGE-1", "details": "x" * 300_000}))
    (bad / "latin1.json").write_bytes(b'{"id": "LAT-1", "summary": "caf\xe9"}')
    (bad / "typed.json").write_text('{"id": "TYPED-1", "affected": [1, "x", {"package": "pyyaml"}]}')
    db = str(tmp_path / "db")

    assert main(["db", "import", str(src), "--db", db]) == 0

    err = capsys.readouterr().err.splitlines()
    assert err == [
        "fnaudit: skipped 5 file(s):",
        f"fnaudit:   {bad / 'array.json'}: a JSON array, not an OSV record (an object)",
        f"fnaudit:   {bad / 'deep.json'}: JSON nested too deeply",
        f"fnaudit:   {bad / 'huge.json'}: larger than 300000 bytes",
        f"fnaudit:   {bad / 'latin1.json'}: not UTF-8 text (invalid byte at offset 31)",
        (
            f"fnaudit:   {bad / 'typed.json'}: TYPED-1 names no affected package with an ecosystem and a name: "
            "nothing could match it"
        ),
        f"fnaudit: imported 3 record(s) into {db}: Go 1, PyPI 1, npm 1",
    ]
    with Store(Path(db)) as store:
        assert [d["id"] for d, _e in store.lookup([("PyPI", "pyyaml")])[("PyPI", "pyyaml")]] == ["PYSEC-2099-1"]


def test_a_zip_with_a_corrupt_member_imports_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A member whose data fails its CRC check used to abort the import (BadZipFile) and import nothing."""
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("GOOD-1.json", json.dumps(record("GOOD-1", "PyPI", "a", events=[{"introduced": "0"}])))
        zf.writestr("BAD-1.json", json.dumps(record("BAD-1", "PyPI", "zzzzzzzz", events=[{"introduced": "0"}])))
    data = archive.read_bytes()
    archive.write_bytes(
        data.replace(b'"name": "zzzzzzzz"', b'"name": "yyyyyyyy"')
    )  # stored bytes no longer match the CRC
    db = str(tmp_path / "db")

    assert main(["db", "import", str(archive), "--db", db]) == 0

    err = capsys.readouterr().err.splitlines()
    assert err == [
        "fnaudit: skipped 1 file(s):",
        f"fnaudit:   {archive}:BAD-1.json: cannot be read from the archive (BadZipFile: Bad CRC-32 for file 'BAD-1.json')",
        f"fnaudit: imported 1 record(s) into {db}: PyPI 1",
    ]


def test_nothing_importable_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "osv").mkdir()
    (tmp_path / "osv" / "x.json").write_text("[]")
    assert main(["db", "import", str(tmp_path / "osv"), "--db", str(tmp_path / "db")]) == 2
    assert f"fnaudit: error: {tmp_path / 'osv'}: no OSV record imported" in capsys.readouterr().err


def test_import_and_status_count_the_same_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Import used to count files (a repeated id twice, a record naming no package in its total), status
    the store's rows: the two numbers disagreed. Both now count records stored, one per id."""
    recs = [
        record("PYSEC-1", "PyPI", "a", events=[{"introduced": "0"}]),
        record("PYSEC-2", "PyPI", "b", events=[{"introduced": "0"}], withdrawn="2026-01-02T00:00:00Z"),
        record("GHSA-3", "npm", "c", events=[{"introduced": "0"}]),
        record("DSA-4", "Debian:12", "d", events=[{"introduced": "0"}]),
    ]
    recs[2]["affected"].append({"package": {"ecosystem": "PyPI", "name": "c"}, "versions": ["1.0"]})  # two ecosystems
    src = write_folder(tmp_path / "osv", recs)
    (src / "PYSEC-1.json").write_text(json.dumps(recs[0]))  # the same id again, in the flat layout
    (src / "none.json").write_text(json.dumps({"id": "CVE-5", "summary": "no affected package"}))
    db = str(tmp_path / "db")

    assert main(["db", "import", str(src), "--db", db]) == 0
    err = capsys.readouterr().err
    assert main(["db", "status", "--db", db]) == 0
    out = capsys.readouterr().out

    expected = {"Debian": "1", "PyPI": "3 (1 withdrawn)", "npm": "1"}
    assert _import_counts(err, db) == expected
    assert _status_counts(out) == expected
    assert "fnaudit: imported 4 record(s)" in err
    assert "fnaudit: 1 file(s) repeated an id already read; the newest copy was kept" in err
    assert f"{src / 'none.json'}: CVE-5 names no affected package" in err
    assert "counts are OSV records stored, one per id" in out

    # A second import into the same store: its own counts, then what the store now holds (as status says).
    more = write_folder(tmp_path / "more", [record("PYSEC-6", "PyPI", "e", events=[{"introduced": "0"}])])
    assert main(["db", "import", str(more), "--db", db]) == 0
    err = capsys.readouterr().err
    assert f"fnaudit: imported 1 record(s) into {db}: PyPI 1\n" in err
    assert "fnaudit: the store now holds PyPI 4 (1 withdrawn) record(s)\n" in err
    assert main(["db", "status", "--db", db]) == 0
    assert _status_counts(capsys.readouterr().out) == {"Debian": "1", "PyPI": "4 (1 withdrawn)", "npm": "1"}


def test_reimport_moving_a_record_keeps_both_ecosystems_counts_true(tmp_path: Path) -> None:
    with Store(tmp_path / "db", create=True) as store:
        store.import_source(
            write_folder(
                tmp_path / "a",
                [
                    record("X-1", "PyPI", "a", events=[{"introduced": "0"}]),
                    record("X-2", "PyPI", "b", events=[{"introduced": "0"}]),
                ],
            )
        )
        store.import_source(write_folder(tmp_path / "b", [record("X-1", "npm", "a", events=[{"introduced": "0"}])]))
        assert {s.ecosystem: s.records for s in store.status()} == {"PyPI": 1, "npm": 1}
        assert store.db.execute("SELECT ecosystem, records FROM source ORDER BY 1").fetchall() == [
            ("PyPI", 1),
            ("npm", 1),
        ]


ESCAPES = "\x1b[2J\x1b[Hpwned"


def test_control_characters_are_stripped_at_import(tmp_path: Path) -> None:
    rec = record(
        "GHSA-ESC-1",
        "PyPI",
        "evil",
        events=[{"introduced": "0"}],
        summary=ESCAPES,
        aliases=["CVE-1\x1b]0;title\x07", "CVE-2\u202e"],
        db_severity="HIGH\x1b[31m",
    )
    rec["affected"][0]["ranges"][0]["events"].append({"fixed": "2.0\x1b[1A"})
    with Store(tmp_path / "db", create=True) as store:
        store.import_source(write_folder(tmp_path / "osv", [rec]))
        ((doc, entry),) = store.lookup([("PyPI", "evil")])[("PyPI", "evil")]
        assert doc["summary"] == "pwned"
        assert doc["aliases"] == ["CVE-1", "CVE-2"]
        assert doc["db_severity"] == "HIGH"
        assert entry["ranges"][0]["events"] == [{"introduced": "0"}, {"fixed": "2.0"}]


def test_summary_from_details_is_cleaned_and_one_line(tmp_path: Path) -> None:
    rec = record("GHSA-ESC-2", "PyPI", "evil", events=[{"introduced": "0"}])
    rec["summary"] = ""
    rec["details"] = "\n\x1b[2J\x9b1;1H first\tline\r\nsecond line"
    with Store(tmp_path / "db", create=True) as store:
        store.import_source(write_folder(tmp_path / "osv", [rec]))
        ((doc, _entry),) = store.lookup([("PyPI", "evil")])[("PyPI", "evil")]
        assert doc["summary"] == "first line"


def test_text_stored_raw_by_an_older_version_is_cleaned_when_read(tmp_path: Path) -> None:
    with Store(tmp_path / "db", create=True) as store:
        store.import_source(
            write_folder(tmp_path / "osv", [record("GHSA-OLD-1", "PyPI", "old", events=[{"introduced": "0"}])])
        )
        raw = zlib.compress(json.dumps({"id": "GHSA-OLD-1", "aliases": [], "summary": ESCAPES}).encode())
        store.db.execute("UPDATE advisory SET doc = ?", (raw,))
        ((doc, _entry),) = store.lookup([("PyPI", "old")])[("PyPI", "old")]
        assert doc["summary"] == "pwned"


def test_clean_text() -> None:
    assert records.clean_text("a\x1b[1;31mred\x1b[0m b") == "ared b"
    assert records.clean_text("x\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\y") == "xlinky"  # OSC 8 hyperlink
    assert records.clean_text("a\rb\x00c\x7fd\x85e\u2066f") == "abcdef"
    assert records.clean_text("one\ntwo\tthree") == "one two three"
    assert records.clean_text("one\ntwo", multiline=True) == "one\ntwo"


def test_scan_output_never_carries_the_escape_sequences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """End to end: an advisory summary that would clear the screen reaches the table and the JSON clean."""
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / "serverless.yml").write_text(
        "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  f: {handler: src/h.main}\n"
    )
    (app / "src" / "h.py").write_text("import evil\n\ndef main(event, context):\n    return evil.run()\n")
    (app / "requirements.txt").write_text("evil==1.0\n")
    db = str(tmp_path / "db")
    rec = record("GHSA-ESC-3", "PyPI", "evil", events=[{"introduced": "0"}, {"fixed": "2.0"}], summary=ESCAPES)
    assert main(["db", "import", str(write_folder(tmp_path / "osv", [rec])), "--db", db]) == 0
    capsys.readouterr()
    assert main(["scan", str(app), "--db", db, "--select", "DEP001", "--no-color"]) == 1
    table = capsys.readouterr().out
    assert main(["scan", str(app), "--db", db, "--select", "DEP001", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert "\x1b" not in table and "pwned" in table
    (finding,) = doc["findings"]
    assert finding["rule_id"] == "DEP001"
    assert finding["message"].startswith("evil 1.0 (PyPI) is affected by GHSA-ESC-3 (not rated): pwned; fixed in 2.0;")


# --- record sets: a project's own advisories (`advisories = "folder"`, or `--db FOLDER`) ---------------


def test_a_record_set_is_indexed_once_and_rebuilt_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FNAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    src = write_folder(tmp_path / "osv", RECORDS)
    (src / "PyPI" / "broken.json").write_text("{")
    first = Store.open(src)
    assert first is not None
    with first:
        assert first.path.parent.parent == tmp_path / "cache" / "osv-sets"
        assert first.imported_at() is None  # a project's own set is never "stale, run db update"
        assert first.problems == (
            (
                f"{src / 'PyPI' / 'broken.json'}: not valid JSON (Expecting property name "
                "enclosed in double quotes: line 1 column 2 (char 1))"
            ),
        )
        assert {s.ecosystem: s.records for s in first.status()} == {"Go": 1, "PyPI": 1, "npm": 1}
    built = first.path.stat().st_mtime_ns
    with Store.open(src) as again:  # type: ignore[union-attr]
        assert again.path == first.path and again.path.stat().st_mtime_ns == built
    (src / "PyPI" / "broken.json").unlink()
    with Store.open(src) as changed:  # type: ignore[union-attr]
        assert changed.path != first.path and changed.problems == ()
    assert not first.path.parent.exists()  # the outdated copy is removed
    assert [p.name for p in (tmp_path / "cache" / "osv-sets").iterdir()] == [changed.path.parent.name]


def test_a_record_set_without_cache_is_a_temporary_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FNAUDIT_CACHE_DIR", "off")
    store = Store.open(write_zip(tmp_path / "set.zip", RECORDS))
    assert store is not None
    with store:
        folder = store.directory
        assert [k for k, _ in store.lookup([("npm", "@scope/pkg")]).items()] == [("npm", "@scope/pkg")]
    assert not folder.exists()


def test_a_record_set_with_nothing_usable_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FNAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "osv").mkdir()
    (tmp_path / "osv" / "a.json").write_text("[]")
    with pytest.raises(StoreError, match=r"osv: no usable OSV record \(.*a\.json: a JSON array"):
        Store.open(tmp_path / "osv")


def test_config_advisories_points_the_scan_at_the_projects_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / "serverless.yml").write_text(
        "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  f: {handler: src/h.main}\n"
    )
    (app / "src" / "h.py").write_text("def main(event, context):\n    return 1\n")
    (app / "requirements.txt").write_text("pyyaml==5.3\n")
    write_folder(app / "advisories", RECORDS)
    (app / ".fnaudit.toml").write_text('advisories = "advisories"\n')
    assert main(["scan", str(app), "--select", "DEP", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["errors"] == []
    assert [(f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in doc["findings"]] == [
        ("DEP001", "requirements.txt", 1)
    ]


def test_config_advisories_must_stay_inside_the_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = tmp_path / "app"
    app.mkdir()
    write_folder(tmp_path / "elsewhere", RECORDS)
    (app / ".fnaudit.toml").write_text('advisories = "../elsewhere"\n')
    assert main(["scan", str(app)]) == 2
    assert "`advisories` must be a folder or zip inside" in capsys.readouterr().err


def test_a_scan_names_the_advisory_files_it_could_not_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / "serverless.yml").write_text(
        "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  f: {handler: src/h.main}\n"
    )
    (app / "src" / "h.py").write_text("def main(event, context):\n    return 1\n")
    (app / "requirements.txt").write_text("pyyaml==6.0\n")
    write_folder(app / "advisories", RECORDS)
    (app / "advisories" / "bad.json").write_text("[]")
    (app / ".fnaudit.toml").write_text('advisories = "advisories"\n')
    assert main(["scan", str(app), "--select", "DEP", "--format", "json"]) == 0
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert [(e["path"], e["stage"], e["message"]) for e in errors] == [
        (
            ".",
            "deps",
            f"advisories: skipped {app / 'advisories' / 'bad.json'}: a JSON array, not an OSV record (an object)",
        )
    ]


def test_a_record_set_with_an_unwritable_cache_is_a_temporary_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    monkeypatch.setenv("FNAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    with Store.open(write_folder(tmp_path / "osv", RECORDS)) as store:  # type: ignore[union-attr]
        assert store._temporary is not None and store.lookup([("PyPI", "pyyaml")])
