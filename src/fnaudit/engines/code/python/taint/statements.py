"""Statement walking: flow-sensitive assignment, branches merged, loop bodies run twice."""

from __future__ import annotations

import ast

from fnaudit.engines.code.python.taint.syntax import _root_name, _short, _terminates
from fnaudit.engines.code.python.taint.values import EXC, Event, Ref, Val, flatten, join_branches, sub, union, with_step
from fnaudit.engines.code.sources import ELEM
from fnaudit.model.code import Step

_MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "deque", "Counter", "collections.defaultdict",
                  "collections.OrderedDict", "collections.deque", "collections.Counter"}


class StatementsMixin:
    """Part of `FunctionAnalysis` (`engine.py`), which holds the state these methods use."""

    # -- statements --------------------------------------------------------------------------------

    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, node: ast.stmt) -> None:  # noqa: C901 - one dispatch
        if isinstance(node, ast.Assign):
            if isinstance(node.value, ast.Lambda):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        self.local_funcs[t.id] = node.value
                return
            val = self.eval(node.value)
            for t in node.targets:
                self.assign(t, val, node.value, node)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.eval(node.value), node.value, node)
        elif isinstance(node, ast.AugAssign):
            val = flatten(union(self.eval(node.target), self.eval(node.value)))
            self.assign(node.target, val, node.value, node)
        elif isinstance(node, ast.Expr):
            self.eval(node.value)
        elif isinstance(node, ast.Return):
            if node.value is not None:
                val = self.eval(node.value)
                self.summary.ret = union(self.summary.ret, val)
                self.summary.returns.append((self.loc(node), val))
        elif isinstance(node, ast.If):
            self.if_stmt(node)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            elem = sub(self.eval(node.iter), ELEM)
            self.assign(node.target, elem, node.iter, node)
            before = dict(self.env)
            self.block(node.body)
            self.block(node.body)
            self.env = self._merge(before, self.env)
            self.block(node.orelse)
        elif isinstance(node, ast.While):
            self.eval(node.test)
            before = dict(self.env)
            self.block(node.body)
            self.block(node.body)
            self.env = self._merge(before, self.env)
            self.block(node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                val = self.eval(item.context_expr)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, val, item.context_expr, node)
                    if isinstance(item.optional_vars, ast.Name):
                        t = self.type_of(item.context_expr)
                        if t:
                            self.types[item.optional_vars.id] = t
            self.block(node.body)
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            self.block(node.body)
            after_body = dict(self.env)
            branches = [after_body]
            for h in node.handlers:
                self.env = dict(after_body)
                if h.type is not None:
                    self.eval(h.type)
                if h.name:
                    self.env[h.name] = {Ref(EXC, label=f"str({h.name})"): (Step(self.loc(h), f"exception caught as {h.name}"),)}
                self.block(h.body)
                branches.append(self.env)
            self.env = after_body
            for b in branches[1:]:
                self.env = self._merge(self.env, b)
            self.block(node.orelse)
            self.block(node.finalbody)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.local_funcs[node.name] = node
        elif isinstance(node, ast.Raise):
            if node.exc is not None:
                self.eval(node.exc)
        elif isinstance(node, ast.Match):
            self.eval(node.subject)
            before = dict(self.env)
            merged = dict(before)
            for case in node.cases:
                self.env = dict(before)
                self.block(case.body)
                merged = self._merge(merged, self.env)
            self.env = merged
        elif isinstance(node, ast.Assert):
            self.eval(node.test)

    def _merge(self, a: dict[str, Val], b: dict[str, Val]) -> dict[str, Val]:
        out = dict(a)
        for k, v in b.items():
            out[k] = union(out[k], v) if k in out and out[k] is not v else v
        return out

    def if_stmt(self, node: ast.If) -> None:
        self.eval(node.test)
        positive, negative = self.guards(node.test)
        before = dict(self.env)
        for key, kinds in positive:
            self._sanitise(key, kinds)
        self.block(node.body)
        body_env = self.env
        body_ends = _terminates(node.body)
        self.env = dict(before)
        for key, kinds in negative:
            self._sanitise(key, kinds)
        self.block(node.orelse)
        self.env = join_branches(body_env, body_ends, self.env, _terminates(node.orelse) if node.orelse else False, self._merge)
    # -- assignment --------------------------------------------------------------------------------

    def assign(self, target: ast.expr, val: Val, value: ast.expr | None, stmt: ast.AST) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for t, v in zip(target.elts, value.elts):
                    self.assign(t, self.eval(v), v, stmt)
            else:
                for t in target.elts:
                    self.assign(t, sub(val, ELEM), None, stmt)
            return
        if isinstance(target, ast.Starred):
            self.assign(target.value, val, value, stmt)
            return
        stepped = val
        if val:
            note = f"{_short(target, 30)} = {_short(value) if value is not None else '…'}"
            stepped = with_step(val, Step(self.loc(stmt), note))
        if isinstance(target, ast.Name):
            name = target.id
            for k in [k for k in self.env if k.startswith(name + ".") or k.startswith(name + "[")]:
                del self.env[k]
            self.env[name] = stepped
            self.types.pop(name, None)
            self.objects.pop(name, None)
            self.validated.pop(name, None)
            if isinstance(value, ast.Call):
                fields = self.model_fields(value)
                if fields is not None:
                    self.validated[name] = fields
            if self._pending is not None and isinstance(value, ast.Call):
                mod, cls, attrs = self._pending
                self.objects[name] = (mod, cls)
                for attr, v in attrs.items():
                    self.env[f"{name}.{attr}"] = v
            self._pending = None
            if value is not None:
                t = self.type_of(value)
                if t:
                    self.types[name] = t
                if isinstance(value, (ast.List, ast.Tuple)) and value.elts:
                    self.env[f"{name}[0]"] = self.eval(value.elts[0])
                if isinstance(value, ast.Dict):
                    for k, v in zip(value.keys, value.values):
                        if isinstance(k, ast.Constant) and isinstance(k.value, str):
                            self.env[f"{name}[{k.value!r}]"] = self.eval(v)
            if name in self.globals_declared and val:
                self.event("state-global", name, stmt, val)
            return
        if isinstance(target, ast.Attribute):
            key = self.key_of(target)
            if key:
                self.env[key] = stepped
            base = self.key_of(target.value)
            if base and base in self.env:
                self.env[base] = union(self.env[base], flatten(stepped))
            root = _root_name(target)
            if root and self.is_module_mutable(root) and val:
                self.event("state-global", _short(target, 40), stmt, val)
            return
        if isinstance(target, ast.Subscript):
            key_val = self.eval(target.slice)
            key = self.key_of(target)
            if key:
                self.env[key] = stepped
            base = self.key_of(target.value)
            if base and base in self.env:
                self.env[base] = union(self.env[base], flatten(stepped))
            root = _root_name(target)
            if root and self.is_module_mutable(root):
                written = union(val, key_val)
                if written:
                    self.event("state-global", _short(target.value, 40), stmt, written)

    def is_module_mutable(self, name: str) -> bool:
        if name in self.locals or name in self.summary.params:
            return False
        g = self.module.globals.get(name)
        if g is None:
            return name in self.globals_declared
        if isinstance(g, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
            return True
        if isinstance(g, ast.Call):
            q = self.qualname(g.func) or ""
            return q in _MUTABLE_CALLS or q.rsplit(".", 1)[-1] in _MUTABLE_CALLS
        return False

    def event(self, kind: str, call: str, node: ast.AST, val: Val) -> None:
        if val:
            self.summary.events.append(Event(kind, call, self.loc(node), tuple(val.items())))
