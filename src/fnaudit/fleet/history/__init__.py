"""The fleet's history: every `fnaudit fleet scan` run in a database (SQLAlchemy; SQLite or PostgreSQL).

API (`HistoryStore`):

- `HistoryStore.open(url) -> HistoryStore`: connect and upgrade the schema to the newest revision (Alembic
  scripts shipped in `migrations/`, run programmatically: no alembic.ini). `url` is `sqlite:///path.db` (a bare
  path means SQLite too) or `postgresql://user@host:port/db` (mapped to psycopg 3, `postgresql+psycopg://`).
- `begin_run(fleet_file, specs=()) -> run id`: start a run; the optional `TargetSpec`s register each target's
  source and location (`targets` table).
- `record(run_id, outcome: TargetOutcome)`: store one target's outcome in ONE transaction (a crash mid-write
  leaves nothing of that target in the run). A scanned target (OK, NOT_AN_APP) replaces the target's state:
  a finding seen is inserted or has its `last_seen_run` moved (and `fixed_in_run` cleared if it came back), an
  active finding not seen any more gets `fixed_in_run = run`. A FAILED or TIMEOUT target keeps its findings'
  state unchanged: a failed scan is not "everything fixed". Suppressed findings are not active; they are kept
  per target run in `suppressions`, and a finding that left because it is now suppressed appears in `fixed`
  with `record.suppressed = True`.
- `finish_run(run_id)`; `runs() -> tuple[RunInfo, ...]` (oldest first).
- `view(since=None) -> FleetView`: the latest run's state; `new` / `fixed` relative to `since` (a run id, or an
  ISO date meaning the last run started before it), by default the previous run.
- `diff(run_a, run_b) -> FleetDiff`: findings active at B and not at A (new) and the reverse (fixed).

Exactness: each target run records which findings it saw (`sightings`), so the state of the fleet as of any run
is, per target, what its latest scanned target run up to that run saw; `new`, `fixed` and the trend are set
differences of those states, keyed by (target, fingerprint).

Concurrent writers (several processes recording targets of one run) are safe: SQLite runs in WAL mode with a
busy timeout and takes the write lock at BEGIN (IMMEDIATE); PostgreSQL uses plain transactions.

`fnaudit.fleet.history.migrate` runs the migrations (`upgrade(engine, revision)`, `current_revision`,
`head_revision`); `HistoryStore.open` calls it.
"""

from __future__ import annotations

from fnaudit.fleet.history.store import HistoryStore, normalize_url

__all__ = ["HistoryStore", "normalize_url"]
