"""Run a fleet's targets on Dask: one task per target, each outcome handed on as soon as it arrives.

- Where: a `distributed.LocalCluster` sized to the machine (one single-threaded worker process per core) by
  default, or an existing cluster through its scheduler's address (`tcp://host:8786`); its workers need fnaudit
  installed (the same version: they import `fnaudit.fleet.outcome`), and git targets are cloned into `cache` on
  whichever worker runs them (a folder on that worker's machine).
- Failure isolation: `scan_target` turns every exception into a FAILED outcome on the worker; what is left — a
  worker process that dies (segfault, out of memory), the result lost on its way back — arrives here as the
  future's exception and becomes a FAILED outcome for that target only. The local cluster lets the scheduler
  retry a task whose worker died once (`allowed-failures` = 1; Dask's default 3 would let one poisonous target
  kill four workers in turn) and sends each worker one task at a time (`worker-saturation` = 1), so a dying
  worker takes no innocent queued target with it.
- Timeout: enforced ON THE WORKER, from the moment the target starts (not when it was queued): the task runs the
  scan in a daemon thread and returns a TIMEOUT outcome when the thread has not finished in time. A Python thread
  cannot be killed, so the abandoned scan runs on in the background until it ends by itself (a scan is bounded:
  it reads each file once, and its git commands have the same timeout) while the worker takes its next target.
  Its result is dropped. The local cluster's worker processes are terminated at the end of the run, and with
  them any abandoned scan; with threads (`processes=False`) an abandoned scan finishes in this process.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fnaudit import __version__
from fnaudit.fleet.model import FleetSpec, Status, TargetOutcome, TargetSpec
from fnaudit.fleet.outcome import scan_target

Task = Callable[[TargetSpec, Path, dt.date | None], TargetOutcome]
# (done, failed, running, total): `done` counts every finished target, `failed` those FAILED or TIMEOUT among
# them; `running` is the targets in flight, at most the cluster's threads (Dask does not say which have started).
Progress = Callable[[int, int, int, int], None]


def run_targets(
    spec: FleetSpec,
    *,
    scheduler: str | None,
    workers: int | None,
    processes: bool,
    cache: Path,
    on_done: Callable[[TargetOutcome], None],
    progress: Progress | None = None,
    today: dt.date | None = None,
    task: Task = scan_target,
) -> tuple[TargetOutcome, ...]:
    """Scan every target of `spec`; `on_done` gets each outcome as it arrives (in the order they finish), the
    return value has them all in the order of `spec`. `task` is what runs per target (tests replace it; it
    must be importable by name on the workers). An exception from `on_done` cancels the rest and propagates."""
    import dask

    # distributed's API is only partly typed: held as Any rather than a type: ignore on every call.
    distributed: Any = importlib.import_module("distributed")

    targets = spec.targets
    if not targets:
        return ()
    cluster: Any = None
    if scheduler is None:
        n = max(1, workers or _cores())
        settings = {"distributed.scheduler.allowed-failures": 1, "distributed.scheduler.worker-saturation": 1.0}
        with dask.config.set(settings):
            # Threads share one worker (tests, small fleets); processes get one single-threaded worker per core.
            shape = (
                {"n_workers": n, "threads_per_worker": 1} if processes else {"n_workers": 1, "threads_per_worker": n}
            )
            cluster = distributed.LocalCluster(
                **shape,
                processes=processes,
                # No dashboard, and the scheduler's small HTTP server on a free port: a fixed 8787 would collide
                # with any other cluster on the machine (and only warn).
                scheduler_kwargs={"dashboard": False, "dashboard_address": ":0"},
                silence_logs=logging.ERROR,
            )
    client: Any = None
    try:
        client = distributed.Client(cluster if cluster is not None else scheduler, set_as_default=False)
        slots = max(1, sum(client.nthreads().values()))
        # Keys unique to this run: on a shared cluster, Dask would hand another run's result for an equal key.
        run = uuid.uuid4().hex[:12]
        futures = {
            client.submit(_bounded, task, target, cache, today, pure=False, key=f"fnaudit-fleet-{run}-{i}"): target
            for i, target in enumerate(targets)
        }
        results: dict[str, TargetOutcome] = {}
        failed = 0
        if progress is not None:
            progress(0, 0, min(slots, len(targets)), len(targets))
        try:
            for future in distributed.as_completed(futures, loop=client.loop):
                target = futures.pop(future)  # the worker may forget the result once it is here
                outcome = _collect(future, target)
                results[target.name] = outcome
                failed += outcome.status in (Status.FAILED, Status.TIMEOUT)
                on_done(outcome)
                if progress is not None:
                    left = len(targets) - len(results)
                    progress(len(results), failed, min(slots, left), len(targets))
        except BaseException:
            client.cancel(list(futures))
            raise
        return tuple(results[t.name] for t in targets)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def _bounded(task: Task, target: TargetSpec, cache: Path, today: dt.date | None) -> TargetOutcome:
    """Runs on the worker: `task` in a daemon thread, given `target.timeout_seconds` from now to finish."""
    box: list[TargetOutcome] = []
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    def run() -> None:
        try:
            box.append(task(target, cache, today))
        except Exception as exc:  # scan_target never raises; a replaced task might, and must not look like a timeout
            box.append(TargetOutcome(target.name, Status.FAILED, 0.0, error=f"{type(exc).__name__}: {exc}"))

    thread = threading.Thread(target=run, name=f"fnaudit-fleet {target.name}", daemon=True)
    thread.start()
    thread.join(target.timeout_seconds)
    if box:
        return box[0]
    return TargetOutcome(
        target.name,
        Status.TIMEOUT,
        target.timeout_seconds,
        error=f"no result after {target.timeout_seconds:g} s; the scan was abandoned",
        scanned_at=started,
        tool_version=__version__,
    )


def _collect(future: Any, target: TargetSpec) -> TargetOutcome:
    """The future's outcome, or a FAILED one when the task never returned (its worker died, it was lost)."""
    try:
        outcome = future.result()
    except Exception as exc:
        return TargetOutcome(target.name, Status.FAILED, 0.0, error=f"{type(exc).__name__}: {exc}")
    if not isinstance(outcome, TargetOutcome):  # a replaced task that broke the contract
        return TargetOutcome(target.name, Status.FAILED, 0.0, error=f"TypeError: the task returned {outcome!r}")
    return outcome


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (a container's share)
    except AttributeError:
        return os.cpu_count() or 1
