"""Entry points in code files no function claims, analysed like a function with an unknown trigger.

A file-by-file scanner (bandit, njsscan) reads every script; fnaudit reads them too, but only from
their entry points, so that a finding still has a source and a trace: a top-level function with the
Lambda handler shape (`def name(event, context)`, `exports.x = (event, context) => …`,
`export async function handler(event)`), a module-level `handler` export (an adapter such as
`Mangum(app)` / `serverless(app)` included), and the framework apps the analysers already know
(Flask / FastAPI app, Chalice app object, an Express app behind serverless-http).

Each entry is analysed by the language's analyser through a synthetic view of a `Function` that
exists only here: no trigger, so the whole event is the attacker-controlled source at low confidence
(`sources.specs_for`), and no role, so nothing but the code facts comes out of it. The result is an
`UnclaimedEntry` on the app whose folder holds the file most closely, never a function (IAM, DOS and
AUTH rules must not see it). Run by the pipeline once per scan after the engines, over all apps at
once: only then is it known which files some function of *any* app ships. Scanned code is never
imported or executed, and no file outside the scan root is read (discovery's list is the input).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from fnaudit.engines.code import _analyser, _scan_state
from fnaudit.errors import ScanError
from fnaudit.model.app import App, Code, Function
from fnaudit.model.loc import Loc, Value
from fnaudit.model.unclaimed import UnclaimedEntry

if TYPE_CHECKING:  # the language front ends are imported only when a file of theirs is analysed
    from fnaudit.engines import EngineContext
    from fnaudit.engines.code.base import Analyser
    from fnaudit.engines.code.files import FileCache
    from fnaudit.engines.code.javascript.modules import JsModule, JsModuleGraph, Node
    from fnaudit.engines.code.python.modules import Module

LANGUAGES = {".py": "python", ".js": "node", ".mjs": "node", ".cjs": "node", ".ts": "node"}
# Folders whose code is not the app's own source: tests, build output, vendored third-party code.
_SKIP_DIRS = frozenset(
    {
        "tests",
        "test",
        "__tests__",
        "__mocks__",
        "spec",
        "dist",
        "build",
        "out",
        ".build",
        ".next",
        ".webpack",
        ".esbuild",
        "coverage",
        "vendor",
        "vendored",
        "site-packages",
        "node_modules",
    }
)
# Parameter names that make a two-parameter function a Lambda handler.
_EVENT_NAMES = frozenset({"event", "evt", "_event", "lambda_event"})
# `ctx` alone is not enough: `(app, ctx)`, `(request, ctx)` are common outside Lambda (click, pytest, rules).
_CONTEXT_NAMES = frozenset({"context", "_context", "lambda_context"})
_PY_APPS = {
    "flask.Flask": "web-app",
    "fastapi.FastAPI": "web-app",
    "starlette.applications.Starlette": "web-app",
    "chalice.Chalice": "chalice-app",
    "chalice.app.Chalice": "chalice-app",
}
# A scan of a huge monorepo stops analysing unclaimed entries here (named in `errors`).
MAX_FILES = 2000


def is_candidate(rel: str) -> bool:
    """A source file worth looking at for entry points: not a test, not build output or vendored code."""
    if "!/" in rel:  # members of a zip artifact belong to the function deployed from it
        return False
    path = PurePosixPath(rel)
    name = path.name.lower()
    if path.suffix not in LANGUAGES or name.endswith((".d.ts", ".min.js", ".bundle.js")):
        return False
    if any(part in _SKIP_DIRS for part in path.parts[:-1]):
        return False
    stem = name.split(".")[0]
    if name == "conftest.py" or stem.startswith("test_") or stem.endswith("_test"):
        return False
    return not any(marker in name for marker in (".test.", ".spec."))


def analyse(
    apps: list[App], walked: Iterable[str], ctx: EngineContext, iac: Iterable[str] = (), reported: Iterable[str] = ()
) -> tuple[list[App], list[ScanError]]:
    """Every entry point of the walked code files that no function of any app claims, on its owning app.

    `iac`: templates and the files they include (`serverless.ts` is code to the walk, configuration to us).
    `reported`: files an error entry already names (a handler linked out of the root, a loop): left alone.
    A file that resolves outside the root is never read (discovery or the loader has named it)."""
    if not apps:
        return apps, []
    cache, made = _scan_state(ctx)
    known = set(cache.errors)  # the engine's errors so far were returned by `enrich` already
    claimed = set(iac) | set(reported) | {app.source for app in apps}
    for app in apps:
        for fn in app.functions:
            if fn.code.handler_file:
                claimed.add(fn.code.handler_file)
            if fn.code_facts is not None:
                claimed.update(fn.code_facts.files)
    top = ctx.artifacts.root.resolve()
    files = sorted(rel for rel in set(walked) if rel not in claimed and is_candidate(rel) and _inside(ctx, rel, top))
    errors: list[ScanError] = []
    if len(files) > MAX_FILES:
        errors.append(
            ScanError(
                files[MAX_FILES],
                f"{len(files) - MAX_FILES} more code files no function claims were not analysed (limit {MAX_FILES})",
                "code",
            )
        )
        files = files[:MAX_FILES]
    owner_of = _owners(apps)
    found: dict[int, list[UnclaimedEntry]] = {}
    for rel in files:
        owner = owner_of(rel)
        language = LANGUAGES[PurePosixPath(rel).suffix]
        analyser = _analyser(language, cache, made)
        if analyser is None:
            continue
        root = _code_root(rel, language, apps[owner])
        for symbol, line, kind in _entries(analyser, cache, rel, language, root):
            entry = _analyse_entry(analyser, cache, rel, symbol, line, kind, language, root)
            if entry is not None:
                found.setdefault(owner, []).append(entry)
    out = [replace(app, unclaimed=app.unclaimed + tuple(found[i])) if i in found else app for i, app in enumerate(apps)]
    errors.extend(e for k, e in cache.errors.items() if k not in known)
    return out, sorted(errors)


def _inside(ctx: EngineContext, rel: str, top: Path) -> bool:
    try:
        return ctx.artifacts.real_path(rel).resolve().is_relative_to(top)
    except (OSError, RuntimeError):  # a link loop: never read
        return False


def _code_root(rel: str, language: str, app: App) -> str:
    """Python: the file's folder (how a script folder is packaged, and where its `import db` is found).
    Node: the owning app's folder, so that `require('../lib/db')` resolves, never beyond it."""
    parent = str(PurePosixPath(rel).parent)
    folder = "" if parent == "." else parent
    if language == "python":
        return folder
    app_root = "" if app.root in ("", ".") else app.root.rstrip("/")
    return app_root if not app_root or rel.startswith(app_root + "/") else folder


