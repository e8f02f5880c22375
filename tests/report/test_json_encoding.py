"""The JSON report's own encoder (`report.json.dumps`, issue 18): the bytes `json.dump(..., indent=2,
ensure_ascii=False)` writes, for every document, while most of the work is done by the C encoder; and
`render` skipping `clean_tree` only when cleaning could not change the text."""

from __future__ import annotations

import enum
import io
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fnaudit.pipeline import scan
from fnaudit.report import json as json_report
from fnaudit.textsafe import clean_tree, json_text_is_clean
from tests.report.builders import make_result
from tests.report.test_untrusted_text import EVIL, evil_result

EXAMPLE = Path(__file__).resolve().parents[2] / "examples"


def stdlib(doc: Any) -> str:
    """What `render` wrote before it had its own encoder."""
    out = io.StringIO()
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")
    return out.getvalue()


def rendered(result: Any) -> str:
    out = io.StringIO()
    json_report.render(result, out)
    return out.getvalue()


class Colour(enum.StrEnum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


TEXT = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('\x00\x1b\r\b\f\t\n"\\\x7f\x85\u202e\u2028'))
SCALARS = (
    TEXT
    | st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([Colour.RED, Level.HIGH, -0.0, 1e16, 1e-7, 0.1])
)
KEYS = TEXT | st.integers(-5, 5) | st.sampled_from([None, True, False, 1.5, -0.0])
TREES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5) | st.lists(inner, max_size=3).map(tuple) | st.dictionaries(KEYS, inner, max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(TREES)
def test_dumps_writes_what_the_standard_encoder_writes_with_indent(doc: Any) -> None:
    assert json_report.dumps(doc) == json.dumps(doc, indent=2, ensure_ascii=False)


@pytest.mark.parametrize(
    "doc",
    [
        {},
        [],
        "",
        0,
        float("nan"),
        {"a": {}, "b": [], "c": [[]], "d": [{}, {"e": ()}]},
        {"x": [1, [2, [3, {"y": "ü→\u202e\x1b"}]], 4], "z": None},
        {1: {"n": [True]}, None: [1], 2.5: "x", False: {"k": "v"}},
        [{"k": 1}, "s", {"k": [1, 2]}, 3, [], {}],
    ],
)
def test_dumps_on_shapes_that_mix_containers_and_scalars(doc: Any) -> None:
    assert json_report.dumps(doc) == json.dumps(doc, indent=2, ensure_ascii=False)


def test_dumps_refuses_what_json_refuses_with_the_same_error() -> None:
    for doc in ({"a": [object()]}, {"a": {(1, 2): 1, "b": [1]}}, [{1, 2}]):
        with pytest.raises(TypeError) as ours:
            json_report.dumps(doc)
        with pytest.raises(TypeError) as theirs:
            json.dumps(doc, indent=2, ensure_ascii=False)
        assert str(ours.value) == str(theirs.value)


def test_render_of_a_full_scan_is_the_standard_encoders_text() -> None:
    result = scan(EXAMPLE)
    assert result.findings and result.stats.stages  # a real report: findings, coverage, stats
    text = rendered(result)
    assert text == stdlib(json_report.document(result))
    assert not text.isascii()  # the example app's report holds non-ASCII text (→, …), written as UTF-8


def test_render_cleans_untrusted_text_exactly_as_clean_tree_does() -> None:
    result = evil_result()
    text = rendered(result)
    assert text == stdlib(clean_tree(json_report._document(result)))
    assert "\\\\x1b[2J\\\\u202e[red]x[/red]\\\\x0d\\\\x9b\\\\x07" in text  # EVIL, escaped then JSON-escaped
    assert EVIL not in json.loads(text)["findings"][0]["message"]


@pytest.mark.parametrize("bad", ["\x1b", "\r", "\b", "\f", "\x00", "\x7f", "\x9b", "\u202e", "\u2028", "\ud800"])
def test_one_unsafe_character_anywhere_makes_render_clean_the_document(bad: str) -> None:
    result = make_result()
    result = replace(result, target=f"app{bad}dir")
    text = rendered(result)
    assert text == stdlib(json_report.document(result))
    escape = f"\\x{ord(bad):02x}" if ord(bad) < 0x100 else f"\\u{ord(bad):04x}"
    assert json.loads(text)["target"] == f"app{escape}dir"


def test_json_text_is_clean_spots_every_character_clean_escapes() -> None:
    for bad in ["\x1b", "\r", "\b", "\f", "\x00", "\x1f", "\x7f", "\x85", "\u061c", "\u200e", "\u2066", "\uffff"]:
        assert not json_text_is_clean(json.dumps({"k": f"a{bad}b"}, ensure_ascii=False)), repr(bad)
        assert not json_text_is_clean(json.dumps({f"a{bad}b": 1}, ensure_ascii=False)), repr(bad)
    assert json_text_is_clean(json.dumps({"k": "tab\tline\nü → ✓", "n": [1.5, None]}, ensure_ascii=False, indent=2))
    # an escaped backslash before b/f/r/u00 is only a false alarm: render then takes the careful way
    assert not json_text_is_clean(json.dumps("C:\\reports", ensure_ascii=False))
    assert math.isnan(json.loads(json_report.dumps(float("nan"))))
