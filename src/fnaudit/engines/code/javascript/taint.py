"""Taint propagation for JavaScript / TypeScript over tree-sitter trees, with one summary per function.

The value model is the Python analyser's (`Ref`, `Val`, `Event`, `Summary` from
`python/taint.py`: a value is a set of references to a parameter read at an event path, with the
trace steps that brought it there), so both languages produce the same facts.

- Module-level functions (and those of other modules of the package, followed through `require`
  / `import` and re-exports) are analysed once into a summary; a call applies it.
- Functions written inline (callbacks of `.map/.forEach/.then`, `new Promise(...)`, a function
  declared inside the handler and called there) are analysed in place, so they see the handler's
  variables (closures) and their sinks are the handler's.
- Flow-sensitive in straight-line code; `if` branches merge; loop bodies run twice.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fnaudit.engines.code import ir
from fnaudit.engines.code.javascript import sinks as S
from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, JsModule, JsModuleGraph, require_spec, string_value, text, unwrap
from fnaudit.engines.code.python.taint import (
    ALL,
    EMPTY,
    EXC,
    SECRET,
    Event,
    Ref,
    Summary,
    Val,
    active,
    clear,
    flatten,
    sub,
    union,
    with_step,
)
from fnaudit.engines.code.sources import ANY, ELEM
from fnaudit.model.code import Step
from fnaudit.model.loc import Loc

Node = Any
MAX_INLINE = 4
_SECRET_NAME = re.compile(r"(?i)(secret|passw|pwd|token|api_?key|private_?key|credential|access_?key|auth)")
_FIXED_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/{}\s$]+/")
_GLOBAL_NAMESPACES = frozenset({"JSON", "Object", "Math", "Buffer", "Promise", "Array", "String", "Number", "Date", "Reflect", "crypto", "Symbol", "BigInt", "URL"})
_UNIQUE = re.compile(r"randomUUID|uuid|\bv4\(|awsRequestId|mkdtemp|randomBytes|nanoid|requestId")
_SCHEMA_TYPES = re.compile(r"^\s*(z|Joi|yup|joi)\s*\.\s*(number|boolean|enum|literal|nativeEnum|date|bigint|coerce\s*\.\s*(number|boolean|date|bigint))\b")
_SCHEMA_CONSTRAINTS = re.compile(r"\.\s*(uuid|regex|email|datetime|valid|guid|pattern|isoDate|ip|cuid|cuid2|ulid|oneOf|integer|url)\s*\(")
_TERMINATORS = frozenset({"return_statement", "throw_statement", "continue_statement", "break_statement"})


def _short(node: Node | None, limit: int = 60) -> str:
    t = " ".join(text(node).split())
    return t if len(t) <= limit else t[: limit - 1] + "…"


def params_of(node: Node) -> list[Node]:
    p = node.child_by_field_name("parameters")
    if p is None:
        single = node.child_by_field_name("parameter")
        return [single] if single is not None else []
    return [c for c in p.named_children if c.type != "comment"]


def param_name(p: Node, i: int) -> str:
    if p.type in ("required_parameter", "optional_parameter"):
        inner = p.child_by_field_name("pattern")
        return param_name(inner, i) if inner is not None else f"$p{i}"
    if p.type == "identifier":
        return text(p)
    if p.type == "assignment_pattern":
        left = p.child_by_field_name("left")
        return param_name(left, i) if left is not None else f"$p{i}"
    if p.type == "rest_pattern":
        ident = next((c for c in p.named_children if c.type == "identifier"), None)
        return text(ident) if ident is not None else f"$p{i}"
    return f"$p{i}"


def param_pattern(p: Node) -> Node | None:
    """The destructuring pattern of a parameter, if any (`({ body }) => …`)."""
    if p.type in ("required_parameter", "optional_parameter"):
        p = p.child_by_field_name("pattern") or p
    if p.type == "assignment_pattern":
        p = p.child_by_field_name("left") or p
    return p if p.type in ("object_pattern", "array_pattern") else None


def _terminates(node: Node | None) -> bool:
    if node is None:
        return False
    if node.type in _TERMINATORS:
        return True
    if node.type == "statement_block":
        stmts = [c for c in node.named_children if c.type != "comment"]
        return bool(stmts) and _terminates(stmts[-1])
    return False


def _leading_text(node: Node | None) -> str | None:
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "string":
        return string_value(node)
    if node.type == "template_string":
        out = ""
        for c in node.named_children:
            if c.type in ("string_fragment", "escape_sequence"):
                out += text(c)
            else:
                break
        return out
    if node.type == "binary_expression":
        return _leading_text(node.child_by_field_name("left"))
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if fn is not None and text(fn) in ("path.join", "path.resolve", "path.posix.join") and args is not None and args.named_children:
            return _leading_text(args.named_children[0])
        if fn is not None and fn.type == "member_expression" and text(fn.child_by_field_name("property")) == "concat":
            return _leading_text(fn.child_by_field_name("object"))
    return None


def _tmp_path(node: Node | None) -> bool:
    t = _leading_text(node)
    return bool(t and (t == "/tmp" or t.startswith("/tmp/")))


def schema_fields(node: Node | None) -> dict[str, bool] | None:
    """Fields of a zod / joi / yup object schema, each with whether the schema pins the value down."""
    node = unwrap(node)
    # z.object({...}).strict() / Joi.object().keys({...}): find the object literal of the properties
    while node is not None and node.type == "call_expression":
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if fn is None or fn.type != "member_expression":
            return None
        prop = text(fn.child_by_field_name("property"))
        obj_arg = args.named_children[0] if args is not None and args.named_children else None
        if prop in ("object", "keys", "shape") and obj_arg is not None and obj_arg.type == "object":
            fields: dict[str, bool] = {}
            for pair in obj_arg.named_children:
                if pair.type != "pair":
                    continue
                key = pair.child_by_field_name("key")
                val = pair.child_by_field_name("value")
                t = text(val)
                fields[string_value(key) or text(key)] = bool(_SCHEMA_TYPES.match(t) or _SCHEMA_CONSTRAINTS.search(t))
            return fields
        node = fn.child_by_field_name("object")
    return None


class JsTaintEngine:
    """Summaries of the functions of a scan, computed on demand, cached by (file, code root, span)."""

    def __init__(self, graph: JsModuleGraph, package_info) -> None:
        self.graph = graph
        self.package_info = package_info  # (module) -> {package: version spec} of the nearest package.json
        self._summaries: dict[tuple[str, str, int, int], Summary] = {}
        self._busy: set[tuple[str, str, int, int]] = set()

    def summary(self, module: JsModule, node: Node, code_root: Path, cls: Node | None = None) -> Summary:
        key = (module.rel, str(code_root), node.start_byte, node.end_byte)
        cached = self._summaries.get(key)
        if cached is not None:
            return cached
        if key in self._busy:
            return Summary(_names(node, cls))
        self._busy.add(key)
        try:
            result = JsFunction(self, module, node, code_root, cls).run()
        finally:
            self._busy.discard(key)
        self._summaries[key] = result
        return result


def _names(node: Node, cls: Node | None) -> list[str]:
    names = [param_name(p, i) for i, p in enumerate(params_of(node))]
    return ["this", *names] if cls is not None else names


class JsFunction:
    def __init__(self, engine: JsTaintEngine, module: JsModule, node: Node, code_root: Path, cls: Node | None) -> None:
        self.engine = engine
        self.module = module
        self.node = node
        self.code_root = code_root
        self.cls = cls
        self.summary = Summary(_names(node, cls))
        self.env: dict[str, Val] = {}
        self.types: dict[str, str] = {}
        self.local_funcs: dict[str, Node] = {}
        self.objects: dict[str, tuple[JsModule, Node]] = {}
        self.validated: dict[str, dict[str, bool]] = {}
        self.locals: set[str] = set(self.summary.params)
        self.callback_names: set[str] = set()
        self._ret_stack: list[list[Val]] = []
        self._inline_depth = 0
        self._inlining: set[int] = set()
        self._pending_schema: tuple[dict[str, bool], str | None] | None = None
        self._pending_object: tuple[JsModule, Node, dict[str, Val]] | None = None

    # -- driver ------------------------------------------------------------------------------------

    def run(self) -> Summary:
        offset = 1 if self.cls is not None else 0
        if self.cls is not None:
            self.env["this"] = {Ref(0): ()}
        for i, p in enumerate(params_of(self.node)):
            name = self.summary.params[i + offset]
            self.env[name] = {Ref(i + offset): ()}
            if i >= 1 and name in ("callback", "cb", "done", "respond"):
                self.callback_names.add(name)
            pat = param_pattern(p)
            if pat is not None:
                self.assign(pat, self.env[name], None, p)
        body = self.node.child_by_field_name("body")
        self._collect_locals(body)
        if body is None:
            return self.summary
        if body.type == "statement_block":
            self.block(body)
        else:
            val = self.eval(body)
            self.summary.ret = union(self.summary.ret, val)
            self.summary.returns.append((self.loc(body), val))
        if self.cls is not None:
            for key, val in self.env.items():
                if key.startswith("this.") and key.count(".") == 1:
                    self.summary.self_attrs[key[5:]] = val
        return self.summary

    def _collect_locals(self, body: Node | None) -> None:
        if body is None:
            return
        stack = [body]
        while stack:
            n = stack.pop()
            t = n.type
            if t == "variable_declarator":
                name = n.child_by_field_name("name")
                if name is not None:
                    self._pattern_locals(name)
            elif t in ("function_declaration", "generator_function_declaration"):
                name = n.child_by_field_name("name")
                if name is not None:
                    self.locals.add(text(name))
            elif t == "catch_clause":
                p = n.child_by_field_name("parameter")
                if p is not None:
                    self._pattern_locals(p)
            elif t in ("formal_parameters",):
                for p in n.named_children:
                    self.locals.add(param_name(p, 0))
            stack.extend(n.named_children)

    def _pattern_locals(self, pat: Node) -> None:
        if pat.type == "identifier":
            self.locals.add(text(pat))
            return
        for c in pat.named_children:
            if c.type in ("identifier", "shorthand_property_identifier_pattern"):
                self.locals.add(text(c))
            elif c.type in ("pair_pattern", "object_pattern", "array_pattern", "assignment_pattern", "rest_pattern", "object_assignment_pattern"):
                self._pattern_locals(c)

    def loc(self, node: Node) -> Loc:
        return Loc(self.module.rel, node.start_point[0] + 1)

    def event(self, kind: str, call: str, node: Node, val: Val) -> None:
        if val:
            self.summary.events.append(Event(kind, call, self.loc(node), tuple(val.items())))

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
        else_env = self.env
        else_ends = _terminates(alt_stmt)
        if body_ends and not else_ends:
            self.env = else_env
        elif else_ends and not body_ends:
            self.env = body_env
        else:
            self.env = self._merge(body_env, else_env)

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

    # -- expressions -------------------------------------------------------------------------------

    def eval(self, node: Node | None) -> Val:  # noqa: C901 - one dispatch
        if node is None:
            return EMPTY
        t = node.type
        if t in ("string", "number", "true", "false", "null", "undefined", "regex", "comment", "this", "super"):
            if t == "this":
                return self.env.get("this", EMPTY)
            return EMPTY
        if t == "identifier":
            name = text(node)
            if name not in self.env and name not in self.locals and name in self.module.env_aliases:
                return self._env_var(self.module.env_aliases[name], node)  # const { API_KEY } = process.env
            return self.env.get(name, EMPTY)
        if t in ("parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression", "type_assertion", "await_expression", "spread_element"):
            inner = unwrap(node) if t != "spread_element" else (node.named_children[0] if node.named_children else None)
            if t in ("parenthesized_expression",) and node.named_children and node.named_children[0].type == "sequence_expression":
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
            key = self.key_of(node)
            if key and key in self.env:
                return self.env[key]
            obj = node.child_by_field_name("object")
            idx = unwrap(node.child_by_field_name("index"))
            if text(obj) == "process.env":
                return self._env_var(string_value(idx), node) if idx is not None else EMPTY
            base = self.eval(obj)
            self.eval(idx)
            if not base:
                return EMPTY
            s = string_value(idx)
            if s is not None:
                if obj is not None and obj.type == "identifier" and self.validated.get(text(obj), {}).get(s):
                    return EMPTY
                return sub(base, s)
            if idx is not None and idx.type == "number":
                return sub(base, ELEM)
            return sub(base, ANY)
        if t == "call_expression":
            return self.call(node)
        if t == "new_expression":
            return self.new(node)
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
            return union(self.eval(node.child_by_field_name("consequence")), self.eval(node.child_by_field_name("alternative")))
        if t == "unary_expression":
            op = text(node.child_by_field_name("operator"))
            v = self.eval(node.child_by_field_name("argument"))
            return EMPTY if op in ("!", "typeof", "+", "-", "~", "void", "delete") else v
        if t == "update_expression":
            return EMPTY
        if t == "assignment_expression":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            ur = unwrap(right)
            if ur is not None and ur.type in FUNCTION_TYPES and left is not None and left.type == "identifier":
                self.local_funcs[text(left)] = ur
                return EMPTY
            val = self.eval(right)
            if left is not None:
                self.assign(left, val, right, node)
            return val
        if t == "augmented_assignment_expression":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            val = union(self.eval(left), self.eval(right))
            op = text(node.child_by_field_name("operator"))
            if op not in ("||=", "&&=", "??="):
                val = flatten(val)
            if left is not None:
                self.assign(left, val, right, node)
            return val
        if t == "object":
            self.response_object(node)
            vals = []
            for c in node.named_children:
                if c.type == "pair":
                    vals.append(flatten(self.eval(c.child_by_field_name("value"))))
                    k = c.child_by_field_name("key")
                    if k is not None and k.type == "computed_property_name":
                        vals.append(flatten(self.eval(k.named_children[0] if k.named_children else None)))
                elif c.type == "shorthand_property_identifier":
                    vals.append(flatten(self.env.get(text(c), EMPTY)))
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
        key = self.key_of(node)
        if key and key in self.env:
            return self.env[key]
        obj = node.child_by_field_name("object")
        prop = text(node.child_by_field_name("property"))
        if text(obj) == "process.env":
            return self._env_var(prop, node)
        if obj is not None and obj.type == "identifier" and self.validated.get(text(obj), {}).get(prop):
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
            else:
                exc = {}
            return union(exc, sub(rest, prop)) if rest else exc
        return sub(base, prop)

    def _env_var(self, name: str | None, node: Node) -> Val:
        if name and _SECRET_NAME.search(name):
            return {Ref(SECRET, label=name): (Step(self.loc(node), f"secret read from environment variable {name}"),)}
        return EMPTY

    # -- responses (XSS, redirects) ----------------------------------------------------------------

    def response_object(self, node: Node) -> None:
        fields: dict[str, Node] = {}
        for c in node.named_children:
            if c.type == "pair":
                k = c.child_by_field_name("key")
                fields[string_value(k) or text(k)] = c.child_by_field_name("value")
            elif c.type == "shorthand_property_identifier":
                fields[text(c)] = c
        if "statusCode" not in fields and "body" not in fields:
            return
        headers = unwrap(fields.get("headers"))
        if headers is not None and headers.type == "identifier":
            g = self.module.globals.get(text(headers)) if text(headers) not in self.locals else None
            headers = unwrap(g)
        header_fields: dict[str, Node] = {}
        if headers is not None and headers.type == "object":
            for c in headers.named_children:
                if c.type == "pair":
                    k = c.child_by_field_name("key")
                    header_fields[(string_value(k) or text(k)).lower()] = c.child_by_field_name("value")
                elif c.type == "shorthand_property_identifier":
                    header_fields[text(c).lower()] = c
        ctype = header_fields.get("content-type")
        body = fields.get("body")
        if body is not None and ctype is not None and "html" in (string_value(ctype) or "").lower():
            val = self.env.get("body", EMPTY) if body.type == "shorthand_property_identifier" else self.eval(body)
            self.event(ir.XSS, "HTML response body", body, active(val, ir.XSS))
        status = fields.get("statusCode")
        location = header_fields.get("location")
        if location is not None and (status is None or text(status).startswith("3")):
            val = self.env.get(text(location), EMPTY) if location.type == "shorthand_property_identifier" else self.eval(location)
            self.event(ir.REDIRECT, "Location header", location, active(val, ir.REDIRECT))

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

    # -- functions of the package -------------------------------------------------------------------

    def internal_target(self, func: Node | None):
        """(module, function node, class, bound) when the callee is code of the function's own package."""
        func = unwrap(func)
        if func is None:
            return None
        graph = self.engine.graph
        if func.type == "identifier":
            name = text(func)
            if name in self.locals:
                return None
            got = graph.local(self.module, name, self.code_root)
            return self._as_target(got, None, False)
        if func.type == "member_expression":
            obj = unwrap(func.child_by_field_name("object"))
            prop = text(func.child_by_field_name("property"))
            if obj is None:
                return None
            if obj.type == "identifier":
                name = text(obj)
                if name in self.objects:
                    mod, cls = self.objects[name]
                    m = _method(cls, prop)
                    return (mod, m, cls, True) if m is not None else None
                if name not in self.locals:
                    imp = self.module.imports.get(name)
                    if imp is not None and imp[1].startswith((".", "/")):
                        other = graph.resolve(self.module, imp[1], self.code_root)
                        if other is None:
                            return None
                        if imp[0] == "module":
                            return self._as_target(graph.export(other, prop, self.code_root), None, False)
                        got = graph.export(other, imp[2], self.code_root)
                        return self._member_of(got, prop)
                    got = graph.local(self.module, name, self.code_root)
                    if got is not None:
                        return self._member_of(got, prop)
            if obj.type == "this" and self.cls is not None:
                m = _method(self.cls, prop)
                return (self.module, m, self.cls, True) if m is not None else None
        return None

    def _member_of(self, got, prop: str):
        """`x.prop` where x is a module-level object literal, a class, or an instance of a class of the package."""
        if got is None:
            return None
        mod, node = got
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "object":
            for c in node.named_children:
                if c.type == "pair":
                    k = c.child_by_field_name("key")
                    if (string_value(k) or text(k)) == prop:
                        v = unwrap(c.child_by_field_name("value"))
                        if v is not None and v.type in FUNCTION_TYPES:
                            return (mod, v, None, False)
                        if v is not None and v.type == "identifier":
                            return self._as_target(self.engine.graph.local(mod, text(v), self.code_root), None, False)
                elif c.type == "method_definition" and text(c.child_by_field_name("name")) == prop:
                    return (mod, c, None, False)
                elif c.type == "shorthand_property_identifier" and text(c) == prop:
                    return self._as_target(self.engine.graph.local(mod, prop, self.code_root), None, False)
            return None
        if node.type == "new_expression":
            ctor = unwrap(node.child_by_field_name("constructor"))
            if ctor is not None and ctor.type == "identifier":
                cls = self.engine.graph.local(mod, text(ctor), self.code_root)
                if cls is not None and cls[1].type in ("class_declaration", "class"):
                    m = _method(cls[1], prop)
                    return (cls[0], m, cls[1], True) if m is not None else None
        if node.type in ("class_declaration", "class"):
            m = _method(node, prop, static=True)
            return (mod, m, None, False) if m is not None else None
        return None

    def _as_target(self, got, cls, bound):
        if got is None:
            return None
        mod, node = got
        node = unwrap(node)
        if node is not None and node.type in FUNCTION_TYPES:
            return (mod, node, cls, bound)
        if node is not None and node.type in ("class_declaration", "class"):
            return (mod, node, None, "class")
        return None

    def apply(self, target, node: Node, pos: list[Val], recv: Val, call_text: str) -> Val:
        mod, fnode, cls, bound = target
        if bound == "class":
            return EMPTY  # calling a class without `new`
        summary = self.engine.summary(mod, fnode, self.code_root, cls)
        params = summary.params
        args: list[Val] = [EMPTY] * len(params)
        offset = 0
        if cls is not None:
            if params:
                args[0] = recv if bound else EMPTY
            offset = 1
        for i, v in enumerate(pos):
            if i + offset < len(args):
                args[i + offset] = v
        step = Step(self.loc(node), f"passed to {call_text}()")
        args = [with_step(a, step) if a else a for a in args]
        self._apply_events(summary, args)
        ret = self.instantiate(summary.ret, args)
        return with_step(ret, Step(self.loc(node), f"returned from {call_text}()")) if ret else ret

    def _apply_events(self, summary: Summary, args: list[Val]) -> None:
        for ev in summary.events:
            val = self.instantiate(dict(ev.val), args)
            if val:
                self.summary.events.append(Event(ev.kind, ev.call, ev.loc, tuple(val.items())))

    def instantiate(self, val: Val, args: list[Val]) -> Val:
        from fnaudit.engines.code.python.taint import MAX_PATH, MAX_STEPS

        out: Val = {}
        for r, steps in val.items():
            if r.root < 0:
                out.setdefault(r, steps)
                continue
            if r.root >= len(args):
                continue
            for a, asteps in args[r.root].items():
                nr = Ref(a.root, a.path if a.flat else (a.path + r.path)[:MAX_PATH], a.flat or r.flat, a.cleared | r.cleared, a.label)
                s = (asteps + steps)[:MAX_STEPS]
                if nr not in out or len(s) < len(out[nr]):
                    out[nr] = s
        return out

    # -- sinks and effects -------------------------------------------------------------------------

    def field_val(self, arg: Node | None, key: str) -> Val | None:
        """The value under `key` of an options object argument (literal, or a variable holding one)."""
        ua = unwrap(arg)
        if ua is None:
            return None
        if ua.type == "object":
            for c in ua.named_children:
                if c.type == "pair":
                    k = c.child_by_field_name("key")
                    if (string_value(k) or text(k)) == key:
                        return self.eval(c.child_by_field_name("value"))
                elif c.type == "shorthand_property_identifier" and text(c) == key:
                    return self.env.get(key, EMPTY)
            return None
        base = self.key_of(ua)
        if base and f"{base}.{key}" in self.env:
            return self.env[f"{base}.{key}"]
        return None

    def has_field(self, arg: Node | None, keys) -> bool:
        ua = unwrap(arg)
        if ua is None:
            return False
        if ua.type == "object":
            for c in ua.named_children:
                if c.type == "pair":
                    k = c.child_by_field_name("key")
                    if (string_value(k) or text(k)) in keys:
                        return True
                elif c.type == "shorthand_property_identifier" and text(c) in keys:
                    return True
            return False
        base = self.key_of(ua)
        return bool(base) and any(f"{base}.{k}" in self.env for k in keys)

    def dynamo_params(self, arg: Node, whole: Val, call: str, node: Node) -> None:
        for key in S.DYNAMO_EXPRESSION_KEYS:
            v = self.field_val(arg, key)
            if v:
                self.event(ir.NOSQL, f"{call} {key}", node, active(v, ir.NOSQL))

    def check_sinks(self, node: Node, qual: str | None, method: str | None, obj: Node | None, arg_nodes: list[Node], pos: list[Val], recv: Val, call_text: str) -> None:  # noqa: C901
        spec = S.FUNCTION_SINKS.get(qual) if qual is not None else None
        if spec is None and qual is not None and "." in qual:
            head, _, rest = qual.partition(".")
            spec = S.FUNCTION_SINKS.get(f"{S.MODULE_ALIASES.get(head, head)}.{rest}")
        if spec is None and method is not None and not self._is_module_call(unwrap(node.child_by_field_name("function"))):
            if method in S.SQL_METHODS:
                spec = S.SQL_METHODS[method]
            if method in S.DYNAMO_METHODS and arg_nodes and self.has_field(arg_nodes[0], (*S.DYNAMO_EXPRESSION_KEYS, "TableName")):
                self.dynamo_params(arg_nodes[0], pos[0], call_text, node)
                return
            if method in S.MONGO_METHODS and arg_nodes:
                self.mongo(node, arg_nodes[0], pos[0], call_text)
                if spec is None:
                    return
        if spec is None:
            return
        val: Val = {}
        if spec.note == "sql-or-dynamo":
            if not arg_nodes:
                return
            a0 = unwrap(arg_nodes[0])
            if a0 is not None and (a0.type == "object" or self.has_field(a0, ("text", "sql"))):
                for k in spec.keys:
                    v = self.field_val(a0, k)
                    if v:
                        val = union(val, v)
                self.event(spec.kind, call_text, node, active(val, spec.kind))
                return
            self.event(spec.kind, call_text, node, active(pos[0], spec.kind))
            return
        if spec.note == "js-yaml" and not self._unsafe_yaml(node, arg_nodes):
            return
        if spec.note == "libxml" and not (len(arg_nodes) > 1 and _option_true(arg_nodes[1], "noent")):
            return  # libxmljs expands entities only when asked to (noent: true)
        if spec.note == "spawn":
            shell = any(_option_true(a, "shell") for a in arg_nodes[1:])
            if not shell:
                val = pos[0] if pos else EMPTY
                self.event(ir.COMMAND, call_text, node, active(val, ir.COMMAND))
                return
            val = union(*pos[:2]) if pos else EMPTY
            self.event(ir.COMMAND, call_text, node, active(val, ir.COMMAND))
            return
        if spec.kind == ir.CODE and qual in ("setTimeout", "setInterval", "setImmediate") and arg_nodes:
            a0 = unwrap(arg_nodes[0])
            if a0 is not None and (a0.type in FUNCTION_TYPES or (a0.type == "identifier" and (text(a0) in self.local_funcs or text(a0) in self.module.functions))):
                return
        for i in spec.args:
            if i < len(pos):
                a = unwrap(arg_nodes[i])
                if spec.keys and a is not None and a.type == "object":
                    for k in spec.keys:
                        v = self.field_val(a, k)
                        if v:
                            val = union(val, v)
                else:
                    val = union(val, pos[i])
        self.event(spec.kind, call_text, node, active(val, spec.kind))

    def mongo(self, node: Node, arg: Node, whole: Val, call_text: str) -> None:
        ua = unwrap(arg)
        if ua is None or ua.type in FUNCTION_TYPES:
            return
        if ua.type == "object":
            for c in ua.named_children:
                if c.type != "pair":
                    if c.type == "shorthand_property_identifier":
                        v = self.env.get(text(c), EMPTY)
                        self.event(ir.NOSQL, call_text, node, active(_object_like(v), ir.NOSQL))
                    continue
                k = c.child_by_field_name("key")
                v = self.eval(c.child_by_field_name("value"))
                if (string_value(k) or text(k)) == "$where":
                    self.event(ir.NOSQL, f"{call_text} $where", node, active(v, ir.NOSQL))
                else:
                    self.event(ir.NOSQL, call_text, node, active(_object_like(v), ir.NOSQL))
            return
        self.event(ir.NOSQL, call_text, node, active(_object_like(whole), ir.NOSQL))

    def _unsafe_yaml(self, node: Node, arg_nodes: list[Node]) -> bool:
        """js-yaml: `load` is safe from version 4 on; older versions (or an explicit full schema) run `!!js/function`."""
        if len(arg_nodes) > 1:
            opts = unwrap(arg_nodes[1])
            if opts is not None and any(n in text(opts) for n in S.UNSAFE_YAML_SCHEMAS):
                return True
        version = self.engine.package_info(self.module).get("js-yaml")
        if not version:
            return False
        m = re.search(r"(\d+)", version)
        return bool(m) and int(m.group(1)) < 4

    def check_effects(self, node: Node, qual: str | None, method: str | None, func: Node | None, arg_nodes: list[Node], pos: list[Val], call_text: str) -> None:
        all_args = union(*pos) if pos else EMPTY
        # logging
        if method in S.LOG_METHODS and func is not None and func.type == "member_expression":
            root = self._root_name(func)
            if root and (root in S.LOGGER_NAMES or root.lower().endswith(("logger", "log"))) and all_args:
                self.event("log", call_text, node, all_args)
        # runtime state: mutating a module-level object
        if method in S.MUTATORS and func is not None and func.type == "member_expression":
            root = self._root_name(func.child_by_field_name("object"))
            if root and self.is_module_mutable(root) and all_args:
                self.event("state-global", _short(func.child_by_field_name("object"), 40), node, all_args)
        if qual == "Object.assign" and arg_nodes:
            root = self._root_name(unwrap(arg_nodes[0]))
            if root and self.is_module_mutable(root):
                written = union(*pos[1:]) if len(pos) > 1 else EMPTY
                if written:
                    self.event("state-global", root, node, written)
        # runtime state: event data written under /tmp
        if qual is not None and qual.startswith(("fs.", "fs-extra.")) and qual.rsplit(".", 1)[-1] in (
            "writeFile", "writeFileSync", "appendFile", "appendFileSync", "createWriteStream", "outputFile",
        ) and arg_nodes and _tmp_path(arg_nodes[0]) and not _UNIQUE.search(text(arg_nodes[0])):
            written = union(*pos[:2])
            if written:
                self.event("state-tmp", _short(arg_nodes[0], 40), node, written)


