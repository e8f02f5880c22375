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

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fnaudit.engines.code.javascript.modules import (
    FUNCTION_TYPES,
    JsModule,
    JsModuleGraph,
    Node,
    package_name,
    string_value,
    text,
)
from fnaudit.engines.code.javascript.modules import unwrap as _unwrap
from fnaudit.engines.code.javascript.syntax import call_args as _arguments
from fnaudit.engines.code.javascript.syntax import object_props
from fnaudit.engines.code.taint.values import EVENT, MAX_STEPS, Event, Ref, Summary, Val
from fnaudit.model.code import Route as RouteRecord
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
    "payload": "body",  # Hapi request.payload
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
    auth: str | None = None  # the authentication middleware the route runs first (`passport.authenticate`), if any
    event: bool = False  # the handler receives the Lambda event itself (@middy/http-router), not a request
    site: str = ""  # the file that declares the route, when it is not the handler's (`router.get(p, ctl.get)`)

    @property
    def declared_in(self) -> str:
        return self.site or self.module.rel


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
    if value.type == "call_expression" and (built := _builder_app(graph, mod, value, code_root)) is not None:
        return built
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
    return imp is not None and package_name(imp[1]) in ADAPTERS


def _builder_app(graph: JsModuleGraph, mod: JsModule, call: Node, code_root: Path) -> tuple[JsModule, str] | None:
    """@h4ad/serverless-adapter: `ServerlessAdapter.new(app).setFramework(new ExpressFramework())….build()`.

    The chain is walked from `build()` down to `.new(app)`; the builder may be kept in a module constant between
    steps (`const adapter = ServerlessAdapter.new(app)…; export const handler = adapter.build()`)."""
    n: Node | None = call
    frameworks: list[Node] = []  # the arguments of `.setFramework(...)`
    for _ in range(32):
        n = _unwrap(n)
        if n is not None and n.type == "identifier" and text(n) not in mod.imports:
            n = mod.globals.get(text(n))
            continue
        if n is None or (method := _method_call(n)) is None:
            return None
        obj, prop = method
        if prop == "setFramework":
            frameworks += _arguments(n)[:1]
        if prop == "new" and obj is not None and obj.type == "identifier":
            imp = mod.imports.get(text(obj))
            if imp is None or package_name(imp[1]) != "@h4ad/serverless-adapter":
                return None
            return _app_argument(graph, mod, n, code_root) or _lazy_app(graph, mod, frameworks, code_root)
        n = obj
    return None


def _method_call(n: Node) -> tuple[Node | None, str] | None:
    """(the object, the method) of a method call `obj.m(...)` (the object unwrapped); None for any other node:
    the builder chains and the TypeBox `Type.X(...)` calls are both read this way."""
    if n.type != "call_expression":
        return None
    fn = _unwrap(n.child_by_field_name("function"))
    if fn is None or fn.type != "member_expression":
        return None
    return _unwrap(fn.child_by_field_name("object")), text(fn.child_by_field_name("property"))


def _lazy_app(
    graph: JsModuleGraph, mod: JsModule, frameworks: list[Node], code_root: Path
) -> tuple[JsModule, str] | None:
    """`ServerlessAdapter.new(null).setFramework(new LazyFramework(new ExpressFramework(), factory))`: the app is
    what the factory returns."""
    for node in frameworks:
        n = _unwrap(node)
        if n is not None and n.type == "identifier":  # const framework = new LazyFramework(…)
            n = _unwrap(mod.globals.get(text(n)))
        if n is not None and n.type == "new_expression":
            args = _arguments(n)
            if len(args) > 1 and (made := _factory_app(graph, mod, args[1], code_root)) is not None:
                return made
    return None


