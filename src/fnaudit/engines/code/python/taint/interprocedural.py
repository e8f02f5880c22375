"""Function summaries across calls: the callee of a call in the analysed code, and its summary applied."""

from __future__ import annotations

import ast

from fnaudit.engines.code.python.modules import Module
from fnaudit.engines.code.python.taint.syntax import _method, _root_name
from fnaudit.engines.code.python.taint.values import EMPTY, EVENT, Event, Ref, Val, flatten, instantiate, union, with_step
from fnaudit.model.code import Step

_RESOLVER_ROUTES = frozenset({"get", "post", "put", "patch", "delete", "head", "route", "options"})


class InterproceduralMixin:
    """Part of `FunctionAnalysis` (`engine.py`), which holds the state these methods use."""

    def internal_target(self, func: ast.expr):
        """(module, node, cls, bound) when the callee is code of the function's own package."""
        if isinstance(func, ast.Name):
            name = func.id
            if name in self.local_funcs:
                return (self.module, self.local_funcs[name], None, False)
            if name in self.locals:
                return None
            if name in self.module.functions:
                return (self.module, self.module.functions[name], None, False)
            if name in self.module.classes:
                return self._class_target(self.module, self.module.classes[name])
            imp = self.module.imports.get(name)
            if imp is not None and imp[0] == "symbol":
                mod = self.engine.graph.resolve(self.module, imp[1].lstrip("."), len(imp[1]) - len(imp[1].lstrip(".")), self.code_root)
                if mod is not None:
                    if imp[2] in mod.functions:
                        return (mod, mod.functions[imp[2]], None, False)
                    if imp[2] in mod.classes:
                        return self._class_target(mod, mod.classes[imp[2]])
            return None
        if isinstance(func, ast.Attribute):
            # module.function() for a module of the package
            mod = self.internal_module(func.value)
            if mod is not None:
                if func.attr in mod.functions:
                    return (mod, mod.functions[func.attr], None, False)
                if func.attr in mod.classes:
                    return self._class_target(mod, mod.classes[func.attr])
                return None
            # obj.method() for an instance of a class of the module (simple cases)
            if isinstance(func.value, ast.Name):
                obj = self.objects.get(func.value.id)
                if obj is not None:
                    m = _method(obj[1], func.attr)
                    if m is not None:
                        return (obj[0], m, obj[1], True)
                if func.value.id == "self" and self.cls is not None:
                    m = _method(self.cls, func.attr)
                    if m is not None:
                        return (self.module, m, self.cls, True)
        return None

    def is_resolver(self, name: str) -> bool:
        """A module-level Powertools event handler (`app = APIGatewayRestResolver()`)."""
        if name in self.locals:
            return False
        g = self.module.globals.get(name)
        if not isinstance(g, ast.Call):
            return False
        q = self.qualname(g.func) or ""
        return q.startswith("aws_lambda_powertools") and q.endswith("Resolver")

    def apply_routes(self, app_name: str, node: ast.Call) -> None:
        """`app.resolve(event, context)`: every route of `app` runs with the event; route parameters are path parameters."""
        for fnode in self.module.functions.values():
            if not any(
                isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in _RESOLVER_ROUTES
                and isinstance(d.func.value, ast.Name) and d.func.value.id == app_name
                for d in fnode.decorator_list
            ):
                continue
            summary = self.engine.summary(self.module, fnode, self.code_root)
            step = Step(self.loc(fnode), f"route {fnode.name}() called by {app_name}.resolve()")
            args = [{Ref(EVENT, ("pathParameters", p)): (step,)} for p in summary.params]
            for ev in summary.events:
                val = self.instantiate(dict(ev.val), args)
                if val:
                    self.summary.events.append(Event(ev.kind, ev.call, ev.loc, tuple(val.items())))
            for loc, val in summary.returns:
                self.summary.returns.append((loc, self.instantiate(val, args)))

    def _class_target(self, mod: Module, cls: ast.ClassDef):
        init = _method(cls, "__init__")
        if init is None:
            self._pending = (mod, cls, {})
            return None
        return (mod, init, cls, "new")

    def internal_module(self, node: ast.expr) -> Module | None:
        if not isinstance(node, (ast.Name, ast.Attribute)):
            return None
        root = _root_name(node)
        if root is None or root in self.locals:
            return None
        imp = self.module.imports.get(root)
        if imp is None:
            return None
        rest: list[str] = []
        n = node
        while isinstance(n, ast.Attribute):
            rest.insert(0, n.attr)
            n = n.value
        if imp[0] == "symbol":  # from pkg import module
            base = imp[1]
            level = len(base) - len(base.lstrip("."))
            return self.engine.graph.resolve(self.module, ".".join([base.lstrip("."), imp[2], *rest]).strip("."), level, self.code_root)
        return self.engine.graph.resolve(self.module, ".".join([imp[1], *rest]), 0, self.code_root)

    def apply(self, target, node: ast.Call, pos: list[Val], kw: dict[str, Val], recv: Val, call_text: str) -> Val:
        mod, fnode, cls, bound = target
        summary = self.engine.summary(mod, fnode, self.code_root, cls)
        params = summary.params
        args: list[Val] = [EMPTY] * len(params)
        offset = 0
        if bound is True:
            if params:
                args[0] = recv
            offset = 1
        elif bound == "new":
            offset = 1  # self: a fresh object
        for i, v in enumerate(pos):
            if i + offset < len(args):
                args[i + offset] = v
        for name, v in kw.items():
            if name in params:
                args[params.index(name)] = v
        step = Step(self.loc(node), f"passed to {call_text}()")
        args = [with_step(a, step) if a else a for a in args]
        for ev in summary.events:
            val = self.instantiate(dict(ev.val), args)
            if val:
                self.summary.events.append(Event(ev.kind, ev.call, ev.loc, tuple(val.items())))
        if bound == "new":
            # the new object: its attributes as set by __init__
            obj: Val = {}
            attrs = {}
            for attr, v in summary.self_attrs.items():
                iv = self.instantiate(v, args)
                attrs[attr] = iv
                obj = union(obj, flatten(iv))
            self._pending = (mod, cls, attrs)
            return obj
        ret = self.instantiate(summary.ret, args)
        return with_step(ret, Step(self.loc(node), f"returned from {call_text}()")) if ret else ret

    def instantiate(self, val: Val, args: list[Val]) -> Val:
        return instantiate(val, args)
