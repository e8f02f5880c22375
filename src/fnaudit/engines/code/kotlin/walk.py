"""One Kotlin function walked into a taint summary: statements and expressions → the core's operations.

The walk state is one dataclass (`Walk`) passed to plain functions. Calls are tried, in order, as a call
of a function of the same file (resolved by `Calls`, see analyse.py), a sink, a sanitiser, an event
property or getter, and a propagator; anything else returns nothing the caller controls. Objects whose
kind decides whether a later call is a sink (`Runtime.getRuntime()`, a SnakeYAML `Yaml` with or without
`SafeConstructor`, a `URL`, a logger, a JDBC statement) carry a tag per variable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from tree_sitter import Node

from fnaudit.engines.code import ir
from fnaudit.engines.code.files import SourceFile
from fnaudit.engines.code.kotlin import sinks as v
from fnaudit.engines.code.kotlin.parse import ClassDecl, child, property_parts, string, text
from fnaudit.engines.code.sources import ANY, ELEM
from fnaudit.engines.code.taint.secrets import env_read, whole_environment
from fnaudit.engines.code.taint.summaries import loop_passes
from fnaudit.engines.code.taint.values import (
    ALL,
    EMPTY,
    EXC,
    Env,
    Ref,
    Summary,
    Val,
    active,
    clear,
    flatten,
    join_branches,
    merge_envs,
    sanitise,
    stored_in_field,
    sub,
    union,
    with_step,
)
from fnaudit.model.code import Step
from fnaudit.model.loc import Loc

# `$name` in a string template: the grammar leaves it inside the string's text (only `${...}` is a node).
_SIMPLE_TEMPLATE = re.compile(r"(?<!\\)\$([A-Za-z_][A-Za-z0-9_]*)")
_LOOPS = ("for_statement", "while_statement", "do_while_statement")


class Calls(Protocol):
    """How the walk reaches the other functions of the file (implemented by the analyser)."""

    def call(self, w: Walk, owner: str | None, name: str, args: list[Val], node: Node) -> Val | None:
        """The value of a call of function `name` of the file's class or object `owner` (None: the walked
        class, then the file's top-level functions), its events applied to `w.summary`; None when no such
        function exists in the file."""
        ...

    def is_class(self, w: Walk, simple: str) -> bool:
        """Whether `simple` names a class or object declared in the walked file."""
        ...


@dataclass(slots=True)
class Walk:
    """The state of one function's walk."""

    file: SourceFile
    cls: ClassDecl | None
    calls: Calls
    summary: Summary
    fields: dict[str, Val]  # the class's properties, shared by the walks of its functions
    event_index: int | None  # the handler's event parameter (its reads stored in a property become `EVENT`)
    env: Env = field(default_factory=dict)
    ended: bool = False
    types: dict[str, str] = field(default_factory=dict)  # local or property name → declared simple type
    tags: dict[str, str] = field(default_factory=dict)  # local name → tag (see `tag`)
    loops: int = 0

    def loc(self, node: Node) -> Loc:
        return Loc(self.file.rel, node.start_point[0] + 1)


def _is_property(w: Walk, name: str) -> bool:
    return w.cls is not None and name in w.cls.properties and name not in w.env


# --- tags ------------------------------------------------------------------------------------------------

_TYPE_TAGS = {
    "Runtime": "runtime",
    "ProcessBuilder": "pb",
    "URL": "url",
    "ObjectInputStream": "ois",
    "EntityManager": "jpa",
    **dict.fromkeys(v.JDBC_TEMPLATE_TYPES, "jdbc-template"),
    **dict.fromkeys(v.JDBC_TYPES, "jdbc"),
    **dict.fromkeys(v.LOGGER_TYPES, "logger"),
    "KLogger": "logger",
}


