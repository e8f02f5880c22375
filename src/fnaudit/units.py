"""Loading and enriching, one IaC document (a *unit*) at a time: in parallel, and reused when unchanged.

A unit is what one document gives: its apps (the loader's work: SAM translation, Terraform and CDK
evaluation, serverless variables) enriched by the engines (code, secrets, dependencies, IAM), with
the errors of both. Units are independent (no loader or engine reads across documents' apps), so:

- a large scan computes them in forked worker processes, each loading *and* enriching its document
  (and running the rules on its apps, when the pipeline passes its `judge`): the costly loads (SAM
  translation) run in parallel too, not only the engines. Results come back in document order,
  whatever finished first, so the output is the same as in one process;
- a scan with the cache on records what each unit read (`fnaudit.reads`) and keeps its result
  (`fnaudit.reuse`): the next scan reuses every unit whose inputs are unchanged and computes only the
  others. An edited handler re-analyses the apps of its own template, not the whole repository.

Small scans stay in one process and keep the order of events of a plain scan: every document loaded
(in order: serverless files first, templates nested in another after their parents, each skipped
when an earlier one consumed it), then the engines on every app. An app alone in a scan with hundreds
of functions has its per-function engine (the code engine) run on groups of its functions in workers.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from fnaudit.engines import Engine, EngineContext, enrich_app
from fnaudit.engines.state import ScanState
from fnaudit.errors import ScanError
from fnaudit.loaders import LoadOptions, LoadOutcome, ScanRoot, SourceDoc, load_doc
from fnaudit.loaders._cfn_nested import nested_children
from fnaudit.loaders.archives import SEPARATOR, Mount
from fnaudit.loaders.discover import Discovery
from fnaudit.model.app import App, Dialect, Function
from fnaudit.progress import ProgressCallback, ProgressEvent
from fnaudit.reads import ReadLog, recording
from fnaudit.reuse import Reuse

# Below this much template text, starting workers costs more than it saves (a fork and a pickle of
# each result): the scan stays in process. About 50 functions' worth of SAM or serverless.
PARALLEL_MIN_BYTES = 48 * 1024
# An app this large, alone in its scan (one CDK app, one big template), has its per-function engines
# (the code engine) run on groups of its functions in parallel instead.
SPLIT_MIN_FUNCTIONS = 200


@dataclass(frozen=True, slots=True)
class UnitResult:
    """One document loaded and its apps enriched: what a worker returns and the cache keeps."""

    apps: tuple[App, ...]
    app_errors: tuple[tuple[ScanError, ...], ...]  # the engines' errors, per app (same order)
    errors: tuple[ScanError, ...]  # the loader's
    consumed: frozenset[str]  # other files read as part of these apps (included, nested templates)
    seconds: tuple[tuple[str, float], ...]  # "load" and each engine's time


@dataclass(frozen=True, slots=True)
class _Computed:
    result: UnitResult
    opened: frozenset[str]  # files read, relative to the scan root (a zip's members: the zip)
    listed: frozenset[str]  # folders listed, relative to the scan root
    mounts: tuple[Mount, ...]  # zips a worker unpacked, handed over to the scan's registry
    judged: tuple[Any, ...] = ()  # per app, what `judge` gave (the rules' outcome), when the scan passed one


@dataclass(slots=True)
class _Loaded:
    """A document the one-process path loaded, waiting for its apps to be enriched."""

    doc: SourceDoc
    outcome: LoadOutcome
    kept: list[App]  # its apps no earlier document gave
    log: ReadLog | None  # what loading and enriching it read (the cache on)
    state: ScanState  # its engines' caches (its own with the cache on, so that every read is recorded)
    seconds: dict[str, float]


class _Job(NamedTuple):
    """What every document of one scan is loaded and enriched with. `judge`, when given, runs the rules on an
    app as its unit gave it, in the worker that computed the unit (a picklable callable: the pipeline's)."""

    root: ScanRoot
    options: LoadOptions
    ctx: EngineContext
    engines: tuple[Engine, ...]
    timings: dict[str, float]  # filled: seconds per stage
    progress: ProgressCallback | None
    reuse: Reuse | None
    judge: Callable[[App], Any] | None = None


@dataclass(frozen=True, slots=True)
class Units:
    """What loading and enriching gave the scan."""

    outcome: LoadOutcome  # apps enriched, the loaders' errors, the files consumed
    engine_errors: list[ScanError]
    # App.source → a key naming the app's unit and the digest of its inputs, for apps whose unit the cache
    # holds (results derived from the app alone, its rules' findings, can be kept under it)
    app_keys: dict[str, str] = field(default_factory=dict)
    # App.source → what `judge` gave for the app in the worker that computed its unit (the rules' outcome, for
    # the pipeline to use while the app is still the one its unit gave)
    judged: dict[str, Any] = field(default_factory=dict)


def load_and_enrich(
    found: Discovery,
    root: ScanRoot,
    options: LoadOptions,
    ctx: EngineContext,
    engines: tuple[Engine, ...],
    timings: dict[str, float],
    progress: ProgressCallback | None = None,
    reuse: Reuse | None = None,
    judge: Callable[[App], Any] | None = None,
) -> Units:
    """Every discovered document loaded and its apps enriched by `engines`, reusing unchanged units. With
    workers, `judge` (the rules) runs on each computed app in its worker too (`Units.judged`)."""
    children = nested_children(found.docs, root)
    order = sorted(found.docs, key=lambda d: (d.dialect is not Dialect.SERVERLESS, d.rel in children, d.rel))
    started = time.perf_counter()
    workers = _workers(order)
    job = _Job(root, options, ctx, engines, timings, progress, reuse, judge)
    if workers > 1:
        units = _parallel(job, order, children, workers)
    else:
        units = _serial(job, order, _workers(order, split=True))
    units.outcome.errors[:0] = found.errors
    timings["engines"] = time.perf_counter() - started
    return units


# ---- one process -------------------------------------------------------------------------------


def _serial(job: _Job, order: list[SourceDoc], workers: int = 1) -> Units:
    """Load every document in order, then enrich every app: a plain scan's order of work and events.
    With `workers` > 1, a large app's per-function engines run on groups of its functions in parallel."""
    root, options, ctx, engines, timings, progress, reuse, _judge = job
    total = LoadOutcome()
    engine_errors: list[ScanError] = []
    app_keys: dict[str, str] = {}
    fresh: list[_Loaded] = []  # the documents computed here, in order
    t = time.perf_counter()
    for i, doc in enumerate(order):
        if progress:
            progress(ProgressEvent("load", i, len(order), "template"))
        if doc.rel in total.consumed:
            continue
        cached = reuse.get(reuse.key(doc.rel)) if reuse is not None else None
        if reuse is not None and cached is not None and isinstance(cached[0], UnitResult):
            kept_apps = _merge(total, engine_errors, cached[0])
            _name_apps(app_keys, reuse, doc.rel, kept_apps, cached[1])
            continue
        log = None if reuse is None else ReadLog()
        started = time.perf_counter()
        with _recording_into(log):
            outcome = load_doc(doc, root, options)
        loaded = {a.source for a in total.apps}
        kept = [a for a in outcome.apps if a.source not in loaded]
        total.apps.extend(kept)
        total.errors.extend(e for e in outcome.errors if e not in total.errors)
        total.consumed |= outcome.consumed
        # with the cache on, each document's engines start from empty caches: a file another document's
        # apps already read must be read (and so recorded) again for this one
        state = ctx.state if reuse is None else ScanState()
        fresh.append(_Loaded(doc, outcome, kept, log, state, {"load": time.perf_counter() - started}))
    timings["load"] = timings.get("load", 0.0) + time.perf_counter() - t
    if progress:
        progress(ProgressEvent("load", len(order), len(order), "template"))

    enriched: dict[str, tuple[App, tuple[ScanError, ...]]] = {}
    count = sum(len(a.functions) for a in total.apps)
    computed = {a.source for unit in fresh for a in unit.kept}
    done = sum(len(a.functions) for a in total.apps if a.source not in computed)  # reused: already enriched
    for unit in fresh:
        doc_ctx = ctx if unit.state is ctx.state else replace(ctx, state=unit.state)
        for app in unit.kept:
            on_engine = None
            if progress:
                before = done

                def on_engine(name: str, finished: bool, n: int = len(app.functions), before: int = before) -> None:
                    progress(ProgressEvent(name, before + (n if finished else 0), count, "function"))

            split = (
                _splitter(doc_ctx, unit.log, workers)
                if workers > 1 and len(app.functions) >= SPLIT_MIN_FUNCTIONS
                else None
            )
            with _recording_into(unit.log):
                new, errs, spent = enrich_app(app, engines, doc_ctx, on_engine, split)
            enriched[app.source] = (new, tuple(errs))
            for name, s in spent.items():
                unit.seconds[name] = unit.seconds.get(name, 0.0) + s
                timings[name] = timings.get(name, 0.0) + s
            done += len(app.functions)
    for unit in fresh:
        if reuse is None or unit.log is None or len(unit.kept) != len(unit.outcome.apps):
            continue  # an app another document already gave is not this unit's alone: not kept for reuse
        kept = unit.kept
        result = _result(
            [enriched[a.source][0] for a in kept], [enriched[a.source][1] for a in kept], unit.outcome, unit.seconds
        )
        opened, listed = _relative(unit.log, ctx)
        digest = reuse.put(reuse.key(unit.doc.rel), reuse.inputs(unit.doc.rel, opened, listed), result)
        _name_apps(app_keys, reuse, unit.doc.rel, result.apps, digest)
    apps = []
    for app in total.apps:
        new_app, app_errs = enriched.get(app.source, (app, ()))
        apps.append(new_app)
        engine_errors.extend(app_errs)
    total.apps[:] = apps
    return Units(total, engine_errors, app_keys)


@contextmanager
def _recording_into(log: ReadLog | None) -> Iterator[None]:
    if log is None:
        yield
        return
    with recording() as part:
        yield
    log.opened |= part.opened
    log.listed |= part.listed


# ---- worker processes ----------------------------------------------------------------------------


def _parallel(job: _Job, order: list[SourceDoc], children: set[str], workers: int) -> Units:
    """Each document loaded and enriched in a worker. Serverless files first, then templates, then the
    templates nested in another: each group only once the one before is merged, so a document an
    earlier one consumed (an included or nested template) is not computed for nothing."""
    root, options, ctx, engines, timings, progress, reuse, judge = job
    total = LoadOutcome()
    engine_errors: list[ScanError] = []
    app_keys: dict[str, str] = {}
    judged: dict[int, tuple[Any, ...]] = {}  # per pending document of the current group
    verdicts: dict[str, Any] = {}
    groups = (
        [d for d in order if d.dialect is Dialect.SERVERLESS],
        [d for d in order if d.dialect is not Dialect.SERVERLESS and d.rel not in children],
        [d for d in order if d.dialect is not Dialect.SERVERLESS and d.rel in children],
    )
    prepared = False
    done = 0
    if progress:
        progress(ProgressEvent("engines", 0, len(order), "template"))
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for group in groups:
            pending = [d for d in group if d.rel not in total.consumed]
            results: dict[int, UnitResult] = {}
            digests: dict[int, str] = {}  # the input digests of units the cache holds
            cached: set[int] = set()  # reused: their time was spent by an earlier scan
            misses: list[int] = []
            for i, doc in enumerate(pending):
                kept = reuse.get(reuse.key(doc.rel)) if reuse is not None else None
                if kept is not None and isinstance(kept[0], UnitResult):
                    results[i] = kept[0]
                    digests[i] = kept[1]
                    cached.add(i)
                    done += 1
                else:
                    misses.append(i)
            if misses and not prepared:  # shared read-only state (the IAM catalogue), inherited by the forks
                for engine in engines:
                    prepare = getattr(importlib.import_module(engine.module), "prepare", None)
                    if prepare is not None:
                        prepare(ctx)
                prepared = True
            futures = {
                pool.submit(_compute, pending[i], root, options, ctx, engines, reuse is not None, judge): i
                for i in misses
            }
            for future in as_completed(futures):
                i = futures[future]
                computed = future.result()
                ctx.artifacts.adopt(list(computed.mounts))
                results[i] = computed.result
                judged[i] = computed.judged
                if reuse is not None:
                    doc_rel = pending[i].rel
                    reuse.put(
                        reuse.key(doc_rel), reuse.inputs(doc_rel, computed.opened, computed.listed), computed.result
                    )
                done += 1
                if progress:
                    progress(ProgressEvent("engines", done, len(order), "template"))
            for i, doc in enumerate(pending):  # document order, whatever finished first
                if doc.rel not in total.consumed:
                    kept_apps = _merge(total, engine_errors, results[i], None if i in cached else timings)
                    kept_ids = {id(a) for a in kept_apps}
                    for app, verdict in zip(results[i].apps, judged.pop(i, ()), strict=False):
                        if id(app) in kept_ids:
                            verdicts[app.source] = verdict
                    if reuse is not None and i in digests:
                        _name_apps(app_keys, reuse, doc.rel, kept_apps, digests[i])
    if progress:  # documents an earlier one consumed were never computed: the stage is done all the same
        progress(ProgressEvent("engines", len(order), len(order), "template"))
    return Units(total, engine_errors, app_keys, verdicts)


def _compute(
    doc: SourceDoc,
    root: ScanRoot,
    options: LoadOptions,
    ctx: EngineContext,
    engines: tuple[Engine, ...],
    record: bool,
    judge: Callable[[App], Any] | None = None,
) -> _Computed:
    """In a worker: load one document and enrich its apps (the worker's scan state starts empty), and judge
    them when the scan passed a `judge`."""
    log = ReadLog() if record else None
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with _recording_into(log):
        outcome = load_doc(doc, root, options)
    seconds["load"] = time.perf_counter() - started
    apps: list[App] = []
    app_errors: list[tuple[ScanError, ...]] = []
    for app in outcome.apps:
        with _recording_into(log):
            new, errs, spent = enrich_app(app, engines, ctx)
        apps.append(new)
        app_errors.append(tuple(errs))
        for name, s in spent.items():
            seconds[name] = seconds.get(name, 0.0) + s
    result = _result(apps, app_errors, outcome, seconds)
    opened, listed = _relative(log, ctx) if log is not None else (frozenset(), frozenset())
    judged = tuple(judge(app) for app in apps) if judge is not None else ()
    return _Computed(result, opened, listed, tuple(ctx.artifacts.hand_over()), judged)


# ---- shared ------------------------------------------------------------------------------------------


def _result(
    apps: Sequence[App], app_errors: Sequence[tuple[ScanError, ...]], outcome: LoadOutcome, seconds: dict[str, float]
) -> UnitResult:
    return UnitResult(
        tuple(apps),
        tuple(app_errors),
        tuple(outcome.errors),
        frozenset(outcome.consumed),
        tuple(sorted(seconds.items())),
    )


def _merge(
    total: LoadOutcome, engine_errors: list[ScanError], unit: UnitResult, timings: dict[str, float] | None = None
) -> list[App]:
    """Add a unit to the scan as the plain loader does: an app another document gave first is kept once.
    `timings` gets the unit's seconds (not for a reused unit: this scan did not spend them)."""
    loaded = {a.source for a in total.apps}
    kept = []
    for app, errs in zip(unit.apps, unit.app_errors, strict=True):
        if app.source not in loaded:
            kept.append(app)
            engine_errors.extend(errs)
    total.apps.extend(kept)
    total.errors.extend(e for e in unit.errors if e not in total.errors)
    total.consumed |= unit.consumed
    if timings is not None:
        for name, seconds in unit.seconds:  # summed over units (and so over workers: CPU time)
            timings[name] = timings.get(name, 0.0) + seconds
    return kept


def _name_apps(app_keys: dict[str, str], reuse: Reuse, doc_rel: str, apps: Sequence[App], digest: str) -> None:
    """Key the apps a unit gave the scan by the unit and its inputs (apps another document gave first excluded)."""
    for app in apps:
        app_keys[app.source] = reuse.derived_key(doc_rel, digest, app.source)


def _relative(log: ReadLog, ctx: EngineContext) -> tuple[frozenset[str], frozenset[str]]:
    """What a unit read, relative to the scan root: a file inside an unpacked zip is the zip itself;
    anything outside the root (fnaudit's own data, libraries, the advisory store) is not an input
    of the unit (the analyser's and the store's identity are in the cache key)."""
    top = str(ctx.artifacts.root)
    prefix = top.rstrip("/") + "/"

    def rel(path: str) -> str | None:
        if path.startswith(prefix):
            return path[len(prefix) :]
        inside = ctx.artifacts.rel_path(Path(path))
        if inside is not None:
            return inside.split(SEPARATOR, 1)[0]
        return None

    opened = frozenset(r for r in map(rel, log.opened) if r)
    listed = frozenset(r for r in map(rel, log.listed) if r is not None and SEPARATOR not in r)
    return opened, listed


def _workers(order: Sequence[SourceDoc], split: bool = False) -> int:
    """Worker processes for the documents: 1 unless there are several, with enough template text to be
    worth it (`FNAUDIT_WORKERS` decides alone when set), fork is available, and no other thread runs
    (forking a threaded process can copy a held lock into the child). `split`: for the groups of one
    large app's functions instead (the caller checks the app's size), whatever the number of documents."""
    env = os.environ.get("FNAUDIT_WORKERS")
    if env is not None and env.isdigit():
        wanted = int(env)
    else:
        wanted = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if not split and sum(_weight(d) for d in order) < PARALLEL_MIN_BYTES:
            return 1
    if (len(order) < 2 and not split) or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:
        return 1
    return max(1, min(wanted, 8 if split else len(order), 8))


def _weight(doc: SourceDoc) -> int:
    """How much there is to load in a document, in bytes: its text, or for a document read from a folder (a
    Terraform module, whose text is not kept) the files directly in it."""
    if doc.text:
        return len(doc.text)
    try:
        if doc.path.is_dir():
            with os.scandir(doc.path) as entries:
                return sum(e.stat().st_size for e in entries if e.is_file(follow_symlinks=False))
        return doc.path.stat().st_size
    except OSError:
        return 0


def _splitter(
    ctx: EngineContext, log: ReadLog | None, workers: int
) -> Callable[[Engine, App], tuple[App, list[ScanError]]]:
    """Run a per-function engine on groups of an app's functions in worker processes, and put the functions
    back in their order; what the workers read goes to the document's `log`, the zips they unpack to the scan."""

    def split(engine: Engine, app: App) -> tuple[App, list[ScanError]]:
        size = -(-len(app.functions) // workers)
        groups = [app.functions[i : i + size] for i in range(0, len(app.functions), size)]
        with ProcessPoolExecutor(max_workers=len(groups), mp_context=multiprocessing.get_context("fork")) as pool:
            parts = list(
                pool.map(
                    _enrich_group,
                    [engine.module] * len(groups),
                    [replace(app, functions=g) for g in groups],
                    [ctx] * len(groups),
                    [log is not None] * len(groups),
                )
            )
        functions: list[Function] = []
        errors: dict[ScanError, None] = {}  # the same error (a shared module) from two groups is said once
        for part in parts:
            functions.extend(part.functions)
            errors.update(dict.fromkeys(part.errors))
            ctx.artifacts.adopt(list(part.mounts))
            if log is not None:
                log.opened |= part.opened
                log.listed |= part.listed
        changed = any(a is not b for a, b in zip(functions, app.functions, strict=True))
        return (replace(app, functions=tuple(functions)) if changed else app), sorted(errors)

    return split


@dataclass(frozen=True, slots=True)
class _Group:
    functions: tuple[Function, ...]
    errors: tuple[ScanError, ...]
    opened: frozenset[str]  # absolute paths (the parent's log holds absolute paths too)
    listed: frozenset[str]
    mounts: tuple[Mount, ...]


def _enrich_group(module_name: str, app: App, ctx: EngineContext, record: bool) -> _Group:
    """In a worker: one engine on a group of an app's functions."""
    module = importlib.import_module(module_name)
    log = ReadLog() if record else None
    with _recording_into(log):
        new, errors = module.enrich(app, ctx)
    opened, listed = (frozenset(log.opened), frozenset(log.listed)) if log is not None else (frozenset(), frozenset())
    return _Group(new.functions, tuple(errors), opened, listed, tuple(ctx.artifacts.hand_over()))
