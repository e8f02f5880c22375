"""Shannon entropy and per-charset thresholds: how random does a value look for its alphabet?

A 32-character hex string cannot reach the entropy of a 32-character base64 string (16 symbols
against 64), so each charset has its own bar, and short values are judged against what their
length allows (`log2(len)` bits per character at most).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from enum import StrEnum

_HEX = re.compile(r"^[0-9a-fA-F]+$")
_B64 = re.compile(r"^[A-Za-z0-9+/=_-]+$")
_ALNUM = re.compile(r"^[A-Za-z0-9]+$")


class Charset(StrEnum):
    HEX = "hex"
    ALNUM = "alnum"
    BASE64 = "base64"
    ANY = "any"  # punctuation beyond base64's: passwords, passphrases


# bits per character a random value of this charset reaches easily at length >= 20
_THRESHOLD = {Charset.HEX: 3.0, Charset.ALNUM: 3.7, Charset.BASE64: 3.9, Charset.ANY: 3.5}


def shannon(value: str) -> float:
    """Bits of entropy per character of the value's own character distribution."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def charset(value: str) -> Charset:
    if _HEX.match(value):
        return Charset.HEX
    if _ALNUM.match(value):
        return Charset.ALNUM
    if _B64.match(value):
        return Charset.BASE64
    return Charset.ANY


def threshold(value: str) -> float:
    """The entropy a random value of this charset and length would have, with some slack."""
    bar = _THRESHOLD[charset(value)]
    n = len(value)
    # a random string of n characters has at most log2(n) bits per character; ask ~80% of that
    return min(bar, 0.8 * math.log2(n)) if n > 1 else bar


def char_classes(value: str) -> int:
    return sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))


def is_high_entropy(value: str, min_length: int = 12) -> bool:
    """Random-looking for its charset: long enough, above the charset's bar, and not one class of
    characters only (a long lowercase word run such as `authorization` is not random)."""
    v = value.strip()
    if len(v) < min_length:
        return False
    cs = charset(v)
    if cs is not Charset.HEX and sum(bool(re.search(p, v)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]")) < 2:
        return False  # `authorization_header`: one class of letters and separators
    if cs is Charset.HEX and not re.search(r"[0-9]", v):
        return False  # `deadbeefcafe`-like words
    return shannon(v) >= threshold(v)
