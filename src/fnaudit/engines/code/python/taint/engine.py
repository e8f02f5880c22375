"""The engine (function summaries, cached per analysis) and the driver of one function's walk."""

from __future__ import annotations

import ast
from pathlib import Path

from fnaudit.engines.code.python.modules import Module, ModuleGraph, import_bindings
from fnaudit.engines.code.python.sdk import ModuleSdk, uses_boto3
from fnaudit.engines.code.python.taint import expressions, statements
from fnaudit.engines.code.python.taint.walk import FunctionNode, Walk, param_names
from fnaudit.engines.code.taint.values import Summary


class TaintEngine:
    """Summaries of the functions of one analysis, computed on demand and cached by AST node."""

    def __init__(self, graph: ModuleGraph, sdk_cache: dict[str, ModuleSdk] | None = None) -> None:
        self.graph = graph
        self._summaries: dict[tuple[str, str, int], Summary] = {}
        self._busy: set[tuple[str, str, int]] = set()
        self._nodes: list[ast.AST] = []  # keep nodes alive while their id() is a cache key
        self._sdk: dict[str, ModuleSdk] = sdk_cache if sdk_cache is not None else {}  # shared with `sdk.extract`

    def sdk(self, module: Module) -> ModuleSdk | None:
        """The module's boto3 bindings (which names hold an S3 client, a Lambda client, an S3 object…);
        None for a module that does not use boto3."""
        if not uses_boto3(module):
            return None
        found = self._sdk.get(module.rel)
        if found is None or found.module is not module:
            found = self._sdk[module.rel] = ModuleSdk(module)
        return found

    def summary(self, module: Module, node: FunctionNode, code_root: Path, cls: ast.ClassDef | None = None) -> Summary:
        key = (module.rel, str(code_root), id(node))  # identical files share a tree, not their locations
        cached = self._summaries.get(key)
        if cached is not None:
            return cached
        if key in self._busy:  # recursion: assume nothing flows
            return Summary(param_names(node))
        self._busy.add(key)
        try:
            result = run(Walk.start(self, module, node, code_root, cls))
        finally:
            self._busy.discard(key)
        self._summaries[key] = result
        self._nodes.append(node)
        return result


def run(w: Walk) -> Summary:
    if isinstance(w.node, ast.Lambda):
        w.summary.ret = expressions.evaluate(w, w.node.body)
        return w.summary
    _collect_locals(w, w.node.body)
    statements.block(w, w.node.body)
    if w.summary.params and w.summary.params[0] == "self":
        for key, val in w.env.items():
            if key.startswith("self.") and key.count(".") == 1:
                w.summary.self_attrs[key[5:]] = val
    return w.summary


def _collect_locals(w: Walk, body: list[ast.stmt]) -> None:
    for stmt in body:
        for n in w.module.index.walk(stmt):
            if isinstance(n, ast.Global):
                w.globals_declared.update(n.names)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                w.imports.update(import_bindings(n))
            elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                w.locals.add(n.id)
    w.locals -= w.globals_declared
