"""Reporters: a `ScanResult` in, text out. They read the result value and nothing else.

Adding a format = one module with `render(result, out, options)`, one `Format` member and one
`case` below; `assert_never` makes a type checker flag a member without a branch.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, TextIO, assert_never

from fnaudit.report.options import RenderOptions

if TYPE_CHECKING:
    from fnaudit.scan import ScanResult


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    HTML = "html"
    CYCLONEDX = "cyclonedx"


def render(result: ScanResult, format: Format, out: TextIO, options: RenderOptions | None = None) -> None:
    """Write `result` to `out` in `format`. Modules are imported on use: `rich` only for tables."""
    opts = options or RenderOptions()
    match format:
        case Format.TABLE:
            from fnaudit.report import table

            table.render(result, out, opts)
        case Format.JSON:
            from fnaudit.report import json

            json.render(result, out, opts)
        case Format.SARIF:
            from fnaudit.report import sarif

            sarif.render(result, out, opts)
        case Format.HTML:
            from fnaudit.report import html

            html.render(result, out, opts)
        case Format.CYCLONEDX:
            from fnaudit.report import cyclonedx

            cyclonedx.render(result, out, opts)
        case _:
            assert_never(format)


__all__ = ["Format", "RenderOptions", "render"]