def _factory_app(
    graph: JsModuleGraph, mod: JsModule, node: Node, code_root: Path, depth: int = 0
) -> tuple[JsModule, str] | None:
    """The app an adapter argument stands for: a variable (`app`, also `const app = createApp()`), a call of a
    factory of the package (`createApp()`), or a factory function (`async () => { const app = express(); …;
    return app; }`), whose returned variable, global or local to it, is where the routes are registered."""
    n = _unwrap(node)  # also drops `await`
    if n is None or depth > 6:
        return None
    if n.type in ("identifier", "shorthand_property_identifier"):
        bound = _app_binding(graph, mod, text(n), code_root)
        if bound is not None:
            value = _unwrap(bound[0].globals.get(bound[1]))
            made = (
                _factory_app(graph, bound[0], value, code_root, depth + 1)
                if value is not None and value.type == "call_expression"
                else None
            )
            return made or bound
        got = graph.local(mod, text(n), code_root)
        if got is not None and (fnode := _unwrap(got[1])) is not None and fnode.type in FUNCTION_TYPES:
            return _returned_app(graph, got[0], fnode, code_root, depth + 1)
        return None
    if n.type in FUNCTION_TYPES:
        return _returned_app(graph, mod, n, code_root, depth + 1)
    if n.type == "call_expression":
        fn = _unwrap(n.child_by_field_name("function"))
        got = graph.local(mod, text(fn), code_root) if fn is not None and fn.type == "identifier" else None
        if got is not None and (fnode := _unwrap(got[1])) is not None and fnode.type in FUNCTION_TYPES:
            return _returned_app(graph, got[0], fnode, code_root, depth + 1)
    return None


def _returned_app(
    graph: JsModuleGraph, mod: JsModule, fnode: Node, code_root: Path, depth: int
) -> tuple[JsModule, str] | None:
    body = fnode.child_by_field_name("body")
    if body is None:
        return None
    if body.type != "statement_block":  # () => createApp()
        return _factory_app(graph, mod, body, code_root, depth)
    stack = list(reversed(body.named_children))
    while stack:
        n = stack.pop()
        if n.type in FUNCTION_TYPES or n.type in ("class_declaration", "class"):
            continue  # a nested function's `return` is not the factory's
        if n.type == "return_statement":
            value = _unwrap(n.named_children[0]) if n.named_children else None
            if (
                value is not None
                and value.type == "identifier"
                and text(value) not in mod.globals
                and text(value) not in mod.imports
            ):
                return mod, text(value)  # a variable of the factory: its routes are registered on that name
            made = _factory_app(graph, mod, value, code_root, depth) if value is not None else None
            if made is not None:
                return made
            continue
        stack.extend(reversed(n.named_children))
    return None


# The package an app is created from (`express()`, `new Koa()`, `Fastify()`, `Hapi.server()`) → its framework.
_FRAMEWORK_PACKAGES = {"express": "express", "koa": "koa", "fastify": "fastify", "@hapi/hapi": "hapi"}


def app_framework(mod: JsModule, var: str) -> str | None:
    """The framework the app variable `var` of `mod` is created with, read from its creation; None when unknown."""
    n = _unwrap(mod.globals.get(var) or _declared_value(mod.root, var))
    for _ in range(8):
        if n is None:
            return None
        if n.type in ("call_expression", "new_expression"):
            spec = _require_spec(n)
            if spec is not None:  # require("express")()
                return _FRAMEWORK_PACKAGES.get(package_name(spec))
            n = _unwrap(n.child_by_field_name("function") or n.child_by_field_name("constructor"))
        elif n.type == "member_expression":  # Hapi.server(), fastify.default()
            n = _unwrap(n.child_by_field_name("object"))
        elif n.type == "identifier":
            imp = mod.imports.get(text(n))
            return _FRAMEWORK_PACKAGES.get(package_name(imp[1])) if imp is not None else None
        else:
            return None
    return None


def _app_argument(graph: JsModuleGraph, mod: JsModule, call: Node, code_root: Path) -> tuple[JsModule, str] | None:
    args = call.child_by_field_name("arguments")
    for a in args.named_children if args is not None else []:
        ua = _unwrap(a)
        if ua is None:
            continue
        if ua.type == "identifier" or (ua.type == "call_expression" and _require_spec(ua) is None):
            return _factory_app(graph, mod, ua, code_root)  # serverless(app), serverless(createApp())
        if ua.type == "object":  # serverlessExpress({ app }) / ({ app: expressApp })
            for c in ua.named_children:
                if c.type == "shorthand_property_identifier" and text(c) == "app":
                    return _factory_app(graph, mod, c, code_root)
                if c.type == "pair" and text(c.child_by_field_name("key")) == "app":
                    v = _unwrap(c.child_by_field_name("value"))
                    if v is not None and v.type in ("identifier", "call_expression"):
                        return _factory_app(graph, mod, v, code_root)
    return None


