"""One Java function's code: the handler class's source file, the handler method, its summary, the facts.

A first slice of issue 15: the class the handler string names (`com.acme.Foo::handleRequest`, located
by the loader under `src/main/java`) is parsed with tree-sitter-java; its `handleRequest` is walked with
the event (its first parameter) as root, following calls of the class's own methods through their
summaries. Sources are the API Gateway event getters (`getBody()`, `getQueryStringParameters()`...,
read as the event's JSON fields so the core classifies them by trigger); sinks are JDBC statements
run on a built string, `Runtime.exec` / `ProcessBuilder`, and `File` / `Files.*` paths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from tree_sitter import Language, Node, Parser

from fnaudit.engines.code import ir
from fnaudit.engines.code.base import Analysis
from fnaudit.engines.code.files import FileCache, ParseFailure, SourceFile
from fnaudit.engines.code.sources import ANY, ELEM
from fnaudit.engines.code.taint import facts
from fnaudit.engines.code.taint.summaries import apply_events, bind_arguments, returned
from fnaudit.engines.code.taint.values import (
    EMPTY,
    Env,
    Ref,
    Summary,
    Val,
    active,
    flatten,
    join_branches,
    merge_envs,
    sub,
    union,
    with_step,
)
from fnaudit.engines.code.treecheck import first_error_line, too_deep
from fnaudit.errors import ScanError
from fnaudit.model.app import App, Function
from fnaudit.model.code import CodeFacts, Step
from fnaudit.model.loc import Loc

# Event getters → the event's JSON field, so `sources` classifies them as for the other languages.
GETTERS = {
    "getBody": "body",
    "getQueryStringParameters": "queryStringParameters",
    "getMultiValueQueryStringParameters": "multiValueQueryStringParameters",
    "getPathParameters": "pathParameters",
    "getHeaders": "headers",
    "getMultiValueHeaders": "multiValueHeaders",
    "getCookies": "cookies",
    "getRawPath": "rawPath",
    "getRawQueryString": "rawQueryString",
    "getPath": "path",
}
# Calls that turn their input into a number (or fail): nothing the caller wrote survives.
SANITISERS = {"parseInt", "parseLong", "parseDouble", "parseFloat", "parseShort", "parseBoolean"}
# Methods whose result is text built from the receiver and the arguments.
PROPAGATORS = {
    "format",
    "formatted",
    "valueOf",
    "concat",
    "toString",
    "trim",
    "strip",
    "toLowerCase",
    "toUpperCase",
    "substring",
    "replace",
    "replaceAll",
    "join",
    "append",
    "split",
}
SQL_METHODS = {"executeQuery", "executeUpdate", "executeLargeUpdate", "addBatch", "prepareStatement", "prepareCall"}
# `execute` is also an HTTP client's, an executor's...: a SQL sink only on a receiver declared as a JDBC type.
JDBC_TYPES = {"Statement", "PreparedStatement", "CallableStatement", "Connection"}
FILES_METHODS = {
    "readAllBytes",
    "readString",
    "readAllLines",
    "lines",
    "newInputStream",
    "newOutputStream",
    "newBufferedReader",
    "newBufferedWriter",
    "write",
    "writeString",
    "delete",
    "deleteIfExists",
    "copy",
    "move",
}
PATH_TYPES = {"File", "FileInputStream", "FileOutputStream", "FileReader", "FileWriter", "RandomAccessFile"}
_LOOPS = ("for_statement", "enhanced_for_statement", "while_statement", "do_statement")


@cache
def _language() -> Language:
    import tree_sitter_java as tsj

    return Language(tsj.language())


def parse_java(f: SourceFile) -> Node:
    """The file's tree (a `FileCache.parse` callback); a syntax error is a `ParseFailure` with its line."""
    root = Parser(_language()).parse(f.text.encode("utf-8")).root_node
    if root.has_error:
        raise ParseFailure(
            "Java syntax error; the file was not analysed for code findings: fix it, or check that the "
            "function's runtime matches the code",
            first_error_line(root),
        )
    if too_deep(root):
        raise ParseFailure("code nested too deeply to analyse; the file was not analysed")
    return root


