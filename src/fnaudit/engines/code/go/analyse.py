"""The Go analyser: the `main` package of the handler's folder, `lambda.Start(x)` → the handler, and
its taint summary computed by the language-neutral core (docs/language-interface.md).

A package is every non-test `.go` file of a folder with the same package clause (module.py). Calls
of the package's functions and methods, and of packages of the same module (`import
"<module>/internal/db"` → that folder, the module path from the nearest go.mod) are followed through
their summaries, cached per (file, function) for the scan. External packages are never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tree_sitter import Node

from fnaudit.engines.code.base import Analysis
from fnaudit.engines.code.files import FileCache
from fnaudit.engines.code.go import sdk, sinks
from fnaudit.engines.code.go.module import MAX_FILES, GoFunc, Package, Packages
from fnaudit.engines.code.go.parse import text
from fnaudit.engines.code.go.walk import GoWalk, parameters, walk_function
from fnaudit.engines.code.taint import Summary, facts
from fnaudit.model.app import App, Function
from fnaudit.model.code import CodeFacts

__all__ = ["MAX_FILES", "GoAnalyser", "GoFunc", "Package"]

# Packages of the module one function reaches: a handler importing more than this is generated code
# (or a monorepo's everything package); calls into the others are treated as unknown calls.
MAX_PACKAGES = 40


@dataclass(frozen=True, slots=True)
class _Reach:
    """The module packages one analysis has loaded, in the order it reached them."""

    packages: list[Package]


class GoAnalyser:
    def __init__(self, cache: FileCache, root: Path) -> None:
        self.cache = cache
        self.root = root
        self.packages = Packages(cache)
        self.summaries: dict[tuple[str, int], Summary] = {}  # per scan, never global
        # the module packages the current analysis reached (calls into others are unknown calls)
        self.reached: set[Path] = set()

    def analyse(self, fn: Function, in_app: App | None = None) -> Analysis | None:
        if fn.code.handler_file is None:
            return None
        handler_path = self.cache.artifacts.real_path(fn.code.handler_file)
        pkg = self.packages.load(handler_path.parent, handler_path)
        if pkg is None:
            return None
        reach = _Reach([pkg])
        self._reach(pkg, reach)
        self.reached = {p.folder for p in reach.packages}
        files = tuple(dict.fromkeys(rel for p in reach.packages for rel in p.files))
        internal = {str(p.folder) for p in reach.packages}
        imports = tuple(
            sorted(
                {
                    i
                    for p in reach.packages
                    for i in p.imports
                    if (folder := self.packages.internal(p.folder, i)) is None or str(folder) not in internal
                }
            )
        )
        handler = _lambda_start_target(pkg)
        if handler is None:
            return Analysis(CodeFacts(imports=imports, files=files, handler_found=False))
        params = parameters(handler.node)
        event = _event_index(params)
        summary = self.summary(pkg, handler)
        flows = facts.flows(summary, event, params[event][0] if params else "event", fn) if params else []
        return Analysis(
            CodeFacts(
                imports=imports,
                files=files,
                flows=tuple(flows),
                state_writes=tuple(facts.state_writes(summary, event)),
                verbose_errors=tuple(facts.verbose_errors(summary)),
                log_leaks=tuple(facts.log_leaks(summary, event)),
            ),
            sdk_calls=tuple(c for p in reach.packages for c in sdk.extract(p.trees, fn.environment)),
        )

    def _reach(self, pkg: Package, reach: _Reach) -> None:
        """The module's packages `pkg` imports, transitively (capped at MAX_PACKAGES)."""
        todo = [pkg]
        while todo:
            p = todo.pop(0)
            for imp in p.imports:
                folder = self.packages.internal(p.folder, imp)
                if folder is None or any(q.folder == folder for q in reach.packages):
                    continue
                if len(reach.packages) >= MAX_PACKAGES:
                    return
                loaded = self.packages.load(folder)
                if loaded is not None:
                    reach.packages.append(loaded)
                    todo.append(loaded)

    def summary(self, pkg: Package, func: GoFunc) -> Summary:
        key = (func.rel, func.node.start_byte)
        done = self.summaries.get(key)
        if done is not None:
            return done
        params = [n for n, _ in parameters(func.node)]
        # a recursive call sees the empty summary in the cache until this walk is done
        self.summaries[key] = Summary(params)

        def resolve(qualifier: str, name: str, method: bool) -> Summary | None:
            target = self._target(pkg, qualifier, name, method)
            if target is None:
                return None
            owner = self.packages.load(target.folder)
            return self.summary(owner, target) if owner is not None else None

        result = walk_function(GoWalk(func.rel, Summary(params), resolve, pkg), func.node)
        self.summaries[key] = result
        return result

    def _other(self, pkg: Package, import_path: str) -> Package | None:
        folder = self.packages.internal(pkg.folder, import_path)
        return self.packages.load(folder) if folder is not None and folder in self.reached else None

    def _target(self, pkg: Package, qualifier: str, name: str, method: bool) -> GoFunc | None:
        """A call's function: `name` of this package, `pkg.Name` of a module package (qualifier = its
        import path), or a method looked up by name in the package its receiver's type names
        (qualifier = that type text, `*db.Store`), else in this package."""
        if not method:
            if not qualifier:
                return pkg.funcs.get(name)
            other = self._other(pkg, qualifier)
            return other.funcs.get(name) if other is not None and name[:1].isupper() else None
        type_name = qualifier.lstrip("*&[]")
        alias, dot, _ = type_name.partition(".")
        if dot and alias in pkg.aliases:
            other = self._other(pkg, pkg.aliases[alias])
            return other.methods.get(name) if other is not None else None
        return pkg.methods.get(name)


