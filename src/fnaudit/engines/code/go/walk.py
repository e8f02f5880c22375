"""One Go function walked into a `taint.Summary`: Go syntax → the core's operations.

The walk state is one dataclass (`GoWalk`) passed to plain functions. Variables are the environment's
keys; a field read is `sub`, string building (`+`, `fmt.Sprintf`) is `flatten(union(...))`, `if`
arms are joined with `join_branches` (with the guard of the condition applied in the arm where it
holds), loop bodies walked twice. Calls of the module's own functions use their summaries (the
analyser's resolver), so helpers in other files and packages count; closures assigned to local
variables are walked inline at their calls, so what they capture counts too. Calls are recognised
by their qualified name (`exec.Command`) or by the kind of their receiver (sinks.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tree_sitter import Node

from fnaudit.engines.code import ir, urlprefix
from fnaudit.engines.code.go import guards, responses, sinks
from fnaudit.engines.code.go.module import Package, import_name, regexp_literal
from fnaudit.engines.code.go.parse import text
from fnaudit.engines.code.sources import ANY, ELEM
from fnaudit.engines.code.taint import (
    ALL,
    EMPTY,
    Env,
    Ref,
    Summary,
    Val,
    active,
    call_positional,
    clear,
    flatten,
    join_branches,
    loop_passes,
    merge_envs,
    sanitise,
    secrets,
    sub,
    union,
    with_step,
)
from fnaudit.model.code import Step
from fnaudit.model.loc import Loc

# The callee's summary for a call: (qualifier, name, method?) → its summary, None when it is not the
# module's own code. The qualifier is "" for the walk's own package, the import path for `pkg.Func`,
# and for a method the receiver's type text (`*db.Store`; "" when unknown: looked up by name).
Resolver = Callable[[str, str, bool], Summary | None]
MAX_INLINE = 3  # closures inlined inside closures: deeper ones are treated as unknown calls


@dataclass(slots=True)
class GoWalk:
    path: str  # the file, relative to the scan root
    summary: Summary
    resolve: Resolver
    pkg: Package | None = None  # the package the function belongs to (imports, package vars, struct fields)
    env: Env = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)  # local var → the type / constructor that made it
    patterns: dict[str, str] = field(default_factory=dict)  # local var → the regexp literal it compiles
    closures: dict[str, Node] = field(default_factory=dict)  # local var → the func literal bound to it
    literal_fields: dict[int, dict[str, Val]] = field(default_factory=dict)  # struct literal id → field values
    facts: guards.GuardFacts = field(default_factory=guards.GuardFacts)
    depth: int = 0
    loops: int = 0  # how deep in loops the walk is (loop bodies are walked twice only near the top)

    def loc(self, node: Node) -> Loc:
        return Loc(self.path, node.start_point[0] + 1)

    def import_path(self, name: str) -> str | None:
        """The import a package-qualified name refers to (`db` in `db.Run`), None for a local variable."""
        if self.pkg is None or name in self.env or name in self.origins:
            return None
        return self.pkg.aliases.get(name)

    def pattern(self, name: str) -> str | None:
        if name in self.patterns:
            return self.patterns[name]
        return self.pkg.patterns.get(name) if self.pkg is not None else None


def parameters(func: Node) -> list[tuple[str, str]]:
    """(name, type text) of each parameter, in order; `_` or unnamed ones keep their place."""
    out: list[tuple[str, str]] = []
    plist = func.child_by_field_name("parameters")
    for decl in plist.named_children if plist is not None else ():
        if decl.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        type_text = text(decl.child_by_field_name("type"))
        names = [text(n) for n in decl.children_by_field_name("name")] or ["_"]  # `func(string)`: unnamed
        out.extend((name, type_text) for name in names)
    return out


def walk_function(w: GoWalk, func: Node) -> Summary:
    for i, (name, type_text) in enumerate(parameters(func)):
        w.env[name] = {Ref(i): ()}
        w.origins[name] = type_text
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
        _var_declaration(w, node)
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
            w.loops += 1
            for _ in range(loop_passes(w.loops)):  # twice near the top: what one iteration assigns reaches the next
                block(w, body)
            w.loops -= 1
            w.env = merge_envs(before, w.env)
    elif t == "block":
        return block(w, node)
    elif t in ("expression_switch_statement", "type_switch_statement", "select_statement"):
        _cases(w, node)
    elif t == "labeled_statement":
        return any(statement(w, c) for c in node.named_children if c.type != "label_name")
    else:
        for c in node.named_children:  # expression, go, defer, inc/dec statements
            if c.type != "block":
                expr(w, c)
        if t == "expression_statement" and _is_panic(node):
            return True
    return False


def _var_declaration(w: GoWalk, node: Node) -> None:
    specs = list(node.named_children)
    while specs:
        spec = specs.pop(0)
        if spec.type == "var_spec_list":
            specs.extend(spec.named_children)
            continue
        value = spec.child_by_field_name("value")
        names = spec.children_by_field_name("name")
        values = value.named_children if value is not None else []
        vals = [expr(w, e) for e in values]
        type_text = text(spec.child_by_field_name("type"))
        for i, n in enumerate(names):
            _bind(w, text(n), vals[i] if i < len(vals) else EMPTY, n)
            source = values[i] if i < len(values) else None
            _remember(w, text(n), source, type_text)


def _is_panic(node: Node) -> bool:
    call = node.named_children[0] if node.named_children else None
    return (
        call is not None
        and call.type == "call_expression"
        and text(call.child_by_field_name("function")) in ("panic", "log.Fatal", "log.Fatalf", "os.Exit")
    )


def _header(w: GoWalk, clause: Node) -> None:
    if clause.type == "range_clause":
        right = clause.child_by_field_name("right")
        left = clause.child_by_field_name("left")
        v = sub(expr(w, right), ELEM) if right is not None else EMPTY
        names = left.named_children if left is not None else []
        # `for i, r := range xs`: the index is a number; the element is the value
        for i, n in enumerate(names):
            _bind(w, text(n), v if i == 1 else EMPTY, n)
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
    found = guards.guard(w.facts, cond, w.pattern) if cond is not None else ()
    before = dict(w.env)
    _apply_guards(w.env, found, True)
    cons = node.child_by_field_name("consequence")
    body_ends = block(w, cons) if cons is not None else False
    body_env = w.env
    w.env = dict(before)
    _apply_guards(w.env, found, False)
    alt = node.child_by_field_name("alternative")
    other_ends = statement(w, alt) if alt is not None else False
    w.env = join_branches(body_env, body_ends, w.env, other_ends)
    return body_ends and other_ends


def _apply_guards(env: Env, found: tuple[guards.Guard, ...], when: bool) -> None:
    """Sanitise what the condition's guards pin down in the arm where the condition is `when`."""
    for g in found:
        if g.holds_when_true == when:
            for key in g.keys:
                sanitise(env, key, g.kinds, fields=True)


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
    sources = right.named_children
    vals = [expr(w, e) for e in sources]
    op = text(node.child_by_field_name("operator")) or ("=" if node.type == "assignment_statement" else ":=")
    targets = left.named_children
    guards.note_assignment(w.facts, targets, sources)
    for i, target in enumerate(targets):
        # `n, err := strconv.Atoi(x)`: one call, several results; the first carries the value
        v = vals[i] if len(vals) == len(targets) else (vals[0] if i == 0 and vals else EMPTY)
        if op not in ("=", ":="):  # `s += x`: the old text stays part of it
            v = flatten(union(expr(w, target), v))
        if target.type == "identifier":
            _bind(w, text(target), v, target)
            source = sources[i] if len(sources) == len(targets) else (sources[0] if i == 0 and sources else None)
            _remember(w, text(target), source, "")
        elif target.type in ("selector_expression", "index_expression"):
            key = text(target)
            w.env[key] = with_step(v, Step(w.loc(target), f"assigned to {key}")) if v else EMPTY


