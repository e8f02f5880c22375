"""One function's Python code: its module graph, the handler's summary, and the facts for the rules."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

from fnaudit.engines.code import ir
from fnaudit.engines.code.base import Analysis
from fnaudit.engines.code.files import FileCache
from fnaudit.engines.code.python import sdk, state
from fnaudit.engines.code.python.modules import Module, ModuleGraph
from fnaudit.engines.code.python.taint import EVENT, Summary, TaintEngine
from fnaudit.engines.code.sources import ANY, classify, render, specs_for
from fnaudit.loaders.archives import real_path
from fnaudit.model.app import Function
from fnaudit.model.code import CodeFacts, Flow, SdkCall, Sink, Source, Step

_RANK = {"high": 2, "medium": 1, "low": 0}
_DOWN = {"high": "medium", "medium": "low", "low": "low"}


class PythonAnalyser:
    def __init__(self, cache: FileCache, root: Path) -> None:
        self.cache = cache
        self.root = root
        self.graph = ModuleGraph(cache)
        self.taint = TaintEngine(self.graph)
        self._sdk_cache: dict = {}

    def analyse(self, fn: Function) -> Analysis | None:
        code = fn.code
        if code.handler_file is None:
            return None
        # real_path: code in a zip artifact (`fn.zip!/…`) is read from the zip's private folder
        code_root = real_path(self.root, code.root) if code.root else self.root
        module = self.graph.load(real_path(self.root, code.handler_file), code_root)
        if module is None:
            return None
        modules = self.graph.closure(module, code_root)
        internal_tops = {m.name.split(".")[0] for m in modules if m.name}
        imports = sorted({name for m in modules for name in m.external} - internal_tops)
        sdk_calls = sdk.extract(modules, fn.environment, self._sdk_cache)
        node = handler_node(module, code.handler_symbol or "")
        if node is None:
            facts = CodeFacts(imports=tuple(imports), files=tuple(m.rel for m in modules), handler_found=False)
            return Analysis(facts, sdk_calls)
        sdk_calls = _rank_by_reachability(sdk_calls, self._reachable(module, node, code_root), modules)
        summary = self.taint.summary(module, node, code_root)
        event_index = 1 if summary.params and summary.params[0] in ("self", "cls") else 0
        param_name = summary.params[event_index] if len(summary.params) > event_index else "event"
        flows = _flows(summary, event_index, param_name, fn)
        facts = CodeFacts(
            imports=tuple(imports),
            files=tuple(m.rel for m in modules),
            flows=tuple(flows),
            state_writes=tuple(sorted(state.state_writes(summary, event_index), key=lambda s: (s.loc, s.kind))),
            verbose_errors=tuple(sorted(state.verbose_errors(summary), key=lambda v: v.loc)),
            log_leaks=tuple(sorted(state.log_leaks(summary, event_index, node, module.rel, module.imports), key=lambda x: (x.loc, x.kind, x.name))),
        )
        return Analysis(facts, sdk_calls)


    def _reachable(self, module: Module, node: ast.AST, code_root: Path) -> set[int]:
        """ids of the functions the handler can reach: referenced by name from reachable code (calls,
        callbacks, decorators), across the modules of the package; a referenced class brings its methods."""
        seen: set[int] = {id(node)}
        todo: list[tuple[Module, ast.AST]] = [(module, node)]
        while todo:
            mod, fnode = todo.pop()
            for sub in ast.walk(fnode):
                targets: list[tuple[Module, ast.AST]] = []
                if isinstance(sub, ast.Name):
                    targets = self._lookup(mod, sub.id, code_root)
                elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
                    imp = mod.imports.get(sub.value.id)
                    if imp is not None:
                        dotted = imp[1] if imp[0] == "module" else f"{imp[1]}.{imp[2]}"
                        level = len(dotted) - len(dotted.lstrip("."))
                        other = self.graph.resolve(mod, dotted.lstrip("."), level, code_root)
                        if other is not None:
                            targets = self._lookup(other, sub.attr, code_root, local_only=True)
                for tmod, t in targets:
                    if id(t) not in seen:
                        seen.add(id(t))
                        todo.append((tmod, t))
        return seen

    def _lookup(self, mod: Module, name: str, code_root: Path, local_only: bool = False) -> list[tuple[Module, ast.AST]]:
        if name in mod.functions:
            return [(mod, mod.functions[name])]
        if name in mod.classes:
            cls = mod.classes[name]
            return [(mod, m) for m in cls.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
        imp = mod.imports.get(name)
        if not local_only and imp is not None and imp[0] == "symbol":
            level = len(imp[1]) - len(imp[1].lstrip("."))
            other = self.graph.resolve(mod, imp[1].lstrip("."), level, code_root)
            if other is not None:
                return self._lookup(other, imp[2], code_root, local_only=True)
        return []


def _rank_by_reachability(calls: tuple[SdkCall, ...], reachable: set[int], modules: list[Module]) -> tuple[SdkCall, ...]:
    """Calls inside functions the handler never reaches stay listed (the code can make them), marked unreachable."""
    ranges: dict[str, list[tuple[int, int, int]]] = {}
    for m in modules:
        spans = []
        for top in m.tree.body:
            defs = [top] if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)) else (
                [b for b in top.body if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef))] if isinstance(top, ast.ClassDef) else [])
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


def _flows(summary: Summary, event_index: int, param_name: str, fn: Function) -> list[Flow]:
    specs = specs_for(fn.triggers)
    best: dict[tuple[str, str, int], Flow] = {}
    for ev in summary.events:
        if ev.kind not in ir.SINK_KINDS:
            continue
        for r, steps in ev.val:
            if r.root not in (event_index, EVENT) or ev.kind in r.cleared:
                continue
            spec = classify(r.path, r.flat, specs)
            if spec is None:
                continue
            confidence = spec.confidence
            if ANY in r.path:
                confidence = _DOWN[confidence]
            source_loc = steps[0].loc if steps else ev.loc
            source = Source(render(r.path, param_name), source_loc, spec.triggers, confidence)
            flow = Flow(
                source,
                Sink(ev.kind, ev.call, ev.loc),
                tuple(steps) + (Step(ev.loc, f"reaches the {ev.call}" if " " in ev.call else f"reaches {ev.call}()"),),
                confidence,
            )
            key = (ev.kind, ev.loc.path, ev.loc.line)
            old = best.get(key)
            if old is None or (_RANK[flow.confidence], -len(flow.steps)) > (_RANK[old.confidence], -len(old.steps)):
                best[key] = flow
    return sorted(best.values(), key=lambda f: (f.sink.loc, f.sink.kind))
