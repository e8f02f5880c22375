"""Records fetched by a caller-chosen id with nothing tying them to the caller (IDOR), in JS / TS handlers.

The twin of `engines/code/python/ownership.py`, run per function from `weaknesses._Module`: a DynamoDB
`GetCommand` / `GetItemCommand` / `QueryCommand` / `UpdateCommand` / `DeleteCommand` (or the v2
DocumentClient `get` / `query` / `update` / `delete`, `getItem`…), an S3 `GetObjectCommand` /
`DeleteObjectCommand` (`getObject` / `deleteObject`) or a SQL `SELECT` / `UPDATE` / `DELETE … WHERE`
whose key, key condition values, S3 key or SQL parameters derive from the request's path, query string
or body, with the record returned (reads) or changed (writes), while the function never uses the
caller's identity (`requestContext.authorizer`, `requestContext.identity`, Express `req.user` /
`req.auth`, claims of a token it verifies) to scope or check it. A test on the caller's groups, role or
scopes makes it an admin route and silences it. Whether the route has an authorizer is the rule's concern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Protocol

from fnaudit.engines.code.javascript.modules import Node, string_value, text
from fnaudit.engines.code.javascript.modules import unwrap as _unwrap
from fnaudit.engines.code.javascript.syntax import call_args as _args
from fnaudit.engines.code.javascript.syntax import pair_key as _key
from fnaudit.engines.code.javascript.syntax import walk as _walk
from fnaudit.model.code import Step, Weakness
from fnaudit.model.loc import Loc

Chain = tuple[str, tuple[str, ...]]
Origin = tuple[str, int]  # (what the value holds, in words; the line it was read on)

_REQUEST_KEYS = {
    "pathParameters",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "body",
    "params",
    "query",
}
_IDENTITY_ROOTS = {"req", "request"}  # Express / Fastify: `req.user`, `req.auth` set by the auth middleware
_IDENTITY_KEYS = {"user", "auth"}
_VERIFY = re.compile(r"(^|\.)(verify|jwtVerify|verifyToken|decodeToken|getClaims)$")
_GROUP_KEY = re.compile(r"group|role|scope|^scp$|permission|admin", re.I)
_CHECK_CALL = re.compile(
    r"own|authori[sz]|authz|permi|access|allow|^can[A-Z_]|check|assert|ensure|belongs|require|guard|group|role|admin",
    re.I,
)
_OWNER_WORD = re.compile(r"owner|user|sub\b|tenant|account|customer|author|creator", re.I)
_SQL = re.compile(r"^\s*(select|update|delete)\b.*\bwhere\b", re.I | re.S)
_ID = re.compile(r"id$|key$|uuid|slug|file|path", re.I)

# operation → (what it touches, write?, verb)
_COMMANDS = {
    "GetCommand": ("DynamoDB record", False),
    "GetItemCommand": ("DynamoDB record", False),
    "QueryCommand": ("DynamoDB record", False),
    "UpdateCommand": ("DynamoDB record", True),
    "UpdateItemCommand": ("DynamoDB record", True),
    "DeleteCommand": ("DynamoDB record", True),
    "DeleteItemCommand": ("DynamoDB record", True),
    "GetObjectCommand": ("S3 object", False),
    "DeleteObjectCommand": ("S3 object", True),
}
_METHODS = {
    "get": ("DynamoDB record", False),
    "getItem": ("DynamoDB record", False),
    "query": ("DynamoDB record", False),
    "update": ("DynamoDB record", True),
    "updateItem": ("DynamoDB record", True),
    "delete": ("DynamoDB record", True),
    "deleteItem": ("DynamoDB record", True),
    "getObject": ("S3 object", False),
    "deleteObject": ("S3 object", True),
}
_SQL_CALLS = {"query", "execute"}
_NAMES = ("identifier", "shorthand_property_identifier")  # `{ id }` in an object literal reads `id`
# Express / Fastify `res.json(item)`, `res.status(200).send(item)`: the record goes back too
_RESPONDERS = {"json", "send", "end", "jsonp"}


class FunctionView(Protocol):
    """What this module needs from `weaknesses._Function` (a protocol: no import cycle)."""

    scope: Node
    event_names: set[str]

    def chain(self, node: Node | None, depth: int = 0) -> Chain | None: ...

    def subtree(self, node: Node) -> list[Node]: ...


def idor(rel: str, view: FunctionView, qual: Callable[[Node | None], str]) -> Iterator[Weakness]:
    """The function's record reads / writes by a request id that nothing ties to the caller."""
    ctx = _Context(rel, view, qual)
    found = [w for n in ctx.calls if (w := ctx.record_access(n)) is not None]
    # the caller's identity is derived only now: most functions stop above, with no record keyed by the request
    if found and not ctx.admin_only() and not ctx.identity_checked():
        yield from found


