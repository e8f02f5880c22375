"""`fnaudit fleet scan | report | diff`: the command line's side of the fleet (argument parsing is in cli.py).

`scan` runs every target of FLEET.toml on Dask and records each one in the history as it finishes (one
transaction per target, so a crash never leaves half a target), then prints the fleet's summary. `report` and
`diff` only read the history.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from fnaudit.errors import FnauditError
from fnaudit.fleet.model import Status, TargetOutcome

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def default_history() -> str:
    """`sqlite:///<user data folder>/fnaudit/fleet.db`: embedded, zero set-up, kept between runs."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("fnaudit", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'fleet.db'}"


def default_cache() -> Path:
    """The cache root git targets are cloned under (`<cache>/fleet/git/…`): the user cache folder (a temporary
    one when caching is off)."""
    import tempfile

    from fnaudit import cache

    folder = cache.cache_dir()
    return folder if folder is not None else Path(tempfile.gettempdir()) / "fnaudit-cache"


@dataclass(frozen=True, slots=True)
class ScanOptions:
    fleet_file: Path
    history: str
    scheduler: str | None = None
    workers: int | None = None
    processes: bool = True
    errors: str = "fail"  # fail: exit 2 when a target failed or timed out; warn: exit on findings alone
    quiet: bool = False


def fleet_scan(options: ScanOptions, err: TextIO | None = None) -> int:
    from fnaudit.fleet import execute, spec
    from fnaudit.fleet.history import HistoryStore

    err = err or sys.stderr
    fleet = spec.load(options.fleet_file)
    store = HistoryStore.open(options.history)
    run_id = store.begin_run(str(options.fleet_file), fleet.targets)
    outcomes: list[TargetOutcome] = []

    def done(outcome: TargetOutcome) -> None:
        store.record(run_id, outcome)  # as each target finishes: a later crash keeps what is recorded
        outcomes.append(outcome)
        if not options.quiet and outcome.status is not Status.OK:
            why = f": {outcome.error}" if outcome.error else ""
            print(f"fnaudit: fleet: {outcome.target}: {outcome.status.value}{why}", file=err)

    progress = _progress(err) if not options.quiet and err.isatty() else None
    execute.run_targets(
        fleet,
        scheduler=options.scheduler,
        workers=options.workers,
        processes=options.processes,
        cache=default_cache(),
        on_done=done,
        progress=progress,
    )
    store.finish_run(run_id)
    view = store.view(None)  # the run's summary only: `fnaudit fleet report` shows the fleet in full
    failed = [o for o in outcomes if o.status in (Status.FAILED, Status.TIMEOUT)]
    print(
        f"fnaudit: fleet run {run_id}: {len(outcomes)} target(s), {len(failed)} failed; "
        f"{view.total_findings} active finding(s), {len(view.new)} new, {len(view.fixed)} fixed; history {options.history}",
        file=err,
    )
    if failed and options.errors == "fail":
        return EXIT_ERROR
    return EXIT_FINDINGS if view.new else EXIT_OK


def fleet_report(history: str, since: str | None, fmt: str, out: TextIO) -> int:
    from fnaudit.fleet.history import HistoryStore
    from fnaudit.fleet.report import render

    store = HistoryStore.open(history)
    try:
        view = store.view(_since(since))
    except ValueError as exc:
        raise FnauditError(f"{exc} in {history}") from None
    render(view, fmt, out)
    return EXIT_OK


def fleet_diff(history: str, run_a: int, run_b: int, fmt: str, out: TextIO) -> int:
    """Exit 1 when RUN_B has findings RUN_A had not: a gate across many repositories."""
    from fnaudit.fleet.history import HistoryStore
    from fnaudit.fleet.report import render_diff

    store = HistoryStore.open(history)
    try:
        diff = store.diff(run_a, run_b)
    except ValueError as exc:  # a run the history does not hold
        raise FnauditError(f"{exc} in {history}: `fnaudit fleet report` lists the runs") from None
    render_diff(diff, fmt, out)
    return EXIT_FINDINGS if diff.new else EXIT_OK


def _since(text: str | None) -> int | str | None:
    if text is None:
        return None
    return int(text) if text.isdigit() else text


def _progress(err: TextIO) -> Callable[[int, int, int, int], None]:
    """A one-line progress display on the terminal: targets done / failed / running of the total."""

    def show(done: int, failed: int, running: int, total: int) -> None:
        err.write(f"\rfnaudit: fleet: {done}/{total} done, {failed} failed, {running} running ")
        err.flush()
        if done == total:
            err.write("\n")

    return show
