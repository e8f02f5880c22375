"""Lambda proxy responses: `{"statusCode": 302, "headers": {"Location": x}, "body": html}`.

The front end reads the literal's parts from its syntax; the core decides which part is a sink.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from fnaudit.engines.code import ir

N = TypeVar("N")


@dataclass(frozen=True, slots=True)
class ResponseSink(Generic[N]):
    kind: str  # ir.XSS or ir.REDIRECT
    call: str
    node: N  # the expression whose value reaches the sink


def response_sinks(
    fields: Mapping[str, N], header_fields: Mapping[str, N], content_type: str | None, status_text: str | None
) -> list[ResponseSink[N]]:
    """`fields`: the literal's top-level keys; `header_fields`: its headers, names lower-cased;
    `content_type`: the Content-Type header when a string literal; `status_text`: how the status code
    reads (None when it is not a literal)."""
    if "statusCode" not in fields and "body" not in fields:
        return []
    out: list[ResponseSink[N]] = []
    body = fields.get("body")
    if body is not None and content_type is not None and "html" in content_type.lower():
        out.append(ResponseSink(ir.XSS, "HTML response body", body))
    location = header_fields.get("location")
    if location is not None and (
        "statusCode" not in fields or (status_text is not None and status_text.startswith("3"))
    ):
        out.append(ResponseSink(ir.REDIRECT, "Location header", location))
    return out