def _text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def _string(node: Node | None) -> str | None:
    if node is None or node.type != "string_literal":
        return None
    return "".join(_text(c) for c in node.named_children if c.type == "string_fragment")


@dataclass(slots=True)
class Walk:
    """The state of one method's walk: its environment, its summary, and the class it belongs to."""

    file: SourceFile
    methods: dict[str, Node]
    summary_of: Callable[[str], Summary | None]
    env: Env
    summary: Summary
    ended: bool = False
    types: dict[str, str] = field(default_factory=dict)  # local name → its declared type (simple name)

    def loc(self, node: Node) -> Loc:
        return Loc(self.file.rel, node.start_point[0] + 1)


def _simple_type(node: Node | None) -> str:
    """`java.sql.Statement` / `List<String>` → `Statement` / `List`."""
    return _text(node).split("<")[0].rsplit(".", 1)[-1]


def _param_types(method: Node) -> dict[str, str]:
    plist = method.child_by_field_name("parameters")
    out: dict[str, str] = {}
    for p in plist.named_children if plist is not None else []:
        if p.type == "formal_parameter":
            out[_text(p.child_by_field_name("name"))] = _simple_type(p.child_by_field_name("type"))
    return out


def _params(method: Node) -> list[str]:
    plist = method.child_by_field_name("parameters")
    if plist is None:
        return []
    return [_text(p.child_by_field_name("name")) for p in plist.named_children if p.type == "formal_parameter"]


def _args(w: Walk, call: Node) -> list[Val]:
    args = call.child_by_field_name("arguments")
    return [expr(w, a) for a in args.named_children] if args is not None else []


def _sink(w: Walk, kind: str, call_text: str, node: Node, v: Val) -> None:
    w.summary.record(kind, call_text, w.loc(node), active(v, kind))


def _invocation(w: Walk, node: Node) -> Val:
    obj = node.child_by_field_name("object")
    name = _text(node.child_by_field_name("name"))
    args = _args(w, node)
    recv = expr(w, obj) if obj is not None else EMPTY
    obj_text = _text(obj)
    if name in GETTERS and not args:
        return sub(recv, GETTERS[name])
    if name in ("get", "getOrDefault", "getFirst") and args and recv:
        key = _string(node.child_by_field_name("arguments").named_children[0])  # type: ignore[union-attr]
        return sub(recv, key if key is not None else ANY)
    if name in SANITISERS:
        return EMPTY
    if name == "exec" and (obj_text.endswith("getRuntime()") or obj_text in ("runtime", "rt")):
        _sink(w, ir.COMMAND, "Runtime.exec", node, flatten(union(*args)) if args else EMPTY)
        return EMPTY
    jdbc = obj is not None and (w.types.get(obj_text) in JDBC_TYPES or obj_text.endswith("createStatement()"))
    if args and obj is not None and (name in SQL_METHODS or (name == "execute" and jdbc)):
        owner = "Connection" if name == "prepareStatement" else "Statement"
        _sink(w, ir.SQL, f"{owner}.{name}", node, args[0])
        return EMPTY
    if obj_text == "Files" and name in FILES_METHODS and args:
        _sink(w, ir.PATH, f"Files.{name}", node, args[0])
        return EMPTY
    if obj_text in ("Paths", "Path") and name in ("get", "of"):
        return flatten(union(*args)) if args else EMPTY
    if (obj is None or obj.type == "this") and name in w.methods:
        callee = w.summary_of(name)
        if callee is None:
            return EMPTY
        call_text = f"{name}"
        bound = bind_arguments(callee.params, args, {}, None, Step(w.loc(node), f"passed to {call_text}()"))
        apply_events(callee, bound, w.summary)
        return returned(callee, bound, w.loc(node), call_text)
    if name in PROPAGATORS:
        return flatten(union(recv, *args))
    return EMPTY