def record_call(n: Node) -> bool:
    """A call that may read or change a record (`new GetCommand(…)`, `db.query(params)`, `pool.query("SELECT…")`):
    `idor` runs only on the functions around one (a bundle has thousands of functions)."""
    if n.type == "new_expression":
        return text(n.child_by_field_name("constructor")).rsplit(".", 1)[-1] in _COMMANDS
    if n.type != "call_expression":
        return False
    callee = n.child_by_field_name("function")
    if callee is None or callee.type != "member_expression":
        return False
    if text(callee.child_by_field_name("property")) not in _METHODS.keys() | _SQL_CALLS:
        return False
    args = _args(n)  # `params` / `{ TableName, Key }` / `"SELECT …"`, not `map.get(k)`'s usual `"k"`
    return bool(args) and args[0].type in ("object", "identifier", "string", "template_string")


def _same(a: Node, b: Node) -> bool:
    return (a.start_byte, a.end_byte, a.type) == (b.start_byte, b.end_byte, b.type)


def _line(node: Node) -> int:
    return node.start_point[0] + 1


def _bound_names(target: Node) -> list[tuple[str, str]]:
    """(name, the key it is read from) for each name a declaration or assignment binds: `x` → (x, ''),
    `{ Item }` → (Item, Item), `{ a: b }` → (b, a), `[rows]` → (rows, '')."""
    if target.type == "identifier":
        return [(text(target), "")]
    out = []
    for n in _walk(target):
        if n.type == "shorthand_property_identifier_pattern":
            out.append((text(n), text(n)))
        elif n.type == "pair_pattern" and (v := n.child_by_field_name("value")) is not None and v.type == "identifier":
            out.append((text(v), _key(n)))
        elif (
            n.type == "identifier" and n.parent is not None and n.parent.type in ("array_pattern", "assignment_pattern")
        ):
            out.append((text(n), ""))
    return out


