"""WSGI/ASGI web apps behind a Lambda adapter: Flask, FastAPI and Starlette routes seen as one summary of the event.

The function's handler is the adapter (serverless-wsgi's `wsgi_handler.handler` pointed at the app by
`custom.wsgi.app`, or `handler = Mangum(app)` / `make_lambda_handler(app)` in the handler module): it
turns the Lambda proxy event into a request and runs whichever route matches, so the function's
summary is every route's, over the app's module and the modules it imports (blueprints and routers
registered on the app). Flask views read `flask.request` (an `EVENT` reference, see
`taint.expressions`) and receive the URL's variables as arguments; FastAPI path operations receive
everything as typed arguments: path variables, a model (the JSON body), plain values (the query).
A Flask view's returned string is the HTML response body (a FastAPI one's with `response_class=HTMLResponse`),
so a string built from request data is XSS.

Routes are declared by decorators, by registration calls (`add_url_rule` with a function or a class-based
view, `add_api_route`, `add_route`) or by Starlette's `routes=` table (see `starlette`); every form is
an `endpoints.Endpoint`, turned into the summary by `_add_route` alone. Starlette endpoints take the
request (`request.query_params`, `path_params`, `headers`, `cookies`, `await request.json()`…). The app's
framework (its constructor's package; "django" for a Django project) is returned with the summary.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, replace
from pathlib import Path

from fnaudit.engines.code import ir
from fnaudit.engines.code.python import django, routes, starlette
from fnaudit.engines.code.python.endpoints import Endpoint, argument, definition, literal, methods_list, of_view
from fnaudit.engines.code.python.modules import Module, qualname
from fnaudit.engines.code.python.taint.engine import TaintEngine
from fnaudit.engines.code.taint.summaries import apply_events
from fnaudit.engines.code.taint.values import EVENT, Event, Ref, Summary, Val, active, instantiate
from fnaudit.model.code import Route, Step
from fnaudit.model.loc import Loc

_APPS = frozenset({"flask.Flask", "fastapi.FastAPI", "starlette.applications.Starlette"})
_ROUTERS = frozenset({"flask.Blueprint", "fastapi.APIRouter", "fastapi.routing.APIRouter"})
# callables that wrap the app into a Lambda handler: `handler = Mangum(app)`
_ADAPTERS = frozenset({"mangum.Mangum", "apig_wsgi.make_lambda_handler"})
# functions a handler calls with the app and the event: aws-wsgi, serverless-wsgi's own entry
_CALL_ADAPTERS = frozenset({"awsgi.response", "serverless_wsgi.handle_request"})
_VERBS = frozenset({"route", "get", "post", "put", "patch", "delete", "head", "options", "api_route"})
_REGISTER = frozenset({"register_blueprint", "include_router"})
# registration calls: method → (binding, position and keyword of the view, position of `methods`, None:
# keyword only)
_REGISTRATIONS: dict[str, tuple[str, int, str, int | None]] = {
    "add_url_rule": ("flask", 2, "view_func", None),
    "add_api_route": ("typed", 1, "endpoint", None),
    "add_route": ("request", 1, "route", 2),
}
# how each framework calls a decorated view (see `endpoints.Endpoint.binding`)
_BINDINGS = {"flask": "flask", "fastapi": "typed", "starlette": "request"}
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
    for sub in module.index.walk(node):
        if (
            isinstance(sub, ast.Call)
            and qualname(module, sub.func) in _CALL_ADAPTERS
            and sub.args
            and isinstance(sub.args[0], ast.Name)
        ):
            return sub.args[0].id
    return None


@dataclass(frozen=True, slots=True)
class WebApp:
    """The routes of a web app behind an adapter, as one summary of the event, and its framework."""

    summary: Summary
    framework: str  # "flask", "fastapi", "starlette", "django"


def routes_summary(
    engine: TaintEngine, module: Module, modules: list[Module], symbol: str, code_root: Path
) -> WebApp | None:
    """Every route of the web app the handler runs, with its arguments bound to the event; None when
    the handler is not a Flask / FastAPI / Starlette / Django app (or an adapter of one)."""
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
    factory = None if _constructed(home, var, _APPS) else _factory(engine, home, var, code_root)
    if factory is None and not _constructed(home, var, _APPS):
        # a Django project: `application = get_wsgi_application()` serves the views its urlconf names
        views = django.routes_summary(engine, home, var, code_root)
        return WebApp(views, "django") if views is not None else None
    framework = _framework_of(factory.module, factory.local, factory.call) if factory else _framework_of(home, var)
    merged = Summary([])
    for ep in _endpoints(engine, home, var, modules, code_root, framework, factory):
        _add_route(engine, ep, code_root, merged)
    return WebApp(merged, framework)


@dataclass(frozen=True, slots=True)
class _Factory:
    """An app built by a function (`app = create_app()`): the app is a local of that function, which
    registers its blueprints and routes there."""

    module: Module
    node: ast.FunctionDef | ast.AsyncFunctionDef
    local: str  # the app's name inside the function
    call: ast.Call  # its constructor (`Flask(__name__)`)


def _factory(engine: TaintEngine, home: Module, var: str, code_root: Path) -> _Factory | None:
    """`app = create_app()` where `create_app` (here or imported) returns `app = Flask(__name__)`."""
    g = home.globals.get(var)
    found = definition(engine.graph, home, g.func, code_root) if isinstance(g, ast.Call) else None
    if found is None:
        return None
    mod, fnode = found
    if not isinstance(fnode, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    built = {
        t.id: node.value
        for node in ast.walk(fnode)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and qualname(mod, node.value.func) in _APPS
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    for node in ast.walk(fnode):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Name) and node.value.id in built:
            return _Factory(mod, fnode, node.value.id, built[node.value.id])
    return None


def _framework_of(mod: Module, name: str, ctor: ast.expr | None = None) -> str:
    """The framework of the app or router `name` is constructed as (`ctor`, else its module-level value),
    by its package (`flask.Blueprint` → flask)."""
    g = ctor or mod.globals.get(name)
    package = (qualname(mod, g.func) or "").split(".")[0] if isinstance(g, ast.Call) else ""
    return package if package in _BINDINGS else "flask"


def _endpoints(
    engine: TaintEngine,
    home: Module,
    var: str,
    modules: list[Module],
    code_root: Path,
    framework: str,
    factory: _Factory | None,
) -> list[Endpoint]:
    """Every route the app serves, whichever form declares it: a decorator, a registration call on the
    app or on a router it registers, an entry of the app's `routes=` table; inside the app's factory too."""
    registered = _registered(modules)
    table_mod, app = (factory.module, factory.call) if factory else (home, home.globals[var])
    out = (
        starlette.table_endpoints(engine.graph, table_mod, app, code_root, framework)
        if isinstance(app, ast.Call)
        else []
    )
    if factory is not None:
        out.extend(_factory_endpoints(engine, factory, code_root, framework))
    for mod in modules:
        owners = {
            name
            for name in mod.globals
            if (mod is home and name == var) or (name in registered and _constructed(mod, name, _ROUTERS))
        }
        if not owners:
            continue
        prefixes = {name: "" if mod is home and name == var else _prefix(mod, name, registered) for name in owners}
        for fnode in mod.functions.values():
            for dec in fnode.decorator_list:
                owner = _route_owner(dec)
                if isinstance(dec, ast.Call) and owner in owners:
                    binding = _BINDINGS[_framework_of(mod, owner or "")]
                    path = literal(argument(dec, 0, "rule")) or literal(argument(dec, 0, "path")) or ""
                    path = prefixes[owner or ""] + path
                    methods = routes.methods_of(dec)
                    out.append(Endpoint(mod, fnode, path, methods, mod.rel, dec.lineno, framework, binding, dec))
                    break
        for node in ast.walk(mod.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _REGISTRATIONS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in owners
            ):
                prefix = prefixes[node.func.value.id]
                out.extend(_registration(engine, mod, node, code_root, framework, prefix))
    # a factory's local app may share its name with the module-level one: each route once
    unique = {(id(ep.view), id(ep.call)): ep for ep in out}
    return list(unique.values())


def _factory_endpoints(engine: TaintEngine, factory: _Factory, code_root: Path, framework: str) -> list[Endpoint]:
    """The routes an app factory declares on its local app: decorated inner functions, registration calls."""
    mod, local = factory.module, factory.local
    binding = _BINDINGS[_framework_of(mod, local, factory.call)]
    out: list[Endpoint] = []
    for node in ast.walk(factory.node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not factory.node:
            dec = next((d for d in node.decorator_list if isinstance(d, ast.Call) and _route_owner(d) == local), None)
            if dec is not None:
                path = literal(argument(dec, 0, "rule")) or literal(argument(dec, 0, "path")) or ""
                out.append(
                    Endpoint(mod, node, path, routes.methods_of(dec), mod.rel, dec.lineno, framework, binding, dec)
                )
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _REGISTRATIONS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == local
        ):
            out.extend(_registration(engine, mod, node, code_root, framework, ""))
    return out


def _prefix(mod: Module, name: str, registered: dict[str, str]) -> str:
    """The URL prefix of a blueprint / router's routes: Flask's `register_blueprint(url_prefix=)` replaces
    the blueprint's own; FastAPI's `include_router(prefix=)` comes before the router's own."""
    if _framework_of(mod, name) == "flask":
        return registered.get(name) or _own_prefix(mod, name)
    return registered.get(name, "") + _own_prefix(mod, name)


