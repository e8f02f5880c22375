"""Expression evaluation: the value of an expression, member reads, environment secrets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fnaudit.engines.code import ir, urlprefix
from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, WRAPPERS, Node, string_value, text, unwrap
from fnaudit.engines.code.javascript.taint.syntax import _short, call_args, key_of
from fnaudit.engines.code.sources import ANY, ELEM
from fnaudit.engines.code.taint.secrets import env_read, whole_environment
from fnaudit.engines.code.taint.values import EMPTY, EXC, INVOKE_RESPONSE, Ref, Val, clear, flatten, sub, union

if TYPE_CHECKING:
    from fnaudit.engines.code.javascript.taint.engine import JsFunction

# Module constants referring to module constants: a bound on the chain, the analysis must terminate.
_MAX_CONSTANT_DEPTH = 8


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
            return self.url_built(node, self.fn.calls.call(node))
        if t == "new_expression":
            return self.url_built(node, self.fn.calls.new(node))
        if t == "binary_expression":
            op = text(node.child_by_field_name("operator"))
            lv = self.eval(node.child_by_field_name("left"))
            rv = self.eval(node.child_by_field_name("right"))
            if op in ("&&", "||", "??"):
                return union(lv, rv)
            if op == "+":
                return self.url_built(node, flatten(union(lv, rv)))
            return EMPTY  # comparisons and arithmetic give booleans and numbers
        if t == "template_string":
            subs = [c for c in node.named_children if c.type == "template_substitution"]
            val = flatten(union(*[self.eval(s.named_children[0]) for s in subs if s.named_children])) if subs else EMPTY
            return self.url_built(node, val)
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

    # -- URLs with a fixed host (SSRF, redirects) ---------------------------------------------------

    def url_built(self, node: Node, val: Val) -> Val:
        """Text built from a constant that already fixes the scheme and host (`"https://api.example.com/" + x`,
        template literals, `new URL("/items/" + x, "https://api.example.com")`): what the caller chose is only a
        path or a query, harmless for the SSRF and redirect sinks (issue 22); every other sink still sees it."""
        if not val:
            return val
        if node.type == "new_expression":
            args = call_args(node)
            if self.fn.binds.qualname(node.child_by_field_name("constructor")) != "URL" or not args:
                return val
            # `new URL(ref, base)`: an absolute or scheme-relative `ref` replaces the base's host
            base = self.url_prefix(args[1]) if len(args) > 1 else ("", False)
            kinds = urlprefix.resolved_against(self.url_prefix(args[0])[0], *base)
        else:
            kinds = urlprefix.cleared_kinds(self.url_prefix(node)[0])
        return clear(val, kinds) if kinds else val

    def url_prefix(self, node: Node | None, depth: int = 0) -> tuple[str, bool]:
        """The constant text `node` starts with, and whether that text is all of it. A name counts only
        when it is a module-level `const` the function does not shadow."""
        node = unwrap(node)
        if node is None or depth > _MAX_CONSTANT_DEPTH:
            return "", False
        t = node.type
        if t == "string":
            s = string_value(node)
            return (s, True) if s is not None else ("", False)
        if t == "identifier":
            name = text(node)
            if name in self.st.locals:
                g = self._single_binding(name)
            else:
                g = None if name in self.st.module.mutable else self.st.module.globals.get(name)
            if g is None or self.st.env.get(name):
                return "", False
            return self.url_prefix(g, depth + 1)
        if t == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
            return self._joined([node.child_by_field_name("left"), node.child_by_field_name("right")], depth)
        if t == "template_string":
            out = ""
            for c in node.named_children:
                if c.type == "string_fragment":
                    out += text(c)
                    continue
                if c.type != "template_substitution" or len(c.named_children) != 1:
                    return out, False  # an escape sequence: its text is not what it means
                more, whole = self.url_prefix(c.named_children[0], depth + 1)
                out += more
                if not whole:
                    return out, False
            return out, True
        if t == "call_expression":
            fn = node.child_by_field_name("function")
            if (
                fn is not None
                and fn.type == "member_expression"
                and text(fn.child_by_field_name("property")) == "concat"
            ):
                return self._joined([fn.child_by_field_name("object"), *call_args(node)], depth)
        return "", False

    def _single_binding(self, name: str) -> Node | None:
        """What a local name holds when the function binds it exactly once, by a declaration
        (`const base = "https://api.example.com/"`): several bindings (branches, loops, a parameter) could differ."""
        value = self.st.assigned.get(name)
        if value is None:
            return None
        bindings = 0
        stack = [self.st.node]
        while stack:
            n = stack.pop()
            stack.extend(n.named_children)
            if n.type not in ("identifier", "shorthand_property_identifier_pattern") or text(n) != name:
                continue
            parent = n.parent
            if parent is None or parent.type in ("variable_declarator", "assignment_expression"):
                field = (
                    parent.child_by_field_name("name" if parent.type == "variable_declarator" else "left")
                    if parent
                    else None
                )
                if field is not None and field.start_byte == n.start_byte:
                    bindings += 1
            elif parent.type not in (
                "member_expression",
                "subscript_expression",
                "call_expression",
                "arguments",
                "binary_expression",
                "template_substitution",
                "pair",
                "return_statement",
                "parenthesized_expression",
                "ternary_expression",
                "array",
                "await_expression",
                "expression_statement",
                "spread_element",
                "unary_expression",
            ):
                bindings += 2  # a parameter, a pattern, a loop variable, `x++`…: not one plain declaration
        return value if bindings == 1 else None

    def _joined(self, parts: list[Node | None], depth: int) -> tuple[str, bool]:
        out = ""
        for part in parts:
            more, whole = self.url_prefix(part, depth + 1)
            out += more
            if not whole:
                return out, False
        return out, True

    def env_var(self, name: str | None, node: Node) -> Val:
        """`process.env.NAME`: a secret when the name says so (the secrets engine's judgement), else nothing."""
        return env_read(name, self.st.loc(node))
