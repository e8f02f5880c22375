"""The engine (summaries cached per function) and one function's analysis, composed of its collaborators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fnaudit.engines.code.javascript.modules import JsModule, JsModuleGraph, Node
from fnaudit.engines.code.javascript.taint.bindings import Bindings
from fnaudit.engines.code.javascript.taint.calls import MAX_INLINE, Calls
from fnaudit.engines.code.javascript.taint.checks import Checks
from fnaudit.engines.code.javascript.taint.expressions import Expressions
from fnaudit.engines.code.javascript.taint.state import FunctionState
from fnaudit.engines.code.javascript.taint.statements import Statements
from fnaudit.engines.code.javascript.taint.summaries import Callees
from fnaudit.engines.code.javascript.taint.syntax import CALLBACK_PARAMS, _names, param_pattern, params_of
from fnaudit.engines.code.taint.values import Ref, Summary, Val, union

__all__ = ["MAX_INLINE", "JsFunction", "JsTaintEngine", "PackageInfo"]

# module → {package: version} of the nearest package.json (the installed version when a lockfile pins it)
PackageInfo = Callable[[JsModule], dict[str, str]]
_SummaryKey = tuple[str, str, int, int]


class JsTaintEngine:
    """Summaries of the functions of one scan, computed on demand, cached by (file, code root, span)."""

    def __init__(self, graph: JsModuleGraph, package_info: PackageInfo) -> None:
        self.graph = graph
        self.package_info = package_info
        self._summaries: dict[_SummaryKey, Summary] = {}
        self._param_calls: dict[_SummaryKey, dict[int, list[list[Val]]]] = {}
        self._busy: set[_SummaryKey] = set()  # summaries being computed: a recursive call sees an empty one

    def summary(self, module: JsModule, node: Node, code_root: Path, cls: Node | None = None) -> Summary:
        key = (module.rel, str(code_root), node.start_byte, node.end_byte)
        cached = self._summaries.get(key)
        if cached is not None:
            return cached
        if key in self._busy:
            return Summary(_names(node, cls))
        self._busy.add(key)
        try:
            fn = JsFunction(self, module, node, code_root, cls)
            result = fn.run()
        finally:
            self._busy.discard(key)
        self._summaries[key] = result
        self._param_calls[key] = fn.st.param_calls
        return result

    def param_calls(self, module: JsModule, node: Node, code_root: Path) -> dict[int, list[list[Val]]]:
        """How a summarised function calls its own parameters (after `summary` computed it; empty otherwise)."""
        return self._param_calls.get((module.rel, str(code_root), node.start_byte, node.end_byte), {})


class JsFunction:
    """One function's analysis: its state, and the collaborators that walk its syntax over that state.

    The collaborators call each other through this object (`fn.exprs.eval(...)` from a statement,
    `fn.stmts.add_return(...)` from a call); none of them holds state of its own.
    """

    def __init__(self, engine: JsTaintEngine, module: JsModule, node: Node, code_root: Path, cls: Node | None) -> None:
        summary = Summary(_names(node, cls))
        self.st = FunctionState(engine, module, node, code_root, cls, summary, locals=set(summary.params))
        self.stmts = Statements(self)
        self.binds = Bindings(self)
        self.exprs = Expressions(self)
        self.calls = Calls(self)
        self.checks = Checks(self)
        self.callees = Callees(self)

    def run(self) -> Summary:
        st = self.st
        offset = 1 if st.cls is not None else 0
        if st.cls is not None:
            st.env["this"] = {Ref(0): ()}
        for i, p in enumerate(params_of(st.node)):
            name = st.summary.params[i + offset]
            st.env[name] = {Ref(i + offset): ()}
            if i >= 1 and name in CALLBACK_PARAMS:
                st.callback_names.add(name)
            pat = param_pattern(p)
            if pat is not None:
                self.binds.assign(pat, st.env[name], None, p)
        body = st.node.child_by_field_name("body")
        st.collect_locals(body)
        if body is None:
            return st.summary
        if body.type == "statement_block":
            self.stmts.block(body)
        else:
            val = self.exprs.eval(body)
            st.summary.ret = union(st.summary.ret, val)
            st.summary.returns.append((st.loc(body), val))
        if st.cls is not None:
            for key, val in st.env.items():
                if key.startswith("this.") and key.count(".") == 1:
                    st.summary.self_attrs[key[5:]] = val
        return st.summary
