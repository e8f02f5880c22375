"""AWS SDK for Java calls made from Kotlin, for the IAM engine.

Kotlin calls the Java SDK: v2 clients built with `DynamoDbClient.create()` / `S3Client.builder()...build()`
(v1: `AmazonS3ClientBuilder.defaultClient()` / `.standard()...build()`), held in a property or a local,
or known only by their declared type (`lateinit var s3: S3Client`: medium confidence). A method of such a
client maps to the botocore operation of the same name (`getItem` → `GetItem`, `listObjectsV2Paginator` →
`ListObjectsV2`). The resource is the request builder's resource setter (`.tableName(x)`, `.bucket(x)`,
`.queueUrl(x)`) or, for v1's positional methods, the first argument, when it is a literal, a `const val`, or
`System.getenv("X")` (resolved through the function's environment). Bindings are read over the whole file,
flow-insensitively, like the Java front end does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from tree_sitter import Node

from fnaudit.engines.code.awsmodel import operations
from fnaudit.engines.code.java.sdk import SERVICE_ALIASES  # plain data: client stem → botocore service
from fnaudit.engines.code.kotlin.parse import child, property_parts, simple_type, string, text
from fnaudit.engines.code.taint.resources import RESOURCE_PARAMETERS, env_resource
from fnaudit.model.app import Function
from fnaudit.model.code import SdkCall
from fnaudit.model.loc import Loc

# `S3Client.create()`, `DynamoDbAsyncClient.builder()`, `AmazonSQSClientBuilder.defaultClient()`.
_BUILT = re.compile(
    r"^(?:Amazon|AWS)?(\w+?)(?:Async)?Client(?:Builder)?\s*\.\s*(?:create|builder|defaultClient|standard)\b"
)
_TYPED = re.compile(r"^(?:Amazon|AWS)?(\w+?)(?:Async)?Client$")
# Request builder setters naming the resource: `TableName` → `.tableName(...)`.
_SETTERS = {p[:1].lower() + p[1:]: p for p in RESOURCE_PARAMETERS}


@cache
def _ops_by_lower(service: str) -> dict[str, str]:
    return {op.lower(): op for op in operations(service).values()}


def _service(stem: str) -> str | None:
    low = stem.lower()
    for cand in (SERVICE_ALIASES.get(low), low):
        if cand and operations(cand):
            return cand
    return None


def _nodes(node: Node) -> Iterator[Node]:
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        todo.extend(reversed(n.named_children))


def _bindings(tree: Node) -> dict[str, tuple[str, str]]:
    """Name → (service, confidence) of the clients the file builds or declares."""
    out: dict[str, tuple[str, str]] = {}
    for n in _nodes(tree):
        if n.type == "property_declaration":
            name, typ, value = property_parts(n)
        elif n.type == "class_parameter":
            name, typ, value = text(child(n, "identifier")), simple_type(child(n, "user_type", "nullable_type")), None
        else:
            continue
        built = _BUILT.match(text(value)) if value is not None else None
        typed = _TYPED.match(typ) if typ else None
        if built is not None and (service := _service(built.group(1))) is not None:
            out[name] = (service, "high")
        elif typed is not None and (service := _service(typed.group(1))) is not None:
            out.setdefault(name, (service, "medium"))
    return out


def _constants(tree: Node) -> dict[str, str]:
    """`const val TABLE = "orders"` (and any `val` of a plain string literal) anywhere in the file."""
    out: dict[str, str] = {}
    for n in _nodes(tree):
        if n.type == "property_declaration":
            name, _, value = property_parts(n)
            lit = string(value)
            if lit is not None:
                out[name] = lit
    return out


def _resource(arg: Node | None, consts: dict[str, str], fn: Function) -> str | None:
    if arg is None:
        return None
    lit = string(arg)
    if lit is not None:
        return lit
    if arg.type == "identifier":
        return consts.get(text(arg))
    m = re.fullmatch(r'System\s*\.\s*getenv\s*\(\s*"([^"]+)"\s*\)', text(arg))
    return env_resource(m.group(1), fn.environment) if m else None


def _first_arg(call: Node) -> Node | None:
    args = child(call, "value_arguments")
    first = child(args, "value_argument") if args is not None else None
    return first.named_children[-1] if first is not None and first.named_children else None


def _request_resource(call: Node, consts: dict[str, str], fn: Function) -> str | None:
    """The resource a call's request names: a builder setter inside its arguments (or its trailing lambda,
    `sqs.sendMessage { it.queueUrl(url) }`), else its first argument."""
    parts = [c for c in call.named_children if c.type in ("value_arguments", "annotated_lambda")]
    for n in (m for part in parts for m in _nodes(part)):
        if n.type == "call_expression" and n.named_children[0].type == "navigation_expression":
            setter = text(n.named_children[0].named_children[-1])
            if setter in _SETTERS:
                return _resource(_first_arg(n), consts, fn)
    return _resource(_first_arg(call), consts, fn)


def extract(tree: Node, rel: str, fn: Function) -> tuple[SdkCall, ...]:
    clients = _bindings(tree)
    if not clients:
        return ()
    consts = _constants(tree)
    out: list[SdkCall] = []
    for n in _nodes(tree):
        if n.type != "call_expression" or n.named_children[0].type != "navigation_expression":
            continue
        nav = n.named_children[0]
        recv, method = nav.named_children[0], text(nav.named_children[-1])
        if recv.type == "navigation_expression" and recv.named_children[0].type == "this_expression":
            recv = recv.named_children[-1]
        if recv.type != "identifier" or text(recv) not in clients:
            continue
        service, confidence = clients[text(recv)]
        op = _ops_by_lower(service).get(method.lower().removesuffix("paginator"))
        if op is None:
            continue
        resource = _request_resource(n, consts, fn)
        out.append(SdkCall(service, op, Loc(rel, n.start_point[0] + 1), resource, confidence))
    return tuple(sorted(out, key=lambda c: (c.loc.line, c.operation)))
