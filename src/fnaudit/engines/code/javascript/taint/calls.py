"""Calls: callbacks and inline functions, constructors, schema validation, sanitisers and propagation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fnaudit.engines.code import ir
from fnaudit.engines.code.javascript import sinks as S
from fnaudit.engines.code.javascript.modules import (
    FUNCTION_TYPES,
    JsModule,
    Node,
    require_spec,
    string_value,
    text,
    unwrap,
)
from fnaudit.engines.code.javascript.taint import sdkvalues
from fnaudit.engines.code.javascript.taint.state import Callee, Partial, PendingObject, PendingSchema
from fnaudit.engines.code.javascript.taint.syntax import (
    _GLOBAL_NAMESPACES,
    _method,
    _short,
    _strips_separators,
    call_args,
    is_rest,
    key_of,
    param_name,
    param_pattern,
    params_of,
    root_name,
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
# calls of one parameter kept per summary (a callback called in a loop is one call)
_MAX_PARAM_CALLS = 4
# arguments a spread (`f(x, ...rest)`) may stand for, at and after its position
_SPREAD_WIDTH = 8
_PLAIN = frozenset({"identifier", "member_expression", "subscript_expression", "string", "number"})


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
        qual = self.fn.binds.qualname(func)

        # inline callbacks: element methods, promises, anything given a function literal
        fn_args = [
            (i, ua) for i, a in enumerate(arg_nodes) if (ua := unwrap(a)) is not None and ua.type in FUNCTION_TYPES
        ]
        pos: list[Val] = []
        for a in arg_nodes:
            ua = unwrap(a)
            pos.append(EMPTY if ua is not None and ua.type in FUNCTION_TYPES else self.fn.exprs.eval(a))
        if method == "bind" and obj is not None and self.invocable(obj):  # f.bind(thisArg, a): a partial application
            self.st.bound[_span(node)] = Partial(obj, tuple(pos[1:]), pos[0] if pos else EMPTY)
            return EMPTY
        if method in S.ELEMENT_METHODS or method in ("then", "catch", "finally"):
            cb = unwrap(arg_nodes[0]) if arg_nodes and self.invocable(arg_nodes[0]) else None
            if cb is not None or (method == "then" and fn_args):
                ret = self.through_callback(method, cb, node, recv, pos) if cb is not None else recv
                for i, other in fn_args:  # `.then(onValue, onError)`: the second gets the error
                    if i > 0:
                        self.inline(other, [self.caught(other)] if method == "then" and i == 1 else [], node)
                return ret
        # the call's own result, when an SDK call reads attacker-chosen content (S3 objects)
        result = sdkvalues.result(self.fn, node, method, arg_nodes, pos, call_text)
        called = self.data_callbacks(qual, method, func_u, arg_nodes, pos, node, result)
        # a function of the package given a callback (`parse(body, (err, data) => …)`): walked after the call
        target = self.fn.callees.internal_target(func_u) if func_u is not None else None
        deferred = target is not None and not target.is_class
        for i, cb in fn_args:
            if i not in called and not deferred:
                self.inline(cb, [], node)

        if func_u is not None and func_u.type == "identifier":
            self.record_param_call(text(func_u), pos)
        # callback-style responses: callback(null, response)
        if func_u is not None and func_u.type == "identifier" and text(func_u) in self.st.callback_names:
            if len(pos) > 1:
                self.fn.stmts.add_return(node, pos[1])
            return EMPTY
        # `resolve(x)` inside a `new Promise((resolve) => …)` executor: the promise's value
        if func_u is not None and func_u.type == "identifier" and text(func_u) in self.st.resolvers:
            self.st.resolvers[text(func_u)] = union(self.st.resolvers[text(func_u)], *pos[:1])
            return EMPTY

        if func_u is not None and func_u.type in FUNCTION_TYPES:  # (async () => { … })()
            return self.inline(func_u, pos, node)
        # functions of the analysed code: inline local ones, apply summaries of the others, bound ones with their
        # bound arguments first (`f.bind(null, x)(y)`, `const g = f.bind(null, x); g(y)`)
        if func_u is not None and (
            self.partial(func_u) is not None
            or (func_u.type == "identifier" and text(func_u) in self.st.local_funcs)
            or func_u.type == "call_expression"
        ):
            got = self.invoke(func_u, _spread(arg_nodes, pos), node)
            if got is not None:
                return got
        if method in ("call", "apply") and obj is not None and self.invocable(obj):  # f.call(thisArg, a, b)
            got = self.invoke(obj, self.applied(method, arg_nodes, pos), node, pos[0] if pos else EMPTY)
            if got is not None:
                return got
        if target is not None:
            spread = _spread(arg_nodes, pos)
            ret = self.fn.callees.apply(target, node, spread, recv, call_text)
            if deferred:
                self.callbacks_of(target, fn_args, spread, recv, node)
            return ret

        self.fn.checks.check_sinks(node, qual, method, obj, arg_nodes, pos, recv, call_text)
        self.fn.checks.check_effects(node, qual, method, func_u, arg_nodes, pos, call_text)
        if result:
            return result
        if method == "send" and pos and sdkvalues.holds_object(pos[0]):
            return pos[0]  # client.send(new GetObjectCommand(...)): the command's result
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

        if qual in S.NUMERIC_CASTS or (qual in S.BOUNDING_CALLS and all(pos)):
            return clear(flatten(args_val), ir.NUMERIC_CLEARED)  # no text left, but a number the caller chose
        if qual in S.BOUNDING_CALLS:
            return EMPTY  # Math.min(n, 100): bounded by a value the caller does not choose
        secret = self.fn.checks.runtime_secret(node, qual, method, arg_nodes, pos)
        if secret:
            return secret
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
            self.into_receiver(method, obj, pos)
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
        call_text = "new " + _short(ctor, 36)
        if text(ctor) == "Promise" and arg_nodes and self.invocable(arg_nodes[0]):
            return self.promise(arg_nodes[0], node)
        if (content := sdkvalues.command_result(self.fn, node, text(ctor), arg_nodes, call_text)) is not None:
            return content
        for a in arg_nodes:
            ua = unwrap(a)
            if ua is not None and ua.type in FUNCTION_TYPES:
                self.inline(ua, [], node)
        name = text(ctor)
        special = self.fn.checks.new_effects(node, name, arg_nodes, pos, call_text)
        if special is not None:
            return special
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

    # -- function values: literals, local functions, bound functions, functions of the package -----------

    def partial(self, node: Node | None) -> Partial | None:
        """The bound function an expression is: a `bind` call evaluated before, or a variable holding one."""
        u = unwrap(node)
        if u is None:
            return None
        if u.type == "identifier":
            name = text(u)
            if name in self.st.partials or name in self.st.locals:
                return self.st.partials.get(name)
            return self.module_partial(self.st.module.globals.get(name))
        if u.type == "call_expression":
            return self.st.bound.get(_span(u))
        return None

    def module_partial(self, value: Node | None) -> Partial | None:
        """`const find = repo.find.bind(repo, "x")` at module level: its bound values are module constants, which
        carry no event data, so only the function and how many arguments come first matter."""
        value = unwrap(value)
        if value is None or value.type != "call_expression":
            return None
        func = value.child_by_field_name("function")
        if func is None or func.type != "member_expression" or text(func.child_by_field_name("property")) != "bind":
            return None
        target = func.child_by_field_name("object")
        if target is None or self.fn.callees.internal_target(target) is None:
            return None
        bound = call_args(value)[1:]
        return Partial(target, tuple(EMPTY for _ in bound), EMPTY)

    def invocable(self, node: Node | None) -> bool:
        """Whether calling this expression runs code we can follow."""
        u = unwrap(node)
        if u is None:
            return False
        if u.type in FUNCTION_TYPES or self.partial(u) is not None:
            return True
        if u.type == "identifier" and text(u) in self.st.local_funcs:
            return True
        target = self.fn.callees.internal_target(u)
        return target is not None and not target.is_class

    def invoke(self, func: Node, pos: list[Val], at: Node, this: Val = EMPTY, depth: int = 0) -> Val | None:
        """Call a function value with these arguments; None when it is not code we can follow."""
        u = unwrap(func)
        if u is None or depth > MAX_INLINE:
            return None
        p = self.partial(u)
        if p is not None:  # the bound arguments come first, and `this` is the bound one
            return self.invoke(p.func, [*p.args, *pos], at, p.this, depth + 1)
        if u.type in FUNCTION_TYPES:
            return self.inline(u, pos, at)
        call_text = _short(u, 40)
        if u.type == "identifier" and text(u) in self.st.local_funcs:
            local = self.st.local_funcs[text(u)]
            if id(local) in self.st.inlining or self.st.inline_depth >= MAX_INLINE:
                return EMPTY
            ret = self.inline(local, pos, at)
            return with_step(ret, Step(self.st.loc(at), f"returned from {call_text}()")) if ret else ret
        target = self.fn.callees.internal_target(u)
        if target is None or target.is_class:
            return None
        if not this and u.type == "member_expression":  # `.then(obj.method)`: taint-wise, obj is still `this`
            this = self.fn.exprs.eval(u.child_by_field_name("object"))
        return self.fn.callees.apply(target, at, pos, this, call_text)

    def through_callback(self, method: str, cb: Node, node: Node, recv: Val, pos: list[Val]) -> Val:
        """`xs.map(cb)`, `p.then(cb)`, `p.catch(cb)`: the callback gets the elements, the value or the error."""
        if method in ("reduce", "reduceRight"):
            init = pos[1] if len(pos) > 1 else EMPTY
            return union(self.invoke(cb, [init, sub(recv, ELEM)], node) or EMPTY, init)
        if method in S.ELEMENT_METHODS:
            ret = self.invoke(cb, [sub(recv, ELEM)], node) or EMPTY
            if method == "filter":
                return recv
            if method in ("find", "findLast"):
                return sub(recv, ELEM)
            return ret if method in ("map", "flatMap") else EMPTY
        first: Val = recv if method == "then" else (self.caught(cb) if method == "catch" else EMPTY)
        ret = self.invoke(cb, [first], node) or EMPTY
        return union(ret, recv) if method in ("catch", "finally") else ret

    def caught(self, cb: Node) -> Val:
        """The error a rejection handler receives (its text is the exception's)."""
        ps = params_of(cb) if cb.type in FUNCTION_TYPES else []
        name = param_name(ps[0], 0) if ps else "error"
        return {Ref(EXC, label=name): (Step(self.st.loc(cb), f"error caught as {name}"),)}

    def data_callbacks(
        self,
        qual: str | None,
        method: str | None,
        func: Node | None,
        arg_nodes: list[Node],
        pos: list[Val],
        node: Node,
        result: Val,
    ) -> set[int]:
        """Callbacks an API calls with data of the call (`zlib.gunzip(buf, (err, out) => …)`, `setTimeout(f, ms, x)`,
        `async.each(xs, (x) => …)`, `stream.on("data", (chunk) => …)`, v2 SDK `(err, data)`), called with it; the
        indexes of the arguments called. Only what the API's semantics say: `fs.readFile(path, cb)` gets the file's
        content, not the path's text, so its callback is walked with unknown values."""
        args: list[Val] | None = None
        skip: tuple[int, ...] = (0,)
        method_call = method is not None and not self.is_module_call(func)
        spec = S.CALLBACK_DATA.get(qual) if qual is not None else None
        if spec is None and method_call and method is not None:
            spec = S.CALLBACK_DATA_METHODS.get(method)
        if spec is not None:
            sources, param = spec
            args = [*([EMPTY] * param), union(*[pos[i] for i in sources if i < len(pos)])]
            skip = sources
        elif qual in S.CALLBACK_TRAILING and arg_nodes:
            args, skip = pos[S.CALLBACK_TRAILING[qual] :], ()
        elif qual in S.ELEMENT_ITERATORS and pos:
            args = [sub(pos[0], ELEM)]
        elif (
            method_call
            and method in S.STREAM_EVENT_METHODS
            and arg_nodes
            and string_value(arg_nodes[0]) in S.STREAM_DATA_EVENTS
        ):
            obj = func.child_by_field_name("object") if func is not None else None
            args = [flatten(self.fn.exprs.eval(obj))]  # a stream's chunks are its content
        elif result:
            args, skip = [EMPTY, result], ()  # a v2 SDK call's `(err, data)` callback
        if args is None or not any(args):
            return set()
        for i, a in enumerate(arg_nodes):
            if i not in skip and self.invocable(a):
                self.invoke(a, args, node)
                return {i}
        return set()

    def record_param_call(self, name: str, pos: list[Val]) -> None:
        """`fn(x)` where `fn` is a parameter of the function being summarised (not rebound): noted, so that a
        caller giving a function literal for it walks that literal with `x`."""
        val = self.st.env.get(name)
        if not val or len(val) != 1:
            return
        (ref,) = val
        params = self.st.summary.params
        if 0 <= ref.root < len(params) and params[ref.root] == name and not ref.path and not ref.flat:
            calls = self.st.param_calls.setdefault(ref.root, [])
            if len(calls) < _MAX_PARAM_CALLS:
                calls.append(list(pos))

    def callbacks_of(
        self, target: Callee, fn_args: list[tuple[int, Node]], pos: list[Val], recv: Val, node: Node
    ) -> None:
        """Function literals given to a function of the package: each is walked with what the function calls it
        with (`callback(null, data)`, `fn(item)`), seen from this call; one it never calls, with nothing."""
        calls = self.st.engine.param_calls(target.module, target.node, self.st.code_root)
        offset = 1 if target.cls is not None else 0
        args = self.fn.callees.bound_args(target, pos, recv, node) if calls else []
        for i, cb in fn_args:
            made = calls.get(i + offset, [])
            if not made:
                self.inline(cb, [], node)
            for call in made:
                self.inline(cb, [instantiate(v, args) for v in call], node)

    def applied(self, method: str, arg_nodes: list[Node], pos: list[Val]) -> list[Val]:
        """The arguments `f.call(thisArg, a, b)` / `f.apply(thisArg, [a, b])` passes to `f`."""
        if method == "call":
            return _spread(arg_nodes[1:], pos[1:])
        arr = unwrap(arg_nodes[1]) if len(arg_nodes) > 1 else None
        # plain reads are read again, element by element (a call could record its events twice)
        if arr is not None and arr.type == "array" and all(c.type in _PLAIN for c in arr.named_children):
            return [self.fn.exprs.eval(c) for c in arr.named_children]
        return [pos[1]] * _SPREAD_WIDTH if len(pos) > 1 else []

    def promise(self, executor: Node, node: Node) -> Val:
        """`new Promise((resolve, reject) => …)`: its value is what `resolve` is called with."""
        u = unwrap(executor)
        ps = params_of(u) if u is not None and u.type in FUNCTION_TYPES else []
        name = param_name(ps[0], 0) if ps and ps[0].type in ("identifier", "required_parameter") else None
        if name is None or u is None:
            self.invoke(executor, [], node)
            return EMPTY
        saved = self.st.resolvers.get(name)
        self.st.resolvers[name] = EMPTY
        try:
            self.inline(u, [], node)
            return self.st.resolvers[name]
        finally:
            if saved is None:
                self.st.resolvers.pop(name, None)
            else:
                self.st.resolvers[name] = saved

    def into_receiver(self, method: str, obj: Node | None, pos: list[Val]) -> None:
        """`parts.push(x)`, `m.set(k, v)`, `s.add(x)` on a local collection: it now holds `x` too."""
        if method not in S.COLLECTION_WRITES or not pos:
            return
        key = key_of(obj)
        if not key or root_name(obj) not in self.st.locals:
            return
        written = flatten(union(*pos))
        if written:
            self.st.env[key] = union(self.st.env.get(key, EMPTY), written)

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
                if is_rest(p):  # `(...a) => f(x, ...a)`: every argument from here on
                    v = union(*args[i:]) if i < len(args) else EMPTY
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
        if name in self.st.locals:  # a module required inside the function is still a module
            spec = require_spec(self.st.assigned.get(name))
            return spec is not None and not spec.startswith((".", "/"))
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


def _span(node: Node) -> tuple[int, int]:
    return (node.start_byte, node.end_byte)


def _spread(arg_nodes: list[Node], pos: list[Val]) -> list[Val]:
    """Arguments as the callee's parameters see them: a spread (`f(x, ...rest)`) may fill every later parameter."""
    for i, a in enumerate(arg_nodes):
        if a.type == "spread_element":
            rest = union(*pos[i:])
            return [*pos[:i], *([rest] * _SPREAD_WIDTH)]
    return pos