def _remember(w: GoWalk, name: str, source: Node | None, type_text: str) -> None:
    """What the walk needs later about a variable: the constructor or type it came from (its receiver
    kind), the regexp it compiles, the closure bound to it."""
    w.closures.pop(name, None)
    w.patterns.pop(name, None)
    origin = type_text
    literal = source
    while literal is not None and literal.type == "unary_expression" and literal.named_children:
        literal = literal.named_children[-1]
    if literal is not None and literal.type == "composite_literal":
        for key, v in w.literal_fields.pop(literal.id, {}).items():
            w.env[f"{name}.{key}"] = v
    if source is not None:
        if source.type == "func_literal":
            w.closures[name] = source
        pattern = regexp_literal(source)
        if pattern is not None:
            w.patterns[name] = pattern
        if not origin and source.type in (
            "call_expression",
            "composite_literal",
            "unary_expression",
            "selector_expression",
        ):
            origin = receiver_type(w, source)
    if origin:
        w.origins[name] = origin
    else:
        w.origins.pop(name, None)


def _bind(w: GoWalk, name: str, v: Val, at: Node) -> None:
    if name == "_":
        return
    for key in [k for k in w.env if k.startswith((name + ".", name + "["))]:
        del w.env[key]  # a new value: what was assigned to its fields before is gone
    w.env[name] = with_step(v, Step(w.loc(at), f"assigned to {name}")) if v else EMPTY


