"""The advisory store: import (folder, zip), update over HTTP (a loopback server), status, lookups."""

from __future__ import annotations

import http.server
import sqlite3
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from fnaudit.cli import main
from fnaudit.engines.osv.store import Store, StoreError, default_dir
from tests.deps.osvdata import record, write_folder, write_zip

RECORDS = [
    record("PYSEC-2099-1", "PyPI", "PyYAML", events=[{"introduced": "0"}, {"fixed": "5.4"}]),
    record("GHSA-1111-2222-3333", "npm", "@scope/pkg", events=[{"introduced": "0"}, {"fixed": "1.0.0"}]),
    record("GO-2099-0001", "Go", "golang.org/x/net", range_type="SEMVER", events=[{"introduced": "0"}]),
]


def test_import_folder_and_lookup_by_normalised_name(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "osv", RECORDS + [])
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
        plan = store.db.execute("EXPLAIN QUERY PLAN SELECT name, rid, data FROM affected "
                                "WHERE ecosystem = ? AND name IN (?, ?)", ("PyPI", "a", "b")).fetchall()
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
    assert "imported 3 advisories" in capsys.readouterr().err
    assert main(["db", "update", "--ecosystem", "npm", "--base-url", osv_server, "--db", db]) == 0
    assert main(["db", "status", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "PyPI" in out and "npm" in out and "day(s) ago" in out and f"{osv_server}/npm/all.zip" in out
    assert main(["db", "import", str(tmp_path / "missing"), "--db", db]) == 2
    assert main(["db", "update", "--ecosystem", "Go", "--base-url", osv_server, "--db", db]) == 2


def test_store_file_is_sqlite(tmp_path: Path) -> None:
    with Store(tmp_path / "db", create=True) as store:
        store.import_source(write_folder(tmp_path / "osv", RECORDS))
    con = sqlite3.connect(tmp_path / "db" / "osv.sqlite3")
    assert con.execute("SELECT COUNT(*) FROM advisory").fetchone()[0] == 3
    con.close()
