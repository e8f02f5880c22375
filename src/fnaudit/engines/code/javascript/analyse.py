"""One Node function's code: its module graph, the handler, its summary, and the facts for the rules.

The handler is the export the handler string names (`exports.handler =`, `module.exports = {
handler }`, `export const handler`, `export async function handler`, re-exports, an ES default
export), unwrapped from middleware (`middy(base).use(...)`, `wrap(fn)`). Its first parameter,
whatever its name, is the event.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from fnaudit.engines.code import s3content
from fnaudit.engines.code.base import Analysis
from fnaudit.engines.code.extension import extension_calls
from fnaudit.engines.code.files import FileCache, confined
from fnaudit.engines.code.javascript import authcheck, middy, sdk, weaknesses, web
from fnaudit.engines.code.javascript.modules import (
    FUNCTION_TYPES,
    JsModule,
    JsModuleGraph,
    Node,
    text,
    unwrap,
)
from fnaudit.engines.code.javascript.taint import JsTaintEngine
from fnaudit.engines.code.taint import facts as state
from fnaudit.engines.code.taint.values import EVENT
from fnaudit.loaders.lockfiles import parse_file
from fnaudit.model.app import App, Function
from fnaudit.model.code import CodeFacts, SdkCall

_CLASS_TYPES = ("class_declaration", "class", "abstract_class_declaration")


class JsAnalyser:
    def __init__(self, cache: FileCache, root: Path) -> None:
        self.cache = cache
        self.root = root
        self.graph = JsModuleGraph(cache)
        self.taint = JsTaintEngine(self.graph, self.package_info)
        self._sdk_cache: dict[str, sdk.ModuleSdk] = {}  # per scan: a module's SDK clients, by file and content
        self._packages: dict[Path, dict[str, str]] = {}

    def analyse(self, fn: Function, in_app: App | None = None) -> Analysis | None:
        try:
            return self._analyse(fn, in_app)
        finally:
            self.graph.forget_indexes()  # kept for one function's analysis only (memory: see `TreeIndex`)

    def _analyse(self, fn: Function, in_app: App | None) -> Analysis | None:
        code = fn.code
        if code.handler_file is None:
            return None
        # real_path: code in a zip artifact (`fn.zip!/…`) is read from the zip's private folder
        code_root = self.cache.artifacts.real_path(code.root) if code.root else self.root
        module = self.graph.load(self.cache.artifacts.real_path(code.handler_file))
        if module is None:
            return None
        modules = self.graph.closure(module, code_root)
        imports = sorted({name for m in modules for name in m.external})
        sdk_calls = sdk.extract(modules, fn.environment, self._sdk_cache) + extension_calls(m.file for m in modules)
        app = web.adapter_app(self.graph, module, code.handler_symbol or "", code_root)
        if app is not None:  # serverless-http & co.: the app's routes are the code that runs
            found_routes = web.routes(self.graph, app[0], app[1], code_root)
            framework = web.app_framework(app[0], app[1])
            return self._web_app(fn, app[0], found_routes, framework, code_root, modules, imports, sdk_calls, in_app)
        table = middy.router_routes(self.graph, module, code.handler_symbol or "", code_root)
        if table is not None:  # @middy/http-router: each route's handler gets the event
            return self._web_app(fn, module, table, "middy-http-router", code_root, modules, imports, sdk_calls, in_app)
        found = handler_node(self.graph, module, code.handler_symbol or "", code_root)
        if found is None:
            facts = CodeFacts(imports=tuple(imports), files=tuple(m.rel for m in modules), handler_found=False)
            return Analysis(facts, sdk_calls)
        hmod, node = found
        reachable = self._reachable(hmod, node, code_root)  # read three times below: computed once
        sdk_calls = _mark_unreachable(sdk_calls, reachable, modules)
        summary = self.taint.summary(hmod, node, code_root)
        param_name = summary.params[0] if summary.params else "event"
        if param_name.startswith("$p"):
            param_name = "event"
        flows = s3content.flows(summary, 0, param_name, fn, in_app)  # S3 object content decided there
        facts = CodeFacts(
            imports=tuple(imports),
            files=tuple(m.rel for m in modules),
            flows=tuple(flows),
            state_writes=tuple(sorted(state.state_writes(summary, 0), key=lambda s: (s.loc, s.kind))),
            verbose_errors=tuple(sorted(state.verbose_errors(summary), key=lambda v: v.loc)),
            log_leaks=tuple(sorted(state.log_leaks(summary, 0), key=lambda x: (x.loc, x.kind, x.name))),
            weaknesses=weaknesses.extract(modules, reachable),
            auth_checks=authcheck.extract(modules, reachable),
        )
        return Analysis(facts, sdk_calls)

    def _web_app(
        self,
        fn: Function,
        app_module: JsModule,
        routes: list[web.Route],
        framework: str | None,
        code_root: Path,
        modules: list[JsModule],
        imports: list[str],
        sdk_calls: tuple[SdkCall, ...],
        in_app: App | None = None,
    ) -> Analysis:
        """An Express / Koa / Fastify app behind a Lambda adapter (every route handler with the event as request), or
        a @middy/http-router table (every route handler with the event itself); `framework` None: not recognised."""
        # the app's modules (routers, controllers) may be reached only from the app's file, not the handler's
        extra = [m for m in self.graph.closure(app_module, code_root) if m.rel not in {x.rel for x in modules}]
        modules = [*modules, *extra]
        imports = sorted({*imports, *(name for m in extra for name in m.external)})
        sdk_calls = (*sdk_calls, *sdk.extract(extra, fn.environment, self._sdk_cache)) if extra else sdk_calls
        reachable: set[tuple[str, int]] = set()
        for r in routes:
            reachable |= self._reachable(r.module, r.node, code_root)
        sdk_calls = _mark_unreachable(sdk_calls, reachable, modules)
        summary = (
            web.routes_summary(self.taint, routes, code_root, framework)
            if framework is not None
            else web.routes_summary(self.taint, routes, code_root)
        )
        facts = CodeFacts(
            imports=tuple(imports),
            files=tuple(m.rel for m in modules),
            handler_found=bool(routes),
            routes=tuple(summary.routes),
            flows=tuple(s3content.flows(summary, EVENT, "event", fn, in_app)),
            state_writes=tuple(sorted(state.state_writes(summary, EVENT), key=lambda s: (s.loc, s.kind))),
            verbose_errors=tuple(sorted(state.verbose_errors(summary), key=lambda v: v.loc)),
            log_leaks=tuple(sorted(state.log_leaks(summary, EVENT), key=lambda x: (x.loc, x.kind, x.name))),
            weaknesses=weaknesses.extract(modules, reachable),
            auth_checks=authcheck.extract(modules, reachable),
        )
        return Analysis(facts, sdk_calls, framework)

    def package_info(self, module: JsModule) -> dict[str, str]:
        """Dependencies (name → version) of the nearest package.json above the module (installed ones when locked)."""
        folder = module.file.path.parent
        if folder in self._packages:
            return self._packages[folder]
        found: dict[str, str] = {}
        here = folder
        top = self.cache.artifacts.confining_folder(folder)
        for _ in range(12):
            pj = here / "package.json"
            if pj.is_file() and confined(self.cache.artifacts, pj):
                try:
                    data = json.loads(pj.read_text(encoding="utf-8"))
                    for section in ("dependencies", "devDependencies", "optionalDependencies"):
                        deps = data.get(section) or {}
                        if isinstance(deps, dict):
                            found.update({k: str(v) for k, v in deps.items()})
                except (OSError, ValueError):
                    pass
                found.update(self._locked_versions(here))
                break
            if here in (self.root, top) or here.parent == here:
                break  # never above the scan root (or above a zip artifact's folder)
            here = here.parent
        self._packages[folder] = found
        return found

    def _locked_versions(self, folder: Path) -> dict[str, str]:
        """Installed versions (name → version) from the npm lockfile beside a package.json, read by the lockfile
        loader (the one the dependency engine uses). npm installs from `npm-shrinkwrap.json` when there is one.

        A package the project declares is installed at the top: its version is the locked one. A package locked
        only as a dependency of others may be installed in several versions; the oldest is taken, since the
        checks that read versions (js-yaml before 4 runs `!!js/function`) must not miss the risky one.
        """
        for name in ("npm-shrinkwrap.json", "package-lock.json"):
            lock = folder / name
            if not (lock.is_file() and confined(self.cache.artifacts, lock)):
                continue
            parsed, _why = parse_file(
                self.root, lock, self.cache.artifacts
            )  # an unreadable lockfile: the deps engine reports it
            if parsed is None:
                return {}
            direct: dict[str, str] = {}
            oldest: dict[str, str] = {}
            for pkg in parsed.packages:
                if pkg.version is None:
                    continue
                if pkg.direct:
                    direct[pkg.name] = pkg.version
                elif pkg.name not in oldest or _version_key(pkg.version) < _version_key(oldest[pkg.name]):
                    oldest[pkg.name] = pkg.version
            return {**oldest, **direct}
        return {}

    def _reachable(self, module: JsModule, node: Node, code_root: Path) -> set[tuple[str, int]]:
        """(file, start byte) of the functions the handler can reach by name, across the package's modules."""
        seen: set[tuple[str, int]] = {(module.rel, node.start_byte)}
        todo: list[tuple[JsModule, Node]] = [(module, node)]
        while todo:
            mod, fnode = todo.pop()
            for n in mod.subtree(fnode):  # `seen` is a set: the order nodes are looked at in does not matter
                targets: list[tuple[JsModule, Node]] = []
                if n.type == "identifier":
                    got = self.graph.local(mod, text(n), code_root)
                    if got is not None:
                        targets.append(got)
                elif n.type == "member_expression":
                    obj = n.child_by_field_name("object")
                    if obj is not None and obj.type == "identifier":
                        imp = mod.imports.get(text(obj))
                        if imp is not None and imp[0] == "module":
                            other = self.graph.resolve(mod, imp[1], code_root)
                            if other is not None:
                                got = self.graph.export(other, text(n.child_by_field_name("property")), code_root)
                                if got is not None:
                                    targets.append(got)
                for tmod, found in targets:
                    t = unwrap(found)
                    if t is None:
                        continue
                    if (
                        t.type in _CLASS_TYPES
                        or t.type in FUNCTION_TYPES
                        or t.type in ("object", "call_expression", "new_expression")
                    ):
                        key = (tmod.rel, t.start_byte)
                        if key not in seen:
                            seen.add(key)
                            todo.append((tmod, t))
        return seen


