"""@middy/http-router: a route table whose handlers each receive the Lambda event itself.

`export const handler = middy().use(httpHeaderNormalizer()).handler(httpRouterHandler(routes))` (or
`middy(httpRouterHandler(routes))`, or the router alone) dispatches the API Gateway / ALB event on its method
and path to one of `routes = [{ method: "GET", path: "/user/{id}", handler: getUser }, …]` (also given as
`{ routes, notFoundResponse }`, spread from arrays, or imported from another module). Unlike an Express route,
each route handler is a Lambda handler: its first parameter is the event (`event.pathParameters.id`), often
wrapped in middy itself with a `@middy/validator` whose event schema closes some of its fields.
"""

from __future__ import annotations

from pathlib import Path

from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, JsModule, JsModuleGraph, Node, string_value, text
from fnaudit.engines.code.javascript.modules import unwrap as _unwrap
from fnaudit.engines.code.javascript.syntax import object_props
from fnaudit.engines.code.javascript.web import Route, schema_validated

ROUTER = "@middy/http-router"
VALIDATOR = "@middy/validator"
_MAX_NODES = 400  # expression nodes looked at to find the router call of one export


def router_routes(graph: JsModuleGraph, module: JsModule, symbol: str, code_root: Path) -> list[Route] | None:
    """The routes of the http-router that the handler export `symbol` is built on; None when it is none."""
    got = graph.export(module, symbol, code_root)
    if got is None:
        return None
    found = _router_call(graph, *got, code_root)
    if found is None:
        return None
    mod, call = found
    args = call.child_by_field_name("arguments")
    table = args.named_children[0] if args is not None and args.named_children else None
    out: list[Route] = []
    for emod, entry in _entries(graph, mod, table, code_root):
        out += _route(graph, emod, entry, code_root)
    return out


def _imported_from(mod: JsModule, node: Node | None, package: str) -> bool:
    n = _unwrap(node)
    while n is not None and n.type == "member_expression":  # router.default(...)
        n = _unwrap(n.child_by_field_name("object"))
    imp = mod.imports.get(text(n)) if n is not None and n.type == "identifier" else None
    return imp is not None and imp[1] == package


def _router_call(graph: JsModuleGraph, mod: JsModule, node: Node, code_root: Path) -> tuple[JsModule, Node] | None:
    """The `httpRouterHandler(...)` call the export's value is built from, following module constants and imports
    (not into function bodies: a handler function that calls the router itself is analysed as a function)."""
    todo: list[tuple[JsModule, Node]] = [(mod, node)]
    seen = 0
    while todo and seen < _MAX_NODES:
        m, n = todo.pop()
        seen += 1
        if n.type in FUNCTION_TYPES:
            continue
        if n.type == "call_expression" and _imported_from(m, n.child_by_field_name("function"), ROUTER):
            return m, n
        if n.type == "identifier" and n.parent is not None and n.parent.type != "member_expression":
            bound = graph.local(m, text(n), code_root)
            if bound is not None and not _same_node(bound[1], n):
                todo.append(bound)
            continue
        todo.extend((m, c) for c in reversed(n.named_children))
    return None


def _same_node(a: Node, b: Node) -> bool:
    return (a.start_byte, a.end_byte) == (b.start_byte, b.end_byte)


def _entries(graph: JsModuleGraph, mod: JsModule, node: Node | None, code_root: Path) -> list[tuple[JsModule, Node]]:
    """The route objects of a table: an array literal (with spreads), `{ routes }`, or a name bound to either."""
    out: list[tuple[JsModule, Node]] = []
    todo: list[tuple[JsModule, Node | None, int]] = [(mod, node, 0)]
    while todo:
        m, n, depth = todo.pop(0)
        n = _unwrap(n)
        if n is None or depth > 8:
            continue
        if n.type in ("identifier", "shorthand_property_identifier"):
            bound = graph.local(m, text(n), code_root)
            if bound is not None:
                todo.append((bound[0], bound[1], depth + 1))
        elif n.type == "spread_element":
            todo.append((m, n.named_children[0] if n.named_children else None, depth + 1))
        elif n.type == "array":
            todo.extend((m, c, depth + 1) for c in n.named_children)
        elif n.type == "object":
            props = _props(n)
            if "routes" in props and "handler" not in props:  # httpRouterHandler({ routes, notFoundResponse })
                todo.append((m, props["routes"], depth + 1))
            else:
                out.append((m, n))
    return out


