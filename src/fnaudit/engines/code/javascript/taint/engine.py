"""The engine (summaries cached per function) and one function's analysis, assembled from its parts."""

from __future__ import annotations

from pathlib import Path

from fnaudit.engines.code.javascript.modules import JsModule, JsModuleGraph, text
from fnaudit.engines.code.javascript.taint.bindings import BindingsMixin
from fnaudit.engines.code.javascript.taint.calls import MAX_INLINE, CallsMixin
from fnaudit.engines.code.javascript.taint.checks import ChecksMixin
from fnaudit.engines.code.javascript.taint.expressions import ExpressionsMixin
from fnaudit.engines.code.javascript.taint.statements import StatementsMixin
from fnaudit.engines.code.javascript.taint.summaries import SummariesMixin
from fnaudit.engines.code.javascript.taint.syntax import Node, _names, param_name, param_pattern, params_of
from fnaudit.engines.code.python.taint import Event, Ref, Summary, Val, union
from fnaudit.model.loc import Loc

__all__ = ["MAX_INLINE", "JsFunction", "JsTaintEngine"]


class JsTaintEngine:
    """Summaries of the functions of a scan, computed on demand, cached by (file, code root, span)."""

    def __init__(self, graph: JsModuleGraph, package_info) -> None:
        self.graph = graph
        self.package_info = package_info  # (module) -> {package: version spec} of the nearest package.json
        self._summaries: dict[tuple[str, str, int, int], Summary] = {}
        self._busy: set[tuple[str, str, int, int]] = set()

    def summary(self, module: JsModule, node: Node, code_root: Path, cls: Node | None = None) -> Summary:
        key = (module.rel, str(code_root), node.start_byte, node.end_byte)
        cached = self._summaries.get(key)
        if cached is not None:
            return cached
        if key in self._busy:
            return Summary(_names(node, cls))
        self._busy.add(key)
        try:
            result = JsFunction(self, module, node, code_root, cls).run()
        finally:
            self._busy.discard(key)
        self._summaries[key] = result
        return result


class JsFunction(StatementsMixin, BindingsMixin, ExpressionsMixin, CallsMixin, SummariesMixin, ChecksMixin):
    def __init__(self, engine: JsTaintEngine, module: JsModule, node: Node, code_root: Path, cls: Node | None) -> None:
        self.engine = engine
        self.module = module
        self.node = node
        self.code_root = code_root
        self.cls = cls
        self.summary = Summary(_names(node, cls))
        self.env: dict[str, Val] = {}
        self.types: dict[str, str] = {}
        self.local_funcs: dict[str, Node] = {}
        self.objects: dict[str, tuple[JsModule, Node]] = {}
        self.validated: dict[str, dict[str, bool]] = {}
        self.locals: set[str] = set(self.summary.params)
        self.callback_names: set[str] = set()
        self._ret_stack: list[list[Val]] = []
        self._inline_depth = 0
        self._inlining: set[int] = set()
        self._pending_schema: tuple[dict[str, bool], str | None] | None = None
        self._pending_object: tuple[JsModule, Node, dict[str, Val]] | None = None

    # -- driver ------------------------------------------------------------------------------------

    def run(self) -> Summary:
        offset = 1 if self.cls is not None else 0
        if self.cls is not None:
            self.env["this"] = {Ref(0): ()}
        for i, p in enumerate(params_of(self.node)):
            name = self.summary.params[i + offset]
            self.env[name] = {Ref(i + offset): ()}
            if i >= 1 and name in ("callback", "cb", "done", "respond"):
                self.callback_names.add(name)
            pat = param_pattern(p)
            if pat is not None:
                self.assign(pat, self.env[name], None, p)
        body = self.node.child_by_field_name("body")
        self._collect_locals(body)
        if body is None:
            return self.summary
        if body.type == "statement_block":
            self.block(body)
        else:
            val = self.eval(body)
            self.summary.ret = union(self.summary.ret, val)
            self.summary.returns.append((self.loc(body), val))
        if self.cls is not None:
            for key, val in self.env.items():
                if key.startswith("this.") and key.count(".") == 1:
                    self.summary.self_attrs[key[5:]] = val
        return self.summary

    def _collect_locals(self, body: Node | None) -> None:
        if body is None:
            return
        stack = [body]
        while stack:
            n = stack.pop()
            t = n.type
            if t == "variable_declarator":
                name = n.child_by_field_name("name")
                if name is not None:
                    self._pattern_locals(name)
            elif t in ("function_declaration", "generator_function_declaration"):
                name = n.child_by_field_name("name")
                if name is not None:
                    self.locals.add(text(name))
            elif t == "catch_clause":
                p = n.child_by_field_name("parameter")
                if p is not None:
                    self._pattern_locals(p)
            elif t in ("formal_parameters",):
                for p in n.named_children:
                    self.locals.add(param_name(p, 0))
            stack.extend(n.named_children)

    def _pattern_locals(self, pat: Node) -> None:
        if pat.type == "identifier":
            self.locals.add(text(pat))
            return
        for c in pat.named_children:
            if c.type in ("identifier", "shorthand_property_identifier_pattern"):
                self.locals.add(text(c))
            elif c.type in ("pair_pattern", "object_pattern", "array_pattern", "assignment_pattern", "rest_pattern", "object_assignment_pattern"):
                self._pattern_locals(c)

    def loc(self, node: Node) -> Loc:
        return Loc(self.module.rel, node.start_point[0] + 1)

    def event(self, kind: str, call: str, node: Node, val: Val) -> None:
        if val:
            self.summary.events.append(Event(kind, call, self.loc(node), tuple(val.items())))