def tag(w: Walk, node: Node | None) -> str | None:
    if node is None:
        return None
    t = node.type
    if t == "identifier":
        name = text(node)
        if name in w.tags:
            return w.tags[name]
        if _is_property(w, name) and w.cls is not None:
            prop = w.cls.properties[name]
            return tag(w, prop.value) if prop.value is not None else _TYPE_TAGS.get(prop.type)
        return _TYPE_TAGS.get(w.types.get(name, ""))
    if t == "parenthesized_expression":
        return tag(w, child(node, *node_types(node)))
    if t == "navigation_expression":
        obj, name = _nav_parts(node)
        if obj is not None and obj.type == "this_expression":
            return tag(w, _last_identifier(node))
        return "logger" if name == "logger" else None
    if t == "call_expression":
        callee = node.named_children[0]
        if callee.type == "identifier":
            ctor = text(callee)
            if ctor == "Yaml":
                return "yaml-safe" if "SafeConstructor" in text(node) or "SafeLoader" in text(node) else "yaml"
            return _TYPE_TAGS.get(ctor)
        if callee.type == "navigation_expression":
            obj, name = _nav_parts(callee)
            owner = text(obj)
            if owner == "Runtime" and name == "getRuntime":
                return "runtime"
            if name in ("getLogger", "logger") or (owner == "KotlinLogging" and name == "logger"):
                return "logger"
            if name == "createStatement":
                return "jdbc"
            if name == "openConnection" and tag(w, obj) == "url":
                return None
    return None


def node_types(node: Node) -> tuple[str, ...]:
    return tuple(c.type for c in node.named_children)


def _last_identifier(node: Node) -> Node | None:
    ids = [c for c in node.named_children if c.type == "identifier"]
    return ids[-1] if ids else None


def _nav_parts(node: Node) -> tuple[Node | None, str]:
    """(receiver, member name) of `a.b` / `a?.b`."""
    named = node.named_children
    return (named[0] if named else None), text(named[-1]) if len(named) > 1 else ""


# --- expressions -------------------------------------------------------------------------------------------


def _arg_nodes(call: Node) -> list[Node]:
    """The argument expressions of a call (a named argument's value), then its trailing lambda."""
    out: list[Node] = []
    args = child(call, "value_arguments")
    for a in args.named_children if args is not None else []:
        if a.type == "value_argument" and a.named_children:
            out.append(a.named_children[-1])
    return out


def _trailing_lambda(call: Node) -> Node | None:
    return child(child(call, "annotated_lambda"), "lambda_literal")


def _sink(w: Walk, kind: str, call_text: str, node: Node, val: Val) -> None:
    w.summary.record(kind, call_text, w.loc(node), active(val, kind) if kind in ir.SINK_KINDS else val)


def _all(args: list[Val]) -> Val:
    return flatten(union(*args)) if args else EMPTY


def _member(recv: Val, name: str) -> Val:
    """`input.queryStringParameters` / `input.getQueryStringParameters()` → the event's `queryStringParameters`;
    `event.records` → `Records`; under `Sns` / `dynamodb` the event capitalises its keys."""
    out: Val = {}
    getter = "get" + name[:1].upper() + name[1:]
    for r, s in recv.items():
        key = v.GETTER_KEYS.get(getter)
        if key is None:
            key = name[:1].upper() + name[1:] if r.path and r.path[-1] in v.CAPITALISED_UNDER else name
        out = union(out, sub({r: s}, key))
    return out


def _key(node: Node | None) -> str:
    lit = string(node)
    if lit is not None:
        return lit
    return ELEM if node is not None and node.type == "number_literal" else ANY


def _is_logger(w: Walk, obj: Node | None) -> bool:
    if obj is None:
        return False
    return tag(w, obj) == "logger" or text(obj).split(".")[-1].lower() in ("log", "logger", "_log", "_logger")


def _template(w: Walk, node: Node) -> Val:
    """A string template: the values of its `${...}` and `$name` parts, as text."""
    parts: list[Val] = []
    raw = ""
    for c in node.named_children:
        if c.type == "interpolation":
            parts.append(union(*(expr(w, e) for e in c.named_children)))
            raw += "\0"  # `$a${b}`: no name runs across an interpolation
        elif c.type == "string_content":
            raw += text(c)
    for m in _SIMPLE_TEMPLATE.finditer(raw):
        parts.append(_read_name(w, m.group(1)))
    return flatten(union(*parts)) if parts else EMPTY


