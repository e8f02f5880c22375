"""Small tree-sitter helpers the JavaScript / TypeScript fact extractors share.

They read syntax only (no resolution of names across modules): walking a subtree, the arguments of a
call, the key of an object property, and the spans of a module's functions for the reachability filter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from fnaudit.engines.code.javascript.modules import (
    FUNCTION_TYPES,
    JsModule,
    Node,
    require_spec,
    string_value,
    text,
)
from fnaudit.engines.code.javascript.modules import unwrap as _unwrap
from fnaudit.engines.code.javascript.modules import walk as walk  # re-exported: the extractors walk subtrees

# The request as handlers name it: the handler's first parameter, else one of these (Lambda `event`,
# Express / Fastify `req`, Koa `ctx`); and the keys its headers are read under.
REQUEST_ROOTS = frozenset({"event", "evt", "req", "request", "ctx"})
HEADER_KEYS = frozenset({"headers", "multiValueHeaders", "header"})


def enclosing(node: Node) -> Iterator[Node]:
    """The functions around `node`, innermost first."""
    parent = node.parent
    while parent is not None:
        if parent.type in FUNCTION_TYPES:
            yield parent
        parent = parent.parent


def call_args(call: Node) -> list[Node]:
    """The arguments of a call (or `new`), comments left out."""
    args = call.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


def pair_key(pair: Node) -> str:
    """The key of an object property or pattern pair, as written: `{ 'a-b': 1 }` → `a-b`, `{ a: 1 }` → `a`."""
    k = pair.child_by_field_name("key")
    return string_value(k) or text(k) if k is not None else ""


def callee_name(call: Node) -> str:
    """The name a call is made by: `f(...)` → f, `a.b.f(...)` → f; '' for anything else."""
    callee = _unwrap(call.child_by_field_name("function"))
    if callee is not None and callee.type == "member_expression":
        return text(callee.child_by_field_name("property"))
    return text(callee) if callee is not None and callee.type == "identifier" else ""


def object_props(node: Node | None) -> dict[str, Node]:
    """The properties of an object literal by key (a shorthand or a method stands for itself); {} otherwise."""
    out: dict[str, Node] = {}
    for c in node.named_children if node is not None and node.type == "object" else []:
        if c.type == "pair" and (key := c.child_by_field_name("key")) is not None:
            value = c.child_by_field_name("value")
            if value is not None:
                out[string_value(key) or text(key)] = value
        elif c.type == "shorthand_property_identifier":
            out[text(c)] = c
        elif c.type == "method_definition":
            out[text(c.child_by_field_name("name"))] = c
    return out


def function_spans(mod: JsModule) -> list[tuple[int, int, tuple[str, int]]]:
    """(first line, last line, (file, start byte)) of the module's functions and classes: the units the
    analyser's reachability is keyed by (see `engines.code.reach`)."""
    return [
        (n.start_point[0] + 1, n.end_point[0] + 1, (mod.rel, n.start_byte))
        for n in (*mod.functions.values(), *mod.classes.values())
    ]


def local_requires(mod: JsModule, renamed: bool = True) -> dict[str, tuple[str, ...]]:
    """The module's imports plus the `require` calls written anywhere in it, inside functions too
    (`const jwt = require('jsonwebtoken')` in a handler): name → ("module", spec) or ("symbol", spec, name).

    `renamed`: also `const { decode: d } = require(...)`; the auth-check extractor has never read those.
    Computed once per module and flag (kept on the module): callers only read it."""
    cached = mod.requires.get(renamed)
    if cached is not None:
        return cached
    imports: dict[str, tuple[str, ...]] = dict(mod.imports)
    mod.requires[renamed] = imports
    for n in mod.nodes():
        if n.type != "variable_declarator":
            continue
        spec = require_spec(n.child_by_field_name("value"))
        name = n.child_by_field_name("name")
        if spec is None or name is None:
            continue
        if name.type == "identifier":
            imports.setdefault(text(name), ("module", spec))
        elif name.type == "object_pattern":
            for p in name.named_children:
                if p.type == "shorthand_property_identifier_pattern":
                    imports.setdefault(text(p), ("symbol", spec, text(p)))
                elif renamed and p.type == "pair_pattern":
                    value = p.child_by_field_name("value")
                    if value is not None and value.type == "identifier":
                        imports.setdefault(text(value), ("symbol", spec, pair_key(p)))
    return imports


def qualified(imports: Mapping[str, tuple[str, ...]], callee: Node | None) -> str:
    """`jwt.decode` → `jsonwebtoken.decode`, `verify` (imported) → `pkg.verify` after `imports`; '' when unknown.
    A bare `crypto` is Node's (19+) and the web's global."""
    callee = _unwrap(callee)
    if callee is None:
        return ""
    if callee.type == "identifier":
        imp = imports.get(text(callee))
        if imp is None:
            return ""
        return imp[1] if imp[0] == "module" else f"{imp[1]}.{imp[2]}"
    if callee.type == "member_expression":
        obj = callee.child_by_field_name("object")
        base = qualified(imports, obj)
        if not base and text(obj) == "crypto":
            base = "crypto"
        prop = text(callee.child_by_field_name("property"))
        return f"{base}.{prop}" if base else ""
    return ""
