"""`HistoryStore`: every fleet run in a database (see the package docstring for the API)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from fnaudit import __version__
from fnaudit.findings import Severity
from fnaudit.fleet.history import migrate
from fnaudit.fleet.history.schema import findings, functions, runs, sightings, suppressions, target_runs, targets
from fnaudit.fleet.model import (
    FindingRecord,
    FleetDiff,
    FleetFinding,
    FleetView,
    FunctionRecord,
    RiskyFunction,
    RunInfo,
    Status,
    TargetOutcome,
    TargetSpec,
    TargetState,
    TrendPoint,
)

# A scan that ran to its end replaces the target's state; FAILED / TIMEOUT leave it as it was (a failed scan
# is not "everything fixed"). NOT_AN_APP did scan: the target has no app, hence no findings, any more.
_SCANNED = (Status.OK.value, Status.NOT_AN_APP.value)
_FAILED = (Status.FAILED.value, Status.TIMEOUT.value)
_FAMILY = re.compile(r"^[A-Za-z]+")
SQLITE_BUSY_TIMEOUT_SECONDS = 60.0
RISKIEST = 20


def normalize_url(url: str) -> sa.URL:
    """`sqlite:///x.db` as is, a bare path as SQLite, `postgresql://` / `postgres://` → psycopg 3."""
    if "://" not in url:
        url = f"sqlite:///{url}"
    parsed = sa.make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def engine_for(url: str) -> sa.Engine:
    """An engine for a history URL (see `normalize_url`), with SQLite set up for concurrent writers."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True)
    engine = sa.create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})

    # Concurrent writers on SQLite: WAL lets readers run beside the writer, and every transaction starts with
    # BEGIN IMMEDIATE so a writer waits (busy timeout) for the write lock up front; a deferred transaction
    # that upgrades from read to write would get SQLITE_BUSY at once instead of waiting.
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # pysqlite must not issue its own BEGIN
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    # SQLite gives naive datetimes back; everything is stored in UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _iso(value: dt.datetime | None) -> str | None:
    aware = _utc(value)
    return None if aware is None else aware.isoformat()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _parse_since(text: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"--since: not a run id nor an ISO date: {text!r}") from exc
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def family(rule_id: str) -> str:
    """The rule family: the letters of the code (`IAM003` → `IAM`)."""
    match = _FAMILY.match(rule_id)
    return match.group(0).upper() if match else rule_id


def _severity_rank(severity: str) -> int:
    try:
        return Severity(severity.lower()).rank
    except ValueError:
        return -1


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """The fleet's state as of one run: per target, the target run that set it and its active findings."""

    by_target: Mapping[int, tuple[int, frozenset[int]]]

    def active(self) -> frozenset[int]:
        return frozenset().union(*(ids for _, ids in self.by_target.values()))


