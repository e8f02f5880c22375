"""Fixers by rule: pure functions `(Finding, FixContext) -> Fix | NoFix | None` (None: not this finding).

Registration is explicit and lazy, as for rules: `FIXER_MODULES` lists the modules, imported on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from fnaudit.findings import Finding
from fnaudit.fix.context import FixContext
from fnaudit.fix.model import Fix, NoFix

Fixer = Callable[[Finding, FixContext], Fix | NoFix | None]

FIXER_MODULES: tuple[str, ...] = (
    "fnaudit.fix.fixers.runtime",
    "fnaudit.fix.fixers.auth",
    "fnaudit.fix.fixers.iam",
    "fnaudit.fix.fixers.secrets",
    "fnaudit.fix.fixers.operations",
    "fnaudit.fix.fixers.dependencies",
)

_FIXERS: dict[str, Fixer] = {}


def fixer(*rule_ids: str) -> Callable[[Fixer], Fixer]:
    def register(fn: Fixer) -> Fixer:
        for rule_id in rule_ids:
            if rule_id in _FIXERS and _FIXERS[rule_id] is not fn:
                raise ValueError(f"two fixers for {rule_id}")
            _FIXERS[rule_id] = fn
        return fn

    return register


def fixers() -> dict[str, Fixer]:
    for module in FIXER_MODULES:
        importlib.import_module(module)
    return dict(_FIXERS)
