"""Engines: the shared machinery that adds facts to the App after loading and before the rules run.

Each engine module has `enrich(app, ctx) -> tuple[App, list[ScanError]]`: it may read files under
the scan root (code, lockfiles) and caches (IAM catalogue, advisory store), and returns a new App
whose functions carry the facts (SDK calls, packages, blast radius…). Rules stay pure functions of
the App. Each engine names the facts it provides (`fnaudit.model.facts.Fact`); rules name the facts
they read (`Rule.needs`), and the scan runs only the engines those rules need: no engine knows a rule
code. Engines run in the order listed: later ones may read what earlier ones added (the IAM engine
reads SDK calls; dependency reachability reads the code engine's imports). A failing engine becomes
an error entry; the scan goes on with the App as it was. An engine may also have `prepare(ctx)`,
run once in the parent before documents are loaded and enriched in parallel (`fnaudit.units`), for
state the workers then share.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from fnaudit.config import Config
from fnaudit.engines.state import ScanState
from fnaudit.errors import ScanError
from fnaudit.loaders.archives import Artifacts
from fnaudit.model.app import App
from fnaudit.model.facts import ALL_FACTS, Fact


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
