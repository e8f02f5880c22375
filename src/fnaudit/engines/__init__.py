"""Engines: the shared machinery that adds facts to the App after loading and before the rules run.

Each engine module has `enrich(app, ctx) -> tuple[App, list[ScanError]]`: it may read files under
the scan root (code, lockfiles) and caches (IAM catalogue, advisory store), and returns a new App
whose functions carry the facts (SDK calls, packages, blast radius…). Rules stay pure functions of
the App. Engines run in the order listed: later ones may read what earlier ones added (the IAM engine
reads SDK calls; dependency reachability reads the code engine's imports). A failing engine becomes
an error entry; the scan goes on with the App as it was.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from dataclasses import dataclass
from pathlib import Path

from fnaudit.config import Config
from fnaudit.errors import ScanError
from fnaudit.model.app import App

ENGINES: tuple[str, ...] = (
    "fnaudit.engines.code",  # first: code facts, SDK calls and imports that the others read
    "fnaudit.engines.secrets",  # secrets in code, bundled config files and parameter defaults
    "fnaudit.engines.deps",  # lockfiles → packages → advisories (after code: reads its imports)
    "fnaudit.engines.iam",  # keep last: reads the code engine's SDK calls (order: code → deps → iam)
)


@dataclass(frozen=True, slots=True)
class EngineContext:
    root: Path  # the scan root (absolute); engines never read outside it
    config: Config
    today: dt.date


def run_engines(apps: list[App], ctx: EngineContext, timings: dict[str, float]) -> tuple[list[App], list[ScanError]]:
    errors: list[ScanError] = []
    for module_name in ENGINES:
        module = importlib.import_module(module_name)
        started = time.perf_counter()
        enriched = []
        for app in apps:
            try:
                new_app, errs = module.enrich(app, ctx)
            except Exception as exc:  # an engine bug must not end the scan
                errors.append(
                    ScanError(app.source, f"{module_name} failed: {type(exc).__name__}: {exc}; please report it", "engine")
                )
                new_app, errs = app, []
            enriched.append(new_app)
            errors.extend(errs)
        apps = enriched
        timings[module_name.rsplit(".", 1)[-1]] = time.perf_counter() - started
    return apps, errors
