"""Helpers on the Python AST that need no analysis state: short texts and `/tmp` paths."""

from __future__ import annotations

import ast

from fnaudit.engines.code.python.syntax import unparse


def _short(node: ast.AST, limit: int = 60) -> str:
    try:
        text = unparse(node)
    except Exception:  # pragma: no cover - ast.unparse handles any parsed tree
        return "…"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _terminates(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))


def _method(cls: ast.ClassDef, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
            return stmt
    return None


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _canonical_type(q: str) -> str:
    return {
        "requests.session": "requests.Session",
        "pathlib.PurePath": "pathlib.Path",
        "pathlib.PosixPath": "pathlib.Path",
    }.get(q, q)


def _leading_text(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _leading_text(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _leading_text(node.func.value)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and node.args
        and isinstance(node.args[0], (ast.List, ast.Tuple))
        and node.args[0].elts
    ):
        return _leading_text(node.args[0].elts[0])
    return None


def _unique_path(node: ast.expr) -> bool:
    """A per-invocation file name (uuid4(), mkstemp, the request id): nothing carries over to the next invocation."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in (
            "uuid4",
            "uuid1",
            "aws_request_id",
            "mkstemp",
            "mkdtemp",
            "token_hex",
        ):
            return True
        if isinstance(sub, ast.Name) and sub.id in ("uuid4", "uuid1", "mkstemp", "mkdtemp", "token_hex"):
            return True
    return False


def _tmp_path(node: ast.expr) -> bool:
    text = _leading_text(node)
    return bool(text and (text == "/tmp" or text.startswith("/tmp/")))


def _tmp_path_expr(node: ast.expr) -> bool:
    if isinstance(node, ast.Call) and node.args:
        return _tmp_path(node.args[0])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _tmp_path_expr(node.left) or _tmp_path(node.left)
    return False
