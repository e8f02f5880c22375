"""Go packages of one module: a folder's non-test `.go` files with the same package clause, and the
module path from the nearest `go.mod` upward, so that `import "<module>/internal/db"` names that folder.

Only the scanned tree is read (never the module cache or `vendor/`), and never above the folder the
reads are confined to (the scan root, or a zip's private folder).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from tree_sitter import Node

from fnaudit.engines.code.files import FileCache
from fnaudit.engines.code.go.parse import GoParser, GoTree, text

MAX_FILES = 200  # a package folder larger than this is generated code: its first files only
_MODULE = re.compile(r"^\s*module\s+\"?([^\s\"]+)\"?", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class GoFunc:
    rel: str  # file relative to the scan root
    node: Node  # function_declaration, method_declaration or func_literal
    folder: Path  # the package it belongs to (its calls resolve there)


@dataclass(frozen=True, slots=True)
class Package:
    folder: Path
    name: str
    files: tuple[str, ...]
    imports: tuple[str, ...]
    funcs: dict[str, GoFunc]  # top-level functions (and vars bound to func literals) by name
    methods: dict[str, GoFunc]  # methods by name (any receiver: resolved by name within the package)
    trees: tuple[tuple[str, GoTree], ...]
    aliases: dict[str, str] = field(default_factory=dict)  # import name → import path (all files)
    var_types: dict[str, str] = field(default_factory=dict)  # package var → its type or constructor text
    field_types: dict[str, str] = field(default_factory=dict)  # struct field → its type text
    patterns: dict[str, str] = field(default_factory=dict)  # package var → regexp literal it compiles
    constants: dict[str, str] = field(default_factory=dict)  # package string constant → its text


@dataclass(frozen=True, slots=True)
class Module:
    path: str  # `module` of go.mod
    folder: Path


class Packages:
    """The packages read in one scan, by folder (each parsed once)."""

    def __init__(self, cache: FileCache) -> None:
        self.cache = cache
        self.parser = GoParser()
        self._packages: dict[Path, Package | None] = {}
        self._modules: dict[Path, Module | None] = {}

    def load(self, folder: Path, first: Path | None = None) -> Package | None:
        if folder in self._packages:
            return self._packages[folder]
        pkg = self._load(folder, first)
        self._packages[folder] = pkg
        return pkg

    def _load(self, folder: Path, first: Path | None) -> Package | None:
        paths = sorted(p for p in folder.glob("*.go") if not p.name.endswith("_test.go") and p.is_file())
        if first is not None:  # the handler's file decides the package name
            paths = [first, *(p for p in paths if p != first)]
        trees: list[tuple[str, GoTree]] = []
        name: str | None = None
        for p in paths[:MAX_FILES]:
            f = self.cache.read(p)
            tree = self.cache.parse(f, "go", self.parser) if f is not None else None
            if f is None or tree is None:  # unreadable or a syntax error (already in cache.errors)
                if p == first:
                    return None
                continue
            if name is None:
                name = package_name(tree)
            if package_name(tree) == name:
                trees.append((f.rel, tree))
        if name is None:
            return None
        trees.sort()
        pkg = Package(folder, name, tuple(rel for rel, _ in trees), (), {}, {}, tuple(trees))
        imports: set[str] = set()
        for rel, tree in trees:
            _declarations(pkg, rel, tree, imports)
        return replace(pkg, imports=tuple(sorted(imports)))

    def module(self, folder: Path) -> Module | None:
        """The module of the nearest go.mod at or above `folder`, inside the confining folder."""
        if folder in self._modules:
            return self._modules[folder]
        limit = self.cache.artifacts.confining_folder(folder)
        found: Module | None = None
        here = folder
        while here.is_relative_to(limit):
            gomod = here / "go.mod"
            if gomod.is_file():
                f = self.cache.read(gomod)
                m = _MODULE.search(f.text) if f is not None else None
                found = Module(m.group(1), here) if m is not None else None
                break
            if here == limit or here.parent == here:
                break
            here = here.parent
        self._modules[folder] = found
        return found

    def internal(self, importer: Path, import_path: str) -> Path | None:
        """The folder of a package of `importer`'s own module, None for an external import."""
        mod = self.module(importer)
        if mod is None or not (import_path == mod.path or import_path.startswith(mod.path + "/")):
            return None
        rest = import_path[len(mod.path) :].lstrip("/")
        target = (mod.folder / rest) if rest else mod.folder
        if ".." in Path(rest).parts or not target.is_dir():
            return None
        return target