def _read_name(w: Walk, name: str) -> Val:
    if name in w.env:
        return w.env[name]
    return w.fields.get(name, EMPTY) if _is_property(w, name) else EMPTY


def _static(w: Walk, node: Node | None) -> bool:
    """`Runtime` / `Files` / `Repo` used as a class name, not a value."""
    if node is None or node.type != "identifier":
        return False
    name = text(node)
    return name[:1].isupper() and name not in w.env and not _is_property(w, name)


def expr(w: Walk, node: Node | None) -> Val:
    """The value of an expression (walking it records the sinks it calls)."""
    if node is None:
        return EMPTY
    t = node.type
    if t == "identifier":
        return _read_name(w, text(node))
    if t == "navigation_expression":
        obj, name = _nav_parts(node)
        if obj is not None and obj.type == "this_expression":
            return _read_name(w, name)
        if _static(w, obj):
            return EMPTY
        return _member(expr(w, obj), name)
    if t == "call_expression":
        return _call(w, node)
    if t == "index_expression":
        named = node.named_children
        return sub(expr(w, named[0]), _key(named[1] if len(named) > 1 else None)) if named else EMPTY
    if t == "string_literal":
        return _template(w, node)
    if t == "binary_expression":
        return _binary(w, node)
    if t in ("parenthesized_expression", "as_expression", "unary_expression", "postfix_expression"):
        named = node.named_children
        inner = expr(w, named[0]) if named else EMPTY
        return EMPTY if any(c.type == "!" for c in node.children) else inner
    if t == "if_expression":
        return _if(w, node)
    if t == "when_expression":
        return _when(w, node)
    if t == "try_expression":
        return _try(w, node)
    if t == "assignment":
        _assign(w, node)
        return EMPTY
    if t == "return_expression":
        val = expr(w, node.named_children[0]) if node.named_children else EMPTY
        w.summary.ret = union(w.summary.ret, val)
        w.summary.returns.append((w.loc(node), val))
        w.ended = True
        return EMPTY
    if t == "throw_expression":
        for c in node.named_children:
            expr(w, c)
        w.ended = True
        return EMPTY
    if t in ("lambda_literal", "anonymous_function", "object_literal"):
        return EMPTY
    for c in node.named_children:  # literals, ranges, collections...: walked for the calls inside
        expr(w, c)
    return EMPTY


def _binary(w: Walk, node: Node) -> Val:
    named = node.named_children
    op = _operator(node)
    generic = _generic_call(node)
    if generic is not None:
        return _call_of(w, node, generic[0], generic[1], None)
    if len(named) < 2:
        return EMPTY
    left = expr(w, named[0])
    if op == "?:":  # `x ?: return`: the right arm ends, only the left value flows on
        saved, ended = dict(w.env), w.ended
        right = expr(w, named[1])
        if w.ended and not ended:
            w.env, w.ended, right = saved, False, EMPTY
        return union(left, right)
    right = expr(w, named[1])
    return flatten(union(left, right)) if op == "+" else EMPTY


def _call(w: Walk, node: Node) -> Val:
    callee = node.named_children[0]
    if callee.type == "unary_expression" and callee.named_children:  # `!ok(x)`: the grammar binds `!` first
        callee = callee.named_children[0]
    return _call_of(w, node, callee, _arg_nodes(node), _trailing_lambda(node))


def _generic_call(node: Node) -> tuple[Node, list[Node]] | None:
    """`yaml.load<Any>(x)` as a statement: the grammar reads `(yaml.load < Any) > (x)`. The callee and the
    arguments of the call it is, or None for a real comparison."""
    named = node.named_children
    if len(named) != 2 or _operator(node) != ">" or named[1].type != "parenthesized_expression":
        return None
    less = named[0]
    if less.type != "binary_expression" or _operator(less) != "<" or not less.named_children:
        return None
    callee = less.named_children[0]
    return (callee, list(named[1].named_children)) if callee.type == "navigation_expression" else None


def _operator(node: Node) -> str:
    return next((text(c) for c in node.children if not c.is_named), "")


