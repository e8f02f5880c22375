"""The module graph of one Node function: JS/TS files under its code root, linked by require/import.

Specifiers are resolved only when relative (`./db`, `../lib/x.js`) and only inside the function's
own code root: the file itself, then `.js/.mjs/.cjs/.ts/…` suffixes, then `index.*` in a folder
(a `.js` specifier also finds the `.ts` source, as TypeScript writes it). Bare specifiers
(`aws-sdk`, `@aws-sdk/client-s3`, `fs`) are external: their package name is recorded, they are
never read, and nothing under `node_modules` is ever followed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tree_sitter import Node as Node  # re-exported: the one node type of the package

from fnaudit.engines.code.files import FileCache, SourceFile
from fnaudit.engines.code.javascript.parse import Parsers, grammar_of

# Syntax nodes are tree-sitter's own `Node` (typed by the wheel's stubs); every module of the package imports
# it from here.
SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")
_SKIP_PARTS = {"node_modules", ".venv", "venv", ".serverless", ".aws-sam", ".git"}
FUNCTION_TYPES = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "generator_function_declaration",
        "generator_function",
        "method_definition",
    }
)


def text(node: Node | None) -> str:
    return (node.text or b"").decode("utf-8", "replace") if node is not None else ""


def string_value(node: Node | None) -> str | None:
    """The value of a string literal (or a template string without substitutions)."""
    if node is None:
        return None
    if node.type == "string":
        return "".join(text(c) for c in node.named_children if c.type in ("string_fragment", "escape_sequence"))
    if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.named_children):
        return "".join(text(c) for c in node.named_children if c.type in ("string_fragment", "escape_sequence"))
    return None


# Expressions that only wrap another: parentheses, `await`, and TypeScript `as` / `!` / `satisfies` / `<T>x`.
WRAPPERS = frozenset(
    {
        "parenthesized_expression",
        "as_expression",
        "non_null_expression",
        "satisfies_expression",
        "type_assertion",
        "await_expression",
    }
)


def unwrap(node: Node | None) -> Node | None:
    """Drop parentheses, `await`, and TypeScript `as` / `!` / `satisfies` wrappers."""
    while node is not None and node.type in WRAPPERS:
        inner = [
            c
            for c in node.named_children
            if c.type
            not in (
                "type_annotation",
                "type_identifier",
                "predefined_type",
                "generic_type",
                "object_type",
                "union_type",
                "array_type",
                "type_arguments",
            )
        ]
        node = inner[0] if inner else None
    return node


def require_spec(node: Node | None) -> str | None:
    """`require('x')` (or `await import('x')`) → 'x'."""
    node = unwrap(node)
    if node is None or node.type != "call_expression":
        return None
    fn = node.child_by_field_name("function")
    if fn is None or fn.type not in ("identifier", "import") or text(fn) not in ("require", "import"):
        return None
    args = node.child_by_field_name("arguments")
    if args is None or not args.named_children:
        return None
    return string_value(args.named_children[0])


def package_name(spec: str) -> str:
    spec = spec.removeprefix("node:")
    parts = spec.split("/")
    return "/".join(parts[:2]) if spec.startswith("@") and len(parts) > 1 else parts[0]


@dataclass(slots=True)
class JsModule:
    file: SourceFile
    root: Node
    grammar: str
    functions: dict[str, Node] = field(default_factory=dict)  # module-level functions by name
    classes: dict[str, Node] = field(default_factory=dict)
    # local name → ("module", spec) for `const m = require(spec)` / `import * as m` / default imports,
    #              ("symbol", spec, name) for `const { n } = require(spec)` / `import { n } from spec`
    imports: dict[str, tuple[str, ...]] = field(default_factory=dict)
    globals: dict[str, Node] = field(default_factory=dict)  # module-level `const NAME = expr`
    mutable: set[str] = field(
        default_factory=set
    )  # module-level names holding a mutable object or declared with let/var
    env_aliases: dict[str, str] = field(default_factory=dict)  # `const { TABLE } = process.env` → TABLE: "TABLE"
    # export name → ("local", name) | ("node", value node) | ("reexport", spec, name)
    exports: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    star_exports: list[str] = field(default_factory=list)
    specs: list[str] = field(default_factory=list)  # every static require/import specifier of the file
    external: set[str] = field(default_factory=set)
    requires: dict[bool, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # see syntax.local_requires
    # The tree walked once, on first use (see `TreeIndex`); `indexed`, when set, hears of it, so that whoever
    # owns the module can let the index go (`JsModuleGraph.forget_indexes`).
    _tree_index: TreeIndex | None = None
    indexed: list[JsModule] | None = None

    @property
    def rel(self) -> str:
        return self.file.rel

    @property
    def tree(self) -> TreeIndex:
        if self._tree_index is None:
            self._tree_index = TreeIndex(self.root)
            if self.indexed is not None:
                self.indexed.append(self)
        return self._tree_index

    def nodes(self) -> list[Node]:
        """The named nodes of the module, the root first, in source order (`list(walk(self.root))`)."""
        return self.tree.nodes

    def subtree(self, node: Node) -> list[Node]:
        """`list(walk(node))`, from the module's one walk."""
        return self.tree.subtree(node)

    def mirrored(self, types: frozenset[str], node: Node | None = None) -> list[Node]:
        """The nodes of these types (in `node`'s subtree) in the order of a walk that visits the last child first."""
        return self.tree.mirrored(types, node)

    def own(self, scope: Node) -> list[Node]:
        """`list(own(scope))`: the nodes of a function (or of the module) but those of nested functions."""
        return self.tree.own(scope)


