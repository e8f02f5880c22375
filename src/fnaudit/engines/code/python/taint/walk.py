"""The state of one function's walk, declared in one place.

The Python front end walks a function's statements once with plain functions (`statements`,
`expressions`, `calls`, …) that all take this object: what it reads (the module, the engine for
callee summaries) and what the walk builds (the environment, local types, the summary).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fnaudit.engines.code.python.modules import ImportBinding, Module
from fnaudit.engines.code.taint.values import Env, Ref, Summary, Val
from fnaudit.model.loc import Loc

if TYPE_CHECKING:
    from fnaudit.engines.code.python.taint.engine import TaintEngine

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
# A local function the walk can call: a nested `def`, or a lambda assigned to a name.
LocalFunction = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


@dataclass(frozen=True, slots=True)
class PendingObject:
    """The object a constructor call is building: the class and its attributes as `__init__` set
    them, waiting for the assignment that names it (`x = Cls(...)`)."""

    module: Module
    cls: ast.ClassDef
    attrs: dict[str, Val]


@dataclass(slots=True)
class Walk:
    engine: TaintEngine
    module: Module
    node: FunctionNode
    code_root: Path
    cls: ast.ClassDef | None
    summary: Summary
    env: Env = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # local name -> type (a client, a path, a tmp file)
    local_funcs: dict[str, LocalFunction] = field(default_factory=dict)
    globals_declared: set[str] = field(default_factory=set)
    locals: set[str] = field(default_factory=set)
    objects: dict[str, tuple[Module, ast.ClassDef]] = field(default_factory=dict)  # local name -> class it instantiates
    pending: PendingObject | None = None
    validated: dict[str, dict[str, bool]] = field(default_factory=dict)  # name -> field -> constrained by a schema
    # imports written inside the function (`def handler(...): from pkg import sub`): they bind local
    # names that shadow the module's, for the whole body (Python binds them where they run; close enough)
    imports: dict[str, ImportBinding] = field(default_factory=dict)
    # the expression last assigned to each local name (what a bucket or file name variable was built from)
    assigned: dict[str, ast.expr] = field(default_factory=dict)
    # files the function downloaded from S3 (`download_file(b, k, path)`), by the text of their path
    downloads: dict[str, Val] = field(default_factory=dict)

    @classmethod
    def start(
        cls, engine: TaintEngine, module: Module, node: FunctionNode, code_root: Path, owner: ast.ClassDef | None
    ) -> Walk:
        summary = Summary(param_names(node))
        w = cls(engine, module, node, code_root, owner, summary, locals=set(summary.params))
        for i, name in enumerate(summary.params):
            w.env[name] = {Ref(i): ()}
        return w

    def loc(self, node: ast.AST) -> Loc:
        return Loc(self.module.rel, getattr(node, "lineno", 0))

    def import_of(self, name: str) -> ImportBinding | None:
        """The import that binds `name` in the walked function: its own imports first, then the module's."""
        return self.imports.get(name) or self.module.imports.get(name)

    def imported(self, name: str) -> str | None:
        """The dotted name `name` was imported as (`Module.imported`, the function's own imports first)."""
        imp = self.imports.get(name)
        if imp is None:
            return self.module.imported(name)
        return imp[1] if imp[0] == "module" else f"{imp[1]}.{imp[2]}"


def param_names(node: FunctionNode) -> list[str]:
    a = node.args
    return [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
