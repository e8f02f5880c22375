"""Proxy-response literals (`events.APIGatewayProxyResponse{StatusCode: 302, Headers: …, Body: …}`) read
into the parts the core's `taint.responses.response_sinks` judges (XSS body, redirect Location)."""

from __future__ import annotations

from tree_sitter import Node

from fnaudit.engines.code.go.parse import text
from fnaudit.engines.code.taint.responses import ResponseSink, response_sinks

RESPONSE_TYPES = frozenset(
    {
        "events.APIGatewayProxyResponse",
        "events.APIGatewayV2HTTPResponse",
        "events.LambdaFunctionURLResponse",
        "events.ALBTargetGroupResponse",
    }
)
_FIELDS = {"StatusCode": "statusCode", "Body": "body", "Headers": "headers", "MultiValueHeaders": "multiValueHeaders"}
# `net/http` status constants a redirect is written with (the rest are not redirects)
_STATUS = {
    "http.StatusMovedPermanently": "301",
    "http.StatusFound": "302",
    "http.StatusSeeOther": "303",
    "http.StatusTemporaryRedirect": "307",
    "http.StatusPermanentRedirect": "308",
}


def sinks_of(literal: Node) -> list[ResponseSink[Node]]:
    """The XSS / redirect sinks of a response literal (`[]` for any other composite literal)."""
    if text(literal.child_by_field_name("type")).lstrip("&*") not in RESPONSE_TYPES:
        return []
    fields = _keyed(literal)
    parts = {_FIELDS[k]: v for k, v in fields.items() if k in _FIELDS}
    headers: dict[str, Node] = {}
    header_map = parts.get("headers")
    if header_map is not None and header_map.type == "composite_literal":
        headers = {k.lower(): v for k, v in _keyed(header_map).items()}
    content = headers.get("content-type")
    content_type = text(content)[1:-1] if content is not None and content.type == "interpreted_string_literal" else None
    status = parts.get("statusCode")
    status_text = None
    if status is not None:
        status_text = text(status) if status.type == "int_literal" else _STATUS.get(text(status))
    return response_sinks(parts, headers, content_type, status_text)


def _keyed(literal: Node) -> dict[str, Node]:
    """`{Key: value}` of a composite literal: key text (quotes dropped) → the value's expression."""
    out: dict[str, Node] = {}
    body = literal.child_by_field_name("body")
    for element in body.named_children if body is not None else ():
        if element.type != "keyed_element" or len(element.named_children) != 2:
            continue
        key, value = (_inner(c) for c in element.named_children)
        name = text(key)
        if key.type in ("interpreted_string_literal", "raw_string_literal"):
            name = name[1:-1]
        out[name] = value
    return out


def _inner(node: Node) -> Node:
    return node.named_children[0] if node.type == "literal_element" and node.named_children else node
