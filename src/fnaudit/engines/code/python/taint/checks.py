"""Sinks and effects of a call: sink arguments, logging, writes to module state and to `/tmp`."""

from __future__ import annotations

import ast

from fnaudit.engines.code import ir
from fnaudit.engines.code.python import sinks as S
from fnaudit.engines.code.python.taint import expressions, names, statements
from fnaudit.engines.code.python.taint.syntax import _root_name, _short, _tmp_path, _tmp_path_expr, _unique_path
from fnaudit.engines.code.python.taint.walk import Walk
from fnaudit.engines.code.taint.values import EMPTY, Val, active, union

# -- sinks and effects -------------------------------------------------------------------------


def check_sinks(
    w: Walk,
    node: ast.Call,
    qual: str | None,
    method: str | None,
    pos: list[Val],
    kw: dict[str, Val],
    recv: Val,
    call_text: str,
) -> None:
    spec: S.SinkSpec | None = None
    if qual is not None:
        spec = S.FUNCTION_SINKS.get(qual) or S.TYPED_METHOD_SINKS.get(qual)
        if spec is None and qual.startswith("."):
            spec = None
    if spec is None and isinstance(node.func, ast.Attribute) and not names.is_module_function(w, node.func):
        method = node.func.attr
        t = names.type_of(w, node.func.value)
        if t and f"{t}.{method}" in S.TYPED_METHOD_SINKS:
            spec = S.TYPED_METHOD_SINKS[f"{t}.{method}"]
        elif method in S.METHOD_SINKS:
            spec = S.METHOD_SINKS[method]
            if spec.receiver and t != "pathlib.Path":
                spec = None
        if method in S.MONGO_METHODS:
            for a in [*node.args, *[k.value for k in node.keywords]]:
                if isinstance(a, ast.Dict):
                    for k, v in zip(a.keys, a.values, strict=True):
                        if isinstance(k, ast.Constant) and k.value == "$where":
                            statements.event(
                                w, ir.NOSQL, f"{call_text} $where", node, active(expressions.evaluate(w, v), ir.NOSQL)
                            )
    if spec is None:
        return
    if spec.note == "sax-feature":
        return
    if spec.note == "yaml" and safe_yaml(w, node):
        return
    if spec.note == "lxml" and safe_lxml(w, node):
        return
    if spec.note == "subprocess":
        shell = next((k.value for k in node.keywords if k.arg == "shell"), None)
        shell_on = (isinstance(shell, ast.Constant) and bool(shell.value)) or (
            shell is not None and not isinstance(shell, ast.Constant)
        )
        if not shell_on and node.args:
            a0 = node.args[0]
            argv0: Val
            if isinstance(a0, (ast.List, ast.Tuple)):
                argv0 = (
                    expressions.evaluate(w, a0.elts[0])
                    if a0.elts and not isinstance(a0.elts[0], ast.Starred)
                    else EMPTY
                )
            elif isinstance(a0, ast.Name) and f"{a0.id}[0]" in w.env:
                argv0 = w.env[f"{a0.id}[0]"]
            else:
                argv0 = pos[0]
            # without a shell only the program name is a command; the other arguments are data
            statements.event(w, ir.COMMAND, call_text, node, active(argv0, ir.COMMAND))
            return
    val: Val = {}
    for i in spec.args:
        if i < len(pos):
            val = union(val, pos[i])
    for name in spec.kwargs:
        if name in kw:
            val = union(val, kw[name])
    if spec.receiver:
        val = union(val, recv)
    statements.event(w, spec.kind, call_text, node, active(val, spec.kind))


def safe_yaml(w: Walk, node: ast.Call) -> bool:
    loader = next((k.value for k in node.keywords if k.arg == "Loader"), node.args[1] if len(node.args) > 1 else None)
    if loader is None:
        return False  # PyYAML < 6 defaults to an unsafe loader; >= 6 refuses to run without one
    name = loader.attr if isinstance(loader, ast.Attribute) else (loader.id if isinstance(loader, ast.Name) else "")
    return name in S.SAFE_YAML_LOADERS


def safe_lxml(w: Walk, node: ast.Call) -> bool:
    parser = next((k.value for k in node.keywords if k.arg == "parser"), node.args[1] if len(node.args) > 1 else None)
    if parser is None:
        return False
    return names.type_of(w, parser) == "lxml.safe_parser"


def check_effects(
    w: Walk, node: ast.Call, qual: str | None, method: str | None, pos: list[Val], kw: dict[str, Val], call_text: str
) -> None:
    all_args = union(*pos, *kw.values()) if (pos or kw) else EMPTY
    # logging
    is_log = qual == "print" or ((qual or "").startswith("logging.") and method in S.LOG_METHODS)
    if not is_log and method in S.LOG_METHODS and isinstance(node.func, ast.Attribute):
        root = _root_name(node.func)
        if root and (root in S.LOGGER_NAMES or root.lower().endswith("logger") or root.lower().endswith("log")):
            is_log = True
        if isinstance(node.func.value, ast.Call) and (names.qualname(w, node.func.value.func) or "").endswith(
            "getLogger"
        ):
            is_log = True
    if is_log and all_args:
        statements.event(w, "log", call_text, node, all_args)
    # runtime state: mutating a module-level object
    if method in S.MUTATORS and isinstance(node.func, ast.Attribute):
        root = _root_name(node.func)
        if root and statements.is_module_mutable(w, root) and all_args:
            statements.event(w, "state-global", _short(node.func.value, 40), node, all_args)
    # runtime state: writing event data under /tmp
    if (
        qual in ("open", "io.open")
        and node.args
        and _tmp_path(node.args[0])
        and pos
        and pos[0]
        and not _unique_path(node.args[0])
    ):
        mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
        if isinstance(mode, ast.Constant) and isinstance(mode.value, str) and set(mode.value) & set("wax+"):
            statements.event(w, "state-tmp", _short(node.args[0], 40), node, pos[0])
    if (
        method in ("write", "writelines")
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and w.types.get(node.func.value.id) == "tmpfile"
        and all_args
    ):
        statements.event(w, "state-tmp", node.func.value.id, node, all_args)
    if (
        method in ("write_text", "write_bytes")
        and isinstance(node.func, ast.Attribute)
        and _tmp_path_expr(node.func.value)
        and all_args
    ):
        statements.event(w, "state-tmp", _short(node.func.value, 40), node, all_args)
    if (
        method in ("download_file",)
        and len(node.args) >= 3
        and _tmp_path(node.args[2])
        and not _unique_path(node.args[2])
    ):
        data = union(pos[0], pos[1])
        if data:
            statements.event(w, "state-tmp", _short(node.args[2], 40), node, data)
