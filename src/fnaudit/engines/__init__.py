"""Engines: the shared machinery that adds facts to the App after loading and before the rules run.

Each engine module has `enrich(app, ctx) -> tuple[App, list[ScanError]]`: it may read files under
the scan root (code, lockfiles) and caches (IAM catalogue, advisory store), and returns a new App
whose functions carry the facts (SDK calls, packages, blast radius…). Rules stay pure functions of
the App. Each engine names the facts it provides (`fnaudit.model.facts.Fact`); rules name the facts
they read (`Rule.needs`), and the scan runs only the engines those rules need: no engine knows a rule
code. Engines run in the order listed: later ones may read what earlier ones added (the IAM engine
reads SDK calls; dependency reachability reads the code engine's imports). A failing engine becomes
an error entry; the scan goes on with the App as it was. An engine may also have `prepare(ctx)`,
run once in the parent before apps are enriched in parallel, for state the workers then share.
"""

from __future__ import annotations

import datetime as dt
import importlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from fnaudit.config import Config
from fnaudit.engines.state import ScanState
from fnaudit.errors import ScanError
from fnaudit.loaders.archives import Artifacts
from fnaudit.model.app import App
from fnaudit.model.facts import ALL_FACTS, Fact
from fnaudit.progress import ProgressCallback, ProgressEvent


@dataclass(frozen=True, slots=True)
class Engine:
    module: str
    provides: tuple[Fact, ...]
    # Facts of earlier engines this one computes its own from (IAM: used versus granted from the code's
    # SDK calls; dependencies: reachability from the code's imports). Running this engine runs those.
    reads: tuple[Fact, ...] = ()
    # Each function's result depends on that function alone (and read-only context from the app): a large
    # app's functions may be split into groups enriched in parallel, then put back in order (fnaudit.units).
    per_function: bool = False


ENGINES: tuple[Engine, ...] = (
    # first: code facts, SDK calls and imports that the others read
    Engine("fnaudit.engines.code", (Fact.CODE,), per_function=True),
    # secrets in code, bundled config files and parameter defaults (SECRET001 reads the environment itself)
    Engine("fnaudit.engines.secrets", (Fact.SECRETS,)),
    # lockfiles → packages → advisories (matched only when a rule reads advisories)
    Engine("fnaudit.engines.deps", (Fact.PACKAGES, Fact.ADVISORIES), reads=(Fact.CODE,)),
    # keep last: reads the code engine's SDK calls (order: code → deps → iam)
    Engine("fnaudit.engines.iam", (Fact.PERMISSIONS,), reads=(Fact.CODE,)),
)


def engines_for(needs: Iterable[Fact]) -> tuple[Engine, ...]:
    """The engines, in order, that provide `needs` and the facts those engines read. An engine no
    rule needs does not run: `--select AUTH` pays nothing for code."""
    wanted = set(needs)
    # close over `reads`: an engine's prerequisites come earlier in ENGINES, so one backward pass suffices
    chosen: list[Engine] = []
    for engine in reversed(ENGINES):
        if wanted.intersection(engine.provides):
            chosen.append(engine)
            wanted.update(engine.reads)
    return tuple(reversed(chosen))


@dataclass(frozen=True, slots=True)
class EngineContext:
    """What one scan gives every engine: its options and its own state, passed explicitly (issue 12).

    `artifacts` and `state` belong to this scan alone (two scans in one process, even in threads,
    never share them); engines keep nothing between scans in module globals."""

    root: Path  # the scan root (absolute); engines never read outside it
    config: Config
    today: dt.date
    # The zip artifacts the loaders unpacked for this scan: engines read `x.zip!/…` paths through it.
    artifacts: Artifacts
    # The facts the rules of this scan read: an engine that provides several may skip work for the others
    # (the dependency engine matches advisories only when a rule reads them).
    facts: frozenset[Fact] = ALL_FACTS
    state: ScanState = field(default_factory=ScanState)  # the engines' caches for this scan (engines/state.py)


# A large app is enriched in several processes, one app at a time each: apps are independent (no
# engine reads across apps), and forking shares the modules already imported. Small scans stay in
# process, where starting workers would cost more than it saves.
PARALLEL_MIN_FUNCTIONS = 200


