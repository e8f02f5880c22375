"""Node web apps behind a Lambda adapter: the adapter's app, its routes across files, one summary.

A handler such as `module.exports.handler = serverless(app)` (serverless-http), `serverlessExpress({ app })`
(@vendia / @codegenie serverless-express), `awsLambdaFastify(app)` (@fastify/aws-lambda) or a function calling
`awsServerlessExpress.proxy(server, event, context)` runs no code of its own: the adapter turns the Lambda
event into a request for the app. What runs is the app's route handlers, so they are what is analysed:
Express (`app.get(path, ...handlers)`, routers mounted with `app.use('/x', router)` from other files), Koa
(`router.get(path, ctx => …)`, `app.use(router.routes())`) and Fastify (`app.get(path, (request, reply) => …)`,
plugins registered with `app.register(plugin)`). The app is read statically; nothing is run.

A route handler's first parameter is the request (Koa: the context, whose `request` holds the same parts).
Its parts map back to the Lambda event the adapter received (`req.query` is the event's query string), so
the usual trigger-based source classification applies. Other request fields (`req.user`, `ctx.state`) are
set by the app's own middleware, not by the caller, and are not sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, JsModule, JsModuleGraph, Node, string_value, text
from fnaudit.engines.code.javascript.modules import unwrap as _unwrap
from fnaudit.engines.code.taint.values import EVENT, MAX_STEPS, Event, Ref, Summary, Val
from fnaudit.model.code import Step
from fnaudit.model.loc import Loc

if TYPE_CHECKING:  # the taint checks import this module's response names
    from fnaudit.engines.code.javascript.taint.engine import JsTaintEngine

# Packages whose call turns an app into a Lambda handler.
ADAPTERS = frozenset(
    {
        "serverless-http",
        "@vendia/serverless-express",
        "@codegenie/serverless-express",
        "aws-serverless-express",
        "@fastify/aws-lambda",
        "@h4ad/serverless-adapter",
    }
)
ROUTE_METHODS = frozenset({"get", "post", "put", "delete", "del", "patch", "all", "head", "options"})

# Request part → the key of the Lambda proxy event it is read from.
_REQUEST_KEYS = {
    "query": "queryStringParameters",
    "body": "body",
    "rawBody": "body",
    "params": "pathParameters",
    "headers": "headers",
    "header": "headers",  # req.header(name)
    "get": "headers",  # req.get(name), ctx.get(name)
    "cookies": "cookies",
    "signedCookies": "cookies",
    "path": "path",
    "url": "rawPath",
    "originalUrl": "rawPath",
    "querystring": "rawQueryString",
    "search": "rawQueryString",
}

# Response methods that are sinks when called on a route's response object (`res`, Koa's `ctx`, Fastify's `reply`).
# Express sends a string as text/html; Fastify's `reply.send` of a string is text/plain, hence not XSS.
HTML_METHODS = frozenset({"send", "write", "end"})
HTML_RECEIVERS = frozenset({"res", "response"})
REDIRECT_RECEIVERS = frozenset({"res", "response", "reply", "ctx"})


@dataclass(frozen=True, slots=True)
class Route:
    method: str  # GET, POST, …, ALL, USE (middleware)
    path: str
    module: JsModule
    node: Node  # the handler (or middleware) function
    line: int  # line of the route declaration
    validated: tuple[tuple[str, ...], ...] = ()  # event paths an express-validator chain of the route constrains


def adapter_app(graph: JsModuleGraph, module: JsModule, symbol: str, code_root: Path) -> tuple[JsModule, str] | None:
    """(module, variable) of the app that the handler export `symbol` adapts, or None when it is no adapter."""
    got = graph.export(module, symbol, code_root)
    if got is None:
        return None
    mod, node = got
    value = _unwrap(node)  # also drops `await`
    if value is None:
        return None
    if value.type in FUNCTION_TYPES:
        return _proxy_app(graph, mod, value, code_root)
    if value.type != "call_expression" or not _is_adapter_call(mod, value):
        return None
    return _app_argument(graph, mod, value, code_root)


def _is_adapter_call(mod: JsModule, call: Node) -> bool:
    fn = _unwrap(call.child_by_field_name("function"))
    while fn is not None and fn.type == "member_expression":  # serverlessExpress.default(...), lib.handler(...)
        fn = _unwrap(fn.child_by_field_name("object"))
    if fn is None or fn.type != "identifier":
        return False
    imp = mod.imports.get(text(fn))
    return imp is not None and imp[1] in ADAPTERS


def _app_argument(graph: JsModuleGraph, mod: JsModule, call: Node, code_root: Path) -> tuple[JsModule, str] | None:
    args = call.child_by_field_name("arguments")
    for a in args.named_children if args is not None else []:
        ua = _unwrap(a)
        if ua is None:
            continue
        if ua.type == "identifier":
            return _app_binding(graph, mod, text(ua), code_root)
        if ua.type == "object":  # serverlessExpress({ app }) / ({ app: expressApp })
            for c in ua.named_children:
                if c.type == "shorthand_property_identifier" and text(c) == "app":
                    return _app_binding(graph, mod, "app", code_root)
                if c.type == "pair" and text(c.child_by_field_name("key")) == "app":
                    v = _unwrap(c.child_by_field_name("value"))
                    if v is not None and v.type == "identifier":
                        return _app_binding(graph, mod, text(v), code_root)
    return None


def _proxy_app(graph: JsModuleGraph, mod: JsModule, fnode: Node, code_root: Path) -> tuple[JsModule, str] | None:
    """`(event, context) => awsServerlessExpress.proxy(server, event, context)`, `server = createServer(app)`."""
    stack = [fnode]
    while stack:
        n = stack.pop()
        if n.type == "call_expression":
            fn = _unwrap(n.child_by_field_name("function"))
            if (
                fn is not None
                and fn.type == "member_expression"
                and _is_adapter_call(mod, n)
                and text(fn.child_by_field_name("property")) == "proxy"
            ):
                args = n.child_by_field_name("arguments")
                first = _unwrap(args.named_children[0]) if args is not None and args.named_children else None
                server = mod.globals.get(text(first)) if first is not None and first.type == "identifier" else None
                server = _unwrap(server)
                if server is not None and server.type == "call_expression" and _is_adapter_call(mod, server):
                    return _app_argument(graph, mod, server, code_root)
        stack.extend(n.named_children)
    return None


def _app_binding(graph: JsModuleGraph, mod: JsModule, name: str, code_root: Path) -> tuple[JsModule, str] | None:
    """Where the app variable `name` of `mod` is created: the same module, or the one it is imported from."""
    for _ in range(8):
        imp = mod.imports.get(name)
        if imp is None:
            return (mod, name) if name in mod.globals else None
        other = graph.resolve(mod, imp[1], code_root)
        if other is None:
            return None
        exported = "default" if imp[0] == "module" else imp[2]
        entry = other.exports.get(exported)
        if entry is None:
            return None
        if entry[0] == "local":
            mod, name = other, entry[1]
        elif entry[0] == "node" and entry[1].type == "identifier":
            mod, name = other, text(entry[1])
        else:
            return None
    return None


def routes(graph: JsModuleGraph, mod: JsModule, var: str, code_root: Path) -> list[Route]:
    """Every route and middleware function registered on `var` of `mod`, and on routers mounted on it."""
    out: list[Route] = []
    seen: set[tuple[str, str]] = set()
    todo: list[tuple[JsModule, str, str]] = [(mod, var, "")]
    while todo and len(seen) < 64:
        m, v, prefix = todo.pop()
        if (m.rel, v) in seen:
            continue
        seen.add((m.rel, v))
        for call in _calls_on(m.root, v):
            fn = call.child_by_field_name("function")
            method = text(fn.child_by_field_name("property")) if fn is not None else ""
            args_node = call.child_by_field_name("arguments")
            args = [a for a in (args_node.named_children if args_node is not None else []) if a.type != "comment"]
            path = string_value(args[0]) if args else None
            handlers = args[1:] if path is not None else args
            line = call.start_point[0] + 1
            if method in ROUTE_METHODS:
                functions = [f for h in handlers if (f := _function(graph, m, h, code_root)) is not None]
                checked = any("validationResult" in text(f[1]) for f in functions)
                validated = tuple(p for h in handlers for p in _validated(m, h, checked))
                for found in functions:
                    out.append(Route(method.upper(), prefix + (path or ""), found[0], found[1], line, validated))
            elif method in ("use", "register"):
                if method == "register" and path is None:  # Fastify: app.register(plugin, { prefix: "/x" })
                    path = _prefix_option(args[1] if len(args) > 1 else None)
                for h in handlers:
                    mounted = _mounted(graph, m, h, code_root)
                    if mounted is not None:
                        todo.append((*mounted, prefix + (path or "")))
                        continue
                    middleware = _function(graph, m, h, code_root)
                    if middleware is not None and method == "use":
                        out.append(Route("USE", prefix + (path or ""), middleware[0], middleware[1], line))
    return out


# express-validator: where each chain start reads, and the chain steps that leave no free text behind.
_VALIDATOR_LOCATIONS = {
    "query": ("queryStringParameters",),
    "param": ("pathParameters",),
    "body": ("body",),
    "header": ("headers",),
    "cookie": ("cookies",),
    "check": ("queryStringParameters", "pathParameters", "body", "headers", "cookies"),
}
_CONVERTERS = frozenset({"toInt", "toFloat", "toBoolean", "toDate"})  # rewrite the request value itself
_STRICT_VALIDATORS = frozenset(
    {
        "isInt",
        "isFloat",
        "isNumeric",
        "isDecimal",
        "isUUID",
        "isMongoId",
        "isIn",
        "isBoolean",
        "isISO8601",
        "isDate",
        "isAlpha",
        "isAlphanumeric",
        "isHexadecimal",
    }
)


def _validated(mod: JsModule, node: Node, checked: bool) -> list[tuple[str, ...]]:
    """Event paths an express-validator middleware constrains (`query('id').isInt()`, an array of chains).

    A converter (`toInt()`) rewrites the value, so it holds on its own; a validator only stops the request
    when the route reads `validationResult(req)` (`checked`), as express-validator documents."""
    n = _unwrap(node)
    if n is None:
        return []
    if n.type == "array":
        return [p for c in n.named_children for p in _validated(mod, c, checked)]
    steps: set[str] = set()
    while n is not None and n.type == "call_expression":
        fn = _unwrap(n.child_by_field_name("function"))
        if fn is not None and fn.type == "member_expression":
            steps.add(text(fn.child_by_field_name("property")))
            n = _unwrap(fn.child_by_field_name("object"))
            continue
        if fn is None or fn.type != "identifier":
            return []
        imp = mod.imports.get(text(fn))
        if imp is None or imp[1] != "express-validator" or imp[0] != "symbol" or imp[2] not in _VALIDATOR_LOCATIONS:
            return []
        if not (steps & _CONVERTERS or (checked and steps & _STRICT_VALIDATORS)):
            return []
        args = n.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        names = (
            [string_value(first)]
            if first is None or first.type == "string"
            else [string_value(c) for c in first.named_children if c.type == "string"]
        )
        return [(loc, *(name or "").split(".")) for loc in _VALIDATOR_LOCATIONS[imp[2]] for name in names if name]
    return []


def _prefix_option(node: Node | None) -> str | None:
    n = _unwrap(node)
    for c in n.named_children if n is not None and n.type == "object" else []:
        if c.type == "pair" and (string_value(c.child_by_field_name("key")) or text(c.child_by_field_name("key"))) == (
            "prefix"
        ):
            return string_value(c.child_by_field_name("value"))
    return None


def _calls_on(root: Node, var: str) -> list[Node]:
    """Calls `var.method(...)` anywhere in the module, in source order."""
    out: list[Node] = []
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "call_expression":
            fn = n.child_by_field_name("function")
            if fn is not None and fn.type == "member_expression":
                obj = _unwrap(fn.child_by_field_name("object"))
                if obj is not None and obj.type == "identifier" and text(obj) == var:
                    out.append(n)
        stack.extend(reversed(n.named_children))
    return out


def _function(graph: JsModuleGraph, mod: JsModule, node: Node, code_root: Path) -> tuple[JsModule, Node] | None:
    """The function a handler argument names: inline, a local or imported name, `controller.method`."""
    n = _unwrap(node)
    if n is None:
        return None
    if n.type in FUNCTION_TYPES:
        return mod, n
    got: tuple[JsModule, Node] | None = None
    if n.type == "identifier":
        got = graph.local(mod, text(n), code_root)
    elif n.type == "member_expression":
        obj = _unwrap(n.child_by_field_name("object"))
        imp = mod.imports.get(text(obj)) if obj is not None and obj.type == "identifier" else None
        other = graph.resolve(mod, imp[1], code_root) if imp is not None and imp[0] == "module" else None
        if other is not None:
            got = graph.export(other, text(n.child_by_field_name("property")), code_root)
    if got is None:
        return None
    value = _unwrap(got[1])
    return (got[0], value) if value is not None and value.type in FUNCTION_TYPES else None


def _mounted(graph: JsModuleGraph, mod: JsModule, node: Node, code_root: Path) -> tuple[JsModule, str] | None:
    """The router (module, variable) an `app.use(...)` / `app.register(...)` argument mounts, if it is one."""
    n = _unwrap(node)
    if n is None:
        return None
    if n.type == "call_expression":  # Koa: app.use(router.routes())
        fn = _unwrap(n.child_by_field_name("function"))
        if (
            fn is not None
            and fn.type == "member_expression"
            and text(fn.child_by_field_name("property"))
            in (
                "routes",
                "middleware",
            )
        ):
            n = _unwrap(fn.child_by_field_name("object"))
            if n is None:
                return None
    if n.type == "call_expression":  # app.use('/x', require('./routes/x'))
        spec = _require_spec(n)
        other = graph.resolve(mod, spec, code_root) if spec is not None else None
        if other is None:
            return None
        entry = other.exports.get("default")
        if entry is None or entry[0] != "node" or entry[1].type != "identifier":
            return None
        return _router(graph, other, text(entry[1]), code_root)
    if n.type == "identifier":
        return _router(graph, mod, text(n), code_root)
    return None


def _require_spec(call: Node) -> str | None:
    fn = call.child_by_field_name("function")
    args = call.child_by_field_name("arguments")
    if fn is None or text(fn) != "require" or args is None or not args.named_children:
        return None
    return string_value(args.named_children[0])


def _router(graph: JsModuleGraph, mod: JsModule, name: str, code_root: Path) -> tuple[JsModule, str] | None:
    """A router or plugin: a variable bound to a call or `new` (express.Router(), new Router()), or a Fastify plugin
    function, whose routes are registered on its first parameter."""
    bound = _app_binding(graph, mod, name, code_root)
    if bound is not None:
        value = _unwrap(bound[0].globals.get(bound[1]))
        if value is not None and value.type in ("call_expression", "new_expression"):
            return bound
    got = graph.local(mod, name, code_root)
    if got is not None and (fnode := _unwrap(got[1])) is not None and fnode.type in FUNCTION_TYPES:
        params = fnode.child_by_field_name("parameters") or fnode.child_by_field_name("parameter")
        first = next(iter(params.named_children), None) if params is not None else None
        if params is not None and params.type == "identifier":
            first = params
        if first is not None and first.type == "identifier":
            return got[0], text(first)
    return None


def request_path(path: tuple[str, ...]) -> tuple[str, ...] | None:
    """The event path a read of the request at `path` stands for; None for parts the app itself sets."""
    if path and path[0] == "request":  # Koa ctx.request.body, Fastify request.raw
        path = path[1:]
    if not path:
        return ()
    key = _REQUEST_KEYS.get(path[0])
    if key is None:
        return None
    return (key, *path[1:])


def routes_summary(engine: JsTaintEngine, found: list[Route], code_root: Path) -> Summary:
    """Every route's events, with its request parameter rebound to the parts of the event the adapter received."""
    merged = Summary([])
    done: set[tuple[str, int, tuple[tuple[str, ...], ...]]] = set()
    for route in found:
        key = (route.module.rel, route.node.start_byte, route.validated)
        if key in done:
            continue
        done.add(key)
        summary = engine.summary(route.module, route.node, code_root)
        step = Step(Loc(route.module.rel, route.line), f"{route.method} {route.path or '/'} receives the request")
        for ev in summary.events:
            val = _rebind(dict(ev.val), step, route.validated)
            if val:
                merged.events.append(Event(ev.kind, ev.call, ev.loc, tuple(val.items())))
        merged.returns.extend((loc, v) for loc, ret in summary.returns if (v := _rebind(ret, step, route.validated)))
    return merged


def _rebind(val: Val, step: Step, validated: tuple[tuple[str, ...], ...]) -> Val:
    out: Val = {}
    for r, steps in val.items():
        if r.root < 0:  # exception text, secrets, the event itself: as they are
            out.setdefault(r, steps)
            continue
        if r.root != 0:  # the response object, `next`: not caller data
            continue
        path = request_path(r.path)
        if path is None or any(path[: len(v)] == v for v in validated):
            continue
        out.setdefault(Ref(EVENT, path, r.flat, r.cleared, r.label), ((step, *steps))[:MAX_STEPS])
    return out