class HistoryStore:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    @classmethod
    def open(cls, url: str) -> HistoryStore:
        """Connect and upgrade the database to the newest schema."""
        engine = engine_for(url)
        migrate.upgrade(engine)
        return cls(engine)

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---- writing -----------------------------------------------------------------------------------------

    def begin_run(self, fleet_file: str, specs: Sequence[TargetSpec] = ()) -> int:
        """Start a run; `specs` (optional) registers each target's source and location."""
        with self._engine.begin() as conn:
            run_id = conn.execute(
                sa.insert(runs)
                .values(started_at=_now(), fleet_file=fleet_file, tool_version=__version__, status="running")
                .returning(runs.c.id)
            ).scalar_one()
            for spec in specs:
                self._target_id(conn, spec.name, spec.source.value, spec.location)
        return int(run_id)

    def finish_run(self, run_id: int) -> None:
        with self._engine.begin() as conn:
            done = conn.execute(
                sa.update(runs).where(runs.c.id == run_id).values(finished_at=_now(), status="finished")
            )
            if done.rowcount != 1:
                raise ValueError(f"no run {run_id}")

    def record(self, run_id: int, outcome: TargetOutcome) -> None:
        """Store one target's outcome in ONE transaction: all of it, or (on any error) nothing."""
        with self._engine.begin() as conn:
            if conn.execute(sa.select(runs.c.id).where(runs.c.id == run_id)).first() is None:
                raise ValueError(f"no run {run_id}")
            target_id = self._target_id(conn, outcome.target, "", "")
            recorded = sa.select(target_runs.c.id).where(
                target_runs.c.run_id == run_id, target_runs.c.target_id == target_id
            )
            if conn.execute(recorded).first() is not None:
                # One outcome per target and run: a second one would apply the findings' changes twice.
                raise ValueError(f"target {outcome.target!r} is already recorded in run {run_id}")
            target_run_id = conn.execute(
                sa.insert(target_runs)
                .values(
                    run_id=run_id,
                    target_id=target_id,
                    status=outcome.status.value,
                    error=outcome.error,
                    errors="\n".join(outcome.errors),
                    seconds=outcome.seconds,
                    revision=outcome.revision,
                    scanned_at=outcome.scanned_at,
                )
                .returning(target_runs.c.id)
            ).scalar_one()
            self._insert_functions(conn, target_run_id, outcome.functions)
            if outcome.status.value not in _SCANNED:
                return
            suppressed = [f for f in outcome.findings if f.suppressed]
            if suppressed:
                conn.execute(
                    sa.insert(suppressions),
                    [
                        {
                            "target_run_id": target_run_id,
                            "fingerprint": f.fingerprint,
                            "rule_id": f.rule_id,
                            "severity": f.severity,
                            "path": f.path,
                            "line": f.line,
                            "message": f.message,
                        }
                        for f in suppressed
                    ],
                )
            seen = {f.fingerprint: f for f in outcome.findings if not f.suppressed}
            self._update_findings(conn, run_id, target_id, target_run_id, seen)

    def _target_id(self, conn: sa.Connection, name: str, source: str, location: str) -> int:
        # Insert-if-absent that two concurrent writers can both run: ON CONFLICT DO NOTHING, then read.
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(insert(targets).values(name=name, source=source, location=location).on_conflict_do_nothing())
        if source:
            conn.execute(sa.update(targets).where(targets.c.name == name).values(source=source, location=location))
        return int(conn.execute(sa.select(targets.c.id).where(targets.c.name == name)).scalar_one())

    def _insert_functions(self, conn: sa.Connection, target_run_id: int, records: Sequence[FunctionRecord]) -> None:
        if not records:
            return
        conn.execute(
            sa.insert(functions),
            [
                {
                    "target_run_id": target_run_id,
                    "name": f.name,
                    "app": f.app,
                    "risk": f.risk,
                    "blast_radius": f.blast_radius,
                    "runtime": f.runtime,
                    "public": f.public,
                }
                for f in records
            ],
        )

    def _update_findings(
        self,
        conn: sa.Connection,
        run_id: int,
        target_id: int,
        target_run_id: int,
        seen: Mapping[str, FindingRecord],
    ) -> None:
        known = {
            row.fingerprint: (int(row.id), row.fixed_in_run)
            for row in conn.execute(
                sa.select(findings.c.id, findings.c.fingerprint, findings.c.fixed_in_run).where(
                    findings.c.target_id == target_id
                )
            )
        }
        fresh = [f for fp, f in seen.items() if fp not in known]
        if fresh:
            conn.execute(
                sa.insert(findings),
                [
                    {**_finding_values(f), "target_id": target_id, "first_seen_run": run_id, "last_seen_run": run_id}
                    for f in fresh
                ],
            )
        again = [f for fp, f in seen.items() if fp in known]
        if again:
            # Seen again: refresh what may have moved (line, message), and a finding that comes back is open again.
            columns: dict[str, Any] = {k: sa.bindparam(f"b_{k}") for k in _finding_values(again[0])}
            conn.execute(
                sa.update(findings)
                .where(findings.c.id == sa.bindparam("b_id"))
                .values(columns | {"fixed_in_run": None, "last_seen_run": run_id}),
                [
                    {"b_id": known[f.fingerprint][0]} | {f"b_{k}": v for k, v in _finding_values(f).items()}
                    for f in again
                ],
            )
        gone = [fid for fp, (fid, fixed) in known.items() if fixed is None and fp not in seen]
        if gone:
            conn.execute(sa.update(findings).where(findings.c.id.in_(gone)).values(fixed_in_run=run_id))
        if seen:
            ids = {
                row.fingerprint: int(row.id)
                for row in conn.execute(
                    sa.select(findings.c.id, findings.c.fingerprint).where(findings.c.target_id == target_id)
                )
            }
            conn.execute(sa.insert(sightings), [{"target_run_id": target_run_id, "finding_id": ids[fp]} for fp in seen])

    # ---- reading -----------------------------------------------------------------------------------------

    def runs(self) -> tuple[RunInfo, ...]:
        with self._engine.connect() as conn:
            return self._runs(conn)

    def _runs(self, conn: sa.Connection) -> tuple[RunInfo, ...]:
        failed = sa.func.sum(sa.case((target_runs.c.status.in_(_FAILED), 1), else_=0))
        query = (
            sa.select(
                runs.c.id,
                runs.c.started_at,
                runs.c.finished_at,
                sa.func.count(target_runs.c.id).label("n"),
                sa.func.coalesce(failed, 0).label("failed"),
            )
            .select_from(runs.outerjoin(target_runs, target_runs.c.run_id == runs.c.id))
            .group_by(runs.c.id, runs.c.started_at, runs.c.finished_at)
            .order_by(runs.c.id)
        )
        return tuple(
            RunInfo(
                id=int(row.id),
                started_at=_iso(row.started_at) or "",
                finished_at=_iso(row.finished_at),
                targets=int(row.n),
                failed=int(row.failed),
            )
            for row in conn.execute(query)
        )

    def diff(self, run_a: int, run_b: int) -> FleetDiff:
        """What run B has that run A had not (new), and the reverse (fixed), exactly, per (target, fingerprint)."""
        with self._engine.connect() as conn:
            infos = {r.id: r for r in self._runs(conn)}
            for run in (run_a, run_b):
                if run not in infos:
                    raise ValueError(f"no run {run}")
            snaps = self._replay(conn, (run_a, run_b))
            new, fixed = self._changes(conn, snaps[run_a], snaps[run_b])
        return FleetDiff(run_a=infos[run_a], run_b=infos[run_b], new=new, fixed=fixed)

    def view(self, since: int | str | None = None) -> FleetView:
        """Everything `fleet report` shows; `since` = a run id or an ISO date (default: the previous run)."""
        with self._engine.connect() as conn:
            all_runs = self._runs(conn)
            if not all_runs:
                return FleetView(None, None, (), 0, (), (), (), (), (), (), (), ())
            latest = all_runs[-1]
            since_run = self._since_run(all_runs, since)
            snaps = self._replay(conn, tuple(r.id for r in all_runs))
            now = snaps[latest.id]
            base = snaps[since_run.id] if since_run else _Snapshot({})
            new, fixed = self._changes(conn, base, now)
            active = self._findings(conn, now.active())
            trend = _trend(all_runs, snaps)
            states, riskiest = self._targets(conn, now, active)
        rules = Counter(f.record.rule_id for f in active)
        families = Counter(family(f.record.rule_id) for f in active)
        return FleetView(
            latest_run=latest,
            since_run=since_run,
            targets=states,
            total_findings=len(active),
            new=new,
            fixed=fixed,
            riskiest=riskiest,
            trend=trend,
            by_family=tuple(sorted(families.items(), key=lambda kv: (-kv[1], kv[0]))),
            by_rule=tuple(sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))),
            attack_paths=tuple(
                f for f in active if f.record.category == "attack-path" or family(f.record.rule_id) == "PATH"
            ),
            runs=all_runs,
            active=active,
        )

    @staticmethod
    def _since_run(all_runs: tuple[RunInfo, ...], since: int | str | None) -> RunInfo | None:
        if since is None:
            return all_runs[-2] if len(all_runs) > 1 else None
        if isinstance(since, str) and since.strip().isdigit():
            since = int(since)
        if isinstance(since, int):
            for run in all_runs:
                if run.id == since:
                    return run
            raise ValueError(f"no run {since}")
        # A date: compare against the last run that started before it (none: everything active is new).
        when = _parse_since(since.strip())
        before = [r for r in all_runs if _parse_since(r.started_at) < when]
        return before[-1] if before else None

    def _replay(self, conn: sa.Connection, wanted: Iterable[int]) -> dict[int, _Snapshot]:
        """The fleet's state as of each wanted run: per target, its latest scanned target run up to that run."""
        wanted_set = set(wanted)
        last = max(wanted_set, default=0)
        rows = conn.execute(
            sa.select(target_runs.c.id, target_runs.c.run_id, target_runs.c.target_id)
            .where(target_runs.c.status.in_(_SCANNED), target_runs.c.run_id <= last)
            .order_by(target_runs.c.run_id, target_runs.c.id)
        ).all()
        seen: dict[int, set[int]] = {}
        for tr_id, fid in conn.execute(
            sa.select(sightings.c.target_run_id, sightings.c.finding_id)
            .join(target_runs, target_runs.c.id == sightings.c.target_run_id)
            .where(target_runs.c.run_id <= last)
        ):
            seen.setdefault(int(tr_id), set()).add(int(fid))
        state: dict[int, tuple[int, frozenset[int]]] = {}
        snaps: dict[int, _Snapshot] = {}
        index = 0
        for run in sorted(wanted_set):
            while index < len(rows) and rows[index].run_id <= run:
                row = rows[index]
                state[int(row.target_id)] = (int(row.id), frozenset(seen.get(int(row.id), ())))
                index += 1
            snaps[run] = _Snapshot(dict(state))
        return snaps

    def _changes(
        self, conn: sa.Connection, before: _Snapshot, after: _Snapshot
    ) -> tuple[tuple[FleetFinding, ...], tuple[FleetFinding, ...]]:
        new = self._findings(conn, after.active() - before.active())
        gone = self._findings(conn, before.active() - after.active())
        # A finding that left because the target now suppresses it is marked so (it is not a code fix).
        tr_ids = [tr for tr, _ in after.by_target.values()]
        muted: set[tuple[str, str]] = set()
        if gone and tr_ids:
            muted = {
                (str(row.name), str(row.fingerprint))
                for row in conn.execute(
                    sa.select(targets.c.name, suppressions.c.fingerprint)
                    .join(target_runs, target_runs.c.id == suppressions.c.target_run_id)
                    .join(targets, targets.c.id == target_runs.c.target_id)
                    .where(suppressions.c.target_run_id.in_(tr_ids))
                )
            }
        fixed = tuple(_with_suppressed(f) if (f.target, f.record.fingerprint) in muted else f for f in gone)
        return new, fixed

    def _findings(self, conn: sa.Connection, ids: Iterable[int]) -> tuple[FleetFinding, ...]:
        wanted = sorted(ids)
        out: list[FleetFinding] = []
        for start in range(0, len(wanted), 500):  # keep IN lists within every driver's parameter limit
            chunk = wanted[start : start + 500]
            query = (
                sa.select(findings, targets.c.name.label("target_name"))
                .join(targets, targets.c.id == findings.c.target_id)
                .where(findings.c.id.in_(chunk))
            )
            out.extend(_fleet_finding(row._mapping) for row in conn.execute(query))
        return tuple(sorted(out, key=_finding_order))

    def _targets(
        self, conn: sa.Connection, now: _Snapshot, active: tuple[FleetFinding, ...]
    ) -> tuple[tuple[TargetState, ...], tuple[RiskyFunction, ...]]:
        latest_tr = (
            sa.select(target_runs.c.target_id, sa.func.max(target_runs.c.run_id).label("run_id"))
            .group_by(target_runs.c.target_id)
            .subquery()
        )
        rows = conn.execute(
            sa.select(targets.c.id, targets.c.name, target_runs.c.status, target_runs.c.run_id, target_runs.c.error)
            .join(latest_tr, latest_tr.c.target_id == targets.c.id)
            .join(
                target_runs,
                sa.and_(target_runs.c.target_id == targets.c.id, target_runs.c.run_id == latest_tr.c.run_id),
            )
            .order_by(targets.c.name)
        ).all()
        scanned_tr = {tr: tid for tid, (tr, _) in now.by_target.items()}
        fn_rows = (
            conn.execute(sa.select(functions).where(functions.c.target_run_id.in_(list(scanned_tr)))).all()
            if scanned_tr
            else []
        )
        names = {int(row.id): str(row.name) for row in rows}
        per_target: dict[str, list[FleetFinding]] = {}
        per_function: Counter[tuple[str, str]] = Counter()
        for f in active:
            per_target.setdefault(f.target, []).append(f)
            if f.record.function:
                per_function[(f.target, f.record.function)] += 1
        risk: dict[str, float] = {}
        risky: list[RiskyFunction] = []
        for fn in fn_rows:
            target = names.get(scanned_tr[int(fn.target_run_id)], "")
            record = FunctionRecord(
                name=fn.name,
                app=fn.app,
                risk=float(fn.risk),
                blast_radius=float(fn.blast_radius),
                runtime=fn.runtime,
                public=bool(fn.public),
            )
            risk[target] = max(risk.get(target, 0.0), record.risk)
            risky.append(RiskyFunction(target, record, per_function[(target, record.name)]))
        risky.sort(key=lambda r: (-r.function.risk, -r.function.blast_radius, r.target, r.function.name))
        states = []
        for row in rows:
            mine = per_target.get(str(row.name), [])
            counts = Counter(f.record.severity for f in mine)
            states.append(
                TargetState(
                    name=str(row.name),
                    status=Status(row.status),
                    run_id=int(row.run_id),
                    risk=risk.get(str(row.name), 0.0),
                    counts=tuple(sorted(counts.items(), key=lambda kv: (-_severity_rank(kv[0]), kv[0]))),
                    total=len(mine),
                    error=row.error,
                )
            )
        return tuple(states), tuple(risky[:RISKIEST])