class TreeIndex:
    """A module's tree walked once. The extractors walk a module and its functions many times over (each
    extractor, each function, each value a pattern looks at): they read slices of this one walk instead.

    `nodes`: the named nodes in `walk` order; `ends[i]`: where node i's subtree ends in it; `at`: node → i
    (tree-sitter nodes compare and hash by their identity in the tree, not as Python objects)."""

    __slots__ = ("at", "ends", "nodes", "owned")

    def __init__(self, root: Node) -> None:
        nodes: list[Node] = []
        ends: list[int] = []
        stack: list[Node | int] = [root]  # an int: the index of a node whose subtree ends here
        while stack:
            n = stack.pop()
            if isinstance(n, int):
                ends[n] = len(nodes)
                continue
            stack.append(len(nodes))
            nodes.append(n)
            ends.append(0)
            stack.extend(reversed(n.named_children))
        self.nodes = nodes
        self.ends = ends
        self.at = {n: i for i, n in enumerate(nodes)}
        self.owned: dict[int, list[Node]] | None = None  # function (index) → its own nodes; 0: the module's

    def subtree(self, node: Node) -> list[Node]:
        """`list(walk(node))` (walked when `node` is not a named node of this tree)."""
        i = self.at.get(node)
        return self.nodes[i : self.ends[i]] if i is not None else list(walk(node))

    def mirrored(self, types: frozenset[str], node: Node | None = None) -> list[Node]:
        """The nodes of these types in `node`'s subtree (the whole tree's when None) in the order of a walk
        that visits the last child first (a stack walk without `reversed`), which some extractors' output
        order comes from. In `nodes` that is the order of (subtree end, descending; then position): a node to
        the right of another ends after it, and an ancestor, which ends with or after its last descendant,
        comes before it."""
        nodes, ends = self.nodes, self.ends
        first, last = 0, len(nodes)
        if node is not None:
            i = self.at.get(node)
            if i is None:
                return _mirrored_walk(node, types)
            first, last = i, ends[i]
        wanted = [i for i in range(first, last) if nodes[i].type in types]
        wanted.sort(key=lambda i: (-ends[i], i))
        return [nodes[i] for i in wanted]

    def own(self, scope: Node) -> list[Node]:
        """What `own(scope)` yields, grouped for every function of the module in one pass."""
        i = self.at.get(scope)
        if i is None or (i != 0 and scope.type not in FUNCTION_TYPES):
            return list(own(scope))
        if self.owned is None:
            nodes, ends = self.nodes, self.ends
            owned: dict[int, list[Node]] = {}
            around = [0]  # the functions open at node j, innermost last (the root never closes)
            for j in range(1, len(nodes)):
                while ends[around[-1]] <= j:
                    around.pop()
                owned.setdefault(around[-1], []).append(nodes[j])
                if nodes[j].type in FUNCTION_TYPES:
                    around.append(j)
            self.owned = owned
        return self.owned.get(i, [])


