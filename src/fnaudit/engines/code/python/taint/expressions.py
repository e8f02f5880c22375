"""Expression evaluation: the value of an expression, and the response literals it builds."""

from __future__ import annotations

import ast

from fnaudit.engines.code import ir, urlprefix
from fnaudit.engines.code.python import powertools
from fnaudit.engines.code.python.taint import calls, guards, interprocedural, names, statements
from fnaudit.engines.code.python.taint.walk import Walk
from fnaudit.engines.code.sources import ANY, ATTRIBUTE_KEYS, ELEM, FLASK_REQUEST_KEYS, GETTER_KEYS
from fnaudit.engines.code.taint import secrets
from fnaudit.engines.code.taint.responses import response_sinks
from fnaudit.engines.code.taint.values import EMPTY, EVENT, Ref, Val, active, clear, flatten, sanitise, sub, union
from fnaudit.model.code import Step

# -- expressions -------------------------------------------------------------------------------


def evaluate(w: Walk, node: ast.expr | None) -> Val:  # noqa: C901 - one dispatch
    if node is None or isinstance(node, ast.Constant):
        return EMPTY
    if isinstance(node, ast.Name):
        if node.id in w.env:
            return w.env[node.id]
        return EMPTY
    if isinstance(node, ast.Attribute):
        key = names.key_of(w, node)
        if key and key in w.env:
            return w.env[key]
        if names.qualname(w, node) == "os.environ":
            return secrets.whole_environment("os.environ", w.loc(node))
        if isinstance(node.value, ast.Name) and w.validated.get(node.value.id, {}).get(node.attr):
            return EMPTY  # a field the schema constrains to a number, a boolean, an enum…
        if (
            node.attr == "current_event"
            and isinstance(node.value, ast.Name)
            and powertools.is_event_handler(w, node.value.id)
        ):
            return {Ref(EVENT): (Step(w.loc(node), f"{node.value.id}.current_event read"),)}
        if (
            node.attr == "current_request"
            and isinstance(node.value, ast.Name)
            and interprocedural.is_chalice_app(w, node.value.id)
        ):
            return {Ref(EVENT): (Step(w.loc(node), f"{node.value.id}.current_request read"),)}
        if node.attr in FLASK_REQUEST_KEYS and names.qualname(w, node.value) == "flask.request":
            return flask_request(w, node)
        base = evaluate(w, node.value)
        if node.attr == "raw_event":  # a Powertools data class's `raw_event`: the event dict it wraps
            return base
        return sub(base, ATTRIBUTE_KEYS.get(node.attr, node.attr)) if base else EMPTY
    if isinstance(node, ast.Subscript):
        key = names.key_of(w, node)
        if key and key in w.env:
            return w.env[key]
        if names.qualname(w, node.value) == "os.environ":
            return env_var(w, node.slice, node)
        if (
            isinstance(node.value, ast.Name)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
            and w.validated.get(node.value.id, {}).get(node.slice.value)
        ):
            return EMPTY
        base = evaluate(w, node.value)
        evaluate(w, node.slice)
        if not base:
            return EMPTY
        s = node.slice
        if isinstance(s, ast.Constant) and isinstance(s.value, str):
            return sub(base, s.value)
        if isinstance(s, ast.Constant) and isinstance(s.value, int):
            return sub(base, ELEM)
        if isinstance(s, ast.Slice):
            return flatten(base)
        return sub(base, ANY)
    if isinstance(node, ast.Call):
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get_json", "get_data")
            and names.qualname(w, node.func.value) == "flask.request"
        ):
            return flask_request(w, node.func)
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in GETTER_KEYS
            and not node.args
            and interprocedural.internal_target(w, node.func) is None  # not a method of the package's own code
        ):
            return keyword_getter(w, node, node.func)
        return url_built(w, node, calls.call(w, node))
    if isinstance(node, ast.BinOp):
        left, right = evaluate(w, node.left), evaluate(w, node.right)
        if isinstance(node.op, ast.Mult):
            repeated(w, node, left, right)
        val = flatten(union(left, right))
        return url_built(w, node, val) if isinstance(node.op, (ast.Add, ast.Mod)) else val
    if isinstance(node, ast.JoinedStr):
        val = (
            flatten(union(*[evaluate(w, v.value) for v in node.values if isinstance(v, ast.FormattedValue)]))
            if node.values
            else EMPTY
        )
        return url_built(w, node, val)
    if isinstance(node, ast.FormattedValue):
        return flatten(evaluate(w, node.value))
    if isinstance(node, ast.BoolOp):
        return union(*[evaluate(w, v) for v in node.values])
    if isinstance(node, ast.IfExp):
        evaluate(w, node.test)
        return union(evaluate(w, node.body), evaluate(w, node.orelse))
    if isinstance(node, ast.Compare):
        evaluate(w, node.left)
        for c in node.comparators:
            evaluate(w, c)
        return EMPTY
    if isinstance(node, ast.UnaryOp):
        v = evaluate(w, node.operand)
        return EMPTY if isinstance(node.op, ast.Not) else v
    if isinstance(node, ast.Dict):
        response_dict(w, node)
        vals = [flatten(evaluate(w, v)) for v in node.values]
        keys = [flatten(evaluate(w, k)) for k in node.keys if k is not None]
        return union(*vals, *keys) if vals or keys else EMPTY
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return union(*[flatten(evaluate(w, e)) for e in node.elts]) if node.elts else EMPTY
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return comprehension(w, node)
    if isinstance(node, ast.Await):
        return evaluate(w, node.value)
    if isinstance(node, (ast.Yield, ast.YieldFrom)):
        v = evaluate(w, node.value)
        w.summary.ret = union(w.summary.ret, v)
        return EMPTY
    if isinstance(node, ast.NamedExpr):
        v = evaluate(w, node.value)
        statements.assign(w, node.target, v, node.value, node)
        return v
    if isinstance(node, ast.Starred):
        return evaluate(w, node.value)
    if isinstance(node, ast.Lambda):
        return EMPTY
    return EMPTY