def _proxy_app(graph: JsModuleGraph, mod: JsModule, fnode: Node, code_root: Path) -> tuple[JsModule, str] | None:
    """`(event, context) => awsServerlessExpress.proxy(server, event, context)`, `server = createServer(app)`."""
    for n in mod.mirrored(_CALLS, fnode):  # the first call found by a walk that visits the last child first
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
    return None


_CALLS = frozenset({"call_expression"})


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
    guards: dict[str, str] = {}  # router variable → the auth middleware `use`d on it so far (source order)
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
            if method == "route":  # Express `app.route("/x").get(h)…`, Fastify / Hapi `app.route({ method, url, … })`
                out.extend(_route_forms(graph, m, call, args, prefix, guards.get(v), code_root))
                continue
            if method in ROUTE_METHODS and path is not None and any(_options(m, h) for h in handlers[:-1]):
                # Fastify shorthand with route options: `app.get("/x", { schema, preHandler }, handler)`
                opts = {k: n for h in handlers[:-1] for k, n in _options(m, h).items()}
                opts.setdefault("handler", handlers[-1])
                out.extend(_fastify_route(graph, m, [method], prefix + path, opts, line, guards.get(v), code_root))
                continue
            if method in ROUTE_METHODS:
                functions = [f for h in handlers if (f := _function(graph, m, h, code_root)) is not None]
                checked = any("validationResult" in text(f[1]) for f in functions)
                validated = tuple(p for h in handlers for p in _validated(m, h, checked))
                auth = next((a for h in handlers[:-1] if (a := auth_middleware(h)) is not None), guards.get(v))
                for found in functions:
                    out.append(Route(method.upper(), prefix + (path or ""), *found, line, validated, auth, site=m.rel))
            elif method in ("use", "register"):
                guard = next((a for h in handlers if (a := auth_middleware(h)) is not None), None)
                if guard is not None and method == "use" and path is None:  # `app.use(requireAuth)`: routes after it
                    guards[v] = guard
                if method == "register" and path is None:  # Fastify: app.register(plugin, { prefix: "/x" })
                    path = _prefix_option(args[1] if len(args) > 1 else None)
                for h in handlers:
                    mounted = _mounted(graph, m, h, code_root)
                    if mounted is not None:
                        todo.append((*mounted, prefix + (path or "")))
                        continue
                    middleware = _function(graph, m, h, code_root)
                    if middleware is not None and method == "use":
                        out.append(Route("USE", prefix + (path or ""), *middleware, line, site=m.rel))
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


def _declared_value(root: Node, name: str) -> Node | None:
    """The value of the first `const name = …` anywhere in the module (an app made inside a factory function)."""
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "variable_declarator" and text(n.child_by_field_name("name")) == name:
            return n.child_by_field_name("value")
        stack.extend(reversed(n.named_children))
    return None


def _route_forms(
    graph: JsModuleGraph, mod: JsModule, call: Node, args: list[Node], prefix: str, auth: str | None, code_root: Path
) -> list[Route]:
    """`x.route(...)`: Express `router.route("/x").get(h).post(h2)` (the methods chained on it), or Fastify / Hapi
    route options `app.route({ method: "GET" | ["GET", "POST"], url | path, handler, preHandler, schema })` (Hapi
    also takes an array of them)."""
    first = _unwrap(args[0]) if args else None
    if first is None:
        return []
    path = string_value(first)
    if path is not None:
        return _chained_routes(graph, mod, call, prefix + path, auth, code_root)
    out: list[Route] = []
    for item in first.named_children if first.type == "array" else [first]:
        opts = _options(mod, item)
        kind = _unwrap(opts.get("method"))
        methods = [string_value(kind)] if kind is not None and kind.type != "array" else []
        methods += [string_value(c) for c in kind.named_children] if kind is not None and kind.type == "array" else []
        where = string_value(_unwrap(opts.get("url") or opts.get("path")))
        if where is None or not methods:
            continue
        line = item.start_point[0] + 1 if item is not first else call.start_point[0] + 1
        named = [m.lower() if m != "*" else "all" for m in methods if m]
        out += _fastify_route(graph, mod, named, prefix + where, opts, line, auth, code_root)
    return out