def walk(node: Node) -> Iterator[Node]:
    """The named nodes of a subtree, `node` first, in source order (iterative: bundles nest deeply)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.named_children))


def _mirrored_walk(node: Node, types: frozenset[str]) -> list[Node]:
    """`TreeIndex.mirrored` for a node of no index: the stack walk itself."""
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in types:
            out.append(n)
        stack.extend(n.named_children)
    return out


def own(scope: Node) -> Iterator[Node]:
    """The nodes of a function (or a module), without those of the functions nested in it (`TreeIndex.own`
    answers the same from its one walk, for the scopes of an indexed module)."""
    stack = list(reversed(scope.named_children))
    while stack:
        n = stack.pop()
        yield n
        if n.type not in FUNCTION_TYPES:
            stack.extend(reversed(n.named_children))


class JsModuleGraph:
    def __init__(self, cache: FileCache) -> None:
        self.cache = cache
        self.parsers = Parsers()  # this graph's own: a tree-sitter parser is not shared between scans
        self._by_path: dict[Path, JsModule | None] = {}
        self._resolved: dict[tuple[Path, str, Path], JsModule | None] = {}
        self._indexed: list[JsModule] = []  # modules holding a `TreeIndex`

    def forget_indexes(self) -> None:
        """Let the modules' tree indexes go (an analysis is done): a module's index holds a Python object per
        node, and the graph keeps every module for the whole scan."""
        for mod in self._indexed:
            mod._tree_index = None
        self._indexed.clear()

    def load(self, path: Path) -> JsModule | None:
        if path in self._by_path:
            return self._by_path[path]
        self._by_path[path] = None
        f = self.cache.read(path)
        if f is None:
            return None
        grammar = grammar_of(path.suffix)
        tree = self.cache.parse(f, grammar, self.parsers.for_grammar(grammar))
        if tree is None:
            return None
        mod = JsModule(f, tree.root, grammar, indexed=self._indexed)
        _index(mod)
        self._by_path[path] = mod
        return mod

    def resolve(self, importer: JsModule, spec: str, code_root: Path) -> JsModule | None:
        """The module a relative specifier names, inside the code root; None for packages and builtins."""
        if not spec.startswith((".", "/")):
            return None
        key = (importer.file.path.parent, spec, code_root)
        if key in self._resolved:
            return self._resolved[key]
        found = None
        for cand in _candidates(importer.file.path.parent, spec):
            if not (_SKIP_PARTS & set(cand.parts)) and self.cache.exists_inside(cand, code_root):
                found = self.load(cand)
                if found is not None:
                    break
        self._resolved[key] = found
        return found

    def closure(self, start: JsModule, code_root: Path) -> list[JsModule]:
        seen: dict[str, JsModule] = {start.rel: start}
        todo = [start]
        while todo:
            mod = todo.pop()
            for spec in mod.specs:
                other = self.resolve(mod, spec, code_root)
                if other is not None and other.rel not in seen:
                    seen[other.rel] = other
                    todo.append(other)
        return list(seen.values())

    def export(self, mod: JsModule, name: str, code_root: Path, depth: int = 0) -> tuple[JsModule, Node] | None:
        """(module, node) of what `mod` exports as `name`: a function node, a class, or a value expression."""
        if depth > 8:
            return None
        entry = mod.exports.get(name)
        if entry is None:
            for spec in mod.star_exports:
                other = self.resolve(mod, spec, code_root)
                if other is not None:
                    got = self.export(other, name, code_root, depth + 1)
                    if got is not None:
                        return got
            return None
        if entry[0] == "node":
            node = entry[1]
            if node.type == "identifier":
                return self.local(mod, text(node), code_root, depth + 1)
            return mod, node
        if entry[0] == "local":
            return self.local(mod, entry[1], code_root, depth + 1)
        other = self.resolve(mod, entry[1], code_root)
        return self.export(other, entry[2], code_root, depth + 1) if other is not None else None

    def local(self, mod: JsModule, name: str, code_root: Path, depth: int = 0) -> tuple[JsModule, Node] | None:
        """What a module-level name of `mod` is bound to (following imports of the package)."""
        if depth > 8:
            return None
        if name in mod.functions:
            return mod, mod.functions[name]
        if name in mod.classes:
            return mod, mod.classes[name]
        imp = mod.imports.get(name)
        if imp is not None and imp[0] == "symbol":
            other = self.resolve(mod, imp[1], code_root)
            return self.export(other, imp[2], code_root, depth + 1) if other is not None else None
        if name in mod.globals:
            value = mod.globals[name]
            if value.type == "identifier" and text(value) != name:
                return self.local(mod, text(value), code_root, depth + 1)
            return mod, value
        return None


def _candidates(base: Path, spec: str) -> list[Path]:
    # `../lib/x` resolved lexically, as Node does: a module has one name (`src/lib/x.js`, not `src/routes/../lib/x.js`)
    target = Path(os.path.normpath(base / spec)) if not spec.startswith("/") else Path(spec)
    out = [target]
    stem = target
    if target.suffix in (".js", ".mjs", ".cjs", ".jsx"):  # TypeScript sources imported by their output name
        stem = target.with_suffix("")
        out += [stem.with_suffix(s) for s in (".ts", ".mts", ".cts", ".tsx")]
    out += [Path(str(target) + s) for s in SUFFIXES]
    out += [target / f"index{s}" for s in SUFFIXES]
    return out


# --- indexing ------------------------------------------------------------------------------------

_MUTABLE_CTORS = {"Map", "Set", "WeakMap", "Array", "Object"}


def _index(mod: JsModule) -> None:
    for node in mod.root.named_children:
        _index_stmt(mod, node, exported=False)
    _collect_specs(mod)


def _declare(mod: JsModule, name: str, value: Node | None, kind: str) -> None:
    value = (
        unwrap(value)
        if value is not None and value.type in ("parenthesized_expression", "as_expression", "satisfies_expression")
        else value
    )
    if value is None:
        if kind in ("let", "var"):
            mod.mutable.add(name)
        return
    spec = require_spec(value)
    if spec is not None:
        mod.imports[name] = ("module", spec)
        return
    if value.type == "member_expression":
        obj = value.child_by_field_name("object")
        s = require_spec(obj)
        if s is not None:
            prop = text(value.child_by_field_name("property"))
            mod.imports[name] = ("module", s) if prop == "default" else ("symbol", s, prop)
            return
    if value.type in FUNCTION_TYPES:
        mod.functions[name] = value
        return
    if value.type == "class":
        mod.classes[name] = value
        return
    mod.globals[name] = value
    if (
        kind in ("let", "var")
        or value.type in ("object", "array")
        or (value.type == "new_expression" and text(value.child_by_field_name("constructor")) in _MUTABLE_CTORS)
    ):
        mod.mutable.add(name)


def _declaration(mod: JsModule, node: Node, exported: bool) -> None:
    kind = text(node.children[0]) if node.children else "const"
    for d in node.named_children:
        if d.type != "variable_declarator":
            continue
        name_node = d.child_by_field_name("name")
        value = d.child_by_field_name("value")
        if name_node is None:
            continue
        if name_node.type == "identifier":
            _declare(mod, text(name_node), value, kind)
            if exported:
                mod.exports[text(name_node)] = ("local", text(name_node))
        elif name_node.type == "object_pattern":
            spec = require_spec(value)
            for name, key in _pattern_names(name_node):
                if spec is not None:
                    mod.imports[name] = ("symbol", spec, key)
                elif value is not None and text(value) == "process.env":
                    mod.env_aliases[name] = key
                if exported:
                    mod.exports[name] = ("local", name)


def _pattern_names(pattern: Node) -> list[tuple[str, str]]:
    """`{ a, b: c, d = 1 }` → [(a, a), (c, b), (d, d)]."""
    out = []
    for c in pattern.named_children:
        if c.type == "shorthand_property_identifier_pattern":
            out.append((text(c), text(c)))
        elif c.type == "pair_pattern":
            key = c.child_by_field_name("key")
            val = c.child_by_field_name("value")
            if val is not None and val.type == "assignment_pattern":
                val = val.child_by_field_name("left")
            if val is not None and val.type == "identifier":
                out.append((text(val), string_value(key) or text(key)))
        elif c.type == "object_assignment_pattern":
            left = c.child_by_field_name("left")
            if left is not None:
                out.append((text(left), text(left)))
    return out


def _index_stmt(mod: JsModule, node: Node, exported: bool) -> None:
    t = node.type
    if t in ("function_declaration", "generator_function_declaration"):
        name = node.child_by_field_name("name")
        if name is not None:
            mod.functions[text(name)] = node
            if exported:
                mod.exports[text(name)] = ("local", text(name))
    elif t in ("class_declaration", "abstract_class_declaration"):
        name = node.child_by_field_name("name")
        if name is not None:
            mod.classes[text(name)] = node
            if exported:
                mod.exports[text(name)] = ("local", text(name))
    elif t in ("lexical_declaration", "variable_declaration"):
        _declaration(mod, node, exported)
    elif t == "import_statement":
        _import(mod, node)
    elif t == "export_statement":
        _export(mod, node)
    elif t == "expression_statement":
        expr = node.named_children[0] if node.named_children else None
        if expr is not None and expr.type == "assignment_expression":
            _commonjs_export(mod, expr)
    elif t == "ambient_declaration":
        pass


def _import(mod: JsModule, node: Node) -> None:
    source = node.child_by_field_name("source")
    spec = string_value(source)
    if spec is None:
        # TypeScript `import x = require("y")`
        for c in node.named_children:
            if c.type == "import_require_clause":
                ident = next((x for x in c.named_children if x.type == "identifier"), None)
                target = next((string_value(x) for x in c.named_children if x.type == "string"), None)
                if ident is not None and target is not None:
                    mod.imports[text(ident)] = ("module", target)
        return
    for clause in node.named_children:
        if clause.type != "import_clause":
            continue
        for c in clause.named_children:
            if c.type == "identifier":  # default import
                mod.imports[text(c)] = ("symbol", spec, "default") if spec.startswith(".") else ("module", spec)
            elif c.type == "namespace_import":
                ident = next((x for x in c.named_children if x.type == "identifier"), None)
                if ident is not None:
                    mod.imports[text(ident)] = ("module", spec)
            elif c.type == "named_imports":
                for s in c.named_children:
                    if s.type != "import_specifier":
                        continue
                    name = s.child_by_field_name("name")
                    alias = s.child_by_field_name("alias")
                    imported = string_value(name) or text(name)
                    mod.imports[text(alias or name)] = (
                        ("module", spec)
                        if imported == "default" and not spec.startswith(".")
                        else ("symbol", spec, imported)
                    )


def _export(mod: JsModule, node: Node) -> None:
    decl = node.child_by_field_name("declaration")
    source = string_value(node.child_by_field_name("source"))
    if decl is not None:
        _index_stmt(mod, decl, exported=True)
        if any(c.type == "default" for c in node.children):  # `export default function name() {}`
            mod.exports["default"] = ("node", decl)
        return
    clause = next((c for c in node.named_children if c.type == "export_clause"), None)
    if clause is not None:
        for s in clause.named_children:
            if s.type != "export_specifier":
                continue
            name = s.child_by_field_name("name")
            alias = s.child_by_field_name("alias")
            exported_as = string_value(alias) or text(alias) if alias is not None else text(name)
            if source is not None:
                mod.exports[exported_as] = ("reexport", source, text(name))
            else:
                mod.exports[exported_as] = ("local", text(name))
        return
    if source is not None:  # export * from './x'
        if any(c.type == "namespace_export" for c in node.named_children):
            return
        mod.star_exports.append(source)
        return
    value = node.child_by_field_name("value")
    if value is None:
        named = [c for c in node.named_children if c.type not in ("comment", "decorator")]
        value = named[-1] if named else None
    if value is not None:
        mod.exports["default"] = ("node", value)
        if value.type in FUNCTION_TYPES:
            name = value.child_by_field_name("name")
            if name is not None:
                mod.functions[text(name)] = value


def _commonjs_export(mod: JsModule, expr: Node) -> None:
    left = expr.child_by_field_name("left")
    right = expr.child_by_field_name("right")
    if left is None or right is None:
        return
    lt = text(left).replace(" ", "")
    name = None
    if lt.startswith("exports."):
        name = lt[len("exports.") :]
    elif lt.startswith("module.exports."):
        name = lt[len("module.exports.") :]
    elif lt == "module.exports":
        r = unwrap(right)
        if r is not None and r.type == "object":
            for c in r.named_children:
                if c.type == "shorthand_property_identifier":
                    mod.exports[text(c)] = ("local", text(c))
                elif c.type == "pair":
                    key = c.child_by_field_name("key")
                    mod.exports[string_value(key) or text(key)] = ("node", c.child_by_field_name("value"))
                elif c.type == "method_definition":
                    key = c.child_by_field_name("name")
                    mod.exports[text(key)] = ("node", c)
        elif r is not None:
            mod.exports["default"] = ("node", r)
            spec = require_spec(r)
            if spec is not None:
                mod.star_exports.append(spec)
        return
    if name and "." not in name:
        mod.exports[name] = ("node", right)
        if right.type in FUNCTION_TYPES and name not in mod.functions:
            mod.functions[name] = right


def _collect_specs(mod: JsModule) -> None:
    seen: set[str] = set()
    # the specifiers in the order they have always been listed in: it orders the module graph, and so the report
    for node in mod.mirrored(_SPEC_TYPES):
        t = node.type
        spec = None
        if t in ("import_statement", "export_statement"):
            spec = string_value(node.child_by_field_name("source"))
            if spec is None and t == "import_statement":
                for c in node.named_children:
                    if c.type == "import_require_clause":
                        spec = next((string_value(x) for x in c.named_children if x.type == "string"), None)
        elif t == "call_expression":
            spec = require_spec(node)
        if spec is not None and spec not in seen:
            seen.add(spec)
            mod.specs.append(spec)
            if not spec.startswith((".", "/")):
                mod.external.add(package_name(spec))


_SPEC_TYPES = frozenset({"import_statement", "export_statement", "call_expression"})
