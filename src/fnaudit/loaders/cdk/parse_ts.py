"""A TypeScript or JavaScript CDK file (`bin/app.ts`, `lib/stack.ts`) → `syntax.Module`, with the
tree-sitter TypeScript grammar (the code engine's; JavaScript parses with it too). Nothing is run."""

from __future__ import annotations

from functools import cache

from tree_sitter import Language, Node, Parser

from fnaudit.loaders.cdk.syntax import (
    Arr,
    Assign,
    Attr,
    Call,
    ClassDef,
    Cond,
    Expr,
    For,
    FuncDef,
    If,
    Import,
    Lambda,
    Lit,
    Module,
    Name,
    Obj,
    Op,
    Other,
    Param,
    Pattern,
    Return,
    Skip,
    Statement,
    Stmt,
    Tmpl,
)

# Statements not interpreted (a counting `for (;;)`, `while`, `switch`, `try`): a `Skip`, said when met.
_SKIPPED = {
    "for_statement": "loop",
    "while_statement": "loop",
    "do_statement": "loop",
    "switch_statement": "conditional",
    "try_statement": "try block",
}
_COMPARE = {"===": "==", "==": "==", "!==": "!=", "!=": "!=", "&&": "&&", "||": "||", "??": "??"}
# Wrappers that do not change the value: `(x)`, `x as T`, `x!`, `x satisfies T`, `await x`.
_TRANSPARENT = frozenset(
    {"parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression", "await_expression"}
)


@cache
def _parser() -> Parser:
    import tree_sitter_typescript as tst

    return Parser(Language(tst.language_typescript()))


def parse_typescript(text: str, rel: str) -> Module:
    data = text.encode("utf-8")
    tree = _parser().parse(data)
    out = Module(rel)
    for node in tree.root_node.named_children:
        _top(node, out)
    return out


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _line(node: Node) -> int:
    return node.start_point[0] + 1


def _top(node: Node, out: Module) -> None:
    if node.type == "export_statement":
        decl = node.child_by_field_name("declaration")
        if decl is not None:
            _top(decl, out)
        return
    if node.type == "import_statement":
        _import(node, out)
        return
    if node.type == "function_declaration":
        fn = _function(node)
        if fn is not None:
            out.functions[fn.name] = fn
        return
    if node.type in ("class_declaration", "class"):
        cls = _class(node)
        if cls is not None:
            out.classes[cls.name] = cls
        return
    if node.type in ("lexical_declaration", "variable_declaration"):
        for decl in node.named_children:
            if decl.type != "variable_declarator":
                continue
            name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
            if name is None or value is None:
                continue
            required = _require(value)
            if required is not None and name.type == "identifier":
                out.imports[_text(name)] = Import(required, None)
            elif required is not None and name.type == "object_pattern":
                for prop in name.named_children:
                    if prop.type == "shorthand_property_identifier_pattern":
                        out.imports[_text(prop)] = Import(required, _text(prop))
            elif value.type in ("class", "class_expression") and name.type == "identifier":
                cls = _class(value, _text(name))
                if cls is not None:
                    out.classes[cls.name] = cls
            else:
                out.body.extend(_statement(node))
                return
        return
    out.body.extend(_statement(node))


def _require(value: Node) -> str | None:
    """`require('aws-cdk-lib/aws-lambda')` → the module named."""
    if value.type != "call_expression":
        return None
    func, args = value.child_by_field_name("function"), value.child_by_field_name("arguments")
    if func is None or _text(func) != "require" or args is None or not args.named_children:
        return None
    first = args.named_children[0]
    return _string(first) if first.type == "string" else None


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}


def _string(node: Node) -> str:
    parts = []
    for c in node.named_children:
        if c.type == "string_fragment":
            parts.append(_text(c))
        elif c.type == "escape_sequence":
            parts.append(_unescape(_text(c)))
    return "".join(parts)


def _unescape(seq: str) -> str:
    """`\\n` → a newline, `\\'` → `'`; `\\u0041` forms → the character."""
    body = seq[1:]
    if body[:1] in ("u", "x") and len(body) > 1:
        try:
            return chr(int(body[1:].strip("{}"), 16))
        except ValueError:
            return seq
    return _ESCAPES.get(body, body)


def _import(node: Node, out: Module) -> None:
    for clause in node.named_children:  # `import lambda = require('aws-cdk-lib/aws-lambda')`
        src = clause.child_by_field_name("source") if clause.type == "import_require_clause" else None
        names = [c for c in clause.named_children if c.type == "identifier"]
        if src is not None and names:
            out.imports[_text(names[0])] = Import(_string(src), None)
    source = node.child_by_field_name("source")
    if source is None:
        return
    module = _string(source)
    for clause in node.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":  # default import
                out.imports[_text(part)] = Import(module, "default")
            elif part.type == "namespace_import":
                ids = [c for c in part.named_children if c.type == "identifier"]
                if ids:
                    out.imports[_text(ids[0])] = Import(module, None)
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    name = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias")
                    if name is not None:
                        out.imports[_text(alias or name)] = Import(module, _text(name))