def _chained_routes(
    graph: JsModuleGraph, mod: JsModule, call: Node, path: str, auth: str | None, code_root: Path
) -> list[Route]:
    """The methods chained on `router.route(path)`, each at the line of its own method name."""
    out: list[Route] = []
    node = call
    for _ in range(16):
        member = node.parent
        if (
            member is None
            or member.type != "member_expression"
            or not _same(member.child_by_field_name("object"), node)
        ):
            break
        outer = member.parent
        if outer is None or outer.type != "call_expression" or not _same(outer.child_by_field_name("function"), member):
            break
        prop = member.child_by_field_name("property")
        method = text(prop)
        if method in ROUTE_METHODS and prop is not None:
            out += _method_routes(graph, mod, method, path, _arguments(outer), prop.start_point[0] + 1, auth, code_root)
        node = outer
    return out


def _same(a: Node | None, b: Node) -> bool:
    return a is not None and (a.start_byte, a.end_byte, a.type) == (b.start_byte, b.end_byte, b.type)


def _method_routes(
    graph: JsModuleGraph,
    mod: JsModule,
    method: str,
    path: str,
    handlers: list[Node],
    line: int,
    auth: str | None,
    code_root: Path,
) -> list[Route]:
    """The functions of one Express-style `METHOD(...handlers)` registration, with what its middleware constrains."""
    functions = [f for h in handlers if (f := _function(graph, mod, h, code_root)) is not None]
    checked = any("validationResult" in text(f[1]) for f in functions)
    validated = tuple(p for h in handlers for p in _validated(mod, h, checked))
    auth = next((a for h in handlers[:-1] if (a := auth_middleware(h)) is not None), auth)
    return [Route(method.upper(), path, *f, line, validated, auth, site=mod.rel) for f in functions]


# Fastify route hooks that run before the schema validation, and the one that runs after it (with the handler).
_HOOKS_BEFORE_VALIDATION = ("onRequest", "preParsing", "preValidation")
_HOOKS_AFTER_VALIDATION = ("preHandler",)


def _fastify_route(
    graph: JsModuleGraph,
    mod: JsModule,
    methods: list[str],
    path: str,
    opts: dict[str, Node],
    line: int,
    auth: str | None,
    code_root: Path,
) -> list[Route]:
    """Route options (`handler`, hooks, `schema`) registered for each of `methods`.

    Fastify validates `schema.params / querystring / body / headers` before `preHandler` and the handler run, and
    answers 400 otherwise: what the schema closes (an integer, an enum, a uuid) is no free text for them. Hooks
    that run earlier see the raw request. Hapi's `options.auth` / `config.auth` names the route's authentication."""
    schema = _options(mod, opts.get("schema"))
    validated = tuple(p for part, key in _SCHEMA_PARTS.items() for p in schema_validated(mod, schema.get(part), (key,)))
    early = [h for k in _HOOKS_BEFORE_VALIDATION for h in _hooks(opts.get(k))]
    late = [h for k in _HOOKS_AFTER_VALIDATION for h in _hooks(opts.get(k))]
    auth = next((a for h in (*early, *late) if (a := auth_middleware(h)) is not None), auth)
    for key in ("options", "config"):  # Hapi: { options: { auth: "jwt" } }
        given = _unwrap(_options(mod, opts.get(key)).get("auth"))
        if given is not None and string_value(given) != "false" and given.type != "false":
            auth = string_value(given) or text(given)
    out: list[Route] = []
    for method in methods:
        for hooks, checked in ((early, ()), ([*late, opts.get("handler")], validated)):
            for h in hooks:
                found = _function(graph, mod, h, code_root) if h is not None else None
                if found is not None:
                    out.append(Route(method.upper(), path, *found, line, checked, auth, site=mod.rel))
    return out


def _hooks(node: Node | None) -> list[Node]:
    n = _unwrap(node)
    if n is None:
        return []
    return list(n.named_children) if n.type == "array" else [n]


