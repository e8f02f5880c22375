"""Info findings in the reports people read top to bottom: one summary line per app instead of a row each.

Monitoring and hygiene checks (tracing off, no log retention, the maximum timeout, no failure destination)
are true of most functions of most apps and rarely the thing to fix first; listed one by one they made up a
third of a typical report and buried the findings that matter. The terminal table and the Markdown comment
therefore count `info` findings per app in one line ("5 functions without tracing, 5 without log retention:
--show info"), unless the user asks for them (`--show info`, or `show = ["info"]` in the configuration).
JSON, SARIF, HTML and the CI formats always carry every finding in full: they are read by tools.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fnaudit.findings import Finding, Severity

if TYPE_CHECKING:
    from fnaudit.model.app import App
    from fnaudit.pipeline import ScanResult

# How the summary line counts the findings of each hygiene rule: (noun, what is missing). Rules not named
# here that report at info (a rule lowered by the user's `severity` table, an informational IAM note) are
# counted as "other info findings".
PHRASES: dict[str, tuple[str, str]] = {
    "OBS001": ("function", "without tracing"),
    "OBS002": ("function", "without log retention"),
    "DOS002": ("function", "with the maximum timeout"),
    "DOS004": ("async function", "without a failure destination"),
}
HINT = "--show info"


@dataclass(frozen=True, slots=True)
class AppInfo:
    """The info findings of one app (or of none: `app` is None for findings no app holds)."""

    app: App | None
    findings: tuple[Finding, ...]

    @property
    def line(self) -> str:
        """`5 functions without tracing, 5 without log retention: --show info` (prefixed with the app's
        IaC file when the scan found several apps, by `lines`)."""
        counts: dict[str, int] = {}
        for f in self.findings:
            # a phrase counts functions: a finding about no function (a user's own info rule) is an "info finding"
            code = f.rule_id if f.function_id or f.functions else ""
            counts[code] = counts.get(code, 0) + 1
        parts: list[str] = []
        noun = ""
        for code, (word, what) in PHRASES.items():
            if code not in counts:
                continue
            n = counts[code]
            # "5 functions without tracing, 5 without log retention": the noun once while it stays the same
            parts.append(f"{n} {what}" if word == noun else f"{n} {_plural(n, word)} {what}")
            noun = word
        other = sum(n for code, n in counts.items() if code not in PHRASES)
        if other:
            parts.append(f"{other} {'other ' if parts else ''}{_plural(other, 'info finding')}")
        return f"{', '.join(parts)}: {HINT}"


def is_hidden(f: Finding, show_info: bool) -> bool:
    """Whether a reader's report (table, Markdown) leaves `f` out of its rows for the summary line."""
    return f.severity is Severity.INFO and not show_info


def per_app(result: ScanResult) -> list[AppInfo]:
    """The unsuppressed info findings of each app, in the order of the apps; apps without any are left out."""
    info = [f for f in result.active_findings if f.severity is Severity.INFO]
    if not info:
        return []
    owner = {fn.id: app for app in result.apps for fn in app.functions}
    by_app: dict[int, list[Finding]] = {}
    for f in info:
        app = owner.get(f.function_id or "") or _app_of_path(result.apps, f.location.path)
        key = result.apps.index(app) if app is not None else len(result.apps)
        by_app.setdefault(key, []).append(f)
    return [
        AppInfo(result.apps[i] if i < len(result.apps) else None, tuple(findings))
        for i, findings in sorted(by_app.items())
    ]


def lines(result: ScanResult) -> list[str]:
    """One line per app with info findings; named by the app's IaC file when there are several apps."""
    groups = per_app(result)
    named = len(result.apps) > 1 or any(g.app is None for g in groups)
    return [f"{_where(g.app, result.target)}: {g.line}" if named else g.line for g in groups]


def _where(app: App | None, target: str) -> str:
    return app.source if app is not None else target


def _app_of_path(apps: Iterable[App], path: str) -> App | None:
    """The app whose folder holds `path` (the deepest, for nested apps), for findings without a function."""
    best: App | None = None
    for app in apps:
        inside = not app.root or path == app.root or path.startswith(app.root.rstrip("/") + "/")
        if inside and (best is None or len(app.root) > len(best.root)):
            best = app
    return best


def _plural(n: int, word: str) -> str:
    return word if n == 1 else f"{word}s"
