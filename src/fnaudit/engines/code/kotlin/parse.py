"""Kotlin syntax: the tree-sitter parser, text helpers, and the declarations of a file.

Nothing here knows about taint: the walk (walk.py) and the analyser (analyse.py) read these declarations.
The grammar (tree-sitter-kotlin) names few fields, so children are found by node type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from tree_sitter import Language, Node, Parser

from fnaudit.engines.code.files import ParseFailure, SourceFile
from fnaudit.treecheck import first_error_line, too_deep


@cache
def _language() -> Language:
    import tree_sitter_kotlin as tsk

    return Language(tsk.language())


def parse_kotlin(f: SourceFile) -> Node:
    """The file's tree (a `FileCache.parse` callback); a syntax error is a `ParseFailure` with its line."""
    root = Parser(_language()).parse(f.text.encode("utf-8")).root_node
    if root.has_error and not _only_missing_separators(root):
        raise ParseFailure(
            "Kotlin syntax error; the file was not analysed for code findings: fix it, or check that the "
            "function's runtime matches the code",
            first_error_line(root),
        )
    if too_deep(root):
        raise ParseFailure("code nested too deeply to analyse; the file was not analysed")
    return root


# Separators the grammar wants where Kotlin needs none (`object Ok : R(); data class E(...) : R() }` on one
# line): tree-sitter inserts them as MISSING nodes; the tree around them is the program as written.
_SEPARATORS = frozenset({"_class_member_semi", "_semi", "_semis", '";"'})
# In the S-expression, since a hidden rule's MISSING node is not among the tree's children.
_MISSING = re.compile(r'\(MISSING ("[^"]*"|[^\s)]+)\)')


def _only_missing_separators(root: Node) -> bool:
    """Whether every error in the tree is a separator the grammar inserted (no ERROR node, no other MISSING)."""
    sexp = str(root)
    return "(ERROR" not in sexp and all(m in _SEPARATORS for m in _MISSING.findall(sexp))


def text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def child(node: Node | None, *types: str) -> Node | None:
    """The first named child of one of `types`."""
    if node is None:
        return None
    return next((c for c in node.named_children if c.type in types), None)


def string(node: Node | None) -> str | None:
    """The value of a string literal without interpolation, None for anything else."""
    if node is None or node.type != "string_literal" or child(node, "interpolation") is not None:
        return None
    return "".join(text(c) for c in node.named_children if c.type == "string_content")


def simple_type(node: Node | None) -> str:
    """`java.sql.Statement` / `List<String>` / `Connection?` → `Statement` / `List` / `Connection`."""
    words = text(node).split("<")[0].rstrip("?").split()
    return words[-1].rsplit(".", 1)[-1] if words else ""


def parameters(fun: Node) -> list[tuple[str, str]]:
    """(name, simple type) of each value parameter of a function declaration, in order."""
    plist = child(fun, "function_value_parameters")
    out: list[tuple[str, str]] = []
    for p in plist.named_children if plist is not None else []:
        if p.type == "parameter":
            out.append((text(child(p, "identifier")), simple_type(child(p, "user_type", "nullable_type"))))
    return out


def fun_name(fun: Node) -> str:
    return text(child(fun, "identifier"))


@dataclass(frozen=True, slots=True)
class Property:
    type: str  # simple type name ("" when only inferred)
    value: Node | None  # the initializer, if any


@dataclass(slots=True)
class ClassDecl:
    """A class or object: its functions by name (overloads in source order) and its properties."""

    name: str
    node: Node
    methods: dict[str, list[Node]] = field(default_factory=dict)
    properties: dict[str, Property] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KtFile:
    """A parsed file: its package, imports (qualified names), classes and objects, top-level functions."""

    source: SourceFile
    package: str
    imports: tuple[str, ...]
    classes: dict[str, ClassDecl]
    functions: dict[str, list[Node]]
    tree: Node


def declarations(source: SourceFile, tree: Node) -> KtFile:
    package = ""
    imports: list[str] = []
    classes: dict[str, ClassDecl] = {}
    functions: dict[str, list[Node]] = {}
    for c in tree.named_children:
        if c.type == "package_header":
            package = text(child(c, "qualified_identifier", "identifier"))
        elif c.type == "import":
            imports.append(text(child(c, "qualified_identifier", "identifier")))
        elif c.type in ("class_declaration", "object_declaration"):
            cls = _class(c)
            classes.setdefault(cls.name, cls)
        elif c.type == "function_declaration":
            functions.setdefault(fun_name(c), []).append(c)
    return KtFile(source, package, tuple(i for i in imports if i), classes, functions, tree)


def property_parts(node: Node) -> tuple[str, str, Node | None]:
    """(name, declared simple type, initializer) of a `val`/`var` declaration."""
    decl = child(node, "variable_declaration")
    name = text(child(decl, "identifier"))
    typ = simple_type(child(decl, "user_type", "nullable_type"))
    value = None
    seen_eq = False
    for c in node.children:
        if c.type == "=":
            seen_eq = True
        elif seen_eq and c.is_named:
            value = c
            break
    return name, typ, value


def _class(node: Node) -> ClassDecl:
    cls = ClassDecl(text(child(node, "identifier")), node)
    ctor = child(node, "primary_constructor")
    params = child(ctor, "class_parameters") if ctor is not None else None
    for p in params.named_children if params is not None else []:
        if p.type == "class_parameter" and any(t.type in ("val", "var") for t in p.children):
            cls.properties[text(child(p, "identifier"))] = Property(
                simple_type(child(p, "user_type", "nullable_type")), None
            )
    body = child(node, "class_body")
    for m in body.named_children if body is not None else []:
        if m.type == "function_declaration":
            cls.methods.setdefault(fun_name(m), []).append(m)
        elif m.type == "property_declaration":
            name, typ, value = property_parts(m)
            cls.properties[name] = Property(typ, value)
        elif m.type == "companion_object":
            inner = _class(m)
            for k, fs in inner.methods.items():
                cls.methods.setdefault(k, []).extend(fs)
            cls.properties.update(inner.properties)
    return cls