def comprehension(w: Walk, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> Val:
    saved = dict(w.env)
    for gen in node.generators:
        statements.assign(w, gen.target, sub(evaluate(w, gen.iter), ELEM), None, node)
        for cond in gen.ifs:
            pos, _ = guards.guards(w, cond)
            for key, kinds in pos:
                sanitise(w.env, key, kinds)
    if isinstance(node, ast.DictComp):
        val = union(flatten(evaluate(w, node.key)), flatten(evaluate(w, node.value)))
    else:
        val = flatten(evaluate(w, node.elt))
    w.env = saved
    return val


def flask_request(w: Walk, node: ast.Attribute) -> Val:
    """Flask's `request.args`, `.form`, `.get_json()`…: the part of the event the WSGI adapter made it from."""
    step = Step(w.loc(node), f"request.{node.attr} read (Flask)")
    return {Ref(EVENT, (FLASK_REQUEST_KEYS[node.attr],)): (step,)}


def keyword_getter(w: Walk, node: ast.Call, func: ast.Attribute) -> Val:
    """Powertools getters called by keyword (`get_query_string_value(name="q", default_value="")`): the
    named key of the mapping they read, or the default."""
    base = evaluate(w, func.value)
    kw = {k.arg: k.value for k in node.keywords if k.arg}
    name = kw.get("name")
    key = name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else ANY
    default = evaluate(w, kw.get("default_value"))
    got = sub(sub(base, GETTER_KEYS[func.attr]), key) if base else EMPTY
    return union(got, default) if default else got


def repeated(w: Walk, node: ast.BinOp, left: Val, right: Val) -> None:
    """`"x" * n`, `[0] * n`: a sequence literal repeated a number of times the event chooses (CODE022)."""
    if _sequence_literal(node.left) and not isinstance(node.right, ast.Constant):
        count = right
    elif _sequence_literal(node.right) and not isinstance(node.left, ast.Constant):
        count = left
    else:
        return
    statements.event(w, ir.AMPLIFICATION, "sequence repetition (* n)", node, active(count, ir.AMPLIFICATION))


def _sequence_literal(node: ast.expr) -> bool:
    """A text or list literal: what `* n` repeats (a number literal would be arithmetic)."""
    return isinstance(node, (ast.List, ast.Tuple)) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))
    )


def env_var(w: Walk, key_node: ast.expr, node: ast.AST) -> Val:
    name = key_node.value if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str) else None
    return secrets.env_read(name, w.loc(node))


# -- URLs with a fixed host (SSRF, redirects) ---------------------------------------------------

# `urljoin(base, ref)`: the reference wins when it is absolute, so only a relative one keeps the base's host.
_URLJOIN = frozenset({"urllib.parse.urljoin", "urlparse.urljoin", "requests.compat.urljoin"})
# Module constants referring to module constants: a bound on the chain, the analysis must terminate.
_MAX_CONSTANT_DEPTH = 8


