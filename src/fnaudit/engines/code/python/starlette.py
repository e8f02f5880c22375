"""Starlette route tables, read statically: `Starlette(routes=[Route(...), Mount("/api", routes=[...])])`.

A Starlette app (or a FastAPI one, which is a Starlette app) may list its routes in the constructor
instead of decorating its views: `Route(path, endpoint, methods=[...])` entries, and `Mount(prefix,
routes=[...])` / `Mount(prefix, app=Router(routes=[...]))` that put a table under a prefix. A table may be
a module-level list, imported from another module, or lists added together. Endpoints are functions
taking the request, or `HTTPEndpoint` classes whose `get` / `post`… methods take it. Anything not
written as a literal (a table built in a loop, a computed path) is left out: nothing is run.
"""

from __future__ import annotations

import ast
from pathlib import Path

from fnaudit.engines.code.python.endpoints import Endpoint, argument, definition, literal, methods_list, of_view
from fnaudit.engines.code.python.modules import Module, ModuleGraph, qualname

_ROUTE = frozenset({"starlette.routing.Route", "fastapi.routing.APIRoute"})
_MOUNT = frozenset({"starlette.routing.Mount"})
# what a Mount's `app=` may be that carries its own table
_TABLE_OWNERS = frozenset(
    {"starlette.routing.Router", "starlette.applications.Starlette", "fastapi.FastAPI", "fastapi.APIRouter"}
)
_DEPTH = 8  # tables mounting each other in a cycle stop here


def table_endpoints(graph: ModuleGraph, mod: Module, app: ast.Call, code_root: Path, framework: str) -> list[Endpoint]:
    """The routes listed in an app constructor's `routes=` table, with their mount prefixes."""
    out: list[Endpoint] = []
    _table(graph, mod, _routes_of(app), "", code_root, framework, out, 0)
    return out


def _routes_of(call: ast.Call) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == "routes"), None)


def _table(
    graph: ModuleGraph,
    mod: Module,
    node: ast.expr | None,
    prefix: str,
    code_root: Path,
    framework: str,
    out: list[Endpoint],
    depth: int,
) -> None:
    if node is None or depth > _DEPTH:
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # `routes = api_routes + page_routes`
        _table(graph, mod, node.left, prefix, code_root, framework, out, depth + 1)
        _table(graph, mod, node.right, prefix, code_root, framework, out, depth + 1)
        return
    if isinstance(node, (ast.Name, ast.Attribute)):  # a module-level table, here or imported
        found = definition(graph, mod, node, code_root)
        if found is not None and isinstance(found[1], ast.expr):
            _table(graph, found[0], found[1], prefix, code_root, framework, out, depth + 1)
        return
    if not isinstance(node, (ast.List, ast.Tuple)):
        return
    for entry in node.elts:
        if isinstance(entry, ast.Call):
            _entry(graph, mod, entry, prefix, code_root, framework, out, depth)


def _entry(
    graph: ModuleGraph,
    mod: Module,
    entry: ast.Call,
    prefix: str,
    code_root: Path,
    framework: str,
    out: list[Endpoint],
    depth: int,
) -> None:
    kind = qualname(mod, entry.func)
    path = literal(argument(entry, 0, "path"))
    if path is None:
        return
    if kind in _ROUTE:
        binding = "typed" if kind == "fastapi.routing.APIRoute" else "request"
        out.extend(
            of_view(
                graph,
                mod,
                argument(entry, 1, "endpoint"),
                code_root,
                path=prefix + path,
                methods=methods_list(argument(entry, None, "methods")),
                call=entry,
                framework=framework,
                binding=binding,
            )
        )
    elif kind in _MOUNT:
        _table(graph, mod, argument(entry, 2, "routes"), prefix + path, code_root, framework, out, depth + 1)
        owner: object = argument(entry, 1, "app")
        if isinstance(owner, (ast.Name, ast.Attribute)):  # `Mount("/api", app=api)`, `api = Router(routes=...)`
            found = definition(graph, mod, owner, code_root)
            owner, mod = (found[1], found[0]) if found is not None else (None, mod)
        if isinstance(owner, ast.Call) and qualname(mod, owner.func) in _TABLE_OWNERS:
            _table(graph, mod, _routes_of(owner), prefix + path, code_root, framework, out, depth + 1)
