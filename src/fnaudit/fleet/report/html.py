"""The HTML fleet report: one self-contained page (styles, script and charts inline; nothing fetched).

A summary (active findings, new and fixed since the run compared against, targets and failures), three charts
drawn as SVG in Python (`charts`: new vs fixed per run, targets by risk, top rules), the targets table (sorted
by a click on a column heading, filtered by name and status), the riskiest functions, and the new, fixed and
attack-path findings. The page's Content-Security-Policy forbids every network fetch, like the scan report's.

Target names, paths and messages come from scanned repositories: Jinja autoescapes every value, and the
environment's `finalize` hook first replaces control and bidi characters (`safe_text.clean`); the charts escape
their own labels.
"""

from __future__ import annotations

from typing import Any, TextIO

from fnaudit import __version__
from fnaudit.fleet.model import FleetView, Status
from fnaudit.fleet.report import charts
from fnaudit.fleet.report.table import SEVERITIES, headline, location
from fnaudit.report.html import asset, environment


def render(view: FleetView, out: TextIO) -> None:
    out.write(document(view))


def document(view: FleetView) -> str:
    template = environment().get_template("fleet.html.j2")  # the scan report's environment: escaping, cleaning
    return template.render(
        **context(view), css=asset("fleet.css"), js=asset("fleet.js"), version=__version__, location=location
    )


def context(view: FleetView) -> dict[str, Any]:
    failed = [t for t in view.targets if t.status in (Status.FAILED, Status.TIMEOUT)]
    return {
        "view": view,
        "headline": headline(view),
        "severities": SEVERITIES,
        "counts": [dict(t.counts) for t in view.targets],
        "failed": failed,
        "since": f"run #{view.since_run.id}" if view.since_run else "the first run",
        "trend_chart": charts.trend(view.trend),
        "risk_chart": charts.risk_histogram([t for t in view.targets if t.status is Status.OK]),
        "rules_chart": charts.top_rules(view.by_rule),
    }
