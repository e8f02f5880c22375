"""A Python CDK file (`app.py`, a stack module) → `syntax.Module`, with the standard `ast` (never run)."""

from __future__ import annotations

import ast

from fnaudit.loaders.cdk.syntax import (
    Arr,
    Assign,
    Attr,
    Call,
    ClassDef,
    Comp,
    Cond,
    Expr,
    For,
    FuncDef,
    If,
    Import,
    Lambda,
    Lit,
    Module,
    Name,
    Obj,
    Op,
    Other,
    Param,
    Pattern,
    Return,
    Skip,
    Statement,
    Stmt,
    Tmpl,
    camel,
)


def parse_python(text: str, rel: str) -> Module:
    tree = ast.parse(text, filename=rel)
    out = Module(rel)
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.imports[alias.asname or alias.name.split(".")[0]] = Import(
                    alias.name if alias.asname else alias.name.split(".")[0], None
                )
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            for alias in node.names:
                out.imports[alias.asname or alias.name] = Import(module, alias.name)
        elif isinstance(node, ast.ClassDef):
            out.classes[node.name] = _class(node, text)
        elif isinstance(node, ast.FunctionDef):
            out.functions[node.name] = _function(node, text, node.name)
        else:
            out.body.extend(_statements([node], text))
    return out


def _class(node: ast.ClassDef, text: str) -> ClassDef:
    base = _expr(node.bases[0], text) if node.bases else None
    params: tuple[str, ...] = ()
    defaults: tuple[Expr | None, ...] = ()
    body: tuple[Statement, ...] = ()
    methods: list[FuncDef] = []
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            init = _function(item, text, "__init__")
            params = tuple(p.pattern.names[0][1] for p in init.params)
            defaults = tuple(p.default for p in init.params)
            body = init.body
        elif isinstance(item, ast.FunctionDef) and all(
            isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in item.decorator_list
        ):
            # called as `self._make_fn(...)`, which is parsed in the TypeScript spelling (`MakeFn`)
            methods.append(_function(item, text, camel(item.name)))
    return ClassDef(node.name, base, params, body, node.lineno, tuple(methods), defaults)


def _function(node: ast.FunctionDef, text: str, name: str) -> FuncDef:
    return FuncDef(name, _params(node.args, text), tuple(_statements(node.body, text)), node.lineno)


def _params(a: ast.arguments, text: str, method: bool = True) -> tuple[Param, ...]:
    positional = [*a.posonlyargs, *a.args]
    # defaults belong to the last positional parameters; keyword-only ones have their own list
    pos_defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    pairs = [*zip(positional, pos_defaults, strict=True), *zip(a.kwonlyargs, a.kw_defaults, strict=True)]
    out = tuple(Param(Pattern("name", (("", p.arg),)), _expr(d, text) if d is not None else None) for p, d in pairs)
    return out[1:] if method and out and out[0].pattern.names[0][1] in ("self", "cls") else out


_SKIPPED = {ast.While: "loop", ast.Try: "try block", ast.With: "with block", ast.Match: "conditional"}


def _pattern(node: ast.expr) -> Pattern | None:
    if isinstance(node, ast.Name):
        return Pattern("name", (("", node.id),))
    if isinstance(node, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in node.elts):
        return Pattern("array", tuple((str(i), e.id) for i, e in enumerate(node.elts) if isinstance(e, ast.Name)))
    return None


