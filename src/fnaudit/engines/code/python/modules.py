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

from fnaudit.engines.code.files import FileCache, SourceFile, parse_python

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

    @property
    def rel(self) -> str:
        return self.file.rel

    def imported(self, name: str) -> str | None:
        """The dotted name a local `name` was imported as (`import x.y as n` → `x.y`, `from m import f` → `m.f`)."""
        imp = self.imports.get(name)
        if imp is None:
            return None
        return imp[1] if imp[0] == "module" else f"{imp[1]}.{imp[2]}"


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
        for node in ast.walk(mod.tree):
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
        for alias in node.names:
            if alias.asname:
                mod.imports[alias.asname] = ("module", alias.name)
            else:
                top = alias.name.split(".")[0]
                mod.imports[top] = ("module", top)
            mod.external.add(alias.name.split(".")[0])
    elif isinstance(node, ast.ImportFrom):
        base = "." * node.level + (node.module or "")
        for alias in node.names:
            mod.imports[alias.asname or alias.name] = ("symbol", base, alias.name)
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
