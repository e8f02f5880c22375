"""Grouping shared by the DEP rules: one finding per package occurrence (lockfile line), naming
every function that ships it, or none (a lockfile or manifest of the app that no function ships)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from fnaudit.findings import Severity
from fnaudit.model.app import App
from fnaudit.model.package import Advisory, Package, Reachability
from fnaudit.model.unclaimed import UNCLAIMED

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


def merged_reachability(per_fn: list[Package]) -> str:
    """Whether the handlers import the package: reachable when one does, not reachable only when none
    can (the engine gives every advisory of a package the same state, per function)."""
    states = {a.reachable for p in per_fn for a in (*(p.advisories or ()), *p.partial)}
    if Reachability.REACHABLE in states:
        return Reachability.REACHABLE
    if states == {Reachability.NOT_REACHABLE}:
        return Reachability.NOT_REACHABLE
    return Reachability.UNKNOWN


def base_severity(advisory: Advisory) -> Severity:
    """The advisory's own severity; an unrated one counts as medium."""
    return Severity(advisory.severity) if advisory.severity else Severity.MEDIUM


def severity_of(advisories: tuple[Advisory, ...], reach: str) -> Severity:
    """The worst advisory decides, lowered one level when the handlers do not import the package."""
    base = max((base_severity(a) for a in advisories), key=lambda s: s.rank, default=Severity.MEDIUM)
    return _LOWER[base] if reach == Reachability.NOT_REACHABLE else base


def worst_first(advisories: Iterable[Advisory]) -> tuple[Advisory, ...]:
    """Advisories by severity (then CVSS score) worst first; ties by id, as the engine sorts them."""
    return tuple(sorted(advisories, key=lambda a: (-base_severity(a).rank, -(a.score or 0.0))))


def rated(advisory: Advisory) -> str:
    """`CVSS 9.8`, else the database's rating, else `not rated`."""
    return f"CVSS {advisory.score:g}" if advisory.score is not None else (advisory.severity or "not rated")


MAX_LISTED = 5  # advisories spelled out in a message; the JSON and SARIF `advisories` list every one


def listing(advisories: tuple[Advisory, ...]) -> str:
    """`GHSA-a, CVE-1 (CVSS 9.8): summary; GHSA-b (high): summary` for the first few, then `and N more`."""
    shown = [f"{', '.join(a.ids)} ({rated(a)}): {a.summary or 'no summary'}" for a in advisories[:MAX_LISTED]]
    more = len(advisories) - MAX_LISTED
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def fix_text(advisories: tuple[Advisory, ...], fix: str | None) -> str:
    """`fixed in X`, `X fixes all 3`, or which advisory has no fixed version."""
    if fix is not None:
        return f"fixed in {fix}" if len(advisories) == 1 else f"all fixed in {fix}"
    unfixed = [a.id for a in advisories if a.fixed is None]
    if len(advisories) == 1:
        return "no fixed version known"
    if unfixed:
        return f"no fixed version known for {', '.join(unfixed)}"
    return "no single known version fixes them all"


def describe(p: Package) -> str:
    """`name 1.2.3 (npm)`, or for a range with no lockfile `name ^2.0.10 (npm)`."""
    return f"{p.name} {p.version or p.requirement} ({p.ecosystem})"


def who(fn_ids: list[str], app: App) -> tuple[str | None, tuple[str, ...]]:
    """Hit.function when exactly one function, Hit.functions always."""
    ids = tuple(sorted(fn_ids))
    return (ids[0] if len(ids) == 1 else None), ids


def attribution(fn_ids: list[str]) -> str | None:
    """Hit.attribution: "unclaimed" for a lockfile or manifest no function ships, else None."""
    return None if fn_ids else UNCLAIMED


def shipped(fn_ids: list[str], app: App) -> str:
    """`shipped by a, b`, or `no function ships it` for a lockfile or manifest no function claims."""
    return f"shipped by {names(fn_ids, app)}" if fn_ids else "no function ships it"


def names(fn_ids: list[str], app: App) -> str:
    by_id = {f.id: f.name for f in app.functions}
    shown = sorted(by_id.get(i, i) for i in fn_ids)
    return ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