def _props(node: Node | None) -> dict[str, Node]:
    return object_props(_unwrap(node))


def _route(graph: JsModuleGraph, mod: JsModule, entry: Node, code_root: Path) -> list[Route]:
    props = _props(entry)
    method = string_value(_unwrap(props.get("method")))
    path = string_value(_unwrap(props.get("path")))
    handler = props.get("handler")
    if method is None or path is None or handler is None:
        return []
    found = _handler(graph, mod, handler, code_root)
    if found is None:
        return []
    hmod, fnode, validated = found
    line = entry.start_point[0] + 1
    return [Route(method.upper(), path, hmod, fnode, line, validated, event=True, site=mod.rel)]


def _handler(
    graph: JsModuleGraph, mod: JsModule, node: Node, code_root: Path
) -> tuple[JsModule, Node, tuple[tuple[str, ...], ...]] | None:
    """The function a route's `handler` runs, unwrapped from middy (`middy(fn).use(…)`, `middy().use(…).handler(fn)`),
    with the event paths a `@middy/validator` of the wrapper closes."""
    validated: list[tuple[str, ...]] = []
    m, cur = mod, node
    for _ in range(12):
        n = _unwrap(cur)
        if n is None:
            return None
        if n.type in FUNCTION_TYPES:
            return m, n, tuple(validated)
        if n.type in ("identifier", "shorthand_property_identifier"):
            bound = graph.local(m, text(n), code_root)
            if bound is None:
                return None
            m, cur = bound
            continue
        if n.type == "member_expression":  # controllers.getUser, from a module imported whole
            obj = _unwrap(n.child_by_field_name("object"))
            imp = m.imports.get(text(obj)) if obj is not None and obj.type == "identifier" else None
            other = graph.resolve(m, imp[1], code_root) if imp is not None and imp[0] == "module" else None
            got = graph.export(other, text(n.child_by_field_name("property")), code_root) if other else None
            if got is None:
                return None
            m, cur = got
            continue
        if n.type != "call_expression":
            return None
        base: Node | None = None
        call: Node | None = n
        while call is not None and call.type == "call_expression":
            fn = _unwrap(call.child_by_field_name("function"))
            args = call.child_by_field_name("arguments")
            arg_nodes = [a for a in (args.named_children if args is not None else []) if a.type != "comment"]
            if fn is not None and fn.type == "member_expression":
                prop = text(fn.child_by_field_name("property"))
                if prop == "use":
                    validated += [p for a in arg_nodes for p in _validator_paths(graph, m, a, code_root)]
                elif prop == "handler" and base is None and arg_nodes:
                    base = arg_nodes[0]
                call = _unwrap(fn.child_by_field_name("object"))
                continue
            if base is None and arg_nodes:  # middy(fn), or any wrapper of one function
                base = arg_nodes[0]
            break
        if base is None:
            return None
        cur = base
    return None


def _validator_paths(graph: JsModuleGraph, mod: JsModule, node: Node, code_root: Path) -> list[tuple[str, ...]]:
    """`validator({ eventSchema: transpileSchema(schema) })` (`inputSchema` before middy 4): what it closes.
    The validator rejects the event before the handler runs, so its schema holds for the whole handler."""
    n = _unwrap(node)
    if n is not None and n.type == "array":
        return [p for c in n.named_children for p in _validator_paths(graph, mod, c, code_root)]
    if (
        n is None
        or n.type != "call_expression"
        or not _imported_from(mod, n.child_by_field_name("function"), VALIDATOR)
    ):
        return []
    args = n.child_by_field_name("arguments")
    opts = _props(args.named_children[0] if args is not None and args.named_children else None)
    schema = _unwrap(opts.get("eventSchema") or opts.get("inputSchema"))
    smod = mod
    for _ in range(4):
        if schema is not None and schema.type == "call_expression":  # transpileSchema(schema)
            inner = schema.child_by_field_name("arguments")
            schema = _unwrap(inner.named_children[0]) if inner is not None and inner.named_children else None
        elif schema is not None and schema.type == "identifier":  # a schema from a module of its own
            bound = graph.local(smod, text(schema), code_root)
            smod, schema = (bound[0], _unwrap(bound[1])) if bound is not None else (smod, None)
    return schema_validated(smod, schema, ())
