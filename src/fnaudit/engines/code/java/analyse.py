"""One Java function's code: the handler class's source file, the handler method, its summary, the facts.

The class the handler string names (`com.acme.Foo::handleRequest`, located by the loader under
`src/main/java`) is parsed with tree-sitter-java; the handler method (the named one; `handleRequest`
by default, the overload a `RequestHandler` / `RequestStreamHandler` implements) is walked with its
event (first parameter) as root. Calls of the class's own methods, its superclass's, and of other
classes of the same source root (static calls, `new Repo(...)`, fields and locals typed with a project
class) are followed through their summaries, cached per (file, method). Only files of the function's
code folder are read: the class → file mapping is by package and name (`com.acme.repo.Repo` →
`<source root>/com/acme/repo/Repo.java`).
"""

from __future__ import annotations

from pathlib import Path

from tree_sitter import Node

from fnaudit.engines.code.base import Analysis
from fnaudit.engines.code.files import FileCache
from fnaudit.engines.code.java import sdk as java_sdk
from fnaudit.engines.code.java.objects import configure
from fnaudit.engines.code.java.parse import ClassDecl, JavaFile, declarations, parameters, parse_java
from fnaudit.engines.code.java.state import Walk
from fnaudit.engines.code.java.walk import arg_types, stmt
from fnaudit.engines.code.reach import reached_files
from fnaudit.engines.code.taint import facts
from fnaudit.engines.code.taint.summaries import call_positional
from fnaudit.engines.code.taint.values import Ref, Summary, Val
from fnaudit.model.app import App, Function
from fnaudit.model.code import CodeFacts

_MAX_SUPER = 5  # superclass hops followed (a cycle in broken code must not loop)
Key = tuple[str, int]  # (file, method start byte)


class JavaAnalyser:
    """Project methods, each walked once per scan into a summary."""

    def __init__(self, cache: FileCache, root: Path) -> None:
        self.cache = cache
        self.root = root
        self._summaries: dict[Key, Summary | None] = {}
        self._files: dict[str, JavaFile | None] = {}  # rel path → declarations (None: missing or unparsable)
        self._fields: dict[tuple[str, str], dict[str, Val]] = {}  # (file, class) → field values
        self._calls: dict[Key, dict[Key, None]] = {}  # summary → the project methods it calls, in call order
        self._stack: list[Key] = []
        self._code_root: Path | None = None

    # --- files and classes -----------------------------------------------------------------------

    def _load(self, rel: str, handler: bool = False) -> JavaFile | None:
        """The declarations of a file of the project; other classes than the handler's are read only when
        they are files inside the function's code folder (`exists_inside`: no link out of it is followed)."""
        if rel in self._files:
            return self._files[rel]
        self._files[rel] = None
        parsed = self.cache.project_file(rel, self._code_root, "java", parse_java, handler)
        if parsed is not None:
            self._files[rel] = declarations(*parsed)
        return self._files[rel]

    def _class(self, seen_from: JavaFile, simple: str) -> tuple[JavaFile, ClassDecl] | None:
        """The project class a simple name stands for in `seen_from`: one of its own, else the file its
        import (or, without one, its package) names under the same source root."""
        if simple in seen_from.classes:
            return seen_from, seen_from.classes[simple]
        qualified = seen_from.qualify(simple)
        if qualified is None:
            return None
        rel = _source_root(seen_from) + qualified.replace(".", "/") + ".java"
        jf = self._load(rel)
        if jf is None or simple not in jf.classes:
            return None
        return jf, jf.classes[simple]

    def _method(
        self, jf: JavaFile, cls: ClassDecl, name: str, arg_types: list[str]
    ) -> tuple[JavaFile, ClassDecl, Node] | None:
        """The method `name` of the class or its superclasses: the overload a call with arguments of
        `arg_types` means ("" for a type the walk does not know)."""
        for _ in range(_MAX_SUPER):
            found = cls.methods.get(name)
            if found:
                return jf, cls, _overload(found, arg_types)
            if cls.superclass is None:
                return None
            parent = self._class(jf, cls.superclass)
            if parent is None:
                return None
            jf, cls = parent
        return None

    # --- Calls (walk.py) -------------------------------------------------------------------------

    def is_class(self, w: Walk, simple: str) -> bool:
        jf = self._files.get(w.file.rel)
        return jf is not None and self._class(jf, simple) is not None

    def call(self, w: Walk, owner: str | None, name: str, args: list[Val], node: Node) -> Val | None:
        jf = self._files.get(w.file.rel)
        if jf is None:
            return None
        if owner is None:
            start: tuple[JavaFile, ClassDecl] | None = (jf, w.cls)
        else:
            start = self._class(jf, owner)
        found = self._method(*start, name, arg_types(w, node)) if start is not None else None
        if found is None:
            return None
        callee = self._summary(*found, event_index=None)
        loc = w.loc(node)
        return call_positional(callee, args, w.summary, loc, name)

    def _summary(self, jf: JavaFile, cls: ClassDecl, method: Node, event_index: int | None) -> Summary:
        key = (jf.source.rel, method.start_byte)
        params = parameters(method)
        if self._stack:
            self._calls.setdefault(self._stack[-1], {})[key] = None
        if key in self._summaries:
            return self._summaries[key] or Summary([p for p, _ in params])  # recursion: an empty summary
        self._summaries[key] = None
        fields = self._fields.setdefault((jf.source.rel, cls.name), {})
        w = Walk(jf.source, cls, self, Summary([p for p, _ in params]), fields, event_index)
        w.types.update({n: f.type for n, f in cls.fields.items()})
        for call in cls.setup:  # fields configured in constructors and initializers (a mapper's default typing)
            configure(w, call)
        for i, (p, typ) in enumerate(params):
            w.types[p] = typ
            w.env[p] = {Ref(i): ()}
        body = method.child_by_field_name("body")
        self._stack.append(key)
        try:
            if body is not None:
                stmt(w, body)
        finally:
            self._stack.pop()
        self._summaries[key] = w.summary
        return w.summary

    # --- the function ----------------------------------------------------------------------------

    def analyse(self, fn: Function, in_app: App | None = None) -> Analysis | None:
        code = fn.code
        if code.handler_file is None:
            return None
        if not code.handler_file.endswith(".java"):  # a `.kt` handler is the Kotlin front end's
            return None
        self._code_root = self.cache.artifacts.real_path(code.root) if code.root is not None else self.cache.root
        jf = self._load(code.handler_file, handler=True)
        if jf is None:
            return None
        cls_name, _, method_name = (code.handler_symbol or "").partition("::")
        cls = jf.classes.get(cls_name)
        handler = _handler(self, jf, cls, method_name or "handleRequest") if cls is not None else None
        summary, files = Summary([]), [jf.source.rel]
        if handler is not None:
            summary = self._summary(*handler, event_index=0)
            files = reached_files(self._calls, (handler[0].source.rel, handler[2].start_byte))
        param = summary.params[0] if summary.params else "input"
        return Analysis(
            CodeFacts(
                imports=_imports(self, files),
                files=tuple(files),
                flows=tuple(facts.flows(summary, 0, param, fn)),
                log_leaks=tuple(facts.log_leaks(summary, 0)),
                verbose_errors=tuple(facts.verbose_errors(summary)),
                handler_found=handler is not None,
            ),
            sdk_calls=java_sdk.project_calls(files, self._files, fn),
        )