def run_engines(
    apps: list[App],
    ctx: EngineContext,
    timings: dict[str, float],
    needs: Iterable[Fact] | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[list[App], list[ScanError]]:
    """Run, in order, every engine that provides one of `needs` (all of them when None), or that such an
    engine reads.

    `progress` hears functions analysed of the total: per engine and app in process, per app done
    when workers run (a worker cannot call back into the parent).
    """
    engines = ENGINES if needs is None else engines_for(needs)
    if not engines or not apps:
        return apps, []
    started = time.perf_counter()
    total = sum(len(a.functions) for a in apps)
    workers = _workers(apps)
    results: list[tuple[App, list[ScanError], dict[str, float]]]
    if workers > 1:
        for engine in engines:  # shared state (the IAM catalogue) is loaded once, then inherited by the forks
            prepare = getattr(importlib.import_module(engine.module), "prepare", None)
            if prepare is not None:
                prepare(ctx)
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {pool.submit(enrich_app, app, engines, ctx): i for i, app in enumerate(apps)}
            by_index: dict[int, tuple[App, list[ScanError], dict[str, float]]] = {}
            done = 0
            if progress:
                progress(ProgressEvent("engines", 0, total, "function"))
            for future in as_completed(futures):
                i = futures[future]
                by_index[i] = future.result()
                done += len(apps[i].functions)
                if progress:
                    progress(ProgressEvent("engines", done, total, "function"))
            results = [by_index[i] for i in range(len(apps))]  # the input order, whatever finished first
    else:
        results = []
        done = 0
        for app in apps:
            on_engine = None
            if progress:
                before = done  # bound now: the callback runs while this app is enriched

                def on_engine(name: str, finished: bool, n: int = len(app.functions), before: int = before) -> None:
                    progress(ProgressEvent(name, before + (n if finished else 0), total, "function"))

            results.append(enrich_app(app, engines, ctx, on_engine))
            done += len(app.functions)
    errors: list[ScanError] = []
    enriched: list[App] = []
    for app, errs, spent in results:
        enriched.append(app)
        errors.extend(errs)
        for name, seconds in spent.items():  # summed over apps (and so over workers: CPU time)
            timings[name] = timings.get(name, 0.0) + seconds
    timings["engines"] = time.perf_counter() - started
    return enriched, errors


def enrich_app(
    app: App,
    engines: tuple[Engine, ...],
    ctx: EngineContext,
    on_engine: Callable[[str, bool], None] | None = None,
    split: Callable[[Engine, App], tuple[App, list[ScanError]]] | None = None,
) -> tuple[App, list[ScanError], dict[str, float]]:
    """Every engine, in order, on one app. A failing engine is reported and skipped.

    `on_engine(name, finished)` is told when each engine starts and ends (in process only). `split`, when
    given, runs the engines whose results are per function (`Engine.per_function`) instead of this process."""
    errors: list[ScanError] = []
    spent: dict[str, float] = {}
    for engine in engines:
        module = importlib.import_module(engine.module)
        name = engine.module.rsplit(".", 1)[-1]
        if on_engine:
            on_engine(name, False)
        started = time.perf_counter()
        try:
            app, errs = split(engine, app) if split is not None and engine.per_function else module.enrich(app, ctx)
        except Exception as exc:  # noqa: BLE001 -- an engine bug must not end the scan
            errs = [
                ScanError(
                    app.source, f"{engine.module} failed: {type(exc).__name__}: {exc}; please report it", "engine"
                )
            ]
        errors.extend(errs)
        spent[name] = time.perf_counter() - started
        if on_engine:
            on_engine(name, True)
    return app, errors, spent


def _workers(apps: list[App]) -> int:
    """How many processes to enrich with: 1 unless the scan is large, fork is available, and no
    other thread runs (forking a threaded process can copy a held lock into the child)."""
    env = os.environ.get("FNAUDIT_WORKERS")
    if env is not None and env.isdigit():
        wanted = int(env)
    else:
        wanted = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if sum(len(a.functions) for a in apps) < PARALLEL_MIN_FUNCTIONS and env is None:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1
    return max(1, min(wanted, len(apps), 8))