def _bind_target(w: GoWalk, target: Node, v: Val, at: Node) -> None:
    """`json.Unmarshal(b, &v)`: the pointed-to variable (or field) now holds the decoded value."""
    while target.type in ("unary_expression", "parenthesized_expression") and target.named_children:
        target = target.child_by_field_name("operand") or target.named_children[-1]
    key = text(target)
    if not key or key == "_":
        return
    w.env[key] = with_step(v, Step(w.loc(at), f"decoded into {key}")) if v else EMPTY


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
        return sub(base, _event_key(field_name, operand))
    if t == "index_expression":
        key = text(node)
        if key in w.env:
            return w.env[key]
        operand = node.child_by_field_name("operand")
        index = node.child_by_field_name("index")
        base = expr(w, operand) if operand is not None else EMPTY
        if index is not None and index.type in ("interpreted_string_literal", "raw_string_literal"):
            return sub(base, text(index)[1:-1])
        if index is not None and index.type == "int_literal":
            return sub(base, ELEM)
        if index is not None:
            expr(w, index)
        return sub(base, ANY)
    if t == "binary_expression":
        op = text(node.child_by_field_name("operator"))
        parts = [expr(w, c) for c in node.named_children]
        if op != "+" or not parts:
            return EMPTY
        # `"https://api.example.com/items/" + id`: a fixed scheme and host, the rest cannot move the request
        return _after_prefix(flatten(union(*parts)), prefix(w, node))
    if t in ("parenthesized_expression", "type_conversion_expression", "slice_expression"):
        vals = [expr(w, c) for c in node.named_children if not c.type.endswith("_type") and c.type != "type_identifier"]
        return union(*vals) if vals else EMPTY
    if t == "unary_expression":
        op = text(node.child_by_field_name("operator"))
        operand = node.child_by_field_name("operand")
        v = expr(w, operand) if operand is not None else EMPTY
        return v if op in ("&", "*", "<-") else EMPTY  # `!x`, `-x`: a bool or a number
    if t == "call_expression":
        return call(w, node)
    if t == "func_literal":
        return EMPTY
    if t == "composite_literal":
        return _composite(w, node)
    for c in node.named_children:  # literals and anything else: their calls still happen
        expr(w, c)
    return EMPTY


def _composite(w: GoWalk, node: Node) -> Val:
    """A literal holds what its elements hold (`Order{ID: id}`: field reads see `id`); a proxy
    response's Location header and HTML body are sinks instead (responses.py)."""
    found = responses.sinks_of(node)
    if found:
        for sink in found:
            w.summary.record(sink.kind, sink.call, w.loc(sink.node), active(expr(w, sink.node), sink.kind))
        _walk_except(w, node, [s.node for s in found])
        return EMPTY
    body = node.child_by_field_name("body")
    vals: list[Val] = []
    fields: dict[str, Val] = {}
    for element in body.named_children if body is not None else ():
        # `{Key: value}`: the value only (a struct's key names a field, never a variable)
        keyed = element.type == "keyed_element" and len(element.named_children) == 2
        value = element.named_children[-1] if keyed else element
        v = union(*(expr(w, c) for c in (value.named_children if value.type == "literal_element" else [value])))
        vals.append(v)
        key = element.named_children[0] if keyed else None
        if key is not None and key.type == "literal_element" and key.named_children:
            key = key.named_children[0]
        if key is not None and key.type in ("identifier", "field_identifier"):
            fields[text(key)] = v
    if fields:
        w.literal_fields[node.id] = fields  # `o := Order{ID: id}`: `o.ID` is exactly `id` (see _remember)
    return union(*vals) if vals else EMPTY