def _call_of(w: Walk, node: Node, callee: Node, nodes: list[Node], lam: Node | None) -> Val:
    if callee.type == "identifier":
        name = text(callee)
        args = [expr(w, a) for a in nodes]
        got = w.calls.call(w, None, name, args, node)
        if got is not None:
            return got
        return _function(w, name, args, node)
    if callee.type != "navigation_expression":
        for a in nodes:
            expr(w, a)
        return EMPTY
    obj, name = _nav_parts(callee)
    if lam is not None and (name in v.SCOPE_FUNCTIONS or name in v.ITERATORS):
        recv = expr(w, obj)
        _lambda(w, lam, sub(recv, ELEM) if name in v.ITERATORS else recv)
        return recv if name in v.SCOPE_FUNCTIONS else flatten(recv)
    args = [expr(w, a) for a in nodes]
    got = _project_call(w, obj, name, args, node)
    if got is not None:
        return got
    recv = EMPTY if obj is None or obj.type == "this_expression" or _static(w, obj) else expr(w, obj)
    owner = text(obj)
    done, val = _sink_call(w, obj, owner, name, args, recv, nodes, node)
    if done:
        return val
    if owner == "System" and name == "getenv":
        return env_read(string(nodes[0]), w.loc(node)) if nodes else whole_environment("System.getenv()", w.loc(node))
    if name in v.NUMBER_PARSERS:
        return clear(_all([recv, *args]), ir.NUMERIC_CLEARED)
    if (owner, name) in v.OPAQUE_STATICS:
        return EMPTY
    if name.startswith("get") and len(name) > 3 and name[3].isupper() and not args:
        return _member(recv, name[3].lower() + name[4:])
    if name in ("get", "getOrDefault", "getValue", "getString", "optString") and args and recv:
        return sub(recv, _key(nodes[0]))
    if name in v.PROPAGATORS:
        return flatten(union(recv, *args))
    return EMPTY


def _function(w: Walk, name: str, args: list[Val], node: Node) -> Val:
    """A call of a name that is not a function of the file: a constructor or a library function."""
    if name == "ProcessBuilder":
        _sink(w, ir.COMMAND, "ProcessBuilder", node, _all(args))
        return EMPTY
    if name in v.PATH_TYPES:
        _sink(w, ir.PATH, name, node, _all(args))
        return EMPTY
    if name in v.HTTP_REQUEST_TYPES and args:  # Apache HttpClient: `HttpGet(url)`
        _sink(w, ir.SSRF, name, node, args[0])
        return EMPTY
    if name in v.PRINT_FUNCTIONS and args:
        _sink(w, v.LOG, name, node, _all(args))
        return EMPTY
    if name in v.NUMBER_PARSERS:
        return clear(_all(args), ir.NUMERIC_CLEARED)
    if name in v.WRAPPERS or name in v.PROPAGATORS:
        return _all(args)
    return EMPTY


def _project_call(w: Walk, obj: Node | None, name: str, args: list[Val], node: Node) -> Val | None:
    if obj is None or obj.type == "this_expression":
        return w.calls.call(w, None, name, args, node)
    if obj.type == "identifier":
        ident = text(obj)
        typ = w.types.get(ident, "") if ident in w.env or _is_property(w, ident) else ident
        if typ and w.calls.is_class(w, typ):
            return w.calls.call(w, typ, name, args, node)
    if obj.type == "call_expression" and obj.named_children[0].type == "identifier":
        typ = text(obj.named_children[0])  # `Repo().find(x)`
        if w.calls.is_class(w, typ):
            return w.calls.call(w, typ, name, args, node)
    return None


