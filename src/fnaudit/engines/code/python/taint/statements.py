"""Statement walking: flow-sensitive assignment, branches merged, loop bodies run twice."""

from __future__ import annotations

import ast

from fnaudit.engines.code.python.taint import expressions, guards, names, validation
from fnaudit.engines.code.python.taint.syntax import _root_name, _short, _terminates
from fnaudit.engines.code.python.taint.walk import Walk
from fnaudit.engines.code.sources import ELEM
from fnaudit.engines.code.taint.values import (
    EXC,
    Ref,
    Val,
    flatten,
    join_branches,
    merge_envs,
    sanitise,
    sub,
    union,
    with_step,
)
from fnaudit.model.code import Step

_MUTABLE_CALLS = frozenset(
    {
        "dict",
        "list",
        "set",
        "defaultdict",
        "OrderedDict",
        "deque",
        "Counter",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.deque",
        "collections.Counter",
    }
)


# -- statements --------------------------------------------------------------------------------


def block(w: Walk, body: list[ast.stmt]) -> None:
    for stmt in body:
        statement(w, stmt)


def statement(w: Walk, node: ast.stmt) -> None:  # noqa: C901 - one dispatch
    if isinstance(node, ast.Assign):
        if isinstance(node.value, ast.Lambda):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    w.local_funcs[t.id] = node.value
            return
        val = expressions.evaluate(w, node.value)
        for t in node.targets:
            assign(w, t, val, node.value, node)
    elif isinstance(node, ast.AnnAssign):
        if node.value is not None:
            assign(w, node.target, expressions.evaluate(w, node.value), node.value, node)
    elif isinstance(node, ast.AugAssign):
        val = flatten(union(expressions.evaluate(w, node.target), expressions.evaluate(w, node.value)))
        assign(w, node.target, val, node.value, node)
    elif isinstance(node, ast.Expr):
        expressions.evaluate(w, node.value)
    elif isinstance(node, ast.Return):
        if node.value is not None:
            val = expressions.evaluate(w, node.value)
            w.summary.ret = union(w.summary.ret, val)
            w.summary.returns.append((w.loc(node), val))
    elif isinstance(node, ast.If):
        if_stmt(w, node)
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        elem = sub(expressions.evaluate(w, node.iter), ELEM)
        assign(w, node.target, elem, node.iter, node)
        before = dict(w.env)
        block(w, node.body)
        block(w, node.body)
        w.env = merge_envs(before, w.env)
        block(w, node.orelse)
    elif isinstance(node, ast.While):
        expressions.evaluate(w, node.test)
        before = dict(w.env)
        block(w, node.body)
        block(w, node.body)
        w.env = merge_envs(before, w.env)
        block(w, node.orelse)
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        for item in node.items:
            val = expressions.evaluate(w, item.context_expr)
            if item.optional_vars is not None:
                assign(w, item.optional_vars, val, item.context_expr, node)
                if isinstance(item.optional_vars, ast.Name):
                    typ = names.type_of(w, item.context_expr)
                    if typ:
                        w.types[item.optional_vars.id] = typ
        block(w, node.body)
    elif isinstance(node, (ast.Try, ast.TryStar)):
        block(w, node.body)
        after_body = dict(w.env)
        branches = [after_body]
        for h in node.handlers:
            w.env = dict(after_body)
            if h.type is not None:
                expressions.evaluate(w, h.type)
            if h.name:
                w.env[h.name] = {Ref(EXC, label=f"str({h.name})"): (Step(w.loc(h), f"exception caught as {h.name}"),)}
            block(w, h.body)
            branches.append(w.env)
        w.env = after_body
        for b in branches[1:]:
            w.env = merge_envs(w.env, b)
        block(w, node.orelse)
        block(w, node.finalbody)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        w.local_funcs[node.name] = node
    elif isinstance(node, ast.Raise):
        if node.exc is not None:
            expressions.evaluate(w, node.exc)
    elif isinstance(node, ast.Match):
        expressions.evaluate(w, node.subject)
        before = dict(w.env)
        merged = dict(before)
        for case in node.cases:
            w.env = dict(before)
            block(w, case.body)
            merged = merge_envs(merged, w.env)
        w.env = merged
    elif isinstance(node, ast.Assert):
        expressions.evaluate(w, node.test)


