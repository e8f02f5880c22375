"""Sanitising guards: the tests of an `if` that constrain a value in one of its branches."""

from __future__ import annotations

import ast

from fnaudit.engines.code import ir
from fnaudit.engines.code.python import sinks as S
from fnaudit.engines.code.python.taint import names
from fnaudit.engines.code.python.taint.walk import Walk
from fnaudit.engines.code.taint.values import ALL


def guards(w: Walk, test: ast.expr) -> tuple[list[tuple[str, frozenset[str]]], list[tuple[str, frozenset[str]]]]:
    """(what the test sanitises when true, what it sanitises when false)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        pos, neg = guards(w, test.operand)
        return neg, pos
    if isinstance(test, ast.BoolOp):
        pos_all: list[tuple[str, frozenset[str]]] = []
        neg_all: list[tuple[str, frozenset[str]]] = []
        for v in test.values:
            p, n = guards(w, v)
            if isinstance(test.op, ast.And):
                pos_all += p
            else:
                neg_all += n
        return pos_all, neg_all
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        key = names.key_of(w, test.left)
        op = test.ops[0]
        if key and isinstance(op, (ast.In, ast.NotIn)) and is_constant_collection(w, test.comparators[0]):
            g = [(key, ALL)]
            return (g, []) if isinstance(op, ast.In) else ([], g)
        if key and isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(test.comparators[0], ast.Constant):
            g = [(key, ALL)]
            return (g, []) if isinstance(op, ast.Eq) else ([], g)
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute):
        key = names.key_of(w, test.func.value)
        meth = test.func.attr
        if key and meth in ("isdigit", "isnumeric", "isdecimal", "isalnum", "isalpha", "isidentifier"):
            return [(key, ALL)], []
        if key and meth == "startswith":
            val = w.env.get(key, {})
            if val and all(S.NORMALISED in r.cleared for r in val):
                return [(key, frozenset({ir.PATH}))], []
        qual = names.qualname(w, test.func)
        if qual in ("re.fullmatch", "re.match") and len(test.args) >= 2:
            key = names.key_of(w, test.args[1])
            if key:
                return [(key, ALL)], []
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and len(test.args) == 2
    ):
        key = names.key_of(w, test.args[0])
        t = test.args[1]
        if key and isinstance(t, ast.Name) and t.id in ("int", "float", "bool"):
            return [(key, ALL)], []
    return [], []


def is_constant_collection(w: Walk, node: ast.expr) -> bool:
    if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
        return all(isinstance(e, ast.Constant) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(isinstance(k, ast.Constant) for k in node.keys if k is not None)
    if isinstance(node, ast.Name) and node.id not in w.locals:
        g = w.module.globals.get(node.id)
        if g is not None:
            if (
                isinstance(g, ast.Call)
                and isinstance(g.func, ast.Name)
                and g.func.id in ("frozenset", "set", "tuple")
                and g.args
            ):
                return is_constant_collection(w, g.args[0])
            return is_constant_collection(w, g)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("frozenset", "set", "tuple")
        and node.args
    ):
        return is_constant_collection(w, node.args[0])
    return False
