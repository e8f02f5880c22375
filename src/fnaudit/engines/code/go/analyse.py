"""The Go analyser: the `main` package of the handler's folder, `lambda.Start(x)` → the handler, and
its taint summary computed by the language-neutral core (docs/language-interface.md).

The package is every non-test `.go` file of the handler file's folder with the same package
clause. Functions of the package are followed through their summaries; other packages are not
(yet) followed, and AWS SDK calls are not mapped (yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tree_sitter import Node

from fnaudit.engines.code.base import Analysis
from fnaudit.engines.code.files import FileCache
from fnaudit.engines.code.go import sinks
from fnaudit.engines.code.go.parse import GoParser, GoTree, text
from fnaudit.engines.code.go.walk import GoWalk, parameters, walk_function
from fnaudit.engines.code.taint import Summary, facts
from fnaudit.model.app import App, Function
from fnaudit.model.code import CodeFacts

MAX_FILES = 200  # a package folder larger than this is generated code: its first files only


@dataclass(frozen=True, slots=True)
class GoFunc:
    rel: str  # file relative to the scan root
    node: Node  # function_declaration, method_declaration or func_literal


@dataclass(frozen=True, slots=True)
class Package:
    files: tuple[str, ...]
    imports: tuple[str, ...]
    funcs: dict[str, GoFunc]  # top-level functions by name
    methods: dict[str, GoFunc]  # methods by name (any receiver: one handler type per package)
    trees: tuple[tuple[str, GoTree], ...]


class GoAnalyser:
    def __init__(self, cache: FileCache, root: Path) -> None:
        self.cache = cache
        self.root = root
        self.parser = GoParser()
        self.summaries: dict[tuple[str, int], Summary] = {}  # per scan, never global

    def analyse(self, fn: Function, in_app: App | None = None) -> Analysis | None:
        if fn.code.handler_file is None:
            return None
        handler_path = self.cache.artifacts.real_path(fn.code.handler_file)
        pkg = self._package(handler_path)
        if pkg is None:
            return None
        handler = _lambda_start_target(pkg)
        if handler is None:
            return Analysis(CodeFacts(imports=pkg.imports, files=pkg.files, handler_found=False))
        params = parameters(handler.node)
        event = _event_index(params)
        summary = self.summary(pkg, handler)
        flows = facts.flows(summary, event, params[event][0] if params else "event", fn) if params else []
        return Analysis(
            CodeFacts(
                imports=pkg.imports,
                files=pkg.files,
                flows=tuple(flows),
                state_writes=tuple(facts.state_writes(summary, event)),
                verbose_errors=tuple(facts.verbose_errors(summary)),
                log_leaks=tuple(facts.log_leaks(summary, event)),
            )
        )

    def _package(self, handler_path: Path) -> Package | None:
        first = self.cache.read(handler_path)
        if first is None:
            return None
        head = self.cache.parse(first, "go", self.parser)
        if head is None:  # a syntax error: already in cache.errors
            return None
        name = _package_name(head)
        paths = sorted(p for p in handler_path.parent.glob("*.go") if not p.name.endswith("_test.go"))
        trees: list[tuple[str, GoTree]] = []
        for p in paths[:MAX_FILES]:
            f = first if p == handler_path else self.cache.read(p)
            tree = self.cache.parse(f, "go", self.parser) if f is not None else None
            if tree is not None and f is not None and _package_name(tree) == name:
                trees.append((f.rel, tree))
        funcs: dict[str, GoFunc] = {}
        methods: dict[str, GoFunc] = {}
        imports: set[str] = set()
        for rel, tree in trees:
            for node in tree.root.named_children:
                if node.type == "function_declaration":
                    funcs.setdefault(text(node.child_by_field_name("name")), GoFunc(rel, node))
                elif node.type == "method_declaration":
                    methods.setdefault(text(node.child_by_field_name("name")), GoFunc(rel, node))
                elif node.type == "import_declaration":
                    imports.update(_import_paths(node))
        return Package(tuple(rel for rel, _ in trees), tuple(sorted(imports)), funcs, methods, tuple(trees))

    def summary(self, pkg: Package, func: GoFunc) -> Summary:
        key = (func.rel, func.node.start_byte)
        done = self.summaries.get(key)
        if done is not None:
            return done
        params = [n for n, _ in parameters(func.node)]
        # a recursive call sees the empty summary in the cache until this walk is done
        self.summaries[key] = Summary(params)

        def resolve(name: str) -> Summary | None:
            target = pkg.funcs.get(name)
            return self.summary(pkg, target) if target is not None else None

        result = walk_function(GoWalk(func.rel, Summary(params), resolve), func.node)
        self.summaries[key] = result
        return result


def _package_name(tree: GoTree) -> str:
    for node in tree.root.named_children:
        if node.type == "package_clause":
            return text(node.named_children[0]) if node.named_children else ""
    return ""


def _import_paths(node: Node) -> list[str]:
    out = []
    todo = [node]
    while todo:
        n = todo.pop()
        if n.type == "import_spec":
            out.append(text(n.child_by_field_name("path")).strip('"`'))
        else:
            todo.extend(n.named_children)
    return out


def _lambda_start_target(pkg: Package) -> GoFunc | None:
    """The function `main` passes to `lambda.Start(x)`: a func literal, a named function, or a
    method value (`h.Handle`, looked up by method name)."""
    main = pkg.funcs.get("main")
    if main is None:
        return None
    todo = [main.node]
    while todo:
        n = todo.pop()
        if n.type == "call_expression" and text(n.child_by_field_name("function")) in sinks.LAMBDA_STARTS:
            args = n.child_by_field_name("arguments")
            target = args.named_children[0] if args is not None and args.named_children else None
            if target is None:
                return None
            if target.type == "func_literal":
                return GoFunc(main.rel, target)
            if target.type == "identifier":
                return pkg.funcs.get(text(target))
            if target.type == "selector_expression":
                return pkg.methods.get(text(target.child_by_field_name("field")))
            return None
        todo.extend(reversed(n.named_children))
    return None


def _event_index(params: list[tuple[str, str]]) -> int:
    """The parameter typed as an `events.*` struct, else the last one (`func(ctx, event)`)."""
    for i, (_, type_text) in enumerate(params):
        if type_text.lstrip("*").startswith("events."):
            return i
    return max(len(params) - 1, 0)
