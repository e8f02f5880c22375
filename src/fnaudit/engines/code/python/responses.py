"""Response objects of the Lambda web frameworks: Chalice's `Response` and Powertools' `Response`.

`Response(body=html, status_code=200, headers={"Content-Type": "text/html"})` (Chalice) and
`Response(status_code=200, content_type=content_types.TEXT_HTML, body=html)` (Powertools) are an HTML
page; `Response(status_code=302, headers={"Location": target})` is a redirect. They are read as the
Lambda proxy response literal they become (`taint.responses` decides which part is a sink), so a JSON
body, a constant Location or a Location on a 200 stays quiet.
"""

from __future__ import annotations

import ast

from fnaudit.engines.code.python.modules import qualname
from fnaudit.engines.code.python.taint import expressions, statements
from fnaudit.engines.code.python.taint.walk import Walk
from fnaudit.engines.code.taint.responses import response_sinks
from fnaudit.engines.code.taint.values import active

# constructor → its positional parameters, in order (the keywords are the same names)
RESPONSE_CLASSES: dict[str, tuple[str, ...]] = {
    "chalice.Response": ("body", "headers", "status_code"),
    "chalice.app.Response": ("body", "headers", "status_code"),
    "aws_lambda_powertools.event_handler.Response": ("status_code", "content_type", "body", "headers"),
    "aws_lambda_powertools.event_handler.api_gateway.Response": ("status_code", "content_type", "body", "headers"),
}
# Powertools' `content_types` constants, by name (`content_types.TEXT_HTML`)
_CONTENT_TYPES = {"TEXT_HTML": "text/html", "APPLICATION_JSON": "application/json", "TEXT_PLAIN": "text/plain"}


def response_call(w: Walk, node: ast.Call, qual: str) -> None:
    """The HTML body and the redirect target of a framework `Response(...)` call, as sinks."""
    params = RESPONSE_CLASSES[qual]
    given = {p: a for p, a in zip(params, node.args, strict=False)}
    given.update({k.arg: k.value for k in node.keywords if k.arg in params})
    headers = given.get("headers")
    if isinstance(headers, ast.Name) and isinstance(w.module.globals.get(headers.id), ast.Dict):
        headers = w.module.globals[headers.id]  # a module-level headers constant
    header_fields = {}
    if isinstance(headers, ast.Dict):
        header_fields = {
            k.value.lower(): v
            for k, v in zip(headers.keys, headers.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        }
    ctype = given.get("content_type", header_fields.get("content-type"))
    status = given.get("status_code")
    # both classes default to 200: a Location header on a page that is not a 3xx is no redirect
    status_text = "200" if status is None else str(status.value) if isinstance(status, ast.Constant) else None
    fields = {"statusCode": status or node}
    if "body" in given:
        fields["body"] = given["body"]
    framework = "Chalice" if qual.startswith("chalice.") else "Powertools"
    for sink in response_sinks(fields, header_fields, _media_type(w, ctype), status_text):
        val = active(expressions.evaluate(w, sink.node), sink.kind)
        statements.event(w, sink.kind, f"{sink.call} ({framework} Response)", sink.node, val)


def _media_type(w: Walk, node: ast.expr | None) -> str | None:
    """The content type as text: a literal, a module constant, or Powertools' `content_types.TEXT_HTML`."""
    if isinstance(node, ast.Name) and isinstance(w.module.globals.get(node.id), ast.Constant):
        node = w.module.globals[node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    name = qualname(w.module, node) if node is not None else None
    if name and ".content_types." in f".{name}":
        return _CONTENT_TYPES.get(name.rsplit(".", 1)[-1])
    return None