def _walk_except(w: GoWalk, node: Node, done: list[Node]) -> None:
    for c in node.named_children:
        if any(c == d for d in done):
            continue
        if any(c.start_byte <= d.start_byte and d.end_byte <= c.end_byte for d in done):
            _walk_except(w, c, done)
        else:
            expr(w, c)


def _event_key(field_name: str, operand: Node | None) -> str:
    """The event document's key for a Go field of an `events.*` struct (`S3` → `s3`); SQS and SNS
    spell `MessageAttributes` differently, told apart by the field before it."""
    if field_name in sinks.SQS_FIELDS:
        parent = text(operand.child_by_field_name("field")) if operand is not None else ""
        return field_name if parent == "SNS" else sinks.SQS_FIELDS[field_name]
    return sinks.EVENT_FIELDS.get(field_name, field_name)


def receiver_type(w: GoWalk, node: Node) -> str:
    """The type or constructor text a receiver expression comes from (`*sql.DB`, `gob.NewDecoder`), ""
    when unknown: a local's origin, a package var's type, a struct field's type, a call chain's start."""
    while node.type in ("parenthesized_expression", "unary_expression") and node.named_children:
        node = node.named_children[-1]
    if node.type == "identifier":
        name = text(node)
        if name in w.origins:
            return w.origins[name]
        return w.pkg.var_types.get(name, "") if w.pkg is not None and name not in w.env else ""
    if node.type == "selector_expression":
        operand = node.child_by_field_name("operand")
        package = w.import_path(text(operand)) if operand is not None and operand.type == "identifier" else None
        if package is not None:  # `http.DefaultClient`, by the package's own name
            return f"{import_name(package)}.{text(node.child_by_field_name('field'))}"
        field_name = text(node.child_by_field_name("field"))
        return w.pkg.field_types.get(field_name, "") if w.pkg is not None else ""
    if node.type == "composite_literal":
        return text(node.child_by_field_name("type"))
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        if fn is None or fn.type != "selector_expression":
            return text(fn)
        operand = fn.child_by_field_name("operand")
        package = w.import_path(text(operand)) if operand is not None and operand.type == "identifier" else None
        if package is not None:  # `sqlx.Connect`, `template.New` (`tt.New` of `tt "text/template"` too)
            return f"{import_name(package)}.{text(fn.child_by_field_name('field'))}"
        if text(fn.child_by_field_name("field")) in sinks.PREPARE_METHODS:
            return "Stmt"  # `stmt, _ := db.Prepare(q)`: `stmt.Exec(x)` binds x
        return receiver_type(w, operand) if operand is not None else ""  # `db.Where(…).Raw`: the chain's start
    return ""


def receiver_kind(w: GoWalk, node: Node) -> str:
    type_text = receiver_type(w, node)
    return next((kind for marker, kind in sinks.RECEIVER_KINDS if marker in type_text), "")