def if_stmt(w: Walk, node: ast.If) -> None:
    expressions.evaluate(w, node.test)
    positive, negative = guards.guards(w, node.test)
    before = dict(w.env)
    for key, kinds in positive:
        sanitise(w.env, key, kinds)
    block(w, node.body)
    body_env = w.env
    body_ends = _terminates(node.body)
    w.env = dict(before)
    for key, kinds in negative:
        sanitise(w.env, key, kinds)
    block(w, node.orelse)
    w.env = join_branches(body_env, body_ends, w.env, _terminates(node.orelse) if node.orelse else False)


# -- assignment --------------------------------------------------------------------------------


def _store_into(w: Walk, target: ast.Attribute | ast.Subscript, stepped: Val) -> None:
    """`obj.attr = v` / `obj[k] = v`: the element holds `v`, and the object now carries its taint too."""
    key = names.key_of(w, target)
    if key:
        w.env[key] = stepped
    base = names.key_of(w, target.value)
    if base and base in w.env:
        w.env[base] = union(w.env[base], flatten(stepped))


def assign(w: Walk, target: ast.expr, val: Val, value: ast.expr | None, stmt: ast.AST) -> None:
    if isinstance(target, (ast.Tuple, ast.List)):
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
            for elt_target, elt_value in zip(target.elts, value.elts, strict=True):
                assign(w, elt_target, expressions.evaluate(w, elt_value), elt_value, stmt)
        else:
            for elt_target in target.elts:
                assign(w, elt_target, sub(val, ELEM), None, stmt)
        return
    if isinstance(target, ast.Starred):
        assign(w, target.value, val, value, stmt)
        return
    stepped = val
    if val:
        note = f"{_short(target, 30)} = {_short(value) if value is not None else '…'}"
        stepped = with_step(val, Step(w.loc(stmt), note))
    if isinstance(target, ast.Name):
        name = target.id
        for k in [k for k in w.env if k.startswith(name + ".") or k.startswith(name + "[")]:
            del w.env[k]
        w.env[name] = stepped
        if value is not None:
            w.assigned[name] = value
        else:
            w.assigned.pop(name, None)
        w.types.pop(name, None)
        w.objects.pop(name, None)
        w.validated.pop(name, None)
        if isinstance(value, ast.Call):
            fields = validation.model_fields(w, value)
            if fields is not None:
                w.validated[name] = fields
        if w.pending is not None and isinstance(value, ast.Call):
            w.objects[name] = (w.pending.module, w.pending.cls)
            for attr, attr_val in w.pending.attrs.items():
                w.env[f"{name}.{attr}"] = attr_val
        w.pending = None
        if value is not None:
            typ = names.type_of(w, value)
            if typ:
                w.types[name] = typ
            if isinstance(value, (ast.List, ast.Tuple)) and value.elts:
                w.env[f"{name}[0]"] = expressions.evaluate(w, value.elts[0])
            if isinstance(value, ast.Dict):
                for key_node, item in zip(value.keys, value.values, strict=True):
                    if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str):
                        w.env[f"{name}[{key_node.value!r}]"] = expressions.evaluate(w, item)
        if name in w.globals_declared and val:
            event(w, "state-global", name, stmt, val)
        return
    if isinstance(target, ast.Attribute):
        _store_into(w, target, stepped)
        root = _root_name(target)
        if root and is_module_mutable(w, root) and val:
            event(w, "state-global", _short(target, 40), stmt, val)
        return
    if isinstance(target, ast.Subscript):
        key_val = expressions.evaluate(w, target.slice)
        _store_into(w, target, stepped)
        root = _root_name(target)
        if root and is_module_mutable(w, root):
            written = union(val, key_val)
            if written:
                event(w, "state-global", _short(target.value, 40), stmt, written)


def is_module_mutable(w: Walk, name: str) -> bool:
    if name in w.locals or name in w.summary.params:
        return False
    g = w.module.globals.get(name)
    if g is None:
        return name in w.globals_declared
    if isinstance(g, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    if isinstance(g, ast.Call):
        q = names.qualname(w, g.func) or ""
        return q in _MUTABLE_CALLS or q.rsplit(".", 1)[-1] in _MUTABLE_CALLS
    return False


def event(w: Walk, kind: str, call: str, node: ast.AST, val: Val) -> None:
    # a value cleared for this kind of event is not part of it (a number cast from the event, logged)
    val = {r: s for r, s in val.items() if kind not in r.cleared} if any(r.cleared for r in val) else val
    w.summary.record(kind, call, w.loc(node), val)
