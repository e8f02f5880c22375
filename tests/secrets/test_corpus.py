"""Every line of the labelled corpus: positives are found with the right detector, traps are quiet."""

from __future__ import annotations

from functools import cache

import pytest

from fnaudit.engines.secrets.detectors import BY_ID, GENERIC_PASSWORD, GENERIC_SECRET
from fnaudit.engines.secrets.scanner import Found, classify, scan_text
from tests.secrets.corpus import Line, files, load

LINES = load()


@cache
def _found() -> dict[tuple[str, int], list[Found]]:
    out: dict[tuple[str, int], list[Found]] = {}
    for name, text in files(LINES).items():
        kind = classify(name)
        assert kind is not None, f"corpus file {name} is not a file the scanner reads"
        for f in scan_text(name, text, kind[0], kind[1]):
            out.setdefault((name, f.line), []).append(f)
    return out


def test_corpus_is_large_and_covers_every_detector() -> None:
    assert len(LINES) >= 300
    expected = {ln.expect for ln in LINES if ln.expect}
    assert set(BY_ID) <= expected, f"detectors without a corpus line: {sorted(set(BY_ID) - expected)}"
    assert expected <= set(BY_ID) | {GENERIC_SECRET, GENERIC_PASSWORD}
    assert sum(1 for ln in LINES if ln.expect is None) >= 100


@pytest.mark.parametrize("line", LINES, ids=lambda ln: ln.id)
def test_corpus_line(line: Line) -> None:
    got = _found().get((line.file, line.number), [])
    if line.expect is None:
        assert not got, f"{line.content!r} ({line.reason}) reported as {[f.verdict.detector for f in got]}"
        return
    detectors = [f.verdict.detector for f in got]
    assert line.expect in detectors, f"{line.content[:60]!r}: expected {line.expect}, got {detectors}"
    for f in got:
        assert line.content[f.length:] == "" or f.preview not in ("",)
        if "tests/" in line.file:
            assert f.verdict.confidence.value == "low", "a secret in a test file is reported at low confidence"