def url_built(w: Walk, node: ast.expr, val: Val) -> Val:
    """Text built from a constant that already fixes the scheme and host (`"https://api.example.com/" + x`,
    f-strings, `%` and `.format`, `urljoin(BASE, "/items/" + x)`): what the caller chose is only a path or
    a query, harmless for the SSRF and redirect sinks (issue 22); every other sink still sees it."""
    if not val:
        return val
    if isinstance(node, ast.Call) and names.qualname(w, node.func) in _URLJOIN and len(node.args) >= 2:
        kinds = urlprefix.resolved_against(url_prefix(w, node.args[1])[0], *url_prefix(w, node.args[0]))
    else:
        kinds = urlprefix.cleared_kinds(url_prefix(w, node)[0])
    return clear(val, kinds) if kinds else val


def url_prefix(w: Walk, node: ast.expr | None, depth: int = 0) -> tuple[str, bool]:  # noqa: C901 - one dispatch
    """The constant text `node` starts with, and whether that text is all of it. A name counts only
    when it is a module constant the function does not rebind."""
    if node is None or depth > _MAX_CONSTANT_DEPTH:
        return "", False
    if isinstance(node, ast.Constant):
        return (node.value, True) if isinstance(node.value, str) else ("", False)
    if isinstance(node, ast.Name):
        g = _single_binding(w, node.id) if node.id in w.locals else w.module.globals.get(node.id)
        if g is None or w.env.get(node.id):
            return "", False
        return url_prefix(w, g, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        head, whole = url_prefix(w, node.left, depth + 1)
        if not whole:
            return head, False
        rest, whole = url_prefix(w, node.right, depth + 1)
        return head + rest, whole
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        template, whole = url_prefix(w, node.left, depth + 1)
        return (urlprefix.format_prefix(template, "%"), False) if whole else ("", False)
    if isinstance(node, ast.JoinedStr):
        out = ""
        for part in node.values:
            if isinstance(part, ast.Constant):
                out += str(part.value)
                continue
            if not isinstance(part, ast.FormattedValue) or part.conversion != -1 or part.format_spec is not None:
                return out, False
            more, whole = url_prefix(w, part.value, depth + 1)
            out += more
            if not whole:
                return out, False
        return out, True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "format":
            template, whole = url_prefix(w, node.func.value, depth + 1)
            return (urlprefix.format_prefix(template, "{"), False) if whole else ("", False)
        if node.func.attr == "join" and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple)):
            sep, whole = url_prefix(w, node.func.value, depth + 1)
            if not whole:
                return "", False
            out = ""
            for i, elt in enumerate(node.args[0].elts):
                more, whole = url_prefix(w, elt, depth + 1)
                out += (sep if i else "") + more
                if not whole:
                    return out, False
            return out, True
    return "", False


def _single_binding(w: Walk, name: str) -> ast.expr | None:
    """What a local name holds when the function binds it exactly once, by a plain assignment
    (`base = "https://api.example.com/"`): several bindings (branches, loops) could differ."""
    value = w.assigned.get(name)
    if value is None or name in w.summary.params:
        return None
    stores = sum(
        1
        for n in w.module.index.walk(w.node)
        if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)
    )
    return value if stores == 1 else None


# -- responses (XSS, redirects) ----------------------------------------------------------------


def response_dict(w: Walk, node: ast.Dict) -> None:
    """A Lambda proxy response literal: `{"statusCode": 302, "headers": {"Location": x}, "body": html}`."""
    fields = _str_keyed(node)
    headers = fields.get("headers")
    if isinstance(headers, ast.Name) and isinstance(w.module.globals.get(headers.id), ast.Dict):
        headers = w.module.globals[headers.id]  # a module-level headers constant
    header_fields = {k.lower(): v for k, v in _str_keyed(headers).items()} if isinstance(headers, ast.Dict) else {}
    ctype = header_fields.get("content-type")
    status = fields.get("statusCode")
    for sink in response_sinks(
        fields,
        header_fields,
        str(ctype.value) if isinstance(ctype, ast.Constant) else None,
        str(status.value) if isinstance(status, ast.Constant) else None,
    ):
        statements.event(w, sink.kind, sink.call, sink.node, active(evaluate(w, sink.node), sink.kind))


def _str_keyed(node: ast.Dict) -> dict[str, ast.expr]:
    return {
        k.value: v
        for k, v in zip(node.keys, node.values, strict=True)
        if isinstance(k, ast.Constant) and isinstance(k.value, str)
    }