def _creation(w: Walk, node: Node) -> Val:
    typ = _simple_type(node.child_by_field_name("type"))
    args = _args(w, node)
    if typ == "ProcessBuilder":
        _sink(w, ir.COMMAND, "new ProcessBuilder", node, flatten(union(*args)) if args else EMPTY)
        return EMPTY
    if typ in PATH_TYPES:
        _sink(w, ir.PATH, f"new {typ}", node, flatten(union(*args)) if args else EMPTY)
        return EMPTY
    if typ in ("String", "StringBuilder", "StringBuffer"):
        return flatten(union(*args)) if args else EMPTY
    return EMPTY


def expr(w: Walk, node: Node | None) -> Val:
    """The value of an expression (walking it records the sinks it calls)."""
    if node is None:
        return EMPTY
    t = node.type
    if t == "identifier":
        return w.env.get(_text(node), EMPTY)
    if t == "method_invocation":
        return _invocation(w, node)
    if t == "object_creation_expression":
        return _creation(w, node)
    if t == "binary_expression":
        left = expr(w, node.child_by_field_name("left"))
        right = expr(w, node.child_by_field_name("right"))
        op = node.child_by_field_name("operator")
        return flatten(union(left, right)) if op is not None and _text(op) == "+" else EMPTY
    if t in ("parenthesized_expression", "cast_expression"):
        inner = node.child_by_field_name("value") if t == "cast_expression" else None
        return expr(w, inner if inner is not None else node.named_children[-1])
    if t == "ternary_expression":
        expr(w, node.child_by_field_name("condition"))
        return union(expr(w, node.child_by_field_name("consequence")), expr(w, node.child_by_field_name("alternative")))
    if t in ("array_creation_expression", "array_initializer"):
        return union(*(expr(w, c) for c in node.named_children)) if node.named_children else EMPTY
    if t == "assignment_expression":
        return _assign(w, node)
    for c in node.named_children:  # lambdas, literals, field accesses: walked for the calls inside
        if c.type not in ("lambda_expression", "class_body"):
            expr(w, c)
    return EMPTY


def _assign(w: Walk, node: Node) -> Val:
    left = node.child_by_field_name("left")
    val = expr(w, node.child_by_field_name("right"))
    op = _text(node.child_by_field_name("operator"))
    if left is not None and left.type == "identifier":
        name = _text(left)
        if op == "+=":
            val = flatten(union(w.env.get(name, EMPTY), val))
        w.env[name] = with_step(val, Step(w.loc(node), f"assigned to {name}"))
    return val


def stmt(w: Walk, node: Node) -> None:
    t = node.type
    if w.ended:
        return
    if t == "block":
        for c in node.named_children:
            stmt(w, c)
    elif t == "local_variable_declaration":
        typ = _simple_type(node.child_by_field_name("type"))
        for d in node.children_by_field_name("declarator"):
            name = _text(d.child_by_field_name("name"))
            w.types[name] = typ
            val = expr(w, d.child_by_field_name("value"))
            w.env[name] = with_step(val, Step(w.loc(d), f"assigned to {name}")) if val else val
    elif t == "expression_statement":
        for c in node.named_children:
            expr(w, c)
    elif t == "return_statement":
        v = expr(w, node.named_children[0]) if node.named_children else EMPTY
        w.summary.ret = union(w.summary.ret, v)
        w.summary.returns.append((w.loc(node), v))
        w.ended = True
    elif t == "throw_statement":
        for c in node.named_children:
            expr(w, c)
        w.ended = True
    elif t == "if_statement":
        expr(w, node.child_by_field_name("condition"))
        before = dict(w.env)
        a_ends = _arm(w, node.child_by_field_name("consequence"))
        a = w.env
        w.env, w.ended = dict(before), False
        b_ends = _arm(w, node.child_by_field_name("alternative"))
        b = w.env
        w.env = join_branches(a, a_ends, b, b_ends)
        w.ended = a_ends and b_ends
    elif t in _LOOPS:
        before = dict(w.env)
        if t == "enhanced_for_statement":
            name = _text(node.child_by_field_name("name"))
            w.env[name] = sub(expr(w, node.child_by_field_name("value")), ELEM)  # one element of the collection
        for c in node.named_children:
            if c.type not in ("block",) and c.type.endswith("expression"):
                expr(w, c)
        body = node.child_by_field_name("body")
        for _ in range(2):  # twice: a value assigned late in the body reaches its start
            _arm(w, body)
            w.ended = False
        w.env = merge_envs(before, w.env)
    elif t == "try_statement" or t == "try_with_resources_statement":
        before = dict(w.env)
        for c in node.named_children:
            if c.type == "resource_specification":
                for r in c.named_children:
                    name = _text(r.child_by_field_name("name"))
                    w.types[name] = _simple_type(r.child_by_field_name("type"))
                    if name:
                        w.env[name] = expr(w, r.child_by_field_name("value"))
            elif c.type in ("block", "catch_clause", "finally_clause"):
                blk = c if c.type == "block" else c.child_by_field_name("body") or c.named_children[-1]
                _arm(w, blk)
                ends = w.ended
                w.env, w.ended = merge_envs(before, w.env), False if c.type != "finally_clause" else ends
    else:
        for c in node.named_children:
            if c.type == "block" or c.type.endswith("statement"):
                stmt(w, c)
            else:
                expr(w, c)