def _strips_separators(node: Node) -> bool:
    node = unwrap(node)
    if node is None or node.type != "regex":
        return False
    pattern = text(node.child_by_field_name("pattern"))
    return "/" in pattern and ("\\." in pattern or "." in pattern)


def _option_true(node: Node | None, key: str) -> bool:
    node = unwrap(node)
    if node is None or node.type != "object":
        return False
    for c in node.named_children:
        if c.type == "pair":
            k = c.child_by_field_name("key")
            if (string_value(k) or text(k)) == key:
                v = unwrap(c.child_by_field_name("value"))
                return v is not None and v.type not in ("false", "null", "undefined") and not (v.type == "number" and text(v) == "0")
    return False


def _object_like(v: Val) -> Val:
    """The refs that may hold an object (an operator like `{"$ne": null}`): parsed JSON below a text field."""
    out: Val = {}
    for r, s in v.items():
        if r.flat or r.root < 0:
            continue
        p = r.path
        for i, k in enumerate(p):
            if k in ("body", "Message", "detail", "NewImage", "data") and i + 1 < len(p):
                out[r] = s
                break
        else:
            if p[:1] == ("detail",):
                out[r] = s
    return out


def _method(cls: Node, name: str, static: bool = False) -> Node | None:
    body = cls.child_by_field_name("body")
    for m in body.named_children if body is not None else []:
        if m.type == "method_definition" and text(m.child_by_field_name("name")) == name:
            return m
    return None


def _normal_module(spec: str) -> str:
    spec = spec.removeprefix("node:")
    return S.MODULE_ALIASES.get(spec, spec)