def _statements(nodes: list[ast.stmt], text: str) -> list[Statement]:
    out: list[Statement] = []
    for node in nodes:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is None or len(targets) != 1:
                continue
            target = _target(targets[0])
            if target is not None:
                out.append(Assign(target, _expr(node.value, text), node.lineno))
        elif isinstance(node, ast.Expr):
            out.append(Stmt(_expr(node.value, text), node.lineno))
        elif isinstance(node, ast.For):
            bound = _pattern(node.target)
            if bound is None or node.orelse:
                out.append(Skip("loop", node.lineno))
            else:
                out.append(For(bound, _expr(node.iter, text), tuple(_statements(node.body, text)), node.lineno))
        elif isinstance(node, ast.If):
            body, orelse = tuple(_statements(node.body, text)), tuple(_statements(node.orelse, text))
            out.append(If(_expr(node.test, text), body, orelse, node.lineno))
        elif isinstance(node, ast.Return):
            out.append(Return(_expr(node.value, text) if node.value is not None else None, node.lineno))
        elif type(node) in _SKIPPED:  # what these make needs running the app: said, not guessed
            out.append(Skip(_SKIPPED[type(node)], node.lineno))
    return out


def _target(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return "this." + camel(node.attr)
    return None


def _expr(node: ast.expr, text: str) -> Expr:
    line = node.lineno
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool, type(None))):
        return Lit(node.value, line)
    if isinstance(node, ast.Name):
        return Name("this" if node.id == "self" else node.id, line)
    if isinstance(node, ast.Attribute):
        # module attributes (`aws_cdk.aws_lambda`) keep their name: they are not properties
        name = node.attr if node.attr.startswith("aws_") else camel(node.attr)
        return Attr(_expr(node.value, text), name, line)
    if isinstance(node, ast.Call):
        args = tuple(_expr(a, text) for a in node.args if not isinstance(a, ast.Starred))
        kwargs = tuple((camel(k.arg), _expr(k.value, text), k.value.lineno) for k in node.keywords if k.arg)
        return Call(_expr(node.func, text), args, kwargs, line)
    if isinstance(node, ast.Dict):
        items = []
        for k, v in zip(node.keys, node.values, strict=True):
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                items.append((k.value, _expr(v, text), k.lineno))
        return Obj(tuple(items), line)
    if isinstance(node, (ast.List, ast.Tuple)):
        return Arr(tuple(_expr(e, text) for e in node.elts), line)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        sides = (_expr(node.left, text), _expr(node.right, text))
        if any(isinstance(x, Tmpl) or (isinstance(x, Lit) and isinstance(x.value, str)) for x in sides):
            return Tmpl(tuple(p for x in sides for p in (x.parts if isinstance(x, Tmpl) else (x,))), line)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        key = node.slice.value  # `cfg["name"]`, `fns[0]`: read as a property (kept as written, not camel-cased)
        if isinstance(key, (str, int)) and not isinstance(key, bool):
            return Attr(_expr(node.value, text), str(key), line)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        ops = {ast.Eq: "==", ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in", ast.Is: "==", ast.IsNot: "!="}
        op = ops.get(type(node.ops[0]))
        if op is not None:
            return Op(op, (_expr(node.left, text), _expr(node.comparators[0], text)), line)
    if isinstance(node, ast.BoolOp):
        return Op("&&" if isinstance(node.op, ast.And) else "||", tuple(_expr(v, text) for v in node.values), line)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return Op("!", (_expr(node.operand, text),), line)
    if isinstance(node, ast.IfExp):
        return Cond(_expr(node.test, text), _expr(node.body, text), _expr(node.orelse, text), line)
    if isinstance(node, ast.Lambda):
        return Lambda(_params(node.args, text, method=False), (Return(_expr(node.body, text), line),), line)
    if isinstance(node, ast.ListComp) and len(node.generators) == 1 and not node.generators[0].is_async:
        gen = node.generators[0]
        target = _pattern(gen.target)
        if target is not None:
            conds = tuple(_expr(c, text) for c in gen.ifs)
            return Comp(_expr(node.elt, text), target, _expr(gen.iter, text), conds, line)
    if isinstance(node, ast.JoinedStr):
        parts: list[str | Expr] = []
        for v in node.values:
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                parts.append(v.value)
            elif isinstance(v, ast.FormattedValue):
                parts.append(_expr(v.value, text))
        return Tmpl(tuple(parts), line)
    return Other(ast.get_source_segment(text, node) or type(node).__name__, line)
