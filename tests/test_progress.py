"""The progress bar: silent for quick scans, shown on a terminal once the scan runs past the delay."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from fnaudit import cli
from fnaudit.progress import DelayedProgress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_quick_scan_prints_nothing() -> None:
    stream = Tty()
    with DelayedProgress(stream, delay=5.0, steps=3) as p:
        p.step("loaded 1 app(s)")
        p.step("ran 4 rule(s)")
    assert stream.getvalue() == ""


def test_slow_scan_shows_a_bar() -> None:
    stream = Tty()
    with DelayedProgress(stream, delay=0.01, steps=3) as p:
        time.sleep(0.3)
        p.step("loaded 1 app(s)")
        time.sleep(0.3)
    out = stream.getvalue()
    assert "fnaudit:" in out and "loaded 1 app(s)" in out


@pytest.mark.usefixtures("fake_loader")
def test_scan_reports_progress_steps(app_dir: Path) -> None:
    from fnaudit.scan import scan

    seen: list[str] = []
    scan(app_dir, progress=seen.append)
    assert len(seen) == 3 and seen[0].startswith("loaded")


@pytest.mark.usefixtures("fake_loader")
def test_no_bar_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str], app_dir: Path) -> None:
    cli.main(["scan", str(app_dir), "--fail-on", "none"])
    _, err = capsys.readouterr()
    assert err == ""
