"""Records fetched by a caller-chosen id with nothing tying them to the caller (IDOR), in Python handlers.

A heuristic over one function's own statements, run from `weaknesses._Function`: a DynamoDB
`get_item` / `query` / `update_item` / `delete_item`, an S3 `get_object` / `delete_object` or a SQL
`SELECT` / `UPDATE` / `DELETE … WHERE` whose key (key condition values, S3 key, SQL parameters) is
derived from the request's path, query string or body, with the record returned to the caller (reads)
or changed (writes), while the function never uses the caller's identity (the authorizer's claims in
`requestContext.authorizer`, `requestContext.identity`, or claims the code verified itself) to scope
or check it: no identity in the call's arguments, no comparison of an identity value with anything
but a constant, no identity passed to a check helper (`check_owner(item, user)`), no owner
`ConditionExpression`. A test on the caller's groups / role / scopes makes the function an admin
route, where reading any record is the point, and silences it. Whether the route has an authorizer
at all is the rule's concern (the IaC), not this module's.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Protocol

from fnaudit.engines.code.python.modules import Module
from fnaudit.engines.code.python.syntax import unparse
from fnaudit.model.code import Step, Weakness
from fnaudit.model.loc import Loc

Chain = tuple[str, tuple[str, ...]]

_REQUEST_KEYS = {
    "pathParameters",
    "path_parameters",
    "queryStringParameters",
    "query_string_parameters",
    "multiValueQueryStringParameters",
    "body",
    "json_body",
    # web frameworks: Flask `request.args / json / get_json() / form / values / view_args`, Starlette
    # `request.query_params / path_params`, Chalice `current_request.uri_params / query_params`
    "args",
    "json",
    "get_json",
    "form",
    "values",
    "view_args",
    "query_params",
    "path_params",
    "uri_params",
}
_CURRENT = {"current_event", "current_request"}  # Powertools / Chalice: the event being handled
_ROUTE_VAR = re.compile(r"[<{](?:[^:<>{}]+:)?(\w+)[>}]")  # `/orders/<int:order_id>`, `/orders/{order_id}`
_DEPENDS = {"Depends", "Security"}  # FastAPI: `user: User = Depends(current_user)` is the authenticated caller
_IDENTITY_ROOTS = {"current_user"}  # Flask-Login

# a token verified by the code: `jwt.decode(...)`, `jose.jwt.decode`, `verify_token(...)`; not `raw.decode()` of bytes
_IDENTITY_SEEDS = re.compile(
    r"(jwt|jose|jws|token|verifier)\w*\.(decode|verify)\w*$|(^|\.)(verify|decode)_?(token|jwt|id_token)$|get_claims$",
    re.I,
)
_GROUP_KEY = re.compile(r"group|role|scope|^scp$|permission|admin", re.I)
_CHECK_CALL = re.compile(
    r"own|authori[sz]|authz|permi|access|allow|can_|check|verify|assert|ensure|belongs|require|guard|group|role|admin",
    re.I,
)
# `@admin_required`, `@requires_group("admins")`: an admin route (`@login_required` only authenticates)
_ADMIN_DECORATOR = re.compile(r"admin|group|role|permission|scope|staff|superuser", re.I)
_OWNER_WORD = re.compile(r"owner|user|sub\b|tenant|account|customer|author|creator", re.I)
_SQL = re.compile(r"^\s*(select|update|delete)\b.*\bwhere\b", re.I | re.S)

_DYNAMO_READ = {"get_item", "query"}
_DYNAMO_WRITE = {"update_item", "delete_item"}
_S3_READ = {"get_object"}
_S3_WRITE = {"delete_object"}
_SQL_CALLS = {"execute"}
_FETCH = {"fetchone", "fetchall", "fetchmany"}
_OPS = _DYNAMO_READ | _DYNAMO_WRITE | _S3_READ | _S3_WRITE | _SQL_CALLS
_ID = re.compile(r"id$|key$|uuid|slug|file|path", re.I)


class FunctionView(Protocol):
    """What this module needs from `weaknesses._Function` (kept as a protocol: no import cycle)."""

    mod: Module
    fn: ast.FunctionDef | ast.AsyncFunctionDef
    nodes: list[ast.AST]
    event_names: set[str]

    def chain(self, node: ast.AST, depth: int = 0) -> Chain | None: ...


def idor(view: FunctionView) -> Iterator[Weakness]:
    """The function's record reads / writes by a request id that nothing ties to the caller."""
    if not any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _OPS for n in view.nodes
    ):
        return  # the common case, decided without the derivations below
    ctx = _Context(view)
    found = [w for n in view.nodes if isinstance(n, ast.Call) and (w := ctx.record_access(n)) is not None]
    # the caller's identity is derived only now: most functions stop above, with no record keyed by the request
    if found and not ctx.admin_only() and not ctx.identity_checked():
        yield from found


