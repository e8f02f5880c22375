"""Statement walking: blocks, branches (merged, with the guards that sanitise them), loops, try, switch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fnaudit.engines.code import ir
from fnaudit.engines.code.javascript import sinks as S
from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, Node, string_value, text, unwrap
from fnaudit.engines.code.javascript.taint.syntax import _terminates, key_of
from fnaudit.engines.code.sources import ELEM
from fnaudit.engines.code.taint.values import (
    ALL,
    EMPTY,
    EXC,
    Ref,
    Val,
    flatten,
    join_branches,
    merge_envs,
    sanitise,
    sub,
    union,
)
from fnaudit.model.code import Step

if TYPE_CHECKING:
    from fnaudit.engines.code.javascript.taint.engine import JsFunction


# what a test sanitises: the environment key and the sink kinds it is cleared for (ALL: every kind)
Guard = tuple[str, frozenset[str]]
# what pinning a URL's host makes safe: where a request goes, where a redirect sends the browser; a host
# suffix without its leading dot (`endsWith("example.com")`) does not pin it: lower confidence only
URL_KINDS = frozenset({ir.SSRF, ir.REDIRECT})
WEAK_URL_KINDS = frozenset({ir.WEAK_GUARD + ir.SSRF, ir.WEAK_GUARD + ir.REDIRECT})


class Statements:
    """Walks statements: blocks, branches (merged, with their guards), loops, try, switch."""

    def __init__(self, fn: JsFunction) -> None:
        self.fn = fn
        self.st = fn.st

    # -- statements --------------------------------------------------------------------------------

    def block(self, node: Node) -> None:
        for stmt in node.named_children:
            self.stmt(stmt)

    def stmt(self, node: Node) -> None:  # noqa: C901 - one dispatch
        t = node.type
        if t in ("lexical_declaration", "variable_declaration"):
            for d in node.named_children:
                if d.type != "variable_declarator":
                    continue
                name = d.child_by_field_name("name")
                value = d.child_by_field_name("value")
                if name is None:
                    continue
                uv = unwrap(value)
                if uv is not None and uv.type in FUNCTION_TYPES and name.type == "identifier":
                    self.st.local_funcs[text(name)] = uv
                    continue
                val = self.fn.exprs.eval(value) if value is not None else EMPTY
                self.fn.binds.assign(name, val, value, d)
        elif t == "expression_statement":
            for c in node.named_children:
                self.fn.exprs.eval(c)
        elif t == "return_statement":
            expr = node.named_children[0] if node.named_children else None
            if expr is not None and expr.type != "comment":
                self.add_return(expr, self.fn.exprs.eval(expr))
        elif t == "if_statement":
            self.if_stmt(node)
        elif t == "statement_block":
            self.block(node)
        elif t == "for_in_statement":
            right = node.child_by_field_name("right")
            left = node.child_by_field_name("left")
            rv = self.fn.exprs.eval(right)
            is_in = any(c.type == "in" for c in node.children)
            elem = flatten(rv) if is_in else sub(rv, ELEM)
            if left is not None:
                self.fn.binds.assign(left, elem, None, node)
            self.loop(node.child_by_field_name("body"))
        elif t == "for_statement":
            init = node.child_by_field_name("initializer")
            if init is not None:
                self.stmt(init) if init.type.endswith("declaration") else self.fn.exprs.eval(init)
            self.fn.exprs.eval(node.child_by_field_name("condition"))
            self.fn.checks.loop_bound(node.child_by_field_name("condition"))
            self.loop(node.child_by_field_name("body"))
        elif t in ("while_statement", "do_statement"):
            self.fn.exprs.eval(node.child_by_field_name("condition"))
            self.loop(node.child_by_field_name("body"))
        elif t == "try_statement":
            body = node.child_by_field_name("body")
            if body is not None:
                self.block(body)
            after = dict(self.st.env)
            handler = node.child_by_field_name("handler")
            if handler is not None:
                p = handler.child_by_field_name("parameter")
                if p is not None and p.type == "identifier":
                    caught = text(p)
                    self.st.env[caught] = {
                        Ref(EXC, label=caught): (Step(self.st.loc(handler), f"exception caught as {caught}"),)
                    }
                hb = handler.child_by_field_name("body")
                if hb is not None:
                    self.block(hb)
                self.st.env = merge_envs(after, self.st.env)
            fin = node.child_by_field_name("finalizer")
            if fin is not None:
                fb = fin.child_by_field_name("body")
                if fb is not None:
                    self.block(fb)
        elif t == "switch_statement":
            self.fn.exprs.eval(node.child_by_field_name("value"))
            before = dict(self.st.env)
            merged = dict(before)
            body = node.child_by_field_name("body")
            for case in body.named_children if body is not None else []:
                self.st.env = dict(before)
                for c in case.named_children:
                    if c is not case.child_by_field_name("value"):
                        self.stmt(c)
                merged = merge_envs(merged, self.st.env)
            self.st.env = merged
        elif t in ("function_declaration", "generator_function_declaration"):
            name = node.child_by_field_name("name")
            if name is not None:
                self.st.local_funcs[text(name)] = node
        elif t == "throw_statement":
            for c in node.named_children:
                self.fn.exprs.eval(c)
        elif t == "labeled_statement":
            body = node.child_by_field_name("body")
            if body is not None:
                self.stmt(body)
        elif t == "export_statement":
            decl = node.child_by_field_name("declaration")
            if decl is not None:
                self.stmt(decl)

    def add_return(self, node: Node, val: Val) -> None:
        if self.st.ret_stack:
            self.st.ret_stack[-1].append(val)
            return
        self.st.summary.ret = union(self.st.summary.ret, val)
        self.st.summary.returns.append((self.st.loc(node), val))

    def loop(self, body: Node | None) -> None:
        if body is None:
            return
        before = dict(self.st.env)
        self.stmt(body)
        self.stmt(body)
        self.st.env = merge_envs(before, self.st.env)

    def if_stmt(self, node: Node) -> None:
        cond = node.child_by_field_name("condition")
        self.fn.exprs.eval(cond)
        positive, negative = self.guards(cond)
        before = dict(self.st.env)
        for key, kinds in positive:
            sanitise(self.st.env, key, kinds, fields=True)  # `event.body` is also read as `body`'s field
        cons = node.child_by_field_name("consequence")
        if cons is not None:
            self.stmt(cons)
        body_env = self.st.env
        body_ends = _terminates(cons)
        self.st.env = dict(before)
        for key, kinds in negative:
            sanitise(self.st.env, key, kinds, fields=True)  # `event.body` is also read as `body`'s field
        alt = node.child_by_field_name("alternative")
        alt_stmt = None
        if alt is not None:
            alt_stmt = next((c for c in alt.named_children if c.type != "comment"), None)
            if alt_stmt is not None:
                self.stmt(alt_stmt)
        self.st.env = join_branches(body_env, body_ends, self.st.env, _terminates(alt_stmt), merge_envs)

    def guards(self, test: Node | None) -> tuple[list[Guard], list[Guard]]:  # noqa: C901
        """(what the test sanitises when true, what it sanitises when false)."""
        test = unwrap(test)
        if test is None:
            return [], []
        t = test.type
        if t == "unary_expression" and text(test.child_by_field_name("operator")) == "!":
            pos, neg = self.guards(test.child_by_field_name("argument"))
            return neg, pos
        if t == "binary_expression":
            op = text(test.child_by_field_name("operator"))
            left = unwrap(test.child_by_field_name("left"))
            right = unwrap(test.child_by_field_name("right"))
            if op in ("&&", "||"):
                lp, ln = self.guards(left)
                rp, rn = self.guards(right)
                return (lp + rp, []) if op == "&&" else ([], ln + rn)
            if op in ("<", "<=", ">", ">="):
                return self.fn.checks.bounds(op, left, right)
            if op in ("===", "==", "!==", "!="):
                g: list[Guard] = []
                for a, b in ((left, right), (right, left)):
                    if b is not None and b.type in ("string", "number", "true", "false"):
                        key = key_of(a)
                        url = self.url_of_host(a)
                        if url:  # `new URL(v).hostname !== "www.example.com"`: v's host is pinned
                            g = [(url, URL_KINDS)]
                        elif key:
                            g = [(key, ALL)]
                        elif (
                            a is not None
                            and a.type == "unary_expression"
                            and text(a.child_by_field_name("operator")) == "typeof"
                            and string_value(b) in ("number", "boolean")
                        ):
                            key = key_of(a.child_by_field_name("argument"))
                            if key:
                                g = [(key, ALL)]
                return (g, []) if op in ("===", "==") else ([], g)
            return [], []
        if t == "call_expression":
            fn = test.child_by_field_name("function")
            args = test.child_by_field_name("arguments")
            arg_nodes = [a for a in args.named_children] if args is not None and args.type == "arguments" else []
            if fn is None:
                return [], []
            if fn.type == "member_expression":
                obj = unwrap(fn.child_by_field_name("object"))
                meth = text(fn.child_by_field_name("property"))
                if meth in ("includes", "has") and arg_nodes and self.is_constant_collection(obj):
                    url = self.url_of_host(arg_nodes[0])
                    if url:  # `ALLOWED.includes(new URL(v).host)`
                        return [(url, URL_KINDS)], []
                    key = key_of(arg_nodes[0])
                    return ([(key, ALL)], []) if key else ([], [])
                url = self.url_of_host(obj)
                if meth == "endsWith" and url and arg_nodes:
                    suffix = unwrap(arg_nodes[0])
                    dotted = (string_value(suffix) or "").startswith(".")  # no literal: not known to be dotted
                    return [(url, URL_KINDS if dotted else WEAK_URL_KINDS)], []
                if meth == "test" and arg_nodes and self.is_anchored_regex(obj):
                    key = key_of(arg_nodes[0])
                    return ([(key, ALL)], []) if key else ([], [])
                if meth == "startsWith":
                    key = key_of(obj)
                    val = self.st.env.get(key, {}) if key else {}
                    if key and val and all(S.NORMALISED in r.cleared for r in val):
                        return [(key, frozenset({ir.PATH}))], []
            qual = self.fn.binds.qualname(fn)
            if (
                qual in ("Number.isInteger", "Number.isSafeInteger", "Number.isFinite")
                or (qual or "").startswith("validator.is")
                or qual in ("isUUID", "uuid.validate", "isInt")
            ):
                key = key_of(arg_nodes[0]) if arg_nodes else None
                return ([(key, ALL)], []) if key else ([], [])
            if qual in ("isNaN", "Number.isNaN"):
                key = key_of(arg_nodes[0]) if arg_nodes else None
                return ([], [(key, ALL)]) if key else ([], [])
        return [], []

    def url_of_host(self, node: Node | None) -> str | None:
        """The key of the URL whose host `node` reads: `new URL(v).hostname` / `.host`, through locals
        (`const u = new URL(v)`; `u.hostname`)."""
        node = unwrap(node)
        if node is not None and node.type == "identifier":
            node = unwrap(self.st.assigned.get(text(node), node))
        if node is None or node.type != "member_expression":
            return None
        if text(node.child_by_field_name("property")) not in ("hostname", "host"):
            return None
        obj = unwrap(node.child_by_field_name("object"))
        if obj is not None and obj.type == "identifier":
            obj = unwrap(self.st.assigned.get(text(obj), obj))
        if obj is None or obj.type != "new_expression" or text(obj.child_by_field_name("constructor")) != "URL":
            return None
        args = obj.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        return key_of(first) if first is not None else None

    def is_constant_collection(self, node: Node | None) -> bool:
        node = unwrap(node)
        if node is None:
            return False
        if node.type == "array":
            return all(c.type in ("string", "number", "comment") for c in node.named_children)
        if node.type == "new_expression" and text(node.child_by_field_name("constructor")) == "Set":
            args = node.child_by_field_name("arguments")
            return (
                args is not None
                and len(args.named_children) == 1
                and self.is_constant_collection(args.named_children[0])
            )
        if node.type == "call_expression" and text(node.child_by_field_name("function")) in (
            "Object.keys",
            "Object.values",
            "Object.freeze",
        ):
            args = node.child_by_field_name("arguments")
            if args is not None and args.named_children:
                a = unwrap(args.named_children[0])
                if a is not None and a.type == "object":
                    return True
                return self.is_constant_collection(a)
        if node.type == "object":
            return True
        if node.type == "identifier" and text(node) not in self.st.locals:
            g = self.st.module.globals.get(text(node))
            return g is not None and self.is_constant_collection(g)
        return False

    def is_anchored_regex(self, node: Node | None) -> bool:
        node = unwrap(node)
        if node is None:
            return False
        if node.type == "identifier" and text(node) not in self.st.locals:
            node = self.st.module.globals.get(text(node))
        if node is None or node.type != "regex":
            return False
        pattern = text(node.child_by_field_name("pattern"))
        return pattern.startswith("^") and pattern.endswith("$") and ".*" not in pattern
