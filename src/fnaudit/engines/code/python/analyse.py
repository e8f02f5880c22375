"""One function's Python code: its module graph, the handler's summary, and the facts for the rules."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

from fnaudit.engines.code import s3content
from fnaudit.engines.code.base import Analysis
from fnaudit.engines.code.extension import extension_calls
from fnaudit.engines.code.files import FileCache
from fnaudit.engines.code.python import authcheck, chalice, django, powertools, sdk, weaknesses, web
from fnaudit.engines.code.python.modules import ImportBinding, Module, ModuleGraph, import_bindings
from fnaudit.engines.code.python.taint.engine import TaintEngine
from fnaudit.engines.code.taint import facts
from fnaudit.engines.code.taint.values import EVENT, Summary
from fnaudit.model.app import App, Function
from fnaudit.model.code import CodeFacts, LogLeak, SdkCall, Step
from fnaudit.model.loc import Loc


class PythonAnalyser:
    def __init__(self, cache: FileCache, root: Path) -> None:
        self.cache = cache
        self.root = root
        self.graph = ModuleGraph(cache)
        self._sdk_cache: dict[str, sdk.ModuleSdk] = {}
        self.taint = TaintEngine(self.graph, self._sdk_cache)
        # a function's own imports, by id() of its node (the node is kept: an id is only unique while it lives)
        self._local_imports: dict[int, tuple[ast.AST, dict[str, ImportBinding]]] = {}

    def analyse(self, fn: Function, in_app: App | None = None) -> Analysis | None:
        code = fn.code
        if code.handler_file is None:
            return None
        # code in a zip artifact (`fn.zip!/…`) is read from the zip's private folder
        code_root = self.cache.artifacts.real_path(code.root) if code.root else self.root
        module = self.graph.load(self.cache.artifacts.real_path(code.handler_file), code_root)
        if module is None:
            return None
        modules = self.graph.closure(module, code_root)
        # a Django project: settings, urlconfs and views are reached by dotted strings, not imports
        seen = {m.rel for m in modules}
        modules += [
            m
            for m in django.project_modules(self.graph, module, code.handler_symbol or "", code_root)
            if m.rel not in seen
        ]
        internal_tops = {m.name.split(".")[0] for m in modules if m.name}
        imports = sorted({name for m in modules for name in m.external} - internal_tops)
        sdk_calls = sdk.extract(modules, fn.environment, self._sdk_cache) + extension_calls(m.file for m in modules)
        node = handler_node(module, code.handler_symbol or "")
        routes = None
        web_app: web.WebApp | None = None  # its framework is the function's when the loader could not tell
        if node is None and chalice.is_chalice(fn):  # the Chalice API function: its handler is the app object
            routes = chalice.routes_summary(self.taint, module, code.handler_symbol or "", code_root)
        elif node is None:  # a Flask / FastAPI app behind an adapter (serverless-wsgi, Mangum): every route
            web_app = web.routes_summary(self.taint, module, modules, code.handler_symbol or "", code_root)
            routes = web_app.summary if web_app is not None else None
        elif not chalice.is_chalice(fn) and (app_var := web.adapter_call(module, node)) is not None:
            # a handler that only hands the event to a WSGI app (`awsgi.response(app, event, context)`)
            web_app = web.routes_summary(self.taint, module, modules, app_var, code_root)
            routes = web_app.summary if web_app is not None else None
            node = None if routes is not None else node
        if node is None and routes is None:
            code_facts = CodeFacts(imports=tuple(imports), files=tuple(m.rel for m in modules), handler_found=False)
            return Analysis(code_facts, sdk_calls)
        reachable: set[int] | None = None
        if node is None:
            summary, event_index, param_name = routes or Summary([]), EVENT, "event"
        else:
            # what the handler reaches is computed once: SDK calls, weaknesses and auth checks all filter by it
            reachable = self._reachable(module, node, code_root)
            sdk_calls = _rank_by_reachability(sdk_calls, reachable, modules)
            if chalice.is_chalice(fn):
                summary, event_index, param_name = (
                    chalice.event_summary(self.taint, module, node, fn, code_root),
                    EVENT,
                    "event",
                )
            else:
                summary = self.taint.summary(module, node, code_root)
                event_index = 1 if summary.params and summary.params[0] in ("self", "cls") else 0
                param_name = summary.params[event_index] if len(summary.params) > event_index else "event"
        code_facts = CodeFacts(
            imports=tuple(imports),
            files=tuple(m.rel for m in modules),
            routes=tuple(summary.routes),
            flows=tuple(s3content.flows(summary, event_index, param_name, fn, in_app)),  # object content decided there
            state_writes=tuple(facts.state_writes(summary, event_index)),
            verbose_errors=tuple(facts.verbose_errors(summary)),
            log_leaks=tuple(
                facts.log_leaks(summary, event_index, _powertools_log_event(node, module.rel) if node else ())
            ),
            weaknesses=weaknesses.extract(modules, reachable),
            auth_checks=authcheck.extract(modules, reachable),
        )
        return Analysis(code_facts, sdk_calls, web_app.framework if web_app is not None else None)

    def _reachable(self, module: Module, node: ast.AST, code_root: Path) -> set[int]:
        """ids of the functions the handler can reach: referenced by name from reachable code (calls,
        callbacks, decorators), across the modules of the package; a referenced class brings its methods."""
        seen: set[int] = {id(node)}
        todo: list[tuple[Module, ast.AST]] = [(module, node)]
        while todo:
            mod, fnode = todo.pop()
            nodes = mod.index.walk(fnode)
            cached = self._local_imports.get(id(fnode))
            if cached is None or cached[0] is not fnode:
                cached = self._local_imports[id(fnode)] = (fnode, local_imports(fnode, nodes))
            imports = cached[1]
            for sub in nodes:
                targets: list[tuple[Module, ast.AST]] = []
                if (
                    isinstance(sub, ast.Call)
                    and isinstance(sub.func, ast.Attribute)
                    and sub.func.attr == "resolve"
                    and isinstance(sub.func.value, ast.Name)
                ):  # a Powertools `app.resolve(event, context)` runs every route, in whichever module
                    routes = powertools.routes(self.graph, mod, sub.func.value.id, code_root)
                    targets = [(r.module, r.node) for r in routes]
                elif isinstance(sub, (ast.Name, ast.Attribute)):
                    targets = self._lookup(mod, sub, code_root, imports)
                for tmod, t in targets:
                    if id(t) not in seen:
                        seen.add(id(t))
                        todo.append((tmod, t))
        return seen

    def _lookup(
        self, mod: Module, node: ast.Name | ast.Attribute, code_root: Path, imports: dict[str, ImportBinding]
    ) -> list[tuple[Module, ast.AST]]:
        """The functions a name or dotted expression stands for, however the package is imported (`sub.f`,
        `pkg.sub.f`, a re-export, an import inside the function); a class or an instance brings its methods."""
        b = self.graph.expression(mod, node, code_root, local=imports)
        if b is None or b.node is None:
            return []
        if isinstance(b.node, ast.ClassDef):
            return [(b.module, m) for m in b.node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
        return [(b.module, b.node)]


def local_imports(node: ast.AST, nodes: list[ast.AST] | None = None) -> dict[str, ImportBinding]:
    """The imports written inside a function (`def handler(...): from pkg import sub`); `nodes`: the
    function's nodes in walk order when the caller has them already."""
    out: dict[str, ImportBinding] = {}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for n in ast.walk(node) if nodes is None else nodes:
            if isinstance(n, (ast.Import, ast.ImportFrom)):
                out.update(import_bindings(n))
    return out


