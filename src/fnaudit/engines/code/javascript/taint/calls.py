"""Calls: callbacks and inline functions, constructors, schema validation, sanitisers and propagation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fnaudit.engines.code import ir
from fnaudit.engines.code.javascript import sinks as S
from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, JsModule, Node, string_value, text, unwrap
from fnaudit.engines.code.javascript.taint.state import PendingObject, PendingSchema
from fnaudit.engines.code.javascript.taint.syntax import (
    _GLOBAL_NAMESPACES,
    _method,
    _short,
    _strips_separators,
    call_args,
    param_name,
    param_pattern,
    params_of,
    schema_fields,
)
from fnaudit.engines.code.sources import ELEM
from fnaudit.engines.code.taint.summaries import apply_events, bind_arguments
from fnaudit.engines.code.taint.values import (
    EMPTY,
    EXC,
    Ref,
    Val,
    active,
    clear,
    flatten,
    instantiate,
    merge_envs,
    sub,
    union,
    with_step,
)
from fnaudit.model.code import Step

if TYPE_CHECKING:
    from fnaudit.engines.code.javascript.taint.engine import JsFunction

MAX_INLINE = 4


class Calls:
    """Calls and `new`: callbacks and inline functions, constructors, schemas, sanitisers, propagation."""

    def __init__(self, fn: JsFunction) -> None:
        self.fn = fn
        self.st = fn.st

    # -- calls -------------------------------------------------------------------------------------

    def call(self, node: Node) -> Val:  # noqa: C901 - the call is where most rules live
        func = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        if args_node is not None and args_node.type == "template_string":  # tagged template: sql`… ${x}`
            if text(func) == "String.raw":
                return self.fn.exprs.eval(args_node)
            for c in args_node.named_children:
                if c.type == "template_substitution" and c.named_children:
                    self.fn.exprs.eval(c.named_children[0])
            return EMPTY
        func_u = unwrap(func)
        arg_nodes = call_args(node)
        method = None
        recv: Val = EMPTY
        obj = None
        if func_u is not None and func_u.type == "member_expression":
            method = text(func_u.child_by_field_name("property"))
            obj = func_u.child_by_field_name("object")
            recv = self.fn.exprs.eval(obj)
        elif (
            func_u is not None
            and func_u.type not in ("identifier", "member_expression")
            and func_u.type not in FUNCTION_TYPES
        ):
            recv = self.fn.exprs.eval(func_u)  # f(x)(y), require("x")(y)
        call_text = _short(func, 40)

        # inline callbacks: element methods, promises, anything given a function literal
        fn_args = [
            (i, ua) for i, a in enumerate(arg_nodes) if (ua := unwrap(a)) is not None and ua.type in FUNCTION_TYPES
        ]
        pos: list[Val] = []
        for a in arg_nodes:
            ua = unwrap(a)
            pos.append(EMPTY if ua is not None and ua.type in FUNCTION_TYPES else self.fn.exprs.eval(a))
        if method in S.ELEMENT_METHODS or method in ("then", "catch", "finally"):
            cb_nodes = list(fn_args)
            first_arg = unwrap(arg_nodes[0]) if arg_nodes else None
            if not cb_nodes and first_arg is not None and first_arg.type == "identifier":
                target = self.fn.callees.internal_target(first_arg)
                if target is not None:
                    elem = sub(recv, ELEM) if method in S.ELEMENT_METHODS else recv
                    return self.fn.callees.apply(target, node, [elem], EMPTY, call_text)
            if cb_nodes:
                _, cb = cb_nodes[0]
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
                    first = {Ref(EXC, label=name): (Step(self.st.loc(cb), f"error caught as {name}"),)}
                ret = self.inline(cb, [first], node)
                return union(ret, recv) if method in ("catch", "finally") else ret
        for _, cb in fn_args:
            self.inline(cb, [], node)

        # callback-style responses: callback(null, response)
        if func_u is not None and func_u.type == "identifier" and text(func_u) in self.st.callback_names:
            if len(pos) > 1:
                self.fn.stmts.add_return(node, pos[1])
            return EMPTY

        if func_u is not None and func_u.type in FUNCTION_TYPES:  # (async () => { … })()
            return self.inline(func_u, pos, node)
        qual = self.fn.binds.qualname(func)
        # functions of the analysed code: inline local ones, apply summaries of the others
        if func_u is not None and func_u.type == "identifier" and text(func_u) in self.st.local_funcs:
            local = self.st.local_funcs[text(func_u)]
            if id(local) not in self.st.inlining and self.st.inline_depth < MAX_INLINE:
                ret = self.inline(local, pos, node)
                return with_step(ret, Step(self.st.loc(node), f"returned from {call_text}()")) if ret else ret
            return EMPTY
        target = self.fn.callees.internal_target(func_u)
        if target is not None:
            return self.fn.callees.apply(target, node, pos, recv, call_text)

        self.fn.checks.check_sinks(node, qual, method, obj, arg_nodes, pos, recv, call_text)
        self.fn.checks.check_effects(node, qual, method, func_u, arg_nodes, pos, call_text)
        args_val = union(*pos) if pos else EMPTY

        # schema validation (zod, joi, yup)
        if method is not None and obj is not None:
            fields = self.schema_of(obj)
            if fields is not None and method in ("parse", "parseAsync", "validateSync", "validateAsync", "cast"):
                self.st.pending_schema = PendingSchema(fields)
                return args_val
            if fields is not None and method in ("safeParse", "safeParseAsync"):
                self.st.pending_schema = PendingSchema(fields, "data")
                return args_val
            if fields is not None and method == "validate":
                self.st.pending_schema = PendingSchema(
                    fields, "value" if obj.type == "identifier" and text(obj) != "yup" else None
                )
                return args_val
        if qual in ("Joi.attempt", "joi.attempt") and len(arg_nodes) > 1:
            fields = self.schema_of(arg_nodes[1])
            if fields is not None:
                self.st.pending_schema = PendingSchema(fields)
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
        if method is not None and not self.is_module_call(func_u):
            if method in ("get", "getAll") and arg_nodes and text(obj).endswith(("headers", "searchParams", "params")):
                return flatten(recv)
            if (
                method == "replace"
                and arg_nodes
                and (string_value(arg_nodes[0]) in ("/", "..") or _strips_separators(arg_nodes[0]))
            ):
                return clear(flatten(union(recv, *pos[1:])), frozenset({ir.PATH}))
            if method in S.ARG_STRING_METHODS or method == "join":
                return flatten(union(recv, *(pos[1:] if method in ("replace", "replaceAll") else pos)))
            if method in ("promise", "json", "text", "then", "exec", "toString"):
                return recv if method in ("promise", "json") else flatten(recv)
            return flatten(recv)
        return flatten(args_val)

    def new(self, node: Node) -> Val:
        ctor = node.child_by_field_name("constructor")
        arg_nodes = call_args(node)
        pos = [self.fn.exprs.eval(a) for a in arg_nodes]
        for a in arg_nodes:
            ua = unwrap(a)
            if ua is not None and ua.type in FUNCTION_TYPES:
                self.inline(ua, [], node)
        call_text = "new " + _short(ctor, 36)
        name = text(ctor)
        # DynamoDB v3 commands: expressions built from strings
        if name in S.DYNAMO_COMMANDS and arg_nodes:
            self.fn.checks.dynamo_params(arg_nodes[0], pos[0], name, node)
            return EMPTY
        target = self.fn.callees.internal_target(unwrap(ctor))
        if target is not None and target.node.type in ("class_declaration", "class", "abstract_class_declaration"):
            return self.construct(target.module, target.node, node, pos, call_text)
        qual = self.fn.binds.qualname(ctor)
        if qual in ("Function", "vm.Script", "vm.SourceTextModule"):
            self.st.event(ir.CODE, call_text, node, active(union(*pos) if pos else EMPTY, ir.CODE))
            return EMPTY
        if qual in ("URL", "URLSearchParams", "Buffer", "String"):
            return flatten(union(*pos)) if pos else EMPTY
        return EMPTY

    def construct(self, mod: JsModule, cls: Node, node: Node, pos: list[Val], call_text: str) -> Val:
        ctor = _method(cls, "constructor")
        if ctor is None:
            self.st.pending_object = PendingObject(mod, cls, {})
            return EMPTY
        summary = self.st.engine.summary(mod, ctor, self.st.code_root, cls)
        # `this` of a constructor is the fresh object
        args = bind_arguments(summary.params, pos, {}, EMPTY, Step(self.st.loc(node), f"passed to {call_text}()"))
        apply_events(summary, args, self.st.summary)
        attrs: dict[str, Val] = {}
        obj: Val = {}
        for attr, v in summary.self_attrs.items():
            iv = instantiate(v, args)
            attrs[attr] = iv
            obj = union(obj, flatten(iv))
        # TypeScript parameter properties: constructor(private db: Db) keep their argument
        for i, p in enumerate(params_of(ctor)):
            modifier = any(c.type == "accessibility_modifier" for c in p.named_children)
            if p.type in ("required_parameter", "optional_parameter") and modifier and i < len(pos):
                attrs.setdefault(param_name(p, i), pos[i])
        self.st.pending_object = PendingObject(mod, cls, attrs)
        return obj

    def inline(self, fn: Node, args: list[Val], at: Node) -> Val:
        """Analyse a function literal in place: it sees (and may change) the enclosing variables."""
        if id(fn) in self.st.inlining or self.st.inline_depth >= MAX_INLINE:
            return EMPTY
        self.st.inlining.add(id(fn))
        self.st.inline_depth += 1
        saved_callbacks = set(self.st.callback_names)
        shadowed: dict[str, Val | None] = {}
        try:
            params = params_of(fn)
            for i, p in enumerate(params):
                name = param_name(p, i)
                shadowed.setdefault(name, self.st.env.get(name))
                self.st.locals.add(name)
                v = args[i] if i < len(args) else EMPTY
                self.st.env[name] = v
                pat = param_pattern(p)
                if pat is not None:
                    self.st.pattern_locals(pat)
                    self.fn.binds.assign(pat, v, None, p)
            body = fn.child_by_field_name("body")
            self.st.collect_locals(body)
            self.st.ret_stack.append([])
            if body is not None and body.type == "statement_block":
                before = dict(self.st.env)
                self.fn.stmts.block(body)
                self.st.env = merge_envs(before, self.st.env)
            elif body is not None:
                self.st.ret_stack[-1].append(self.fn.exprs.eval(body))
            rets = self.st.ret_stack.pop()
            return union(*rets) if rets else EMPTY
        finally:
            self.st.inline_depth -= 1
            self.st.inlining.discard(id(fn))
            self.st.callback_names = saved_callbacks
            for name, old in shadowed.items():
                if old is None:
                    self.st.env.pop(name, None)
                else:
                    self.st.env[name] = old

    def is_module_call(self, func: Node | None) -> bool:
        """`mod.f(...)` on an imported module or a global namespace (a function call), rather than a method call."""
        node = func
        while node is not None and node.type == "member_expression":
            node = node.child_by_field_name("object")
        if node is None or node.type != "identifier":
            return False
        name = text(node)
        if name in self.st.locals:
            return False
        imp = self.st.module.imports.get(name)
        if imp is not None:
            return imp[0] == "module" and not imp[1].startswith((".", "/"))
        return name in _GLOBAL_NAMESPACES and name not in self.st.module.globals

    def schema_of(self, node: Node | None) -> dict[str, bool] | None:
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "identifier" and text(node) not in self.st.locals:
            g = self.st.module.globals.get(text(node))
            return schema_fields(g) if g is not None else None
        if node.type == "call_expression":
            return schema_fields(node)
        return None
