"""What a Chalice `app.py` declares, read with `ast` (the file is never imported or run).

`Chalice(app_name=…)` names the app; decorators on top-level functions declare its entries:
`@app.route` (routes of the one API function), `@app.authorizer` (custom authorizers), and the
event decorators (`@app.on_sqs_message`, `@app.schedule`, …), each deployed as a function of its own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from fnaudit.model.app import AuthKind, TriggerKind

# Event decorators → the trigger they give the function, and the keyword naming its source.
EVENT_DECORATORS: dict[str, tuple[TriggerKind | None, str | None]] = {
    "on_s3_event": (TriggerKind.S3, "bucket"),
    "on_sns_message": (TriggerKind.SNS, "topic"),
    "on_sqs_message": (TriggerKind.SQS, "queue"),
    "schedule": (TriggerKind.SCHEDULE, "expression"),
    "on_cw_event": (TriggerKind.EVENTBRIDGE, "event_pattern"),
    "on_dynamodb_record": (TriggerKind.DYNAMODB_STREAM, "stream_arn"),
    "on_kinesis_record": (TriggerKind.KINESIS, "stream"),
    "lambda_function": (None, None),  # a plain function: invoked directly, no trigger
}
_BUILTIN_AUTH = {"IAMAuthorizer": AuthKind.IAM, "CognitoUserPoolAuthorizer": AuthKind.COGNITO}


@dataclass(frozen=True, slots=True)
class RouteDecl:
    path: str
    methods: tuple[str, ...]
    line: int  # the decorator's line: where the route is declared
    handler: str  # python function name
    auth: AuthKind
    auth_name: str | None
    api_key_required: bool


@dataclass(frozen=True, slots=True)
class EventDecl:
    decorator: str  # on_sqs_message, schedule, lambda_function, authorizer…
    name: str  # the function's Chalice name (`name=` or the python name)
    handler: str
    line: int
    source: str | None  # bucket / topic / queue / schedule expression


@dataclass(frozen=True, slots=True)
class ChaliceApp:
    var: str  # the module variable holding the app (usually `app`)
    app_name: str | None
    line: int
    routes: tuple[RouteDecl, ...]
    events: tuple[EventDecl, ...]


def _const_str(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _kw(call: ast.Call, name: str, position: int | None = None) -> ast.expr | None:
    for k in call.keywords:
        if k.arg == name:
            return k.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def _callee_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def find_app(tree: ast.Module) -> tuple[str, str | None, int] | None:
    """The module variable bound to `Chalice(...)`, the app name it gives, and its line."""
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Call)
            and _callee_name(stmt.value.func) == "Chalice"
        ):
            return stmt.targets[0].id, _const_str(_kw(stmt.value, "app_name", 0)), stmt.lineno
    return None


def read_app(tree: ast.Module) -> ChaliceApp | None:
    found = find_app(tree)
    if found is None:
        return None
    var, app_name, line = found
    authorizer_vars = _authorizer_objects(tree)
    defs = [s for s in tree.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]
    custom = {fn.name for fn in defs for attr, _, _ in _app_decorators(fn, var) if attr == "authorizer"}
    routes: list[RouteDecl] = []
    events: list[EventDecl] = []
    for fn in defs:
        for kind, call, dec_line in _app_decorators(fn, var):
            if kind == "route" and call is not None:
                routes.append(_route(fn.name, call, authorizer_vars, custom))
            elif kind == "authorizer" or kind in EVENT_DECORATORS:
                source_kw = EVENT_DECORATORS.get(kind, (None, None))[1]
                source = _source_text(_kw(call, source_kw, 0)) if call is not None and source_kw else None
                name = _const_str(_kw(call, "name")) if call is not None else None
                events.append(EventDecl(kind, name or fn.name, fn.name, dec_line, source))
    return ChaliceApp(var, app_name, line, tuple(routes), tuple(events))


def _app_decorators(fn: ast.FunctionDef | ast.AsyncFunctionDef, var: str) -> Iterator[tuple[str, ast.Call | None, int]]:
    """`@var.attr(...)` / `@var.attr` decorators of `fn`: (attr, the call when called, line)."""
    for dec in fn.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == var:
            yield target.attr, dec if isinstance(dec, ast.Call) else None, dec.lineno


def _source_text(node: ast.expr | None) -> str | None:
    if node is None:
        return None
    text = _const_str(node)
    if text is not None:
        return text
    if isinstance(node, ast.Call):  # Rate(5, unit=Rate.MINUTES), Cron(…)
        return ast.unparse(node)[:120]
    return None


def _authorizer_objects(tree: ast.Module) -> dict[str, AuthKind]:
    """Module variables bound to an authorizer object (`iam = IAMAuthorizer()`, `CognitoUserPoolAuthorizer(…)`)."""
    out: dict[str, AuthKind] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            kind = _auth_of_call(stmt.value)
            if kind is not None:
                out[stmt.targets[0].id] = kind
    return out


def _auth_of_call(node: ast.expr) -> AuthKind | None:
    if not isinstance(node, ast.Call):
        return None
    name = _callee_name(node.func) or ""
    if name in _BUILTIN_AUTH:
        return _BUILTIN_AUTH[name]
    if name == "CustomAuthorizer":
        return AuthKind.LAMBDA
    return None


def _route(handler: str, call: ast.Call, objects: dict[str, AuthKind], custom: set[str]) -> RouteDecl:
    path = _const_str(_kw(call, "path", 0)) or "/"
    methods_node = _kw(call, "methods")
    methods: tuple[str, ...] = ("GET",)  # Chalice's default
    if isinstance(methods_node, ast.List | ast.Tuple):
        methods = tuple(m.upper() for m in (_const_str(e) for e in methods_node.elts) if m) or ("GET",)
    auth, auth_name = _authorizer(_kw(call, "authorizer"), objects, custom)
    key = _kw(call, "api_key_required")
    api_key = isinstance(key, ast.Constant) and key.value is True
    return RouteDecl(path, methods, call.lineno, handler, auth, auth_name, api_key)


def _authorizer(node: ast.expr | None, objects: dict[str, AuthKind], custom: set[str]) -> tuple[AuthKind, str | None]:
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return AuthKind.NONE, None
    direct = _auth_of_call(node)
    if direct is not None:
        return direct, _callee_name(node.func) if isinstance(node, ast.Call) else None
    if isinstance(node, ast.Name):
        if node.id in custom:
            return AuthKind.LAMBDA, node.id
        if node.id in objects:
            return objects[node.id], node.id
        return AuthKind.UNKNOWN, node.id
    return AuthKind.UNKNOWN, None  # an authorizer is set, but we cannot tell its kind