def _rank_by_reachability(
    calls: tuple[SdkCall, ...], reachable: set[int], modules: list[Module]
) -> tuple[SdkCall, ...]:
    """Calls inside functions the handler never reaches stay listed (the code can make them), marked unreachable."""
    ranges: dict[str, list[tuple[int, int, int]]] = {}
    for m in modules:
        spans = []
        for top in m.tree.body:
            defs = (
                [top]
                if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef))
                else (
                    [b for b in top.body if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef))]
                    if isinstance(top, ast.ClassDef)
                    else []
                )
            )
            for d in defs:
                spans.append((d.lineno, d.end_lineno or d.lineno, id(d)))
        ranges[m.rel] = spans
    out = []
    for c in calls:
        enclosing = [i for lo, hi, i in ranges.get(c.loc.path, ()) if lo <= c.loc.line <= hi]
        if enclosing and not any(i in reachable for i in enclosing):
            c = replace(c, reachable=False)
        out.append(c)
    return tuple(out)


def handler_node(module: Module, symbol: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The handler function: `def symbol(...)`, or `symbol = wrapper(real_function)` / `symbol = real_function`."""
    if symbol in module.functions:
        return module.functions[symbol]
    value = module.globals.get(symbol)
    seen = 0
    while value is not None and seen < 5:
        seen += 1
        if isinstance(value, ast.Name):
            if value.id in module.functions:
                return module.functions[value.id]
            value = module.globals.get(value.id)
            continue
        if isinstance(value, ast.Call):
            for a in value.args:
                if isinstance(a, ast.Name) and a.id in module.functions:
                    return module.functions[a.id]
            if isinstance(value.func, ast.Call):  # decorator factory applied by hand: deco(opts)(fn)
                value = value.func
                continue
        break
    return None


def _powertools_log_event(node: ast.AST, module_rel: str) -> tuple[LogLeak, ...]:
    """`@logger.inject_lambda_context(log_event=True)`: Powertools logs every incoming event."""
    out = []
    for dec in getattr(node, "decorator_list", []):
        if (
            isinstance(dec, ast.Call)
            and isinstance(dec.func, ast.Attribute)
            and dec.func.attr == "inject_lambda_context"
        ):
            for kw in dec.keywords:
                if kw.arg == "log_event" and isinstance(kw.value, ast.Constant) and kw.value.value is True:
                    loc = Loc(module_rel, dec.lineno)
                    out.append(
                        LogLeak("event", loc, "", (Step(loc, "Powertools logs every incoming event (log_event=True)"),))
                    )
    return tuple(out)