def call(w: GoWalk, node: Node) -> Val:
    fn = node.child_by_field_name("function")
    args_node = node.child_by_field_name("arguments")
    arg_nodes = [a for a in args_node.named_children if a.type != "comment"] if args_node is not None else []
    args = [expr(w, a) for a in arg_nodes]
    name = text(fn)
    loc = w.loc(node)
    operand = fn.child_by_field_name("operand") if fn is not None and fn.type == "selector_expression" else None
    method = text(fn.child_by_field_name("field")) if operand is not None and fn is not None else ""
    package = w.import_path(text(operand)) if operand is not None and operand.type == "identifier" else None
    recv: Val = EMPTY
    if operand is not None and package is None:
        recv = expr(w, operand)  # `exec.Command(x).Run()`: the inner call is a sink too
    # the call by its package's own name, whatever the file calls it (`tt "text/template"` → template.New)
    qualified = f"{import_name(package)}.{method}" if package is not None else name

    if fn is not None and fn.type == "identifier" and name in w.closures and w.depth < MAX_INLINE:
        return _inline(w, w.closures[name], args, loc, name)
    if fn is not None and fn.type == "func_literal" and w.depth < MAX_INLINE:  # `go func() {…}()`, `defer func…`
        return _inline(w, fn, args, loc, "func literal")
    for a in arg_nodes:  # a callback (`g.Go(func() error {…})`): its body runs with what it captures
        if a.type == "func_literal" and w.depth < MAX_INLINE:
            _inline(w, a, [], loc, "callback")
    if qualified in sinks.ENV_READS:
        first = arg_nodes[0] if arg_nodes else None
        name_text = text(first)[1:-1] if first is not None and first.type == "interpreted_string_literal" else None
        return secrets.env_read(name_text, loc)
    if qualified in sinks.WHOLE_ENV:
        return secrets.whole_environment(name, loc)
    if _is_log(w, qualified, operand, method, arg_nodes):
        logged = union(*args[1:]) if qualified in sinks.FPRINT else union(recv, *args)
        # a value cleared for logging (a number parsed from the event) is not part of it
        w.summary.record("log", name, loc, {r: st for r, st in logged.items() if "log" not in r.cleared})
        return EMPTY
    kinds = sinks.SANITISERS.get(qualified)
    if kinds is not None:
        return EMPTY if kinds is ALL else clear(union(*args), kinds)
    if qualified in sinks.COMMANDS:
        _command(w, qualified, arg_nodes, args, loc)
        return EMPTY
    sink = sinks.FUNCTION_SINKS.get(qualified)
    if sink is not None:
        kind, index = sink
        v = args[index] if index < len(args) else EMPTY
        w.summary.record(kind, name, loc, active(v, kind))
        return EMPTY
    if qualified in sinks.DECODERS and len(arg_nodes) >= 2:
        _bind_target(w, arg_nodes[-1], union(*args[:-1]), node)
        return EMPTY
    if qualified == "fmt.Sprintf" and arg_nodes:
        template = prefix(w, arg_nodes[0])
        built = flatten(union(*args[1:]))
        return _after_prefix(built, urlprefix.format_prefix(template, "%") if template is not None else None)
    if package is not None:
        return _package_call(w, package, method, name, args, loc)
    if operand is not None:
        return _method_call(w, node, operand, method, name, args, recv, arg_nodes)
    if fn is not None and fn.type == "identifier":
        callee = w.resolve("", name, False)
        if callee is not None:
            return call_positional(callee, args, w.summary, loc, name)
    # fmt.Sprintf, strings.*, and any other call: text built from its arguments
    return flatten(union(*args)) if args and any(args) else EMPTY


def prefix(w: GoWalk, node: Node) -> str | None:
    """The constant text a string expression starts with (a literal, a package constant, the left
    end of a `+`), None when it starts with something computed."""
    if node.type in ("interpreted_string_literal", "raw_string_literal"):
        return text(node)[1:-1]
    if node.type == "identifier" and w.pkg is not None and text(node) not in w.env:
        return w.pkg.constants.get(text(node))
    if node.type == "parenthesized_expression" and node.named_children:
        return prefix(w, node.named_children[0])
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        head = prefix(w, left) if left is not None else None
        if head is not None and left is not None and _constant(w, left) and right is not None:
            return head + (prefix(w, right) or "")  # `"https://" + "api.example.com/" + x`
        return head
    return None


def _constant(w: GoWalk, node: Node) -> bool:
    if node.type in ("interpreted_string_literal", "raw_string_literal"):
        return True
    if node.type == "identifier":
        return w.pkg is not None and text(node) not in w.env and text(node) in w.pkg.constants
    if node.type == "binary_expression":
        return all(_constant(w, c) for c in node.named_children)
    return False


def _after_prefix(v: Val, head: str | None) -> Val:
    kinds = urlprefix.cleared_kinds(head)
    return clear(v, kinds) if kinds and v else v


def _is_log(w: GoWalk, qualified: str, operand: Node | None, method: str, arg_nodes: list[Node]) -> bool:
    if qualified in sinks.LOG_FUNCTIONS:
        return True
    if qualified in sinks.FPRINT:
        return bool(arg_nodes) and text(arg_nodes[0]) in ("os.Stdout", "os.Stderr")
    if operand is None or method not in sinks.LOG_METHODS:
        return False
    root = text(operand).split(".")[-1].split("(")[0]  # `h.logger.Info`, `log.With(…).Info`
    return root.endswith(sinks.LOGGER_SUFFIXES) or receiver_kind(w, operand) == "logger"


