"""Wording shared by the DRIFT rules: one hit per recorded difference, on the deployed location, naming the
IaC file and line in the message and the evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fnaudit.findings import Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.drift import Change, Difference, DiffKind, Setting

_LABELS = {
    Setting.RUNTIME: "runtime",
    Setting.HANDLER: "handler",
    Setting.TIMEOUT: "timeout",
    Setting.MEMORY: "memory size",
    Setting.CONCURRENCY: "reserved concurrency",
    Setting.ENVIRONMENT: "environment variable",
    Setting.ROLE: "role permission",
    Setting.HTTP_AUTH: "route authorization",
    Setting.URL_AUTH: "function URL auth type",
    Setting.TRACING: "tracing mode",
    Setting.DEAD_LETTER: "dead-letter queue",
}


def declared_at(d: Difference) -> str:
    """`serverless.yml:12 in ../infra`: the IaC line, and the repository it belongs to when named."""
    where = str(d.declared_loc) if d.declared_loc is not None else "the IaC"
    return f"{where} in {d.declared_root}" if d.declared_root else where


def setting_hits(
    app: App,
    settings: frozenset[Setting],
    remediation: str,
    severity: Callable[[Difference], Severity | None] = lambda d: None,
) -> Iterator[Hit]:
    """A hit for each setting difference of `settings` recorded on the app."""
    for d in app.drift:
        if d.kind is not DiffKind.SETTING or d.setting not in settings:
            continue
        label = _LABELS[d.setting]
        what = f"{label} {d.item}" if d.item else label
        if d.change is Change.ADDED:
            said = f"is deployed ({d.deployed}) but not declared ({d.declared}; {declared_at(d)})"
        elif d.change is Change.REMOVED:
            said = f"is declared ({d.declared}; {declared_at(d)}) but not deployed ({d.deployed})"
        else:
            said = f"is {d.deployed} deployed but {d.declared} in the IaC ({declared_at(d)})"
        yield Hit(
            d.deployed_loc,
            f"function {d.function}: {what} {said}",
            function=d.deployed_function_id,
            evidence=f"{d.setting.value}{' ' + d.item if d.item else ''}: declared {d.declared} at {declared_at(d)}; "
            f"deployed {d.deployed}",
            remediation=remediation,
            severity=severity(d),
            key=f"{d.setting.value}|{d.item}|{d.change.value}",
        )