def _registration(
    engine: TaintEngine, mod: Module, call: ast.Call, code_root: Path, framework: str, prefix: str
) -> list[Endpoint]:
    """`app.add_url_rule(rule, endpoint, view_func)` (Flask), `app.add_api_route(path, endpoint)` (FastAPI),
    `app.add_route(path, endpoint, methods)` (Starlette, and FastAPI apps, which are Starlette apps)."""
    assert isinstance(call.func, ast.Attribute)
    binding, view_at, view_kw, methods_at = _REGISTRATIONS[call.func.attr]
    path_kw = "rule" if call.func.attr == "add_url_rule" else "path"
    return of_view(
        engine.graph,
        mod,
        argument(call, view_at, view_kw),
        code_root,
        path=prefix + (literal(argument(call, 0, path_kw)) or ""),
        methods=methods_list(argument(call, methods_at, "methods")),
        call=call,
        framework=framework,
        binding=binding,
    )


def _registered(modules: list[Module]) -> dict[str, str]:
    """The blueprints / routers some module registers, with the prefix given there:
    `app.register_blueprint(orders.bp, url_prefix="/orders")`, `app.include_router(r, prefix="/v1")`."""
    out: dict[str, str] = {}
    for mod in modules:
        for node in ast.walk(mod.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _REGISTER
                and node.args
            ):
                arg = node.args[0]
                name = arg.id if isinstance(arg, ast.Name) else arg.attr if isinstance(arg, ast.Attribute) else None
                if name is not None:
                    out[name] = _prefix_keyword(node)
    return out