def _options(mod: JsModule, node: Node | None) -> dict[str, Node]:
    """The properties of an object literal (or of a module constant bound to one), by key; {} for anything else."""
    n = _unwrap(node)
    if n is not None and n.type == "member_expression":  # `opts.schema`, a property of a module constant
        n = _options(mod, n.child_by_field_name("object")).get(text(n.child_by_field_name("property")))
    if n is not None and n.type in ("identifier", "shorthand_property_identifier"):
        n = _unwrap(mod.globals.get(text(n)))
    return object_props(n)


# Fastify schema part → the key of the Lambda proxy event the request part comes from.
_SCHEMA_PARTS = {
    "params": "pathParameters",
    "querystring": "queryStringParameters",
    "query": "queryStringParameters",
    "body": "body",
    "headers": "headers",
}
# JSON-schema string formats that leave no room for quotes, spaces or shell characters.
_STRICT_FORMATS = frozenset({"uuid", "date", "date-time", "time", "ipv4", "ipv6", "int32", "int64"})
# An anchored pattern made of word characters, dashes, classes and counts only (`^[a-z0-9_-]{1,32}$`).
_STRICT_PATTERN = re.compile(r"\^(?:[\w\-\[\]{},+*?]|\\[dw\-_])+\$")


# TypeBox builders whose value is never free text.
_TYPEBOX_CLOSED = frozenset({"Integer", "Number", "Boolean", "Null", "Literal", "Enum", "Union", "Date"})


def _typebox(mod: JsModule, node: Node | None) -> tuple[str, list[Node]] | None:
    """(builder, arguments) of a `Type.X(...)` call of @sinclair/typebox (also re-exported by the Fastify type
    provider); None for anything else. A `Type.Union` is closed only when every member is."""
    n = _unwrap(node)
    if n is not None and n.type == "identifier":
        n = _unwrap(mod.globals.get(text(n)))
    if n is None or (method := _method_call(n)) is None:
        return None
    obj, kind = method
    imp = mod.imports.get(text(obj)) if obj is not None and obj.type == "identifier" else None
    if imp is None or package_name(imp[1]) not in ("@sinclair/typebox", "@fastify/type-provider-typebox"):
        return None
    args = _arguments(n)
    if kind == "Union" and args:
        members = _unwrap(args[0])
        closed = (
            members is not None
            and members.type == "array"
            and all((t := _typebox(mod, m)) is not None and t[0] in _TYPEBOX_CLOSED for m in members.named_children)
        )
        return (kind, args) if closed else ("Open", args)
    return kind, args


def schema_validated(mod: JsModule, node: Node | None, base: tuple[str, ...], depth: int = 0) -> list[tuple[str, ...]]:
    """The paths under `base` that the JSON schema `node` closes: a number, a boolean, an enum or const, a strict
    format or an anchored word pattern. A property left open (a free `string`) is not listed. TypeBox builders
    (`Type.Object({ id: Type.Integer() })`) are read as the JSON schema they build."""
    typebox = _typebox(mod, node)
    if typebox is not None:
        kind, args = typebox
        if kind in _TYPEBOX_CLOSED:
            return [base]
        if kind in ("Optional", "Readonly") and args:
            return schema_validated(mod, args[0], base, depth + 1)
        if kind == "String" and args:
            return schema_validated(mod, args[0], base, depth + 1)  # Type.String({ format: "uuid" })
        if kind == "Object" and args and depth <= 8:
            return [
                p for k, v in _options(mod, args[0]).items() for p in schema_validated(mod, v, (*base, k), depth + 1)
            ]
        return []
    props = _options(mod, node)
    if not props or depth > 8:
        return []
    typ = string_value(_unwrap(props.get("type")))
    fmt = string_value(_unwrap(props.get("format")))
    pattern = string_value(_unwrap(props.get("pattern")))
    if (
        typ in ("integer", "number", "boolean", "null")
        or "enum" in props
        or "const" in props
        or fmt in _STRICT_FORMATS
        or (pattern is not None and _STRICT_PATTERN.fullmatch(pattern) is not None)
    ):
        return [base]
    out: list[tuple[str, ...]] = []
    for name, sub in _options(mod, props.get("properties")).items():
        out += schema_validated(mod, sub, (*base, name), depth + 1)
    return out


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
    if n.type in ("identifier", "shorthand_property_identifier"):  # also `{ handler }` in route options
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


