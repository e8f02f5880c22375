"""Engines: the shared machinery that adds facts to the App after loading and before the rules run.

Each engine module has `enrich(app, ctx) -> tuple[App, list[ScanError]]`: it may read files under
the scan root (code, lockfiles) and caches (IAM catalogue, advisory store), and returns a new App
whose functions carry the facts (SDK calls, packages, blast radius…). Rules stay pure functions of
the App. Engines run in the order listed: later ones may read what earlier ones added (the IAM engine
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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from fnaudit.config import Config
from fnaudit.errors import ScanError
from fnaudit.model.app import App
from fnaudit.progress import ProgressCallback, ProgressEvent


@dataclass(frozen=True, slots=True)
class Engine:
    module: str
    # Rule codes (or code prefixes) that read this engine's facts, directly or through a later engine.
    # An engine none of the selected rules needs does not run: `--select AUTH` pays nothing for code.
    consumers: tuple[str, ...]

    def needed_by(self, codes: tuple[str, ...]) -> bool:
        return any(code.startswith(self.consumers) for code in codes)


ENGINES: tuple[Engine, ...] = (
    # first: code facts, SDK calls and imports that the others read (IAM: used vs granted; DEP: reachability)
    Engine("fnaudit.engines.code", ("CODE", "PATH", "IAM", "DEP")),
    # secrets in code, bundled config files and parameter defaults (SECRET001 reads the environment itself)
    Engine("fnaudit.engines.secrets", ("SECRET002", "SECRET003", "SECRET004", "SECRET005", "PATH")),
    # lockfiles → packages → advisories (after code: reads its imports)
    Engine("fnaudit.engines.deps", ("DEP", "PATH")),
    # keep last: reads the code engine's SDK calls (order: code → deps → iam)
    Engine("fnaudit.engines.iam", ("IAM", "PATH")),
)


@dataclass(frozen=True, slots=True)
class EngineContext:
    root: Path  # the scan root (absolute); engines never read outside it
    config: Config
    today: dt.date


# A large app is enriched in several processes, one app at a time each: apps are independent (no
# engine reads across apps), and forking shares the modules already imported. Small scans stay in
# process, where starting workers would cost more than it saves.
PARALLEL_MIN_FUNCTIONS = 200


def run_engines(
    apps: list[App],
    ctx: EngineContext,
    timings: dict[str, float],
    rule_codes: tuple[str, ...] | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[list[App], list[ScanError]]:
    """Run, in order, every engine that one of `rule_codes` needs (all of them when None).

    `progress` hears functions analysed of the total: per engine and app in process, per app done
    when workers run (a worker cannot call back into the parent).
    """
    engines = tuple(e for e in ENGINES if rule_codes is None or e.needed_by(rule_codes))
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
            futures = {pool.submit(_enrich, app, engines, ctx): i for i, app in enumerate(apps)}
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

            results.append(_enrich(app, engines, ctx, on_engine))
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


def _enrich(
    app: App,
    engines: tuple[Engine, ...],
    ctx: EngineContext,
    on_engine: Callable[[str, bool], None] | None = None,
) -> tuple[App, list[ScanError], dict[str, float]]:
    """Every engine, in order, on one app. A failing engine is reported and skipped.

    `on_engine(name, finished)` is told when each engine starts and ends (in process only)."""
    errors: list[ScanError] = []
    spent: dict[str, float] = {}
    for engine in engines:
        module = importlib.import_module(engine.module)
        name = engine.module.rsplit(".", 1)[-1]
        if on_engine:
            on_engine(name, False)
        started = time.perf_counter()
        try:
            app, errs = module.enrich(app, ctx)
        except Exception as exc:  # noqa: BLE001 -- an engine bug must not end the scan
            errs = [
                ScanError(app.source, f"{engine.module} failed: {type(exc).__name__}: {exc}; please report it", "engine")
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