def _own_prefix(mod: Module, name: str) -> str:
    """The prefix a blueprint / router is built with: `Blueprint("o", __name__, url_prefix="/o")`,
    `APIRouter(prefix=…)`."""
    g = mod.globals.get(name)
    return _prefix_keyword(g) if isinstance(g, ast.Call) else ""


def _prefix_keyword(call: ast.Call) -> str:
    node = next((k.value for k in call.keywords if k.arg in ("url_prefix", "prefix")), None)
    return node.value.rstrip("/") if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _route_owner(dec: ast.expr) -> str | None:
    func = dec.func if isinstance(dec, ast.Call) else dec
    if isinstance(func, ast.Attribute) and func.attr in _VERBS and isinstance(func.value, ast.Name):
        return func.value.id
    return None


def _add_route(engine: TaintEngine, ep: Endpoint, code_root: Path, merged: Summary) -> None:
    """One route of the app: its view's summary with the arguments the framework passes bound to the
    event, recorded under the route. Every route form goes through here."""
    mod, fnode = ep.module, ep.view
    route = routes.route_record(mod, fnode, ep.methods, ep.path, ep.line, ep.framework, ep.call)
    # the route is where it is declared; a method of a class-based view: the record names its class too
    view = f"{ep.cls.name}.{fnode.name}" if ep.cls is not None else fnode.name
    route = replace(route, loc=Loc(ep.where, ep.line), view=view)
    if route.auth is None and ep.decorators:
        # what decorates the view outside its own `@` lines (a class view's `decorators`, a wrapper in the
        # registration) is read as its decorators are
        decorated = copy.copy(fnode)
        decorated.decorator_list = [*ep.decorators, *fnode.decorator_list]
        route = replace(route, auth=routes.code_auth(mod, decorated, ep.call))
    summary = engine.summary(mod, fnode, code_root, ep.cls)
    step = Step(Loc(mod.rel, fnode.lineno), f"route {ep.path or fnode.name} runs {route.view}()")
    args = _arguments(mod, fnode, summary.params, ep, step)
    apply_events(summary, args, merged, route)
    returned = [(loc, instantiate(val, args)) for loc, val in summary.returns]
    merged.returns.extend(returned)
    if ep.binding == "flask" or (ep.binding == "typed" and ep.call is not None and _html_class(mod, ep.call)):
        _html_returns(fnode, mod.rel, returned, merged, route)


