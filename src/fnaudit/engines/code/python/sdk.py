"""AWS SDK calls (boto3) a function's code can make, for the IAM engine.

Clients (`boto3.client("s3")`, a `Session().client(...)`), resources and their sub-resources
(`boto3.resource("dynamodb").Table(name)`, `Bucket(name)`, `Object(b, k)`), collections
(`bucket.objects.all()`), paginators, waiters, and the S3 transfer helpers (`upload_file`,
`download_file`…). Method names map to operations through botocore's service models (and boto3's
resource models), installed with boto3: `get_object` → `GetObject`. The resource a call names is
recorded when it is a literal, a module constant, or an environment variable of the function
(whose value the IaC gives: a literal name, or a reference such as `!Ref OrdersTable`).

Bindings are found flow-insensitively over each module (a client assigned at module level and
used in a function, `self.s3 = boto3.client("s3")` in `__init__`), which is what real handlers do.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from fnaudit.engines.code.awsmodel import action_operation, has, has_many, operations, waiters
from fnaudit.engines.code.python.modules import Module
from fnaudit.engines.code.taint.resources import RESOURCE_PARAMETERS, env_resource
from fnaudit.model.code import SdkCall
from fnaudit.model.loc import Loc, Value

# boto3's injected S3 methods (transfer manager), on the client and on resources.
_S3_INJECTED = {
    "upload_file": "PutObject",
    "upload_fileobj": "PutObject",
    "download_file": "GetObject",
    "download_fileobj": "GetObject",
    "copy": "CopyObject",
}
_S3_INJECTED_BUCKET_ARG = {"upload_file": 1, "upload_fileobj": 1, "download_file": 0, "download_fileobj": 0}
_COLLECTION_METHODS = frozenset({"all", "filter", "limit", "page_size", "pages"})


# A binding: what a name holds.
# ("client", svc) ("resource", svc) ("sub", svc, rtype, ident_expr) ("collection", svc, op, ident_expr)
# ("paginator", svc, op) ("waiter", svc, op) ("batch", svc, ident_expr) ("session",)
Binding = tuple[Any, ...]


class ModuleSdk:
    def __init__(self, module: Module) -> None:
        self.module = module
        self.bindings: dict[str, Binding] = {}
        self.constants: dict[str, ast.expr] = dict(module.globals)
        assigns: list[tuple[str, ast.expr]] = []
        for node in module.index.of_type(ast.Assign, ast.AnnAssign, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    key = _key(t)
                    if key:
                        assigns.append((key, node.value))
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    key = _key(item.optional_vars) if item.optional_vars is not None else None
                    if key:
                        assigns.append((key, item.context_expr))
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                key = _key(node.target)
                if key:
                    assigns.append((key, node.iter))
        for _ in range(3):  # chains: s = Session(); c = s.client(...); p = c.get_paginator(...)
            for key, value in assigns:
                b = self.binding(value)
                if b is not None:
                    self.bindings[key] = b

    def qualname(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return self.module.imported(node.id) or node.id
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def binding(self, node: ast.expr) -> Binding | None:  # noqa: C901
        if isinstance(node, (ast.Name, ast.Attribute)):
            key = _key(node)
            if key and key in self.bindings:
                return self.bindings[key]
            if isinstance(node, ast.Attribute):
                base = self.binding(node.value)
                if base is None:
                    return None
                if node.attr == "meta" and base[0] in ("resource", "sub"):
                    return ("meta", base[1])
                if node.attr == "client" and base[0] == "meta":
                    return ("client", base[1])
                if base[0] in ("resource", "sub"):
                    rtype = base[2] if base[0] == "sub" else None
                    _, op = has_many(base[1], rtype, node.attr)
                    if op:
                        return ("collection", base[1], op, base[3] if base[0] == "sub" else None)
            return None
        if isinstance(node, ast.Await):
            return self.binding(node.value)
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        qual = self.qualname(func) or ""
        if qual in ("boto3.client", "boto3.resource", "aioboto3.client", "aioboto3.resource") or (
            isinstance(func, ast.Attribute) and func.attr in ("client", "resource") and self._is_session(func.value)
        ):
            svc = _const(
                node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "service_name"), None)
            )
            if svc is None:
                return None
            return (
                "client"
                if qual.endswith("client") or (isinstance(func, ast.Attribute) and func.attr == "client")
                else "resource",
                svc,
            )
        if qual in ("boto3.Session", "boto3.session.Session", "aioboto3.Session"):
            return ("session",)
        if not isinstance(func, ast.Attribute):
            return None
        base = self.binding(func.value)
        if base is None:
            return None
        kind, svc = base[0], base[1] if len(base) > 1 else None
        if kind == "client" and func.attr == "get_paginator":
            name = _const(node.args[0] if node.args else None)
            op = operations(svc).get(name or "")
            return ("paginator", svc, op) if op else None
        if kind == "client" and func.attr == "get_waiter":
            name = _const(node.args[0] if node.args else None)
            op = waiters(svc).get(name or "")
            return ("waiter", svc, op) if op else None
        if kind in ("resource", "sub") and svc is not None:  # both bindings always name their service
            rtype = base[2] if kind == "sub" else None
            sub = has(svc, rtype, func.attr)
            if sub:
                ident = node.args[0] if node.args else (node.keywords[0].value if node.keywords else None)
                if kind == "sub" and ident is None:
                    ident = base[3]
                return ("sub", svc, sub, ident)
            if func.attr == "batch_writer":
                return ("batch", svc, base[3] if kind == "sub" else None)
        if kind == "collection" and func.attr in _COLLECTION_METHODS:
            return base
        return None

    def _is_session(self, node: ast.expr) -> bool:
        b = self.binding(node)
        if b is not None and b[0] == "session":
            return True
        q = self.qualname(node.func) if isinstance(node, ast.Call) else None
        return q in ("boto3.Session", "boto3.session.Session", "aioboto3.Session")


def extract(
    modules: list[Module], environment: Mapping[str, Value[str]], cache: dict[str, ModuleSdk] | None = None
) -> tuple[SdkCall, ...]:
    """Every boto3 call in the modules, with its operation and (when known) the resource it names.

    `cache` keeps each module's bindings between functions that share it (keyed by path)."""
    out: dict[tuple[str, str, str, int, str | None], SdkCall] = {}
    for module in modules:
        if "boto3" not in module.external and "aioboto3" not in module.external and not _mentions_boto3(module):
            continue
        ms = cache.get(module.rel) if cache is not None else None
        if ms is None or ms.module is not module:
            ms = ModuleSdk(module)
            if cache is not None:
                cache[module.rel] = ms
        for node in module.index.of_type(ast.Call, ast.For, ast.AsyncFor):
            call = _call(ms, node, environment)
            if call is not None:
                out.setdefault((call.service, call.operation, call.loc.path, call.loc.line, call.resource), call)
    return tuple(sorted(out.values(), key=lambda c: (c.loc.path, c.loc.line, c.service, c.operation)))


