"""Progress of a scan: typed events from the pipeline, and a line on stderr for scans that take a while.

The scan reports `ProgressEvent(stage, done, total, unit)`: templates loaded of those found,
functions analysed of the total (per engine: code, secrets, deps, iam), apps whose rules ran.

The CLI creates `DelayedProgress` only when stderr is a terminal, --quiet is off and no machine
format goes to stdout. It draws nothing for the first `delay` seconds (a quick scan prints
nothing), then one line, redrawn in place at most every `interval` seconds: the stage, `done/total`,
a bar and the time spent; the line is cleared at the end. It runs no thread of its own: it draws
from the callback, in the scanning thread. A live thread would keep the engines from forking their
workers (fnaudit.engines forks only a single-threaded process), so a scan watched on a terminal
would lose its parallelism; and the callback stays cheap (a clock read, and a write a few times a
second at most).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self, TextIO

# What each stage is doing, for the line shown: "analysing code: 40/300 functions".
_VERBS = {
    "discover": "finding templates",
    "load": "loading",
    "code": "analysing code",
    "secrets": "looking for secrets",
    "deps": "matching dependencies",
    "iam": "evaluating permissions",
    "engines": "analysing",
    "rules": "running rules",
    "report": "writing the report",
}


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    stage: str  # discover | load | code | secrets | deps | iam | engines (parallel: all of them) | rules
    done: int
    total: int
    unit: str = "app"  # what is counted: template | function | app

    def describe(self) -> str:
        if self.total == 0:
            return f"{_VERBS.get(self.stage, self.stage)}…"
        plural = self.unit if self.total == 1 else self.unit + "s"
        return f"{_VERBS.get(self.stage, self.stage)}: {self.done}/{self.total} {plural}"


ProgressCallback = Callable[[ProgressEvent], None]


class DelayedProgress:
    BAR = 20  # cells

    def __init__(
        self,
        stream: TextIO,
        delay: float = 1.0,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.delay = delay
        self.interval = interval
        self.clock = clock
        self.event = ProgressEvent("discover", 0, 0, "template")
        self._started = 0.0
        self._drawn_at: float | None = None  # None: nothing on the terminal to clear
        self._drawn_stage = ""

    def __enter__(self) -> Self:
        self._started = self.clock()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._drawn_at is not None:
            self._write("\r\x1b[2K")  # transient: the report starts on a clean line

    def __call__(self, event: ProgressEvent) -> None:
        """The scan's progress callback: remember the event; draw it when the scan is slow enough."""
        self.event = event
        now = self.clock()
        if now - self._started < self.delay:
            return
        burst = self._drawn_at is not None and now - self._drawn_at < self.interval and event.stage == self._drawn_stage
        if burst and event.done != event.total:
            return  # many events within one stage: a later one (at the latest, the stage's last) is drawn
        self._drawn_at, self._drawn_stage = now, event.stage
        self._write("\r\x1b[2K" + self.line(now)[: self._width() - 1])

    def line(self, now: float) -> str:
        e = self.event
        seconds = int(now - self._started)
        elapsed = f"{seconds // 60}:{seconds % 60:02d}"
        if e.total:
            full = min(self.BAR, self.BAR * e.done // e.total)
            return f"fnaudit: {e.describe()} [{'#' * full}{'.' * (self.BAR - full)}] {elapsed}"
        return f"fnaudit: {e.describe()} {elapsed}"

    def _width(self) -> int:
        try:
            return os.get_terminal_size(self.stream.fileno()).columns or 80
        except (AttributeError, OSError, ValueError):
            return 80

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr must not end the scan
            pass