class _Context:
    def __init__(self, rel: str, view: FunctionView, qual: Callable[[Node | None], str]) -> None:
        self.rel = rel
        self.view = view
        self.qual = qual
        nodes = view.subtree(view.scope)
        self.nodes = nodes
        self.calls = [n for n in nodes if n.type in ("call_expression", "new_expression")]
        self.binds: list[tuple[list[tuple[str, str]], Node]] = []  # ((name, key read) bound, the value), in order
        self.values: list[list[Node]] = []  # the nodes of each bound value (`walk` order)
        self._chains: dict[Node, Chain | None] = {}  # `view.chain` of a node (the view's aliases are fixed)
        self.objects: dict[str, Node] = {}  # `const params = { TableName, Key }`: the object literal
        self.strings: dict[str, str] = {}
        for n in nodes:
            if n.type == "variable_declarator":
                name, value = n.child_by_field_name("name"), _unwrap(n.child_by_field_name("value"))
            elif n.type == "assignment_expression":
                name, value = n.child_by_field_name("left"), _unwrap(n.child_by_field_name("right"))
            else:
                continue
            if name is None or value is None:
                continue
            self.binds.append((_bound_names(name), value))
            self.values.append(view.subtree(value))  # walked by `_derive` six times over: walked once
            if name.type == "identifier" and value.type == "object":
                self.objects[text(name)] = value
            elif name.type == "identifier" and (literal := string_value(value)) is not None:
                self.strings[text(name)] = literal  # `const sql = "SELECT …"`
        self.request = self._derive(self._request_seed)

    @cached_property
    def identity(self) -> dict[str, Origin]:
        """Local names holding the caller's identity (a claim, the claims, a verified token's payload)."""
        return self._derive(lambda n: ("caller", _line(n)) if self._identity_seed(n) else None)

    @cached_property
    def groups(self) -> dict[str, Origin]:
        """Local names holding the caller's groups, role or scopes."""
        return self._derive(lambda n: ("groups", _line(n)) if self._group_seed(n) else None)

    # -- what a value derives from --

    def _derive(self, seed: Callable[[Node], Origin | None]) -> dict[str, Origin]:
        derived: dict[str, Origin] = {}
        for _ in range(2):
            for (names, value), nodes in zip(self.binds, self.values, strict=True):
                origin = self._origin(value, seed, derived, nodes)
                if origin is None:
                    continue
                for name, key in names:
                    path = f"{origin[0]}.{key}" if key and not origin[0].endswith(f".{key}") else origin[0]
                    derived.setdefault(name, (path, origin[1] or _line(value)))
        return derived

    def _origin(
        self,
        expr: Node,
        seed: Callable[[Node], Origin | None],
        derived: dict[str, Origin],
        nodes: list[Node] | None = None,
    ) -> Origin | None:
        """`nodes`: `expr`'s own, when the caller has them."""
        for n in (
            nodes if nodes is not None else self.view.subtree(expr)
        ):  # outermost first: the longest read names the field
            if n.type in _NAMES and text(n) in derived:
                return derived[text(n)]
            if n.type in ("member_expression", "subscript_expression"):
                obj = _unwrap(n.child_by_field_name("object"))
                if obj is not None and obj.type == "identifier" and text(obj) in derived:
                    prop = n.child_by_field_name("property") or n.child_by_field_name("index")
                    key = text(prop) if n.type == "member_expression" else string_value(prop)
                    path, line = derived[text(obj)]
                    return (f"{path}.{key}" if key else path), line
            hit = seed(n)
            if hit is not None:
                return hit
        return None

    def _chain(self, node: Node) -> Chain | None:
        if node.type not in ("member_expression", "subscript_expression", "call_expression", "identifier"):
            return None
        # every seed asks, for every node of every bound value, in each pass of each derivation: asked once
        if node in self._chains:
            return self._chains[node]
        chain = self._chains[node] = self.view.chain(node)
        return chain

    def _request_seed(self, node: Node) -> Origin | None:
        chain = self._chain(node)
        if chain is None or chain[0] not in self.view.event_names or _trusted(chain):
            return None
        keys = chain[1]
        start = next((i for i, k in enumerate(keys) if k in _REQUEST_KEYS), None)
        if start is None:
            return None
        return ".".join(k for k in keys[start:] if k != "*"), _line(node)

    def _identity_seed(self, node: Node) -> bool:
        chain = self._chain(node)
        if chain is not None and _trusted(chain):
            return not _GROUP_KEY.search(chain[1][-1] if chain[1] else "")
        if node.type == "call_expression":  # claims of a token the code verifies itself
            callee = node.child_by_field_name("function")
            return bool(_VERIFY.search(self.qual(callee) or text(callee)))
        return False

    def _group_seed(self, node: Node) -> bool:
        chain = self._chain(node)
        return chain is not None and _trusted(chain) and any(_GROUP_KEY.search(k) for k in chain[1])

    def _uses(self, expr: Node, names: dict[str, Origin], seed: Callable[[Node], bool]) -> bool:
        return any((n.type in _NAMES and text(n) in names) or seed(n) for n in self.view.subtree(expr))

    def _caller(self, expr: Node) -> bool:
        return self._uses(expr, self.identity, self._identity_seed)

    # -- what silences the function as a whole --

    def admin_only(self) -> bool:
        for n in self.nodes:
            if n.type in ("if_statement", "ternary_expression", "while_statement"):
                cond = n.child_by_field_name("condition")
                if cond is not None and self._uses(cond, self.groups, self._group_seed):
                    return True
        return False

    def identity_checked(self) -> bool:
        literal = ("string", "number", "true", "false", "null", "undefined", "template_string")
        for n in self.nodes:
            if n.type == "binary_expression" and text(n.child_by_field_name("operator")) in ("===", "==", "!==", "!="):
                sides = [_unwrap(n.child_by_field_name(s)) for s in ("left", "right")]
                sides_ok = [s for s in sides if s is not None]
                others = [s for s in sides_ok if not self._caller(s)]
                if len(others) < len(sides_ok) and not all(s.type in literal for s in others):
                    return True
            elif n.type == "call_expression":
                callee = n.child_by_field_name("function")
                name = text(callee.child_by_field_name("property")) if callee is not None else ""
                name = name or text(callee)
                if _CHECK_CALL.search(name) and any(self._caller(a) for a in _args(n)):
                    return True
        return False

    # -- the record access --

    def _object(self, node: Node | None) -> Node | None:
        node = _unwrap(node)
        if node is not None and node.type == "identifier":
            return self.objects.get(text(node))
        return node if node is not None and node.type == "object" else None

    def record_access(self, call: Node) -> Weakness | None:
        callee = _unwrap(call.child_by_field_name("constructor" if call.type == "new_expression" else "function"))
        if callee is None:
            return None
        args = _args(call)
        if call.type == "new_expression":
            op = text(callee).rsplit(".", 1)[-1]
            spec = _COMMANDS.get(op)
        elif callee.type == "member_expression":
            op = text(callee.child_by_field_name("property"))
            spec = _METHODS.get(op)
            sql = string_value(args[0]) or self.strings.get(text(args[0]), "") if args else ""
            if op in _SQL_CALLS and len(args) >= 2 and sql and _SQL.match(sql):
                return self._sql(call, callee, args, sql)
        else:
            return None
        if spec is None or not args:
            return None
        params = self._object(args[0])
        if params is None:
            return None
        pairs = {_key(p): p.child_by_field_name("value") for p in params.named_children if p.type == "pair"}
        if not ({"TableName", "Bucket"} & set(pairs)):
            return None
        condition = pairs.get("ConditionExpression")
        if condition is not None and _OWNER_WORD.search(string_value(condition) or text(condition)):
            return None
        keyed = [v for k in ("Key", "KeyConditionExpression", "ExpressionAttributeValues") if (v := pairs.get(k))]
        if op in ("query", "QueryCommand") and "KeyConditionExpression" not in pairs:
            return None
        what, write = spec
        shown = f"new {text(callee)}" if call.type == "new_expression" else text(callee)
        return self._found(call, shown, keyed, what, write, op, [v for v in pairs.values() if v is not None])

    def _sql(self, call: Node, callee: Node, args: list[Node], sql: str) -> Weakness | None:
        write = not sql.lstrip().lower().startswith("select")
        op = sql.lstrip().split(None, 1)[0].lower()
        return self._found(call, text(callee), [args[1]], "SQL row", write, op, [args[1]])

    def _found(
        self, call: Node, callee: str, keyed: list[Node], what: str, write: bool, op: str, scoped: list[Node]
    ) -> Weakness | None:
        """The weakness of a record call keyed by `keyed`, unless the caller's identity is among `scoped`
        (the key, the key condition, the filter, the SQL parameters) or the record read never goes back."""
        parts = [p for k in keyed for p in _parts(k)]
        found = [o for p in parts if (o := self._origin(p, self._request_seed, self.request))]
        if not found:
            return None
        source = next((o for o in found if _ID.search(o[0].rsplit(".", 1)[-1])), found[0])
        returned = None if write else self._returned(call)
        if not write and returned is None:
            return None
        if any(self._caller(v) for v in scoped):
            return None
        verb = "reads" if not write else ("deletes" if op.lower().startswith("delete") else "updates")
        path, line = source
        article = "an" if what[0] in "AEIOSU" else "a"
        tail = "" if write else ", and returns it"
        detail = (
            f"{callee}() {verb} {article} {what} by `{path}`, which the caller chooses{tail}; nothing in the "
            "function ties the record to the caller (no claim in the key, no owner comparison)"
        )
        at = _line(call)
        steps = [Step(Loc(self.rel, line), f"`{path}` read from the request")] if line and line != at else []
        steps.append(Step(Loc(self.rel, at), f"{callee}() {verb} the {what} it names"))
        if returned is not None:
            steps.append(Step(Loc(self.rel, returned), "returned to the caller"))
        return Weakness("idor-write" if write else "idor", Loc(self.rel, at), detail, "medium", tuple(steps))

    def _returned(self, call: Node) -> int | None:
        def seed(n: Node) -> Origin | None:
            return ("result", _line(n)) if _same(n, call) else None

        result = self._derive(seed)
        for n in self.nodes:
            value: Node | None = None
            if n.type == "return_statement":
                value = n.named_children[0] if n.named_children else None
            elif n.type == "assignment_expression" and text(n.child_by_field_name("left")) in ("ctx.body", "this.body"):
                value = n.child_by_field_name("right")  # Koa: the response body
            elif n.type == "arrow_function" and (body := n.child_by_field_name("body")) is not None:
                value = body if body.type != "statement_block" else None
            elif n.type == "call_expression":
                callee = _unwrap(n.child_by_field_name("function"))
                if (
                    callee is not None
                    and callee.type == "member_expression"
                    and text(callee.child_by_field_name("property")) in _RESPONDERS
                    and re.match(r"(res|response|reply)\b", text(callee.child_by_field_name("object")))
                    and _args(n)
                ):
                    value = _args(n)[0]
            if value is not None and self._origin(value, seed, result) is not None:
                return _line(n)
        return None


def _parts(node: Node) -> list[Node]:
    """The elements of a parameter array or the values of a key object, else the node itself."""
    node = _unwrap(node) or node
    if node.type == "array":
        return list(node.named_children)
    if node.type == "object":
        out = []
        for p in node.named_children:
            if p.type == "pair" and (v := p.child_by_field_name("value")) is not None:
                out.append(v)
            elif p.type == "shorthand_property_identifier":
                out.append(p)
        return out
    return [node]


def _trusted(chain: Chain) -> bool:
    """The caller's verified identity (API Gateway's authorizer, IAM, an auth middleware), not the caller's input."""
    root, keys = chain
    return (
        "authorizer" in keys
        or ("requestContext" in keys and "identity" in keys)
        or (root in _IDENTITY_ROOTS and bool(keys) and keys[0] in _IDENTITY_KEYS)
        or (root == "ctx" and keys[:2] == ("state", "user"))  # Koa: the auth middleware's `ctx.state.user`
    )