def _class(node: Node, name_hint: str | None = None) -> ClassDef | None:
    name_node = node.child_by_field_name("name")
    name = _text(name_node) if name_node is not None else name_hint
    if not name:
        return None
    base: Expr | None = None
    params: tuple[str, ...] = ()
    defaults: tuple[Expr | None, ...] = ()
    body: list[Statement] = []
    methods: list[FuncDef] = []
    for child in node.named_children:
        if child.type == "class_heritage":
            for clause in child.named_children:
                if clause.type == "extends_clause" and clause.named_children:
                    base = _expr(clause.named_children[0])
        elif child.type == "class_body":
            for member in child.named_children:
                if member.type != "method_definition":
                    continue
                fn = _function(member)
                if fn is None:
                    continue
                if fn.name != "constructor":
                    methods.append(fn)
                    continue
                params = tuple(p.pattern.names[0][1] if p.pattern.kind == "name" else "" for p in fn.params)
                defaults = tuple(p.default for p in fn.params)
                body.extend(fn.body)
    return ClassDef(name, base, params, tuple(body), _line(node), tuple(methods), defaults)


def _function(node: Node, name_hint: str = "") -> FuncDef | None:
    """A function declaration, a method, an arrow function or a function expression."""
    name_node = node.child_by_field_name("name")
    name = _text(name_node) if name_node is not None else name_hint
    plist = node.child_by_field_name("parameters")
    single = node.child_by_field_name("parameter")  # `x => ...`
    params: list[Param] = []
    for p in [single] if single is not None else (plist.named_children if plist is not None else []):
        if p.type == "identifier":
            params.append(Param(Pattern("name", (("", _text(p)),)), None))
            continue
        if p.type not in ("required_parameter", "optional_parameter"):
            continue
        pattern, default = _pattern(p.child_by_field_name("pattern")), p.child_by_field_name("value")
        if pattern is None:  # `this: T`, a rest parameter: a name that stays unknown
            pattern = Pattern("name", (("", ""),))
        params.append(Param(pattern, _expr(default) if default is not None else None))
    body = node.child_by_field_name("body")
    if body is None:
        return None
    if body.type == "statement_block":
        stmts = tuple(s for c in body.named_children for s in _statement(c))
    else:  # `(x) => expr`
        stmts = (Return(_expr(body), _line(body)),)
    return FuncDef(name, tuple(params), stmts, _line(node))


def _pattern(node: Node | None) -> Pattern | None:
    if node is None:
        return None
    if node.type == "identifier":
        return Pattern("name", (("", _text(node)),))
    if node.type == "array_pattern":
        names = [(str(i), _text(c)) for i, c in enumerate(node.named_children) if c.type == "identifier"]
        if len(names) == len(node.named_children):
            return Pattern("array", tuple(names))
        return None
    if node.type == "object_pattern":
        pairs: list[tuple[str, str]] = []
        defaults: list[tuple[str, Expr]] = []
        for c in node.named_children:
            if c.type == "shorthand_property_identifier_pattern":
                pairs.append((_text(c), _text(c)))
            elif c.type == "object_assignment_pattern":
                left, right = c.child_by_field_name("left"), c.child_by_field_name("right")
                if left is None or right is None or left.type != "shorthand_property_identifier_pattern":
                    return None
                pairs.append((_text(left), _text(left)))
                defaults.append((_text(left), _expr(right)))
            elif c.type == "pair_pattern":
                key, value = c.child_by_field_name("key"), c.child_by_field_name("value")
                if key is not None and value is not None and value.type == "identifier":
                    pairs.append((_text(key), _text(value)))
                else:
                    return None  # a default inside a pattern, a nested pattern: not read
            else:
                return None
        return Pattern("object", tuple(pairs), tuple(defaults))
    return None


def _block(node: Node | None) -> tuple[Statement, ...]:
    if node is None:
        return ()
    if node.type == "else_clause":
        return tuple(s for c in node.named_children for s in _statement(c))
    return tuple(_statement(node))


