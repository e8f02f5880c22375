"""Progress: typed events from the scan, and a line on stderr that shows counts that move.

Silent for quick scans, for a stderr that is not a terminal, with --quiet and when a machine format
goes to stdout; on a terminal, once the scan runs past the delay, the stage and `done/total`.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from fnaudit import cli
from fnaudit.config import Config
from fnaudit.pipeline import scan
from fnaudit.progress import DelayedProgress, ProgressEvent
from tests.conftest import SCAN_DATE


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_events_describe_the_stage_and_the_counts() -> None:
    assert ProgressEvent("code", 40, 300, "function").describe() == "analysing code: 40/300 functions"
    assert ProgressEvent("load", 1, 1, "template").describe() == "loading: 1/1 template"
    assert ProgressEvent("discover", 0, 0, "template").describe() == "finding templates…"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_quick_scan_prints_nothing() -> None:
    stream, clock = Tty(), Clock()
    with DelayedProgress(stream, delay=1.0, clock=clock) as p:
        p(ProgressEvent("load", 1, 1, "template"))
        clock.now += 0.9
        p(ProgressEvent("rules", 1, 1, "app"))
    assert stream.getvalue() == ""


def test_slow_scan_shows_counts_that_move_then_clears_the_line() -> None:
    stream, clock = Tty(), Clock()
    with DelayedProgress(stream, delay=1.0, interval=0.1, clock=clock) as p:
        p(ProgressEvent("load", 1, 3, "template"))  # before the delay: nothing
        clock.now += 1.5
        p(ProgressEvent("code", 2, 10, "function"))
        clock.now += 0.01
        p(ProgressEvent("code", 3, 10, "function"))  # within the interval, same stage: not redrawn
        clock.now += 0.2
        p(ProgressEvent("code", 7, 10, "function"))
        clock.now += 0.01
        p(ProgressEvent("code", 10, 10, "function"))  # a stage's last count is always drawn
        clock.now += 60.0
        p(ProgressEvent("rules", 0, 2, "app"))
    assert stream.getvalue().split("\r\x1b[2K") == [
        "",
        "fnaudit: analysing code: 2/10 functions [####................] 0:01",
        "fnaudit: analysing code: 7/10 functions [##############......] 0:01",
        "fnaudit: analysing code: 10/10 functions [####################] 0:01",
        "fnaudit: running rules: 0/2 apps [....................] 1:01",
        "",  # cleared at the end
    ]


def test_the_line_fits_the_terminal_and_a_broken_stream_is_ignored() -> None:
    class Narrow(Tty):
        def fileno(self) -> int:
            raise OSError("no terminal size")

    stream, clock = Narrow(), Clock()
    with DelayedProgress(stream, delay=0.0, clock=clock) as p:
        p(ProgressEvent("secrets", 5, 50, "function" * 20))
    assert all(len(part) <= 79 for part in stream.getvalue().split("\r\x1b[2K"))

    class Closed(Tty):
        def write(self, text: str) -> int:
            raise ValueError("I/O operation on closed file")

    with DelayedProgress(Closed(), delay=0.0, clock=clock) as p:
        p(ProgressEvent("iam", 1, 2, "function"))  # no exception


def test_the_progress_line_runs_no_thread_so_engines_can_still_fork() -> None:
    """fnaudit.engines forks workers only from a single-threaded process: a display thread (the
    timer and rich's refresher before) made every scan watched on a terminal run on one core."""
    import threading

    before = threading.active_count()
    with DelayedProgress(Tty(), delay=5.0) as p:
        assert threading.active_count() == before
        p(ProgressEvent("load", 1, 2, "template"))
        assert threading.active_count() == before


def _two_apps(root: Path) -> Path:
    for name, functions in (("a", ("one",)), ("b", ("two", "three"))):
        (root / name).mkdir(parents=True)
        body = "".join(f"  {f}:\n    handler: h.handler\n" for f in functions)
        (root / name / "serverless.yml").write_text(
            f"service: {name}\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n{body}", encoding="utf-8"
        )
        (root / name / "h.py").write_text("def handler(event, context):\n    return 1\n", encoding="utf-8")
    return root


def test_scan_reports_templates_functions_per_engine_and_apps(tmp_path: Path) -> None:
    seen: list[ProgressEvent] = []
    scan(_two_apps(tmp_path), Config(today=SCAN_DATE), progress=seen.append)
    engines = [(stage, done) for stage in ("code", "secrets", "deps", "iam") for done in (0, 1)]
    engines += [(stage, done) for stage in ("code", "secrets", "deps", "iam") for done in (1, 3)]
    assert [(e.stage, e.done, e.total, e.unit) for e in seen] == [
        ("discover", 0, 0, "template"),
        ("load", 0, 2, "template"),
        ("load", 1, 2, "template"),
        ("load", 2, 2, "template"),
        *[(stage, done, 3, "function") for stage, done in engines],
        ("rules", 0, 2, "app"),
        ("rules", 1, 2, "app"),
        ("rules", 2, 2, "app"),
    ]


def test_documents_in_workers_report_each_as_it_finishes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With workers, a document is loaded and enriched in one go: the stage counts documents as they finish."""
    from fnaudit import units

    monkeypatch.setattr(units, "_workers", lambda order, split=False: 1 if split else 2)  # whatever pytest runs
    seen: list[ProgressEvent] = []
    result = scan(_two_apps(tmp_path), Config(today=SCAN_DATE), progress=seen.append)
    assert [a.source for a in result.apps] == ["a/serverless.yml", "b/serverless.yml"]
    engines = [(e.done, e.total, e.unit) for e in seen if e.stage == "engines"]
    assert engines[0] == (0, 2, "template") and engines[-1] == (2, 2, "template")
    assert [d for d, _, _ in engines] == sorted(d for d, _, _ in engines)  # never backwards
    assert [e.stage for e in seen if e.stage != "engines"] == ["discover", "rules", "rules", "rules"]


def _args(**kw: object) -> argparse.Namespace:
    return argparse.Namespace(**{"quiet": False, "format": "table", "output": None, **kw})


def test_progress_only_for_a_person_watching_a_terminal() -> None:
    assert cli._show_progress(_args(), Tty())
    assert not cli._show_progress(_args(), io.StringIO())  # not a terminal
    assert not cli._show_progress(_args(quiet=True), Tty())
    assert not cli._show_progress(_args(format="json"), Tty())  # json to stdout: its reader is a program
    assert cli._show_progress(_args(format="json", output=Path("r.json")), Tty())
    assert cli._show_progress(argparse.Namespace(), Tty())  # commands without --format (explain-path)


@pytest.mark.usefixtures("fake_loader")
def test_no_bar_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str], app_dir: Path) -> None:
    cli.main(["scan", str(app_dir), "--fail-on", "none"])
    _, err = capsys.readouterr()
    assert err == ""
