"""The fleet history (`fnaudit.fleet.history`) on SQLite and on a real PostgreSQL server (tests/fleet/postgres.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from fnaudit.fleet.history import HistoryStore, migrate, normalize_url
from fnaudit.fleet.history.schema import findings, metadata, target_runs
from fnaudit.fleet.history.store import engine_for
from fnaudit.fleet.model import (
    FindingRecord,
    FunctionRecord,
    Source,
    Status,
    TargetOutcome,
    TargetSpec,
)
from tests.fleet import postgres
from tests.fleet.postgres import PostgresServer, postgres_server

_names = itertools.count()


@pytest.fixture(scope="module")
def pg_server() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server.create_database(f"history_{next(_names)}")


@pytest.fixture
def store(url: str) -> Iterator[HistoryStore]:
    opened = HistoryStore.open(url)
    yield opened
    opened.close()


def finding(fp: str, rule: str = "IAM001", severity: str = "high", **kw: object) -> FindingRecord:
    values: dict[str, object] = {
        "fingerprint": fp,
        "rule_id": rule,
        "severity": severity,
        "category": "permissions",
        "function": "api",
        "path": "template.yaml",
        "line": 10,
        "message": f"message of {fp}",
    }
    values.update(kw)
    return FindingRecord(**values)  # type: ignore[arg-type]


def ok(target: str, *found: FindingRecord, functions: tuple[FunctionRecord, ...] = ()) -> TargetOutcome:
    return TargetOutcome(target=target, status=Status.OK, seconds=1.5, findings=found, functions=functions)


def one_run(store: HistoryStore, *outcomes: TargetOutcome) -> int:
    run = store.begin_run("FLEET.toml")
    for outcome in outcomes:
        store.record(run, outcome)
    store.finish_run(run)
    return run


def keys(found: tuple[object, ...]) -> set[tuple[str, str]]:
    return {(f.target, f.record.fingerprint) for f in found}  # type: ignore[attr-defined]


def test_a_missing_postgresql_server_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "find_bindir", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="install the Debian package `postgresql`"), postgres_server():
        pass
    monkeypatch.setenv("CI", "1")
    failed = pytest.raises(pytest.fail.Exception, match="CI must install the Debian package `postgresql`")
    with failed, postgres_server():
        pass


def test_normalize_url_maps_postgresql_to_psycopg3_and_a_bare_path_to_sqlite() -> None:
    assert normalize_url("postgresql://u@h:5/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h:5/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
    assert str(normalize_url("hist.db")) == "sqlite:///hist.db"
    assert str(normalize_url("sqlite:///x.db")) == "sqlite:///x.db"


def test_run_twice_without_change_gives_no_new_and_no_fixed(store: HistoryStore) -> None:
    a, b = finding("a1"), finding("a2", rule="SEC002", severity="critical")
    one_run(store, ok("alpha", a, b), ok("beta", finding("b1")))
    first = store.view()
    assert first.since_run is None
    assert keys(first.new) == {("alpha", "a1"), ("alpha", "a2"), ("beta", "b1")}
    one_run(store, ok("alpha", a, b), ok("beta", finding("b1")))
    view = store.view()
    assert (view.new, view.fixed) == ((), ())
    assert view.total_findings == 3
    assert view.latest_run is not None and view.latest_run.id == 2
    assert view.since_run is not None and view.since_run.id == 1
    assert [(p.run_id, p.new, p.fixed, p.active) for p in view.trend] == [(1, 3, 0, 3), (2, 0, 0, 3)]
    diff = store.diff(1, 2)
    assert (diff.new, diff.fixed) == ((), ())


def test_changed_target_gives_exactly_the_new_and_fixed_fingerprints(store: HistoryStore) -> None:
    one_run(store, ok("alpha", finding("keep"), finding("goes")), ok("beta", finding("b1")))
    one_run(store, ok("alpha", finding("keep", line=12), finding("comes")), ok("beta", finding("b1")))
    view = store.view()
    assert keys(view.new) == {("alpha", "comes")}
    assert keys(view.fixed) == {("alpha", "goes")}
    (gone,) = view.fixed
    assert (gone.first_seen_run, gone.last_seen_run, gone.fixed_in_run) == (1, 1, 2)
    (came,) = view.new
    assert (came.first_seen_run, came.last_seen_run, came.fixed_in_run) == (2, 2, None)
    kept = next(f for f in view.active if f.record.fingerprint == "keep")
    assert (kept.first_seen_run, kept.last_seen_run, kept.fixed_in_run, kept.record.line) == (1, 2, None, 12)
    assert view.total_findings == 3
    diff = store.diff(1, 2)
    assert keys(diff.new) == {("alpha", "comes")} and keys(diff.fixed) == {("alpha", "goes")}
    reverse = store.diff(2, 1)
    assert keys(reverse.new) == {("alpha", "goes")} and keys(reverse.fixed) == {("alpha", "comes")}


def test_failed_target_keeps_its_findings_state(store: HistoryStore) -> None:
    one_run(store, ok("alpha", finding("a1"), finding("a2")), ok("beta", finding("b1")))
    failed = TargetOutcome("alpha", Status.FAILED, 0.2, error="git clone failed: exit 128")
    one_run(store, failed, ok("beta", finding("b1")))
    view = store.view()
    assert (view.new, view.fixed) == ((), ())
    assert view.total_findings == 3
    alpha = next(t for t in view.targets if t.name == "alpha")
    assert (alpha.status, alpha.run_id, alpha.error, alpha.total) == (
        Status.FAILED,
        2,
        "git clone failed: exit 128",
        2,
    )
    assert store.runs()[1].failed == 1 and store.runs()[1].targets == 2
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(findings.c.fingerprint, findings.c.last_seen_run, findings.c.fixed_in_run))
        assert sorted(tuple(r) for r in rows) == [("a1", 1, None), ("a2", 1, None), ("b1", 2, None)]
    # The next good scan is compared with the last good state: a2 is fixed in run 3.
    one_run(store, ok("alpha", finding("a1")), ok("beta", finding("b1")))
    view = store.view()
    assert keys(view.fixed) == {("alpha", "a2")} and view.new == ()
    assert view.fixed[0].fixed_in_run == 3


def test_timeout_keeps_the_state_but_not_an_app_clears_it(store: HistoryStore) -> None:
    one_run(store, ok("alpha", finding("a1")), ok("beta", finding("b1")))
    one_run(
        store,
        TargetOutcome("alpha", Status.TIMEOUT, 600.0, error="timed out"),
        TargetOutcome("beta", Status.NOT_AN_APP, 0.1),  # scanned: the app is gone, so are its findings
    )
    view = store.view()
    assert (keys(view.new), keys(view.fixed)) == (set(), {("beta", "b1")})
    assert keys(view.active) == {("alpha", "a1")}
    assert [(t.name, t.status, t.total) for t in view.targets] == [
        ("alpha", Status.TIMEOUT, 1),
        ("beta", Status.NOT_AN_APP, 0),
    ]
    assert store.runs()[1].failed == 1


def test_a_finding_that_comes_back_is_new_again_and_open(store: HistoryStore) -> None:
    one_run(store, ok("alpha", finding("a1")))
    one_run(store, ok("alpha"))
    one_run(store, ok("alpha", finding("a1")))
    view = store.view()
    assert keys(view.new) == {("alpha", "a1")}
    (back,) = view.new
    assert (back.first_seen_run, back.last_seen_run, back.fixed_in_run) == (1, 3, None)
    assert [(p.new, p.fixed, p.active) for p in view.trend] == [(1, 0, 1), (0, 1, 0), (1, 0, 1)]
    assert keys(store.diff(1, 3).new) == set() and keys(store.view(since=1).new) == set()


def test_crash_mid_record_leaves_nothing_of_that_target(store: HistoryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    run = store.begin_run("FLEET.toml")
    store.record(run, ok("beta", finding("b1")))
    original = HistoryStore._update_findings

    def crash_after_writing(self: HistoryStore, *args: object) -> None:
        original(self, *args)  # type: ignore[arg-type]
        raise RuntimeError("worker died")

    monkeypatch.setattr(HistoryStore, "_update_findings", crash_after_writing)
    fn = FunctionRecord("api", "template.yaml", 9.0, 4.0)
    with pytest.raises(RuntimeError, match="worker died"):
        store.record(run, ok("alpha", finding("a1"), functions=(fn,)))
    monkeypatch.undo()
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(target_runs)).scalar_one() == 1
        assert [r.fingerprint for r in conn.execute(sa.select(findings.c.fingerprint))] == ["b1"]
    assert store.runs()[0].targets == 1
    store.record(run, ok("alpha", finding("a1"), functions=(fn,)))  # the retry lands whole
    assert keys(store.view().active) == {("alpha", "a1"), ("beta", "b1")}


def test_a_target_is_recorded_once_per_run(store: HistoryStore) -> None:
    run = store.begin_run("FLEET.toml")
    store.record(run, ok("alpha", finding("a1")))
    with pytest.raises(ValueError, match="target 'alpha' is already recorded in run 1"):
        store.record(run, ok("alpha"))
    with pytest.raises(ValueError, match="no run 7"):
        store.record(7, ok("alpha"))
    assert keys(store.view().active) == {("alpha", "a1")}
    assert store.runs()[0].targets == 1


def test_suppressed_findings_are_kept_per_run_and_not_active(store: HistoryStore) -> None:
    one_run(store, ok("alpha", finding("a1"), finding("a2")))
    one_run(store, ok("alpha", finding("a1"), finding("a2", suppressed=True)))
    view = store.view()
    assert view.total_findings == 1
    (muted,) = view.fixed
    assert (muted.target, muted.record.fingerprint, muted.record.suppressed, muted.fixed_in_run) == (
        "alpha",
        "a2",
        True,
        2,
    )
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT fingerprint, rule_id FROM suppressions")).all()
    assert [tuple(r) for r in rows] == [("a2", "IAM001")]


def test_view_fills_every_field(store: HistoryStore) -> None:
    specs = (TargetSpec("alpha", Source.GIT, "https://example.test/alpha.git"), TargetSpec("beta", Source.PATH, "b"))
    run = store.begin_run("FLEET.toml", specs)
    fns = (
        FunctionRecord("api", "template.yaml", 8.5, 3.0, "python3.12", True),
        FunctionRecord("job", "t.yaml", 2.0, 1),
    )
    store.record(
        run,
        ok(
            "alpha",
            finding("p1", rule="PATH001", severity="critical", category="attack-path"),
            finding("i1", rule="IAM003", severity="medium"),
            finding("i2", rule="IAM003", severity="high", function="job"),
            functions=fns,
        ),
    )
    store.record(run, TargetOutcome("beta", Status.TIMEOUT, 600.0, error="timed out after 600 s"))
    store.finish_run(run)
    view = store.view()
    assert view.runs == store.runs() and view.latest_run == view.runs[-1] and view.since_run is None
    assert view.total_findings == 3 and len(view.active) == 3
    alpha, beta = view.targets
    assert (alpha.name, alpha.status, alpha.risk, alpha.counts, alpha.total) == (
        "alpha",
        Status.OK,
        8.5,
        (("critical", 1), ("high", 1), ("medium", 1)),
        3,
    )
    assert (beta.name, beta.status, beta.risk, beta.counts, beta.total, beta.error) == (
        "beta",
        Status.TIMEOUT,
        0.0,
        (),
        0,
        "timed out after 600 s",
    )
    assert [(r.target, r.function.name, r.function.public, r.findings) for r in view.riskiest] == [
        ("alpha", "api", True, 2),
        ("alpha", "job", False, 1),
    ]
    assert view.by_rule == (("IAM003", 2), ("PATH001", 1))
    assert view.by_family == (("IAM", 2), ("PATH", 1))
    assert keys(view.attack_paths) == {("alpha", "p1")}
    assert [f.record.fingerprint for f in view.new] == ["p1", "i2", "i1"]  # worst first
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT name, source, location FROM targets ORDER BY name")).all()
    assert [tuple(r) for r in rows] == [("alpha", "git", "https://example.test/alpha.git"), ("beta", "path", "b")]


def test_since_takes_a_run_id_or_an_iso_date(store: HistoryStore) -> None:
    one_run(store, ok("alpha", finding("a1")))
    one_run(store, ok("alpha", finding("a1"), finding("a2")))
    one_run(store, ok("alpha", finding("a1"), finding("a2"), finding("a3")))
    assert keys(store.view().new) == {("alpha", "a3")}
    assert keys(store.view(since=1).new) == {("alpha", "a2"), ("alpha", "a3")}
    assert keys(store.view(since="1").new) == {("alpha", "a2"), ("alpha", "a3")}
    second = store.runs()[1].started_at
    by_date = store.view(since=second)  # the last run started BEFORE that instant: run 1
    assert by_date.since_run is not None and by_date.since_run.id == 1
    early = store.view(since="2000-01-01")
    assert early.since_run is None and len(early.new) == 3
    with pytest.raises(ValueError, match="no run 9"):
        store.view(since=9)
    with pytest.raises(ValueError, match="no run 9"):
        store.diff(1, 9)


def test_empty_history_gives_an_empty_view(store: HistoryStore) -> None:
    view = store.view()
    assert (view.latest_run, view.since_run, view.targets, view.total_findings, view.trend) == (None, None, (), 0, ())


def test_migrations_from_empty_reach_the_schema_of_the_models(url: str) -> None:
    engine = engine_for(url)
    assert migrate.current_revision(engine) is None
    HistoryStore.open(url).close()
    assert migrate.current_revision(engine) == migrate.head_revision() == "0002"
    inspector = sa.inspect(engine)
    assert set(inspector.get_table_names()) == set(metadata.tables) | {"alembic_version"}
    for table in metadata.sorted_tables:
        assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.columns.keys()), table.name
        wanted = {i.name for i in table.indexes}
        assert wanted <= {i["name"] for i in inspector.get_indexes(table.name)}, table.name
    HistoryStore.open(url).close()  # at head already: a no-op
    engine.dispose()


def test_migration_from_revision_1_keeps_the_data(url: str) -> None:
    engine = engine_for(url)
    migrate.upgrade(engine, "0001")
    assert migrate.current_revision(engine) == "0001"
    with engine.begin() as conn:
        assert "suppressions" not in sa.inspect(conn).get_table_names()
        # Datetimes as bound parameters: a literal would be read in the server's time zone on PostgreSQL.
        stamp = sa.DateTime(timezone=True)
        conn.execute(
            sa.text(
                "INSERT INTO runs (id, started_at, finished_at, fleet_file, tool_version, status) VALUES "
                "(1, :started, :finished, 'FLEET.toml', '0.0.9', 'finished')"
            ).bindparams(sa.bindparam("started", type_=stamp), sa.bindparam("finished", type_=stamp)),
            {
                "started": dt.datetime(2026, 11, 1, 10, 0, tzinfo=dt.UTC),
                "finished": dt.datetime(2026, 11, 1, 10, 5, tzinfo=dt.UTC),
            },
        )
        conn.execute(sa.text("INSERT INTO targets (id, name, source, location) VALUES (1, 'alpha', 'path', 'a')"))
        conn.execute(
            sa.text(
                "INSERT INTO target_runs (id, run_id, target_id, status, error, errors, seconds, revision, scanned_at)"
                " VALUES (1, 1, 1, 'ok', NULL, '', 2.0, 'abc123', '2026-11-01T10:01:00+00:00')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO findings (id, target_id, fingerprint, first_seen_run, last_seen_run, fixed_in_run,"
                " rule_id, severity, category, function, path, line, key, message) VALUES"
                " (1, 1, 'old1', 1, 1, NULL, 'IAM001', 'high', 'permissions', 'api', 'template.yaml', 4, '', 'm')"
            )
        )
        conn.execute(sa.text("INSERT INTO sightings (target_run_id, finding_id) VALUES (1, 1)"))
        if conn.dialect.name == "postgresql":  # explicit ids above: move the sequences past them
            for table in ("runs", "targets", "target_runs", "findings"):
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1)"))
    engine.dispose()
    store = HistoryStore.open(url)
    assert migrate.current_revision(store.engine) == "0002"
    (old,) = store.runs()
    assert (old.id, old.started_at, old.targets, old.failed) == (1, "2026-11-01T10:00:00+00:00", 1, 0)
    assert keys(store.view().active) == {("alpha", "old1")}
    # The upgraded database takes new runs, suppressions included, against the old data.
    one_run(store, ok("alpha", finding("new1"), finding("old1", suppressed=True)))
    view = store.view()
    assert keys(view.new) == {("alpha", "new1")}
    assert [(f.record.fingerprint, f.record.suppressed, f.fixed_in_run) for f in view.fixed] == [("old1", True, 2)]
    store.close()


def _writer(url: str, run: int, prefix: str, count: int, start: object) -> None:
    store = HistoryStore.open(url)
    start.wait()  # type: ignore[attr-defined]
    for i in range(count):
        store.record(run, ok(f"{prefix}{i:02d}", finding(f"{prefix}{i}-1"), finding(f"{prefix}{i}-2")))
    store.close()


def test_concurrent_writers_in_two_processes_both_land(store: HistoryStore, url: str) -> None:
    run = store.begin_run("FLEET.toml")
    context = multiprocessing.get_context("spawn")  # a fresh interpreter each, like two Dask worker processes
    start = context.Barrier(2)
    writers = [context.Process(target=_writer, args=(url, run, prefix, 15, start)) for prefix in ("p", "q")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    assert [w.exitcode for w in writers] == [0, 0]
    store.finish_run(run)
    (info,) = store.runs()
    assert (info.targets, info.failed) == (30, 0)
    view = store.view()
    assert view.total_findings == 60
    assert {t.name for t in view.targets} == {f"{p}{i:02d}" for p in "pq" for i in range(15)}
