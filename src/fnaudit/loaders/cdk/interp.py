"""Reading a CDK app: the entry file's statements, the stacks and constructs it instantiates (their
constructor bodies, with the arguments bound), and the constructs those create, lowered as they are met.

Nothing is executed. A name the app defines is followed (constants, template strings, constructor
props, fields set with `this.x = ...`, classes imported from the app's own files); anything else
(a function's result, a loop, a context lookup) is an `Unknown` named by the expression.
"""

from __future__ import annotations

import posixpath
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
    Expr,
    Import,
    Lit,
    Module,
    Name,
    Obj,
    Other,
    Tmpl,
    camel,
)
from fnaudit.loaders.cdk.values import Cfn, Construct, Klass, Made, ModuleV, ObjV, PathV, Sym, Unknown

MAX_DEPTH = 4  # entry → stack → construct → construct: deeper nesting is not followed
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


@dataclass(slots=True)
class Program:
    root: ScanRoot
    app_dir: str  # the folder of cdk.json, relative to the scan root
    base: str  # the entry file's folder, relative to the scan root (the lowered template's folder)
    out: Out = field(default_factory=Out)
    modules: dict[str, Module | None] = field(default_factory=dict)
    errors: list[ScanError] = field(default_factory=list)
    resolving: set[tuple[str, str]] = field(default_factory=set)  # module-level names being evaluated

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
        for line, what in mod.skipped:
            message = f"line {line}: a {what} in CDK source is not read; constructs it creates are not in the scan"
            self.errors.append(ScanError(rel, message, "load", Loss.PARTIAL))
        return mod

    def _app_file(self, candidates: list[str]) -> str | None:
        for rel in candidates:
            rel = posixpath.normpath(rel)
            if rel.startswith("../") or rel == "..":
                continue  # never outside the scanned root
            try:
                path = self.root.resolve_inside(self.root.path, rel)
            except InputError:
                continue
            if path.is_file():
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
        key = (mod.rel, name)
        if key in self.resolving:  # modules that define a name through each other: a cycle, not a value
            return Unknown(name, "defined in a cycle of imports")
        self.resolving.add(key)
        try:
            if name in mod.imports:
                return self.imported(mod, mod.imports[name])
            for stmt in mod.body:  # a module-level constant
                if isinstance(stmt, Assign) and stmt.target == name:
                    return self.eval(stmt.value, Frame(mod, {}, None, MAX_DEPTH))
            return Unknown(name, f"not found in {mod.rel}")
        finally:
            self.resolving.discard(key)

    # ---- statements ------------------------------------------------------------------------------

    def run(self, mod: Module) -> None:
        self.block(mod.body, Frame(mod, {}, None, 0))

    def block(self, body: Any, frame: Frame) -> None:
        for stmt in body:
            if isinstance(stmt, Assign):
                value = self.eval(stmt.value, frame)
                if stmt.target.startswith("this."):
                    if frame.this is not None:
                        frame.this.fields[stmt.target[5:]] = value
                else:
                    frame.env[stmt.target] = value
            else:
                self.eval(stmt.value, frame)

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
            return Unknown(text_of(e))
        return Unknown(e.text)  # Other

    def name(self, name: str, frame: Frame) -> Any:
        if name in frame.env:
            return frame.env[name]
        if name == "this":
            return frame.this
        if name in ("__dirname", "__file__"):
            rel = frame.module.rel
            return PathV(posixpath.dirname(rel) if name == "__dirname" else rel)
        mod = frame.module
        if name in mod.classes or name in mod.imports or frame.depth > 0:
            # at the top of the entry (depth 0) constants are in `env` as the statements ran
            return self.member(mod, name)
        return Unknown(name)

    def attr(self, obj: Any, name: str, e: Attr) -> Any:
        if isinstance(obj, Sym):
            return obj.attr(name)
        if isinstance(obj, ObjV):
            return obj.get(name)
        if isinstance(obj, ModuleV):
            return self.member(obj.module, name)
        if isinstance(obj, Construct):
            if name in obj.fields:
                return obj.fields[name]
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
        if isinstance(e.func, Attr):
            obj = self.eval(e.func.obj, frame)
            if isinstance(obj, Construct):
                return res.call_method(self.out, obj, e.func.name, args, rel, e.line)
            if isinstance(obj, LDict) and e.func.name in ("addActions", "addResources"):  # a PolicyStatement
                res.extend_statement(self.out, obj, e.func.name, args, rel, e.line)
                return None
            func = self.attr(obj, e.func.name, e.func)
        else:
            func = self.eval(e.func, frame)
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
        for p in klass.cls.params:
            if keywords is not None and camel(p) in keywords.items:
                env[p] = keywords.get(camel(p))
        self.block(klass.cls.body, Frame(klass.module, env, c, frame.depth + 1))
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
        elif not res.l1(self.out, path, c, props) and path.startswith(_WATCHED):
            # a construct of the services the model is made of that is not read: said, as it may matter
            self.out.notes.append((self.out.v(rel, line), f"{path} is not read from CDK source"))
        return c


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
    return type(e).__name__
