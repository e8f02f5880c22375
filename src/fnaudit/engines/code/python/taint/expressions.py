"""Expression evaluation: the value of an expression, and the response literals it builds."""

from __future__ import annotations

import ast
import re

from fnaudit.engines.code import ir
from fnaudit.engines.code.python.taint.syntax import _FIXED_HOST, _fixed_host_prefix
from fnaudit.engines.code.python.taint.values import EMPTY, EVENT, SECRET, Ref, Val, active, clear, flatten, sub, union
from fnaudit.engines.code.sources import ANY, ATTRIBUTE_KEYS, ELEM
from fnaudit.model.code import Step

_SECRET_NAME = re.compile(r"(?i)(secret|passw|pwd|token|api_?key|private_?key|credential|access_?key|auth)")


class ExpressionsMixin:
    """Part of `FunctionAnalysis` (`engine.py`), which holds the state these methods use."""

    # -- expressions -------------------------------------------------------------------------------

    def eval(self, node: ast.expr | None) -> Val:  # noqa: C901 - one dispatch
        if node is None or isinstance(node, ast.Constant):
            return EMPTY
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            return EMPTY
        if isinstance(node, ast.Attribute):
            key = self.key_of(node)
            if key and key in self.env:
                return self.env[key]
            if self.qualname(node) == "os.environ":
                return EMPTY
            if isinstance(node.value, ast.Name) and self.validated.get(node.value.id, {}).get(node.attr):
                return EMPTY  # a field the schema constrains to a number, a boolean, an enum…
            if node.attr == "current_event" and isinstance(node.value, ast.Name) and self.is_resolver(node.value.id):
                return {Ref(EVENT): (Step(self.loc(node), f"{node.value.id}.current_event read"),)}
            base = self.eval(node.value)
            return sub(base, ATTRIBUTE_KEYS.get(node.attr, node.attr)) if base else EMPTY
        if isinstance(node, ast.Subscript):
            key = self.key_of(node)
            if key and key in self.env:
                return self.env[key]
            if self.qualname(node.value) == "os.environ":
                return self._env_var(node.slice, node)
            if isinstance(node.value, ast.Name) and isinstance(node.slice, ast.Constant) and self.validated.get(node.value.id, {}).get(node.slice.value):
                return EMPTY
            base = self.eval(node.value)
            self.eval(node.slice)
            if not base:
                return EMPTY
            s = node.slice
            if isinstance(s, ast.Constant) and isinstance(s.value, str):
                return sub(base, s.value)
            if isinstance(s, ast.Constant) and isinstance(s.value, int):
                return sub(base, ELEM)
            if isinstance(s, ast.Slice):
                return flatten(base)
            return sub(base, ANY)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.BinOp):
            val = flatten(union(self.eval(node.left), self.eval(node.right)))
            if isinstance(node.op, ast.Add) and _fixed_host_prefix(node):
                val = clear(val, frozenset({ir.SSRF, ir.REDIRECT}))
            return val
        if isinstance(node, ast.JoinedStr):
            val = flatten(union(*[self.eval(v.value) for v in node.values if isinstance(v, ast.FormattedValue)])) if node.values else EMPTY
            if node.values and isinstance(node.values[0], ast.Constant) and _FIXED_HOST.match(str(node.values[0].value)):
                val = clear(val, frozenset({ir.SSRF, ir.REDIRECT}))
            return val
        if isinstance(node, ast.FormattedValue):
            return flatten(self.eval(node.value))
        if isinstance(node, ast.BoolOp):
            return union(*[self.eval(v) for v in node.values])
        if isinstance(node, ast.IfExp):
            self.eval(node.test)
            return union(self.eval(node.body), self.eval(node.orelse))
        if isinstance(node, ast.Compare):
            self.eval(node.left)
            for c in node.comparators:
                self.eval(c)
            return EMPTY
        if isinstance(node, ast.UnaryOp):
            v = self.eval(node.operand)
            return EMPTY if isinstance(node.op, ast.Not) else v
        if isinstance(node, ast.Dict):
            self.response_dict(node)
            vals = [flatten(self.eval(v)) for v in node.values]
            keys = [flatten(self.eval(k)) for k in node.keys if k is not None]
            return union(*vals, *keys) if vals or keys else EMPTY
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return union(*[flatten(self.eval(e)) for e in node.elts]) if node.elts else EMPTY
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self.comprehension(node)
        if isinstance(node, ast.Await):
            return self.eval(node.value)
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            v = self.eval(node.value)
            self.summary.ret = union(self.summary.ret, v)
            return EMPTY
        if isinstance(node, ast.NamedExpr):
            v = self.eval(node.value)
            self.assign(node.target, v, node.value, node)
            return v
        if isinstance(node, ast.Starred):
            return self.eval(node.value)
        if isinstance(node, ast.Lambda):
            return EMPTY
        return EMPTY

    def comprehension(self, node) -> Val:
        saved = dict(self.env)
        for gen in node.generators:
            self.assign(gen.target, sub(self.eval(gen.iter), ELEM), None, node)
            for cond in gen.ifs:
                pos, _ = self.guards(cond)
                for key, kinds in pos:
                    self._sanitise(key, kinds)
        if isinstance(node, ast.DictComp):
            val = union(flatten(self.eval(node.key)), flatten(self.eval(node.value)))
        else:
            val = flatten(self.eval(node.elt))
        self.env = saved
        return val

    def _env_var(self, key_node: ast.expr, node: ast.AST) -> Val:
        if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str) and _SECRET_NAME.search(key_node.value):
            name = key_node.value
            return {Ref(SECRET, label=name): (Step(self.loc(node), f"secret read from environment variable {name}"),)}
        return EMPTY

    # -- responses (XSS, redirects) ----------------------------------------------------------------

    def response_dict(self, node: ast.Dict) -> None:
        """A Lambda proxy response literal: `{"statusCode": 302, "headers": {"Location": x}, "body": html}`."""
        fields = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        if "statusCode" not in fields and "body" not in fields:
            return
        headers = fields.get("headers")
        header_fields: dict[str, ast.expr] = {}
        if isinstance(headers, ast.Dict):
            header_fields = {k.value.lower(): v for k, v in zip(headers.keys, headers.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        elif isinstance(headers, ast.Name) and headers.id in self.module.globals and isinstance(self.module.globals[headers.id], ast.Dict):
            g = self.module.globals[headers.id]
            header_fields = {k.value.lower(): v for k, v in zip(g.keys, g.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        ctype = header_fields.get("content-type")
        body = fields.get("body")
        if body is not None and isinstance(ctype, ast.Constant) and "html" in str(ctype.value).lower():
            self.event(ir.XSS, "HTML response body", body, active(self.eval(body), ir.XSS))
        status = fields.get("statusCode")
        location = header_fields.get("location")
        if location is not None and (status is None or (isinstance(status, ast.Constant) and str(status.value).startswith("3"))):
            self.event(ir.REDIRECT, "Location header", location, active(self.eval(location), ir.REDIRECT))