class _Context:
    def __init__(self, view: FunctionView) -> None:
        self.view = view
        self.assigns = sorted(
            (n for n in view.nodes if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None),
            key=lambda n: (n.lineno, n.col_offset),
        )
        self.request = self._derive(self._request_seed, self._route_params())

    @cached_property
    def identity(self) -> dict[str, tuple[str, int]]:
        """Local names holding the caller's identity (a claim, the claims, a verified token's payload)."""
        return self._derive(
            lambda n: ("caller", getattr(n, "lineno", 0)) if self._identity_seed(n) else None, self._dependencies()
        )

    @cached_property
    def groups(self) -> dict[str, tuple[str, int]]:
        """Local names holding the caller's groups, role or scopes."""
        return self._derive(lambda n: ("groups", getattr(n, "lineno", 0)) if self._group_seed(n) else None)

    # -- what a value derives from --

    def _derive(
        self, seed: Callable[[ast.AST], tuple[str, int] | None], known: dict[str, tuple[str, int]] | None = None
    ) -> dict[str, tuple[str, int]]:
        """Local names whose value derives (through the function's own assignments) from `seed`'s values, or
        from the `known` names (parameters): name → (what it holds, in words, the line it was read on)."""
        derived: dict[str, tuple[str, int]] = dict(known or {})
        for _ in range(2):  # a second pass picks up names assigned before their source in a loop body
            known_before = len(derived)
            for a in self.assigns:
                value = a.value
                assert value is not None
                origin = self._origin(value, seed, derived)
                if origin is None:
                    continue
                targets = a.targets if isinstance(a, ast.Assign) else [a.target]
                for t in targets:
                    for n in self.view.mod.index.walk(t):
                        if isinstance(n, ast.Name) and n.id not in derived:
                            derived[n.id] = (origin[0], origin[1] if origin[1] else a.lineno)
            if len(derived) == known_before:
                break  # nothing new (names are only ever added): a second pass would find exactly the same
        return derived

    def _origin(
        self,
        expr: ast.AST,
        seed: Callable[[ast.AST], tuple[str, int] | None],
        derived: dict[str, tuple[str, int]],
    ) -> tuple[str, int] | None:
        for n in self.view.mod.index.walk(expr):  # breadth first: the outermost read names the longest path
            if isinstance(n, ast.Name) and n.id in derived:
                return derived[n.id]
            inner, key = _keyed(n)
            if isinstance(inner, ast.Name) and inner.id in derived and key:  # `body["orderId"]`: say which field
                path, line = derived[inner.id]
                return f"{path}.{key}", line
            hit = seed(n)
            if hit is not None:
                return hit
        return None

    def _params(self) -> list[tuple[ast.arg, ast.expr | None]]:
        """The function's parameters with their defaults."""
        a = self.view.fn.args
        positional = [*a.posonlyargs, *a.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
        return [*zip(positional, defaults, strict=True), *zip(a.kwonlyargs, a.kw_defaults, strict=True)]

    def _route_params(self) -> dict[str, tuple[str, int]]:
        """Parameters a route decorator fills from the URL (`@app.get("/orders/<order_id>")`: `order_id`)."""
        out: dict[str, tuple[str, int]] = {}
        names = {p.arg for p, _ in self._params()}
        for d in self.view.fn.decorator_list:
            if isinstance(d, ast.Call) and d.args and isinstance(d.args[0], ast.Constant):
                route = d.args[0].value
                if isinstance(route, str):
                    for var in _ROUTE_VAR.findall(route):
                        if var in names:
                            out[var] = (f"{var}", d.lineno)  # the URL variable of {route}
        return out

    def _dependencies(self) -> dict[str, tuple[str, int]]:
        """FastAPI parameters resolved by `Depends(...)` / `Security(...)`: the authenticated caller."""
        out: dict[str, tuple[str, int]] = {}
        for p, default in self._params():
            if isinstance(default, ast.Call) and _callee(default).rsplit(".", 1)[-1] in _DEPENDS:
                out[p.arg] = ("caller", p.lineno)
        return out

    def _request_seed(self, node: ast.AST) -> tuple[str, int] | None:
        if not isinstance(node, (ast.Subscript, ast.Attribute, ast.Call, ast.Name)):
            return None
        chain = self.view.chain(node)
        if chain is None or _trusted(chain):
            return None
        keys = chain[1]
        current = next((i for i, k in enumerate(keys) if k in _CURRENT), None)
        if current is not None:
            keys = keys[current + 1 :]
        elif chain[0] not in self.view.event_names:
            return None
        start = next((i for i, k in enumerate(keys) if k in _REQUEST_KEYS), None)
        if start is None:
            return None
        path = ".".join("json" if k == "get_json" else k for k in keys[start:] if k != "*")
        return path, getattr(node, "lineno", 0)

    def _identity_chain(self, node: ast.AST) -> Chain | None:
        if not isinstance(node, (ast.Subscript, ast.Attribute, ast.Call, ast.Name)):
            return None
        chain = self.view.chain(node)
        return chain if chain is not None and _trusted(chain) else None

    def _identity_seed(self, node: ast.AST) -> bool:
        chain = self._identity_chain(node)
        if chain is not None:
            return not _GROUP_KEY.search(chain[1][-1] if chain[1] else "")
        # claims of a token the code verifies itself (`claims = jwt.decode(token, key, algorithms=[…])`)
        return isinstance(node, ast.Call) and bool(_IDENTITY_SEEDS.search(_callee(node)))

    def _group_seed(self, node: ast.AST) -> bool:
        chain = self._identity_chain(node)
        return chain is not None and any(_GROUP_KEY.search(k) for k in chain[1])

    def _uses(self, expr: ast.AST, names: dict[str, tuple[str, int]], seed: Callable[[ast.AST], bool]) -> bool:
        return any((isinstance(n, ast.Name) and n.id in names) or seed(n) for n in self.view.mod.index.walk(expr))

    def _caller(self, expr: ast.AST) -> bool:
        return self._uses(expr, self.identity, self._identity_seed)

    # -- what silences the function as a whole --

    def admin_only(self) -> bool:
        """A test on the caller's groups, role or scopes: an admin route, where any record may be read."""
        if any(_ADMIN_DECORATOR.search(unparse(d)) for d in self.view.fn.decorator_list):
            return True
        for node in self.view.nodes:
            test = node.test if isinstance(node, (ast.If, ast.IfExp, ast.Assert, ast.While)) else None
            if test is not None and self._uses(test, self.groups, self._group_seed):
                return True
        return False

    def identity_checked(self) -> bool:
        """The caller's identity compared with a value (a record's owner), or handed to a check helper."""
        for node in self.view.nodes:
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(self._caller(s) for s in sides) and not all(
                    isinstance(s, ast.Constant) for s in sides if not self._caller(s)
                ):
                    return True
            elif (
                isinstance(node, ast.Call)
                and _CHECK_CALL.search(_callee(node))
                and any(self._caller(a) for a in (*node.args, *(k.value for k in node.keywords)))
            ):
                return True
        return False

    # -- the record access --

    def record_access(self, call: ast.Call) -> Weakness | None:
        if not isinstance(call.func, ast.Attribute):
            return None
        op = call.func.attr
        what: str | None = None
        keyed: list[ast.AST] = []
        write = False
        if op in _DYNAMO_READ | _DYNAMO_WRITE:
            condition = _kw(call, "ConditionExpression")
            if condition is not None and _OWNER_WORD.search(_text(condition)):
                return None
            keyed = [v for k in ("Key", "KeyConditionExpression", "ExpressionAttributeValues") if (v := _kw(call, k))]
            if op == "query" and _kw(call, "KeyConditionExpression") is None:
                return None
            what, write = "DynamoDB record", op in _DYNAMO_WRITE
        elif op in _S3_READ | _S3_WRITE and _kw(call, "Bucket") is not None:
            keyed = [v for v in (_kw(call, "Key"),) if v is not None]
            what, write = "S3 object", op in _S3_WRITE
        elif op in _SQL_CALLS and len(call.args) >= 2:
            sql = self._string(call.args[0])
            statement = _SQL.match(sql) if sql is not None else None
            if statement is None:
                return None
            keyed = [call.args[1]]
            what, write = "SQL row", statement.group(1).lower() != "select"
        if what is None or not keyed:
            return None
        parts = [e for k in keyed for e in _parts(k)]
        found = [o for p in parts if (o := self._origin(p, self._request_seed, self.request))]
        if not found:
            return None
        # `SET name = %s WHERE id = %s`: the value that names the record is the id-like one
        source = next((o for o in found if _ID.search(o[0].rsplit(".", 1)[-1])), found[0])
        verb = self._verb(op, call, write)
        returned = None if write else self._returned(call)
        if not write and returned is None:
            return None  # read and kept to itself: nothing of it reaches the caller
        if any(self._caller(a) for a in (*call.args, *(k.value for k in call.keywords))):
            return None  # the caller's identity is in the key, the key condition, the filter or the SQL parameters
        return self._weakness(call, what, verb, source, returned, write)

    def _verb(self, op: str, call: ast.Call, write: bool) -> str:
        if not write:
            return "reads"
        if op in ("delete_item", "delete_object"):
            return "deletes"
        sql = self._string(call.args[0]) if call.args else None
        return "deletes" if sql is not None and sql.lstrip().lower().startswith("delete") else "updates"

    def _string(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):  # `sql = "SELECT …"` in the function or the module
            for a in self.assigns:
                if isinstance(a, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id for t in a.targets):
                    return self._string(a.value) if not isinstance(a.value, ast.Name) else None
            value = self.view.mod.globals.get(node.id)
            return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
        return None

    def _returned(self, call: ast.Call) -> int | None:
        """The line of a `return` that hands the call's result (or what is read from it) back, if any."""
        receiver = unparse(call.func.value) if isinstance(call.func, ast.Attribute) else ""

        def seed(n: ast.AST) -> tuple[str, int] | None:
            if n is call:
                return ("result", call.lineno)
            if (  # `cur.execute(sql, args)` then `cur.fetchone()`
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr in _FETCH
                and unparse(n.func.value) == receiver
            ):
                return ("result", n.lineno)
            return None

        result = self._derive(seed)
        for node in self.view.nodes:
            if (
                isinstance(node, ast.Return)
                and node.value is not None
                and self._origin(node.value, seed, result) is not None
            ):
                return node.lineno
        return None

    def _weakness(
        self, call: ast.Call, what: str, verb: str, source: tuple[str, int], returned: int | None, write: bool
    ) -> Weakness:
        rel = self.view.mod.rel
        path, line = source
        callee = unparse(call.func)
        tail = "" if write else ", and returns it"
        article = "an" if what[0] in "AEIOSU" else "a"
        detail = (
            f"{callee}() {verb} {article} {what} by `{path}`, which the caller chooses{tail}; nothing in the "
            "function ties the record to the caller (no claim in the key, no owner comparison)"
        )
        steps = [Step(Loc(rel, line), f"`{path}` read from the request")] if line and line != call.lineno else []
        steps.append(Step(Loc(rel, call.lineno), f"{callee}() {verb} the {what} it names"))
        if returned is not None:
            steps.append(Step(Loc(rel, returned), "returned to the caller"))
        return Weakness("idor-write" if write else "idor", Loc(rel, call.lineno), detail, "medium", tuple(steps))


def _trusted(chain: Chain) -> bool:
    """Set by API Gateway from the authorizer (or IAM): the caller's verified identity, not the caller's input."""
    root, keys = chain
    return (
        any("authorizer" in k.lower() for k in keys)  # also WSGI / ASGI `environ["serverless.authorizer"]`
        or ("identity" in keys and bool({"requestContext", "request_context"} & set(keys)))
        or root in _IDENTITY_ROOTS
        or (root in ("g", "request") and keys[:1] == ("user",))  # Flask `g.user`, Django `request.user`
    )


def _parts(node: ast.AST) -> list[ast.AST]:
    """The elements of a parameter tuple / list or the values of a key dict, else the node itself."""
    if isinstance(node, (ast.Tuple, ast.List)):
        return list(node.elts)
    if isinstance(node, ast.Dict):
        return list(node.values)
    return [node]


def _keyed(node: ast.AST) -> tuple[ast.AST | None, str]:
    """(the object, the constant key) of `obj["k"]` or `obj.get("k")`; (None, "") otherwise."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.value, node.slice.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.func.value, node.args[0].value
    return None, ""


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _text(node: ast.AST) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else unparse(node)


def _callee(call: ast.Call) -> str:
    return unparse(call.func)