def _package_call(w: GoWalk, package: str, method: str, name: str, args: list[Val], loc: Loc) -> Val:
    callee = w.resolve(package, method, False)  # a package of the same module (analyse.py decides)
    if callee is not None:
        return call_positional(callee, args, w.summary, loc, name)
    return flatten(union(*args)) if args and any(args) else EMPTY


def _method_call(
    w: GoWalk, node: Node, operand: Node, method: str, name: str, args: list[Val], recv: Val, arg_nodes: list[Node]
) -> Val:
    loc = w.loc(node)
    kind = receiver_kind(w, operand)
    table = {
        "sql": sinks.SQL_METHODS,
        "sqlx": sinks.SQLX_METHODS,
        "gorm": sinks.GORM_METHODS,
        "": sinks.UNTYPED_SQL_METHODS,
    }.get(kind)
    if table is not None and method in table:
        index = table[method]
        v = args[index] if index < len(args) else EMPTY
        w.summary.record(ir.SQL, name, loc, active(v, ir.SQL))
        return recv if kind == "gorm" else EMPTY  # gorm chains: the query object goes on
    if kind == "http" and method in sinks.HTTP_CLIENT_METHODS:
        v = args[0] if args else EMPTY
        w.summary.record(ir.SSRF, name, loc, active(v, ir.SSRF))
        return EMPTY
    if kind == "template" and method == "Parse":
        v = args[0] if args else EMPTY
        w.summary.record(ir.TEMPLATE, name, loc, active(v, ir.TEMPLATE))
        return EMPTY
    if method == "Decode" and arg_nodes:  # `json.NewDecoder(r).Decode(&v)`: v holds what r reads
        if kind == "gob":
            w.summary.record(ir.DESERIALIZATION, name, loc, active(recv, ir.DESERIALIZATION))
        _bind_target(w, arg_nodes[0], recv, node)
        return EMPTY
    if method in ("WriteString", "Write", "WriteByte", "WriteRune") and operand.type == "identifier" and args:
        key = text(operand)  # a `strings.Builder` / `bytes.Buffer` holds what is written to it
        w.env[key] = flatten(union(w.env.get(key, EMPTY), *args))
        return EMPTY
    callee = w.resolve(receiver_type(w, operand), method, True)
    if callee is not None:
        return call_positional(callee, args, w.summary, loc, name)
    # `u.String()`, `u.Query().Get("x")`: a value read off the receiver
    return flatten(union(recv, *args)) if recv or any(args) else EMPTY


def _command(w: GoWalk, qualified: str, arg_nodes: list[Node], args: list[Val], loc: Loc) -> None:
    """Without a shell only the program is a command (its arguments are data); with `sh -c` the script is too."""
    program = sinks.COMMANDS[qualified]
    if program >= len(args):
        return
    values = [args[program]]
    literal = arg_nodes[program]
    if literal.type == "interpreted_string_literal" and text(literal)[1:-1] in sinks.SHELLS:
        values.extend(args[program + 1 :])
    w.summary.record(ir.COMMAND, qualified, loc, active(union(*values), ir.COMMAND))


def _inline(w: GoWalk, literal: Node, args: list[Val], loc: Loc, name: str) -> Val:
    """A closure bound to a local variable, walked at its call with the caller's environment (what it
    captures) and its parameters bound to the arguments; its events are the caller's."""
    inner = GoWalk(w.path, Summary([]), w.resolve, w.pkg, dict(w.env), dict(w.origins), dict(w.patterns))
    inner.closures = dict(w.closures)
    inner.depth = w.depth + 1
    step = Step(loc, f"passed to {name}()")
    for i, (param, _) in enumerate(parameters(literal)):
        inner.env[param] = with_step(args[i], step) if i < len(args) and args[i] else EMPTY
    body = literal.child_by_field_name("body")
    if body is not None:
        block(inner, body)
    w.summary.events.extend(inner.summary.events)
    return with_step(inner.summary.ret, Step(loc, f"returned from {name}()")) if inner.summary.ret else EMPTY
