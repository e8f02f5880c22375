"""Sanitising guards: the tests of an `if` that constrain a value in one of its branches."""

from __future__ import annotations

import ast

from fnaudit.engines.code import ir
from fnaudit.engines.code.python import sinks as S
from fnaudit.engines.code.python.taint.values import ALL, clear


class GuardsMixin:
    """Part of `FunctionAnalysis` (`engine.py`), which holds the state these methods use."""

    def _sanitise(self, key: str, kinds: frozenset[str]) -> None:
        if key in self.env:
            self.env[key] = clear(self.env[key], kinds)
        else:
            self.env[key] = {}

    def guards(self, test: ast.expr) -> tuple[list[tuple[str, frozenset[str]]], list[tuple[str, frozenset[str]]]]:
        """(what the test sanitises when true, what it sanitises when false)."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            pos, neg = self.guards(test.operand)
            return neg, pos
        if isinstance(test, ast.BoolOp):
            pos: list = []
            neg: list = []
            for v in test.values:
                p, n = self.guards(v)
                if isinstance(test.op, ast.And):
                    pos += p
                else:
                    neg += n
            return pos, neg
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            key = self.key_of(test.left)
            op = test.ops[0]
            if key and isinstance(op, (ast.In, ast.NotIn)) and self.is_constant_collection(test.comparators[0]):
                g = [(key, ALL)]
                return (g, []) if isinstance(op, ast.In) else ([], g)
            if key and isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(test.comparators[0], ast.Constant):
                g = [(key, ALL)]
                return (g, []) if isinstance(op, ast.Eq) else ([], g)
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute):
            key = self.key_of(test.func.value)
            meth = test.func.attr
            if key and meth in ("isdigit", "isnumeric", "isdecimal", "isalnum", "isalpha", "isidentifier"):
                return [(key, ALL)], []
            if key and meth == "startswith":
                val = self.env.get(key, {})
                if val and all(S.NORMALISED in r.cleared for r in val):
                    return [(key, frozenset({ir.PATH}))], []
            qual = self.qualname(test.func)
            if qual in ("re.fullmatch", "re.match") and len(test.args) >= 2:
                key = self.key_of(test.args[1])
                if key:
                    return [(key, ALL)], []
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance" and len(test.args) == 2:
            key = self.key_of(test.args[0])
            t = test.args[1]
            if key and isinstance(t, ast.Name) and t.id in ("int", "float", "bool"):
                return [(key, ALL)], []
        return [], []

    def is_constant_collection(self, node: ast.expr) -> bool:
        if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
            return all(isinstance(e, ast.Constant) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(isinstance(k, ast.Constant) for k in node.keys if k is not None)
        if isinstance(node, ast.Name) and node.id not in self.locals:
            g = self.module.globals.get(node.id)
            if g is not None:
                if isinstance(g, ast.Call) and isinstance(g.func, ast.Name) and g.func.id in ("frozenset", "set", "tuple") and g.args:
                    return self.is_constant_collection(g.args[0])
                return self.is_constant_collection(g)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("frozenset", "set", "tuple") and node.args:
            return self.is_constant_collection(node.args[0])
        return False
