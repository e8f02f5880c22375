"""Route declarations of a Python web app, whichever form declares them, and the views they name.

A route is declared by a decorator (`@app.get("/x")`), a registration call (Flask's
`app.add_url_rule(rule, endpoint, view_func)`, FastAPI's `app.add_api_route(path, endpoint)`,
Starlette's `app.add_route(path, endpoint)`) or an entry of a route table (Starlette's
`Route("/x", endpoint=f)`). Each names a view: a function, or a class-based view whose methods answer
the HTTP methods (Flask's `MethodView` / `View.as_view("name")`, Starlette's `HTTPEndpoint`). Every
form becomes `Endpoint` records, which `web._add_route` turns into the function's summary: one place,
so every form gets the same binding of arguments, HTML returns and per-route record.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from fnaudit.engines.code.python.modules import Module, ModuleGraph, qualname

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
# class-based views: base class → how the framework dispatches to the subclass
_VIEW_BASES = {
    "flask.views.MethodView": "methods",  # one method per HTTP method
    "flask.views.View": "dispatch",  # `dispatch_request` answers every method the class lists
    "starlette.endpoints.HTTPEndpoint": "methods",
}
_DEPTH = 6  # aliases, re-exports and base classes followed at most this far (cycles stop here)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One route of the app as its code declares it.

    `binding` says how the framework calls the view: "flask" (the URL's variables by name), "typed"
    (FastAPI: each parameter from where its annotation / default says), "request" (Starlette: one
    argument, the request). `call` is the decorator or registration call (its keywords say more:
    `response_class=`, `dependencies=`); `cls` the class-based view the method belongs to."""

    module: Module
    view: FunctionNode
    path: str
    methods: str  # "GET", "GET,POST": as `routes.methods_of` writes them
    where: str  # the file declaring the route (a table or a registration may be far from the view)
    line: int  # the line declaring the route
    framework: str  # "flask", "fastapi", "starlette"
    binding: str
    call: ast.Call | None = None
    cls: ast.ClassDef | None = None
    # decorators applied to the view outside its own `@` lines: a wrapper written around it in the
    # registration (`view_func=login_required(show)`), a Flask class view's `decorators = [...]`
    decorators: tuple[ast.expr, ...] = ()


def literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def argument(call: ast.Call, index: int | None, name: str) -> ast.expr | None:
    """The argument passed at `index` (None: a keyword-only parameter) or as `name=`."""
    if index is not None and index < len(call.args) and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == name), None)


def methods_list(node: ast.expr | None) -> str | None:
    """`methods=["GET", "POST"]` → "GET,POST"; None when not a literal list."""
    if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return None
    names = [m.upper() for e in node.elts if (m := literal(e)) is not None]
    return ",".join(names) or None


def symbol(graph: ModuleGraph, mod: Module, node: ast.expr, code_root: Path) -> tuple[Module, str] | None:
    """The module and top-level name an expression of `mod` refers to (`views.order`, `order`)."""
    if isinstance(node, ast.Name):
        imp = mod.imports.get(node.id)
        if imp is None:
            return (mod, node.id)
        if imp[0] == "symbol":
            level = len(imp[1]) - len(imp[1].lstrip("."))
            other = graph.resolve(mod, imp[1].lstrip("."), level, code_root)
            return (other, imp[2]) if other is not None else None
        return None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        imp = mod.imports.get(node.value.id)
        if imp is None:
            return None
        if imp[0] == "module":
            other = graph.resolve(mod, imp[1], 0, code_root)
        else:  # `from . import views` / `from shop import views`
            level = len(imp[1]) - len(imp[1].lstrip("."))
            dotted = ".".join(p for p in (imp[1].lstrip("."), imp[2]) if p)
            other = graph.resolve(mod, dotted, level, code_root)
        return (other, node.attr) if other is not None else None
    return None


def definition(
    graph: ModuleGraph, mod: Module, node: ast.expr, code_root: Path, depth: int = 0
) -> tuple[Module, ast.expr | FunctionNode | ast.ClassDef] | None:
    """What a name of `mod` is bound to, across imports and re-exports: a function, a class, or the
    expression of a module-level assignment."""
    found = symbol(graph, mod, node, code_root) if depth <= _DEPTH else None
    if found is None:
        return None
    other, name = found
    if name in other.functions:
        return other, other.functions[name]
    if name in other.classes:
        return other, other.classes[name]
    if name in other.globals:
        return other, other.globals[name]
    if name in other.imports and other is not mod:  # re-exported: `from .views import order` in a package
        return definition(graph, other, ast.Name(id=name, ctx=ast.Load()), code_root, depth + 1)
    return None