def _view(rel: str, symbol: str, line: int, kind: str, language: str, root: str) -> Function:
    """The entry as the analysers see a function: its code and handler, no trigger, no role."""
    loc = Loc(rel, line)
    stem = PurePosixPath(rel).stem
    return Function(
        id=f"{rel}#{symbol}",
        name=symbol,
        loc=loc,
        runtime=Value.unset(loc),
        handler=Value(f"{stem}.{symbol}", loc),
        code=Code(language, True, root=root or None, handler_file=rel, handler_symbol=symbol),
        framework="chalice" if kind == "chalice-app" else None,
    )


def _analyse_entry(
    analyser: Analyser, cache: FileCache, rel: str, symbol: str, line: int, kind: str, language: str, root: str
) -> UnclaimedEntry | None:
    view = _view(rel, symbol, line, kind, language, root)
    try:
        result = analyser.analyse(view)
    except (RecursionError, MemoryError):
        message = f"handler {symbol} (no function claims it): code too deeply nested to analyse"
        cache.errors.setdefault(f"{rel}#{symbol}", ScanError(rel, message, "code"))
        return None
    except Exception as exc:  # noqa: BLE001 - one entry's analysis must not stop the others'
        message = f"handler {symbol} (no function claims it): code engine failed ({type(exc).__name__}: {exc})"
        cache.errors.setdefault(f"{rel}#{symbol}", ScanError(rel, message, "code"))
        return None
    if result is None or not result.facts.handler_found:
        return None
    return UnclaimedEntry(rel, symbol, language, Loc(rel, line), kind, result.facts)


