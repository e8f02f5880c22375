"""The fleet report for a terminal: a summary line, the targets, the riskiest functions, what is new and fixed
since the run compared against, and the attack paths across the fleet.

Laid out with rich tables, never cut: when the output is a pipe (a CI log) the rows are as wide as their text,
so a path or message is what a person copies. Every string from a scanned repository (target names, paths,
functions, messages) goes through `one_line` and into rich as `Text`, never markup, so an escape sequence or
"[red]" in a message cannot style the terminal. Trailing blanks of padded columns are stripped.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TextIO

from fnaudit.findings import Severity
from fnaudit.fleet.model import Status
from fnaudit.report.table import STYLE  # the scan table's severity colours (a StrEnum key is its text)
from fnaudit.textsafe import one_line

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from fnaudit.fleet.model import FleetDiff, FleetFinding, FleetView, RunInfo

SEVERITIES = tuple(Severity)  # worst first, as the scan's findings
STATUS_STYLE = {Status.OK: "green", Status.FAILED: "bold red", Status.TIMEOUT: "red", Status.NOT_AN_APP: "dim"}
_UNCUT = 10_000  # the console's width: wider than any row, so rich never wraps or truncates one


def render(view: FleetView, out: TextIO, color: bool = False) -> None:
    console, buffer = _console(color)
    console.print(_text(headline(view), "bold"))
    if view.targets:
        console.print()
        console.print(_text("Targets", "bold"))
        console.print(_targets(view))
        failed = [t for t in view.targets if t.status in (Status.FAILED, Status.TIMEOUT)]
        for t in failed:
            console.print(_text(f"  {t.name} {t.status.value}: {t.error or 'no reason recorded'}", "red"))
    if view.riskiest:
        console.print()
        console.print(_text("Riskiest functions", "bold"))
        console.print(_riskiest(view))
    since = f"run #{view.since_run.id}" if view.since_run else "the first run"
    for title, findings in (
        (f"New since {since}", view.new),
        (f"Fixed since {since}", view.fixed),
        ("Attack paths", view.attack_paths),
    ):
        if findings:
            console.print()
            console.print(_text(f"{title} ({len(findings)})", "bold"))
            console.print(_findings(findings, color))
    _write(buffer, out)


def render_diff(diff: FleetDiff, out: TextIO, color: bool = False) -> None:
    console, buffer = _console(color)
    console.print(
        _text(
            f"Run #{diff.run_a.id} ({diff.run_a.started_at}) → run #{diff.run_b.id} ({diff.run_b.started_at}): "
            f"{len(diff.new)} new, {len(diff.fixed)} fixed",
            "bold",
        )
    )
    for title, findings in ((f"New in run #{diff.run_b.id}", diff.new), (f"Fixed in run #{diff.run_b.id}", diff.fixed)):
        if findings:
            console.print()
            console.print(_text(f"{title} ({len(findings)})", "bold"))
            console.print(_findings(findings, color))
    _write(buffer, out)


def headline(view: FleetView) -> str:
    """One line: which run, how many targets (and failed), active findings, and new / fixed since what."""
    if view.latest_run is None:
        return "Fleet: no run in the history yet"
    run = view.latest_run
    parts = [
        f"Fleet run #{run.id} ({_when(run)})",
        f"{_plural(run.targets, 'target')}, {run.failed} failed",
        f"{_plural(view.total_findings, 'active finding')}",
    ]
    since = f"since run #{view.since_run.id}" if view.since_run else "in the first run"
    parts.append(f"{len(view.new)} new and {len(view.fixed)} fixed {since}")
    return " · ".join(parts)


def _when(run: RunInfo) -> str:
    return f"started {run.started_at}" + (f", finished {run.finished_at}" if run.finished_at else ", not finished")


def _targets(view: FleetView) -> Table:
    from rich.text import Text

    table = _table(
        ["Target", "Status", "Risk", *(s.capitalize() for s in SEVERITIES), "Total"], right={2, 3, 4, 5, 6, 7, 8, 9}
    )
    for t in view.targets:
        counts = dict(t.counts)
        table.add_row(
            Text(one_line(t.name)),
            Text(t.status.value, style=STATUS_STYLE.get(t.status, "")),
            Text(f"{t.risk:g}"),
            *(Text(str(counts.get(s, 0)), style=STYLE[s] if counts.get(s) else "dim") for s in SEVERITIES),
            Text(str(t.total), style="bold"),
        )
    return table


def _riskiest(view: FleetView) -> Table:
    from rich.text import Text

    table = _table(["Target", "Function", "App", "Risk", "Blast radius", "Findings", "Public"], right={3, 4, 5})
    for r in view.riskiest:
        fn = r.function
        table.add_row(
            Text(one_line(r.target)),
            Text(one_line(fn.name), style="bold"),
            Text(one_line(fn.app)),
            Text(f"{fn.risk:g}"),
            Text(f"{fn.blast_radius:g}"),
            Text(str(r.findings)),
            Text("yes" if fn.public else "no", style="red" if fn.public else ""),
        )
    return table


def _findings(findings: Sequence[FleetFinding], color: bool) -> Table:
    from rich.text import Text

    table = _table(["Severity", "Rule", "Target", "Location", "Function", "First seen", "Message"], right=set())
    for f in findings:
        r = f.record
        table.add_row(
            Text(r.severity, style=_style(r.severity)),
            Text(one_line(r.rule_id), style="bold"),
            Text(one_line(f.target)),
            Text(one_line(location(f))),
            Text(one_line(r.function or "-")),
            Text(f"run #{f.first_seen_run}"),
            Text(one_line(r.message)),
        )
    return table


def location(f: FleetFinding) -> str:
    """`path:line`, `path key` for a deployed resource's configuration key, or the path alone."""
    r = f.record
    where = r.path + (f":{r.line}" if r.line > 0 else "")
    return f"{where} {r.key}" if r.key else where


def _table(headers: Iterable[str], right: set[int]) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for i, h in enumerate(headers):
        table.add_column(h, justify="right" if i in right else "left", no_wrap=True)
    return table


def _console(color: bool) -> tuple[Console, io.StringIO]:
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=_UNCUT,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    return console, buffer


def _text(text: str, style: str = "") -> object:
    from rich.text import Text

    return Text(one_line(text), style=style)


def _write(buffer: io.StringIO, out: TextIO) -> None:
    # padded columns leave trailing blanks; they only make diffs and CI logs noisy
    out.write("\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _style(severity: str) -> str:
    """The colour of a severity as the history stored it (text); none for a value fnaudit does not know."""
    try:
        return STYLE[Severity(severity)]
    except ValueError:
        return ""
