"""Grouping shared by the DEP rules: one finding per package occurrence (lockfile line), naming
every function that ships it, or none (a lockfile or manifest of the app that no function ships)."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Severity
from fnaudit.model.app import App
from fnaudit.model.package import Advisory, Package, Reachability

_LOWER = {
    Severity.CRITICAL: Severity.HIGH,
    Severity.HIGH: Severity.MEDIUM,
    Severity.MEDIUM: Severity.LOW,
    Severity.LOW: Severity.LOW,
    Severity.INFO: Severity.INFO,
}


def occurrences(app: App) -> Iterator[tuple[Package, list[str], list[Package]]]:
    """(package, function ids, the same package as each function holds it), one per (package, file, line)."""
    groups: dict[tuple[str, str, str, str, int], tuple[Package, list[str], list[Package]]] = {}
    for fn in app.functions:
        for p in fn.packages:
            k = (*p.key, p.loc.path, p.loc.line)
            if k not in groups:
                groups[k] = (p, [], [])
            if fn.id not in groups[k][1]:
                groups[k][1].append(fn.id)
                groups[k][2].append(p)
    for p in app.packages:  # no function ships it: reported all the same, with no function
        k = (*p.key, p.loc.path, p.loc.line)
        if k not in groups:
            groups[k] = (p, [], [p])
    for k in sorted(groups):
        yield groups[k]


def merged_reachability(per_fn: list[Package], advisory_id: str) -> str:
    states = {a.reachable for p in per_fn for a in p.advisories or () if a.id == advisory_id}
    if Reachability.REACHABLE in states:
        return Reachability.REACHABLE
    if states == {Reachability.NOT_REACHABLE}:
        return Reachability.NOT_REACHABLE
    return Reachability.UNKNOWN


def severity_of(advisory: Advisory, reach: str) -> Severity:
    base = Severity(advisory.severity) if advisory.severity else Severity.MEDIUM
    return _LOWER[base] if reach == Reachability.NOT_REACHABLE else base


def describe(p: Package) -> str:
    """`name 1.2.3 (npm)`, or for a range with no lockfile `name ^2.0.10 (npm)`."""
    return f"{p.name} {p.version or p.requirement} ({p.ecosystem})"


def who(fn_ids: list[str], app: App) -> tuple[str | None, tuple[str, ...]]:
    """Hit.function when exactly one function, Hit.functions always."""
    ids = tuple(sorted(fn_ids))
    return (ids[0] if len(ids) == 1 else None), ids


def shipped(fn_ids: list[str], app: App) -> str:
    """`shipped by a, b`, or `no function ships it` for a lockfile or manifest no function claims."""
    return f"shipped by {names(fn_ids, app)}" if fn_ids else "no function ships it"


def names(fn_ids: list[str], app: App) -> str:
    by_id = {f.id: f.name for f in app.functions}
    shown = sorted(by_id.get(i, i) for i in fn_ids)
    return ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
