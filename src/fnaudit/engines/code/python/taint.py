"""Intra-procedural taint propagation for Python, with one summary per function.

A function is analysed once, with its parameters as symbolic roots: a value is a set of `Ref`s
(parameter `i`, read at event path `p`), each with the trace steps that brought it there. The
summary of a function is what its return value and its sink arguments are made of, in terms of
its parameters; a call applies the callee's summary to the caller's arguments. The handler is
just the function whose parameter 0 is the event, so the same summaries serve every handler
(and every function that shares a module), and the engine never re-analyses a function.

Besides parameters, two special roots: `EXC` (exception text: `str(e)`, `traceback.format_exc()`)
for the verbose-error check, and `SECRET` (an environment variable whose name says it is a
secret) for the sensitive-logging check.

The analysis is flow-sensitive in straight-line code (an assignment replaces the value), merges
both branches of an `if`, runs loop bodies twice, and understands a few guards: membership in a
constant allowlist, `isdigit()`-style checks, `re.fullmatch`, and a `startswith` check on a
normalised path (`os.path.realpath`).
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field

from fnaudit.engines.code import ir
from fnaudit.engines.code.python import sinks as S
from fnaudit.engines.code.python.modules import Module, ModuleGraph
from fnaudit.engines.code.sources import ANY, ATTRIBUTE_KEYS, ELEM, GETTER_KEYS
from fnaudit.model.code import Step
from fnaudit.model.loc import Loc

EXC = -2
SECRET = -3
EVENT = -4  # the invocation's event reached without a parameter (Powertools `app.current_event`)
_RESOLVER_ROUTES = frozenset({"get", "post", "put", "patch", "delete", "head", "route", "options"})
MAX_STEPS = 12
MAX_PATH = 8
ALL = frozenset({"*"})

_SECRET_NAME = re.compile(r"(?i)(secret|passw|pwd|token|api_?key|private_?key|credential|access_?key|auth)")
_FIXED_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/{}\s]+/")
_MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "deque", "Counter", "collections.defaultdict",
                  "collections.OrderedDict", "collections.deque", "collections.Counter"}
_TYPED_CONSTRUCTORS = {
    "requests.Session", "requests.session", "httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession",
    "urllib3.PoolManager", "jinja2.Environment", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath",
    "lxml.etree.XMLParser",
}


@dataclass(frozen=True, slots=True)
class Ref:
    root: int  # >= 0: parameter index; EXC; SECRET
    path: tuple[str, ...] = ()
    flat: bool = False  # text built from the value: further subscripts keep the path
    cleared: frozenset[str] = frozenset()  # sink kinds this value was sanitised for
    label: str = ""


Val = dict[Ref, tuple[Step, ...]]
EMPTY: Val = {}


@dataclass(frozen=True, slots=True)
class Event:
    """Something a function does with a value: a sink (`kind` = sink family), `log`, `state-global`, `state-tmp`."""

    kind: str
    call: str
    loc: Loc
    val: tuple[tuple[Ref, tuple[Step, ...]], ...]


@dataclass(slots=True)
class Summary:
    params: list[str]
    ret: Val = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    returns: list[tuple[Loc, Val]] = field(default_factory=list)
    self_attrs: dict[str, Val] = field(default_factory=dict)


# --- value helpers -------------------------------------------------------------------------------


def union(*vals: Val) -> Val:
    if len(vals) == 1:
        return vals[0]
    out: Val = {}
    for v in vals:
        for r, s in v.items():
            if r not in out or len(s) < len(out[r]):
                out[r] = s
    return out


def flatten(v: Val) -> Val:
    if all(r.flat for r in v):
        return v
    out: Val = {}
    for r, s in v.items():
        nr = r if r.flat else Ref(r.root, r.path, True, r.cleared, r.label)
        if nr not in out:
            out[nr] = s
    return out


def sub(v: Val, key: str) -> Val:
    if not v:
        return v
    out: Val = {}
    for r, s in v.items():
        nr = r if r.flat or len(r.path) >= MAX_PATH else Ref(r.root, r.path + (key,), False, r.cleared, r.label)
        out.setdefault(nr, s)
    return out


def clear(v: Val, kinds: frozenset[str]) -> Val:
    if kinds is ALL:
        return {}
    out: Val = {}
    for r, s in v.items():
        out.setdefault(Ref(r.root, r.path, r.flat, r.cleared | kinds, r.label), s)
    return out


def with_step(v: Val, step: Step) -> Val:
    if not v:
        return v
    return {r: (s + (step,) if len(s) < MAX_STEPS else s) for r, s in v.items()}


def active(v: Val, kind: str) -> Val:
    """The refs not sanitised for sink `kind`."""
    return {r: s for r, s in v.items() if kind not in r.cleared}


def _short(node: ast.AST, limit: int = 60) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - ast.unparse handles any parsed tree
        return "…"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _terminates(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))


# --- the engine ----------------------------------------------------------------------------------


class TaintEngine:
    """Summaries of the functions of a scan, computed on demand and cached by AST node."""

    def __init__(self, graph: ModuleGraph) -> None:
        self.graph = graph
        self._summaries: dict[tuple[str, str, int], Summary] = {}
        self._busy: set[tuple[str, str, int]] = set()
        self._nodes: list[ast.AST] = []  # keep nodes alive while their id() is a cache key

    def summary(self, module: Module, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, code_root, cls: ast.ClassDef | None = None) -> Summary:
        key = (module.rel, str(code_root), id(node))  # identical files share a tree, not their locations
        cached = self._summaries.get(key)
        if cached is not None:
            return cached
        if key in self._busy:  # recursion: assume nothing flows
            return Summary(_param_names(node))
        self._busy.add(key)
        try:
            fa = FunctionAnalysis(self, module, node, code_root, cls)
            result = fa.run()
        finally:
            self._busy.discard(key)
        self._summaries[key] = result
        self._nodes.append(node)
        return result


def _param_names(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> list[str]:
    a = node.args
    return [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]


class FunctionAnalysis:
    def __init__(self, engine: TaintEngine, module: Module, node, code_root, cls: ast.ClassDef | None) -> None:
        self.engine = engine
        self.module = module
        self.node = node
        self.code_root = code_root
        self.cls = cls
        self.summary = Summary(_param_names(node))
        self.env: dict[str, Val] = {}
        self.types: dict[str, str] = {}
        self.local_funcs: dict[str, ast.AST] = {}
        self.globals_declared: set[str] = set()
        self.locals: set[str] = set(self.summary.params)
        self.objects: dict[str, tuple[Module, ast.ClassDef]] = {}  # local name -> class of the package it instantiates
        self._pending: tuple[Module, ast.ClassDef, dict[str, Val]] | None = None
        self.validated: dict[str, dict[str, bool]] = {}  # name -> field -> constrained (schema / pydantic model)
        for i, name in enumerate(self.summary.params):
            self.env[name] = {Ref(i): ()}

    # -- driver ------------------------------------------------------------------------------------

    def run(self) -> Summary:
        if isinstance(self.node, ast.Lambda):
            self.summary.ret = self.eval(self.node.body)
            return self.summary
        self._collect_locals(self.node.body)
        self.block(self.node.body)
        if self.summary.params and self.summary.params[0] == "self":
            for key, val in self.env.items():
                if key.startswith("self.") and key.count(".") == 1:
                    self.summary.self_attrs[key[5:]] = val
        return self.summary

    def _collect_locals(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            for n in ast.walk(stmt):
                if isinstance(n, ast.Global):
                    self.globals_declared.update(n.names)
                elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    self.locals.add(n.id)
        self.locals -= self.globals_declared

    def loc(self, node: ast.AST) -> Loc:
        return Loc(self.module.rel, getattr(node, "lineno", 0))

    # -- statements --------------------------------------------------------------------------------

    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, node: ast.stmt) -> None:  # noqa: C901 - one dispatch
        if isinstance(node, ast.Assign):
            if isinstance(node.value, ast.Lambda):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        self.local_funcs[t.id] = node.value
                return
            val = self.eval(node.value)
            for t in node.targets:
                self.assign(t, val, node.value, node)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.eval(node.value), node.value, node)
        elif isinstance(node, ast.AugAssign):
            val = flatten(union(self.eval(node.target), self.eval(node.value)))
            self.assign(node.target, val, node.value, node)
        elif isinstance(node, ast.Expr):
            self.eval(node.value)
        elif isinstance(node, ast.Return):
            if node.value is not None:
                val = self.eval(node.value)
                self.summary.ret = union(self.summary.ret, val)
                self.summary.returns.append((self.loc(node), val))
        elif isinstance(node, ast.If):
            self.if_stmt(node)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            elem = sub(self.eval(node.iter), ELEM)
            self.assign(node.target, elem, node.iter, node)
            before = dict(self.env)
            self.block(node.body)
            self.block(node.body)
            self.env = self._merge(before, self.env)
            self.block(node.orelse)
        elif isinstance(node, ast.While):
            self.eval(node.test)
            before = dict(self.env)
            self.block(node.body)
            self.block(node.body)
            self.env = self._merge(before, self.env)
            self.block(node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                val = self.eval(item.context_expr)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, val, item.context_expr, node)
                    if isinstance(item.optional_vars, ast.Name):
                        t = self.type_of(item.context_expr)
                        if t:
                            self.types[item.optional_vars.id] = t
            self.block(node.body)
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            self.block(node.body)
            after_body = dict(self.env)
            branches = [after_body]
            for h in node.handlers:
                self.env = dict(after_body)
                if h.type is not None:
                    self.eval(h.type)
                if h.name:
                    self.env[h.name] = {Ref(EXC, label=f"str({h.name})"): (Step(self.loc(h), f"exception caught as {h.name}"),)}
                self.block(h.body)
                branches.append(self.env)
            self.env = after_body
            for b in branches[1:]:
                self.env = self._merge(self.env, b)
            self.block(node.orelse)
            self.block(node.finalbody)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.local_funcs[node.name] = node
        elif isinstance(node, ast.Raise):
            if node.exc is not None:
                self.eval(node.exc)
        elif isinstance(node, ast.Match):
            self.eval(node.subject)
            before = dict(self.env)
            merged = dict(before)
            for case in node.cases:
                self.env = dict(before)
                self.block(case.body)
                merged = self._merge(merged, self.env)
            self.env = merged
        elif isinstance(node, ast.Assert):
            self.eval(node.test)

    def _merge(self, a: dict[str, Val], b: dict[str, Val]) -> dict[str, Val]:
        out = dict(a)
        for k, v in b.items():
            out[k] = union(out[k], v) if k in out and out[k] is not v else v
        return out

    def if_stmt(self, node: ast.If) -> None:
        self.eval(node.test)
        positive, negative = self.guards(node.test)
        before = dict(self.env)
        for key, kinds in positive:
            self._sanitise(key, kinds)
        self.block(node.body)
        body_env = self.env
        body_ends = _terminates(node.body)
        self.env = dict(before)
        for key, kinds in negative:
            self._sanitise(key, kinds)
        self.block(node.orelse)
        else_env = self.env
        else_ends = _terminates(node.orelse) if node.orelse else False
        if body_ends and not else_ends:
            self.env = else_env
        elif else_ends and not body_ends:
            self.env = body_env
        else:
            self.env = self._merge(body_env, else_env)

    def _sanitise(self, key: str, kinds: frozenset[str]) -> None:
        if key in self.env:
            self.env[key] = clear(self.env[key], kinds)
        else:
            self.env[key] = {}

    def guards(self, test: ast.expr) -> tuple[list[tuple[str, frozenset[str]]], list[tuple[str, frozenset[str]]]]:
        """(what the test sanitises when true, what it sanitises when false)."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            pos, neg = self.guards(test.operand)
            return neg, pos
        if isinstance(test, ast.BoolOp):
            pos: list = []
            neg: list = []
            for v in test.values:
                p, n = self.guards(v)
                if isinstance(test.op, ast.And):
                    pos += p
                else:
                    neg += n
            return pos, neg
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            key = self.key_of(test.left)
            op = test.ops[0]
            if key and isinstance(op, (ast.In, ast.NotIn)) and self.is_constant_collection(test.comparators[0]):
                g = [(key, ALL)]
                return (g, []) if isinstance(op, ast.In) else ([], g)
            if key and isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(test.comparators[0], ast.Constant):
                g = [(key, ALL)]
                return (g, []) if isinstance(op, ast.Eq) else ([], g)
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute):
            key = self.key_of(test.func.value)
            meth = test.func.attr
            if key and meth in ("isdigit", "isnumeric", "isdecimal", "isalnum", "isalpha", "isidentifier"):
                return [(key, ALL)], []
            if key and meth == "startswith":
                val = self.env.get(key, {})
                if val and all(S.NORMALISED in r.cleared for r in val):
                    return [(key, frozenset({ir.PATH}))], []
            qual = self.qualname(test.func)
            if qual in ("re.fullmatch", "re.match") and len(test.args) >= 2:
                key = self.key_of(test.args[1])
                if key:
                    return [(key, ALL)], []
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance" and len(test.args) == 2:
            key = self.key_of(test.args[0])
            t = test.args[1]
            if key and isinstance(t, ast.Name) and t.id in ("int", "float", "bool"):
                return [(key, ALL)], []
        return [], []

    def is_constant_collection(self, node: ast.expr) -> bool:
        if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
            return all(isinstance(e, ast.Constant) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(isinstance(k, ast.Constant) for k in node.keys if k is not None)
        if isinstance(node, ast.Name) and node.id not in self.locals:
            g = self.module.globals.get(node.id)
            if g is not None:
                if isinstance(g, ast.Call) and isinstance(g.func, ast.Name) and g.func.id in ("frozenset", "set", "tuple") and g.args:
                    return self.is_constant_collection(g.args[0])
                return self.is_constant_collection(g)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("frozenset", "set", "tuple") and node.args:
            return self.is_constant_collection(node.args[0])
        return False

    def key_of(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            base = self.key_of(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, (str, int)):
            base = self.key_of(node.value)
            return f"{base}[{node.slice.value!r}]" if base else None
        return None

    # -- assignment --------------------------------------------------------------------------------

    def assign(self, target: ast.expr, val: Val, value: ast.expr | None, stmt: ast.AST) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for t, v in zip(target.elts, value.elts):
                    self.assign(t, self.eval(v), v, stmt)
            else:
                for t in target.elts:
                    self.assign(t, sub(val, ELEM), None, stmt)
            return
        if isinstance(target, ast.Starred):
            self.assign(target.value, val, value, stmt)
            return
        stepped = val
        if val:
            note = f"{_short(target, 30)} = {_short(value) if value is not None else '…'}"
            stepped = with_step(val, Step(self.loc(stmt), note))
        if isinstance(target, ast.Name):
            name = target.id
            for k in [k for k in self.env if k.startswith(name + ".") or k.startswith(name + "[")]:
                del self.env[k]
            self.env[name] = stepped
            self.types.pop(name, None)
            self.objects.pop(name, None)
            self.validated.pop(name, None)
            if isinstance(value, ast.Call):
                fields = self.model_fields(value)
                if fields is not None:
                    self.validated[name] = fields
            if self._pending is not None and isinstance(value, ast.Call):
                mod, cls, attrs = self._pending
                self.objects[name] = (mod, cls)
                for attr, v in attrs.items():
                    self.env[f"{name}.{attr}"] = v
            self._pending = None
            if value is not None:
                t = self.type_of(value)
                if t:
                    self.types[name] = t
                if isinstance(value, (ast.List, ast.Tuple)) and value.elts:
                    self.env[f"{name}[0]"] = self.eval(value.elts[0])
                if isinstance(value, ast.Dict):
                    for k, v in zip(value.keys, value.values):
                        if isinstance(k, ast.Constant) and isinstance(k.value, str):
                            self.env[f"{name}[{k.value!r}]"] = self.eval(v)
            if name in self.globals_declared and val:
                self.event("state-global", name, stmt, val)
            return
        if isinstance(target, ast.Attribute):
            key = self.key_of(target)
            if key:
                self.env[key] = stepped
            base = self.key_of(target.value)
            if base and base in self.env:
                self.env[base] = union(self.env[base], flatten(stepped))
            root = _root_name(target)
            if root and self.is_module_mutable(root) and val:
                self.event("state-global", _short(target, 40), stmt, val)
            return
        if isinstance(target, ast.Subscript):
            key_val = self.eval(target.slice)
            key = self.key_of(target)
            if key:
                self.env[key] = stepped
            base = self.key_of(target.value)
            if base and base in self.env:
                self.env[base] = union(self.env[base], flatten(stepped))
            root = _root_name(target)
            if root and self.is_module_mutable(root):
                written = union(val, key_val)
                if written:
                    self.event("state-global", _short(target.value, 40), stmt, written)

    def is_module_mutable(self, name: str) -> bool:
        if name in self.locals or name in self.summary.params:
            return False
        g = self.module.globals.get(name)
        if g is None:
            return name in self.globals_declared
        if isinstance(g, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
            return True
        if isinstance(g, ast.Call):
            q = self.qualname(g.func) or ""
            return q in _MUTABLE_CALLS or q.rsplit(".", 1)[-1] in _MUTABLE_CALLS
        return False

    def event(self, kind: str, call: str, node: ast.AST, val: Val) -> None:
        if val:
            self.summary.events.append(Event(kind, call, self.loc(node), tuple(val.items())))

    # -- names and types ---------------------------------------------------------------------------

    def qualname(self, node: ast.expr) -> str | None:
        """Dotted name of an expression after import resolution (`sp.run` → `subprocess.run`)."""
        if isinstance(node, ast.Name):
            if node.id in self.locals or node.id in self.local_funcs:
                t = self.types.get(node.id)
                return t
            imp = self.module.imports.get(node.id)
            if imp is not None:
                if imp[0] == "module":
                    return imp[1]
                return f"{imp[1]}.{imp[2]}" if not imp[1].startswith(".") else f"{imp[1]}.{imp[2]}"
            if node.id in self.module.globals:
                g = self.module.globals[node.id]
                if isinstance(g, ast.Call):
                    q = self.qualname(g.func)
                    if q in _TYPED_CONSTRUCTORS:
                        return _canonical_type(q)
                return None
            return node.id
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def type_of(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Call):
            q = self.qualname(node.func)
            if q in _TYPED_CONSTRUCTORS:
                if q == "lxml.etree.XMLParser":
                    for kw in node.keywords:
                        if kw.arg == "resolve_entities" and isinstance(kw.value, ast.Constant) and kw.value.value is False:
                            return "lxml.safe_parser"
                    return "lxml.etree.XMLParser"
                return _canonical_type(q)
            if q in ("open", "io.open"):
                path = node.args[0] if node.args else None
                mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
                if path is not None and _tmp_path(path) and not _unique_path(path) and isinstance(mode, ast.Constant) and isinstance(mode.value, str) and set(mode.value) & set("wax+"):
                    return "tmpfile"
            if isinstance(node.func, ast.Attribute) and node.func.attr in S.NORMALISING_METHODS:
                return self.type_of(node.func.value)
            if isinstance(node.func, ast.Attribute) and node.func.attr in ("cursor", "connect"):
                return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return self.type_of(node.left)
        if isinstance(node, ast.Name):
            if node.id in self.types:
                return self.types[node.id]
            g = self.module.globals.get(node.id)
            if node.id not in self.locals and g is not None and not isinstance(g, ast.Name):
                return self.type_of(g)
            return None
        return None

    # -- expressions -------------------------------------------------------------------------------

    def eval(self, node: ast.expr | None) -> Val:  # noqa: C901 - one dispatch
        if node is None or isinstance(node, ast.Constant):
            return EMPTY
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            return EMPTY
        if isinstance(node, ast.Attribute):
            key = self.key_of(node)
            if key and key in self.env:
                return self.env[key]
            if self.qualname(node) == "os.environ":
                return EMPTY
            if isinstance(node.value, ast.Name) and self.validated.get(node.value.id, {}).get(node.attr):
                return EMPTY  # a field the schema constrains to a number, a boolean, an enum…
            if node.attr == "current_event" and isinstance(node.value, ast.Name) and self.is_resolver(node.value.id):
                return {Ref(EVENT): (Step(self.loc(node), f"{node.value.id}.current_event read"),)}
            base = self.eval(node.value)
            return sub(base, ATTRIBUTE_KEYS.get(node.attr, node.attr)) if base else EMPTY
        if isinstance(node, ast.Subscript):
            key = self.key_of(node)
            if key and key in self.env:
                return self.env[key]
            if self.qualname(node.value) == "os.environ":
                return self._env_var(node.slice, node)
            if isinstance(node.value, ast.Name) and isinstance(node.slice, ast.Constant) and self.validated.get(node.value.id, {}).get(node.slice.value):
                return EMPTY
            base = self.eval(node.value)
            self.eval(node.slice)
            if not base:
                return EMPTY
            s = node.slice
            if isinstance(s, ast.Constant) and isinstance(s.value, str):
                return sub(base, s.value)
            if isinstance(s, ast.Constant) and isinstance(s.value, int):
                return sub(base, ELEM)
            if isinstance(s, ast.Slice):
                return flatten(base)
            return sub(base, ANY)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.BinOp):
            val = flatten(union(self.eval(node.left), self.eval(node.right)))
            if isinstance(node.op, ast.Add) and _fixed_host_prefix(node):
                val = clear(val, frozenset({ir.SSRF, ir.REDIRECT}))
            return val
        if isinstance(node, ast.JoinedStr):
            val = flatten(union(*[self.eval(v.value) for v in node.values if isinstance(v, ast.FormattedValue)])) if node.values else EMPTY
            if node.values and isinstance(node.values[0], ast.Constant) and _FIXED_HOST.match(str(node.values[0].value)):
                val = clear(val, frozenset({ir.SSRF, ir.REDIRECT}))
            return val
        if isinstance(node, ast.FormattedValue):
            return flatten(self.eval(node.value))
        if isinstance(node, ast.BoolOp):
            return union(*[self.eval(v) for v in node.values])
        if isinstance(node, ast.IfExp):
            self.eval(node.test)
            return union(self.eval(node.body), self.eval(node.orelse))
        if isinstance(node, ast.Compare):
            self.eval(node.left)
            for c in node.comparators:
                self.eval(c)
            return EMPTY
        if isinstance(node, ast.UnaryOp):
            v = self.eval(node.operand)
            return EMPTY if isinstance(node.op, ast.Not) else v
        if isinstance(node, ast.Dict):
            self.response_dict(node)
            vals = [flatten(self.eval(v)) for v in node.values]
            keys = [flatten(self.eval(k)) for k in node.keys if k is not None]
            return union(*vals, *keys) if vals or keys else EMPTY
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return union(*[flatten(self.eval(e)) for e in node.elts]) if node.elts else EMPTY
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self.comprehension(node)
        if isinstance(node, ast.Await):
            return self.eval(node.value)
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            v = self.eval(node.value)
            self.summary.ret = union(self.summary.ret, v)
            return EMPTY
        if isinstance(node, ast.NamedExpr):
            v = self.eval(node.value)
            self.assign(node.target, v, node.value, node)
            return v
        if isinstance(node, ast.Starred):
            return self.eval(node.value)
        if isinstance(node, ast.Lambda):
            return EMPTY
        return EMPTY

    def comprehension(self, node) -> Val:
        saved = dict(self.env)
        for gen in node.generators:
            self.assign(gen.target, sub(self.eval(gen.iter), ELEM), None, node)
            for cond in gen.ifs:
                pos, _ = self.guards(cond)
                for key, kinds in pos:
                    self._sanitise(key, kinds)
        if isinstance(node, ast.DictComp):
            val = union(flatten(self.eval(node.key)), flatten(self.eval(node.value)))
        else:
            val = flatten(self.eval(node.elt))
        self.env = saved
        return val

    def _env_var(self, key_node: ast.expr, node: ast.AST) -> Val:
        if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str) and _SECRET_NAME.search(key_node.value):
            name = key_node.value
            return {Ref(SECRET, label=name): (Step(self.loc(node), f"secret read from environment variable {name}"),)}
        return EMPTY

    # -- responses (XSS, redirects) ----------------------------------------------------------------

    def response_dict(self, node: ast.Dict) -> None:
        """A Lambda proxy response literal: `{"statusCode": 302, "headers": {"Location": x}, "body": html}`."""
        fields = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        if "statusCode" not in fields and "body" not in fields:
            return
        headers = fields.get("headers")
        header_fields: dict[str, ast.expr] = {}
        if isinstance(headers, ast.Dict):
            header_fields = {k.value.lower(): v for k, v in zip(headers.keys, headers.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        elif isinstance(headers, ast.Name) and headers.id in self.module.globals and isinstance(self.module.globals[headers.id], ast.Dict):
            g = self.module.globals[headers.id]
            header_fields = {k.value.lower(): v for k, v in zip(g.keys, g.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        ctype = header_fields.get("content-type")
        body = fields.get("body")
        if body is not None and isinstance(ctype, ast.Constant) and "html" in str(ctype.value).lower():
            self.event(ir.XSS, "HTML response body", body, active(self.eval(body), ir.XSS))
        status = fields.get("statusCode")
        location = header_fields.get("location")
        if location is not None and (status is None or (isinstance(status, ast.Constant) and str(status.value).startswith("3"))):
            self.event(ir.REDIRECT, "Location header", location, active(self.eval(location), ir.REDIRECT))

    # -- calls -------------------------------------------------------------------------------------

    def call(self, node: ast.Call) -> Val:  # noqa: C901 - the call is where most rules live
        func = node.func
        recv: Val = EMPTY
        method = None
        if isinstance(func, ast.Attribute):
            method = func.attr
            recv = self.eval(func.value)
        pos = [self.eval(a) for a in node.args]
        kw = {k.arg: self.eval(k.value) for k in node.keywords if k.arg}
        star_kw = union(*[self.eval(k.value) for k in node.keywords if k.arg is None]) if any(k.arg is None for k in node.keywords) else EMPTY
        qual = self.qualname(func)
        call_text = _short(func, 40)

        if method == "resolve" and isinstance(func.value, ast.Name) and self.is_resolver(func.value.id):
            self.apply_routes(func.value.id, node)
            return EMPTY
        # functions of the analysed code: apply their summary
        target = self.internal_target(func)
        if target is not None:
            return self.apply(target, node, pos, kw, recv, call_text)

        self.check_sinks(node, qual, method, pos, kw, recv, call_text)
        self.check_effects(node, qual, method, pos, kw, recv, call_text)

        args_val = union(*pos, *kw.values(), star_kw) if (pos or kw or star_kw) else EMPTY
        if qual in ("jsonschema.validate", "jsonschema.Draft7Validator.validate", "fastjsonschema.validate"):
            self.record_schema(node)
        if qual in S.SANITISERS_ALL or (method in ("hexdigest", "digest", "count", "find", "index", "isdigit", "startswith", "endswith") and not qual):
            return EMPTY
        if qual in S.SANITISERS_FOR:
            return clear(flatten(args_val), S.SANITISERS_FOR[qual])
        if qual in S.NORMALISERS:
            return clear(flatten(args_val), frozenset({S.NORMALISED}))
        if method in S.NORMALISING_METHODS and self.type_of(func.value) in ("pathlib.Path",):
            return clear(recv, frozenset({S.NORMALISED}))
        if qual in ("traceback.format_exc", "traceback.format_exception", "traceback.format_tb", "traceback.format_stack"):
            return {Ref(EXC, label=f"{qual}()"): (Step(self.loc(node), f"stack trace from {qual}()"),)}
        if qual in ("os.environ.get", "os.getenv", "os.environ.__getitem__"):
            return self._env_var(node.args[0], node) if node.args else EMPTY
        if qual in S.STRUCTURE_KEEPING:
            return args_val
        if qual in S.RESULT_FROM:
            positions, names = S.RESULT_FROM[qual]
            picked = [pos[i] for i in positions if i < len(pos)] + [kw[n] for n in names if n in kw]
            return flatten(union(*picked)) if picked else EMPTY
        if method is not None and not self._is_module_function(func) and not self._is_class_ref(func.value):
            if method in ("get", "pop") and node.args:
                k = node.args[0]
                key = k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else ANY
                full_key = self.key_of(func.value)
                if full_key and isinstance(k, ast.Constant) and f"{full_key}[{k.value!r}]" in self.env:
                    got = self.env[f"{full_key}[{k.value!r}]"]
                else:
                    got = sub(recv, key)
                return union(got, *pos[1:])
            if method in GETTER_KEYS and node.args:
                k = node.args[0]
                key = k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else ANY
                return sub(sub(recv, GETTER_KEYS[method]), key)
            if method in ("items", "values", "keys", "copy"):
                return recv
            if method == "replace" and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in ("/", "..", os.sep):
                # separators removed: no traversal left (the replacement is data too)
                return clear(flatten(union(recv, *pos[1:])), frozenset({ir.PATH}))
            if method in S.ARG_STRING_METHODS:
                return flatten(union(recv, args_val))
            if method in S.STRING_METHODS:
                return flatten(recv)
            return flatten(recv)
        return flatten(args_val)

    def _is_class_ref(self, node: ast.expr) -> bool:
        """`Model.parse_raw(x)`, `Decimal.from_float(x)`: a class's constructor-like method, whose result comes from its arguments."""
        if not isinstance(node, ast.Name) or node.id in self.locals:
            return False
        if node.id in self.module.classes:
            return True
        imp = self.module.imports.get(node.id)
        return imp is not None and imp[0] == "symbol" and imp[2][:1].isupper()

    def _is_module_function(self, func: ast.Attribute) -> bool:
        """`mod.f(...)` on an imported module (a function call), rather than `obj.m(...)` (a method call)."""
        node: ast.expr = func
        while isinstance(node, ast.Attribute):
            node = node.value
        if not isinstance(node, ast.Name) or node.id in self.locals:
            return False
        imp = self.module.imports.get(node.id)
        return imp is not None and imp[0] == "module"

    def internal_target(self, func: ast.expr):
        """(module, node, cls, bound) when the callee is code of the function's own package."""
        if isinstance(func, ast.Name):
            name = func.id
            if name in self.local_funcs:
                return (self.module, self.local_funcs[name], None, False)
            if name in self.locals:
                return None
            if name in self.module.functions:
                return (self.module, self.module.functions[name], None, False)
            if name in self.module.classes:
                return self._class_target(self.module, self.module.classes[name])
            imp = self.module.imports.get(name)
            if imp is not None and imp[0] == "symbol":
                mod = self.engine.graph.resolve(self.module, imp[1].lstrip("."), len(imp[1]) - len(imp[1].lstrip(".")), self.code_root)
                if mod is not None:
                    if imp[2] in mod.functions:
                        return (mod, mod.functions[imp[2]], None, False)
                    if imp[2] in mod.classes:
                        return self._class_target(mod, mod.classes[imp[2]])
            return None
        if isinstance(func, ast.Attribute):
            # module.function() for a module of the package
            mod = self.internal_module(func.value)
            if mod is not None:
                if func.attr in mod.functions:
                    return (mod, mod.functions[func.attr], None, False)
                if func.attr in mod.classes:
                    return self._class_target(mod, mod.classes[func.attr])
                return None
            # obj.method() for an instance of a class of the module (simple cases)
            if isinstance(func.value, ast.Name):
                obj = self.objects.get(func.value.id)
                if obj is not None:
                    m = _method(obj[1], func.attr)
                    if m is not None:
                        return (obj[0], m, obj[1], True)
                if func.value.id == "self" and self.cls is not None:
                    m = _method(self.cls, func.attr)
                    if m is not None:
                        return (self.module, m, self.cls, True)
        return None

    # -- schema validation -------------------------------------------------------------------------

    def record_schema(self, node: ast.Call) -> None:
        inst = next((k.value for k in node.keywords if k.arg == "instance"), node.args[0] if node.args else None)
        schema = next((k.value for k in node.keywords if k.arg == "schema"), node.args[1] if len(node.args) > 1 else None)
        if isinstance(schema, ast.Name) and schema.id not in self.locals:
            schema = self.module.globals.get(schema.id)
        if not isinstance(inst, ast.Name) or not isinstance(schema, ast.Dict):
            return
        props = _dict_get(schema, "properties")
        if not isinstance(props, ast.Dict):
            return
        fields: dict[str, bool] = {}
        for k, v in zip(props.keys, props.values):
            if isinstance(k, ast.Constant) and isinstance(k.value, str) and isinstance(v, ast.Dict):
                fields[k.value] = _schema_constrains(v)
        self.validated[inst.id] = fields

    def model_fields(self, call: ast.Call) -> dict[str, bool] | None:
        """Fields of a pydantic model built from data (`M(**d)`, `M.model_validate(d)`, `M.parse_raw(s)`…)."""
        func = call.func
        cls_node: ast.expr | None = None
        if isinstance(func, ast.Name):
            cls_node = func
        elif isinstance(func, ast.Attribute) and func.attr in (
            "model_validate", "model_validate_json", "parse_obj", "parse_raw", "validate", "construct_validated",
        ):
            cls_node = func.value
        if not isinstance(cls_node, ast.Name):
            return None
        cls = self.module.classes.get(cls_node.id)
        if cls is None:
            imp = self.module.imports.get(cls_node.id)
            if imp is not None and imp[0] == "symbol":
                level = len(imp[1]) - len(imp[1].lstrip("."))
                mod = self.engine.graph.resolve(self.module, imp[1].lstrip("."), level, self.code_root)
                cls = mod.classes.get(imp[2]) if mod is not None else None
        if cls is None or not any(_base_name(b) in ("BaseModel", "RootModel", "BaseSettings") for b in cls.bases):
            return None
        fields: dict[str, bool] = {}
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                fields[stmt.target.id] = _annotation_constrains(stmt.annotation)
        return fields

    def is_resolver(self, name: str) -> bool:
        """A module-level Powertools event handler (`app = APIGatewayRestResolver()`)."""
        if name in self.locals:
            return False
        g = self.module.globals.get(name)
        if not isinstance(g, ast.Call):
            return False
        q = self.qualname(g.func) or ""
        return q.startswith("aws_lambda_powertools") and q.endswith("Resolver")

    def apply_routes(self, app_name: str, node: ast.Call) -> None:
        """`app.resolve(event, context)`: every route of `app` runs with the event; route parameters are path parameters."""
        for fnode in self.module.functions.values():
            if not any(
                isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in _RESOLVER_ROUTES
                and isinstance(d.func.value, ast.Name) and d.func.value.id == app_name
                for d in fnode.decorator_list
            ):
                continue
            summary = self.engine.summary(self.module, fnode, self.code_root)
            step = Step(self.loc(fnode), f"route {fnode.name}() called by {app_name}.resolve()")
            args = [{Ref(EVENT, ("pathParameters", p)): (step,)} for p in summary.params]
            for ev in summary.events:
                val = self.instantiate(dict(ev.val), args)
                if val:
                    self.summary.events.append(Event(ev.kind, ev.call, ev.loc, tuple(val.items())))
            for loc, val in summary.returns:
                self.summary.returns.append((loc, self.instantiate(val, args)))

    def _class_target(self, mod: Module, cls: ast.ClassDef):
        init = _method(cls, "__init__")
        if init is None:
            self._pending = (mod, cls, {})
            return None
        return (mod, init, cls, "new")

    def internal_module(self, node: ast.expr) -> Module | None:
        if not isinstance(node, (ast.Name, ast.Attribute)):
            return None
        root = _root_name(node)
        if root is None or root in self.locals:
            return None
        imp = self.module.imports.get(root)
        if imp is None:
            return None
        rest: list[str] = []
        n = node
        while isinstance(n, ast.Attribute):
            rest.insert(0, n.attr)
            n = n.value
        if imp[0] == "symbol":  # from pkg import module
            base = imp[1]
            level = len(base) - len(base.lstrip("."))
            return self.engine.graph.resolve(self.module, ".".join([base.lstrip("."), imp[2], *rest]).strip("."), level, self.code_root)
        return self.engine.graph.resolve(self.module, ".".join([imp[1], *rest]), 0, self.code_root)

    def apply(self, target, node: ast.Call, pos: list[Val], kw: dict[str, Val], recv: Val, call_text: str) -> Val:
        mod, fnode, cls, bound = target
        summary = self.engine.summary(mod, fnode, self.code_root, cls)
        params = summary.params
        args: list[Val] = [EMPTY] * len(params)
        offset = 0
        if bound is True:
            if params:
                args[0] = recv
            offset = 1
        elif bound == "new":
            offset = 1  # self: a fresh object
        for i, v in enumerate(pos):
            if i + offset < len(args):
                args[i + offset] = v
        for name, v in kw.items():
            if name in params:
                args[params.index(name)] = v
        step = Step(self.loc(node), f"passed to {call_text}()")
        args = [with_step(a, step) if a else a for a in args]
        for ev in summary.events:
            val = self.instantiate(dict(ev.val), args)
            if val:
                self.summary.events.append(Event(ev.kind, ev.call, ev.loc, tuple(val.items())))
        if bound == "new":
            # the new object: its attributes as set by __init__
            obj: Val = {}
            attrs = {}
            for attr, v in summary.self_attrs.items():
                iv = self.instantiate(v, args)
                attrs[attr] = iv
                obj = union(obj, flatten(iv))
            self._pending = (mod, cls, attrs)
            return obj
        ret = self.instantiate(summary.ret, args)
        return with_step(ret, Step(self.loc(node), f"returned from {call_text}()")) if ret else ret

    def instantiate(self, val: Val, args: list[Val]) -> Val:
        out: Val = {}
        for r, steps in val.items():
            if r.root < 0:
                out.setdefault(r, steps)
                continue
            if r.root >= len(args):
                continue
            for a, asteps in args[r.root].items():
                nr = Ref(
                    a.root,
                    a.path if a.flat else (a.path + r.path)[:MAX_PATH],
                    a.flat or r.flat,
                    a.cleared | r.cleared,
                    a.label,
                )
                s = (asteps + steps)[:MAX_STEPS]
                if nr not in out or len(s) < len(out[nr]):
                    out[nr] = s
        return out

    # -- sinks and effects -------------------------------------------------------------------------

    def check_sinks(self, node: ast.Call, qual: str | None, method: str | None, pos, kw, recv, call_text: str) -> None:
        spec = None
        if qual is not None:
            spec = S.FUNCTION_SINKS.get(qual) or S.TYPED_METHOD_SINKS.get(qual)
            if spec is None and qual.startswith("."):
                spec = None
        if spec is None and method is not None and not self._is_module_function(node.func):
            t = self.type_of(node.func.value)
            if t and f"{t}.{method}" in S.TYPED_METHOD_SINKS:
                spec = S.TYPED_METHOD_SINKS[f"{t}.{method}"]
            elif method in S.METHOD_SINKS:
                spec = S.METHOD_SINKS[method]
                if spec.receiver and t != "pathlib.Path":
                    spec = None
            if method in S.MONGO_METHODS:
                for a in [*node.args, *[k.value for k in node.keywords]]:
                    if isinstance(a, ast.Dict):
                        for k, v in zip(a.keys, a.values):
                            if isinstance(k, ast.Constant) and k.value == "$where":
                                self.event(ir.NOSQL, f"{call_text} $where", node, active(self.eval(v), ir.NOSQL))
        if spec is None:
            return
        if spec.note == "sax-feature":
            return
        if spec.note == "yaml" and self._safe_yaml(node):
            return
        if spec.note == "lxml" and self._safe_lxml(node):
            return
        if spec.note == "subprocess":
            shell = next((k.value for k in node.keywords if k.arg == "shell"), None)
            shell_on = isinstance(shell, ast.Constant) and bool(shell.value) or (shell is not None and not isinstance(shell, ast.Constant))
            if not shell_on and node.args:
                a0 = node.args[0]
                if isinstance(a0, (ast.List, ast.Tuple)):
                    val = self.eval(a0.elts[0]) if a0.elts and not isinstance(a0.elts[0], ast.Starred) else EMPTY
                elif isinstance(a0, ast.Name) and f"{a0.id}[0]" in self.env:
                    val = self.env[f"{a0.id}[0]"]
                else:
                    val = pos[0]
                self.event(ir.COMMAND, call_text, node, active(val, ir.COMMAND))
                return
        val: Val = {}
        for i in spec.args:
            if i < len(pos):
                val = union(val, pos[i])
        for name in spec.kwargs:
            if name in kw:
                val = union(val, kw[name])
        if spec.receiver:
            val = union(val, recv)
        self.event(spec.kind, call_text, node, active(val, spec.kind))

    def _safe_yaml(self, node: ast.Call) -> bool:
        loader = next((k.value for k in node.keywords if k.arg == "Loader"), node.args[1] if len(node.args) > 1 else None)
        if loader is None:
            return False  # PyYAML < 6 defaults to an unsafe loader; >= 6 refuses to run without one
        name = loader.attr if isinstance(loader, ast.Attribute) else (loader.id if isinstance(loader, ast.Name) else "")
        return name in S.SAFE_YAML_LOADERS

    def _safe_lxml(self, node: ast.Call) -> bool:
        parser = next((k.value for k in node.keywords if k.arg == "parser"), node.args[1] if len(node.args) > 1 else None)
        if parser is None:
            return False
        return self.type_of(parser) == "lxml.safe_parser"

    def check_effects(self, node: ast.Call, qual: str | None, method: str | None, pos, kw, recv, call_text: str) -> None:
        all_args = union(*pos, *kw.values()) if (pos or kw) else EMPTY
        # logging
        is_log = qual == "print" or (qual or "").startswith("logging.") and method in S.LOG_METHODS
        if not is_log and method in S.LOG_METHODS and isinstance(node.func, ast.Attribute):
            root = _root_name(node.func)
            if root and (root in S.LOGGER_NAMES or root.lower().endswith("logger") or root.lower().endswith("log")):
                is_log = True
            if isinstance(node.func.value, ast.Call) and (self.qualname(node.func.value.func) or "").endswith("getLogger"):
                is_log = True
        if is_log and all_args:
            self.event("log", call_text, node, all_args)
        # runtime state: mutating a module-level object
        if method in S.MUTATORS and isinstance(node.func, ast.Attribute):
            root = _root_name(node.func)
            if root and self.is_module_mutable(root) and all_args:
                self.event("state-global", _short(node.func.value, 40), node, all_args)
        # runtime state: writing event data under /tmp
        if qual in ("open", "io.open") and node.args and _tmp_path(node.args[0]) and pos and pos[0] and not _unique_path(node.args[0]):
            mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
            if isinstance(mode, ast.Constant) and isinstance(mode.value, str) and set(mode.value) & set("wax+"):
                self.event("state-tmp", _short(node.args[0], 40), node, pos[0])
        if method in ("write", "writelines") and isinstance(node.func.value, ast.Name) and self.types.get(node.func.value.id) == "tmpfile" and all_args:
            self.event("state-tmp", node.func.value.id, node, all_args)
        if method in ("write_text", "write_bytes") and isinstance(node.func, ast.Attribute) and _tmp_path_expr(node.func.value) and all_args:
            self.event("state-tmp", _short(node.func.value, 40), node, all_args)
        if method in ("download_file",) and len(node.args) >= 3 and _tmp_path(node.args[2]) and not _unique_path(node.args[2]):
            data = union(pos[0], pos[1])
            if data:
                self.event("state-tmp", _short(node.args[2], 40), node, data)


def _method(cls: ast.ClassDef, name: str):
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
            return stmt
    return None


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _canonical_type(q: str) -> str:
    return {"requests.session": "requests.Session", "pathlib.PurePath": "pathlib.Path", "pathlib.PosixPath": "pathlib.Path"}.get(q, q)


def _leading_text(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _leading_text(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _leading_text(node.func.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join" and node.args:
        if isinstance(node.args[0], (ast.List, ast.Tuple)) and node.args[0].elts:
            return _leading_text(node.args[0].elts[0])
    return None


def _fixed_host_prefix(node: ast.expr) -> bool:
    text = _leading_text(node)
    return bool(text and _FIXED_HOST.match(text))


def _unique_path(node: ast.expr) -> bool:
    """A per-invocation file name (uuid4(), mkstemp, the request id): nothing carries over to the next invocation."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in ("uuid4", "uuid1", "aws_request_id", "mkstemp", "mkdtemp", "token_hex"):
            return True
        if isinstance(sub, ast.Name) and sub.id in ("uuid4", "uuid1", "mkstemp", "mkdtemp", "token_hex"):
            return True
    return False


def _tmp_path(node: ast.expr) -> bool:
    text = _leading_text(node)
    return bool(text and (text == "/tmp" or text.startswith("/tmp/")))


def _tmp_path_expr(node: ast.expr) -> bool:
    if isinstance(node, ast.Call) and node.args:
        return _tmp_path(node.args[0])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _tmp_path_expr(node.left) or _tmp_path(node.left)
    return False


_CONSTRAINED_TYPES = frozenset({
    "int", "float", "bool", "UUID", "UUID4", "UUID1", "date", "datetime", "time", "timedelta", "Decimal",
    "PositiveInt", "NegativeInt", "NonNegativeInt", "conint", "confloat", "condecimal", "StrictInt", "StrictBool",
    "StrictFloat", "Literal", "IPvAnyAddress", "EmailStr", "HttpUrl", "AnyHttpUrl",
})


def _annotation_constrains(ann: ast.expr) -> bool:
    """Whether a pydantic field annotation leaves no room for free text (int, UUID, Literal[...], Enum…)."""
    if isinstance(ann, ast.Subscript):
        if _base_name(ann.value) == "Optional":
            return _annotation_constrains(ann.slice)
        if _base_name(ann.value) == "Annotated" and isinstance(ann.slice, ast.Tuple) and ann.slice.elts:
            return _annotation_constrains(ann.slice.elts[0])
        return _base_name(ann.value) == "Literal"
    if isinstance(ann, ast.Call):  # conint(...), constr(pattern=...)
        name = _base_name(ann.func)
        if name == "constr":
            return any(k.arg in ("pattern", "regex") for k in ann.keywords)
        return name in _CONSTRAINED_TYPES
    if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):  # int | None
        parts = [ann.left, ann.right]
        return all(_annotation_constrains(p) or (isinstance(p, ast.Constant) and p.value is None) for p in parts)
    return _base_name(ann) in _CONSTRAINED_TYPES


def _schema_constrains(prop: ast.Dict) -> bool:
    """Whether a JSON-schema property pins the value down (number, boolean, enum, const, pattern, uuid…)."""
    t = _dict_get(prop, "type")
    if isinstance(t, ast.Constant) and t.value in ("integer", "number", "boolean"):
        return True
    if _dict_get(prop, "enum") is not None or _dict_get(prop, "const") is not None or _dict_get(prop, "pattern") is not None:
        return True
    fmt = _dict_get(prop, "format")
    return isinstance(fmt, ast.Constant) and fmt.value in ("uuid", "date", "date-time", "email", "ipv4", "ipv6")


def _dict_get(d: ast.Dict, key: str) -> ast.expr | None:
    for k, v in zip(d.keys, d.values):
        if isinstance(k, ast.Constant) and k.value == key:
            return v
    return None


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