def package_name(tree: GoTree) -> str:
    for node in tree.root.named_children:
        if node.type == "package_clause":
            return text(node.named_children[0]) if node.named_children else ""
    return ""


def _declarations(pkg: Package, rel: str, tree: GoTree, imports: set[str]) -> None:
    for node in tree.root.named_children:
        if node.type == "function_declaration":
            pkg.funcs.setdefault(text(node.child_by_field_name("name")), GoFunc(rel, node, pkg.folder))
        elif node.type == "method_declaration":
            pkg.methods.setdefault(text(node.child_by_field_name("name")), GoFunc(rel, node, pkg.folder))
        elif node.type == "import_declaration":
            for alias, path in import_specs(node):
                imports.add(path)
                pkg.aliases.setdefault(alias, path)
        elif node.type == "var_declaration":
            _vars(pkg, rel, node)
        elif node.type == "type_declaration":
            _fields(pkg, node)
        elif node.type == "const_declaration":
            _constants(pkg, node)


def _constants(pkg: Package, node: Node) -> None:
    """`const api = "https://api.example.com/"`: string constants (a URL prefix decides SSRF)."""
    for spec in node.named_children:
        if spec.type != "const_spec":
            continue
        value = spec.child_by_field_name("value")
        values = value.named_children if value is not None else []
        for name, v in zip(spec.children_by_field_name("name"), values, strict=False):
            if v.type in ("interpreted_string_literal", "raw_string_literal"):
                pkg.constants.setdefault(text(name), text(v)[1:-1])


def import_specs(node: Node) -> list[tuple[str, str]]:
    """(the name the file uses, import path) of each import; the name defaults to the path's last element."""
    out = []
    todo = [node]
    while todo:
        n = todo.pop()
        if n.type == "import_spec":
            path = text(n.child_by_field_name("path")).strip('"`')
            alias = text(n.child_by_field_name("name"))
            out.append((alias or import_name(path), path))
        else:
            todo.extend(n.named_children)
    return out


def import_name(path: str) -> str:
    """The package name an import path usually declares: `gopkg.in/yaml.v3` → yaml, `.../redis/v9` → redis,
    `go-redis` → redis."""
    parts = path.split("/")
    last = parts[-2] if re.fullmatch(r"v\d+", parts[-1]) and len(parts) > 1 else parts[-1]
    return re.sub(r"\.v\d+$", "", last).removeprefix("go-").replace("-", "")


def _vars(pkg: Package, rel: str, node: Node) -> None:
    todo = list(node.named_children)
    while todo:
        spec = todo.pop(0)
        if spec.type == "var_spec_list":
            todo.extend(spec.named_children)
            continue
        if spec.type != "var_spec":
            continue
        names = [text(n) for n in spec.children_by_field_name("name")]
        type_text = text(spec.child_by_field_name("type"))
        value = spec.child_by_field_name("value")
        values = value.named_children if value is not None else []
        for i, name in enumerate(names):
            v = values[i] if i < len(values) else None
            if v is not None and v.type == "func_literal":  # `var handler = func(...) {...}`
                pkg.funcs.setdefault(name, GoFunc(rel, v, pkg.folder))
            pkg.var_types[name] = type_text or (text(v) if v is not None else "")
            pattern = regexp_literal(v)
            if pattern is not None:
                pkg.patterns[name] = pattern


def regexp_literal(node: Node | None) -> str | None:
    """The pattern of `regexp.MustCompile("…")` / `regexp.Compile(`…`)`, None for anything else."""
    if node is None or node.type != "call_expression":
        return None
    if text(node.child_by_field_name("function")) not in ("regexp.MustCompile", "regexp.Compile"):
        return None
    args = node.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    if first is None or first.type not in ("interpreted_string_literal", "raw_string_literal"):
        return None
    return text(first)[1:-1]


def _fields(pkg: Package, node: Node) -> None:
    todo = list(node.named_children)
    while todo:
        n = todo.pop()
        if n.type == "field_declaration":
            type_text = text(n.child_by_field_name("type"))
            for name in n.children_by_field_name("name"):
                pkg.field_types.setdefault(text(name), type_text)
        else:
            todo.extend(n.named_children)
