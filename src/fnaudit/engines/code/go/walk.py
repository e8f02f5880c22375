"""One Go function walked into a `taint.Summary`: Go syntax → the core's operations.

The walk state is one dataclass (`GoWalk`) passed to plain functions. Variables are the environment's
keys; a field read is `sub`, string building (`+`, `fmt.Sprintf`) is `flatten(union(...))`, `if`
arms are joined with `join_branches`, loop bodies walked twice. Calls of the package's own
functions use their summaries (`Package.summary`), so helpers in other files of the package count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tree_sitter import Node

from fnaudit.engines.code import ir
from fnaudit.engines.code.go import sinks
from fnaudit.engines.code.go.parse import text
from fnaudit.engines.code.sources import ANY, ELEM
from fnaudit.engines.code.taint import (
    EMPTY,
    Env,
    Ref,
    Summary,
    Val,
    active,
    apply_events,
    bind_arguments,
    flatten,
    join_branches,
    merge_envs,
    returned,
    sub,
    union,
    with_step,
)
from fnaudit.model.code import Step
from fnaudit.model.loc import Loc

# the callee's summary for a call of the package's own function by name (None: not the package's)
Resolver = Callable[[str], Summary | None]


@dataclass(slots=True)
class GoWalk:
    path: str  # the file, relative to the scan root
    summary: Summary
    resolve: Resolver
    env: Env = field(default_factory=dict)

    def loc(self, node: Node) -> Loc:
        return Loc(self.path, node.start_point[0] + 1)


def parameters(func: Node) -> list[tuple[str, str]]:
    """(name, type text) of each parameter, in order; `_` or unnamed ones keep their place."""
    out: list[tuple[str, str]] = []
    plist = func.child_by_field_name("parameters")
    for decl in plist.named_children if plist is not None else ():
        type_text = text(decl.child_by_field_name("type"))
        names = [text(n) for n in decl.children_by_field_name("name")] or ["_"]  # `func(string)`: unnamed
        out.extend((name, type_text) for name in names)
    return out


def walk_function(w: GoWalk, func: Node) -> Summary:
    for i, (name, _) in enumerate(parameters(func)):
        w.env[name] = {Ref(i): ()}
    body = func.child_by_field_name("body")
    if body is not None:
        block(w, body)
    return w.summary


def block(w: GoWalk, node: Node) -> bool:
    """Walk the statements; True when the block always ends (return, panic)."""
    return any(statement(w, stmt) for stmt in _statements(node))


def _statements(node: Node) -> list[Node]:
    out: list[Node] = []
    for c in node.named_children:
        if c.type == "statement_list":
            out.extend(c.named_children)
        else:
            out.append(c)
    return out


def statement(w: GoWalk, node: Node) -> bool:
    t = node.type
    if t in ("short_var_declaration", "assignment_statement"):
        _assign(w, node)
    elif t == "var_declaration":
        for spec in node.named_children:
            value = spec.child_by_field_name("value")
            names = spec.children_by_field_name("name")
            vals = [expr(w, e) for e in value.named_children] if value is not None else []
            for i, n in enumerate(names):
                _bind(w, text(n), vals[i] if i < len(vals) else EMPTY, n)
    elif t == "return_statement":
        for lst in node.named_children:
            for e in lst.named_children if lst.type == "expression_list" else (lst,):
                v = expr(w, e)
                w.summary.ret = union(w.summary.ret, v)
                w.summary.returns.append((w.loc(node), v))
        return True
    elif t == "if_statement":
        return _if(w, node)
    elif t == "for_statement":
        for c in node.named_children:
            if c.type in ("for_clause", "range_clause"):
                _header(w, c)
        body = node.child_by_field_name("body")
        if body is not None:
            before = dict(w.env)
            for _ in range(2):  # twice: what one iteration assigns reaches the next
                block(w, body)
            w.env = merge_envs(before, w.env)
    elif t == "block":
        return block(w, node)
    elif t in ("expression_switch_statement", "type_switch_statement", "select_statement"):
        _cases(w, node)
    else:
        for c in node.named_children:  # expression, go, defer, inc/dec statements
            if c.type != "block":
                expr(w, c)
        if t == "expression_statement" and _is_panic(node):
            return True
    return False


def _is_panic(node: Node) -> bool:
    call = node.named_children[0] if node.named_children else None
    return (
        call is not None
        and call.type == "call_expression"
        and text(call.child_by_field_name("function"))
        in (
            "panic",
            "log.Fatal",
            "log.Fatalf",
            "os.Exit",
        )
    )


def _header(w: GoWalk, clause: Node) -> None:
    if clause.type == "range_clause":
        right = clause.child_by_field_name("right")
        left = clause.child_by_field_name("left")
        v = sub(expr(w, right), ELEM) if right is not None else EMPTY
        for n in left.named_children if left is not None else ():
            _bind(w, text(n), v, n)
        return
    init = clause.child_by_field_name("initializer")
    if init is not None:
        statement(w, init)


def _if(w: GoWalk, node: Node) -> bool:
    init = node.child_by_field_name("initializer")
    if init is not None:
        statement(w, init)
    cond = node.child_by_field_name("condition")
    if cond is not None:
        expr(w, cond)
    before = dict(w.env)
    cons = node.child_by_field_name("consequence")
    body_ends = block(w, cons) if cons is not None else False
    body_env = w.env
    w.env = dict(before)
    alt = node.child_by_field_name("alternative")
    other_ends = statement(w, alt) if alt is not None else False
    w.env = join_branches(body_env, body_ends, w.env, other_ends)
    return body_ends and other_ends


def _cases(w: GoWalk, node: Node) -> None:
    before = dict(w.env)
    out = dict(before)
    for c in node.named_children:
        if c.type.endswith("_case") or c.type == "default_case":
            w.env = dict(before)
            ends = block(w, c)
            if not ends:
                out = merge_envs(out, w.env)
        elif c.type not in ("block",):
            expr(w, c)
    w.env = out


def _assign(w: GoWalk, node: Node) -> None:
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    if left is None or right is None:
        return
    vals = [expr(w, e) for e in right.named_children]
    op = text(node.child_by_field_name("operator")) or ("=" if node.type == "assignment_statement" else ":=")
    targets = left.named_children
    for i, target in enumerate(targets):
        # `n, err := strconv.Atoi(x)`: one call, several results; the first carries the value
        v = vals[i] if len(vals) == len(targets) else (vals[0] if i == 0 and vals else EMPTY)
        if op not in ("=", ":="):  # `s += x`: the old text stays part of it
            v = flatten(union(expr(w, target), v))
        if target.type == "identifier":
            _bind(w, text(target), v, target)
        elif target.type in ("selector_expression", "index_expression"):
            key = text(target)
            w.env[key] = with_step(v, Step(w.loc(target), f"assigned to {key}")) if v else EMPTY


def _bind(w: GoWalk, name: str, v: Val, at: Node) -> None:
    if name == "_":
        return
    w.env[name] = with_step(v, Step(w.loc(at), f"assigned to {name}")) if v else EMPTY


def expr(w: GoWalk, node: Node) -> Val:
    t = node.type
    if t == "identifier":
        return w.env.get(text(node), EMPTY)
    if t == "selector_expression":
        key = text(node)
        if key in w.env:
            return w.env[key]
        field_name = text(node.child_by_field_name("field"))
        operand = node.child_by_field_name("operand")
        base = expr(w, operand) if operand is not None else EMPTY
        return sub(base, sinks.EVENT_FIELDS.get(field_name, field_name))
    if t == "index_expression":
        key = text(node)
        if key in w.env:
            return w.env[key]
        operand = node.child_by_field_name("operand")
        index = node.child_by_field_name("index")
        base = expr(w, operand) if operand is not None else EMPTY
        if index is not None and index.type == "interpreted_string_literal":
            return sub(base, text(index)[1:-1])
        if index is not None and index.type == "int_literal":
            return sub(base, ELEM)
        return sub(base, ANY)
    if t == "binary_expression":
        op = text(node.child_by_field_name("operator"))
        parts = [expr(w, c) for c in node.named_children]
        return flatten(union(*parts)) if op == "+" and parts else EMPTY
    if t in ("parenthesized_expression", "unary_expression", "type_conversion_expression"):
        vals = [expr(w, c) for c in node.named_children if c.type not in ("type_identifier", "qualified_type")]
        return union(*vals) if vals else EMPTY
    if t == "call_expression":
        return call(w, node)
    if t == "func_literal":
        return EMPTY
    for c in node.named_children:  # literals and anything else: their calls still happen
        expr(w, c)
    return EMPTY


def call(w: GoWalk, node: Node) -> Val:
    fn = node.child_by_field_name("function")
    args_node = node.child_by_field_name("arguments")
    arg_nodes = [a for a in args_node.named_children if a.type != "comment"] if args_node is not None else []
    args = [expr(w, a) for a in arg_nodes]
    name = text(fn)
    loc = w.loc(node)
    if fn is not None and fn.type == "selector_expression":
        operand = fn.child_by_field_name("operand")
        if operand is not None and operand.type != "identifier":
            expr(w, operand)  # `exec.Command(x).Run()`: the inner call is a sink too
    if name in sinks.SANITISERS:
        return EMPTY
    sink = sinks.FUNCTION_SINKS.get(name)
    if sink is not None:
        kind, index = sink
        v = union(*args) if index < 0 else (args[index] if index < len(args) else EMPTY)
        w.summary.record(kind, name, loc, active(v, kind))
        return EMPTY
    method = text(fn.child_by_field_name("field")) if fn is not None and fn.type == "selector_expression" else ""
    if method in sinks.SQL_METHODS and name.split(".")[0] not in ("fmt", "strings", "regexp"):
        index = sinks.SQL_METHODS[method]
        v = args[index] if index < len(args) else EMPTY
        w.summary.record(ir.SQL, name, loc, active(v, ir.SQL))
        return EMPTY
    if fn is not None and fn.type == "identifier":
        callee = w.resolve(name)
        if callee is not None:
            bound = bind_arguments(callee.params, args, {}, None, Step(loc, f"passed to {name}()"))
            apply_events(callee, bound, w.summary)
            return returned(callee, bound, loc, name)
    # fmt.Sprintf, strings.*, and any other call: text built from its arguments
    return flatten(union(*args)) if args and any(args) else EMPTY
