"""Untrusted text made safe to show: control characters and bidi overrides become visible escapes.

Everything a scan reports can come from the scanned repository or an advisory feed: messages quote
resource and function names, evidence quotes file content, paths are the repository's own. Such a
string may carry terminal escape sequences (ESC [2J clears the screen, a CR rewrites the line, OSC 8
forges links) that act even with colour turned off, or Unicode bidi overrides that make text read
differently from what it is ("trojan source", CVE-2021-42574). Reporters pass every untrusted string
through `clean` (multi-line text: message bodies, evidence) or `one_line` (table cells, headings,
XML attributes) before writing it.

The characters are escaped, not dropped: `\\x1b`, `\\u202e` stay visible, so a reader sees that a
value tried something, and cleaning is idempotent (cleaning twice changes nothing). Reporters never need to know which characters are dangerous.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls except TAB and LF; DEL and the C1 controls (U+0080–U+009F, which some terminals read
# as CSI/OSC introducers); the bidi embeddings, overrides and isolates (U+202A–E, U+2066–9) and marks
# (U+200E/F, U+061C); line/paragraph separators that some viewers break lines on; lone surrogates
# (from undecodable file names, which would make writing the report fail) and the non-characters
# U+FFFE/U+FFFF (which XML forbids).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
_SPACES = re.compile(r"[\t\n]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """`text` with every unsafe character replaced by its visible escape; TAB and LF are kept."""
    if not _UNSAFE.search(text):  # the common case: nothing to do, no copy
        return text
    return _UNSAFE.sub(_escape, text)


def one_line(text: str) -> str:
    """`clean(text)` on a single line: TAB and LF become spaces (table rows, headings, attributes)."""
    return _SPACES.sub(" ", clean(text))


def clean_tree(value: Any) -> Any:
    """A JSON-like document (dicts, lists, strings, numbers) with every string and key `clean`ed.

    For the JSON, SARIF and GitLab documents: walking the finished document covers every field,
    including those added later, rather than relying on each field being remembered."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: clean_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_tree(v) for v in value]
    return value


# What JSON (without `ensure_ascii`) writes for the C0 controls it escapes; `\t` and `\n` are safe.
_JSON_C0 = re.compile(r"\\[bfr]|\\u00")


def json_text_is_clean(text: str) -> bool:
    r"""True when no string in `text`, a JSON text written with `ensure_ascii=False`, holds a character
    `clean` would escape, so that `clean_tree` would not change the document it was written from.

    JSON writes every character `clean` escapes as it is, except the C0 controls, which it writes as
    `\b`, `\f`, `\r` or `\u00XX`: both are looked for. An escaped backslash followed by such a letter
    (a Windows path `C:\\reports`) also counts, which only costs the caller the careful way."""
    return _UNSAFE.search(text) is None and _JSON_C0.search(text) is None


def is_safe(text: str) -> bool:
    """True when `text` holds no character `clean` would escape (for tests and assertions)."""
    return _UNSAFE.search(text) is None