def _sink_call(
    w: Walk, obj: Node | None, owner: str, name: str, args: list[Val], recv: Val, nodes: list[Node], node: Node
) -> tuple[bool, Val]:
    """(whether the call is a sink, its value). Sinks on built text take the text argument only."""
    first = args[0] if args else EMPTY
    otag = tag(w, obj)
    if name == "exec" and otag == "runtime" and args:
        _sink(w, ir.COMMAND, "Runtime.exec", node, _all(args))
        return True, EMPTY
    if name == "command" and args and otag == "pb":
        _sink(w, ir.COMMAND, "ProcessBuilder.command", node, _all(args))
        return True, EMPTY
    if obj is not None and args and (name in v.SQL_METHODS or (name == "execute" and otag == "jdbc")):
        _sink(w, ir.SQL, f"{'Connection' if name.startswith('prepare') else 'Statement'}.{name}", node, first)
        return True, EMPTY
    if name in v.JPA_METHODS and args:
        _sink(w, ir.SQL, f"EntityManager.{name}", node, first)
        return True, EMPTY
    if name in v.JDBC_TEMPLATE_METHODS and args and (otag == "jdbc-template" or "jdbc" in owner.lower()):
        _sink(w, ir.SQL, f"JdbcTemplate.{name}", node, first)
        return True, EMPTY
    if owner == "Files" and name in v.FILES_METHODS and args:
        _sink(w, ir.PATH, f"Files.{name}", node, first)
        return True, EMPTY
    if (owner, name) in v.PATH_FACTORIES and args:
        # recorded here; the path it returns is not reported again where a later call reads it
        _sink(w, ir.PATH, f"{owner}.{name}", node, _all(args))
        return True, clear(_all(args), frozenset({ir.PATH}))
    if name in v.URL_OPENERS and otag == "url":
        _sink(w, ir.SSRF, f"URL.{name}", node, recv)
        return True, EMPTY
    if (owner == "HttpRequest" and name == "newBuilder") or (name == "uri" and owner.startswith("HttpRequest.")):
        if args:  # java.net.http: the builder's URI is the request's target
            _sink(w, ir.SSRF, f"HttpRequest.{'newBuilder' if name == 'newBuilder' else 'Builder.uri'}", node, first)
        return bool(args), EMPTY
    if name in ("readObject", "readUnshared") and otag == "ois":
        _sink(w, ir.DESERIALIZATION, f"ObjectInputStream.{name}", node, recv)
        return True, EMPTY
    if name in ("load", "loadAs", "loadAll") and otag == "yaml" and args:
        _sink(w, ir.DESERIALIZATION, f"Yaml.{name}", node, first)
        return True, EMPTY
    if name in v.LOG_METHODS and args and _is_logger(w, obj):
        _sink(w, v.LOG, f"{owner}.{name}", node, _all(args))
        return True, EMPTY
    if name in v.PRINT_FUNCTIONS and owner in ("System.out", "System.err") and args:
        _sink(w, v.LOG, f"{owner}.{name}", node, _all(args))
        return True, EMPTY
    return False, EMPTY


def _lambda(w: Walk, lam: Node, element: Val) -> None:
    """A lambda called with one value (`x.let { ... }`, `records.forEach { r -> ... }`): its parameter (or
    `it`) is that value; what it assigns outside flows on as if it may not have run."""
    params = child(lam, "lambda_parameters")
    names = [text(child(p, "identifier")) for p in params.named_children] if params is not None else ["it"]
    saved, ended = dict(w.env), w.ended
    for n in names[:1]:
        w.env[n] = element
    _seq(w, [c for c in lam.named_children if c.type != "lambda_parameters"])
    w.ended = ended
    w.env = merge_envs(saved, {k: val for k, val in w.env.items() if k not in names})


# --- assignments ----------------------------------------------------------------------------------------


def _assign(w: Walk, node: Node) -> None:
    named = node.named_children
    if len(named) < 2:
        return
    left, right = named[0], named[-1]
    val = expr(w, right)
    op = next((text(c) for c in node.children if not c.is_named), "=")
    name = ""
    if left.type == "identifier":
        name = text(left)
    elif left.type == "navigation_expression":
        obj, member = _nav_parts(left)
        if obj is not None and obj.type == "this_expression":
            name = member
    if not name:
        return
    if op == "+=":
        val = flatten(union(_read_name(w, name), val))
    val = with_step(val, Step(w.loc(node), f"assigned to {name}"))
    if _is_property(w, name):
        w.fields[name] = union(w.fields.get(name, EMPTY), stored_in_field(val, w.event_index))
    else:
        w.env[name] = val
    _remember(w, name, right)


