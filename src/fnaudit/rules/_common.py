"""Wording shared by the configuration rules (DOS, RUNTIME, OBS): where a setting lives in each
dialect, and how to say that a value was inherited rather than written on the function."""

from __future__ import annotations

from typing import Any

from fnaudit.model.app import App, Dialect
from fnaudit.model.loc import Loc, Origin, Value


def defaults_block(app: App) -> str:
    """The name of the block a function inherits settings from in this dialect."""
    if app.dialect is Dialect.SERVERLESS:
        return "provider"
    if app.dialect is Dialect.SAM:
        return "Globals"
    return "template defaults"


def inherited_note(app: App, value: Value[Any]) -> str:
    """' (inherited from provider)' when the value comes from the shared block, else ''."""
    if value.origin is Origin.INHERITED:
        return f" (inherited from {defaults_block(app)})"
    return ""


def setting_loc(value: Value[Any], fallback: Loc) -> Loc:
    """Where to point for a setting: its own line when it is written somewhere, else `fallback`
    (the function line), because an absent setting is added on the function."""
    if value.origin in (Origin.SET, Origin.INHERITED, Origin.UNRESOLVED) and value.loc.path:
        return value.loc
    return fallback


def by_dialect(app: App, *, serverless: str, sam: str, cloudformation: str) -> str:
    """Pick the remediation text written in the app's own IaC syntax."""
    if app.dialect is Dialect.SERVERLESS:
        return serverless
    if app.dialect is Dialect.SAM:
        return sam
    return cloudformation