def view_target(
    graph: ModuleGraph, mod: Module, node: ast.expr, code_root: Path, depth: int = 0
) -> tuple[Module, FunctionNode | ast.ClassDef, tuple[ast.expr, ...]] | None:
    """The function or class-based view a route's view reference names: `orders.show`, an imported
    function, `OrderAPI.as_view("order")`, a module-level `order_view = OrderAPI.as_view("order")`, or a
    view wrapped by hand (`login_required(show)`: the view is what runs, and the wrappers are returned
    with it: they decorate it)."""
    if depth > _DEPTH:
        return None
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "as_view":
            found = view_target(graph, mod, node.func.value, code_root, depth + 1)
            return found if found is not None and isinstance(found[1], ast.ClassDef) else None
        inner = view_target(graph, mod, node.args[0], code_root, depth + 1) if node.args else None
        return (inner[0], inner[1], (node.func, *inner[2])) if inner is not None else None
    defined = definition(graph, mod, node, code_root)
    if defined is None:
        return None
    other, value = defined
    if isinstance(value, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return other, value, ()
    return view_target(graph, other, value, code_root, depth + 1)  # an alias: `order_view = ...`


def class_methods(
    graph: ModuleGraph, mod: Module, cls: ast.ClassDef, code_root: Path, methods: str | None
) -> list[tuple[str, Module, ast.ClassDef, FunctionNode]]:
    """(HTTP methods, module, class, function) for each method of a class-based view that answers
    requests; [] when the class derives from no view base class. `methods` is what the registration
    says (`add_url_rule(..., methods=[...])`), for a `View`'s `dispatch_request`."""
    found = _view_chain(graph, mod, cls, code_root, 0)
    if found is None:
        return []
    kind, chain = found
    # the URL rule answers only the methods the registration (or the class's `methods`) lists
    allowed = methods or _class_methods_attr(chain)
    out: list[tuple[str, Module, ast.ClassDef, FunctionNode]] = []
    seen: set[str] = set()
    for cmod, c in chain:  # the subclass first: its methods override its bases'
        for stmt in c.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) or stmt.name in seen:
                continue
            seen.add(stmt.name)
            verb = stmt.name.upper()
            if kind == "methods" and stmt.name in HTTP_METHODS and (allowed is None or verb in allowed.split(",")):
                out.append((verb, cmod, c, stmt))
            elif kind == "dispatch" and stmt.name == "dispatch_request":
                out.append((allowed or "GET", cmod, c, stmt))
    return out


def _view_chain(
    graph: ModuleGraph, mod: Module, cls: ast.ClassDef, code_root: Path, depth: int
) -> tuple[str, list[tuple[Module, ast.ClassDef]]] | None:
    """How the framework dispatches to `cls` and the analysed classes from it up to the framework's base."""
    if depth > _DEPTH:
        return None
    for base in cls.bases:
        kind = _VIEW_BASES.get(qualname(mod, base) or "")
        if kind is not None:
            return kind, [(mod, cls)]
    for base in cls.bases:
        found = definition(graph, mod, base, code_root)
        if found is not None and isinstance(found[1], ast.ClassDef):
            up = _view_chain(graph, found[0], found[1], code_root, depth + 1)
            if up is not None:
                return up[0], [(mod, cls), *up[1]]
    return None


def class_decorators(graph: ModuleGraph, mod: Module, cls: ast.ClassDef, code_root: Path) -> tuple[ast.expr, ...]:
    """A Flask class view's `decorators = [login_required, ...]`: `as_view` applies them to the view it makes."""
    found = _view_chain(graph, mod, cls, code_root, 0)
    for _, c in found[1] if found is not None else ():
        for stmt in c.body:
            if (
                isinstance(stmt, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "decorators" for t in stmt.targets)
                and isinstance(stmt.value, (ast.List, ast.Tuple))
            ):
                return tuple(stmt.value.elts)
    return ()


def _class_methods_attr(chain: list[tuple[Module, ast.ClassDef]]) -> str | None:
    """A `View`'s class attribute `methods = ["GET", "POST"]`."""
    for _, c in chain:
        for stmt in c.body:
            if (
                isinstance(stmt, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "methods" for t in stmt.targets)
                and (names := methods_list(stmt.value)) is not None
            ):
                return names
    return None


def of_view(
    graph: ModuleGraph,
    mod: Module,
    view: ast.expr | None,
    code_root: Path,
    *,
    path: str,
    methods: str | None,
    call: ast.Call,
    framework: str,
    binding: str,
) -> list[Endpoint]:
    """The endpoints a registration (`add_url_rule`, `add_api_route`, `add_route`, a table's `Route`)
    declares for the view it names: one for a function, one per answering method for a class-based view."""
    found = view_target(graph, mod, view, code_root) if view is not None else None
    if found is None:
        return []
    vmod, node, wrappers = found
    if not isinstance(node, ast.ClassDef):
        return [
            Endpoint(vmod, node, path, methods or "GET", mod.rel, call.lineno, framework, binding, call, None, wrappers)
        ]
    decorators = (*wrappers, *class_decorators(graph, vmod, node, code_root))
    return [
        Endpoint(cmod, fnode, path, verb, mod.rel, call.lineno, framework, binding, call, cls, decorators)
        for verb, cmod, cls, fnode in class_methods(graph, vmod, node, code_root, methods)
    ]
