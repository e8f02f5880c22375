"""The fleet's reports: what `fnaudit fleet report` and `fnaudit fleet diff` print.

Every renderer reads a `FleetView` (or a `FleetDiff`) from `fnaudit.fleet.model` and nothing else: the history
store builds those from its database, the tests build them by hand. Formats: `table` (the terminal), `json` (the
contract of src/fnaudit/schema/fleet-v1.json), `html` (one self-contained page with charts) and `sarif`; a diff is
a table or JSON (CI gates read the new findings; the exit code is the command's business, not the report's).

Target names, paths and messages come from the scanned repositories: every renderer cleans them
(`fnaudit.textsafe`) and the HTML page escapes them as well.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from fnaudit.fleet.model import FleetDiff, FleetView

FORMATS = ("table", "json", "html", "sarif")
DIFF_FORMATS = ("table", "json")

__all__ = ["DIFF_FORMATS", "FORMATS", "render", "render_diff"]


def render(view: FleetView, fmt: str, out: TextIO, color: bool = False) -> None:
    """Write the fleet report of `view` to `out` in `fmt` (one of `FORMATS`)."""
    if fmt == "table":
        from fnaudit.fleet.report import table

        table.render(view, out, color=color)
    elif fmt == "json":
        from fnaudit.fleet.report import json

        json.render(view, out)
    elif fmt == "html":
        from fnaudit.fleet.report import html

        html.render(view, out)
    elif fmt == "sarif":
        from fnaudit.fleet.report import sarif

        sarif.render(view, out)
    else:
        raise ValueError(f"unknown fleet report format {fmt!r} (expected one of {', '.join(FORMATS)})")


def render_diff(diff: FleetDiff, fmt: str, out: TextIO, color: bool = False) -> None:
    """Write the difference between two runs to `out` in `fmt` (one of `DIFF_FORMATS`)."""
    if fmt == "table":
        from fnaudit.fleet.report import table

        table.render_diff(diff, out, color=color)
    elif fmt == "json":
        from fnaudit.fleet.report import json

        json.render_diff(diff, out)
    else:
        raise ValueError(f"unknown fleet diff format {fmt!r} (expected one of {', '.join(DIFF_FORMATS)})")
