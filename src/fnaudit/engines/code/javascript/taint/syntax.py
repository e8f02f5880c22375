"""Syntax helpers of the JavaScript taint analysis: parameters, leading text, schemas, options, classes."""

from __future__ import annotations

import re

from fnaudit.engines.code.javascript import sinks as S
from fnaudit.engines.code.javascript.modules import Node, string_value, text, unwrap
from fnaudit.engines.code.taint.values import Val

_GLOBAL_NAMESPACES = frozenset(
    {
        "JSON",
        "Object",
        "Math",
        "Buffer",
        "Promise",
        "Array",
        "String",
        "Number",
        "Date",
        "Reflect",
        "crypto",
        "Symbol",
        "BigInt",
        "URL",
    }
)
_UNIQUE = re.compile(r"randomUUID|uuid|\bv4\(|awsRequestId|mkdtemp|randomBytes|nanoid|requestId")
_SCHEMA_TYPES = re.compile(
    r"^\s*(z|Joi|yup|joi)\s*\.\s*(number|boolean|enum|literal|nativeEnum|date|bigint|coerce\s*\.\s*(number|boolean|date|bigint))\b"
)
_SCHEMA_CONSTRAINTS = re.compile(
    r"\.\s*(uuid|regex|email|datetime|valid|guid|pattern|isoDate|ip|cuid|cuid2|ulid|oneOf|integer|url)\s*\("
)
# Parameters (after the first) that are Node-style callbacks: `callback(null, x)` is what the function gives back.
CALLBACK_PARAMS = frozenset({"callback", "cb", "done", "respond"})
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


def is_rest(p: Node) -> bool:
    """A rest parameter (`...args`, also TypeScript's `...args: string[]`)."""
    if p.type in ("required_parameter", "optional_parameter"):
        inner = p.child_by_field_name("pattern")
        return inner is not None and inner.type == "rest_pattern"
    return p.type == "rest_pattern"


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
        if (
            fn is not None
            and text(fn) in ("path.join", "path.resolve", "path.posix.join")
            and args is not None
            and args.named_children
        ):
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


def _names(node: Node, cls: Node | None) -> list[str]:
    names = [param_name(p, i) for i, p in enumerate(params_of(node))]
    return ["this", *names] if cls is not None else names


def _strips_separators(node: Node | None) -> bool:
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
                return (
                    v is not None
                    and v.type not in ("false", "null", "undefined")
                    and not (v.type == "number" and text(v) == "0")
                )
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


def _method(cls: Node, name: str) -> Node | None:
    body = cls.child_by_field_name("body")
    for m in body.named_children if body is not None else []:
        if m.type == "method_definition" and text(m.child_by_field_name("name")) == name:
            return m
    return None


def _normal_module(spec: str) -> str:
    spec = spec.removeprefix("node:")
    return S.MODULE_ALIASES.get(spec, spec)


def key_of(node: Node | None) -> str | None:
    """The environment key of an access path (`event.body.id`, `x["k"]`, `a[0]`), or None when it has none."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "identifier":
        return text(node)
    if node.type == "this":
        return "this"
    if node.type == "member_expression":
        base = key_of(node.child_by_field_name("object"))
        return f"{base}.{text(node.child_by_field_name('property'))}" if base else None
    if node.type == "subscript_expression":
        idx = unwrap(node.child_by_field_name("index"))
        base = key_of(node.child_by_field_name("object"))
        if base and idx is not None:
            s = string_value(idx)
            if s is not None:
                return f"{base}.{s}"
            if idx.type == "number":
                return f"{base}.{text(idx)}"
    return None


def root_name(node: Node | None) -> str | None:
    """The variable an access or call chain starts from (`cache` in `cache.items.push(x)`)."""
    while node is not None and node.type in (
        "member_expression",
        "subscript_expression",
        "call_expression",
        "parenthesized_expression",
    ):
        node = (
            node.child_by_field_name("function")
            if node.type == "call_expression"
            else (node.child_by_field_name("object") if node.type != "parenthesized_expression" else unwrap(node))
        )
    return text(node) if node is not None and node.type == "identifier" else None


def call_args(node: Node) -> list[Node]:
    """The argument nodes of a call or `new` (none for a tagged template)."""
    args = node.child_by_field_name("arguments")
    if args is None or args.type != "arguments":
        return []
    return [a for a in args.named_children if a.type != "comment"]
