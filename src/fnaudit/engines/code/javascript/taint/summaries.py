"""Functions of the package: finding the callee (imports, objects, classes) and applying its summary."""

from __future__ import annotations

from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, string_value, text, unwrap
from fnaudit.engines.code.javascript.taint.syntax import Node, _method
from fnaudit.engines.code.python.taint import EMPTY, Event, Summary, Val, instantiate, with_step
from fnaudit.model.code import Step


class SummariesMixin:
    # -- functions of the package -------------------------------------------------------------------

    def internal_target(self, func: Node | None):
        """(module, function node, class, bound) when the callee is code of the function's own package."""
        func = unwrap(func)
        if func is None:
            return None
        graph = self.engine.graph
        if func.type == "identifier":
            name = text(func)
            if name in self.locals:
                return None
            got = graph.local(self.module, name, self.code_root)
            return self._as_target(got, None, False)
        if func.type == "member_expression":
            obj = unwrap(func.child_by_field_name("object"))
            prop = text(func.child_by_field_name("property"))
            if obj is None:
                return None
            if obj.type == "identifier":
                name = text(obj)
                if name in self.objects:
                    mod, cls = self.objects[name]
                    m = _method(cls, prop)
                    return (mod, m, cls, True) if m is not None else None
                if name not in self.locals:
                    imp = self.module.imports.get(name)
                    if imp is not None and imp[1].startswith((".", "/")):
                        other = graph.resolve(self.module, imp[1], self.code_root)
                        if other is None:
                            return None
                        if imp[0] == "module":
                            return self._as_target(graph.export(other, prop, self.code_root), None, False)
                        got = graph.export(other, imp[2], self.code_root)
                        return self._member_of(got, prop)
                    got = graph.local(self.module, name, self.code_root)
                    if got is not None:
                        return self._member_of(got, prop)
            if obj.type == "this" and self.cls is not None:
                m = _method(self.cls, prop)
                return (self.module, m, self.cls, True) if m is not None else None
        return None

    def _member_of(self, got, prop: str):
        """`x.prop` where x is a module-level object literal, a class, or an instance of a class of the package."""
        if got is None:
            return None
        mod, node = got
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "object":
            for c in node.named_children:
                if c.type == "pair":
                    k = c.child_by_field_name("key")
                    if (string_value(k) or text(k)) == prop:
                        v = unwrap(c.child_by_field_name("value"))
                        if v is not None and v.type in FUNCTION_TYPES:
                            return (mod, v, None, False)
                        if v is not None and v.type == "identifier":
                            return self._as_target(self.engine.graph.local(mod, text(v), self.code_root), None, False)
                elif c.type == "method_definition" and text(c.child_by_field_name("name")) == prop:
                    return (mod, c, None, False)
                elif c.type == "shorthand_property_identifier" and text(c) == prop:
                    return self._as_target(self.engine.graph.local(mod, prop, self.code_root), None, False)
            return None
        if node.type == "new_expression":
            ctor = unwrap(node.child_by_field_name("constructor"))
            if ctor is not None and ctor.type == "identifier":
                cls = self.engine.graph.local(mod, text(ctor), self.code_root)
                if cls is not None and cls[1].type in ("class_declaration", "class"):
                    m = _method(cls[1], prop)
                    return (cls[0], m, cls[1], True) if m is not None else None
        if node.type in ("class_declaration", "class"):
            m = _method(node, prop, static=True)
            return (mod, m, None, False) if m is not None else None
        return None

    def _as_target(self, got, cls, bound):
        if got is None:
            return None
        mod, node = got
        node = unwrap(node)
        if node is not None and node.type in FUNCTION_TYPES:
            return (mod, node, cls, bound)
        if node is not None and node.type in ("class_declaration", "class"):
            return (mod, node, None, "class")
        return None

    def apply(self, target, node: Node, pos: list[Val], recv: Val, call_text: str) -> Val:
        mod, fnode, cls, bound = target
        if bound == "class":
            return EMPTY  # calling a class without `new`
        summary = self.engine.summary(mod, fnode, self.code_root, cls)
        params = summary.params
        args: list[Val] = [EMPTY] * len(params)
        offset = 0
        if cls is not None:
            if params:
                args[0] = recv if bound else EMPTY
            offset = 1
        for i, v in enumerate(pos):
            if i + offset < len(args):
                args[i + offset] = v
        step = Step(self.loc(node), f"passed to {call_text}()")
        args = [with_step(a, step) if a else a for a in args]
        self._apply_events(summary, args)
        ret = self.instantiate(summary.ret, args)
        return with_step(ret, Step(self.loc(node), f"returned from {call_text}()")) if ret else ret

    def _apply_events(self, summary: Summary, args: list[Val]) -> None:
        for ev in summary.events:
            val = self.instantiate(dict(ev.val), args)
            if val:
                self.summary.events.append(Event(ev.kind, ev.call, ev.loc, tuple(val.items())))

    def instantiate(self, val: Val, args: list[Val]) -> Val:
        return instantiate(val, args)
