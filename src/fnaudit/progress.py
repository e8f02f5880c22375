"""A progress bar on stderr for scans that take more than a second.

The CLI creates it only when stderr is a terminal and --quiet is off; it stays invisible until
`delay` seconds have passed (a quick scan prints nothing), then shows a rich bar that the scan's
`progress` callback advances. It is transient: the bar disappears when the scan ends.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TextIO


class DelayedProgress:
    def __init__(self, stream: TextIO, delay: float = 1.0, steps: int = 3) -> None:
        self.stream = stream
        self.delay = delay
        self.steps = steps
        self.done = 0
        self.message = "scanning"
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._progress: object | None = None
        self._task: object | None = None
        self._closed = False

    def __enter__(self) -> DelayedProgress:
        self._timer = threading.Timer(self.delay, self._show)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._progress is not None:
                self._progress.stop()  # type: ignore[attr-defined]

    def step(self, message: str) -> None:
        """The scan's progress callback: one pipeline stage done."""
        with self._lock:
            self.done = min(self.steps, self.done + 1)
            self.message = message
            if self._progress is not None:
                self._progress.update(self._task, completed=self.done, description=message)  # type: ignore[attr-defined]

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self._lock:
            if self._closed:
                return
            console = Console(file=self.stream, stderr=True)
            progress = Progress(
                SpinnerColumn(),
                TextColumn("fnaudit: {task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self._task = progress.add_task(self.message, total=self.steps, completed=self.done)
            progress.start()
            self._progress = progress