def _statement(node: Node) -> list[Statement]:
    if node.type == "statement_block":
        return [s for c in node.named_children for s in _statement(c)]
    if node.type in _SKIPPED:  # what these make needs running the app: said when met, not guessed
        return [Skip(_SKIPPED[node.type], _line(node))]
    if node.type == "for_in_statement":
        left, right, op = (node.child_by_field_name(f) for f in ("left", "right", "operator"))
        bound = _pattern(left)
        if bound is None or right is None or op is None:
            return [Skip("loop", _line(node))]
        source = _expr(right)
        if _text(op) == "in":  # `for (const k in obj)`: the keys
            source = Call(Attr(Name("Object", _line(node)), "keys", _line(node)), (source,), (), _line(node))
        return [For(bound, source, _block(node.child_by_field_name("body")), _line(node))]
    if node.type == "if_statement":
        cond = node.child_by_field_name("condition")
        if cond is None:
            return [Skip("conditional", _line(node))]
        then = _block(node.child_by_field_name("consequence"))
        return [If(_expr(cond), then, _block(node.child_by_field_name("alternative")), _line(node))]
    if node.type == "return_statement":
        value = next((c for c in node.named_children if c.type != "comment"), None)
        return [Return(_expr(value) if value is not None else None, _line(node))]
    if node.type == "function_declaration":
        fn = _function(node)
        return [Assign(fn.name, Lambda(fn.params, fn.body, fn.line), fn.line)] if fn is not None else []
    if node.type in ("lexical_declaration", "variable_declaration"):
        out: list[Statement] = []
        for decl in node.named_children:
            name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
            if (
                decl.type == "variable_declarator"
                and name is not None
                and value is not None
                and name.type == "identifier"
            ):
                out.append(Assign(_text(name), _expr(value), _line(decl)))
        return out
    if node.type == "expression_statement" and node.named_children:
        expr = node.named_children[0]
        if expr.type == "assignment_expression":
            left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
            if left is None or right is None:
                return []
            target = _text(left).replace("?.", ".")
            if left.type == "identifier" or (target.startswith("this.") and target.count(".") == 1):
                return [Assign(target, _expr(right), _line(expr))]
            return []
        return [Stmt(_expr(expr), _line(expr))]
    return []  # loops, conditionals, functions: not interpreted


def _numeric(e: Expr) -> bool:
    return isinstance(e, Lit) and not isinstance(e.value, str)


def _expr(node: Node) -> Expr:
    line = _line(node)
    kind = node.type
    if kind in _TRANSPARENT and node.named_children:
        return _expr(node.named_children[0])
    if kind == "string":
        return Lit(_string(node), line)
    if kind == "number":
        text = _text(node).replace("_", "")
        try:
            return Lit(int(text), line)
        except ValueError:
            try:
                return Lit(float(text), line)
            except ValueError:
                return Other(text, line)
    if kind in ("true", "false"):
        return Lit(kind == "true", line)
    if kind in ("null", "undefined"):
        return Lit(None, line)
    if kind == "identifier":
        return Name(_text(node), line)
    if kind == "this":
        return Name("this", line)
    if kind == "member_expression":
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        if obj is not None and prop is not None and prop.type == "property_identifier":
            return Attr(_expr(obj), _text(prop), line)
    if kind == "subscript_expression":  # `cfg['name']`, `fns[0]`: read as a property
        obj, index = node.child_by_field_name("object"), node.child_by_field_name("index")
        if obj is not None and index is not None and index.type in ("string", "number"):
            return Attr(_expr(obj), _string(index) if index.type == "string" else _text(index), line)
    if kind in ("call_expression", "new_expression"):
        func = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        args = node.child_by_field_name("arguments")
        if func is not None:
            items = tuple(_expr(a) for a in (args.named_children if args is not None else ()) if a.type != "comment")
            return Call(_expr(func), items, (), line)
    if kind == "object":
        pairs: list[tuple[str, Expr, int]] = []
        for child in node.named_children:
            if child.type == "pair":
                key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
                if key is None or value is None:
                    continue
                name = _string(key) if key.type == "string" else _text(key)
                pairs.append((name, _expr(value), _line(child)))
            elif child.type == "shorthand_property_identifier":
                pairs.append((_text(child), Name(_text(child), _line(child)), _line(child)))
        return Obj(tuple(pairs), line)
    if kind in ("arrow_function", "function_expression", "function"):
        fn = _function(node)
        if fn is not None:
            return Lambda(fn.params, fn.body, line)
    if kind == "ternary_expression":
        test, then, orelse = (node.child_by_field_name(f) for f in ("condition", "consequence", "alternative"))
        if test is not None and then is not None and orelse is not None:
            return Cond(_expr(test), _expr(then), _expr(orelse), line)
    if kind == "unary_expression":
        op, arg = node.child_by_field_name("operator"), node.child_by_field_name("argument")
        if op is not None and arg is not None and _text(op) == "!":
            return Op("!", (_expr(arg),), line)
    if kind == "binary_expression":
        left, right, op = (node.child_by_field_name(f) for f in ("left", "right", "operator"))
        if left is not None and right is not None and op is not None and _text(op) in _COMPARE:
            return Op(_COMPARE[_text(op)], (_expr(left), _expr(right)), line)
        if left is not None and right is not None and op is not None and _text(op) == "+":
            sides = (_expr(left), _expr(right))
            if any(isinstance(x, (Tmpl, Lit)) and not _numeric(x) for x in sides):  # text joined, not a sum
                return Tmpl(tuple(p for x in sides for p in (x.parts if isinstance(x, Tmpl) else (x,))), line)
    if kind == "array":
        return Arr(tuple(_expr(c) for c in node.named_children if c.type != "comment"), line)
    if kind == "template_string":
        parts: list[str | Expr] = []
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(_text(child))
            elif child.type == "escape_sequence":
                parts.append(_unescape(_text(child)))
            elif child.type == "template_substitution" and child.named_children:
                parts.append(_expr(child.named_children[0]))
        return Tmpl(tuple(parts), line)
    return Other(_text(node)[:80], line)
