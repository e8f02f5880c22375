"""Java syntax: the tree-sitter parser, text helpers, and the declarations of a file (classes, methods, fields).

Nothing here knows about taint: the walk (walk.py) and the analyser (analyse.py) read these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from tree_sitter import Language, Node, Parser

from fnaudit.engines.code.files import ParseFailure, SourceFile
from fnaudit.treecheck import first_error_line, too_deep


@cache
def _language() -> Language:
    import tree_sitter_java as tsj

    return Language(tsj.language())


def parse_java(f: SourceFile) -> Node:
    """The file's tree (a `FileCache.parse` callback); a syntax error is a `ParseFailure` with its line."""
    root = Parser(_language()).parse(f.text.encode("utf-8")).root_node
    if root.has_error:
        raise ParseFailure(
            "Java syntax error; the file was not analysed for code findings: fix it, or check that the "
            "function's runtime matches the code",
            first_error_line(root),
        )
    if too_deep(root):
        raise ParseFailure("code nested too deeply to analyse; the file was not analysed")
    return root


def text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def string(node: Node | None) -> str | None:
    """The value of a string literal, None for anything else."""
    if node is None or node.type != "string_literal":
        return None
    return "".join(text(c) for c in node.named_children if c.type == "string_fragment")


def simple_type(node: Node | None) -> str:
    """`java.sql.Statement` / `List<String>` / `final Foo` → `Statement` / `List` / `Foo`."""
    words = text(node).split("<")[0].split()
    return words[-1].rsplit(".", 1)[-1] if words else ""


def parameters(method: Node) -> list[tuple[str, str]]:
    """(name, simple type) of each formal parameter, in order (varargs included)."""
    plist = method.child_by_field_name("parameters")
    out: list[tuple[str, str]] = []
    for p in plist.named_children if plist is not None else []:
        if p.type == "formal_parameter":
            out.append((text(p.child_by_field_name("name")), simple_type(p.child_by_field_name("type"))))
        elif p.type == "spread_parameter":
            decl = next((c for c in p.named_children if c.type == "variable_declarator"), None)
            typ = next((c for c in p.named_children if c.type.endswith("type")), None)
            out.append((text(decl.child_by_field_name("name")) if decl else "", simple_type(typ)))
    return out


@dataclass(frozen=True, slots=True)
class FieldDecl:
    type: str  # simple type name
    value: Node | None  # the initializer, if any
    static: bool


@dataclass(slots=True)
class ClassDecl:
    """One class of a file: its methods by name (overloads in source order), its fields, its superclass."""

    name: str
    node: Node
    methods: dict[str, list[Node]] = field(default_factory=dict)
    fields: dict[str, FieldDecl] = field(default_factory=dict)
    superclass: str | None = None
    interfaces: tuple[str, ...] = ()
    setup: list[Node] = field(default_factory=list)  # calls in constructors and initializers (`MAPPER.enable...()`)


@dataclass(frozen=True, slots=True)
class JavaFile:
    """A parsed file: its package, imports (qualified names) and top-level classes."""

    source: SourceFile
    package: str
    imports: tuple[str, ...]
    classes: dict[str, ClassDecl]

    def qualify(self, simple: str) -> str | None:
        """The qualified name a simple class name stands for in this file: an explicit import, else the
        file's own package (a wildcard import is not followed: the class could be anywhere)."""
        for imp in self.imports:
            if imp.rsplit(".", 1)[-1] == simple:
                return imp
        return f"{self.package}.{simple}" if self.package else simple


def declarations(source: SourceFile, tree: Node) -> JavaFile:
    package = ""
    imports: list[str] = []
    classes: dict[str, ClassDecl] = {}
    for c in tree.named_children:
        if c.type == "package_declaration" and c.named_children:
            package = text(c.named_children[0])
        elif c.type == "import_declaration" and c.named_children:
            imports.append(text(c.named_children[0]))
        elif c.type in ("class_declaration", "enum_declaration", "record_declaration"):
            cls = _class(c)
            classes.setdefault(cls.name, cls)
    return JavaFile(source, package, tuple(imports), classes)


def _class(node: Node) -> ClassDecl:
    cls = ClassDecl(text(node.child_by_field_name("name")), node)
    sup = node.child_by_field_name("superclass")
    if sup is not None and sup.named_children:
        cls.superclass = simple_type(sup.named_children[0])
    ifaces = node.child_by_field_name("interfaces")
    if ifaces is not None:
        cls.interfaces = (
            tuple(text(t) for t in ifaces.named_children[0].named_children) if ifaces.named_children else ()
        )
    body = node.child_by_field_name("body")
    for m in body.named_children if body is not None else []:
        if m.type == "method_declaration":
            cls.methods.setdefault(text(m.child_by_field_name("name")), []).append(m)
        elif m.type in ("constructor_declaration", "static_initializer", "block"):
            cls.setup.extend(_invocations(m))
        elif m.type == "field_declaration":
            mods = next((x for x in m.named_children if x.type == "modifiers"), None)
            static = mods is not None and "static" in text(mods).split()
            typ = simple_type(m.child_by_field_name("type"))
            for d in m.children_by_field_name("declarator"):
                cls.fields[text(d.child_by_field_name("name"))] = FieldDecl(typ, d.child_by_field_name("value"), static)
    return cls


def _invocations(node: Node) -> list[Node]:
    """The method calls inside `node` (not inside nested classes), in source order."""
    out: list[Node] = []
    todo = [node]
    while todo:
        n = todo.pop()
        if n.type == "method_invocation":
            out.append(n)
        todo.extend(c for c in reversed(n.named_children) if c.type != "class_body")
    return out
