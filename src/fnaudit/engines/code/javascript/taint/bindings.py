"""Assignment (destructuring, fields, module state) and what names and values are (qualified names, types)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fnaudit.engines.code.javascript.modules import Node, require_spec, string_value, text, unwrap
from fnaudit.engines.code.javascript.taint.state import Instance
from fnaudit.engines.code.javascript.taint.syntax import _normal_module, _short, key_of, root_name
from fnaudit.engines.code.sources import ELEM
from fnaudit.engines.code.taint.values import EMPTY, Val, flatten, sub, union, with_step
from fnaudit.model.code import Step

if TYPE_CHECKING:
    from fnaudit.engines.code.javascript.taint.engine import JsFunction


class Bindings:
    """Assignments and bindings, and what names and values are (qualified names, client types)."""

    def __init__(self, fn: JsFunction) -> None:
        self.fn = fn
        self.st = fn.st

    # -- assignment --------------------------------------------------------------------------------

    def assign(self, target: Node, val: Val, value: Node | None, stmt: Node) -> None:  # noqa: C901
        t = target.type
        pending_schema, self.st.pending_schema = self.st.pending_schema, None
        pending_obj, self.st.pending_object = self.st.pending_object, None
        if t == "object_pattern":
            for c in target.named_children:
                if c.type == "shorthand_property_identifier_pattern":
                    name = text(c)
                    if pending_schema is not None and pending_schema.field is None and pending_schema.fields.get(name):
                        self.bind(name, EMPTY, value, stmt)
                        continue
                    fv = self.field(value, name, val)
                    self.bind(name, fv, value, stmt)
                    if pending_schema is not None and pending_schema.field == name:
                        self.st.validated[name] = pending_schema.fields
                elif c.type == "pair_pattern":
                    key_node = c.child_by_field_name("key")
                    k = string_value(key_node) or text(key_node)
                    inner = c.child_by_field_name("value")
                    if inner is None:
                        continue
                    if inner.type == "assignment_pattern":
                        inner = inner.child_by_field_name("left") or inner
                    fv = (
                        EMPTY
                        if (
                            pending_schema is not None and pending_schema.field is None and pending_schema.fields.get(k)
                        )
                        else self.field(value, k, val)
                    )
                    self.assign(inner, fv, None, stmt)
                    if pending_schema is not None and pending_schema.field == k and inner.type == "identifier":
                        self.st.validated[text(inner)] = pending_schema.fields
                elif c.type == "object_assignment_pattern":
                    left = c.child_by_field_name("left")
                    if left is not None:
                        self.bind(
                            text(left),
                            union(
                                self.field(value, text(left), val), self.fn.exprs.eval(c.child_by_field_name("right"))
                            ),
                            value,
                            stmt,
                        )
                elif c.type == "rest_pattern":
                    ident = next((x for x in c.named_children if x.type == "identifier"), None)
                    if ident is not None:
                        self.bind(text(ident), val, value, stmt)
            return
        if t == "array_pattern":
            uv = _all_of(self.qualname, unwrap(value))
            elems = list(target.named_children)
            if uv is not None and uv.type == "array" and len(uv.named_children) == len(elems):
                for e, v in zip(elems, uv.named_children, strict=True):
                    self.assign(e, self.fn.exprs.eval(v), v, stmt)
            else:
                for e in elems:
                    if e.type == "rest_pattern":
                        e = next((x for x in e.named_children if x.type == "identifier"), e)
                    self.assign(e, sub(val, ELEM), None, stmt)
            return
        if t == "assignment_pattern":
            left = target.child_by_field_name("left")
            if left is not None:
                self.assign(left, union(val, self.fn.exprs.eval(target.child_by_field_name("right"))), value, stmt)
            return
        if t == "identifier":
            name = text(target)
            self.bind(name, val, value, stmt)
            if pending_schema is not None and pending_schema.field is None:
                self.st.validated[name] = pending_schema.fields
            if pending_obj is not None:
                self.st.objects[name] = Instance(pending_obj.module, pending_obj.cls)
                for attr, attr_val in pending_obj.attrs.items():
                    self.st.env[f"{name}.{attr}"] = attr_val
            if name not in self.st.locals and name in self.st.module.mutable and val:
                self.st.event("state-global", name, stmt, val)
            return
        if t in ("member_expression", "subscript_expression"):
            key = key_of(target)
            stepped = self.stepped(target, val, value, stmt)
            key_val: Val = EMPTY
            if t == "subscript_expression":
                key_val = self.fn.exprs.eval(target.child_by_field_name("index"))
            if key:
                self.st.env[key] = stepped
            base = key_of(target.child_by_field_name("object"))
            if base and base in self.st.env:
                self.st.env[base] = union(self.st.env[base], flatten(stepped))
            root = root_name(target)
            if root and self.st.is_module_mutable(root):
                written = union(val, key_val)
                if written:
                    self.st.event("state-global", _short(target.child_by_field_name("object"), 40), stmt, written)
            return
        # parenthesized / TS wrappers on the left
        inner = unwrap(target)
        if inner is not None and inner is not target and inner.type != target.type:
            self.assign(inner, val, value, stmt)

    def field(self, value: Node | None, key: str, val: Val) -> Val:
        uv = unwrap(value)
        if uv is not None and uv.type == "object":
            for c in uv.named_children:
                if c.type == "pair":
                    k = c.child_by_field_name("key")
                    if (string_value(k) or text(k)) == key:
                        return self.fn.exprs.eval(c.child_by_field_name("value"))
                elif c.type == "shorthand_property_identifier" and text(c) == key:
                    return self.st.env.get(key, EMPTY)
        full = key_of(uv) if uv is not None else None
        if full and f"{full}.{key}" in self.st.env:
            return self.st.env[f"{full}.{key}"]
        if uv is not None and uv.type == "identifier" and self.st.validated.get(text(uv), {}).get(key):
            return EMPTY
        if uv is not None and text(uv) == "process.env":
            return self.fn.exprs.env_var(key, uv)
        return sub(val, key)

    def stepped(self, target: Node, val: Val, value: Node | None, stmt: Node) -> Val:
        if not val:
            return val
        note = f"{_short(target, 30)} = {_short(value) if value is not None else '…'}"
        return with_step(val, Step(self.st.loc(stmt), note))

    def bind(self, name: str, val: Val, value: Node | None, stmt: Node) -> None:
        stepped = self.stepped_name(name, val, value, stmt)
        for below in [k for k in self.st.env if k.startswith(name + ".")]:
            del self.st.env[below]
        self.st.env[name] = stepped
        self.st.types.pop(name, None)
        self.st.objects.pop(name, None)
        self.st.validated.pop(name, None)
        self.st.partials.pop(name, None)
        self.st.assigned.pop(name, None)
        uv = unwrap(value)
        if uv is None:
            return
        self.st.assigned[name] = uv
        partial = self.fn.calls.partial(uv)
        if partial is not None:  # const f = g.bind(null, x): calling f calls g(x, …)
            self.st.partials[name] = partial
        ty = self.type_of(uv)
        if ty:
            self.st.types[name] = ty
        if uv.type == "object":
            for c in uv.named_children:
                if c.type == "pair":
                    k = c.child_by_field_name("key")
                    kt = string_value(k) or (text(k) if k is not None and k.type == "property_identifier" else None)
                    if kt:
                        self.st.env[f"{name}.{kt}"] = self.fn.exprs.eval(c.child_by_field_name("value"))
                elif c.type == "shorthand_property_identifier":
                    self.st.env[f"{name}.{text(c)}"] = self.st.env.get(text(c), EMPTY)
        elif uv.type == "array" and uv.named_children:
            self.st.env[f"{name}.0"] = self.fn.exprs.eval(uv.named_children[0])

    def stepped_name(self, name: str, val: Val, value: Node | None, stmt: Node) -> Val:
        if not val:
            return val
        note = f"{name} = {_short(value) if value is not None else '…'}"
        return with_step(val, Step(self.st.loc(stmt), note))

    def is_module_mutable(self, name: str) -> bool:
        return name not in self.st.locals and name in self.st.module.mutable

    # -- names and types ---------------------------------------------------------------------------

    def qualname(self, node: Node | None) -> str | None:
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "identifier":
            name = text(node)
            if name in self.st.locals or name in self.st.local_funcs:
                return self.st.types.get(name)
            imp = self.st.module.imports.get(name)
            if imp is not None:
                if imp[1].startswith((".", "/")):
                    return None
                module_name = _normal_module(imp[1])
                return module_name if imp[0] == "module" or imp[2] == "default" else f"{module_name}.{imp[2]}"
            g = self.st.module.globals.get(name)
            if g is not None:
                return self.type_of(g)
            if name in self.st.module.functions or name in self.st.module.classes:
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
            spec = require_spec(node)  # const zlib = require("zlib") inside the handler: the module
            if spec is not None:
                return _normal_module(spec) if not spec.startswith((".", "/")) else None
            fn = node.child_by_field_name("function")
            q = self.qualname(fn) if fn is not None and fn.type == "member_expression" else None
            if q in ("axios.create", "got.extend", "got.create"):
                return q.split(".")[0]
            if q in ("net.connect", "net.createConnection", "tls.connect"):
                return "net.Socket"  # a socket: its pipe() to a shell is a reverse shell (CODE020)
            if q == "dgram.createSocket":
                return "dgram.Socket"
            if (q or self.qualname(fn)) in ("util.promisify", "promisify"):  # promisify(exec) is exec
                args = node.child_by_field_name("arguments")
                return self.qualname(args.named_children[0]) if args is not None and args.named_children else None
            return None
        if node.type == "new_expression":
            q = self.qualname(node.child_by_field_name("constructor"))
            if q in ("vm2.VM", "vm2.NodeVM"):
                return "vm2.VM"
            if q in ("net.Socket", "tls.TLSSocket"):
                return q
            return None
        if node.type == "identifier" and text(node) in self.st.types:
            return self.st.types[text(node)]
        return None


def _all_of(qualname: Callable[[Node | None], str | None], value: Node | None) -> Node | None:
    """`await Promise.all([a, b])` destructured is `[a, b]` destructured: each name gets its own promise's value."""
    if (
        value is None
        or value.type != "call_expression"
        or qualname(value.child_by_field_name("function")) != "Promise.all"
    ):
        return value
    args = value.child_by_field_name("arguments")
    first = unwrap(args.named_children[0]) if args is not None and args.named_children else None
    return first if first is not None and first.type == "array" else value
