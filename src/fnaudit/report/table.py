"""The terminal report: findings grouped by function, worst first, then a one-line summary.

Function groups come in the order of their risk (`fnaudit.risk`: exposure × exploitability × blast
radius), then groups shared by several functions (by their riskiest function), then app-level
findings (no function); ties keep the order of their worst finding (the result is sorted by
severity, then function), so the function that needs attention first is at the top. When the
output is not a terminal the text is plain and never cut: paths are what a person copies into an
editor.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from fnaudit.findings import Finding, Severity
from fnaudit.report.options import RenderOptions

if TYPE_CHECKING:
    from fnaudit.model.app import App, Function
    from fnaudit.scan import ScanResult

STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
_UNCUT = 10_000  # "width" of a pipe: wide enough that rich never wraps or truncates a row


def render(result: ScanResult, out: TextIO, options: RenderOptions | None = None) -> None:
    opts = options or RenderOptions()
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=opts.width or _UNCUT,
        force_terminal=opts.color,
        no_color=not opts.color,
        color_system="standard" if opts.color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    if not opts.quiet:
        _findings(console, result, opts)
        if result.errors and opts.verbose:
            _errors(console, result)
    console.print(summary(result), style="bold" if result.active_findings else "green")
    if result.errors and not opts.verbose and not opts.quiet:
        console.print(f"(details of the {_plural(len(result.errors), 'error')} with --verbose)", style="dim")
    # rich pads table cells to the column width; trailing blanks only make diffs and copies noisy.
    out.write("\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n")


def groups(result: ScanResult, include_suppressed: bool = False) -> list[tuple[str, list[Finding]]]:
    """(heading, findings) per function, in order of each group's worst finding."""
    owners = _owners(result.apps)
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for f in result.findings:
        if f.suppressed and not include_suppressed:
            continue
        if f.function_id:
            key = ("fn", f.function_id)
        elif f.functions:
            key = ("shared", ", ".join(f.functions))
        else:
            key = ("app", f.location.path)
        grouped.setdefault(key, []).append(f)
    out = []
    ranks: list[tuple[int, float]] = []
    by_name = {fn.name: fn.id for _, fn in owners.values()}
    for (kind, ident), findings in grouped.items():
        if kind == "fn":
            ranks.append((0, -_risk(result, ident)))
        elif kind == "shared":
            ranks.append((1, -max((_risk(result, by_name.get(n, "")) for n in ident.split(", ")), default=0.0)))
        else:
            ranks.append((2, 0.0))
        if kind == "app":
            heading = f"{ident or result.target} (app-level)"
        elif kind == "shared":
            heading = f"shared by {ident} ({findings[0].location.path})"
        elif ident in owners:
            app, fn = owners[ident]
            heading = f"{fn.name} ({app.source})"
            if fn.blast_radius is not None:  # the IAM engine's score (fnaudit.engines.iam.blast), for ranking
                heading += f" · blast radius {fn.blast_radius.score:g}"
            if ident in result.risk:
                heading += f" · risk {result.risk[ident].score:g}"
        else:
            heading = findings[0].function or ident
        out.append((heading, findings))
    if not result.risk:
        return out
    # functions by risk, then the groups shared by several functions, then app-level findings; stable,
    # so ties keep the worst-finding order
    order = sorted(range(len(out)), key=lambda i: ranks[i])
    return [out[i] for i in order]


def _risk(result: ScanResult, function_id: str) -> float:
    r = result.risk.get(function_id)
    return r.score if r is not None else 0.0


def summary(result: ScanResult) -> str:
    """`12 findings (2 critical, 5 high, …) in 5 functions across 1 app; 3 suppressed; 1 error`."""
    active = result.active_findings
    scope = f"in {_plural(len(result.functions), 'function')} across {_plural(len(result.apps), 'app')}"
    if active:
        counts = [f"{n} {s.value}" for s in Severity if (n := sum(1 for f in active if f.severity is s))]
        text = f"{_plural(len(active), 'finding')} ({', '.join(counts)}) {scope}"
    else:
        text = f"No findings {scope}"
    suppressed = len(result.findings) - len(active)
    if suppressed:
        text += f"; {suppressed} suppressed"
    if result.errors:
        text += f"; {_plural(len(result.errors), 'error')}"
    return text


def _findings(console: Console, result: ScanResult, opts: RenderOptions) -> None:
    shown = groups(result, include_suppressed=opts.verbose)
    rows = [f for _, findings in shown for f in findings]
    # One table per group, but the same column widths in all of them so the report reads as one.
    rule_width = max((len(f"{f.rule_id} {f.rule_name}") for f in rows), default=0)
    loc_width = max((len(str(f.location)) for f in rows), default=0)
    for heading, findings in shown:
        console.print(Text(heading, style="bold underline"))
        table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
        table.add_column("severity", no_wrap=True, min_width=10)
        table.add_column("rule", no_wrap=True, min_width=rule_width)
        table.add_column("location", no_wrap=True, min_width=loc_width)
        table.add_column("message", overflow="fold")
        for f in sorted(findings, key=Finding.sort_key):
            message = Text(f.message)
            if f.suppression is not None:
                message.append(f"  [suppressed ({f.suppression.kind}): {f.suppression.reason}]", style="dim")
            table.add_row(
                Text.assemble("  ", (f.severity.value, STYLE[f.severity])),
                Text(f"{f.rule_id} {f.rule_name}"),
                Text(str(f.location)),
                message,
            )
        console.print(table)
        console.print()


def _errors(console: Console, result: ScanResult) -> None:
    console.print(Text("Errors", style="bold underline"))
    for e in result.errors:
        console.print(Text(f"  {e.path or result.target}: {e.message} [{e.stage}]", style="red"))
    console.print()


def _owners(apps: Iterable[App]) -> dict[str, tuple[App, Function]]:
    return {fn.id: (app, fn) for app in apps for fn in app.functions}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