def _lambda_start_target(pkg: Package) -> GoFunc | None:
    """The function `main` passes to `lambda.Start(x)` (or StartWithOptions / StartWithContext /
    StartHandler): a func literal, a named function, a package var bound to a func literal, a local
    variable bound to one of those, a method value (`h.Handle`, `(&Handler{}).Handle`: looked up by
    method name), or a value whose type implements `lambda.Handler` (its `Invoke` method)."""
    main = pkg.funcs.get("main")
    if main is None:
        return None
    locals_: dict[str, Node] = {}
    todo = [main.node]
    while todo:
        n = todo.pop()
        if n.type in ("short_var_declaration", "assignment_statement"):
            _note_locals(n, locals_)
        if n.type == "call_expression":
            start = sinks.LAMBDA_STARTS.get(text(n.child_by_field_name("function")))
            if start is not None:
                args = n.child_by_field_name("arguments")
                values = args.named_children if args is not None else []
                target = values[start] if start < len(values) else None
                name = text(n.child_by_field_name("function"))
                return _target_of(pkg, main, target, locals_, handler_type=name.startswith("lambda.StartHandler"))
        todo.extend(reversed(n.named_children))
    return None


def _note_locals(node: Node, locals_: dict[str, Node]) -> None:
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None or len(left.named_children) != len(right.named_children):
        return
    for target, value in zip(left.named_children, right.named_children, strict=True):
        if target.type == "identifier":
            locals_[text(target)] = value


def _target_of(
    pkg: Package, main: GoFunc, target: Node | None, locals_: dict[str, Node], handler_type: bool
) -> GoFunc | None:
    for _ in range(8):  # `h := handle; f := h`: a few hops of local aliases
        if target is None:
            return None
        if handler_type:  # `lambda.StartHandler(x)`: x implements `Invoke(ctx, []byte) ([]byte, error)`
            return pkg.methods.get("Invoke")
        if target.type in ("parenthesized_expression",) and target.named_children:
            target = target.named_children[0]
        elif target.type == "func_literal":
            return GoFunc(main.rel, target, main.folder)
        elif target.type == "identifier" and text(target) in locals_:
            target = locals_.pop(text(target))
        elif target.type == "identifier":  # a function, or a package var bound to one (`var h = handle`)
            name = text(target)
            return pkg.funcs.get(name) or pkg.funcs.get(pkg.var_types.get(name, ""))
        elif target.type == "selector_expression":
            return pkg.methods.get(text(target.child_by_field_name("field")))
        elif target.type == "call_expression":  # `lambda.NewHandler(h)`, `otellambda.InstrumentHandler(h)`
            args = target.child_by_field_name("arguments")
            target = args.named_children[0] if args is not None and args.named_children else None
        else:
            return None
    return None


def _event_index(params: list[tuple[str, str]]) -> int:
    """The parameter typed as an `events.*` struct, else the last one (`func(ctx, event)`, `Invoke(ctx, payload)`)."""
    for i, (_, type_text) in enumerate(params):
        if type_text.lstrip("*").startswith("events."):
            return i
    return max(len(params) - 1, 0)
