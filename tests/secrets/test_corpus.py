"""Every line of the labelled corpus: positives are found with the right detector, traps are quiet."""

from __future__ import annotations

import re
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
        _assert_redacted_preview(f, line.content)
        if "tests/" in line.file:
            assert f.verdict.confidence.value == "low", "a secret in a test file is reported at low confidence"


_PREVIEW = re.compile(r"^(?P<shown>.*)…\((?P<length>\d+) chars\)$")


def _assert_redacted_preview(f: Found, content: str) -> None:
    """The preview is `<first characters>…(<length> chars)`: the length is the found secret's, the
    characters shown are its start (4 of a value of 12 or more, 1 of a shorter one), and a value of
    that length starting so is on the line. Nothing else of the value is shown."""
    m = _PREVIEW.match(f.preview)
    assert m, f"preview {f.preview!r} is not `<start>…(<n> chars)`"
    shown, length = m.group("shown"), int(m.group("length"))
    assert length == f.length
    assert len(shown) == (4 if length >= 12 else 1 if length >= 4 else 0), f.preview
    starts = [i for i in range(len(content) - length + 1) if content.startswith(shown, i)]
    assert starts, f"{f.preview!r}: no value of {length} characters starting {shown!r} on the line"
