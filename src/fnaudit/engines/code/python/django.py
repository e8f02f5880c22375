"""Django projects behind a WSGI/ASGI adapter: `urls.py` routes to views, read statically.

serverless-wsgi (`custom.wsgi.app: project.wsgi.application`) runs the object `get_wsgi_application()`
returns; which views it serves is decided by the settings module the wsgi module names
(`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")`), its literal `ROOT_URLCONF`, and
the `urlpatterns` of that module and of every module it `include()`s. Nothing is imported or run: a
settings module or urlconf that is not a literal leaves the project without routes (None), as today.
A view's first argument is the request (its `GET`, `POST`, `body`, `headers`, `COOKIES`, `FILES`, `META`
are the event the adapter built it from); the URL's converters (`<int:pk>`, `(?P<pk>…)`) are path parameters.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path

from fnaudit.engines.code.python import endpoints, routes
from fnaudit.engines.code.python.modules import Module, ModuleGraph, qualname
from fnaudit.engines.code.python.taint.engine import TaintEngine
from fnaudit.engines.code.taint.summaries import apply_events
from fnaudit.engines.code.taint.values import EVENT, Ref, Summary, Val, instantiate
from fnaudit.model.code import Step
from fnaudit.model.loc import Loc

_APPLICATIONS = frozenset(
    {
        "django.core.wsgi.get_wsgi_application",
        "django.core.asgi.get_asgi_application",
        "django.core.handlers.wsgi.WSGIHandler",
    }
)
_ROUTES = frozenset({"path", "re_path", "url"})
_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
_INCLUDE_DEPTH = 8  # urlconfs including each other in a cycle stop here


def is_application(module: Module, symbol: str) -> bool:
    g = module.globals.get(symbol)
    return isinstance(g, ast.Call) and qualname(module, g.func) in _APPLICATIONS


def routes_summary(engine: TaintEngine, module: Module, symbol: str, code_root: Path) -> Summary | None:
    """Every view the project's urlconf routes to, its request bound to the event; None when the handler
    symbol is not Django's application or its settings / ROOT_URLCONF cannot be read as literals."""
    urls = _root_urlconf(engine.graph, module, symbol, code_root)
    if urls is None:
        return None
    merged = Summary([])
    _walk(engine, urls, code_root, "", merged, 0)
    return merged


def _settings(graph: ModuleGraph, module: Module, symbol: str, code_root: Path) -> Module | None:
    """The settings module: named by the wsgi module, or the handler module itself when the loader entered
    the project at its `ROOT_URLCONF` (Zappa's `django_settings`)."""
    if symbol == "ROOT_URLCONF" and _literal(module.globals.get(symbol)) is not None:
        return module
    if not is_application(module, symbol):
        return None
    settings_name = _settings_name(module)
    return graph.resolve(module, settings_name, 0, code_root) if settings_name else None


def _root_urlconf(graph: ModuleGraph, module: Module, symbol: str, code_root: Path) -> Module | None:
    settings = _settings(graph, module, symbol, code_root)
    urlconf = _literal(settings.globals.get("ROOT_URLCONF")) if settings else None
    return graph.resolve(module, urlconf, 0, code_root) if urlconf else None


def project_modules(graph: ModuleGraph, module: Module, symbol: str, code_root: Path) -> list[Module]:
    """The modules the project runs that the wsgi module does not import: settings, the urlconfs it
    includes and what they import (the views). The function's code files, SDK calls and imports are theirs too."""
    urls = _root_urlconf(graph, module, symbol, code_root)
    settings = _settings(graph, module, symbol, code_root) if urls is not None else None
    out: dict[str, Module] = {}
    todo = [m for m in (settings, urls) if m is not None]
    while todo:
        mod = todo.pop()
        if mod.rel in out:
            continue
        for m in graph.closure(mod, code_root):
            out.setdefault(m.rel, m)
        todo.extend(
            sub
            for name in _included(mod)
            if (sub := graph.resolve(mod, name, 0, code_root)) is not None and sub.rel not in out
        )
    return list(out.values())