def _version_key(version: str) -> tuple[int, ...]:
    """The numeric release of an npm version (`3.14.1` → (3, 14, 1)), to order the versions of one package."""
    release = version.split("-", 1)[0].split("+", 1)[0]
    return tuple(int(part) if part.isdigit() else 0 for part in release.split("."))


def _mark_unreachable(
    calls: tuple[SdkCall, ...], reachable: set[tuple[str, int]], modules: list[JsModule]
) -> tuple[SdkCall, ...]:
    spans: dict[str, list[tuple[int, int, tuple[str, int]]]] = {}
    for m in modules:
        out = []
        for f in m.functions.values():
            out.append((f.start_point[0] + 1, f.end_point[0] + 1, (m.rel, f.start_byte)))
        for cls in m.classes.values():
            out.append((cls.start_point[0] + 1, cls.end_point[0] + 1, (m.rel, cls.start_byte)))
        spans[m.rel] = out
    result = []
    for c in calls:
        enclosing = [(hi - lo, key) for lo, hi, key in spans.get(c.loc.path, ()) if lo <= c.loc.line <= hi]
        if enclosing and not any(key in reachable for _, key in enclosing):
            c = replace(c, reachable=False)
        result.append(c)
    return tuple(result)


def handler_node(graph: JsModuleGraph, module: JsModule, symbol: str, code_root: Path) -> tuple[JsModule, Node] | None:
    """The handler function node: the export named `symbol`, unwrapped from middleware."""
    got = graph.export(module, symbol, code_root)
    if got is None and symbol in module.functions:
        got = (module, module.functions[symbol])
    if got is None:
        return None
    cur: Node | None  # the next node to look at, before unwrapping
    mod, cur = got
    for _ in range(12):
        node = unwrap(cur)
        if node is None:
            return None
        if node.type in FUNCTION_TYPES:
            return mod, node
        if node.type == "identifier":
            nxt = graph.local(mod, text(node), code_root)
            if nxt is None:
                return None
            mod, cur = nxt
            continue
        if node.type == "member_expression":  # instance.method (of `new Class()` of the package), Class.staticMethod
            obj = unwrap(node.child_by_field_name("object"))
            prop = text(node.child_by_field_name("property"))
            owner = graph.local(mod, text(obj), code_root) if obj is not None and obj.type == "identifier" else None
            if owner is not None and (owned := unwrap(owner[1])) is not None and owned.type == "new_expression":
                ctor = unwrap(owned.child_by_field_name("constructor"))
                owner = (
                    graph.local(owner[0], text(ctor), code_root)
                    if ctor is not None and ctor.type == "identifier"
                    else None
                )
            if owner is None or owner[1].type not in _CLASS_TYPES:
                return None
            body = owner[1].child_by_field_name("body")
            method = next(
                (
                    m
                    for m in (body.named_children if body is not None else [])
                    if m.type == "method_definition" and text(m.child_by_field_name("name")) == prop
                ),
                None,
            )
            return (owner[0], method) if method is not None else None
        if node.type == "call_expression":
            fn = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments")
            arg_nodes = [a for a in args.named_children] if args is not None and args.type == "arguments" else []
            if (
                fn is not None
                and fn.type == "member_expression"
                and text(fn.child_by_field_name("property")) not in ("handler",)
            ):
                if text(fn.child_by_field_name("property")) == "bind":  # fn.bind(x)
                    cur = fn.child_by_field_name("object")
                    continue
                inner = unwrap(fn.child_by_field_name("object"))
                if inner is not None and inner.type == "call_expression":  # middy(base).use(...)
                    cur = inner
                    continue
            picked = None
            for a in arg_nodes:
                ua = unwrap(a)
                if ua is None:
                    continue
                if ua.type in FUNCTION_TYPES:
                    picked = ua
                    break
                if ua.type == "identifier":
                    nxt = graph.local(mod, text(ua), code_root)
                    if (
                        nxt is not None
                        and (value := unwrap(nxt[1])) is not None
                        and value.type in (*FUNCTION_TYPES, "call_expression")
                    ):
                        picked = ua
                        break
                if ua.type == "call_expression":
                    picked = ua
                    break
            if picked is None:
                return None
            cur = picked
            continue
        return None
    return None