def _mentions_boto3(module: Module) -> bool:
    return any(imp[1].split(".")[0] in ("boto3", "aioboto3") for imp in module.imports.values())


def uses_boto3(module: Module) -> bool:
    """Whether the module imports boto3 (or aioboto3): the only modules whose calls can be SDK calls."""
    return "boto3" in module.external or "aioboto3" in module.external or _mentions_boto3(module)


def _call(ms: ModuleSdk, node: ast.AST, env: Mapping[str, Value[str]]) -> SdkCall | None:  # noqa: C901
    loc = Loc(ms.module.rel, getattr(node, "lineno", 0))
    if isinstance(node, (ast.For, ast.AsyncFor)):  # iterating a collection: `for obj in bucket.objects.all()`
        b = ms.binding(node.iter)
        if b is not None and b[0] == "collection" and not isinstance(node.iter, ast.Call):
            return SdkCall(b[1], b[2], loc, _resolve(ms, b[3], env))
        return None
    assert isinstance(node, ast.Call)
    func = node.func
    if not isinstance(func, ast.Attribute):
        return None
    base = ms.binding(func.value)
    if base is None:
        return None
    kind = base[0]
    method = func.attr
    if kind == "client":
        svc = base[1]
        if method in ("get_paginator", "get_waiter", "can_paginate", "close", "exceptions", "meta"):
            return None
        if svc == "s3" and method in _S3_INJECTED:
            i = _S3_INJECTED_BUCKET_ARG.get(method)
            bucket = _kwarg(node, "Bucket") or (node.args[i] if i is not None and len(node.args) > i else None)
            return SdkCall(svc, _S3_INJECTED[method], loc, _resolve(ms, bucket, env))
        if method == "generate_presigned_url":
            target = _const(_kwarg(node, "ClientMethod") or (node.args[0] if node.args else None))
            op = operations(svc).get(target or "")
            params = _kwarg(node, "Params")
            res = None
            if isinstance(params, ast.Dict):
                for k, v in zip(params.keys, params.values, strict=True):
                    if isinstance(k, ast.Constant) and k.value in RESOURCE_PARAMETERS:
                        res = _resolve(ms, v, env)
                        break
            return SdkCall(svc, op, loc, res, "medium") if op else None
        op = operations(svc).get(method)
        if op is None:
            return None
        return SdkCall(svc, op, loc, _kwarg_resource(ms, node, env))
    if kind == "resource":
        op = action_operation(base[1], None, method)
        return SdkCall(base[1], op, loc) if op else None
    if kind == "sub":
        svc, rtype, ident = base[1], base[2], base[3]
        if svc == "s3" and method in _S3_INJECTED:
            return SdkCall(svc, _S3_INJECTED[method], loc, _resolve(ms, ident, env))
        op = action_operation(svc, rtype, method)
        return SdkCall(svc, op, loc, _resolve(ms, ident, env)) if op else None
    if kind == "collection":
        if method in _COLLECTION_METHODS and not isinstance(func.value, ast.Call):  # once per chain
            return SdkCall(base[1], base[2], loc, _resolve(ms, base[3], env))
        return None
    if kind == "batch" and method in ("put_item", "delete_item"):
        return SdkCall(base[1], "BatchWriteItem", loc, _resolve(ms, base[2], env))
    if kind == "paginator" and method == "paginate":
        return SdkCall(base[1], base[2], loc, _kwarg_resource(ms, node, env))
    if kind == "waiter" and method == "wait":
        return SdkCall(base[1], base[2], loc, None, "medium")
    return None


def _kwarg(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def _key(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def _const(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _kwarg_resource(ms: ModuleSdk, node: ast.Call, env: Mapping[str, Value[str]]) -> str | None:
    """The resource a call names through its first resource keyword (`Bucket=`, `TableName=`…)."""
    for name in RESOURCE_PARAMETERS:
        v = _kwarg(node, name)
        if v is not None:
            return _resolve(ms, v, env)
    return None


def _resolve(ms: ModuleSdk, node: ast.expr | None, env: Mapping[str, Value[str]], depth: int = 0) -> str | None:
    """The resource a value names: a literal, a module constant, or an environment variable of the function."""
    if node is None or depth > 4:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in ms.constants:
        return _resolve(ms, ms.constants[node.id], env, depth + 1)
    var = _env_var(ms, node)
    if var is not None:
        return env_resource(var, env)
    return None


def _env_var(ms: ModuleSdk, node: ast.expr) -> str | None:
    if isinstance(node, ast.Subscript) and ms.qualname(node.value) == "os.environ":
        return _const(node.slice)
    if isinstance(node, ast.Call) and ms.qualname(node.func) in (
        "os.environ.get",
        "os.getenv",
        "os.environ.__getitem__",
    ):
        return _const(node.args[0] if node.args else None)
    return None
