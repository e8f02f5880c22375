"""Decoding Python source bytes the way the interpreter does (PEP 263 / PEP 3120).

Python 3 reads source as UTF-8 unless the file starts with a UTF-8 BOM or declares another
encoding in a coding cookie on one of its first two lines (`# -*- coding: latin-1 -*-`,
`# vim: set fileencoding=cp1252 :`). `tokenize.detect_encoding` implements exactly those rules
(and rejects a BOM that disagrees with the cookie), so it decides; nothing here imports or runs
the scanned code. A file Python itself would refuse becomes `SourceDecodeError`, with a message
saying what is wrong and what to do.
"""

from __future__ import annotations

import codecs
import io
import tokenize


class SourceDecodeError(Exception):
    """The bytes are not Python source Python could read. `line` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def decode_python(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of Python source bytes, by the interpreter's rules."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceDecodeError(_cookie_problem(str(exc)), _cookie_line(data)) from None
    try:
        # utf-8-sig drops the BOM; the other codecs have none to drop
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if encoding in ("utf-8", "utf-8-sig"):
            advice = "save the file as UTF-8, or declare its encoding on line 1 or 2 (`# -*- coding: latin-1 -*-`)"
            raise SourceDecodeError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); {advice}", line) from None
        raise SourceDecodeError(
            f"not valid {encoding} (byte 0x{data[exc.start]:02x}), the encoding the file declares; "
            "fix the coding declaration or save the file in the declared encoding",
            line,
        ) from None
    except LookupError:  # detect_encoding already checked the codec; kept for codecs that vanish
        raise SourceDecodeError(f"unknown source encoding {encoding!r}", _cookie_line(data)) from None
    return text, codecs.lookup(encoding).name


def _cookie_problem(detail: str) -> str:
    # tokenize says "unknown encoding: xyz" / "encoding problem: utf-8" / "invalid or missing encoding declaration"
    if detail.startswith("unknown encoding"):
        codec = detail.partition(":")[2].strip()
        return (
            f"the coding declaration names the unknown codec {codec!r}, so Python cannot read the file; "
            "declare a real encoding (utf-8, latin-1, cp1252…) or remove the declaration"
        )
    if detail.startswith("encoding problem"):
        return "the file starts with a UTF-8 byte-order mark but declares another encoding; remove the BOM or the declaration"
    return "not valid UTF-8 and no coding declaration on line 1 or 2; save the file as UTF-8 or declare its encoding"


def _cookie_line(data: bytes) -> int:
    """The line of the coding declaration (1 or 2), for the error entry."""
    for n, line in enumerate(data.splitlines()[:2], start=1):
        if b"coding" in line:
            return n
    return 1