def _handler(a: JavaAnalyser, jf: JavaFile, cls: ClassDecl, name: str) -> tuple[JavaFile, ClassDecl, Node] | None:
    """The handler method: for `handleRequest`, the overload the Lambda interfaces call (a stream handler's
    three parameters, else the one whose event type is not `Object`: the other is the compiler's bridge)."""
    found = a._method(jf, cls, name, ["", ""])
    if found is None:
        return None
    owner_file, owner, _ = found
    candidates = owner.methods.get(name, [])
    streams = [m for m in candidates if len(parameters(m)) == 3 and parameters(m)[0][1] == "InputStream"]
    typed = [m for m in candidates if parameters(m) and parameters(m)[0][1] != "Object"]
    best = (streams or typed or candidates)[0]
    return owner_file, owner, best


def _overload(methods: list[Node], arg_types: list[str]) -> Node:
    """The overload a call means: same number of parameters, then parameter types that agree with the
    arguments' known types (the first declared one when several fit; the first one when none does)."""
    same_arity = [m for m in methods if len(parameters(m)) == len(arg_types)]
    for m in same_arity:
        if all(not a or a == t for a, (_, t) in zip(arg_types, parameters(m), strict=True)):
            return m
    return (same_arity or methods)[0]


def _source_root(jf: JavaFile) -> str:
    """`src/main/java/` for `src/main/java/com/acme/Api.java` in package `com.acme`."""
    folder = jf.source.rel.rsplit("/", 1)[0] if "/" in jf.source.rel else ""
    pkg = jf.package.replace(".", "/")
    if pkg and folder.endswith(pkg):
        folder = folder[: -len(pkg)].rstrip("/")
    return folder + "/" if folder else ""


def _imports(a: JavaAnalyser, files: list[str]) -> tuple[str, ...]:
    """The imports of the files reached, without the project's own classes (those are files, not libraries)."""
    out: list[str] = []
    for rel in files:
        jf = a._files.get(rel)
        if jf is None:
            continue
        for imp in jf.imports:
            target = a.cache.artifacts.real_path(_source_root(jf) + imp.replace(".", "/") + ".java")
            if imp not in out and not target.is_file():
                out.append(imp)
    return tuple(out)