def _arguments(
    mod: Module, fnode: ast.FunctionDef | ast.AsyncFunctionDef, params: list[str], ep: Endpoint, step: Step
) -> list[Val]:
    """What the framework passes each parameter of the view, as parts of the event."""
    defaults = _defaults(fnode)
    declared = {a.arg: a for a in (*fnode.args.posonlyargs, *fnode.args.args, *fnode.args.kwonlyargs)}
    args: list[Val] = []
    for i, p in enumerate(params):
        part: tuple[str, ...] | None
        if ep.cls is not None and i == 0:
            part = None  # `self`: the view object
        elif ep.binding == "request":  # Starlette passes the request alone
            part = () if i == (1 if ep.cls is not None else 0) else None
        else:
            part = _param_part(mod, p, declared.get(p), defaults, ep.path, ep.binding == "typed")
        args.append({Ref(EVENT, part): (step,)} if part is not None else {})
    return args


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
    fnode: ast.FunctionDef | ast.AsyncFunctionDef,
    rel: str,
    returned: list[tuple[Loc, Val]],
    merged: Summary,
    route: Route | None = None,
) -> None:
    """A Flask view returning text built from request data: Flask sends a returned `str` as `text/html`.
    Only returns whose expression builds a string count (a dict or a `jsonify(...)` is JSON)."""
    built = _text_locals(fnode)
    lines = {
        n.lineno
        for n in ast.walk(fnode)
        if isinstance(n, ast.Return) and (_builds_text(n.value) or _returned_name(n.value) in built)
    }
    for loc, val in returned:
        if loc.path == rel and loc.line in lines:
            hot = {r: s for r, s in active(val, ir.XSS).items() if r.flat}
            if hot:
                merged.events.append(Event(ir.XSS, "HTML response (Flask view)", loc, tuple(hot.items()), route))


def _html_class(mod: Module, dec: ast.Call) -> bool:
    """`@app.get(..., response_class=HTMLResponse)`: FastAPI sends the returned text as HTML."""
    return any(
        k.arg == "response_class" and (qualname(mod, k.value) or "").endswith(".HTMLResponse") for k in dec.keywords
    )


def _returned_name(node: ast.expr | None) -> str | None:
    """The local a view returns: `return text` / `return text, 200`."""
    if isinstance(node, ast.Tuple) and node.elts:
        node = node.elts[0]
    return node.id if isinstance(node, ast.Name) else None


def _text_locals(fnode: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Locals that hold text the view builds (`text = "<p>" + v + "</p>"`, `text += v`): every assignment
    to the name builds or is text, so a name later rebound to `jsonify(...)` or a dict is not one."""
    builds: dict[str, bool] = {}
    for node in ast.walk(fnode):
        if isinstance(node, ast.Assign):
            pairs = [(t.id, node.value) for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            pairs = [(node.target.id, node.value)]
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            # `text += v` appends to text only when the name holds text anyway: judged by its other assignments
            builds.setdefault(node.target.id, True)
            continue
        else:
            continue
        for name, value in pairs:
            text = _builds_text(value) or (isinstance(value, ast.Constant) and isinstance(value.value, str))
            builds[name] = builds.get(name, True) and text
    return {name for name, ok in builds.items() if ok}


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
