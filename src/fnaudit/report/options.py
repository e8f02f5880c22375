"""Presentation choices a caller may make; they change how a result looks, never what it says."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RenderOptions:
    color: bool = False  # the CLI decides (TTY, NO_COLOR, --no-color); reporters never sniff the terminal
    verbose: bool = False  # table: list every error and the suppressed findings
    quiet: bool = False  # table: the summary line only
    width: int | None = None  # terminal width; None = wide enough never to cut a path
    # table, markdown: list info findings one by one (`--show info`); by default one summary line per app
    # counts them (fnaudit.report.info_summary). Other formats always carry them in full.
    show_info: bool = False
