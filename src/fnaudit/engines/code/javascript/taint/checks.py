"""Sinks and effects of a call, and of a response object (XSS, redirects)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fnaudit.engines.code import ir, redos
from fnaudit.engines.code.javascript import sinks as S
from fnaudit.engines.code.javascript import web
from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, Node, string_value, text, unwrap
from fnaudit.engines.code.javascript.taint.syntax import (
    _UNIQUE,
    _object_like,
    _option_true,
    _short,
    _tmp_path,
    call_args,
    key_of,
    root_name,
)
from fnaudit.engines.code.taint.responses import response_sinks
from fnaudit.engines.code.taint.values import EMPTY, SECRET, Ref, Val, active, union
from fnaudit.model.code import Step

if TYPE_CHECKING:
    from fnaudit.engines.code.javascript.taint.engine import JsFunction


class Checks:
    """The sinks and effects of calls and of response objects."""

    def __init__(self, fn: JsFunction) -> None:
        self.fn = fn
        self.st = fn.st

    # -- responses (XSS, redirects) ----------------------------------------------------------------

    def response_object(self, node: Node) -> None:
        """An object literal that may be a Lambda proxy response: its HTML body and Location header are sinks."""
        fields = _literal_fields(node)
        if "statusCode" not in fields and "body" not in fields:
            return
        headers = unwrap(fields.get("headers"))
        if headers is not None and headers.type == "identifier":
            g = self.st.module.globals.get(text(headers)) if text(headers) not in self.st.locals else None
            headers = unwrap(g)
        header_fields = (
            {k.lower(): v for k, v in _literal_fields(headers).items()}
            if headers is not None and headers.type == "object"
            else {}
        )
        ctype = header_fields.get("content-type")
        status = fields.get("statusCode")
        content_type = (string_value(ctype) or "") if ctype is not None else None
        for sink in response_sinks(fields, header_fields, content_type, text(status) if status is not None else None):
            # `{ body }`: the variable of that name
            part = sink.node
            val = (
                self.st.env.get(text(part), EMPTY)
                if part.type == "shorthand_property_identifier"
                else self.fn.exprs.eval(part)
            )
            self.st.event(sink.kind, sink.call, part, active(val, sink.kind))

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
                        return self.fn.exprs.eval(c.child_by_field_name("value"))
                elif c.type == "shorthand_property_identifier" and text(c) == key:
                    return self.st.env.get(key, EMPTY)
            return None
        base = key_of(ua)
        if base and f"{base}.{key}" in self.st.env:
            return self.st.env[f"{base}.{key}"]
        return None

    def has_field(self, arg: Node | None, keys: tuple[str, ...]) -> bool:
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
        base = key_of(ua)
        return bool(base) and any(f"{base}.{k}" in self.st.env for k in keys)

    def dynamo_params(self, arg: Node, whole: Val, call: str, node: Node) -> None:
        for key in S.DYNAMO_EXPRESSION_KEYS:
            v = self.field_val(arg, key)
            if v:
                self.st.event(ir.NOSQL, f"{call} {key}", node, active(v, ir.NOSQL))

    def web_response(self, node: Node, method: str | None, obj: Node | None, pos: list[Val]) -> bool:
        """`res.send(html)` / `res.redirect(url)` on a route's response parameter (Express, Koa, Fastify).

        Only a parameter of the function being walked is a response object: a local `res` of a fetch is not."""
        o = unwrap(obj)
        if method is None or o is None or o.type != "identifier" or not pos:
            return False
        name = text(o)
        if name not in self.st.summary.params:
            return False
        if method == "redirect" and name in web.REDIRECT_RECEIVERS:  # redirect([status,] url): the last argument
            self.st.event(ir.REDIRECT, f"{name}.redirect", node, active(pos[-1], ir.REDIRECT))
            return True
        if method in web.HTML_METHODS and name in web.HTML_RECEIVERS:
            self.st.event(ir.XSS, f"{name}.{method}", node, active(pos[0], ir.XSS))
            return True
        return False

    def check_sinks(
        self,
        node: Node,
        qual: str | None,
        method: str | None,
        obj: Node | None,
        arg_nodes: list[Node],
        pos: list[Val],
        recv: Val,
        call_text: str,
    ) -> None:  # noqa: C901
        if self.web_response(node, method, obj, pos):
            return
        self.extra_sinks(node, qual, method, obj, arg_nodes, pos, recv, call_text)
        spec = S.FUNCTION_SINKS.get(qual) if qual is not None else None
        if spec is None and qual is not None and "." in qual:
            head, _, rest = qual.partition(".")
            spec = S.FUNCTION_SINKS.get(f"{S.MODULE_ALIASES.get(head, head)}.{rest}")
        if (
            spec is None
            and method is not None
            and not self.fn.calls.is_module_call(unwrap(node.child_by_field_name("function")))
        ):
            if method in S.SQL_METHODS:
                spec = S.SQL_METHODS[method]
            if (
                method in S.DYNAMO_METHODS
                and arg_nodes
                and self.has_field(arg_nodes[0], (*S.DYNAMO_EXPRESSION_KEYS, "TableName"))
            ):
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
                self.st.event(spec.kind, call_text, node, active(val, spec.kind))
                return
            self.st.event(spec.kind, call_text, node, active(pos[0], spec.kind))
            return
        if spec.note in ("socket", "dgram", "keys-only", "regexp"):
            self.special_sink(node, spec, arg_nodes, pos, call_text)
            return
        if spec.note == "js-yaml" and not self.unsafe_yaml(node, arg_nodes):
            return
        if spec.note == "libxml" and not (len(arg_nodes) > 1 and _option_true(arg_nodes[1], "noent")):
            return  # libxmljs expands entities only when asked to (noent: true)
        if spec.note == "spawn":
            shell = any(_option_true(a, "shell") for a in arg_nodes[1:])
            if not shell:
                val = pos[0] if pos else EMPTY
                self.st.event(ir.COMMAND, call_text, node, active(val, ir.COMMAND))
                return
            val = union(*pos[:2]) if pos else EMPTY
            self.st.event(ir.COMMAND, call_text, node, active(val, ir.COMMAND))
            return
        if spec.kind == ir.CODE and qual in ("setTimeout", "setInterval", "setImmediate") and arg_nodes:
            a0 = unwrap(arg_nodes[0])
            if a0 is not None and (
                a0.type in FUNCTION_TYPES
                or (
                    a0.type == "identifier"
                    and (text(a0) in self.st.local_funcs or text(a0) in self.st.module.functions)
                )
            ):
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
        self.st.event(spec.kind, call_text, node, active(val, spec.kind))

    # -- sinks added for CODE006 (sockets), CODE021 (ReDoS), CODE022 (amplification), CODE023 (stored XSS) ------

    def special_sink(self, node: Node, spec: S.SinkSpec, arg_nodes: list[Node], pos: list[Val], call_text: str) -> None:
        val: Val = EMPTY
        a0 = unwrap(arg_nodes[0]) if arg_nodes else None
        if spec.note == "socket":  # connect(port, host) / connect({ host, port }) / connect(path)
            if a0 is not None and a0.type == "object":
                val = self.field_val(a0, "host") or EMPTY
            elif len(pos) > 1 and (a1 := unwrap(arg_nodes[1])) is not None and a1.type not in FUNCTION_TYPES:
                val = pos[1]
            elif pos:
                val = pos[0]
        elif spec.note == "dgram":  # send(msg, [offset, length,] port, address[, callback]): not the message
            data = [
                v
                for v, a in zip(pos, arg_nodes, strict=False)
                if (ua := unwrap(a)) is None or ua.type not in FUNCTION_TYPES
            ]
            val = union(*data[-2:]) if len(data) > 1 else EMPTY
        elif spec.note == "keys-only":  # Array.from({ length: n }): only the named keys of a literal
            for k in spec.keys:
                val = union(val, self.field_val(a0, k) or EMPTY) if a0 is not None and a0.type == "object" else val
        elif spec.note == "regexp":  # RegExp(x): the caller writes the pattern
            self.st.event(
                ir.REDOS, f"{call_text} (pattern from the event)", node, active(pos[0] if pos else EMPTY, ir.REDOS)
            )
            return
        self.st.event(spec.kind, call_text, node, active(val, spec.kind))

    def extra_sinks(
        self,
        node: Node,
        qual: str | None,
        method: str | None,
        obj: Node | None,
        arg_nodes: list[Node],
        pos: list[Val],
        recv: Val,
        call_text: str,
    ) -> None:
        """Sinks that are not one argument of one callee: page sizes, timers, repeats, stored HTML, regexes."""
        if arg_nodes:
            self.param_sizes(arg_nodes[0], call_text, node)
        if qual in S.TIMERS and len(pos) > 1:
            self.st.event(ir.AMPLIFICATION, f"{call_text} delay", node, active(pos[1], ir.AMPLIFICATION))
        if method is None or self.fn.calls.is_module_call(unwrap(node.child_by_field_name("function"))):
            return
        if method in S.STORE_METHODS and arg_nodes:
            self.stored(arg_nodes[0], S.STORE_METHODS[method], call_text, node)
        if method in S.AMPLIFICATION_METHODS and pos:
            a0 = unwrap(arg_nodes[0])
            if a0 is not None and a0.type == "object":
                val = union(*[self.field_val(a0, k) or EMPTY for k in S.AMPLIFICATION_METHOD_KEYS])
            else:
                val = union(*[pos[i] for i in S.AMPLIFICATION_METHODS[method] if i < len(pos)])
            # a chained call (`sharp(x)\n  .resize(w, h)`) is located at its method's line
            self.st.event(ir.AMPLIFICATION, f".{method}", _method_node(node), active(val, ir.AMPLIFICATION))
        if method in S.S3_PUT_METHODS and arg_nodes:
            self.stored_html(arg_nodes[0], call_text, node)
        pattern: str | None = None
        matched: Val = EMPTY
        if method in S.REGEX_METHODS and pos:
            pattern, matched = self.regex_of(obj), pos[0]
        elif method in S.STRING_REGEX_METHODS and arg_nodes:
            pattern, matched = self.regex_of(arg_nodes[0]), recv
        if pattern is not None:
            why = redos.vulnerable(pattern, js=True)
            if why:
                shown = pattern if len(pattern) <= 40 else pattern[:37] + "..."
                self.st.event(
                    ir.REDOS, f"{call_text} ({why} in /{shown}/)", _method_node(node), active(matched, ir.REDOS)
                )

    def param_sizes(self, arg: Node, call_text: str, node: Node) -> None:
        for key in S.AMPLIFICATION_KEYS:
            v = self.field_val(arg, key)
            if v:
                self.st.event(ir.AMPLIFICATION, f"{call_text} {key}", node, active(v, ir.AMPLIFICATION))

    def stored_html(self, params: Node, call_text: str, node: Node) -> None:
        """S3 params whose ContentType makes browsers render the Body: a constant HTML/SVG type, or one the event chooses."""
        body = self.field_val(params, "Body")
        if not body:
            return
        ctype_node = _field_node(self.object_literal(params), "ContentType")
        if ctype_node is None:
            return
        ctype = string_value(ctype_node)
        if ctype is not None:
            if ctype.lower().startswith(S.HTML_CONTENT_TYPES):
                self.st.event(ir.STORED_XSS, f"{call_text} (ContentType {ctype})", node, active(body, ir.STORED_XSS))
            return
        chosen = active(self.fn.exprs.eval(ctype_node), ir.STORED_XSS)
        if chosen:
            self.st.event(
                ir.STORED_XSS,
                f"{call_text} (ContentType from the event)",
                node,
                union(chosen, active(body, ir.STORED_XSS)),
            )

    def stored(self, params: Node, paths: tuple[tuple[str, ...], ...], call_text: str, node: Node) -> None:
        """Event data written as the payload of a data store (`store`): the item, message, object body, record…
        Located at the call (or `new`) itself, the line the SDK extractor gives the same call."""
        for path in paths:
            if self.has_field(params, path[:1]) or self.has_field(self.object_literal(params), path[:1]):
                value = self.payload(params, path)
                self.st.event(ir.STORE, f"{call_text} {'.'.join(path)}", node, active(value, ir.STORE))

    def payload(self, node: Node | None, path: tuple[str, ...]) -> Val:
        """The data at `path` inside a params literal (`Entries: [{ Detail: d, Source: 'app' }]`, path `*`, `Detail`
        → d). A part that is not a literal here (a call, a parameter) is taken whole: all it holds may be stored."""
        ua = unwrap(node)
        if ua is None:
            return EMPTY
        if ua.type == "shorthand_property_identifier":  # `{ Item }`: the variable of that name
            return self.st.env.get(text(ua), EMPTY)
        if not path:
            return self.fn.exprs.eval(ua)
        key, rest = path[0], path[1:]
        if ua.type == "object":
            out: Val = EMPTY
            for c in ua.named_children:
                if c.type == "pair":
                    k = c.child_by_field_name("key")
                    if key == S.STORE_ANY or (string_value(k) or text(k)) == key:
                        out = union(out, self.payload(c.child_by_field_name("value"), rest))
                elif c.type == "shorthand_property_identifier" and key in (S.STORE_ANY, text(c)):
                    out = union(out, self.payload(c, rest))
                elif c.type == "spread_element" and c.named_children:  # `{ ...base }`: its keys are at this level
                    out = union(out, self.payload(c.named_children[0], path))
            return out
        if ua.type == "array" and key == S.STORE_ANY:
            parts = [
                self.payload(e.named_children[0], path) if e.type == "spread_element" else self.payload(e, rest)
                for e in ua.named_children
                if e.type != "comment" and (e.type != "spread_element" or e.named_children)
            ]
            return union(EMPTY, *parts)
        if ua.type == "identifier":
            # `params.Item = x` after the literal: the variable's field as it is now, then the literal's parts
            known = self.st.env.get(f"{text(ua)}.{key}") if key != S.STORE_ANY else None
            if known is not None and not rest:
                return known
            literal = self.declared(ua)
            if literal is not None and literal.type in ("object", "array"):
                return self.payload(literal, path)
            if known is not None:
                return known
        return self.fn.exprs.eval(ua)

    def object_literal(self, node: Node | None) -> Node | None:
        """The object literal an argument is: written in place, or held by a constant declared before it."""
        value = self.declared(node)
        return value if value is not None and value.type == "object" else None

    def declared(self, node: Node | None) -> Node | None:
        """`_declared`, falling back to the module-level binding (a constant declared below the function)."""
        node = unwrap(node)
        value = _declared(node)
        if value is None and node is not None and node.type == "identifier" and text(node) not in self.st.locals:
            value = unwrap(self.st.module.globals.get(text(node)))
        return value

    def regex_of(self, node: Node | None) -> str | None:
        """The pattern of a regex literal, or of a constant holding one (`const RE = /…/`, `new RegExp("…")`)."""
        node = self.declared(node)
        if node is None:
            return None
        if node.type == "regex":
            p = node.child_by_field_name("pattern")
            return text(p) if p is not None else None
        if node.type == "new_expression" and text(node.child_by_field_name("constructor")) == "RegExp":
            args = call_args(node)
            return string_value(args[0]) if args else None
        return None

    def loop_bound(self, cond: Node | None) -> None:
        """`for (let i = 0; i < n; i++)`: the loop runs as many times as the event says (CODE022)."""
        cond = unwrap(cond)
        if cond is None or cond.type != "binary_expression":
            return
        op = text(cond.child_by_field_name("operator"))
        bound = cond.child_by_field_name("right") if op in ("<", "<=") else None
        bound = cond.child_by_field_name("left") if op in (">", ">=") else bound
        if bound is not None:
            val = self.fn.exprs.eval(bound)
            self.st.event(ir.AMPLIFICATION, "for loop bound", cond, active(val, ir.AMPLIFICATION))

    def bounds(
        self, op: str, left: Node | None, right: Node | None
    ) -> tuple[list[tuple[str, frozenset[str]]], list[tuple[str, frozenset[str]]]]:
        """`n <= MAX` bounds `n` when true, `n > MAX` when false (`if (n > MAX) return`), when MAX is not event data."""
        for key_node, other, upper in ((left, right, op in ("<", "<=")), (right, left, op in (">", ">="))):
            key = key_of(key_node)
            if not key or not self.st.env.get(key) or other is None or self.fn.exprs.eval(other):
                continue
            g = [(key, _AMPLIFICATION)]
            return (g, []) if upper else ([], g)
        return [], []

    def runtime_secret(
        self, node: Node, qual: str | None, method: str | None, arg_nodes: list[Node], pos: list[Val]
    ) -> Val:
        """A secret fetched at runtime (CODE014 when logged): v2 `getSecretValue` / `getParameter` with
        `WithDecryption: true`, v3 `client.send(new GetSecretValueCommand(…))`, the Parameters and Secrets
        extension over HTTP (its token header, or `localhost:2773`)."""
        label: str | None = None
        if method in S.SECRET_METHODS:
            label = S.SECRET_METHODS[method]
        elif method in S.DECRYPTED_PARAMETER_METHODS and arg_nodes and _option_true(arg_nodes[0], "WithDecryption"):
            label = f"SSM SecureString parameter, {method} with WithDecryption: true"
        elif method == "send" and pos and any(r.root == SECRET for r in pos[0]):
            return pos[0]  # client.send(new GetSecretValueCommand(...))
        elif self.calls_secrets_extension(arg_nodes):
            label = "the Parameters and Secrets extension, localhost:2773"
        if label is None:
            return EMPTY
        return {
            Ref(SECRET, label=label): (
                Step(self.st.loc(node), f"secret fetched by {_short(node.child_by_field_name('function'), 40)}()"),
            )
        }

    def calls_secrets_extension(self, arg_nodes: list[Node]) -> bool:
        for a in arg_nodes:
            written = text(a)
            if S.SECRETS_EXTENSION_HEADER in written.lower():
                return True
            if S.SECRETS_EXTENSION_PORT in written and ("localhost" in written or "127.0.0.1" in written):
                return True
        return False

    def new_effects(self, node: Node, name: str, arg_nodes: list[Node], pos: list[Val], call_text: str) -> Val | None:
        """`new` expressions that are sinks or secret sources; None when `new` should go on as usual."""
        a0 = unwrap(arg_nodes[0]) if arg_nodes else None
        if a0 is not None:
            self.param_sizes(a0, call_text, node)
        if name in S.STORE_COMMANDS and a0 is not None:
            self.stored(a0, S.STORE_COMMANDS[name], call_text, node)
        if name in S.SECRET_COMMANDS or (
            name in S.DECRYPTED_PARAMETER_COMMANDS and a0 is not None and _option_true(a0, "WithDecryption")
        ):
            label = S.SECRET_COMMANDS.get(name) or f"SSM SecureString parameter, {name} with WithDecryption: true"
            return {Ref(SECRET, label=label): (Step(self.st.loc(node), f"secret requested by {call_text}"),)}
        if name in S.S3_PUT_COMMANDS and a0 is not None:
            self.stored_html(a0, call_text, node)
            return EMPTY
        if name == "Upload" and a0 is not None:  # @aws-sdk/lib-storage: new Upload({ client, params })
            params = _field_node(a0, "params")
            if params is not None:
                self.stored_html(params, call_text, node)
            return EMPTY
        if name == "Array" and pos:
            self.st.event(ir.AMPLIFICATION, call_text, node, active(pos[0], ir.AMPLIFICATION))
            return EMPTY
        if name == "RegExp" and pos:
            self.st.event(ir.REDOS, f"{call_text} (pattern from the event)", node, active(pos[0], ir.REDOS))
            return EMPTY
        return None

    def mongo(self, node: Node, arg: Node, whole: Val, call_text: str) -> None:
        ua = unwrap(arg)
        if ua is None or ua.type in FUNCTION_TYPES:
            return
        if ua.type == "object":
            for c in ua.named_children:
                if c.type != "pair":
                    if c.type == "shorthand_property_identifier":
                        v = self.st.env.get(text(c), EMPTY)
                        self.st.event(ir.NOSQL, call_text, node, active(_object_like(v), ir.NOSQL))
                    continue
                k = c.child_by_field_name("key")
                v = self.fn.exprs.eval(c.child_by_field_name("value"))
                if (string_value(k) or text(k)) == "$where":
                    self.st.event(ir.NOSQL, f"{call_text} $where", node, active(v, ir.NOSQL))
                else:
                    self.st.event(ir.NOSQL, call_text, node, active(_object_like(v), ir.NOSQL))
            return
        self.st.event(ir.NOSQL, call_text, node, active(_object_like(whole), ir.NOSQL))

    def unsafe_yaml(self, node: Node, arg_nodes: list[Node]) -> bool:
        """js-yaml: `load` is safe from version 4 on; older versions (or a full schema) run `!!js/function`."""
        if len(arg_nodes) > 1:
            opts = unwrap(arg_nodes[1])
            if opts is not None and any(n in text(opts) for n in S.UNSAFE_YAML_SCHEMAS):
                return True
        version = self.st.engine.package_info(self.st.module).get("js-yaml")
        if not version:
            return False
        m = re.search(r"(\d+)", version)
        return m is not None and int(m.group(1)) < 4

    def check_effects(
        self,
        node: Node,
        qual: str | None,
        method: str | None,
        func: Node | None,
        arg_nodes: list[Node],
        pos: list[Val],
        call_text: str,
    ) -> None:
        all_args = union(*pos) if pos else EMPTY
        # logging
        if method in S.LOG_METHODS and func is not None and func.type == "member_expression":
            root = root_name(func)
            # or a logger held by an object: Fastify's `request.log.info`, `this.logger.warn`
            owner = func.child_by_field_name("object")
            prop = (
                owner.child_by_field_name("property")
                if owner is not None and owner.type == "member_expression"
                else None
            )
            held = prop is not None and (text(prop) in S.LOGGER_NAMES or text(prop).lower().endswith("logger"))
            if (held or (root and (root in S.LOGGER_NAMES or root.lower().endswith(("logger", "log"))))) and all_args:
                self.st.event("log", call_text, node, all_args)
        # runtime state: mutating a module-level object
        if method in S.MUTATORS and func is not None and func.type == "member_expression":
            root = root_name(func.child_by_field_name("object"))
            if root and self.st.is_module_mutable(root) and all_args:
                self.st.event("state-global", _short(func.child_by_field_name("object"), 40), node, all_args)
        if qual == "Object.assign" and arg_nodes:
            root = root_name(unwrap(arg_nodes[0]))
            if root and self.st.is_module_mutable(root):
                written = union(*pos[1:]) if len(pos) > 1 else EMPTY
                if written:
                    self.st.event("state-global", root, node, written)
        # runtime state: event data written under /tmp
        if (
            qual is not None
            and qual.startswith(("fs.", "fs-extra."))
            and qual.rsplit(".", 1)[-1]
            in (
                "writeFile",
                "writeFileSync",
                "appendFile",
                "appendFileSync",
                "createWriteStream",
                "outputFile",
            )
            and arg_nodes
            and _tmp_path(arg_nodes[0])
            and not _UNIQUE.search(text(arg_nodes[0]))
        ):
            written = union(*pos[:2])
            if written:
                self.st.event("state-tmp", _short(arg_nodes[0], 40), node, written)


_AMPLIFICATION = frozenset({ir.AMPLIFICATION})


def _declared(node: Node | None) -> Node | None:
    """A node, or for an identifier the value it was declared with (`const params = { … }`, `const RE = /…/`)
    in an enclosing block or at module level, before the use; None when that is not known."""
    if node is None or node.type != "identifier":
        return node
    name = text(node)
    scope = node.parent
    while scope is not None:
        if scope.type in ("statement_block", "program"):
            found: Node | None = None
            for stmt in scope.named_children:
                if stmt.start_byte >= node.start_byte:
                    break
                if stmt.type in ("lexical_declaration", "variable_declaration"):
                    for d in stmt.named_children:
                        if d.type == "variable_declarator" and text(d.child_by_field_name("name")) == name:
                            found = unwrap(d.child_by_field_name("value"))
            if found is not None:
                return found
        scope = scope.parent
    return None


def _method_node(call: Node) -> Node:
    """The property of a method call (`.resize` in `a.b().resize(w)`), where a chained call's line is."""
    func = unwrap(call.child_by_field_name("function"))
    prop = func.child_by_field_name("property") if func is not None and func.type == "member_expression" else None
    return prop if prop is not None else call


def _field_node(node: Node | None, key: str) -> Node | None:
    """The value node of `key` in an object literal (None when it is not written there)."""
    if node is None or node.type != "object":
        return None
    return _literal_fields(node).get(key)


def _literal_fields(node: Node) -> dict[str, Node]:
    """The keys of an object literal and their value nodes (a shorthand `{ body }` is its own value)."""
    out: dict[str, Node] = {}
    for c in node.named_children:
        if c.type == "pair":
            k = c.child_by_field_name("key")
            v = c.child_by_field_name("value")
            if v is not None:
                out[string_value(k) or text(k)] = v
        elif c.type == "shorthand_property_identifier":
            out[text(c)] = c
    return out
