"""Names and types: access keys (`a.b['c']`), import-resolved dotted names, types of local objects."""

from __future__ import annotations

import ast

from fnaudit.engines.code.python import sinks as S
from fnaudit.engines.code.python.taint.syntax import _canonical_type, _tmp_path, _unique_path
from fnaudit.engines.code.python.taint.walk import Walk

_TYPED_CONSTRUCTORS = {
    "requests.Session",
    "requests.session",
    "httpx.Client",
    "httpx.AsyncClient",
    "aiohttp.ClientSession",
    "urllib3.PoolManager",
    "jinja2.Environment",
    "pathlib.Path",
    "pathlib.PurePath",
    "pathlib.PosixPath",
    "lxml.etree.XMLParser",
    "socket.socket",  # its connect((host, port)) is an outbound connection (CODE006)
}


def key_of(w: Walk, node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = key_of(w, node.value)
        return f"{base}.{node.attr}" if base else None
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, (str, int))
    ):
        base = key_of(w, node.value)
        return f"{base}[{node.slice.value!r}]" if base else None
    return None


# -- names and types ---------------------------------------------------------------------------


def qualname(w: Walk, node: ast.expr) -> str | None:
    """Dotted name of an expression after import resolution (`sp.run` → `subprocess.run`)."""
    if isinstance(node, ast.Name):
        if node.id in w.locals or node.id in w.local_funcs:
            t = w.types.get(node.id)
            return t
        imported = w.imported(node.id)
        if imported is not None:
            return imported
        if node.id in w.module.globals:
            g = w.module.globals[node.id]
            if isinstance(g, ast.Call):
                q = qualname(w, g.func)
                if q in _TYPED_CONSTRUCTORS:
                    return _canonical_type(q)
            return None
        return node.id
    if isinstance(node, ast.Attribute):
        base = qualname(w, node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def type_of(w: Walk, node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        q = qualname(w, node.func)
        if q in _TYPED_CONSTRUCTORS:
            if q == "lxml.etree.XMLParser":
                for kw in node.keywords:
                    if kw.arg == "resolve_entities" and isinstance(kw.value, ast.Constant) and kw.value.value is False:
                        return "lxml.safe_parser"
                return "lxml.etree.XMLParser"
            return _canonical_type(q)
        if q in ("open", "io.open"):
            path = node.args[0] if node.args else None
            mode = (
                node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
            )
            if (
                path is not None
                and _tmp_path(path)
                and not _unique_path(path)
                and isinstance(mode, ast.Constant)
                and isinstance(mode.value, str)
                and set(mode.value) & set("wax+")
            ):
                return "tmpfile"
        if isinstance(node.func, ast.Attribute) and node.func.attr in S.NORMALISING_METHODS:
            return type_of(w, node.func.value)
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("cursor", "connect"):
            return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return type_of(w, node.left)
    if isinstance(node, ast.Name):
        if node.id in w.types:
            return w.types[node.id]
        g = w.module.globals.get(node.id)
        if node.id not in w.locals and g is not None and not isinstance(g, ast.Name):
            return type_of(w, g)
        return None
    return None


def is_class_ref(w: Walk, node: ast.expr) -> bool:
    """`Model.parse_raw(x)`, `Decimal.from_float(x)`: a class's constructor-like method, whose result comes from its arguments."""
    if not isinstance(node, ast.Name) or node.id in w.locals:
        return False
    if node.id in w.module.classes:
        return True
    imp = w.import_of(node.id)
    return imp is not None and imp[0] == "symbol" and imp[2][:1].isupper()


def is_module_function(w: Walk, func: ast.Attribute) -> bool:
    """`mod.f(...)` on an imported module (a function call), rather than `obj.m(...)` (a method call)."""
    node: ast.expr = func
    while isinstance(node, ast.Attribute):
        node = node.value
    if not isinstance(node, ast.Name) or node.id in w.locals:
        return False
    imp = w.import_of(node.id)
    return imp is not None and imp[0] == "module"
