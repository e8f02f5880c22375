"""One Kotlin function's code: the handler's source file, the handler function, its summary, the facts.

The handler string names a class (`com.acme.Handler::handleRequest`, a `RequestHandler` implementation),
an `object`, or — for `com.acme.FuncsKt::handle` — a top-level function of `Funcs.kt`; the loader has
located the file under `src/main/kotlin`. The handler function is walked with its event (first
parameter) as root. Calls of project functions are followed through their summaries, cached per (file,
function) for the scan: the class's own functions, the file's top-level functions and objects, those of
the other files of the handler's package (its folder), and classes the file imports from the same source
root (`import com.acme.repo.OrderRepo` → `<root>/com/acme/repo/OrderRepo.kt`). Only files inside the
function's code folder are read.
"""

from __future__ import annotations

from pathlib import Path

from tree_sitter import Node

from fnaudit.engines.code.base import Analysis
from fnaudit.engines.code.files import FileCache
from fnaudit.engines.code.kotlin import sdk as kotlin_sdk
from fnaudit.engines.code.kotlin.parse import ClassDecl, KtFile, child, declarations, parameters, parse_kotlin
from fnaudit.engines.code.kotlin.walk import Walk, expr, stmt
from fnaudit.engines.code.reach import reached_files
from fnaudit.engines.code.taint import facts
from fnaudit.engines.code.taint.summaries import call_positional
from fnaudit.engines.code.taint.values import Ref, Summary, Val, union
from fnaudit.model.app import App, Function
from fnaudit.model.code import CodeFacts, SdkCall

Key = tuple[str, int]  # (file, function start byte)
# Event types of the two Lambda interfaces' bridge overloads: not the handler a typed event reaches.
_UNTYPED = frozenset({"Any", "Object"})
_MAX_PACKAGE_FILES = 200  # files of one package folder read for its top-level functions and classes
# Calls nested deeper than this are not followed (their value is unknown, as a library call's): each level
# costs a dozen Python frames, and a generated call chain must not end in a RecursionError that loses the
# whole function's findings.
_MAX_CALL_DEPTH = 24


