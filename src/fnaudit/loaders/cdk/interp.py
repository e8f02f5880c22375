"""Reading a CDK app: the entry file's statements, the stacks and constructs it instantiates (their
constructor bodies, with the arguments bound), and the constructs those create, lowered as they are met.

Nothing is executed. A name the app defines is followed (constants, template strings, constructor
props, fields set with `this.x = ...`, classes imported from the app's own files, the app's own
functions and methods called with their arguments bound); loops over known collections run once per
item and conditionals with a known test take their branch. Anything else (a library function's
result, a context lookup, a loop over an unknown collection) is an `Unknown` named by the expression,
or an `errors` entry at its line: never guessed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fnaudit.errors import InputError, Loss, ScanError
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders._yaml import LDict
from fnaudit.loaders.cdk import resources as res
from fnaudit.loaders.cdk.functions import lower_function
from fnaudit.loaders.cdk.lowering import Out
from fnaudit.loaders.cdk.parse_py import parse_python
from fnaudit.loaders.cdk.parse_ts import parse_typescript
from fnaudit.loaders.cdk.syntax import (
    Arr,
    Assign,
    Attr,
    Call,
    Comp,
    Cond,
    Expr,
    For,
    FuncDef,
    If,
    Import,
    Lambda,
    Lit,
    Module,
    Name,
    Obj,
    Op,
    Other,
    Param,
    Pattern,
    Return,
    Skip,
    Stmt,
    Tmpl,
    camel,
)
from fnaudit.loaders.cdk.values import Cfn, Construct, Klass, Made, ModuleV, ObjV, PathV, Sym, Unknown

MAX_DEPTH = 4  # entry → stack → construct → construct: deeper nesting is not followed
MAX_CALLS = 8  # the app's own functions calling each other (or themselves): deeper calls are not followed
MAX_ITEMS = 200  # items of one loop read; more is an `errors` entry (a generated app, not a hand-written one)
MAX_TOTAL_ITEMS = 5000  # items of all loops of an app: nested loops in nested calls stop there
_PLAIN = (str, int, float, bool, type(None))
_MUTATORS = ("push", "append", "extend")
_PSEUDO = {
    "region": "AWS::Region",
    "account": "AWS::AccountId",
    "partition": "AWS::Partition",
    "urlSuffix": "AWS::URLSuffix",
    "stackName": "AWS::StackName",
}
_AWS = {
    "REGION": "AWS::Region",
    "ACCOUNT_ID": "AWS::AccountId",
    "PARTITION": "AWS::Partition",
    "URL_SUFFIX": "AWS::URLSuffix",
    "STACK_NAME": "AWS::StackName",
}
_FUNCTIONS = {
    "aws-lambda.Function": "function",
    "aws-lambda-nodejs.NodejsFunction": "nodejs",
    "aws-lambda-python.PythonFunction": "python",
    "aws-lambda.DockerImageFunction": "image",
    "aws-lambda-go.GoFunction": "go",
}
_WATCHED = ("aws-lambda", "aws-apigateway", "aws-iam")  # services whose unread constructs are reported
_TS_SUFFIXES = ("", ".ts", ".js", "/index.ts", "/index.js")


def lib_sym(module: str, member: str | None) -> Sym:
    """`aws-cdk-lib/aws-lambda`, `@aws-cdk/aws-lambda`, `aws_cdk.aws_lambda` → `aws-lambda` (+ member)."""
    m = module.lower().replace("_", "-")
    for prefix in ("@aws-cdk/", "aws-cdk-lib/", "aws-cdk-lib", "aws-cdk.", "aws-cdk"):
        if m.startswith(prefix):
            m = m[len(prefix) :]
            break
    m = m.removesuffix("-alpha")
    if m == "" and member == "core":  # CDK v1 Python: `from aws_cdk import core`
        return Sym("")
    base = Sym("" if m == "core" else m)
    return base.attr(member) if member and member != "default" else base


@dataclass(slots=True)
class Frame:
    module: Module
    env: dict[str, Any]
    this: Construct | None
    depth: int
    outer: Frame | None = None  # the frame a function was written in (its closure), or None
    calls: int = 0  # how many of the app's functions are being run, nested


@dataclass(frozen=True, slots=True)
class Func:
    """A function of the app as a value: a module function, a method bound to its construct, an arrow
    function with the frame it was written in."""

    defn: FuncDef
    module: Module
    outer: Frame | None
    this: Construct | None


@dataclass(frozen=True, slots=True)
class _Ret:
    value: Any


@dataclass(slots=True)
class Program:
    root: ScanRoot
    app_dir: str  # the folder of cdk.json, relative to the scan root
    base: str  # the entry file's folder, relative to the scan root (the lowered template's folder)
    out: Out = field(default_factory=Out)
    modules: dict[str, Module | None] = field(default_factory=dict)
    errors: list[ScanError] = field(default_factory=list)
    resolving: set[tuple[str, str]] = field(default_factory=set)  # module-level names being evaluated
    top: Frame | None = None  # the entry's frame: its functions see its constants
    said: set[tuple[str, str]] = field(default_factory=set)  # (file, message) of errors already given
    looped: int = 0  # items read by all loops so far
    files: dict[str, bool] = field(default_factory=dict)  # app file → is a file inside the root (resolved once)

    # ---- modules ---------------------------------------------------------------------------------

    def module(self, rel: str) -> Module | None:
        if rel in self.modules:
            return self.modules[rel]
        self.modules[rel] = None
        try:
            text = read_text(self.root.resolve_inside(self.root.path, rel))
            mod = parse_python(text, rel) if rel.endswith(".py") else parse_typescript(text, rel)
        except (InputError, SyntaxError, ValueError) as exc:
            self.errors.append(ScanError(rel, f"CDK source not read: {exc}", "load"))
            return None
        self.modules[rel] = mod
        return mod

    def partial(self, rel: str, line: int, what: str) -> None:
        """An `errors` entry (loss partial) for what is not read, once per place (a class or a function
        run twice says it once)."""
        message = f"line {line}: {what} in CDK source is not read; constructs it creates are not in the scan"
        if (rel, message) not in self.said:
            self.said.add((rel, message))
            self.errors.append(ScanError(rel, message, "load", Loss.PARTIAL))

    def _app_file(self, candidates: list[str]) -> str | None:
        for rel in candidates:
            rel = posixpath.normpath(rel)
            if rel.startswith("../") or rel == "..":
                continue  # never outside the scanned root
            found = self.files.get(rel)
            if found is None:  # an imported name is looked up at every use: resolve each path once
                try:
                    found = self.root.resolve_inside(self.root.path, rel).is_file()
                except InputError:
                    found = False
                self.files[rel] = found
            if found:
                return rel
        return None

    def imported(self, mod: Module, imp: Import) -> Any:
        here = posixpath.dirname(mod.rel)
        target: str | None = None
        if mod.rel.endswith(".py"):
            spec = imp.module
            dots = len(spec) - len(spec.lstrip("."))
            rest = spec.lstrip(".").replace(".", "/")
            start = here
            for _ in range(max(dots - 1, 0)):
                start = posixpath.dirname(start)
            folders = [start] if dots else [self.app_dir, here]
            if rest:
                target = self._app_file(
                    [f"{f}/{rest}.py" for f in folders] + [f"{f}/{rest}/__init__.py" for f in folders]
                )
            if imp.member and (target is None or not rest):
                sub = self._app_file([f"{f}/{rest}/{imp.member}.py".replace("//", "/") for f in folders])
                if sub is not None:
                    loaded = self.module(sub)
                    return ModuleV(loaded) if loaded else Unknown(imp.member)
        elif imp.module.startswith("."):
            target = self._app_file([posixpath.join(here, imp.module) + s for s in _TS_SUFFIXES])
        if target is None:
            if imp.module.startswith("."):
                return Unknown(f"{imp.module}.{imp.member}", "a module of the app that is not in the scan")
            return lib_sym(imp.module, imp.member)
        loaded = self.module(target)
        if loaded is None:
            return Unknown(imp.member or imp.module)
        if imp.member is None:
            return ModuleV(loaded)
        return self.member(loaded, imp.member)

    def member(self, mod: Module, name: str) -> Any:
        if name in mod.classes:
            return Klass(mod.classes[name], mod)
        if name in mod.functions:
            outer = self.top if self.top is not None and self.top.module is mod else None
            return Func(mod.functions[name], mod, outer, None)
        key = (mod.rel, name)
        if key in self.resolving:  # modules that define a name through each other: a cycle, not a value
            return Unknown(name, "defined in a cycle of imports")
        self.resolving.add(key)
        try:
            if name in mod.imports:
                return self.imported(mod, mod.imports[name])
            if self.top is not None and self.top.module is mod and name in self.top.env:
                return self.top.env[name]  # the entry's statements ran: the value they left
            for stmt in mod.body:  # a module-level constant
                if isinstance(stmt, Assign) and stmt.target == name:
                    if _mutated(mod.body, name):  # the module's own statements (not run) change it
                        return Unknown(name, f"changed by statements of {mod.rel}")
                    return self.eval(stmt.value, Frame(mod, {}, None, MAX_DEPTH))
            return Unknown(name, f"not found in {mod.rel}")
        finally:
            self.resolving.discard(key)

    # ---- statements ------------------------------------------------------------------------------

    def run(self, mod: Module) -> None:
        self.top = Frame(mod, {}, None, 0)
        self.block(mod.body, self.top)

    def block(self, body: Any, frame: Frame) -> _Ret | None:
        """Run statements; a `return` met (in a function) ends the block with its value."""
        rel = frame.module.rel
        for stmt in body:
            if isinstance(stmt, Assign):
                value = self.eval(stmt.value, frame)
                if stmt.target.startswith("this."):
                    if frame.this is not None:
                        frame.this.fields[stmt.target[5:]] = value
                else:
                    frame.env[stmt.target] = value
            elif isinstance(stmt, Return):
                return _Ret(self.eval(stmt.value, frame) if stmt.value is not None else None)
            elif isinstance(stmt, Skip):
                self.partial(rel, stmt.line, f"a {stmt.what}")
            elif isinstance(stmt, If):
                test = self.truth(self.eval(stmt.test, frame), frame)
                if test is None:
                    # Reading both branches would put in the scan resources that may not exist, reading one
                    # would guess: neither is read, and the loss is said.
                    self.partial(rel, stmt.line, f"a conditional on `{text_of(stmt.test)}` (not known)")
                    continue
                ret = self.block(stmt.body if test else stmt.orelse, frame)
                if ret is not None:
                    return ret
            elif isinstance(stmt, For):
                items = self.items(self.eval(stmt.source, frame), stmt.line, frame, text_of(stmt.source))
                for item in items or ():
                    self.bind(stmt.target, item, frame.env)
                    ret = self.block(stmt.body, frame)
                    if ret is not None:
                        return ret
            else:
                self.eval(stmt.value, frame)
        return None

    def items(self, value: Any, line: int, frame: Frame, text: str) -> list[Any] | None:
        """The items a loop goes over (the keys of an object), at most `MAX_ITEMS`; None (and an `errors`
        entry) when the collection is not known: its constructs are not guessed."""
        rel = frame.module.rel
        if isinstance(value, ObjV):
            value = list(value.items)
        if not isinstance(value, (list, tuple)):
            self.partial(rel, line, f"a loop over `{text}` (not known)")
            return None
        if len(value) > MAX_ITEMS:
            self.partial(rel, line, f"a loop over more than {MAX_ITEMS} items (the first {MAX_ITEMS} are read)")
        if self.looped + min(len(value), MAX_ITEMS) > MAX_TOTAL_ITEMS:
            self.partial(rel, line, f"a loop past {MAX_TOTAL_ITEMS} items in all the app's loops")
            return None
        self.looped += min(len(value), MAX_ITEMS)
        return list(value[:MAX_ITEMS])

    def bind(self, pattern: Pattern, value: Any, env: dict[str, Any], frame: Frame | None = None) -> None:
        """Bind a loop variable or a parameter: a name, `[k, v]` (an entry), `{ name, memory }`."""
        for key, local in pattern.names:
            if not local:
                continue
            if pattern.kind == "name":
                env[local] = value
            elif pattern.kind == "array":
                i = int(key)
                known = isinstance(value, (list, tuple))
                env[local] = (value[i] if i < len(value) else None) if known else Unknown(f"{local}")
            elif isinstance(value, ObjV):
                env[local] = value.get(key)
                default = dict(pattern.defaults).get(local)
                if env[local] is None and default is not None and frame is not None:  # `{ memory = 128 }`
                    env[local] = self.eval(default, frame)
            else:
                env[local] = Unknown(local)

    def truth(self, value: Any, frame: Frame) -> bool | None:
        """Whether a known value is true, in the language of the file; None when it is not known."""
        if isinstance(value, Unknown):
            return None
        python = frame.module.rel.endswith(".py")
        if isinstance(value, _PLAIN):
            return bool(value)
        if isinstance(value, (list, tuple)):
            return bool(value) if python else True  # `[]` is true in JavaScript
        if isinstance(value, ObjV):
            return bool(value.items) if python else True
        if isinstance(value, (Sym, Made)):
            # a CDK object (`Runtime.PYTHON_3_12`, `Duration.seconds(30)`) is true; what another library's
            # call gives (`os.environ.get(...)`) is not known
            head = (value.path if isinstance(value, Sym) else value.sym).split(".", 1)[0]
            return True if head.startswith("aws-") or head[:1].isupper() else None
        if isinstance(value, (Construct, PathV, Func, Klass, Cfn)):
            return True
        return None

    def invoke(self, func: Func, positional: Sequence[Any], keywords: ObjV | None, line: int, frame: Frame) -> Any:
        """Run one of the app's functions with its parameters bound (defaults too); its return value."""
        defn = func.defn
        if frame.calls >= MAX_CALLS:
            self.partial(
                frame.module.rel, line, f"a call to `{defn.name or 'a function'}` nested more than {MAX_CALLS} deep"
            )
            return Unknown(f"{defn.name}(...)", "a call nested deeper than the loader follows")
        this = func.this if func.this is not None else (func.outer.this if func.outer is not None else None)
        inner = Frame(func.module, {}, this, frame.depth, func.outer, frame.calls + 1)
        for i, p in enumerate(defn.params):
            self.bind(p.pattern, self.argument(p, i, positional, keywords, inner), inner.env, inner)
        ret = self.block(defn.body, inner)
        return ret.value if ret is not None else None

    def argument(self, p: Param, i: int, positional: Sequence[Any], keywords: ObjV | None, inner: Frame) -> Any:
        name = p.pattern.names[0][1] if p.pattern.kind == "name" else ""
        if i < len(positional):
            return positional[i]
        if keywords is not None and name and camel(name) in keywords.items:
            return keywords.get(camel(name))
        if p.default is not None:  # evaluated where the earlier parameters are bound, as both languages do
            return self.eval(p.default, inner)
        return None  # not passed: `undefined`

    def method(self, obj: Construct, name: str) -> Func | None:
        """`this.makeFn(...)`, `self._make_fn(...)`: a method of the app's class the construct was made
        from (or of an app class it extends)."""
        klass = obj.data.get("class")
        seen = 0
        while isinstance(klass, Klass) and seen < MAX_DEPTH:
            for m in klass.cls.methods:
                if m.name == name:
                    return Func(m, klass.module, None, obj)
            base = klass.cls.base
            klass = self.eval(base, Frame(klass.module, {}, None, 1)) if base is not None else None
            seen += 1
        return None

    def is_stack(self, c: Construct) -> bool:
        """A `Stack`, or made from an app class that extends `Stack` (through the app's own classes)."""
        if c.kind == "stack":
            return True
        klass = c.data.get("class")
        for _ in range(MAX_DEPTH):
            if not isinstance(klass, Klass) or klass.cls.base is None:
                return False
            klass = self.eval(klass.cls.base, Frame(klass.module, {}, None, 1))
            if isinstance(klass, Sym):
                return klass.path == "Stack"
        return False

    def builtin(self, e: Call, obj: Any, args: list[Any], frame: Frame) -> tuple[bool, Any]:
        """Collections the loops go over: `Object.entries/keys/values(o)`, `arr.forEach/map(fn)`, Python
        `d.items()/keys()/values()`. (False, None) when the call is not one of them."""
        assert isinstance(e.func, Attr)
        name = e.func.name
        if isinstance(e.func.obj, Name) and e.func.obj.id == "Object" and isinstance(obj, Unknown):
            if not args or not isinstance(args[0], ObjV):
                return True, Unknown(text_of(e))
            entries = [[k, v] for k, (v, _) in args[0].items.items()]
            picked = {"entries": entries, "keys": [k for k, _ in entries], "values": [v for _, v in entries]}
            return (True, picked[name]) if name in picked else (False, None)
        if isinstance(obj, ObjV) and frame.module.rel.endswith(".py") and not args:
            entries = [[k, v] for k, (v, _) in obj.items.items()]
            picked = {"items": entries, "keys": [k for k, _ in entries], "values": [v for _, v in entries]}
            return (True, picked[name]) if name in picked else (False, None)
        if isinstance(obj, list) and name in _MUTATORS:  # `fns.push({...})`, `fns.append(...)`: the list grows
            if name == "extend" and len(args) == 1 and isinstance(args[0], (list, tuple)):
                obj.extend(args[0])
            elif name != "extend":
                obj.extend(args)
            return True, None
        if name in ("forEach", "map") and len(args) == 1 and isinstance(args[0], Func):
            # `unknown.forEach(...)`: said at its line, as an unknown `for` loop is
            items = self.items(obj, e.line, frame, text_of(e.func.obj))
            if items is None:
                return True, Unknown(text_of(e))
            results = [self.invoke(args[0], [item, i], None, e.line, frame) for i, item in enumerate(items)]
            return True, (results if name == "map" else None)
        return False, None

    # ---- expressions -----------------------------------------------------------------------------

    def eval(self, e: Expr, frame: Frame) -> Any:
        if isinstance(e, Lit):
            return e.value
        if isinstance(e, Name):
            return self.name(e.id, frame)
        if isinstance(e, Attr):
            return self.attr(self.eval(e.obj, frame), e.name, e)
        if isinstance(e, Call):
            return self.call(e, frame)
        if isinstance(e, Obj):
            return ObjV({k: (self.eval(v, frame), at) for k, v, at in e.items}, e.line)
        if isinstance(e, Arr):
            return [self.eval(x, frame) for x in e.items]
        if isinstance(e, Tmpl):
            parts = [p if isinstance(p, str) else self.eval(p, frame) for p in e.parts]
            if all(isinstance(p, (str, int, float)) and not isinstance(p, bool) for p in parts):
                return "".join(str(p) for p in parts)
            if all(isinstance(p, (str, int, float, Cfn)) and not isinstance(p, bool) for p in parts):
                return _joined(parts)  # `arn:aws:sqs:${this.region}:...`: what CDK writes, a join of tokens
            return Unknown(text_of(e))
        if isinstance(e, Op):
            return self.op(e, frame)
        if isinstance(e, Cond):
            test = self.truth(self.eval(e.test, frame), frame)
            return Unknown(text_of(e)) if test is None else self.eval(e.then if test else e.orelse, frame)
        if isinstance(e, Lambda):
            return Func(FuncDef("", e.params, e.body, e.line), frame.module, frame, frame.this)
        if isinstance(e, Comp):
            return self.comprehension(e, frame)
        return Unknown(e.text)  # Other

    def op(self, e: Op, frame: Frame) -> Any:
        first = self.eval(e.args[0], frame)
        if e.op in ("&&", "||", "??"):  # the value of the side that decides, as both languages give
            if e.op == "??":
                return first if first is not None else self.eval(e.args[1], frame)
            t = self.truth(first, frame)
            if t is None:
                return Unknown(text_of(e))
            return first if t == (e.op == "||") else self.eval(e.args[1], frame)
        if e.op == "!":
            t = self.truth(first, frame)
            return Unknown(text_of(e)) if t is None else not t
        second = self.eval(e.args[1], frame)
        if e.op in ("==", "!=") and isinstance(first, _PLAIN) and isinstance(second, _PLAIN):
            return (first == second and type(first) is type(second)) == (e.op == "==")
        if e.op in ("in", "not in") and isinstance(first, _PLAIN):
            pool = list(second.items) if isinstance(second, ObjV) else second
            if isinstance(pool, (list, tuple)) and all(isinstance(x, _PLAIN) for x in pool):
                return (first in pool) == (e.op == "in")
        return Unknown(text_of(e))

    def comprehension(self, e: Comp, frame: Frame) -> Any:
        items = self.items(self.eval(e.source, frame), e.line, frame, text_of(e.source))
        if items is None:
            return Unknown(text_of(e))
        out = []
        for item in items:
            inner = Frame(frame.module, {}, frame.this, frame.depth, frame, frame.calls)
            self.bind(e.target, item, inner.env)
            tests = [self.truth(self.eval(c, inner), inner) for c in e.conds]
            if None in tests:
                self.partial(frame.module.rel, e.line, "a comprehension's condition (not known)")
                return Unknown(text_of(e))
            if all(tests):
                out.append(self.eval(e.elt, inner))
        return out

    def name(self, name: str, frame: Frame) -> Any:
        scope: Frame | None = frame
        while scope is not None:  # the function's own names, then those where it was written
            if name in scope.env:
                return scope.env[name]
            scope = scope.outer
        if name == "this":
            return frame.this
        if name in ("__dirname", "__file__"):
            rel = frame.module.rel
            return PathV(posixpath.dirname(rel) if name == "__dirname" else rel)
        mod = frame.module
        top = self.top is not None and self.top.module is mod
        if top and self.top is not None and name in self.top.env:  # a method of a class of the entry file
            return self.top.env[name]
        if name in mod.classes or name in mod.imports or name in mod.functions or frame.depth > 0 or not top:
            # at the top of the entry (depth 0) constants are in `env` as the statements ran
            return self.member(mod, name)
        return Unknown(name)

    def attr(self, obj: Any, name: str, e: Attr) -> Any:
        if isinstance(obj, Sym):
            if obj.path == "Aws" and name in _AWS:  # `cdk.Aws.REGION`
                return Cfn({"Ref": _AWS[name]})
            return obj.attr(name)
        if isinstance(obj, ObjV):
            if name not in obj.items and camel(name) in obj.items:  # `cfg["memory_size"]` of `dict(memory_size=...)`
                return obj.get(camel(name))
            return obj.get(name)
        if isinstance(obj, ModuleV):
            return self.member(obj.module, name)
        if isinstance(obj, Klass):  # `Helpers.makeFn(this, ...)`: a static method of the app's class
            found = next((m for m in obj.cls.methods if m.name == name), None)
            if found is not None:
                return Func(found, obj.module, None, None)
        if isinstance(obj, (list, tuple)) and name.isdigit():  # `fns[0]`
            return obj[int(name)] if int(name) < len(obj) else None
        if isinstance(obj, (list, tuple, str)) and name == "length":
            return len(obj)
        if isinstance(obj, Construct):
            if name in obj.fields:
                return obj.fields[name]
            if name in _PSEUDO and self.is_stack(obj):  # `this.region` in a stack: `${AWS::Region}`
                return Cfn({"Ref": _PSEUDO[name]})
            if name == "role" and "role" in obj.data:
                return obj.data["role"]
            if name == "root" and "root" in obj.data:
                return obj.data["root"]
            if name.endswith("Arn"):
                return Cfn({"Fn::GetAtt": [obj.path, "Arn"]})
            if name.endswith(("Name", "Url", "Id")):
                return Cfn({"Ref": obj.path})
        return Unknown(text_of(e))

    def call(self, e: Call, frame: Frame) -> Any:
        args = [self.eval(a, frame) for a in e.args]
        if e.kwargs:
            args.append(ObjV({k: (self.eval(v, frame), at) for k, v, at in e.kwargs}, e.line))
        rel = frame.module.rel
        keywords = args[-1] if e.kwargs and isinstance(args[-1], ObjV) else None
        positional = args[:-1] if keywords is not None else args
        if isinstance(e.func, Attr):
            obj = self.eval(e.func.obj, frame)
            found, value = self.builtin(e, obj, args, frame)
            if found:
                return value
            own = self.method(obj, e.func.name) if isinstance(obj, Construct) else None
            if own is not None:
                return self.invoke(own, positional, keywords, e.line, frame)
            if isinstance(obj, Construct):
                return res.call_method(self.out, obj, e.func.name, args, rel, e.line)
            if isinstance(obj, Made) and e.func.name in ("unsafeUnwrap", "toString"):  # `SecretValue...`: itself
                return obj
            if isinstance(obj, LDict) and e.func.name in ("addActions", "addResources"):  # a PolicyStatement
                res.extend_statement(self.out, obj, e.func.name, args, rel, e.line)
                return None
            func = self.attr(obj, e.func.name, e.func)
        else:
            func = self.eval(e.func, frame)
        if isinstance(func, Func):
            return self.invoke(func, positional, keywords, e.line, frame)
        if isinstance(func, Unknown) and isinstance(e.func, Name) and rel.endswith(".py"):
            found, value = _python_builtin(e.func.id, positional, keywords)
            if found:
                return value
        if isinstance(func, Klass):
            return self.instantiate(func, args, e, frame)
        if isinstance(func, Sym):
            return self.library(func, args, e.line, frame)
        return Unknown(text_of(e))

    # ---- constructs ------------------------------------------------------------------------------

    def _scope_id(self, args: list[Any], line: int, rel: str) -> tuple[Construct, ObjV] | None:
        """`(scope, 'Id', props)` → the construct made (its path is the scope's path + id) and its props."""
        if len(args) < 2 or not isinstance(args[0], Construct) or not isinstance(args[1], (str, Unknown)):
            return None
        cid = args[1] if isinstance(args[1], str) else f"${{{getattr(args[1], 'text', 'id')}}}"
        props = next((a for a in args[2:] if isinstance(a, ObjV)), ObjV({}, line))
        path = f"{args[0].path}/{cid}" if args[0].path else cid
        return Construct("construct", path, rel, line), props

    def instantiate(self, klass: Klass, args: list[Any], e: Call, frame: Frame) -> Any:
        made = self._scope_id(args, e.line, frame.module.rel)
        if made is None or frame.depth >= MAX_DEPTH:
            return Unknown(text_of(e), "a construct nested deeper than the loader follows")
        c = made[0]
        # TypeScript passes props positionally; Python passes keyword arguments (the last value, an ObjV)
        keywords = args[-1] if e.kwargs and isinstance(args[-1], ObjV) else None
        positional = args[:-1] if keywords is not None else args
        env: dict[str, Any] = dict(zip(klass.cls.params, positional, strict=False))
        c.data["class"] = klass  # its methods, for `this.makeFn(...)`
        inner = Frame(klass.module, env, c, frame.depth + 1)
        for i, p in enumerate(klass.cls.params):
            if keywords is not None and camel(p) in keywords.items:
                env[p] = keywords.get(camel(p))
            elif p not in env and i < len(klass.cls.defaults) and klass.cls.defaults[i] is not None:
                env[p] = self.eval(klass.cls.defaults[i], inner)  # type: ignore[arg-type]
        self.block(klass.cls.body, inner)
        return c

    def library(self, sym: Sym, args: list[Any], line: int, frame: Frame) -> Any:
        rel = frame.module.rel
        path = sym.path
        if path == "App":
            return Construct("app", "", rel, line)
        if path in ("path.join", "path.resolve", "os.path.join"):
            parts = [a.rel if isinstance(a, PathV) else a for a in args]
            if parts and all(isinstance(p, str) for p in parts) and isinstance(args[0], PathV):
                return PathV(posixpath.normpath(posixpath.join(*parts)))
            return Unknown(path)
        if path == "os.path.dirname" and args and isinstance(args[0], PathV):
            return PathV(posixpath.dirname(args[0].rel))
        if path == "aws-iam.PolicyStatement":
            props = next((a for a in args if isinstance(a, ObjV)), None)
            return res.statement(self.out, props, rel, line)
        if path == "aws-iam.ManagedPolicy.fromAwsManagedPolicyName" and args and isinstance(args[0], str):
            return Made(path, ("arn:aws:iam::aws:policy/" + args[0],), line, rel)
        if path.endswith("Property") and len(args) == 1 and isinstance(args[0], ObjV):
            return args[0]  # an L1 property type (`CfnFunction.CodeProperty(zip_file=...)`): its fields
        if (looked := res.lookup(path, args)) is not None:  # `StringParameter.valueForStringParameter`...
            return looked
        made = self._scope_id(args, line, rel)
        if made is not None and sym.last.startswith("from") and sym.last != "fromAsset":
            return _imported(made[0], path.rsplit(".", 1)[0])
        if made is None:
            return Made(path, tuple(args), line, rel)
        c, props = made
        if path == "Stack":
            c.kind = "stack"
        elif path in _FUNCTIONS:
            c.kind = "function"
            lower_function(self.out, _FUNCTIONS[path], c, props, self.app_dir, self.base)
        elif path in res.SIMPLE:
            res.simple(self.out, path, c, props)
        elif path == "aws-iam.Role":
            res.role(self.out, c, props)
        elif path == "aws-events.Rule":
            res.event_rule(self.out, c, props)
        elif path in ("aws-apigateway.RestApi", "aws-apigateway.LambdaRestApi"):
            handler = props.get("handler") if path.endswith("LambdaRestApi") else None
            res.rest_api(self.out, c, props, handler)
        elif path.startswith("aws-apigateway.") and path.endswith("Authorizer"):
            res.rest_authorizer(self.out, path, c, props)
        elif path == "aws-apigatewayv2.HttpApi":
            res.http_api(self.out, c, props)
        elif path.startswith("aws-apigatewayv2") and ("Authorizer" in path or "Integration" in path):
            return Made(path, tuple(args), line, rel)  # (id, target, options): not a resource of its own
        elif not res.construct(self.out, path, c, props) and path.startswith(_WATCHED):
            # a construct of the services the model is made of that is not read: said, as it may matter
            self.out.notes.append((self.out.v(rel, line), f"{path} is not read from CDK source"))
        return c