def _entries(analyser: Analyser, cache: FileCache, rel: str, language: str, root: str) -> list[tuple[str, int, str]]:
    """(symbol, line, kind) of each entry point of the file, in source order."""
    path = cache.artifacts.real_path(rel)
    code_root = cache.artifacts.real_path(root) if root else cache.root
    graph = getattr(analyser, "graph", None)
    if graph is None:
        return []
    if language == "python":
        module = graph.load(path, code_root)
        return _python_entries(module) if module is not None else []
    module = graph.load(path)
    return _js_entries(graph, module, code_root) if module is not None else []


def _python_entries(module: Module) -> list[tuple[str, int, str]]:
    from fnaudit.engines.code.python.analyse import handler_node
    from fnaudit.engines.code.python.modules import qualname
    from fnaudit.engines.code.python.web import app_of

    out: list[tuple[str, int, str]] = []
    apps: set[str] = set()
    for name, value in module.globals.items():
        kind = _PY_APPS.get(qualname(module, value.func) or "") if isinstance(value, ast.Call) else None
        if kind is not None:
            apps.add(name)
            out.append((name, module.global_lines.get(name, value.lineno), kind))
    handlers: set[str] = set()
    for name, fnode in module.functions.items():
        if _python_shaped(fnode):
            handlers.add(name)
            out.append((name, fnode.lineno, "handler"))
    # a module-level `handler` that is no plain function: `handler = Mangum(app)`, `handler = wrap(real)`
    bound = module.globals.get("handler")
    if bound is not None and "handler" not in module.functions:
        target = handler_node(module, "handler")
        wrapped = target.name if target is not None else None
        if wrapped not in handlers and app_of(module, "handler") not in apps:
            out.append(("handler", module.global_lines.get("handler", bound.lineno), "handler"))
    return sorted(out, key=lambda e: (e[1], e[0]))


def _python_shaped(fnode: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """`def name(event, context)`: two positional parameters named like a Lambda handler's."""
    params = [a.arg for a in (*fnode.args.posonlyargs, *fnode.args.args)]
    return len(params) == 2 and (params[0] in _EVENT_NAMES or params[1] in _CONTEXT_NAMES)


def _js_entries(graph: JsModuleGraph, module: JsModule, code_root: Path) -> list[tuple[str, int, str]]:
    from fnaudit.engines.code.javascript.analyse import handler_node
    from fnaudit.engines.code.javascript.web import adapter_app

    out: list[tuple[str, int, str]] = []
    for name in sorted(module.exports):
        if adapter_app(graph, module, name, code_root) is not None:
            got = graph.export(module, name, code_root)
            line = got[1].start_point[0] + 1 if got is not None else 1
            out.append((name, line, "web-app"))
            continue
        found = handler_node(graph, module, name, code_root)
        if found is None or found[0] is not module:  # a re-export: the module that defines it is the entry
            continue
        node = found[1]
        if name == "handler" or _js_shaped(node):
            out.append((name, node.start_point[0] + 1, "handler"))
    return sorted(out, key=lambda e: (e[1], e[0]))


def _js_shaped(node: Node) -> bool:
    """`(event, context) => …`, `async function (event) …`: the first parameter named like an event, or a
    second named like a context."""
    from fnaudit.engines.code.javascript.modules import text

    params = node.child_by_field_name("parameters")
    names: list[str] = []
    if params is None:
        single = node.child_by_field_name("parameter")  # `event => …`
        names = [text(single)] if single is not None else []
    else:
        for p in params.named_children:
            if p.type in ("required_parameter", "optional_parameter"):
                p = p.child_by_field_name("pattern") or p
            if p.type == "assignment_pattern":
                p = p.child_by_field_name("left") or p
            names.append(text(p) if p.type == "identifier" else "")
    if not names or len(names) > 3:
        return False
    return names[0] in _EVENT_NAMES or (len(names) > 1 and names[1] in _CONTEXT_NAMES)


def _owners(apps: list[App]) -> Callable[[str], int]:
    """rel → the index of the app whose folder holds it most closely (the first app when none does)."""
    by_root: dict[str, int] = {}
    for i, app in enumerate(apps):
        by_root.setdefault("" if app.root in ("", ".") else PurePosixPath(app.root).as_posix(), i)

    def owner(rel: str) -> int:
        for parent in PurePosixPath(rel).parents:
            key = "" if str(parent) == "." else parent.as_posix()
            if key in by_root:
                return by_root[key]
        return 0

    return owner
