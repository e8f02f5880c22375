"""Statement walking: blocks, branches (merged, with the guards that sanitise them), loops, try, switch."""

from __future__ import annotations

from fnaudit.engines.code import ir
from fnaudit.engines.code.javascript import sinks as S
from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, string_value, text, unwrap
from fnaudit.engines.code.javascript.taint.syntax import Node, _terminates
from fnaudit.engines.code.python.taint import ALL, EMPTY, EXC, Ref, Val, clear, flatten, join_branches, sub, union
from fnaudit.engines.code.sources import ELEM
from fnaudit.model.code import Step


class StatementsMixin:
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
                    self.local_funcs[text(name)] = uv
                    continue
                val = self.eval(value) if value is not None else EMPTY
                self.assign(name, val, value, d)
        elif t == "expression_statement":
            for c in node.named_children:
                self.eval(c)
        elif t == "return_statement":
            expr = node.named_children[0] if node.named_children else None
            if expr is not None and expr.type != "comment":
                self._return(expr, self.eval(expr))
        elif t == "if_statement":
            self.if_stmt(node)
        elif t == "statement_block":
            self.block(node)
        elif t == "for_in_statement":
            right = node.child_by_field_name("right")
            left = node.child_by_field_name("left")
            rv = self.eval(right)
            is_in = any(c.type == "in" for c in node.children)
            elem = flatten(rv) if is_in else sub(rv, ELEM)
            if left is not None:
                self.assign(left, elem, None, node)
            self._loop(node.child_by_field_name("body"))
        elif t == "for_statement":
            init = node.child_by_field_name("initializer")
            if init is not None:
                self.stmt(init) if init.type.endswith("declaration") else self.eval(init)
            self.eval(node.child_by_field_name("condition"))
            self._loop(node.child_by_field_name("body"))
        elif t in ("while_statement", "do_statement"):
            self.eval(node.child_by_field_name("condition"))
            self._loop(node.child_by_field_name("body"))
        elif t == "try_statement":
            body = node.child_by_field_name("body")
            if body is not None:
                self.block(body)
            after = dict(self.env)
            handler = node.child_by_field_name("handler")
            if handler is not None:
                p = handler.child_by_field_name("parameter")
                if p is not None and p.type == "identifier":
                    name = text(p)
                    self.env[name] = {Ref(EXC, label=name): (Step(self.loc(handler), f"exception caught as {name}"),)}
                hb = handler.child_by_field_name("body")
                if hb is not None:
                    self.block(hb)
                self.env = self._merge(after, self.env)
            fin = node.child_by_field_name("finalizer")
            if fin is not None:
                fb = fin.child_by_field_name("body")
                if fb is not None:
                    self.block(fb)
        elif t == "switch_statement":
            self.eval(node.child_by_field_name("value"))
            before = dict(self.env)
            merged = dict(before)
            body = node.child_by_field_name("body")
            for case in body.named_children if body is not None else []:
                self.env = dict(before)
                for c in case.named_children:
                    if c is not case.child_by_field_name("value"):
                        self.stmt(c)
                merged = self._merge(merged, self.env)
            self.env = merged
        elif t in ("function_declaration", "generator_function_declaration"):
            name = node.child_by_field_name("name")
            if name is not None:
                self.local_funcs[text(name)] = node
        elif t == "throw_statement":
            for c in node.named_children:
                self.eval(c)
        elif t == "labeled_statement":
            body = node.child_by_field_name("body")
            if body is not None:
                self.stmt(body)
        elif t == "export_statement":
            decl = node.child_by_field_name("declaration")
            if decl is not None:
                self.stmt(decl)

    def _return(self, node: Node, val: Val) -> None:
        if self._ret_stack:
            self._ret_stack[-1].append(val)
            return
        self.summary.ret = union(self.summary.ret, val)
        self.summary.returns.append((self.loc(node), val))

    def _loop(self, body: Node | None) -> None:
        if body is None:
            return
        before = dict(self.env)
        self.stmt(body)
        self.stmt(body)
        self.env = self._merge(before, self.env)

    def _merge(self, a: dict[str, Val], b: dict[str, Val]) -> dict[str, Val]:
        out = dict(a)
        for k, v in b.items():
            out[k] = union(out[k], v) if k in out and out[k] is not v else v
        return out

    def if_stmt(self, node: Node) -> None:
        cond = node.child_by_field_name("condition")
        self.eval(cond)
        positive, negative = self.guards(cond)
        before = dict(self.env)
        for key, kinds in positive:
            self._sanitise(key, kinds)
        cons = node.child_by_field_name("consequence")
        if cons is not None:
            self.stmt(cons)
        body_env = self.env
        body_ends = _terminates(cons)
        self.env = dict(before)
        for key, kinds in negative:
            self._sanitise(key, kinds)
        alt = node.child_by_field_name("alternative")
        alt_stmt = None
        if alt is not None:
            alt_stmt = next((c for c in alt.named_children if c.type != "comment"), None)
            if alt_stmt is not None:
                self.stmt(alt_stmt)
        self.env = join_branches(body_env, body_ends, self.env, _terminates(alt_stmt), self._merge)

    def _sanitise(self, key: str, kinds: frozenset[str]) -> None:
        if key in self.env:
            self.env[key] = clear(self.env[key], kinds)
        else:
            self.env[key] = {}
        # a field read through its object (`event.body`) is also the variable's key
        for k in [k for k in self.env if k.startswith(key + ".")]:
            self.env[k] = clear(self.env[k], kinds)

    def guards(self, test: Node | None) -> tuple[list, list]:  # noqa: C901
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
            if op in ("===", "==", "!==", "!="):
                g: list = []
                for a, b in ((left, right), (right, left)):
                    if b is not None and b.type in ("string", "number", "true", "false"):
                        key = self.key_of(a)
                        if key:
                            g = [(key, ALL)]
                        elif a is not None and a.type == "unary_expression" and text(a.child_by_field_name("operator")) == "typeof" and string_value(b) in ("number", "boolean"):
                            key = self.key_of(a.child_by_field_name("argument"))
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
                    key = self.key_of(arg_nodes[0])
                    return ([(key, ALL)], []) if key else ([], [])
                if meth == "test" and arg_nodes and self.is_anchored_regex(obj):
                    key = self.key_of(arg_nodes[0])
                    return ([(key, ALL)], []) if key else ([], [])
                if meth == "startsWith":
                    key = self.key_of(obj)
                    val = self.env.get(key, {}) if key else {}
                    if key and val and all(S.NORMALISED in r.cleared for r in val):
                        return [(key, frozenset({ir.PATH}))], []
            qual = self.qualname(fn)
            if qual in ("Number.isInteger", "Number.isSafeInteger", "Number.isFinite") or (qual or "").startswith("validator.is") or qual in ("isUUID", "uuid.validate", "isInt"):
                key = self.key_of(arg_nodes[0]) if arg_nodes else None
                return ([(key, ALL)], []) if key else ([], [])
            if qual in ("isNaN", "Number.isNaN"):
                key = self.key_of(arg_nodes[0]) if arg_nodes else None
                return ([], [(key, ALL)]) if key else ([], [])
        return [], []

    def is_constant_collection(self, node: Node | None) -> bool:
        node = unwrap(node)
        if node is None:
            return False
        if node.type == "array":
            return all(c.type in ("string", "number", "comment") for c in node.named_children)
        if node.type == "new_expression" and text(node.child_by_field_name("constructor")) == "Set":
            args = node.child_by_field_name("arguments")
            return args is not None and len(args.named_children) == 1 and self.is_constant_collection(args.named_children[0])
        if node.type == "call_expression" and text(node.child_by_field_name("function")) in ("Object.keys", "Object.values", "Object.freeze"):
            args = node.child_by_field_name("arguments")
            if args is not None and args.named_children:
                a = unwrap(args.named_children[0])
                if a is not None and a.type == "object":
                    return True
                return self.is_constant_collection(a)
        if node.type == "object":
            return True
        if node.type == "identifier" and text(node) not in self.locals:
            g = self.module.globals.get(text(node))
            return g is not None and self.is_constant_collection(g)
        return False

    def is_anchored_regex(self, node: Node | None) -> bool:
        node = unwrap(node)
        if node is None:
            return False
        if node.type == "identifier" and text(node) not in self.locals:
            node = self.module.globals.get(text(node))
        if node is None or node.type != "regex":
            return False
        pattern = text(node.child_by_field_name("pattern"))
        return pattern.startswith("^") and pattern.endswith("$") and ".*" not in pattern

    def key_of(self, node: Node | None) -> str | None:
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "identifier":
            return text(node)
        if node.type == "this":
            return "this"
        if node.type == "member_expression":
            base = self.key_of(node.child_by_field_name("object"))
            return f"{base}.{text(node.child_by_field_name('property'))}" if base else None
        if node.type == "subscript_expression":
            idx = unwrap(node.child_by_field_name("index"))
            base = self.key_of(node.child_by_field_name("object"))
            if base and idx is not None:
                s = string_value(idx)
                if s is not None:
                    return f"{base}.{s}"
                if idx.type == "number":
                    return f"{base}.{text(idx)}"
        return None
