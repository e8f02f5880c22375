"""The per-route record of a Python framework route: its methods, and the authentication its code declares.

A web app behind one proxy route (`ANY /{proxy+}` with no authorizer) usually authenticates in the
app: a `@login_required`-style decorator on the view (Flask-Login, Flask-JWT-Extended, Flask-HTTPAuth's
`@auth.login_required`, Django's `@login_required` / `@permission_required`), or a FastAPI dependency
that yields the caller (`user = Depends(get_current_user)`, `dependencies=[Depends(verify_token)]`,
`Security(...)`). The name is what is read: fnaudit cannot prove what the decorator checks, so the
record says which one it is and the rules word the finding as "the route requires authentication in
code (name)", one severity level below an open route, never as safe.
"""

from __future__ import annotations

import ast
import re

from fnaudit.engines.code.python.modules import Module, qualname
from fnaudit.model.code import Route
from fnaudit.model.loc import Loc

# A decorator or dependency whose name says it authenticates or authorizes the caller.
_AUTH_NAME = re.compile(
    r"(?i)(login_required|auth|jwt_required|token_required|verify_token|verify_jwt|permission_required|"
    r"roles?_required|requires?_(user|login|role|scope|permission)|current_user|signed_in|staff_member_required|"
    r"user_passes_test|protected)"
)
_VERB_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def methods_of(dec: ast.Call, default: str = "GET") -> str:
    """The HTTP methods a route decorator answers: `@app.get` → GET; `@app.route(..., methods=[...])` → the list."""
    func = dec.func
    attr = func.attr if isinstance(func, ast.Attribute) else ""
    if attr in _VERB_METHODS:
        return attr.upper()
    for k in dec.keywords:  # Flask / FastAPI / Chalice `methods=[...]`, Powertools `method="POST"` or a list
        if k.arg not in ("methods", "method"):
            continue
        elts = k.value.elts if isinstance(k.value, (ast.List, ast.Tuple, ast.Set)) else [k.value]
        names = [e.value.upper() for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if names:
            return ",".join(names)
    return default


def code_auth(mod: Module, fnode: ast.FunctionDef | ast.AsyncFunctionDef, route_call: ast.Call | None) -> str | None:
    """The authentication the view's code declares: a decorator other than the route's own, a FastAPI
    dependency of the route or of a parameter; None when it declares none."""
    for dec in fnode.decorator_list:
        if dec is route_call:
            continue
        name = _name(mod, dec)  # `@login_required`, `@auth.login_required`, `@jwt_required()`
        if name and _AUTH_NAME.search(name.rsplit(".", 1)[-1]):
            return name
    deps: list[ast.expr] = []
    if route_call is not None:
        for k in route_call.keywords:
            if k.arg == "dependencies" and isinstance(k.value, (ast.List, ast.Tuple)):
                deps.extend(k.value.elts)
    deps.extend(d for d in (*fnode.args.defaults, *fnode.args.kw_defaults) if d is not None)
    for d in deps:
        if isinstance(d, ast.Call) and (_name(mod, d.func) or "").rsplit(".", 1)[-1] in ("Depends", "Security"):
            target = d.args[0] if d.args else next((k.value for k in d.keywords if k.arg == "dependency"), None)
            name = _name(mod, target) if target is not None else None
            if name and _AUTH_NAME.search(name):
                return name
    return None


def route_record(
    mod: Module,
    fnode: ast.FunctionDef | ast.AsyncFunctionDef,
    method: str,
    path: str,
    line: int,
    framework: str,
    route_call: ast.Call | None = None,
) -> Route:
    return Route(method, path, Loc(mod.rel, line), fnode.name, framework, code_auth(mod, fnode, route_call))


def _name(mod: Module, node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    q = qualname(mod, node)
    if q:
        return q
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    if isinstance(node, ast.Name):
        return node.id
    return None
