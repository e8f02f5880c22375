"""The module graph of one function: Python files under its code root, linked by their imports.

Imports are resolved inside the function's own code root only (the folder Lambda puts on
`sys.path`), plus the handler file's folder: relative imports (`from .db import q`), package
imports (`from orders.db import q`, `import orders.db as db`). Anything else (stdlib, site-packages,
vendored dependencies) is an external module: its name is recorded, it is never read.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from fnaudit.engines.code.files import FileCache, SourceFile, parse_python
from fnaudit.engines.code.python.index import TreeIndex

_SKIP_PARTS = {"site-packages", "dist-packages", "node_modules", ".venv", "venv", ".tox", "__pycache__"}


@dataclass(slots=True)
class Module:
    """One parsed Python file and what its names refer to."""

    name: str  # dotted module name relative to the code root ("orders.handlers")
    file: SourceFile
    tree: ast.Module
    is_package: bool
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    # local name → ("module", dotted) for `import x.y as n` / `from . import m`,
    #              ("symbol", dotted_module, name) for `from m import f`
    imports: dict[str, tuple[str, ...]] = field(default_factory=dict)
    globals: dict[str, ast.expr] = field(default_factory=dict)  # module-level `NAME = expr` (last wins)
    global_lines: dict[str, int] = field(default_factory=dict)
    external: set[str] = field(default_factory=set)  # top-level names of modules outside the code root
    stars: list[str] = field(default_factory=list)  # `from m import *`: the dotted names of `m`, in order
    index: TreeIndex = field(init=False)  # the tree's nodes, enumerated once (shared by modules of one tree)

    def __post_init__(self) -> None:
        self.index = TreeIndex(self.tree)

    @property
    def rel(self) -> str:
        return self.file.rel

    def imported(self, name: str) -> str | None:
        """The dotted name a local `name` was imported as (`import x.y as n` → `x.y`, `from m import f` → `m.f`)."""
        imp = self.imports.get(name)
        if imp is None:
            return None
        return imp[1] if imp[0] == "module" else f"{imp[1]}.{imp[2]}"


ImportBinding = tuple[str, ...]  # ("module", dotted) or ("symbol", dotted_module, name), as in `Module.imports`

# Hops followed through aliases and re-exports before giving up (cycles between modules end there).
_MAX_HOPS = 12


@dataclass(frozen=True, slots=True)
class Binding:
    """What a name refers to in the package: a module, a function or a class (with the module that
    defines it), or a module-level instance of a class of the package (`repo = Repo()`)."""

    kind: Literal["module", "function", "class", "instance"]
    module: Module
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | None = None


def import_bindings(node: ast.Import | ast.ImportFrom) -> list[tuple[str, ImportBinding]]:
    """The local names an import statement binds (`import a.b` binds `a`; `from . import m` binds `m`)."""
    out: list[tuple[str, ImportBinding]] = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                out.append((alias.asname, ("module", alias.name)))
            else:
                top = alias.name.split(".")[0]
                out.append((top, ("module", top)))
        return out
    base = "." * node.level + (node.module or "")
    # `from m import *` binds "*" (no code can name it; `Module.stars` is what resolves through it)
    return [(alias.asname or alias.name, ("symbol", base, alias.name)) for alias in node.names]


def qualname(module: Module, node: ast.expr) -> str | None:
    """Dotted name of a module-level expression after import resolution (`from flask import Flask`; `Flask`
    → `flask.Flask`); None for names the module did not import."""
    if isinstance(node, ast.Name):
        return module.imported(node.id)
    if isinstance(node, ast.Attribute):
        base = qualname(module, node.value)
        return f"{base}.{node.attr}" if base else None
    return None


class ModuleGraph:
    """The modules reachable from handler files, per code root. Shared by every function of a scan."""

    def __init__(self, cache: FileCache) -> None:
        self.cache = cache
        self._by_path: dict[tuple[Path, Path], Module | None] = {}
        self._resolved: dict[tuple[Path, str, int, Path], Module | None] = {}
        self._imported: dict[tuple[str, Path], list[Module]] = {}
        self._members: dict[tuple[str, Path, str], Binding | None] = {}
        # identical files share one parsed tree (`FileCache.parse`), so they share its index too
        self._indexes: dict[int, TreeIndex] = {}

    def load(self, path: Path, code_root: Path) -> Module | None:
        key = (path, code_root)
        if key in self._by_path:
            return self._by_path[key]
        self._by_path[key] = None  # break import cycles
        f = self.cache.read(path)
        if f is None:
            return None
        tree = self.cache.parse(f, "python", parse_python)
        if tree is None:
            return None
        mod = _index(_module_name(path, code_root), f, tree)
        shared = self._indexes.get(id(tree))
        if shared is not None and shared.tree is tree:
            mod.index = shared
        else:
            self._indexes[id(tree)] = mod.index
        self._by_path[key] = mod
        return mod

    def resolve(self, importer: Module, dotted: str, level: int, code_root: Path) -> Module | None:
        """The module `dotted` names from `importer` (`level` dots of a relative import), or None if external."""
        key = (importer.file.path.parent, dotted, level, code_root)
        if key in self._resolved:
            return self._resolved[key]
        found = None
        for candidate in self._candidates(importer, dotted, level, code_root):
            found = self.load(candidate, code_root)
            if found is not None:
                break
        self._resolved[key] = found
        return found

    def _candidates(self, importer: Module, dotted: str, level: int, code_root: Path) -> list[Path]:
        parts = [p for p in dotted.split(".") if p]
        bases: list[Path] = []
        if level:
            base = importer.file.path.parent
            for _ in range(level - 1):
                base = base.parent
            bases.append(base)
        else:
            bases.append(code_root)
            handler_dir = importer.file.path.parent
            if handler_dir != code_root:
                bases.append(handler_dir)
        out = []
        for base in bases:
            target = base.joinpath(*parts) if parts else base
            for f in ((target.with_suffix(".py") if parts else None), target / "__init__.py"):
                if f is None:
                    continue
                if not (_SKIP_PARTS & set(f.parts)) and self.cache.exists_inside(f, code_root):
                    out.append(f)
        return out

    # -- what names refer to, across modules ------------------------------------------------------

    def member(self, module: Module, name: str, code_root: Path, hops: int = 0) -> Binding | None:
        """What `module.name` is inside the package: its own function or class, a name it imports
        (re-exports included: `from .core import find` in a package's `__init__`), a module-level
        alias or instance, a name a `from m import *` brings, or a submodule of a package."""
        if hops == 0:  # the answer for a module's name does not change during a scan: computed once
            key = (module.rel, code_root, name)
            if key not in self._members:
                self._members[key] = self._member(module, name, code_root, 0)
            return self._members[key]
        return self._member(module, name, code_root, hops)

    def _member(self, module: Module, name: str, code_root: Path, hops: int) -> Binding | None:
        if hops > _MAX_HOPS:
            return None
        if name in module.functions:
            return Binding("function", module, module.functions[name])
        if name in module.classes:
            return Binding("class", module, module.classes[name])
        imp = module.imports.get(name)
        if imp is not None:
            return self.bind_import(module, imp, code_root, hops + 1)
        value = module.globals.get(name)
        if value is not None:
            return self._global(module, value, code_root, hops + 1)
        for star in module.stars:
            src = self.resolve(module, star.lstrip("."), len(star) - len(star.lstrip(".")), code_root)
            found = self.member(src, name, code_root, hops + 1) if src is not None and src is not module else None
            if found is not None:
                return found
        if module.is_package:
            sub = self.resolve(module, name, 1, code_root)
            if sub is not None:
                return Binding("module", sub)
        return None

    def bind_import(self, module: Module, imp: ImportBinding, code_root: Path, hops: int = 0) -> Binding | None:
        """What an import binding of `module` refers to in the package (None: outside it)."""
        if imp[0] == "module":
            target = self.resolve(module, imp[1], 0, code_root)
            return Binding("module", target) if target is not None else None
        base, name = imp[1], imp[2]
        level = len(base) - len(base.lstrip("."))
        dotted = base.lstrip(".")
        src = self.resolve(module, dotted, level, code_root)
        if src is not None and src is not module:
            found = self.member(src, name, code_root, hops + 1)
            if found is not None:
                return found
        sub = self.resolve(module, f"{dotted}.{name}".strip("."), level, code_root)  # `from pkg import submodule`
        return Binding("module", sub) if sub is not None else None

    def expression(
        self,
        module: Module,
        node: ast.expr,
        code_root: Path,
        hops: int = 0,
        local: dict[str, ImportBinding] | None = None,
    ) -> Binding | None:
        """What a module-level name or dotted expression (`sub.find`, `pkg.sub.Repo`) refers to; `local`: the
        imports of the function it is written in, which shadow the module's names."""
        if hops > _MAX_HOPS:
            return None
        if isinstance(node, ast.Name):
            if local and node.id in local:
                return self.bind_import(module, local[node.id], code_root, hops + 1)
            return self.member(module, node.id, code_root, hops)
        if isinstance(node, ast.Attribute):
            base = self.expression(module, node.value, code_root, hops + 1, local)
            if base is not None and base.kind == "module":
                return self.member(base.module, node.attr, code_root, hops + 1)
        return None

    def _global(self, module: Module, value: ast.expr, code_root: Path, hops: int) -> Binding | None:
        if isinstance(value, (ast.Name, ast.Attribute)):  # an alias: `S = sub`, `find = sub.find`
            return self.expression(module, value, code_root, hops)
        if isinstance(value, ast.Call):  # `repo = Repo()`: an instance whose methods calls run
            cls = self.expression(module, value.func, code_root, hops)
            if cls is not None and cls.kind == "class":
                return Binding("instance", cls.module, cls.node)
        return None

    def closure(self, start: Module, code_root: Path) -> list[Module]:
        """Every module reachable by imports from `start`, `start` first."""
        seen: dict[str, Module] = {start.rel: start}
        todo = [start]
        while todo:
            mod = todo.pop()
            for target in self.imported_modules(mod, code_root):
                if target.rel not in seen:
                    seen[target.rel] = target
                    todo.append(target)
        return list(seen.values())

    def imported_modules(self, mod: Module, code_root: Path) -> list[Module]:
        key = (mod.rel, code_root)
        if key not in self._imported:
            self._imported[key] = self._imports_of(mod, code_root)
        return self._imported[key]

    def _imports_of(self, mod: Module, code_root: Path) -> list[Module]:
        out = []
        for node in mod.index.of_type(ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    m = self.resolve(mod, alias.name, 0, code_root)
                    if m is not None:
                        out.append(m)
            elif isinstance(node, ast.ImportFrom):
                m = self.resolve(mod, node.module or "", node.level, code_root)
                if m is not None:
                    out.append(m)
                    for alias in node.names:  # `from pkg import submodule`
                        sub = self.resolve(mod, f"{node.module or ''}.{alias.name}", node.level, code_root)
                        if sub is not None:
                            out.append(sub)
        return out


def _module_name(path: Path, code_root: Path) -> str:
    try:
        rel = path.relative_to(code_root)
    except ValueError:
        return path.stem
    parts = list(rel.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _index(name: str, f: SourceFile, tree: ast.Module) -> Module:
    mod = Module(name, f, tree, f.path.name == "__init__.py")
    for node in tree.body:
        _index_stmt(mod, node)
    return mod


def _index_stmt(mod: Module, node: ast.stmt) -> None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        mod.functions[node.name] = node
    elif isinstance(node, ast.ClassDef):
        mod.classes[node.name] = node
    elif isinstance(node, ast.Import):
        mod.imports.update(import_bindings(node))
        for alias in node.names:
            mod.external.add(alias.name.split(".")[0])
    elif isinstance(node, ast.ImportFrom):
        mod.imports.update(import_bindings(node))
        if any(alias.name == "*" for alias in node.names):
            mod.stars.append("." * node.level + (node.module or ""))
        if not node.level and node.module:
            mod.external.add(node.module.split(".")[0])
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Name):
                mod.globals[target.id] = node.value
                mod.global_lines[target.id] = node.lineno
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        mod.globals[node.target.id] = node.value
        mod.global_lines[node.target.id] = node.lineno
    elif isinstance(node, (ast.If, ast.Try)):
        # `try: import x except ImportError: ...` and `if TYPE_CHECKING:` blocks
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                _index_stmt(mod, child)
            elif isinstance(child, ast.ExceptHandler):
                for sub in child.body:
                    _index_stmt(mod, sub)
