"""Powertools for AWS Lambda event handlers: the routes `app.resolve(event, context)` runs.

`APIGatewayRestResolver()`, `APIGatewayHttpResolver()`, `ALBResolver()`, `LambdaFunctionUrlResolver()`
(any `aws_lambda_powertools` class named `…Resolver`) dispatch the Lambda event to a decorated route
(`@app.get("/orders/<oid>")`, `@app.route(path, method=…)`). Routes may live in other modules on a
`Router()` the app includes (`app.include_router(orders.router, prefix="/orders")`). A route receives
the URL's `<variables>` as arguments and reads the rest through `app.current_event` / `router.current_event`
(an `EVENT` reference, see `taint.expressions`), so the handler's summary is every route's events.
Only module-level code is read: decorators and `include_router` calls, never executed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fnaudit.engines.code.python.modules import Module, ModuleGraph, qualname
from fnaudit.engines.code.python.routes import methods_of, route_record
from fnaudit.engines.code.taint.summaries import apply_events
from fnaudit.engines.code.taint.values import EVENT, Ref, Val, instantiate
from fnaudit.model.code import Route as RouteRecord
from fnaudit.model.code import Step
from fnaudit.model.loc import Loc

if TYPE_CHECKING:
    from fnaudit.engines.code.python.taint.walk import Walk

_PACKAGE = "aws_lambda_powertools"
_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "route"})


@dataclass(frozen=True, slots=True)
class Route:
    """One decorated route function and the full path it answers (the router's prefix included)."""

    module: Module
    node: ast.FunctionDef | ast.AsyncFunctionDef
    path: str
    record: RouteRecord  # the model's record of the route (methods, declaring line, auth in code)


def _kind(module: Module, name: str) -> str | None:
    """ "resolver" / "router" when the module-level `name` is built by a Powertools event handler class."""
    g = module.globals.get(name)
    if not isinstance(g, ast.Call):
        return None
    q = qualname(module, g.func) or ""
    if not q.startswith(_PACKAGE):
        return None
    if q.endswith("Resolver"):
        return "resolver"
    # `Router()`, and the typed `APIGatewayRouter()` / `ALBRouter()` … of `event_handler.router`
    return "router" if q.endswith("Router") else None


def handler_object(w: Walk, name: str) -> tuple[Module, str] | None:
    """The module and name of the resolver or router `name` refers to in the walked code: a global of
    the module, or one imported from a module of the package (`from api import app`)."""
    if name in w.locals:
        return None
    return find(w.engine.graph, w.module, name, w.code_root)


def find(graph: ModuleGraph, module: Module, name: str, code_root: Path) -> tuple[Module, str] | None:
    """Where the module-level `name` of `module` is built, when it is a Powertools resolver or router."""
    if _kind(module, name) is not None:
        return module, name
    imp = module.imports.get(name)
    if imp is None or imp[0] != "symbol":
        return None
    level = len(imp[1]) - len(imp[1].lstrip("."))
    other = graph.resolve(module, imp[1].lstrip("."), level, code_root)
    if other is not None and _kind(other, imp[2]) is not None:
        return other, imp[2]
    return None


def is_event_handler(w: Walk, name: str) -> bool:
    """`name.current_event` is the Lambda event: `name` is a Powertools resolver or router."""
    return handler_object(w, name) is not None


def is_resolver(w: Walk, name: str) -> bool:
    """`name.resolve(event, context)` dispatches the event to the routes: `name` is a resolver."""
    found = handler_object(w, name)
    return found is not None and _kind(*found) == "resolver"


def routes(graph: ModuleGraph, module: Module, name: str, code_root: Path) -> list[Route]:
    """Every route of the resolver `name` of `module`: its own, and those of the routers it includes,
    across the modules its module imports. Empty when `name` is not a resolver."""
    found = find(graph, module, name, code_root)
    if found is None or _kind(*found) != "resolver":
        return []
    home, var = found
    prefixes = _included(home, var)
    out: list[Route] = []
    for mod in graph.closure(home, code_root):
        owners = {var: ""} if mod is home else {}
        owners.update({n: p for n, p in prefixes.items() if _kind(mod, n) == "router"})
        for fnode in mod.functions.values():
            for dec in fnode.decorator_list:
                owner = _owner(dec)
                if owner in owners and isinstance(dec, ast.Call):
                    path = owners[owner] + _path_of(dec)
                    record = route_record(mod, fnode, methods_of(dec), path, dec.lineno, "powertools", dec)
                    out.append(Route(mod, fnode, path, record))
                    break
    return out


def _included(home: Module, var: str) -> dict[str, str]:
    """Routers the app includes, by name, with their prefix: `app.include_router(orders.router, prefix="/o")`."""
    out: dict[str, str] = {}
    for node in ast.walk(home.tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "include_router"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == var
            and node.args
        ):
            continue
        arg = node.args[0]
        name = arg.id if isinstance(arg, ast.Name) else arg.attr if isinstance(arg, ast.Attribute) else None
        prefix = next(
            (k.value for k in node.keywords if k.arg == "prefix"), node.args[1] if len(node.args) > 1 else None
        )
        if name is not None:
            out[name] = prefix.value if isinstance(prefix, ast.Constant) and isinstance(prefix.value, str) else ""
    return out


def _owner(dec: ast.expr) -> str | None:
    func = dec.func if isinstance(dec, ast.Call) else dec
    if isinstance(func, ast.Attribute) and func.attr in _VERBS and isinstance(func.value, ast.Name):
        return func.value.id
    return None


def _path_of(dec: ast.Call) -> str:
    node = dec.args[0] if dec.args else next((k.value for k in dec.keywords if k.arg in ("rule", "path")), None)
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def apply_routes(w: Walk, name: str) -> None:
    """`name.resolve(event, context)`: every route runs with the event; its arguments are the URL's
    path parameters (Powertools passes `<variables>` of the route's path as keyword arguments)."""
    for route in routes(w.engine.graph, w.module, name, w.code_root):
        summary = w.engine.summary(route.module, route.node, w.code_root)
        step = Step(
            Loc(route.module.rel, route.node.lineno),
            f"route {route.path or route.node.name} runs {route.node.name}() ({name}.resolve())",
        )
        args: list[Val] = [{Ref(EVENT, ("pathParameters", p)): (step,)} for p in summary.params]
        apply_events(summary, args, w.summary, route.record)
        w.summary.returns.extend((loc, instantiate(val, args)) for loc, val in summary.returns)
