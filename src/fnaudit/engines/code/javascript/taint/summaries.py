"""Functions of the package: finding the callee (imports, objects, classes) and applying its summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, Node, string_value, text, unwrap
from fnaudit.engines.code.javascript.taint.state import Callee, Found
from fnaudit.engines.code.javascript.taint.syntax import _method, is_rest, params_of
from fnaudit.engines.code.taint.summaries import apply_events, bind_arguments, returned
from fnaudit.engines.code.taint.values import EMPTY, Val, union
from fnaudit.model.code import Step

if TYPE_CHECKING:
    from fnaudit.engines.code.javascript.taint.engine import JsFunction


class Callees:
    """Calls to functions of the package: finding the callee and applying its summary."""

    def __init__(self, fn: JsFunction) -> None:
        self.fn = fn
        self.st = fn.st

    # -- functions of the package -------------------------------------------------------------------

    def internal_target(self, func: Node | None) -> Callee | None:
        """The callee, when it is code of the function's own package."""
        func = unwrap(func)
        if func is None:
            return None
        graph = self.st.engine.graph
        if func.type == "identifier":
            name = text(func)
            if name in self.st.locals:
                return None
            got = graph.local(self.st.module, name, self.st.code_root)
            return self.as_target(got)
        if func.type == "member_expression":
            obj = unwrap(func.child_by_field_name("object"))
            prop = text(func.child_by_field_name("property"))
            if obj is None:
                return None
            if obj.type == "identifier":
                name = text(obj)
                if name in self.st.objects:
                    inst = self.st.objects[name]
                    m = _method(inst.cls, prop)
                    return Callee(inst.module, m, inst.cls, bound=True) if m is not None else None
                if name not in self.st.locals:
                    imp = self.st.module.imports.get(name)
                    if imp is not None and imp[1].startswith((".", "/")):
                        other = graph.resolve(self.st.module, imp[1], self.st.code_root)
                        if other is None:
                            return None
                        if imp[0] == "module":
                            return self.as_target(graph.export(other, prop, self.st.code_root))
                        got = graph.export(other, imp[2], self.st.code_root)
                        return self.member_of(got, prop)
                    got = graph.local(self.st.module, name, self.st.code_root)
                    if got is not None:
                        return self.member_of(got, prop)
            if obj.type == "this" and self.st.cls is not None:
                m = _method(self.st.cls, prop)
                return Callee(self.st.module, m, self.st.cls, bound=True) if m is not None else None
            if obj.type == "new_expression":  # `new Service("eu").run(x)`: a method of the new instance
                made = self.internal_target(obj.child_by_field_name("constructor"))
                if made is not None and made.node.type in ("class_declaration", "class", "abstract_class_declaration"):
                    m = _method(made.node, prop)
                    return Callee(made.module, m, made.node, bound=True) if m is not None else None
        return None

    def member_of(self, got: Found | None, prop: str) -> Callee | None:
        """`x.prop` where x is a module-level object literal, a class, or an instance of a class of the package."""
        if got is None:
            return None
        mod, found = got
        node = unwrap(found)
        if node is None:
            return None
        if node.type == "object":
            for c in node.named_children:
                if c.type == "pair":
                    k = c.child_by_field_name("key")
                    if (string_value(k) or text(k)) == prop:
                        v = unwrap(c.child_by_field_name("value"))
                        if v is not None and v.type in FUNCTION_TYPES:
                            return Callee(mod, v)
                        if v is not None and v.type == "identifier":
                            return self.as_target(self.st.engine.graph.local(mod, text(v), self.st.code_root))
                elif c.type == "method_definition" and text(c.child_by_field_name("name")) == prop:
                    return Callee(mod, c)
                elif c.type == "shorthand_property_identifier" and text(c) == prop:
                    return self.as_target(self.st.engine.graph.local(mod, prop, self.st.code_root))
            return None
        if node.type == "new_expression":
            ctor = unwrap(node.child_by_field_name("constructor"))
            if ctor is not None and ctor.type == "identifier":
                cls = self.st.engine.graph.local(mod, text(ctor), self.st.code_root)
                if cls is not None and cls[1].type in ("class_declaration", "class"):
                    m = _method(cls[1], prop)
                    return Callee(cls[0], m, cls[1], bound=True) if m is not None else None
        if node.type in ("class_declaration", "class"):
            m = _method(node, prop)  # a static method: no receiver
            return Callee(mod, m) if m is not None else None
        return None

    def as_target(self, got: Found | None) -> Callee | None:
        """A module-level name found by the module graph, as a callee when it is a function or a class."""
        if got is None:
            return None
        mod, found = got
        node = unwrap(found)
        if node is not None and node.type in FUNCTION_TYPES:
            return Callee(mod, node)
        if node is not None and node.type in ("class_declaration", "class"):
            return Callee(mod, node, is_class=True)
        return None

    def bound_args(self, target: Callee, pos: list[Val], recv: Val, node: Node) -> list[Val]:
        """The value of each of the callee's parameters at this call (as `apply` binds them)."""
        summary = self.st.engine.summary(target.module, target.node, self.st.code_root, target.cls)
        receiver = (recv if target.bound else EMPTY) if target.cls is not None else None
        return bind_arguments(summary.params, _rest(target.node, pos), {}, receiver, Step(self.st.loc(node), "passed"))

    def apply(self, target: Callee, node: Node, pos: list[Val], recv: Val, call_text: str) -> Val:
        cls = target.cls
        if target.is_class:
            return EMPTY  # calling a class without `new`
        summary = self.st.engine.summary(target.module, target.node, self.st.code_root, cls)
        pos = _rest(target.node, pos)
        # a method's `this` is the receiver when called on it (`obj.m()`), a fresh object otherwise
        receiver = (recv if target.bound else EMPTY) if cls is not None else None
        args = bind_arguments(summary.params, pos, {}, receiver, Step(self.st.loc(node), f"passed to {call_text}()"))
        apply_events(summary, args, self.st.summary)
        return returned(summary, args, self.st.loc(node), call_text)


def _rest(func: Node, pos: list[Val]) -> list[Val]:
    """`function f(a, ...rest)`: every argument from the rest parameter's position on is in `rest`."""
    for i, p in enumerate(params_of(func)):
        if is_rest(p) and i < len(pos):
            return [*pos[:i], union(*pos[i:])]
    return pos
