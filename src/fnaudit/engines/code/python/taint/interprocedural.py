"""Function summaries across calls: the callee of a call in the analysed code, and its summary applied."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Literal

from fnaudit.engines.code.python import powertools
from fnaudit.engines.code.python.modules import Binding, Module
from fnaudit.engines.code.python.taint import names
from fnaudit.engines.code.python.taint.syntax import _method, _root_name
from fnaudit.engines.code.python.taint.walk import FunctionNode, PendingObject, Walk
from fnaudit.engines.code.taint.summaries import apply_events, bind_arguments, returned
from fnaudit.engines.code.taint.values import EMPTY, Val, flatten, instantiate, union
from fnaudit.model.code import Step


@dataclass(frozen=True, slots=True)
class Callee:
    """Code of the function's own package that a call runs. `binding`: a plain function, a method
    bound to the receiver (`obj.m()`, `self.m()`), or a constructor (`__init__` on a fresh object)."""

    module: Module
    node: FunctionNode
    cls: ast.ClassDef | None
    binding: Literal["function", "method", "new"]


def internal_target(w: Walk, func: ast.expr) -> Callee | None:
    """The callee when it is code of the function's own package: a local function, a function or class
    of the package however it is reached (`f`, `sub.f` after `from pkg import sub`, `s.f` after
    `import pkg.sub as s`, a name re-exported by a package's `__init__`, an import written inside the
    function), a method of a module-level instance (`sub.repo.get`), or a method of a local object."""
    if isinstance(func, ast.Name):
        if func.id in w.local_funcs:
            return Callee(w.module, w.local_funcs[func.id], None, "function")
        if func.id in w.locals:
            return None
        return _callee(w, binding(w, func), None)
    if isinstance(func, ast.Attribute):
        base = binding(w, func.value)
        if base is not None and base.kind == "module":
            return _callee(w, w.engine.graph.member(base.module, func.attr, w.code_root), None)
        if base is not None and base.kind == "instance":  # `repo.get(x)` on a module-level `repo = Repo()`
            return _callee(w, base, func.attr)
        if isinstance(func.value, ast.Call):  # `Service("eu").run(x)`: a method of a new instance
            made = binding(w, func.value.func)
            if made is not None and made.kind == "class" and isinstance(made.node, ast.ClassDef):
                m = _method(made.node, func.attr)
                if m is not None:
                    # the constructor already ran (the receiver is evaluated first): the object it left
                    # pending is this call's receiver, not what the statement assigns
                    w.pending = None
                    return Callee(made.module, m, made.node, "method")
        # obj.method() for an instance of a class of the module (simple cases)
        if isinstance(func.value, ast.Name):
            obj = w.objects.get(func.value.id)
            if obj is not None:
                m = _method(obj[1], func.attr)
                if m is not None:
                    return Callee(obj[0], m, obj[1], "method")
            if func.value.id == "self" and w.cls is not None:
                m = _method(w.cls, func.attr)
                if m is not None:
                    return Callee(w.module, m, w.cls, "method")
    return None


def _callee(w: Walk, b: Binding | None, method: str | None) -> Callee | None:
    if b is None or b.node is None:
        return None
    if b.kind == "function" and not isinstance(b.node, ast.ClassDef):
        return Callee(b.module, b.node, None, "function")
    if b.kind == "class" and isinstance(b.node, ast.ClassDef):
        return class_target(w, b.module, b.node)
    if b.kind == "instance" and isinstance(b.node, ast.ClassDef) and method is not None:
        m = _method(b.node, method)
        return Callee(b.module, m, b.node, "method") if m is not None else None
    return None


def binding(w: Walk, node: ast.expr) -> Binding | None:
    """What a name or dotted expression of the walked function refers to in the package (None: a local
    value, or something outside the package)."""
    if isinstance(node, ast.Name):
        if node.id in w.local_funcs or node.id in w.locals:
            return None
        imp = w.imports.get(node.id)  # an import inside the function shadows the module's names
        if imp is not None:
            return w.engine.graph.bind_import(w.module, imp, w.code_root)
        return w.engine.graph.member(w.module, node.id, w.code_root)
    if isinstance(node, ast.Attribute):
        base = binding(w, node.value)
        if base is not None and base.kind == "module":
            found = w.engine.graph.member(base.module, node.attr, w.code_root)
            if found is not None:
                return found
        mod = internal_module(w, node)  # `pkg.sub` of a namespace package (no `__init__.py`)
        return Binding("module", mod) if mod is not None else None
    return None


def is_resolver(w: Walk, name: str) -> bool:
    """A Powertools event handler (`app = APIGatewayRestResolver()`), of the module or imported from the package."""
    return powertools.is_resolver(w, name)


def is_chalice_app(w: Walk, name: str) -> bool:
    """A module-level AWS Chalice app (`app = Chalice(app_name=...)`): `app.current_request` is the HTTP event."""
    if name in w.locals:
        return False
    g = w.module.globals.get(name)
    if not isinstance(g, ast.Call):
        return False
    q = names.qualname(w, g.func) or ""
    return q == "chalice.Chalice" or (q.startswith("chalice.") and q.endswith(".Chalice"))


def apply_routes(w: Walk, app_name: str, node: ast.Call) -> None:
    """`app.resolve(event, context)`: every route of `app` (its routers' included) runs with the event."""
    powertools.apply_routes(w, app_name)


def class_target(w: Walk, mod: Module, cls: ast.ClassDef) -> Callee | None:
    init = _method(cls, "__init__")
    if init is None:  # no __init__: the object has no attributes yet, but it is an instance of `cls`
        w.pending = PendingObject(mod, cls, {})
        return None
    return Callee(mod, init, cls, "new")


def internal_module(w: Walk, node: ast.expr) -> Module | None:
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return None
    root = _root_name(node)
    if root is None or root in w.locals:
        return None
    imp = w.import_of(root)
    if imp is None:
        return None
    rest: list[str] = []
    n: ast.expr = node
    while isinstance(n, ast.Attribute):
        rest.insert(0, n.attr)
        n = n.value
    if imp[0] == "symbol":  # from pkg import module
        base = imp[1]
        level = len(base) - len(base.lstrip("."))
        return w.engine.graph.resolve(
            w.module, ".".join([base.lstrip("."), imp[2], *rest]).strip("."), level, w.code_root
        )
    return w.engine.graph.resolve(w.module, ".".join([imp[1], *rest]), 0, w.code_root)


def apply(
    w: Walk, target: Callee, node: ast.Call, pos: list[Val], kw: dict[str, Val], recv: Val, call_text: str
) -> Val:
    summary = w.engine.summary(target.module, target.node, w.code_root, target.cls)
    receiver = recv if target.binding == "method" else EMPTY if target.binding == "new" else None
    args = bind_arguments(summary.params, pos, kw, receiver, Step(w.loc(node), f"passed to {call_text}()"))
    apply_events(summary, args, w.summary)
    if target.binding == "new" and target.cls is not None:
        # the new object: its attributes as set by __init__
        obj: Val = {}
        attrs = {}
        for attr, v in summary.self_attrs.items():
            iv = instantiate(v, args)
            attrs[attr] = iv
            obj = union(obj, flatten(iv))
        w.pending = PendingObject(target.module, target.cls, attrs)
        return obj
    return returned(summary, args, w.loc(node), call_text)
