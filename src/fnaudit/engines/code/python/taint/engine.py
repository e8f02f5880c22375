"""The engine (function summaries, cached) and the analysis of one function, assembled from its parts."""

from __future__ import annotations

import ast

from fnaudit.engines.code.python.modules import Module, ModuleGraph
from fnaudit.engines.code.python.taint.calls import CallsMixin
from fnaudit.engines.code.python.taint.checks import ChecksMixin
from fnaudit.engines.code.python.taint.expressions import ExpressionsMixin
from fnaudit.engines.code.python.taint.guards import GuardsMixin
from fnaudit.engines.code.python.taint.interprocedural import InterproceduralMixin
from fnaudit.engines.code.python.taint.names import NamesMixin
from fnaudit.engines.code.python.taint.statements import StatementsMixin
from fnaudit.engines.code.python.taint.validation import ValidationMixin
from fnaudit.engines.code.python.taint.values import Ref, Summary, Val
from fnaudit.model.loc import Loc


# --- the engine ----------------------------------------------------------------------------------


class TaintEngine:
    """Summaries of the functions of a scan, computed on demand and cached by AST node."""

    def __init__(self, graph: ModuleGraph) -> None:
        self.graph = graph
        self._summaries: dict[tuple[str, str, int], Summary] = {}
        self._busy: set[tuple[str, str, int]] = set()
        self._nodes: list[ast.AST] = []  # keep nodes alive while their id() is a cache key

    def summary(self, module: Module, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, code_root, cls: ast.ClassDef | None = None) -> Summary:
        key = (module.rel, str(code_root), id(node))  # identical files share a tree, not their locations
        cached = self._summaries.get(key)
        if cached is not None:
            return cached
        if key in self._busy:  # recursion: assume nothing flows
            return Summary(_param_names(node))
        self._busy.add(key)
        try:
            fa = FunctionAnalysis(self, module, node, code_root, cls)
            result = fa.run()
        finally:
            self._busy.discard(key)
        self._summaries[key] = result
        self._nodes.append(node)
        return result


def _param_names(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> list[str]:
    a = node.args
    return [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]


class FunctionAnalysis(
    StatementsMixin, GuardsMixin, NamesMixin, ExpressionsMixin, CallsMixin, InterproceduralMixin, ChecksMixin, ValidationMixin,
):
    def __init__(self, engine: TaintEngine, module: Module, node, code_root, cls: ast.ClassDef | None) -> None:
        self.engine = engine
        self.module = module
        self.node = node
        self.code_root = code_root
        self.cls = cls
        self.summary = Summary(_param_names(node))
        self.env: dict[str, Val] = {}
        self.types: dict[str, str] = {}
        self.local_funcs: dict[str, ast.AST] = {}
        self.globals_declared: set[str] = set()
        self.locals: set[str] = set(self.summary.params)
        self.objects: dict[str, tuple[Module, ast.ClassDef]] = {}  # local name -> class of the package it instantiates
        self._pending: tuple[Module, ast.ClassDef, dict[str, Val]] | None = None
        self.validated: dict[str, dict[str, bool]] = {}  # name -> field -> constrained (schema / pydantic model)
        for i, name in enumerate(self.summary.params):
            self.env[name] = {Ref(i): ()}

    # -- driver ------------------------------------------------------------------------------------

    def run(self) -> Summary:
        if isinstance(self.node, ast.Lambda):
            self.summary.ret = self.eval(self.node.body)
            return self.summary
        self._collect_locals(self.node.body)
        self.block(self.node.body)
        if self.summary.params and self.summary.params[0] == "self":
            for key, val in self.env.items():
                if key.startswith("self.") and key.count(".") == 1:
                    self.summary.self_attrs[key[5:]] = val
        return self.summary

    def _collect_locals(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            for n in ast.walk(stmt):
                if isinstance(n, ast.Global):
                    self.globals_declared.update(n.names)
                elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    self.locals.add(n.id)
        self.locals -= self.globals_declared

    def loc(self, node: ast.AST) -> Loc:
        return Loc(self.module.rel, getattr(node, "lineno", 0))