def _joined(parts: Sequence[Any]) -> Cfn:
    """Text with CloudFormation tokens in it: `Fn::Sub` when they are all pseudo parameters (as a template
    writes `arn:aws:sqs:${AWS::Region}:...`), else `Fn::Join`."""
    if all(not isinstance(p, Cfn) or str(p.value.get("Ref", "")).startswith("AWS::") for p in parts):
        text = "".join(
            "${" + p.value["Ref"] + "}" if isinstance(p, Cfn) else str(p).replace("${", "${!") for p in parts
        )
        return Cfn({"Fn::Sub": text})
    return Cfn({"Fn::Join": ["", [p.value if isinstance(p, Cfn) else str(p) for p in parts]]})


def _mutated(body: Sequence[Any], name: str) -> bool:
    """Whether statements (in loops and branches too) grow the list `name` (`name.push(...)`)."""
    for stmt in body:
        if isinstance(stmt, (For, If)):
            if _mutated(stmt.body, name) or (isinstance(stmt, If) and _mutated(stmt.orelse, name)):
                return True
        elif isinstance(stmt, Stmt) and isinstance(stmt.value, Call) and isinstance(stmt.value.func, Attr):
            target = stmt.value.func
            if target.name in _MUTATORS and isinstance(target.obj, Name) and target.obj.id == name:
                return True
    return False