def _remember(w: Walk, name: str, value: Node | None) -> None:
    t = tag(w, value)
    if t is not None:
        w.tags[name] = t
    if value is not None and value.type == "call_expression" and value.named_children[0].type == "identifier":
        w.types.setdefault(name, text(value.named_children[0]))  # `val repo = Repo()`


def _declare(w: Walk, node: Node) -> None:
    name, typ, value = property_parts(node)
    if typ:
        w.types[name] = typ
    val = expr(w, value)
    w.env[name] = with_step(val, Step(w.loc(node), f"assigned to {name}")) if val else val
    _remember(w, name, value)


# --- guards -------------------------------------------------------------------------------------------------


def _guards(w: Walk, cond: Node | None) -> list[tuple[str, frozenset[str], bool]]:
    """(variable, sink kinds, holds when the condition is true) of the checks a condition makes: an
    allowlist (`x in ALLOWED`, `ALLOWED.contains(x)`) or an equality with a literal."""
    if cond is None:
        return []
    t = cond.type
    if t == "parenthesized_expression" and cond.named_children:
        return _guards(w, cond.named_children[0])
    named = cond.named_children
    if t == "in_expression" and len(named) == 2 and named[0].type == "identifier" and _constant(w, named[1]):
        negated = any(c.type == "!in" for c in cond.children)
        return [(text(named[0]), ALL, not negated)]
    equality = t == "equality_expression" or (t == "binary_expression" and any(c.type == "==" for c in cond.children))
    if equality and len(named) == 2 and named[0].type == "identifier" and string(named[1]) is not None:
        return [(text(named[0]), ALL, True)]
    if t == "call_expression" and named and named[0].type in ("navigation_expression", "unary_expression"):
        negated = named[0].type == "unary_expression"
        callee = named[0].named_children[0] if negated else named[0]
        if callee.type != "navigation_expression":
            return []
        obj, name = _nav_parts(callee)
        args = _arg_nodes(cond)
        if name == "contains" and len(args) == 1 and args[0].type == "identifier" and _constant(w, obj):
            return [(text(args[0]), ALL, not negated)]
    if t == "unary_expression" and any(c.type == "!" for c in cond.children) and named:
        return [(k, kinds, not pos) for k, kinds, pos in _guards(w, named[0])]
    return []


def _constant(w: Walk, node: Node | None) -> bool:
    """A collection the caller did not fill: a name holding no event data, or `setOf("a", "b")`."""
    if node is None:
        return False
    if node.type == "identifier":
        return not _read_name(w, text(node))
    if node.type == "call_expression" and text(node.named_children[0]) in ("setOf", "listOf", "arrayOf"):
        return all(string(a) is not None for a in _arg_nodes(node))
    return False


def _apply(w: Walk, guards: list[tuple[str, frozenset[str], bool]], holds: bool) -> None:
    for key, kinds, pos in guards:
        if pos == holds:
            sanitise(w.env, key, kinds)


# --- statements and branches ------------------------------------------------------------------------------


def _seq(w: Walk, nodes: list[Node]) -> Val:
    """Statements in order; the value of the last one (a block's value in Kotlin)."""
    last: Val = EMPTY
    for c in nodes:
        if w.ended:
            break
        last = stmt(w, c)
    return last


def stmt(w: Walk, node: Node) -> Val:
    t = node.type
    if t in ("block", "statements", "function_body", "control_structure_body"):
        return _seq(w, list(node.named_children))
    if t == "property_declaration":
        _declare(w, node)
        return EMPTY
    if t in _LOOPS:
        _loop(w, node)
        return EMPTY
    return expr(w, node)


def _arm(w: Walk, node: Node | None) -> tuple[bool, Val]:
    val = stmt(w, node) if node is not None else EMPTY
    return w.ended, val


def _if(w: Walk, node: Node) -> Val:
    named = node.named_children
    cond = named[0] if named else None
    expr(w, cond)
    then = named[1] if len(named) > 1 and not _after_else(node, named[1]) else None
    other = next((c for c in named if _after_else(node, c)), None)
    guards = _guards(w, cond)
    before = dict(w.env)
    _apply(w, guards, True)
    a_ends, a_val = _arm(w, then)
    a = w.env
    w.env, w.ended = dict(before), False
    _apply(w, guards, False)
    b_ends, b_val = _arm(w, other)
    w.env = join_branches(a, a_ends, w.env, b_ends)
    w.ended = a_ends and b_ends
    return union(EMPTY if a_ends else a_val, EMPTY if b_ends else b_val)


