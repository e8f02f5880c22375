"""Calls: callbacks and inline functions, constructors, schema validation, sanitisers and propagation."""

from __future__ import annotations

from fnaudit.engines.code import ir
from fnaudit.engines.code.javascript import sinks as S
from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, JsModule, string_value, text, unwrap
from fnaudit.engines.code.javascript.taint.syntax import _GLOBAL_NAMESPACES, Node, _method, _short, _strips_separators, param_name, param_pattern, params_of, schema_fields
from fnaudit.engines.code.python.taint import EMPTY, EXC, Ref, Val, active, clear, flatten, sub, union, with_step
from fnaudit.engines.code.sources import ELEM
from fnaudit.model.code import Step

MAX_INLINE = 4


class CallsMixin:
    # -- calls -------------------------------------------------------------------------------------

    def _arg_nodes(self, node: Node) -> list[Node]:
        args = node.child_by_field_name("arguments")
        if args is None or args.type != "arguments":
            return []
        return [a for a in args.named_children if a.type != "comment"]

    def call(self, node: Node) -> Val:  # noqa: C901 - the call is where most rules live
        func = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        if args_node is not None and args_node.type == "template_string":  # tagged template: sql`… ${x}`
            if text(func) == "String.raw":
                return self.eval(args_node)
            for c in args_node.named_children:
                if c.type == "template_substitution" and c.named_children:
                    self.eval(c.named_children[0])
            return EMPTY
        func_u = unwrap(func)
        arg_nodes = self._arg_nodes(node)
        method = None
        recv: Val = EMPTY
        obj = None
        if func_u is not None and func_u.type == "member_expression":
            method = text(func_u.child_by_field_name("property"))
            obj = func_u.child_by_field_name("object")
            recv = self.eval(obj)
        elif func_u is not None and func_u.type not in ("identifier", "member_expression") and func_u.type not in FUNCTION_TYPES:
            recv = self.eval(func_u)  # f(x)(y), require("x")(y)
        call_text = _short(func, 40)

        # inline callbacks: element methods, promises, anything given a function literal
        fn_args = [(i, unwrap(a)) for i, a in enumerate(arg_nodes) if unwrap(a) is not None and unwrap(a).type in FUNCTION_TYPES]
        pos: list[Val] = []
        for a in arg_nodes:
            ua = unwrap(a)
            pos.append(EMPTY if ua is not None and ua.type in FUNCTION_TYPES else self.eval(a))
        if method in S.ELEMENT_METHODS or method in ("then", "catch", "finally"):
            cb_nodes = [(i, f) for i, f in fn_args]
            if not cb_nodes and arg_nodes and unwrap(arg_nodes[0]).type == "identifier":
                target = self.internal_target(unwrap(arg_nodes[0]))
                if target is not None:
                    elem = sub(recv, ELEM) if method in S.ELEMENT_METHODS else recv
                    return self.apply(target, node, [elem], EMPTY, call_text)
            if cb_nodes:
                i, cb = cb_nodes[0]
                if method in ("reduce", "reduceRight"):
                    init = pos[1] if len(pos) > 1 else EMPTY
                    ret = self.inline(cb, [init, sub(recv, ELEM)], node)
                    return union(ret, init)
                if method in S.ELEMENT_METHODS:
                    ret = self.inline(cb, [sub(recv, ELEM)], node)
                    if method in ("filter", "find", "findLast"):
                        return recv if method == "filter" else sub(recv, ELEM)
                    if method in ("map", "flatMap"):
                        return ret
                    return EMPTY
                first: Val = recv if method == "then" else EMPTY
                if method == "catch":
                    ps = params_of(cb)
                    name = param_name(ps[0], 0) if ps else "error"
                    first = {Ref(EXC, label=name): (Step(self.loc(cb), f"error caught as {name}"),)}
                ret = self.inline(cb, [first], node)
                return union(ret, recv) if method in ("catch", "finally") else ret
        for i, cb in fn_args:
            self.inline(cb, [], node)

        # callback-style responses: callback(null, response)
        if func_u is not None and func_u.type == "identifier" and text(func_u) in self.callback_names:
            if len(pos) > 1:
                self._return(node, pos[1])
            return EMPTY

        if func_u is not None and func_u.type in FUNCTION_TYPES:  # (async () => { … })()
            return self.inline(func_u, pos, node)
        qual = self.qualname(func)
        # functions of the analysed code: inline local ones, apply summaries of the others
        if func_u is not None and func_u.type == "identifier" and text(func_u) in self.local_funcs:
            local = self.local_funcs[text(func_u)]
            if id(local) not in self._inlining and self._inline_depth < MAX_INLINE:
                ret = self.inline(local, pos, node)
                return with_step(ret, Step(self.loc(node), f"returned from {call_text}()")) if ret else ret
            return EMPTY
        target = self.internal_target(func_u)
        if target is not None:
            return self.apply(target, node, pos, recv, call_text)

        self.check_sinks(node, qual, method, obj, arg_nodes, pos, recv, call_text)
        self.check_effects(node, qual, method, func_u, arg_nodes, pos, call_text)
        args_val = union(*pos) if pos else EMPTY

        # schema validation (zod, joi, yup)
        if method is not None and obj is not None:
            fields = self._schema_of(obj)
            if fields is not None and method in ("parse", "parseAsync", "validateSync", "validateAsync", "cast"):
                self._pending_schema = (fields, None)
                return args_val
            if fields is not None and method in ("safeParse", "safeParseAsync"):
                self._pending_schema = (fields, "data")
                return args_val
            if fields is not None and method == "validate":
                self._pending_schema = (fields, "value") if (obj.type == "identifier" and text(obj) != "yup") else (fields, None)
                return args_val
        if qual in ("Joi.attempt", "joi.attempt") and len(arg_nodes) > 1:
            fields = self._schema_of(arg_nodes[1])
            if fields is not None:
                self._pending_schema = (fields, None)
            return pos[0]

        if qual in S.SANITISERS_ALL or (method in S.CLEAN_METHODS and qual not in S.SANITISERS_FOR):
            return EMPTY
        if qual in S.SANITISERS_FOR:
            return clear(flatten(args_val), S.SANITISERS_FOR[qual])
        if method in S.SANITISING_METHODS:
            return clear(flatten(args_val), S.SANITISING_METHODS[method])
        if qual in S.NORMALISERS:
            return clear(flatten(args_val), frozenset({S.NORMALISED}))
        if qual in S.STRUCTURE_KEEPING:
            return pos[0] if pos and qual not in ("Object.assign",) else args_val
        if qual in ("JSON.stringify", "String", "util.format", "util.inspect"):
            return flatten(args_val)
        if method is not None and not self._is_module_call(func_u):
            if method in ("get", "getAll") and arg_nodes and text(obj).endswith(("headers", "searchParams", "params")):
                return flatten(recv)
            if method == "replace" and arg_nodes and (string_value(arg_nodes[0]) in ("/", "..") or _strips_separators(arg_nodes[0])):
                return clear(flatten(union(recv, *pos[1:])), frozenset({ir.PATH}))
            if method in S.ARG_STRING_METHODS or method == "join":
                return flatten(union(recv, *(pos[1:] if method in ("replace", "replaceAll") else pos)))
            if method in ("promise", "json", "text", "then", "exec", "toString"):
                return recv if method in ("promise", "json") else flatten(recv)
            return flatten(recv)
        return flatten(args_val)

    def new(self, node: Node) -> Val:
        ctor = node.child_by_field_name("constructor")
        arg_nodes = self._arg_nodes(node)
        pos = [self.eval(a) for a in arg_nodes]
        for a in arg_nodes:
            ua = unwrap(a)
            if ua is not None and ua.type in FUNCTION_TYPES:
                self.inline(ua, [], node)
        call_text = "new " + _short(ctor, 36)
        name = text(ctor)
        # DynamoDB v3 commands: expressions built from strings
        if name in S.DYNAMO_COMMANDS and arg_nodes:
            self.dynamo_params(arg_nodes[0], pos[0], name, node)
            return EMPTY
        target = self.internal_target(unwrap(ctor))
        if target is not None and target[1].type in ("class_declaration", "class", "abstract_class_declaration"):
            return self.construct(target[0], target[1], node, pos, call_text)
        qual = self.qualname(ctor)
        if qual in ("Function", "vm.Script", "vm.SourceTextModule"):
            self.event(ir.CODE, call_text, node, active(union(*pos) if pos else EMPTY, ir.CODE))
            return EMPTY
        if qual in ("URL", "URLSearchParams", "Buffer", "String"):
            return flatten(union(*pos)) if pos else EMPTY
        return EMPTY

    def construct(self, mod: JsModule, cls: Node, node: Node, pos: list[Val], call_text: str) -> Val:
        ctor = _method(cls, "constructor")
        if ctor is None:
            self._pending_object = (mod, cls, {})
            return EMPTY
        summary = self.engine.summary(mod, ctor, self.code_root, cls)
        args: list[Val] = [EMPTY] * len(summary.params)
        for i, v in enumerate(pos):
            if i + 1 < len(args):
                args[i + 1] = v
        step = Step(self.loc(node), f"passed to {call_text}()")
        args = [with_step(a, step) if a else a for a in args]
        self._apply_events(summary, args)
        attrs: dict[str, Val] = {}
        obj: Val = {}
        for attr, v in summary.self_attrs.items():
            iv = self.instantiate(v, args)
            attrs[attr] = iv
            obj = union(obj, flatten(iv))
        # TypeScript parameter properties: constructor(private db: Db) keep their argument
        for i, p in enumerate(params_of(ctor)):
            if p.type in ("required_parameter", "optional_parameter") and any(c.type == "accessibility_modifier" for c in p.named_children):
                if i < len(pos):
                    attrs.setdefault(param_name(p, i), pos[i])
        self._pending_object = (mod, cls, attrs)
        return obj

    def inline(self, fn: Node, args: list[Val], at: Node) -> Val:
        """Analyse a function literal in place: it sees (and may change) the enclosing variables."""
        if id(fn) in self._inlining or self._inline_depth >= MAX_INLINE:
            return EMPTY
        self._inlining.add(id(fn))
        self._inline_depth += 1
        saved_callbacks = set(self.callback_names)
        shadowed: dict[str, Val | None] = {}
        try:
            params = params_of(fn)
            for i, p in enumerate(params):
                name = param_name(p, i)
                shadowed.setdefault(name, self.env.get(name))
                self.locals.add(name)
                v = args[i] if i < len(args) else EMPTY
                self.env[name] = v
                pat = param_pattern(p)
                if pat is not None:
                    self._pattern_locals(pat)
                    self.assign(pat, v, None, p)
            body = fn.child_by_field_name("body")
            self._collect_locals(body)
            self._ret_stack.append([])
            if body is not None and body.type == "statement_block":
                before = dict(self.env)
                self.block(body)
                self.env = self._merge(before, self.env)
            elif body is not None:
                self._ret_stack[-1].append(self.eval(body))
            rets = self._ret_stack.pop()
            return union(*rets) if rets else EMPTY
        finally:
            self._inline_depth -= 1
            self._inlining.discard(id(fn))
            self.callback_names = saved_callbacks
            for name, old in shadowed.items():
                if old is None:
                    self.env.pop(name, None)
                else:
                    self.env[name] = old

    def _is_module_call(self, func: Node | None) -> bool:
        """`mod.f(...)` on an imported module or a global namespace (a function call), rather than a method call."""
        node = func
        while node is not None and node.type == "member_expression":
            node = node.child_by_field_name("object")
        if node is None or node.type != "identifier":
            return False
        name = text(node)
        if name in self.locals:
            return False
        imp = self.module.imports.get(name)
        if imp is not None:
            return imp[0] == "module" and not imp[1].startswith((".", "/"))
        return name in _GLOBAL_NAMESPACES and name not in self.module.globals

    def _schema_of(self, node: Node | None) -> dict[str, bool] | None:
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "identifier" and text(node) not in self.locals:
            g = self.module.globals.get(text(node))
            return schema_fields(g) if g is not None else None
        if node.type == "call_expression":
            return schema_fields(node)
        return None
