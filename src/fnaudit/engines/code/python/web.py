"""WSGI/ASGI web apps behind a Lambda adapter: Flask and FastAPI routes seen as one summary of the event.

The function's handler is the adapter (serverless-wsgi's `wsgi_handler.handler` pointed at the app by
`custom.wsgi.app`, or `handler = Mangum(app)` / `make_lambda_handler(app)` in the handler module): it
turns the Lambda proxy event into a request and runs whichever route matches, so the function's
summary is every route's, over the app's module and the modules it imports (blueprints and routers
registered on the app). Flask views read `flask.request` (an `EVENT` reference, see
`taint.expressions`) and receive the URL's variables as arguments; FastAPI path operations receive
everything as typed arguments: path variables, a model (the JSON body), plain values (the query).
A Flask view's returned string is the HTML response body (a FastAPI one's with `response_class=HTMLResponse`),
so a string built from request data is XSS.
"""

from __future__ import annotations

import ast
from pathlib import Path

from fnaudit.engines.code import ir
from fnaudit.engines.code.python import django
from fnaudit.engines.code.python.modules import Module, qualname
from fnaudit.engines.code.python.taint.engine import TaintEngine
from fnaudit.engines.code.taint.summaries import apply_events
from fnaudit.engines.code.taint.values import EVENT, Event, Ref, Summary, Val, active, instantiate
from fnaudit.model.code import Step
from fnaudit.model.loc import Loc

_APPS = frozenset({"flask.Flask", "fastapi.FastAPI", "starlette.applications.Starlette"})
_ROUTERS = frozenset({"flask.Blueprint", "fastapi.APIRouter", "fastapi.routing.APIRouter"})
# callables that wrap the app into a Lambda handler: `handler = Mangum(app)`
_ADAPTERS = frozenset({"mangum.Mangum", "apig_wsgi.make_lambda_handler"})
# functions a handler calls with the app and the event: aws-wsgi, serverless-wsgi's own entry
_CALL_ADAPTERS = frozenset({"awsgi.response", "serverless_wsgi.handle_request"})
_VERBS = frozenset({"route", "get", "post", "put", "patch", "delete", "head", "options", "api_route"})
_REGISTER = frozenset({"register_blueprint", "include_router"})
# FastAPI parameter markers (`q: str = Header(None)`): marker → event part
_MARKERS = {
    "Header": "headers",
    "Cookie": "cookies",
    "Body": "body",
    "Form": "body",
    "File": "body",
    "Path": "pathParameters",
    "Query": "queryStringParameters",
}
_SCALARS = frozenset({"str", "int", "float", "bool", "bytes", "list", "dict", "None", "Optional", "List", "Dict"})


def _constructed(module: Module, name: str, kinds: frozenset[str]) -> bool:
    g = module.globals.get(name)
    return isinstance(g, ast.Call) and qualname(module, g.func) in kinds


def app_of(module: Module, symbol: str) -> str | None:
    """The app variable the handler symbol runs: `symbol` itself (serverless-wsgi names the app), or the
    argument of the adapter it is bound to (`handler = Mangum(app)`)."""
    g = module.globals.get(symbol)
    if isinstance(g, ast.Call) and qualname(module, g.func) in _ADAPTERS and g.args and isinstance(g.args[0], ast.Name):
        return g.args[0].id
    return symbol if g is not None else None


def adapter_call(module: Module, node: ast.AST) -> str | None:
    """The app a handler function passes the event to (`return awsgi.response(app, event, context)`)."""
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Call)
            and qualname(module, sub.func) in _CALL_ADAPTERS
            and sub.args
            and isinstance(sub.args[0], ast.Name)
        ):
            return sub.args[0].id
    return None


def routes_summary(
    engine: TaintEngine, module: Module, modules: list[Module], symbol: str, code_root: Path
) -> Summary | None:
    """Every route of the web app the handler runs, with its arguments bound to the event; None when
    the handler is not a Flask / FastAPI app (or an adapter of one)."""
    var = app_of(module, symbol)
    if var is None:
        return None
    home = module
    imp = module.imports.get(var)
    if imp is not None and imp[0] == "symbol":  # `from api import app` then `handler = Mangum(app)`
        level = len(imp[1]) - len(imp[1].lstrip("."))
        other = engine.graph.resolve(module, imp[1].lstrip("."), level, code_root)
        if other is None:
            return None
        home, var = other, imp[2]
        modules = engine.graph.closure(home, code_root)
    if not _constructed(home, var, _APPS):
        # a Django project: `application = get_wsgi_application()` serves the views its urlconf names
        return django.routes_summary(engine, home, var, code_root)
    registered = _registered(modules)
    merged = Summary([])
    for mod in modules:
        owners = {
            name
            for name in mod.globals
            if (mod is home and name == var) or (name in registered and _constructed(mod, name, _ROUTERS))
        }
        for fnode in mod.functions.values():
            for dec in fnode.decorator_list:
                if _route_owner(dec) in owners and isinstance(dec, ast.Call):
                    _add_route(engine, mod, fnode, dec, code_root, merged)
                    break
    return merged


