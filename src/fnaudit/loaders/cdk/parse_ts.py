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
    Expr,
    Import,
    Lit,
    Module,
    Name,
    Obj,
    Other,
    Statement,
    Stmt,
    Tmpl,
)

# Wrappers that do not change the value: `(x)`, `x as T`, `x!`, `x satisfies T`, `await x`.
_SKIPPED = {
    "for_statement": "loop",
    "for_in_statement": "loop",
    "while_statement": "loop",
    "do_statement": "loop",
    "if_statement": "conditional",
    "switch_statement": "conditional",
    "try_statement": "try block",
}
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
    for node in _skipped(tree.root_node):
        out.skipped.append((_line(node), _SKIPPED[node.type]))
    return out


def _skipped(root: Node) -> list[Node]:
    """The loops and conditionals at the top level or in a constructor (what they make is not read)."""
    found: list[Node] = []
    todo = [root]
    while todo:
        node = todo.pop()
        if node.type in _SKIPPED:
            found.append(node)
            continue
        if node.type in ("program", "export_statement", "class_declaration", "class_body", "statement_block"):
            todo.extend(node.named_children)
        elif node.type == "method_definition":
            name = node.child_by_field_name("name")
            body = node.child_by_field_name("body")
            if name is not None and _text(name) == "constructor" and body is not None:
                todo.append(body)
    return sorted(found, key=lambda n: n.start_byte)


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
    body: list[Statement] = []
    for child in node.named_children:
        if child.type == "class_heritage":
            for clause in child.named_children:
                if clause.type == "extends_clause" and clause.named_children:
                    base = _expr(clause.named_children[0])
        elif child.type == "class_body":
            for member in child.named_children:
                if member.type != "method_definition":
                    continue
                mname = member.child_by_field_name("name")
                if mname is None or _text(mname) != "constructor":
                    continue
                plist = member.child_by_field_name("parameters")
                params = tuple(_param(p) for p in (plist.named_children if plist is not None else ()))
                block = member.child_by_field_name("body")
                for stmt in block.named_children if block is not None else ():
                    body.extend(_statement(stmt))
    return ClassDef(name, base, params, tuple(body), _line(node))


def _param(node: Node) -> str:
    pattern = node.child_by_field_name("pattern")
    return _text(pattern) if pattern is not None else _text(node)


def _statement(node: Node) -> list[Statement]:
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
    if kind == "binary_expression":
        left, right, op = (node.child_by_field_name(f) for f in ("left", "right", "operator"))
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