class KotlinAnalyser:
    """The functions of Kotlin projects, each walked once per scan into a summary."""

    def __init__(self, cache: FileCache, root: Path) -> None:
        self.cache = cache
        self.root = root
        self._summaries: dict[Key, Summary | None] = {}
        self._files: dict[str, KtFile | None] = {}
        self._packages: dict[str, list[KtFile]] = {}  # (folder, package) → the files declaring it there
        self._fields: dict[tuple[str, str], dict[str, Val]] = {}  # (file, class) → property values
        self._calls: dict[Key, dict[Key, None]] = {}  # summary → the project functions it calls, in order
        self._stack: list[Key] = []
        self._code_root: Path | None = None

    # --- files ---------------------------------------------------------------------------------------------

    def _load(self, rel: str, handler: bool = False) -> KtFile | None:
        """The declarations of a file; other files than the handler's only when inside the code folder."""
        if rel in self._files:
            return self._files[rel]
        self._files[rel] = None
        parsed = self.cache.project_file(rel, self._code_root, "kotlin", parse_kotlin, handler)
        if parsed is not None:
            self._files[rel] = declarations(*parsed)
        return self._files[rel]

    def _folder(self, folder: str, package: str) -> list[KtFile]:
        """The files of a source folder (`src/main/kotlin/com/acme/repo`) that declare `package`, in name order:
        Kotlin does not tie a file's name to its classes, so a package is its folder's files."""
        key = f"{folder}\0{package}"
        if key in self._packages:
            return self._packages[key]
        self._packages[key] = []
        try:
            paths = sorted(p for p in self.cache.artifacts.real_path(folder).iterdir() if p.suffix == ".kt")
        except OSError:
            paths = []
        out: list[KtFile] = []
        for p in paths[:_MAX_PACKAGE_FILES]:
            other = self._load(self.cache.rel(p))
            if other is not None and other.package == package:
                out.append(other)
        self._packages[key] = out
        return out

    def _package(self, kf: KtFile) -> list[KtFile]:
        """The other files of `kf`'s folder declaring the same package."""
        folder = kf.source.rel.rsplit("/", 1)[0] if "/" in kf.source.rel else "."
        return [f for f in self._folder(folder, kf.package) if f is not kf]

    def _class(self, kf: KtFile, simple: str) -> tuple[KtFile, ClassDecl] | None:
        """The project class or object a simple name stands for in `kf`: its own, its package's, or the one
        an import names, in the files of the imported package's folder under the same source root."""
        if simple in kf.classes:
            return kf, kf.classes[simple]
        for other in self._package(kf):
            if simple in other.classes:
                return other, other.classes[simple]
        imported = next((i for i in kf.imports if i.rsplit(".", 1)[-1] == simple), None)
        if imported is not None and "." in imported:
            package = imported.rsplit(".", 1)[0]
            for other in self._folder(_source_root(kf) + package.replace(".", "/"), package):
                if simple in other.classes:
                    return other, other.classes[simple]
        return None

    def _function(self, kf: KtFile, name: str) -> tuple[KtFile, list[Node]] | None:
        """The top-level function `name` of `kf` or of its package."""
        for f in (kf, *self._package(kf)):
            if name in f.functions:
                return f, f.functions[name]
        return None

    # --- calls (walk.py) -----------------------------------------------------------------------------------

    def is_class(self, w: Walk, simple: str) -> bool:
        kf = self._files.get(w.file.rel)
        return kf is not None and self._class(kf, simple) is not None

    def call(self, w: Walk, owner: str | None, name: str, args: list[Val], node: Node) -> Val | None:
        kf = self._files.get(w.file.rel)
        if kf is None or len(self._stack) >= _MAX_CALL_DEPTH:
            return None
        target: tuple[KtFile, ClassDecl | None, list[Node]] | None = None
        if owner is None and w.cls is not None and name in w.cls.methods:
            target = (kf, w.cls, w.cls.methods[name])
        elif owner is None:
            found = self._function(kf, name)
            target = (found[0], None, found[1]) if found is not None else None
        else:
            cls = self._class(kf, owner)
            if cls is not None and name in cls[1].methods:
                target = (cls[0], cls[1], cls[1].methods[name])
        if target is None:
            return None
        callee_file, cls_decl, funs = target
        same = [f for f in funs if len(parameters(f)) == len(args)]
        callee = self.summary(callee_file, cls_decl, (same or funs)[0], event_index=None)
        loc = w.loc(node)
        return call_positional(callee, args, w.summary, loc, name)

    def summary(self, kf: KtFile, cls: ClassDecl | None, fun: Node, event_index: int | None) -> Summary:
        key = (kf.source.rel, fun.start_byte)
        params = parameters(fun)
        if self._stack:
            self._calls.setdefault(self._stack[-1], {})[key] = None
        if key in self._summaries:
            return self._summaries[key] or Summary([p for p, _ in params])  # recursion: an empty summary
        self._summaries[key] = None
        fields = self._fields.setdefault((kf.source.rel, cls.name if cls is not None else ""), {})
        w = Walk(kf.source, cls, self, Summary([p for p, _ in params]), fields, event_index)
        if cls is not None:
            w.types.update({n: p.type for n, p in cls.properties.items() if p.type})
        for i, (p, typ) in enumerate(params):
            w.types[p] = typ
            w.env[p] = {Ref(i): ()}
        body = child(fun, "function_body")
        block = child(body, "block")
        self._stack.append(key)
        try:
            if block is not None:
                stmt(w, block)
            elif body is not None and body.named_children:  # `fun f(x: String) = ...`: the expression is returned
                val = expr(w, body.named_children[0])
                if not w.ended:
                    w.summary.ret = union(w.summary.ret, val)
                    w.summary.returns.append((w.loc(body), val))
        finally:
            self._stack.pop()
        self._summaries[key] = w.summary
        return w.summary

    # --- the function --------------------------------------------------------------------------------------

    def analyse(self, fn: Function, in_app: App | None = None) -> Analysis | None:
        code = fn.code
        if code.handler_file is None or not code.handler_file.endswith(".kt"):
            return None
        self._code_root = self.cache.artifacts.real_path(code.root) if code.root is not None else self.cache.root
        kf = self._load(code.handler_file, handler=True)
        if kf is None:
            return None
        cls_name, _, method = (code.handler_symbol or "").partition("::")
        cls, handler = _handler(kf, cls_name, method or "handleRequest")
        summary, files = Summary([]), [kf.source.rel]
        if handler is not None:
            summary = self.summary(kf, cls, handler, event_index=0)
            files = reached_files(self._calls, (kf.source.rel, handler.start_byte))
        param = summary.params[0] if summary.params else "input"
        loaded = [f for f in (self._files.get(rel) for rel in files) if f is not None]
        imports: list[str] = []
        for f in loaded:
            imports.extend(i for i in f.imports if i not in imports and not self._is_project(f, i))
        calls: list[SdkCall] = []
        for f in loaded:
            calls.extend(kotlin_sdk.extract(f.tree, f.source.rel, fn))
        return Analysis(
            CodeFacts(
                imports=tuple(imports),
                files=tuple(files),
                flows=tuple(facts.flows(summary, 0, param, fn)),
                log_leaks=tuple(facts.log_leaks(summary, 0)),
                verbose_errors=tuple(facts.verbose_errors(summary)),
                handler_found=handler is not None,
            ),
            sdk_calls=tuple(calls),
        )

    def _is_project(self, kf: KtFile, imported: str) -> bool:
        """An import of the project's own sources (a package folder of the source root, not a library)."""
        package = imported.rsplit(".", 1)[0] if "." in imported else ""
        return bool(package) and self.cache.artifacts.real_path(_source_root(kf) + package.replace(".", "/")).is_dir()


def _handler(kf: KtFile, cls_name: str, name: str) -> tuple[ClassDecl | None, Node | None]:
    """The handler function: the method of the named class or object (the overload whose event is typed,
    or a stream handler's), else — `FuncsKt::handle`, or a class the file does not declare — the file's
    top-level function of that name."""
    cls = kf.classes.get(cls_name)
    candidates = cls.methods.get(name, []) if cls is not None else []
    if not candidates:
        cls, candidates = None, kf.functions.get(name, [])
    if not candidates:
        return None, None
    streams = [m for m in candidates if len(parameters(m)) == 3 and parameters(m)[0][1] == "InputStream"]
    typed = [m for m in candidates if parameters(m) and parameters(m)[0][1] not in _UNTYPED]
    return cls, (streams or typed or candidates)[0]


def _source_root(kf: KtFile) -> str:
    """`src/main/kotlin/` for `src/main/kotlin/com/acme/Handler.kt` in package `com.acme`."""
    folder = kf.source.rel.rsplit("/", 1)[0] if "/" in kf.source.rel else ""
    pkg = kf.package.replace(".", "/")
    if pkg and folder.endswith(pkg):
        folder = folder[: -len(pkg)].rstrip("/")
    return folder + "/" if folder else ""