def _python_builtin(name: str, args: Sequence[Any], keywords: ObjV | None) -> tuple[bool, Any]:
    """`dict(name=..., memory=...)`, `range(3)`, `enumerate(items)`, `len(items)` with known arguments
    (config lists are often written with them); (False, None) otherwise."""
    if name == "dict" and not args:
        return True, keywords if keywords is not None else ObjV({}, 0)
    if keywords is not None or len(args) != 1:
        return False, None
    arg = args[0]
    if name == "range" and isinstance(arg, int) and not isinstance(arg, bool):
        return True, list(range(min(arg, MAX_ITEMS + 1)))  # a longer range is said by the loop's cap
    if name == "enumerate" and isinstance(arg, (list, tuple)):
        return True, [[i, v] for i, v in enumerate(arg)]
    if name == "len" and isinstance(arg, (list, tuple, str)):
        return True, len(arg)
    return False, None


def _imported(c: Construct, cls: str) -> Construct:
    """`Table.fromTableName(this, 'T', name)`, `Role.fromRoleArn(...)`: a resource of another app; grants to
    it name an unknown ARN, statements on an imported role are not read (it is not in this scan)."""
    kinds = {**{k: v[0] for k, v in res.SIMPLE.items()}, **dict.fromkeys(_FUNCTIONS, "function")}
    c.kind = kinds.get(cls, "imported")
    c.data["imported"] = True
    return c


def text_of(e: Expr) -> str:
    """Source-like text of an expression, to name an unknown value."""
    if isinstance(e, Lit):
        return repr(e.value)
    if isinstance(e, Name):
        return e.id
    if isinstance(e, Attr):
        return f"{text_of(e.obj)}.{e.name}"
    if isinstance(e, Call):
        return f"{text_of(e.func)}(...)"
    if isinstance(e, Other):
        return e.text
    if isinstance(e, Tmpl):
        return "".join(p if isinstance(p, str) else "${" + text_of(p) + "}" for p in e.parts)
    if isinstance(e, Op):
        if len(e.args) == 1:
            return f"{e.op}{text_of(e.args[0])}"
        return f" {e.op} ".join(text_of(a) for a in e.args)
    if isinstance(e, Cond):
        return f"{text_of(e.test)} ? {text_of(e.then)} : {text_of(e.orelse)}"
    return type(e).__name__