def _finding_values(f: FindingRecord) -> dict[str, Any]:
    return {
        "fingerprint": f.fingerprint,
        "rule_id": f.rule_id,
        "severity": f.severity,
        "category": f.category,
        "function": f.function,
        "path": f.path,
        "line": f.line,
        "key": f.key,
        "message": f.message,
    }


def _fleet_finding(row: sa.RowMapping) -> FleetFinding:
    return FleetFinding(
        target=str(row["target_name"]),
        record=FindingRecord(
            fingerprint=row["fingerprint"],
            rule_id=row["rule_id"],
            severity=row["severity"],
            category=row["category"],
            function=row["function"],
            path=row["path"],
            line=int(row["line"]),
            message=row["message"],
            key=row["key"],
        ),
        first_seen_run=int(row["first_seen_run"]),
        last_seen_run=int(row["last_seen_run"]),
        fixed_in_run=None if row["fixed_in_run"] is None else int(row["fixed_in_run"]),
    )


def _with_suppressed(f: FleetFinding) -> FleetFinding:
    r = f.record
    record = FindingRecord(
        r.fingerprint, r.rule_id, r.severity, r.category, r.function, r.path, r.line, r.message, True, r.key
    )
    return FleetFinding(f.target, record, f.first_seen_run, f.last_seen_run, f.fixed_in_run)


def _finding_order(f: FleetFinding) -> tuple[str, int, str, str, int, str]:
    r = f.record
    return (f.target, -_severity_rank(r.severity), r.rule_id, r.path, r.line, r.fingerprint)


def _trend(all_runs: tuple[RunInfo, ...], snaps: Mapping[int, _Snapshot]) -> tuple[TrendPoint, ...]:
    points = []
    previous: frozenset[int] = frozenset()
    for run in all_runs:
        active = snaps[run.id].active()
        points.append(TrendPoint(run.id, run.started_at, len(active - previous), len(previous - active), len(active)))
        previous = active
    return tuple(points)