# A middleware whose name says it authenticates the caller (passport, express-jwt, express-oauth2-jwt-bearer,
# an app's own `requireAuth`). The name is what is read: the record says which one, the rules word it as
# "authentication in code", never as proof.
_AUTH_MIDDLEWARE = re.compile(
    r"(?i)(auth|jwt|login|verify_?token|require_?user|ensure_?logged|is_?logged_?in|protect|guard|session_?required)"
)


def auth_middleware(node: Node) -> str | None:
    """The name of a route argument that is an authentication middleware: `authenticate`,
    `passport.authenticate('jwt', …)`, `checkJwt`, `auth.required`; None for anything else."""
    n = _unwrap(node)
    if n is None:
        return None
    if n.type == "call_expression":  # passport.authenticate('jwt'), expressjwt({...}), auth()
        n = n.child_by_field_name("function")
    if n is None or n.type not in ("identifier", "member_expression"):
        return None
    name = text(n)
    return name if _AUTH_MIDDLEWARE.search(name) else None


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


def routes_summary(engine: JsTaintEngine, found: list[Route], code_root: Path, framework: str = "express") -> Summary:
    """Every route's events, with its request parameter rebound to the parts of the event the adapter received."""
    merged = Summary([])
    done: set[tuple[str, int, tuple[tuple[str, ...], ...]]] = set()
    listed: set[tuple[str, str, Loc]] = set()
    for route in found:
        record = None  # middleware (`app.use(fn)`) runs for every route: it is not a route of its own
        if route.method != "USE":
            record = RouteRecord(
                "ANY" if route.method == "ALL" else route.method,
                route.path,
                Loc(route.declared_in, route.line),
                _view_name(route.node),
                framework,
                route.auth,
            )
            if (record.method, record.path, record.loc) not in listed:  # a route's hooks share its record
                listed.add((record.method, record.path, record.loc))
                merged.routes.append(record)
        # one handler serving several routes (or methods) is analysed once: its events carry the first route
        key = (route.module.rel, route.node.start_byte, route.validated)
        if key in done:
            continue
        done.add(key)
        summary = engine.summary(route.module, route.node, code_root)
        step = Step(Loc(route.declared_in, route.line), f"{route.method} {route.path or '/'} receives the request")
        for ev in summary.events:
            val = _rebind(dict(ev.val), step, route.validated, route.event)
            if val:
                merged.events.append(Event(ev.kind, ev.call, ev.loc, tuple(val.items()), record))
        merged.returns.extend(
            (loc, v) for loc, ret in summary.returns if (v := _rebind(ret, step, route.validated, route.event))
        )
    return merged


def _view_name(node: Node) -> str:
    """The route handler's name (`function getOrder(req, res)`, `const getOrder = …`, `exports.getOrder = …`)."""
    name = node.child_by_field_name("name")
    parent = node.parent
    if name is None and parent is not None and parent.type == "variable_declarator":
        name = parent.child_by_field_name("name")
    if name is None and parent is not None and parent.type == "assignment_expression":  # exports.show = (req) => …
        left = parent.child_by_field_name("left")
        name = left.child_by_field_name("property") if left is not None and left.type == "member_expression" else left
    return text(name) if name is not None else "<anonymous>"


def _rebind(val: Val, step: Step, validated: tuple[tuple[str, ...], ...], event: bool = False) -> Val:
    out: Val = {}
    for r, steps in val.items():
        if r.root < 0:  # exception text, secrets, the event itself: as they are
            out.setdefault(r, steps)
            continue
        if r.root != 0:  # the response object, `next`: not caller data
            continue
        path = r.path if event else request_path(r.path)  # event: a @middy/http-router handler's own event
        if path is None or any(path[: len(v)] == v for v in validated):
            continue
        out.setdefault(Ref(EVENT, path, r.flat, r.cleared, r.label), ((step, *steps))[:MAX_STEPS])
    return out