def _arm(w: Walk, node: Node | None) -> bool:
    """Walk a branch or body; True when it ends (returns or throws) on every path."""
    if node is not None:
        stmt(w, node)
    return w.ended


class JavaAnalyser:
    """The handler class's own methods, each walked once per scan into a summary."""

    def __init__(self, cache: FileCache, root: Path) -> None:
        self.cache = cache
        self.root = root
        self._summaries: dict[tuple[str, int], Summary | None] = {}

    def _summary(self, f: SourceFile, methods: dict[str, Node], name: str) -> Summary | None:
        method = methods[name]
        key = (f.rel, method.start_byte)
        if key in self._summaries:
            return self._summaries[key] or Summary(_params(method))  # recursion: an empty summary
        self._summaries[key] = None
        w = Walk(f, methods, lambda n: self._summary(f, methods, n), {}, Summary(_params(method)))
        w.types.update(_param_types(method))
        for i, p in enumerate(w.summary.params):
            w.env[p] = {Ref(i): ()}
        body = method.child_by_field_name("body")
        if body is not None:
            stmt(w, body)
        self._summaries[key] = w.summary
        return w.summary

    def analyse(self, fn: Function, in_app: App | None = None) -> Analysis | None:
        code = fn.code
        if code.handler_file is None:
            return None
        if not code.handler_file.endswith(".java"):  # Kotlin: not this front end's grammar (yet)
            self.cache.errors.setdefault(
                code.handler_file,
                ScanError(code.handler_file, "Kotlin handlers are not analysed yet; no code findings for them", "code"),
            )
            return None
        f = self.cache.read(self.cache.artifacts.real_path(code.handler_file))
        if f is None:
            return None
        tree = self.cache.parse(f, "java", parse_java)
        if tree is None:
            return None
        cls_name, _, method_name = (code.handler_symbol or "").partition("::")
        imports = tuple(
            _text(c.named_children[0])
            for c in tree.named_children
            if c.type == "import_declaration" and c.named_children
        )
        methods = _class_methods(tree, cls_name)
        method_name = method_name or "handleRequest"
        if method_name not in methods:
            return Analysis(CodeFacts(imports=imports, files=(f.rel,), handler_found=False))
        summary = self._summary(f, methods, method_name) or Summary([])
        param = summary.params[0] if summary.params else "input"
        flows = facts.flows(summary, 0, param, fn)
        return Analysis(CodeFacts(imports=imports, files=(f.rel,), flows=tuple(flows)))


def _class_methods(tree: Node, cls_name: str) -> dict[str, Node]:
    """The methods of the named top-level class (the first one of each name: overloads share a summary)."""
    for c in tree.named_children:
        if c.type == "class_declaration" and _text(c.child_by_field_name("name")) == cls_name:
            body = c.child_by_field_name("body")
            out: dict[str, Node] = {}
            for m in body.named_children if body is not None else []:
                if m.type == "method_declaration":
                    out.setdefault(_text(m.child_by_field_name("name")), m)
            return out
    return {}
