"""Sinks and effects of a call, and of a response object (XSS, redirects)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fnaudit.engines.code import ir
from fnaudit.engines.code.javascript import sinks as S
from fnaudit.engines.code.javascript import web
from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, Node, string_value, text, unwrap
from fnaudit.engines.code.javascript.taint.syntax import (
    _UNIQUE,
    _object_like,
    _option_true,
    _short,
    _tmp_path,
    key_of,
    root_name,
)
from fnaudit.engines.code.taint.responses import response_sinks
from fnaudit.engines.code.taint.values import EMPTY, Val, active, union

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
            if root and (root in S.LOGGER_NAMES or root.lower().endswith(("logger", "log"))) and all_args:
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
