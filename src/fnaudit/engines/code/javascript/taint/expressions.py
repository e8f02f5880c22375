"""Expression evaluation: the value of an expression, member reads, environment secrets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fnaudit.engines.code import ir
from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, WRAPPERS, Node, string_value, text, unwrap
from fnaudit.engines.code.javascript.taint.syntax import _FIXED_HOST, _leading_text, _short, key_of
from fnaudit.engines.code.sources import ANY, ELEM
from fnaudit.engines.code.taint.secrets import env_read, whole_environment
from fnaudit.engines.code.taint.values import EMPTY, EXC, INVOKE_RESPONSE, Ref, Val, clear, flatten, sub, union

if TYPE_CHECKING:
    from fnaudit.engines.code.javascript.taint.engine import JsFunction


class Expressions:
    """The value of an expression."""

    def __init__(self, fn: JsFunction) -> None:
        self.fn = fn
        self.st = fn.st

    # -- expressions -------------------------------------------------------------------------------

    def eval(self, node: Node | None) -> Val:  # noqa: C901 - one dispatch
        if node is None:
            return EMPTY
        t = node.type
        if t in ("string", "number", "true", "false", "null", "undefined", "regex", "comment", "this", "super"):
            if t == "this":
                return self.st.env.get("this", EMPTY)
            return EMPTY
        if t == "identifier":
            name = text(node)
            if name not in self.st.env and name not in self.st.locals and name in self.st.module.env_aliases:
                return self.env_var(self.st.module.env_aliases[name], node)  # const { API_KEY } = process.env
            return self.st.env.get(name, EMPTY)
        if t in WRAPPERS or t == "spread_element":
            inner = unwrap(node) if t != "spread_element" else (node.named_children[0] if node.named_children else None)
            if (
                t in ("parenthesized_expression",)
                and node.named_children
                and node.named_children[0].type == "sequence_expression"
            ):
                inner = node.named_children[0]
            return self.eval(inner)
        if t == "sequence_expression":
            out = EMPTY
            for c in node.named_children:
                out = self.eval(c)
            return out
        if t == "member_expression":
            return self.member(node)
        if t == "subscript_expression":
            key = key_of(node)
            if key and key in self.st.env:
                return self.st.env[key]
            obj = node.child_by_field_name("object")
            idx = unwrap(node.child_by_field_name("index"))
            if text(obj) == "process.env":
                return self.env_var(string_value(idx), node) if idx is not None else EMPTY
            base = self.eval(obj)
            self.eval(idx)
            if not base:
                return EMPTY
            s = string_value(idx)
            if s is not None:
                if obj is not None and obj.type == "identifier" and self.st.validated.get(text(obj), {}).get(s):
                    return EMPTY
                return sub(base, s)
            if idx is not None and idx.type == "number":
                return sub(base, ELEM)
            return sub(base, ANY)
        if t == "call_expression":
            return self.fn.calls.call(node)
        if t == "new_expression":
            return self.fn.calls.new(node)
        if t == "binary_expression":
            op = text(node.child_by_field_name("operator"))
            lv = self.eval(node.child_by_field_name("left"))
            rv = self.eval(node.child_by_field_name("right"))
            if op in ("&&", "||", "??"):
                return union(lv, rv)
            if op == "+":
                val = flatten(union(lv, rv))
                lead = _leading_text(node)
                if lead and _FIXED_HOST.match(lead):
                    val = clear(val, frozenset({ir.SSRF, ir.REDIRECT}))
                return val
            return EMPTY  # comparisons and arithmetic give booleans and numbers
        if t == "template_string":
            subs = [c for c in node.named_children if c.type == "template_substitution"]
            val = flatten(union(*[self.eval(s.named_children[0]) for s in subs if s.named_children])) if subs else EMPTY
            lead = _leading_text(node)
            if val and lead and _FIXED_HOST.match(lead):
                val = clear(val, frozenset({ir.SSRF, ir.REDIRECT}))
            return val
        if t == "ternary_expression":
            self.eval(node.child_by_field_name("condition"))
            return union(
                self.eval(node.child_by_field_name("consequence")), self.eval(node.child_by_field_name("alternative"))
            )
        if t == "unary_expression":
            op = text(node.child_by_field_name("operator"))
            v = self.eval(node.child_by_field_name("argument"))
            if op in ("+", "-") and v:  # +x: a number, no text left, but still one the caller chose (CODE022)
                return clear(flatten(v), ir.NUMERIC_CLEARED)
            return EMPTY if op in ("!", "typeof", "~", "void", "delete") else v
        if t == "update_expression":
            return EMPTY
        if t == "assignment_expression":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            ur = unwrap(right)
            if ur is not None and ur.type in FUNCTION_TYPES and left is not None and left.type == "identifier":
                self.st.local_funcs[text(left)] = ur
                return EMPTY
            val = self.eval(right)
            if left is not None:
                self.fn.binds.assign(left, val, right, node)
            return val
        if t == "augmented_assignment_expression":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            val = union(self.eval(left), self.eval(right))
            op = text(node.child_by_field_name("operator"))
            if op not in ("||=", "&&=", "??="):
                val = flatten(val)
            if left is not None:
                self.fn.binds.assign(left, val, right, node)
            return val
        if t == "object":
            self.fn.checks.response_object(node)
            vals = []
            for c in node.named_children:
                if c.type == "pair":
                    vals.append(flatten(self.eval(c.child_by_field_name("value"))))
                    k = c.child_by_field_name("key")
                    if k is not None and k.type == "computed_property_name":
                        vals.append(flatten(self.eval(k.named_children[0] if k.named_children else None)))
                elif c.type == "shorthand_property_identifier":
                    vals.append(flatten(self.st.env.get(text(c), EMPTY)))
                elif c.type == "spread_element":
                    vals.append(flatten(self.eval(c)))
            return union(*vals) if vals else EMPTY
        if t == "array":
            vals = [flatten(self.eval(c)) for c in node.named_children]
            return union(*vals) if vals else EMPTY
        if t in FUNCTION_TYPES:
            return EMPTY
        return EMPTY

    def member(self, node: Node) -> Val:
        key = key_of(node)
        if key and key in self.st.env:
            return self.st.env[key]
        if key == "process.env" and "process" not in self.st.locals:
            return whole_environment("process.env", self.st.loc(node))
        obj = node.child_by_field_name("object")
        prop = text(node.child_by_field_name("property"))
        if text(obj) == "process.env":
            return self.env_var(prop, node)
        if obj is not None and obj.type == "identifier" and self.st.validated.get(text(obj), {}).get(prop):
            return EMPTY
        base = self.eval(obj)
        if not base:
            return EMPTY
        if prop in ("length",):
            return EMPTY
        exc = {r: s for r, s in base.items() if r.root == EXC}
        if exc:
            rest = {r: s for r, s in base.items() if r.root != EXC}
            if prop in ("message", "stack"):
                label = f"{_short(obj, 20)}.{prop}"
                exc = {Ref(EXC, label=label): s for r, s in exc.items()}
            else:  # another function's response keeps its error in every field (`res.Payload`)
                exc = {r: s for r, s in exc.items() if r.label == INVOKE_RESPONSE}
            return union(exc, sub(rest, prop)) if rest else exc
        return sub(base, prop)

    def env_var(self, name: str | None, node: Node) -> Val:
        """`process.env.NAME`: a secret when the name says so (the secrets engine's judgement), else nothing."""
        return env_read(name, self.st.loc(node))
