"""One Java method walked into a taint summary: statements and expressions → the core's operations.

The walk state is one dataclass (`Walk`, state.py) passed to plain functions. Calls are tried, in order,
as a call of a project method (resolved by `Calls`, see analyse.py), a library sink (calls.py, with the
configuration tags of objects.py), a sanitiser, an event getter, and a propagator; anything else returns
nothing the caller controls.
"""

from __future__ import annotations

from tree_sitter import Node

from fnaudit.engines.code import ir
from fnaudit.engines.code.java import sinks as v
from fnaudit.engines.code.java.calls import arg_nodes, built, record, sink_call
from fnaudit.engines.code.java.objects import configure_call, tag
from fnaudit.engines.code.java.parse import simple_type, string, text
from fnaudit.engines.code.java.state import Walk
from fnaudit.engines.code.sources import ANY, ELEM
from fnaudit.engines.code.taint.secrets import env_read, whole_environment
from fnaudit.engines.code.taint.summaries import loop_passes
from fnaudit.engines.code.taint.values import (
    ALL,
    EMPTY,
    EXC,
    Env,
    Ref,
    Val,
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

_LOOPS = ("for_statement", "enhanced_for_statement", "while_statement", "do_statement")
# Methods that return the receiver's (or first argument's) data with its structure: a parsed JSON document,
# the bytes of a stream, an element of a stream. Reads below them keep their event path.
_SAME_DATA = frozenset(
    {"readAllBytes", "readNBytes", "readLine", "lines", "collect", "readTree", "readValue", "convertValue"}
    | {"fromJson", "iterator", "next", "stream", "orElse", "build", "parse", "toFile", "toPath"}
)


# --- expressions -------------------------------------------------------------------------------------


def _args(w: Walk, call: Node) -> list[Val]:
    args = call.child_by_field_name("arguments")
    return [expr(w, a) for a in args.named_children] if args is not None else []


_LITERAL_TYPES = {
    "string_literal": "String",
    "decimal_integer_literal": "int",
    "true": "boolean",
    "false": "boolean",
    "character_literal": "char",
}


def arg_types(w: Walk, call: Node) -> list[str]:
    """The simple type of each argument where the walk knows it (a literal, a declared local or field), else ""."""
    out: list[str] = []
    for a in arg_nodes(call):
        if a.type == "identifier":
            out.append(w.types.get(text(a), "") if text(a) in w.env or text(a) in w.cls.fields else "")
        elif a.type == "object_creation_expression":
            out.append(simple_type(a.child_by_field_name("type")))
        else:
            out.append(_LITERAL_TYPES.get(a.type, ""))
    return out


def _getter(recv: Val, name: str) -> Val:
    """`event.getRecords()` → `Records`; `getBody()` → `body`; under `Sns` / `dynamodb` the keys are capitalised."""
    out: Val = {}
    stem = name[3:]
    for r, s in recv.items():
        key = v.GETTER_KEYS.get(name)
        if key is None:
            key = stem if r.path and r.path[-1] in v.CAPITALISED_UNDER else stem[:1].lower() + stem[1:]
        out = union(out, sub({r: s}, key))
    return out


def _key(node: Node | None) -> str:
    lit = string(node)
    if lit is not None:
        return lit
    return ELEM if node is not None and node.type == "decimal_integer_literal" else ANY


def _invocation(w: Walk, node: Node) -> Val:
    obj = node.child_by_field_name("object")
    name = text(node.child_by_field_name("name"))
    owner = text(obj)
    nodes = arg_nodes(node)
    if name == "forEach" and nodes and nodes[0].type == "lambda_expression":
        _lambda(w, nodes[0], sub(expr(w, obj), ELEM))
        return EMPTY
    recv = expr(w, obj) if obj is not None and obj.type not in ("this", "super") else EMPTY
    args = [expr(w, a) for a in nodes]
    configure_call(w, obj, name, node)
    getter = name.startswith("get") and len(name) > 3 and name[3].isupper() and not args
    got = _project_call(w, obj, name, args, node)
    if got is not None:  # a POJO bound from the event: its getters read the event's fields
        return union(got, _getter(recv, name)) if getter and recv else got
    done, val = sink_call(w, obj, owner, name, args, recv, node)
    if done:
        return val
    if owner == "System" and name == "getenv":
        return env_read(string(nodes[0]), w.loc(node)) if nodes else whole_environment("System.getenv()", w.loc(node))
    if name in v.NUMBER_PARSERS:
        return clear(built(args), ir.NUMERIC_CLEARED)
    if (owner, name) in v.OPAQUE_STATICS:
        return EMPTY
    if (owner, name) in v.FILE_NAME_ONLY or name == "getFileName":
        return clear(built(args) if (owner, name) in v.FILE_NAME_ONLY else recv, frozenset({ir.PATH}))
    if getter:
        return _getter(recv, name)
    if name in ("get", "getOrDefault", "getFirst", "path", "getString", "optString") and args and recv:
        return sub(recv, _key(nodes[0]))
    if name in _SAME_DATA:
        return union(recv, *args)
    if name in v.PROPAGATORS:
        return flatten(union(recv, *args))
    return EMPTY


def _project_call(w: Walk, obj: Node | None, name: str, args: list[Val], node: Node) -> Val | None:
    if obj is None or obj.type == "this":
        return w.calls.call(w, None, name, args, node)
    if obj.type == "super":
        return w.calls.call(w, w.cls.superclass, name, args, node) if w.cls.superclass else None
    if obj.type == "object_creation_expression":
        typ = simple_type(obj.child_by_field_name("type"))
        return w.calls.call(w, typ, name, args, node) if w.calls.is_class(w, typ) else None
    if obj.type in ("identifier", "field_access"):
        ident = text(obj.child_by_field_name("field") if obj.type == "field_access" else obj)
        if obj.type == "field_access" and text(obj.child_by_field_name("object")) != "this":
            return None
        typ = w.types.get(ident, "")
        if not typ and ident not in w.env and ident[:1].isupper():
            typ = ident  # a static call `OrderRepository.find(...)`
        if typ and w.calls.is_class(w, typ):
            return w.calls.call(w, typ, name, args, node)
    return None


def _creation(w: Walk, node: Node) -> Val:
    typ = simple_type(node.child_by_field_name("type"))
    args = _args(w, node)
    if typ == "ProcessBuilder":
        record(w, ir.COMMAND, "new ProcessBuilder", node, built(args))
        return EMPTY
    if typ in v.PATH_TYPES:
        record(w, ir.PATH, f"new {typ}", node, built(args))
        return EMPTY
    if typ in v.HTTP_REQUEST_TYPES and args:
        record(w, ir.SSRF, f"new {typ}", node, args[0])
        return EMPTY
    if typ == "XMLDecoder" and args:
        record(w, ir.DESERIALIZATION, "new XMLDecoder", node, args[0])
        return EMPTY
    if typ == "Template" and len(args) >= 2:  # FreeMarker: new Template(name, reader of the template text, cfg)
        record(w, ir.TEMPLATE, "new Template", node, args[1])
        return EMPTY
    if typ in v.WRAPPERS:
        return union(*args) if args else EMPTY
    return EMPTY


def _lambda(w: Walk, node: Node, element: Val) -> None:
    """A lambda called on each element (`records.forEach(r -> ...)`): its parameter is the element."""
    params = node.child_by_field_name("parameters")
    names = [text(params)] if params is not None and params.type == "identifier" else []
    if params is not None and params.type != "identifier":
        names = [text(p.child_by_field_name("name") or p) for p in params.named_children]
    saved = dict(w.env)
    for n in names[:1]:
        w.env[n] = element
    body = node.child_by_field_name("body")
    if body is not None and body.type == "block":
        ended = w.ended
        stmt(w, body)
        w.ended = ended
    else:
        expr(w, body)
    w.env = merge_envs(saved, {k: val for k, val in w.env.items() if k not in names})


def _read_name(w: Walk, name: str) -> Val:
    if name in w.env:
        return w.env[name]
    return w.fields.get(name, EMPTY) if name in w.cls.fields else EMPTY


def expr(w: Walk, node: Node | None) -> Val:
    """The value of an expression (walking it records the sinks it calls)."""
    if node is None:
        return EMPTY
    t = node.type
    if t == "identifier":
        return _read_name(w, text(node))
    if t == "field_access":
        obj = node.child_by_field_name("object")
        if text(obj) == "this":
            return _read_name(w, text(node.child_by_field_name("field")))
        return sub(expr(w, obj), text(node.child_by_field_name("field")))
    if t == "method_invocation":
        return _invocation(w, node)
    if t == "object_creation_expression":
        return _creation(w, node)
    if t == "binary_expression":
        left = expr(w, node.child_by_field_name("left"))
        right = expr(w, node.child_by_field_name("right"))
        op = node.child_by_field_name("operator")
        return flatten(union(left, right)) if op is not None and text(op) == "+" else EMPTY
    if t in ("parenthesized_expression", "cast_expression"):
        inner = node.child_by_field_name("value") if t == "cast_expression" else None
        return expr(w, inner if inner is not None else node.named_children[-1])
    if t == "ternary_expression":
        expr(w, node.child_by_field_name("condition"))
        return union(expr(w, node.child_by_field_name("consequence")), expr(w, node.child_by_field_name("alternative")))
    if t in ("array_creation_expression", "array_initializer"):
        return union(*(expr(w, c) for c in node.named_children)) if node.named_children else EMPTY
    if t == "array_access":
        return sub(expr(w, node.child_by_field_name("array")), ELEM)
    if t == "assignment_expression":
        return _assign(w, node)
    if t == "switch_expression":
        return _switch(w, node)
    for c in node.named_children:  # lambdas, literals...: walked for the calls inside
        if c.type not in ("lambda_expression", "class_body"):
            expr(w, c)
    return EMPTY


def _assign(w: Walk, node: Node) -> Val:
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    val = expr(w, right)
    op = text(node.child_by_field_name("operator"))
    name = ""
    if left is not None and left.type == "identifier":
        name = text(left)
    elif left is not None and left.type == "field_access" and text(left.child_by_field_name("object")) == "this":
        name = text(left.child_by_field_name("field"))
    if not name:
        return val
    if op == "+=":
        val = flatten(union(_read_name(w, name), val))
    val = with_step(val, Step(w.loc(node), f"assigned to {name}"))
    if name not in w.env and name in w.cls.fields:
        w.fields[name] = union(w.fields.get(name, EMPTY), stored_in_field(val, w.event_index))
    else:
        w.env[name] = val
    _remember(w, name, right)
    return val


def _remember(w: Walk, name: str, value: Node | None) -> None:
    t = tag(w, value)
    if t is not None:
        w.tags[name] = t
    if value is not None and value.type == "method_invocation" and text(value.child_by_field_name("name")) == "getHost":
        inner = value.child_by_field_name("object")
        arg = arg_nodes(inner)[0] if inner is not None and arg_nodes(inner) else None
        if arg is not None and arg.type == "identifier":
            w.hosts[name] = text(arg)


# --- guards ------------------------------------------------------------------------------------------


def _guards(w: Walk, cond: Node | None) -> list[tuple[str, frozenset[str], bool]]:
    """(variable, sink kinds, holds when the condition is true) of the checks a condition makes."""
    if cond is None:
        return []
    if cond.type == "parenthesized_expression" and cond.named_children:
        return _guards(w, cond.named_children[0])
    if cond.type == "unary_expression" and text(cond.child_by_field_name("operator")) == "!":
        return [(k, kinds, not pos) for k, kinds, pos in _guards(w, cond.child_by_field_name("operand"))]
    if cond.type != "method_invocation":
        return []
    name = text(cond.child_by_field_name("name"))
    obj = cond.child_by_field_name("object")
    args = arg_nodes(cond)
    if len(args) != 1 or obj is None:
        return []
    arg = args[0]
    if name == "contains" and arg.type == "identifier" and _constant_collection(w, obj):
        return [(text(arg), ALL, True)]  # an allowlist: the value is one of the list's
    if name in ("equals", "equalsIgnoreCase"):
        a, b = (obj, arg) if arg.type == "string_literal" else (arg, obj)
        if b.type != "string_literal":
            return []
        if a.type == "identifier":
            out = [(text(a), ALL, True)]
            if text(a) in w.hosts:
                out.append((w.hosts[text(a)], frozenset({ir.SSRF}), True))
            return out
        if a.type == "method_invocation" and text(a.child_by_field_name("name")) == "getHost":
            inner = a.child_by_field_name("object")
            url = arg_nodes(inner)[0] if inner is not None and arg_nodes(inner) else None
            if url is not None and url.type == "identifier":
                return [(text(url), frozenset({ir.SSRF}), True)]
    return []


def _constant_collection(w: Walk, node: Node) -> bool:
    """A collection the caller did not fill: a field or local holding no event data, or `Set.of(...)` /
    `List.of(...)` / `Arrays.asList(...)` of values that are not the caller's."""
    if node.type == "identifier":
        return not _read_name(w, text(node))
    if node.type == "method_invocation" and text(node.child_by_field_name("object")) in ("Set", "List", "Arrays"):
        args = node.child_by_field_name("arguments")
        return all(c.type == "string_literal" for c in (args.named_children if args is not None else []))
    return False


def _apply(w: Walk, guards: list[tuple[str, frozenset[str], bool]], holds: bool) -> None:
    for key, kinds, pos in guards:
        if pos == holds:
            sanitise(w.env, key, kinds)


# --- statements --------------------------------------------------------------------------------------


def _declare(w: Walk, typ: str, d: Node) -> None:
    name = text(d.child_by_field_name("name"))
    value = d.child_by_field_name("value")
    if typ == "var" and value is not None and value.type == "object_creation_expression":
        typ = simple_type(value.child_by_field_name("type"))  # `var repo = new OrderRepository()`
    w.types[name] = typ
    val = expr(w, value)
    w.env[name] = with_step(val, Step(w.loc(d), f"assigned to {name}")) if val else val
    _remember(w, name, value)


def stmt(w: Walk, node: Node) -> None:
    t = node.type
    if w.ended:
        return
    if t == "block":
        for c in node.named_children:
            stmt(w, c)
    elif t == "local_variable_declaration":
        typ = simple_type(node.child_by_field_name("type"))
        for d in node.children_by_field_name("declarator"):
            _declare(w, typ, d)
    elif t == "expression_statement":
        for c in node.named_children:
            expr(w, c)
    elif t == "return_statement":
        val = expr(w, node.named_children[0]) if node.named_children else EMPTY
        w.summary.ret = union(w.summary.ret, val)
        w.summary.returns.append((w.loc(node), val))
        w.ended = True
    elif t == "throw_statement":
        for c in node.named_children:
            expr(w, c)
        w.ended = True
    elif t == "if_statement":
        _if(w, node)
    elif t == "switch_expression":
        _switch(w, node)
    elif t in _LOOPS:
        _loop(w, node)
    elif t in ("try_statement", "try_with_resources_statement"):
        _try(w, node)
    else:
        for c in node.named_children:
            if c.type == "block" or c.type.endswith("statement"):
                stmt(w, c)
            else:
                expr(w, c)


def _if(w: Walk, node: Node) -> None:
    cond = node.child_by_field_name("condition")
    expr(w, cond)
    guards = _guards(w, cond)
    before = dict(w.env)
    _apply(w, guards, True)
    a_ends = _arm(w, node.child_by_field_name("consequence"))
    a = w.env
    w.env, w.ended = dict(before), False
    _apply(w, guards, False)
    b_ends = _arm(w, node.child_by_field_name("alternative"))
    b = w.env
    w.env = join_branches(a, a_ends, b, b_ends)
    w.ended = a_ends and b_ends


def _switch(w: Walk, node: Node) -> Val:
    """Each arm walked from the environment before the switch; after it, the arms that do not return
    (and the path with no matching case, unless there is a `default`) flow on. The value of a switch
    expression is the union of its arrow arms' values."""
    expr(w, node.child_by_field_name("condition"))
    body = node.child_by_field_name("body")
    before, ended = dict(w.env), w.ended
    out: Env = {}
    value: Val = EMPTY
    has_default, all_end = False, True
    for arm in body.named_children if body is not None else []:
        w.env, w.ended = dict(before), False
        for c in arm.named_children:
            if c.type == "switch_label":
                has_default = has_default or text(c).startswith("default")
            elif arm.type == "switch_rule" and c.type == "expression_statement" and c.named_children:
                value = union(value, expr(w, c.named_children[0]))
            elif c.type.endswith("statement") or c.type in ("block", "local_variable_declaration"):
                stmt(w, c)
            else:
                value = union(value, expr(w, c))
        if not w.ended:
            out = merge_envs(out, w.env) if out else w.env
        all_end = all_end and w.ended
    if not has_default:
        out = merge_envs(out, before) if out else before
    w.env = out if out else before
    w.ended = ended or (has_default and all_end)
    return value


def _loop(w: Walk, node: Node) -> None:
    before = dict(w.env)
    if node.type == "enhanced_for_statement":
        name = text(node.child_by_field_name("name"))
        w.types[name] = simple_type(node.child_by_field_name("type"))
        w.env[name] = sub(expr(w, node.child_by_field_name("value")), ELEM)  # one element of the collection
    for c in node.named_children:
        if c.type != "block" and c.type.endswith("expression"):
            expr(w, c)
    body = node.child_by_field_name("body")
    # twice: a value assigned late in the body reaches its start; once below a few nested loops, or the
    # walk would double with each level (its cost must stay linear in the file on any input)
    w.loops += 1
    for _ in range(loop_passes(w.loops)):
        _arm(w, body)
        w.ended = False
    w.loops -= 1
    w.env = merge_envs(before, w.env)


def _try(w: Walk, node: Node) -> None:
    before = dict(w.env)
    for c in node.named_children:
        if c.type == "resource_specification":
            for r in c.named_children:
                if r.type == "resource" and r.child_by_field_name("name") is not None:
                    _declare(w, simple_type(r.child_by_field_name("type")), r)
        elif c.type in ("block", "catch_clause", "finally_clause"):
            blk = c if c.type == "block" else c.child_by_field_name("body") or c.named_children[-1]
            if c.type == "catch_clause":
                _caught(w, c)
            _arm(w, blk)
            ends = w.ended
            w.env, w.ended = merge_envs(before, w.env), False if c.type != "finally_clause" else ends


def _caught(w: Walk, clause: Node) -> None:
    """The caught exception is its message's text (`e.getMessage()`, `"" + e`): returning it is a verbose error."""
    param = next((p for p in clause.named_children if p.type == "catch_formal_parameter"), None)
    name = text(param.child_by_field_name("name")) if param is not None else ""
    if name:
        step = Step(w.loc(clause), f"exception caught as {name}")
        w.env[name] = {Ref(EXC, label=f"the text of exception {name}"): (step,)}


def _arm(w: Walk, node: Node | None) -> bool:
    """Walk a branch or body; True when it ends (returns or throws) on every path."""
    if node is not None:
        stmt(w, node)
    return w.ended
