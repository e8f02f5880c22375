"""A Python CDK file (`app.py`, a stack module) → `syntax.Module`, with the standard `ast` (never run)."""

from __future__ import annotations

import ast

from fnaudit.loaders.cdk.syntax import (
    Arr,
    Assign,
    Attr,
    Call,
    ClassDef,
    Expr,
    Import,
    Lit,
    Module,
    Name,
    Obj,
    Other,
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
            out.classes[node.name] = _class(node, text, out.skipped)
        else:
            out.body.extend(_statements([node], text, out.skipped))
    return out


def _class(node: ast.ClassDef, text: str, skipped: list[tuple[int, str]]) -> ClassDef:
    base = _expr(node.bases[0], text) if node.bases else None
    params: tuple[str, ...] = ()
    body: tuple[Statement, ...] = ()
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            a = item.args
            names = [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
            params = tuple(names[1:])  # `self`
            body = tuple(_statements(item.body, text, skipped))
    return ClassDef(node.name, base, params, body, node.lineno)


_SKIPPED = {ast.For: "loop", ast.While: "loop", ast.If: "conditional", ast.Try: "try block", ast.With: "with block"}


def _statements(nodes: list[ast.stmt], text: str, skipped: list[tuple[int, str]]) -> list[Statement]:
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
        elif type(node) in _SKIPPED:  # what a loop or a branch makes needs running the app: said, not guessed
            skipped.append((node.lineno, _SKIPPED[type(node)]))
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
    if isinstance(node, ast.JoinedStr):
        parts: list[str | Expr] = []
        for v in node.values:
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                parts.append(v.value)
            elif isinstance(v, ast.FormattedValue):
                parts.append(_expr(v.value, text))
        return Tmpl(tuple(parts), line)
    return Other(ast.get_source_segment(text, node) or type(node).__name__, line)