def _included(urls: Module) -> list[str]:
    """Dotted names of the urlconfs `urls` includes (`include("posts.urls")`)."""
    return [
        name
        for node in ast.walk(urls.tree)
        if isinstance(node, ast.Call)
        and (qualname(urls, node.func) or "").endswith("include")
        and node.args
        and (name := _literal(node.args[0])) is not None
    ]


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _settings_name(module: Module) -> str | None:
    """`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")` (or `os.environ[...] = "…"`)."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call) and len(node.args) == 2 and _literal(node.args[0]) == "DJANGO_SETTINGS_MODULE":
            return _literal(node.args[1])
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Subscript)
            and _literal(node.targets[0].slice) == "DJANGO_SETTINGS_MODULE"
        ):
            return _literal(node.value)
    return None


def _walk(engine: TaintEngine, urls: Module, code_root: Path, prefix: str, merged: Summary, depth: int) -> None:
    patterns = urls.globals.get("urlpatterns")
    if depth > _INCLUDE_DEPTH or not isinstance(patterns, (ast.List, ast.Tuple)):
        return
    for entry in patterns.elts:
        if not (isinstance(entry, ast.Call) and len(entry.args) >= 2):
            continue
        kind = (qualname(urls, entry.func) or "").rsplit(".", 1)[-1]
        route = _literal(entry.args[0])
        if kind not in _ROUTES or route is None:
            continue
        target = entry.args[1]
        if isinstance(target, ast.Call) and (qualname(urls, target.func) or "").endswith("include"):
            included = _literal(target.args[0]) if target.args else None
            sub = engine.graph.resolve(urls, included, 0, code_root) if included else None
            if sub is not None:
                _walk(engine, sub, code_root, prefix + route, merged, depth + 1)
            continue
        for mod, fnode in _views(engine, urls, target, code_root):
            _add_view(engine, mod, fnode, prefix + route, code_root, merged, entry.lineno, urls)


def _views(
    engine: TaintEngine, urls: Module, target: ast.expr, code_root: Path
) -> list[tuple[Module, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """The functions a route runs: a function view, or the HTTP-method handlers of `View.as_view()`."""
    as_view = isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute) and target.func.attr == "as_view"
    node = (
        target.func.value
        if as_view and isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute)
        else target
    )
    found = _symbol(engine, urls, node, code_root)
    if found is None:
        return []
    mod, name = found
    if as_view:
        cls = mod.classes.get(name)
        return [(mod, s) for s in (cls.body if cls else []) if isinstance(s, ast.FunctionDef) and s.name in _METHODS]
    fnode = mod.functions.get(name)
    return [(mod, fnode)] if fnode is not None else []


def _symbol(engine: TaintEngine, mod: Module, node: ast.expr, code_root: Path) -> tuple[Module, str] | None:
    """The module and top-level name an expression of `mod` refers to (`views.order`, `order`)."""
    return endpoints.symbol(engine.graph, mod, node, code_root)


def _url_params(route: str) -> set[str]:
    return set(re.findall(r"<(?:\w+:)?(\w+)>", route)) | set(re.findall(r"\(\?P<(\w+)>", route))


def _add_view(
    engine: TaintEngine,
    mod: Module,
    fnode: ast.FunctionDef | ast.AsyncFunctionDef,
    route: str,
    code_root: Path,
    merged: Summary,
    line: int,
    urls: Module,
) -> None:
    """One view of the urlconf entry at `urls:line` (a class-based view: one of its method handlers)."""
    method = fnode.name.upper() if fnode.name in _METHODS else "ANY"
    record = routes.route_record(mod, fnode, method, "/" + route.lstrip("/"), line, "django")
    record = replace(record, loc=Loc(urls.rel, line), auth=record.auth or _class_auth(mod, fnode))
    summary = engine.summary(mod, fnode, code_root)
    step = Step(Loc(mod.rel, fnode.lineno), f"route {route or '/'} runs {fnode.name}()")
    params = _url_params(route)
    # a method of a class-based view takes `self` first; the request follows it
    request_at = 1 if summary.params and summary.params[0] == "self" else 0
    args: list[Val] = []
    for i, p in enumerate(summary.params):
        if i == request_at:
            args.append({Ref(EVENT, ()): (step,)})
        elif p in params:
            args.append({Ref(EVENT, ("pathParameters", p)): (step,)})
        else:
            args.append({})
    apply_events(summary, args, merged, record)
    merged.returns.extend((loc, instantiate(val, args)) for loc, val in summary.returns)


def _class_auth(mod: Module, fnode: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """A class-based view whose class requires a login: `LoginRequiredMixin` / `PermissionRequiredMixin` bases,
    or `@method_decorator(login_required, name="dispatch")` on the class."""
    for cls in mod.classes.values():
        if fnode not in cls.body:
            continue
        for base in cls.bases:
            name = base.attr if isinstance(base, ast.Attribute) else base.id if isinstance(base, ast.Name) else ""
            if name.endswith("RequiredMixin"):
                return name
        for dec in cls.decorator_list:
            if isinstance(dec, ast.Call) and dec.args:
                inner = dec.args[0]
                name = (
                    inner.attr if isinstance(inner, ast.Attribute) else inner.id if isinstance(inner, ast.Name) else ""
                )
                if name.endswith("_required"):
                    return name
    return None
