"""Assignment (destructuring, fields, module state) and what names and values are (qualified names, types)."""

from __future__ import annotations

from fnaudit.engines.code.javascript.modules import require_spec, string_value, text, unwrap
from fnaudit.engines.code.javascript.taint.syntax import Node, _normal_module, _short
from fnaudit.engines.code.python.taint import EMPTY, Val, flatten, sub, union, with_step
from fnaudit.engines.code.sources import ELEM
from fnaudit.model.code import Step


class BindingsMixin:
    # -- assignment --------------------------------------------------------------------------------

    def assign(self, target: Node, val: Val, value: Node | None, stmt: Node) -> None:  # noqa: C901
        t = target.type
        pending_schema, self._pending_schema = self._pending_schema, None
        pending_obj, self._pending_object = self._pending_object, None
        if t == "object_pattern":
            for c in target.named_children:
                if c.type == "shorthand_property_identifier_pattern":
                    name = text(c)
                    if pending_schema is not None and pending_schema[1] is None and pending_schema[0].get(name):
                        self._bind(name, EMPTY, value, stmt)
                        continue
                    fv = self._field(value, name, val)
                    self._bind(name, fv, value, stmt)
                    if pending_schema is not None and pending_schema[1] == name:
                        self.validated[name] = pending_schema[0]
                elif c.type == "pair_pattern":
                    key = c.child_by_field_name("key")
                    k = string_value(key) or text(key)
                    inner = c.child_by_field_name("value")
                    if inner is None:
                        continue
                    if inner.type == "assignment_pattern":
                        inner = inner.child_by_field_name("left") or inner
                    fv = EMPTY if (pending_schema is not None and pending_schema[1] is None and pending_schema[0].get(k)) else self._field(value, k, val)
                    self.assign(inner, fv, None, stmt)
                    if pending_schema is not None and pending_schema[1] == k and inner.type == "identifier":
                        self.validated[text(inner)] = pending_schema[0]
                elif c.type == "object_assignment_pattern":
                    left = c.child_by_field_name("left")
                    if left is not None:
                        self._bind(text(left), union(self._field(value, text(left), val), self.eval(c.child_by_field_name("right"))), value, stmt)
                elif c.type == "rest_pattern":
                    ident = next((x for x in c.named_children if x.type == "identifier"), None)
                    if ident is not None:
                        self._bind(text(ident), val, value, stmt)
            return
        if t == "array_pattern":
            uv = unwrap(value)
            elems = [c for c in target.named_children]
            if uv is not None and uv.type == "array" and len(uv.named_children) == len(elems):
                for e, v in zip(elems, uv.named_children):
                    self.assign(e, self.eval(v), v, stmt)
            else:
                for e in elems:
                    if e.type == "rest_pattern":
                        e = next((x for x in e.named_children if x.type == "identifier"), e)
                    self.assign(e, sub(val, ELEM), None, stmt)
            return
        if t == "assignment_pattern":
            left = target.child_by_field_name("left")
            if left is not None:
                self.assign(left, union(val, self.eval(target.child_by_field_name("right"))), value, stmt)
            return
        if t == "identifier":
            name = text(target)
            self._bind(name, val, value, stmt)
            if pending_schema is not None and pending_schema[1] is None:
                self.validated[name] = pending_schema[0]
            if pending_obj is not None:
                mod, cls, attrs = pending_obj
                self.objects[name] = (mod, cls)
                for attr, v in attrs.items():
                    self.env[f"{name}.{attr}"] = v
            if name not in self.locals and name in self.module.mutable and val:
                self.event("state-global", name, stmt, val)
            return
        if t in ("member_expression", "subscript_expression"):
            key = self.key_of(target)
            stepped = self._stepped(target, val, value, stmt)
            key_val: Val = EMPTY
            if t == "subscript_expression":
                key_val = self.eval(target.child_by_field_name("index"))
            if key:
                self.env[key] = stepped
            base = self.key_of(target.child_by_field_name("object"))
            if base and base in self.env:
                self.env[base] = union(self.env[base], flatten(stepped))
            root = self._root_name(target)
            if root and self.is_module_mutable(root):
                written = union(val, key_val)
                if written:
                    self.event("state-global", _short(target.child_by_field_name("object"), 40), stmt, written)
            return
        # parenthesized / TS wrappers on the left
        inner = unwrap(target)
        if inner is not None and inner is not target and inner.type != target.type:
            self.assign(inner, val, value, stmt)

    def _field(self, value: Node | None, key: str, val: Val) -> Val:
        uv = unwrap(value)
        if uv is not None and uv.type == "object":
            for c in uv.named_children:
                if c.type == "pair":
                    k = c.child_by_field_name("key")
                    if (string_value(k) or text(k)) == key:
                        return self.eval(c.child_by_field_name("value"))
                elif c.type == "shorthand_property_identifier" and text(c) == key:
                    return self.env.get(key, EMPTY)
        full = self.key_of(uv) if uv is not None else None
        if full and f"{full}.{key}" in self.env:
            return self.env[f"{full}.{key}"]
        if uv is not None and uv.type == "identifier" and self.validated.get(text(uv), {}).get(key):
            return EMPTY
        if uv is not None and text(uv) == "process.env":
            return self._env_var(key, uv)
        return sub(val, key)

    def _stepped(self, target: Node, val: Val, value: Node | None, stmt: Node) -> Val:
        if not val:
            return val
        note = f"{_short(target, 30)} = {_short(value) if value is not None else '…'}"
        return with_step(val, Step(self.loc(stmt), note))

    def _bind(self, name: str, val: Val, value: Node | None, stmt: Node) -> None:
        stepped = self._stepped_name(name, val, value, stmt)
        for k in [k for k in self.env if k.startswith(name + ".")]:
            del self.env[k]
        self.env[name] = stepped
        self.types.pop(name, None)
        self.objects.pop(name, None)
        self.validated.pop(name, None)
        uv = unwrap(value)
        if uv is None:
            return
        ty = self.type_of(uv)
        if ty:
            self.types[name] = ty
        if uv.type == "object":
            for c in uv.named_children:
                if c.type == "pair":
                    k = c.child_by_field_name("key")
                    kt = string_value(k) or (text(k) if k is not None and k.type == "property_identifier" else None)
                    if kt:
                        self.env[f"{name}.{kt}"] = self.eval(c.child_by_field_name("value"))
                elif c.type == "shorthand_property_identifier":
                    self.env[f"{name}.{text(c)}"] = self.env.get(text(c), EMPTY)
        elif uv.type == "array" and uv.named_children:
            self.env[f"{name}.0"] = self.eval(uv.named_children[0])

    def _stepped_name(self, name: str, val: Val, value: Node | None, stmt: Node) -> Val:
        if not val:
            return val
        note = f"{name} = {_short(value) if value is not None else '…'}"
        return with_step(val, Step(self.loc(stmt), note))

    def _root_name(self, node: Node) -> str | None:
        while node is not None and node.type in ("member_expression", "subscript_expression", "call_expression", "parenthesized_expression"):
            node = node.child_by_field_name("function") if node.type == "call_expression" else (
                node.child_by_field_name("object") if node.type != "parenthesized_expression" else unwrap(node))
        return text(node) if node is not None and node.type == "identifier" else None

    def is_module_mutable(self, name: str) -> bool:
        return name not in self.locals and name in self.module.mutable

    # -- names and types ---------------------------------------------------------------------------

    def qualname(self, node: Node | None) -> str | None:
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "identifier":
            name = text(node)
            if name in self.locals or name in self.local_funcs:
                return self.types.get(name)
            imp = self.module.imports.get(name)
            if imp is not None:
                if imp[1].startswith((".", "/")):
                    return None
                base = _normal_module(imp[1])
                return base if imp[0] == "module" or imp[2] == "default" else f"{base}.{imp[2]}"
            g = self.module.globals.get(name)
            if g is not None:
                return self.type_of(g)
            if name in self.module.functions or name in self.module.classes:
                return None
            return name
        if node.type == "call_expression":
            spec = require_spec(node)  # require("child_process").exec
            return _normal_module(spec) if spec is not None and not spec.startswith((".", "/")) else None
        if node.type == "member_expression":
            base = self.qualname(node.child_by_field_name("object"))
            prop = text(node.child_by_field_name("property"))
            if base is None:
                return None
            if prop in ("default", "promises"):
                return base
            return f"{base}.{prop}"
        return None

    def type_of(self, node: Node | None) -> str | None:
        """What a value is when we can tell: a client of a library (`axios.create()` → `axios`)."""
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "call_expression":
            fn = node.child_by_field_name("function")
            q = self.qualname(fn) if fn is not None and fn.type == "member_expression" else None
            if q in ("axios.create", "got.extend", "got.create"):
                return q.split(".")[0]
            if (q or self.qualname(fn)) in ("util.promisify", "promisify"):  # promisify(exec) is exec
                args = node.child_by_field_name("arguments")
                return self.qualname(args.named_children[0]) if args is not None and args.named_children else None
            return None
        if node.type == "new_expression":
            q = self.qualname(node.child_by_field_name("constructor"))
            if q in ("vm2.VM", "vm2.NodeVM"):
                return "vm2.VM"
            return None
        if node.type == "identifier" and text(node) in self.types:
            return self.types[text(node)]
        return None