def _registered(modules: list[Module]) -> set[str]:
    """Names of the blueprints / routers some module registers (`app.register_blueprint(orders.bp)`)."""
    out: set[str] = set()
    for mod in modules:
        for node in ast.walk(mod.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _REGISTER
                and node.args
            ):
                arg = node.args[0]
                if isinstance(arg, ast.Name):
                    out.add(arg.id)
                elif isinstance(arg, ast.Attribute):
                    out.add(arg.attr)
    return out


def _route_owner(dec: ast.expr) -> str | None:
    func = dec.func if isinstance(dec, ast.Call) else dec
    if isinstance(func, ast.Attribute) and func.attr in _VERBS and isinstance(func.value, ast.Name):
        return func.value.id
    return None


def _add_route(
    engine: TaintEngine,
    mod: Module,
    fnode: ast.FunctionDef | ast.AsyncFunctionDef,
    dec: ast.Call,
    code_root: Path,
    merged: Summary,
) -> None:
    path = _path_of(dec)
    fastapi = _is_fastapi(mod, dec)
    summary = engine.summary(mod, fnode, code_root)
    step = Step(Loc(mod.rel, fnode.lineno), f"route {path or fnode.name} runs {fnode.name}()")
    defaults = _defaults(fnode)
    args: list[Val] = []
    declared = {a.arg: a for a in (*fnode.args.posonlyargs, *fnode.args.args, *fnode.args.kwonlyargs)}
    for p in summary.params:
        part = _param_part(mod, p, declared.get(p), defaults, path, fastapi)
        args.append({Ref(EVENT, part): (step,)} if part is not None else {})
    apply_events(summary, args, merged)
    returned = [(loc, instantiate(val, args)) for loc, val in summary.returns]
    merged.returns.extend(returned)
    if not fastapi or _html_class(mod, dec):
        _html_returns(fnode, mod.rel, returned, merged)


def _path_of(dec: ast.Call) -> str:
    node = dec.args[0] if dec.args else next((k.value for k in dec.keywords if k.arg in ("rule", "path")), None)
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _is_fastapi(mod: Module, dec: ast.Call) -> bool:
    owner = _route_owner(dec)
    g = mod.globals.get(owner or "")
    return isinstance(g, ast.Call) and (qualname(mod, g.func) or "").startswith(("fastapi.", "starlette."))


def _defaults(fnode: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    # defaults belong to the last positional parameters, positional-only ones included
    positional = [*fnode.args.posonlyargs, *fnode.args.args]
    defaults = fnode.args.defaults
    with_default = positional[len(positional) - len(defaults) :]
    out = {a.arg: d for a, d in zip(with_default, defaults, strict=True)}
    out.update({a.arg: d for a, d in zip(fnode.args.kwonlyargs, fnode.args.kw_defaults, strict=True) if d is not None})
    return out


def _param_part(
    mod: Module, name: str, arg: ast.arg | None, defaults: dict[str, ast.expr], path: str, fastapi: bool
) -> tuple[str, ...] | None:
    """The part of the event a route argument comes from; None for what the framework injects itself."""
    if not fastapi:
        return ("pathParameters", name)  # Flask passes the URL's `<variables>` only
    if "{" + name + "}" in path or "{" + name + ":" in path:
        return ("pathParameters", name)
    default = defaults.get(name)
    if isinstance(default, ast.Call):
        marker = (qualname(mod, default.func) or "").rsplit(".", 1)[-1]
        if marker == "Depends":
            return None  # a dependency: what it returns is the dependency's business
        if marker in _MARKERS:
            return (_MARKERS[marker], name) if _MARKERS[marker] != "body" else ("body",)
    annotation = arg.annotation if arg is not None else None
    ann = _annotation_name(annotation)
    if ann in ("Request", "WebSocket"):
        return ()  # the whole request
    if ann in ("Response", "BackgroundTasks"):
        return None
    if ann and ann not in _SCALARS and ann[:1].isupper():
        return ("body",)  # a Pydantic model: the JSON body
    return ("queryStringParameters", name)


def _annotation_name(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Subscript):  # Optional[Model], Annotated[str, …]
        return _annotation_name(node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _html_returns(
    fnode: ast.FunctionDef | ast.AsyncFunctionDef, rel: str, returned: list[tuple[Loc, Val]], merged: Summary
) -> None:
    """A Flask view returning text built from request data: Flask sends a returned `str` as `text/html`.
    Only returns whose expression builds a string count (a dict or a `jsonify(...)` is JSON)."""
    lines = {n.lineno for n in ast.walk(fnode) if isinstance(n, ast.Return) and _builds_text(n.value)}
    for loc, val in returned:
        if loc.path == rel and loc.line in lines:
            hot = {r: s for r, s in active(val, ir.XSS).items() if r.flat}
            if hot:
                merged.events.append(Event(ir.XSS, "HTML response (Flask view)", loc, tuple(hot.items())))


def _html_class(mod: Module, dec: ast.Call) -> bool:
    """`@app.get(..., response_class=HTMLResponse)`: FastAPI sends the returned text as HTML."""
    return any(
        k.arg == "response_class" and (qualname(mod, k.value) or "").endswith(".HTMLResponse") for k in dec.keywords
    )


def _builds_text(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Tuple) and node.elts:  # `return body, 200`
        return _builds_text(node.elts[0])
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("format", "join")
        and isinstance(node.func.value, ast.Constant)
    )