def _after_else(node: Node, c: Node) -> bool:
    seen = False
    for x in node.children:
        if x.type == "else":
            seen = True
        elif x.id == c.id:
            return seen
    return False


def _when(w: Walk, node: Node) -> Val:
    """Each entry walked from the environment before the `when`; the entries that do not end flow on (and
    the path with no matching entry, unless there is an `else`)."""
    subject = child(node, "when_subject")
    for c in subject.named_children if subject is not None else []:
        stmt(w, c)
    subject_node = subject.named_children[-1] if subject is not None and subject.named_children else None
    key = text(subject_node) if subject_node is not None and subject_node.type == "identifier" else ""
    before, ended = dict(w.env), w.ended
    out: Env = {}
    value: Val = EMPTY
    has_else, all_end = False, True
    for entry in (c for c in node.named_children if c.type == "when_entry"):
        w.env, w.ended = dict(before), False
        has_else = has_else or any(c.type == "else" for c in entry.children)
        body = entry.named_children[-1] if entry.named_children else None
        conds = entry.named_children[:-1]
        for cond in conds:
            expr(w, cond)
        if key and conds and all(_literal(c) for c in conds):  # `"a", "b" -> ...`: the subject is one of them
            sanitise(w.env, key, ALL)
        ends, val = _arm(w, body)
        if not ends:
            out = merge_envs(out, w.env) if out else w.env
            value = union(value, val)
        all_end = all_end and ends
    if not has_else:
        out = merge_envs(out, before) if out else before
    w.env = out if out else before
    w.ended = ended or (has_else and all_end)
    return value


def _literal(node: Node) -> bool:
    """A `when` condition that is a constant: a string literal without templates, a number."""
    inner = child(node, "string_literal", "number_literal") if node.type == "when_condition" else node
    return inner is not None and (string(inner) is not None or inner.type == "number_literal")


def _after(node: Node, token: str) -> Node | None:
    """The first named child after the (last) anonymous token `token`."""
    found: Node | None = None
    seen = False
    for c in node.children:
        if not c.is_named and c.type == token:
            seen, found = True, None
        elif seen and c.is_named and found is None:
            found = c
    return found


def _loop(w: Walk, node: Node) -> None:
    before = dict(w.env)
    body = _after(node, "do") if node.type == "do_while_statement" else _after(node, ")")
    if node.type == "for_statement":
        var = child(node, "variable_declaration")
        names = [text(child(var, "identifier"))] if var is not None else []
        iterable = expr(w, _after(node, "in"))
        for n in names:
            w.env[n] = sub(iterable, ELEM)  # one element of the collection
            w.types[n] = ""
    else:
        expr(w, _after(node, "("))
    w.loops += 1
    for _ in range(loop_passes(w.loops)):
        _arm(w, body)
        w.ended = False
    w.loops -= 1
    w.env = merge_envs(before, w.env)


def _try(w: Walk, node: Node) -> Val:
    before = dict(w.env)
    value: Val = EMPTY
    for c in node.named_children:
        if c.type == "block":
            _, value = _arm(w, c)
        elif c.type == "catch_block":
            w.env, w.ended = merge_envs(before, w.env), False
            name = text(child(c, "identifier"))
            if name:
                step = Step(w.loc(c), f"exception caught as {name}")
                w.env[name] = {Ref(EXC, label=f"the text of exception {name}"): (step,)}
            _, val = _arm(w, child(c, "block"))
            value = union(value, val)
        elif c.type == "finally_block":
            w.env, w.ended = merge_envs(before, w.env), False
            _arm(w, child(c, "block"))
            continue
        if c.type in ("block", "catch_block"):
            w.env = merge_envs(before, w.env) if not w.ended else dict(before)
            w.ended = False
    return value
