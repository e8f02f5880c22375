"""Weak security code patterns in Python: calls made with an unsafe option, checks that can be bypassed.

These are pattern facts (`Weakness`), not data flows: a `jwt.decode` with the signature check switched
off is wrong whatever reaches it. Callees are matched by their qualified name after the module's
imports (`import jwt as pyjwt` → `jwt.decode`, `from jose import jwt` → `jose.jwt.decode`). Where a
pattern needs request data (an authorization decision on a header, a reflected Origin), the value is
followed syntactically through the function's own assignments back to the handler's event (or
Flask's `request`); `requestContext.authorizer` (set by API Gateway's authorizer) never counts.
Nothing here runs the scanned code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

from fnaudit.engines.code.python import ownership
from fnaudit.engines.code.python.modules import Module, qualname
from fnaudit.engines.code.python.syntax import CURRENT_REQUEST as _CURRENT_REQUEST
from fnaudit.engines.code.python.syntax import HEADER_KEYS as _HEADER_KEYS
from fnaudit.engines.code.python.syntax import REQUEST_ROOTS as _REQUEST_ROOTS
from fnaudit.engines.code.python.syntax import FuncDef as _FuncDef
from fnaudit.engines.code.python.syntax import callee_name as _callee_name
from fnaudit.engines.code.python.syntax import def_spans, unparse
from fnaudit.engines.code.reach import keep_reached
from fnaudit.engines.code.words import AUTH_HEADER as _AUTH_HEADER
from fnaudit.engines.code.words import AUTHZ_KEY as _AUTHZ_KEY
from fnaudit.engines.code.words import AUTHZ_LITERAL as _AUTHZ_LITERAL
from fnaudit.engines.code.words import BROKEN_HASHES as _BROKEN_HASHES
from fnaudit.engines.code.words import DB_URL_OFF as _DB_URL_OFF
from fnaudit.engines.code.words import LOCAL_HOSTS as _LOCAL_HOSTS
from fnaudit.engines.code.words import NOT_PASSWORD as _NOT_PASSWORD
from fnaudit.engines.code.words import SALT as _SALT
from fnaudit.engines.code.words import TWO_INPUTS as _TWO_INPUTS
from fnaudit.engines.code.words import token_only_when_present
from fnaudit.model.code import Step, Weakness
from fnaudit.model.loc import Loc

Chain = tuple[str, tuple[str, ...]]  # (root name, keys read from it: event["headers"]["Origin"] → headers, Origin)

# --- JWT ------------------------------------------------------------------------------------------
_JWT_DECODE = {"jwt.decode", "jwt.decode_complete", "jwt.api_jwt.decode", "jose.jwt.decode"}
_JWT_UNVERIFIED = {"jose.jwt.get_unverified_claims", "jwt.get_unverified_claims"}

# --- passwords ------------------------------------------------------------------------------------
_FAST_HASHES = {"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_512", "blake2b", "blake2s"}
_PASSWORD = re.compile(r"pass(word|wd|phrase)|(^|_)(pwd|pw|pass)($|_)", re.I)

# --- request data ---------------------------------------------------------------------------------
_HEADER_GETTERS = {"get_header_value"}  # Powertools event classes: `event.get_header_value("X-Role")`
_QUERY_KEYS = {"queryStringParameters", "multiValueQueryStringParameters", "args", "query_params", "cookies"}
_TRUSTED_KEYS = {"requestContext", "authorizer", "claims"}  # written by API Gateway's authorizer, not the caller
_VERIFY_CALL = re.compile(r"verify|decode|validate|authenticate|authorize|check_token|compare_digest", re.I)

# MySQL drivers that connect in clear text unless given ssl options (mysql.connector negotiates TLS by default)
_MYSQL_PLAIN = {
    "pymysql.connect",
    "pymysql.Connect",
    "pymysql.connections.Connection",
    "MySQLdb.connect",
    "aiomysql.connect",
}
_TLS_KEYWORDS = {"verify", "ssl", "verify_ssl", "ssl_disabled", "sslmode", "cert_reqs", "host"}


def extract(modules: Iterable[Module], reachable: set[int] | None = None) -> tuple[Weakness, ...]:
    """Every weakness in the modules of one function's graph, in file and line order.

    `reachable`: ids of the top-level functions and methods the handler can reach (the analyser's walk);
    a weakness inside any other function of the graph belongs to another entry point and is left out,
    so that a module shared by several functions reports its weakness once per function that runs it."""
    found: set[Weakness] = set()
    for mod in modules:
        nodes = mod.index.nodes  # enumerated once per scan: the checks below only filter this list
        here: set[Weakness] = set(_module_calls(mod, nodes))
        for fn in mod.index.of_type(ast.FunctionDef, ast.AsyncFunctionDef):
            assert isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            here.update(_Function(mod, fn).weaknesses())
        if reachable is not None:
            here = keep_reached(here, def_spans(mod), reachable)
        found.update(here)
    return tuple(sorted(found, key=lambda w: (w.loc, w.kind, w.detail)))


def _loc(mod: Module, node: ast.AST) -> Loc:
    return Loc(mod.rel, getattr(node, "lineno", 0))


def _verifies(node: ast.AST) -> bool:
    """Whether a verification call (`verify_token(...)`, `jwt.decode(...)`) stands anywhere in `node`."""
    return any(isinstance(n, ast.Call) and _VERIFY_CALL.search(_callee_name(n)) for n in ast.walk(node))


def _weak(mod: Module, kind: str, node: ast.AST, detail: str, confidence: str = "high") -> Weakness:
    loc = _loc(mod, node)
    return Weakness(kind, loc, detail, confidence, (Step(loc, detail),))


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _const(node: ast.AST | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


# --- patterns that need no request data: calls and assignments anywhere in the module ------------------------


def _module_calls(mod: Module, nodes: list[ast.AST]) -> Iterator[Weakness]:
    # docstrings and bare string statements are prose ("never use sslmode=disable"), not connection strings
    prose = {id(n.value) for n in nodes if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    for node in nodes:
        if id(node) in prose:
            continue
        if isinstance(node, ast.Call):
            yield from _transport_call(mod, node)
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "_create_unverified_context"
            and qualname(mod, node) == "ssl._create_unverified_context"
        ):
            yield _weak(mod, "transport", node, "ssl._create_unverified_context(): certificates are not verified")
        elif isinstance(node, ast.Assign):
            yield from _transport_assign(mod, node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _DB_URL_OFF.search(node.value):
            found = _DB_URL_OFF.search(node.value)
            what = found.group(0).lstrip("?&") if found else "sslmode=disable"
            yield _weak(
                mod, "transport", node, f"database connection string with {what}: the connection is not encrypted"
            )


def _transport_call(mod: Module, call: ast.Call) -> Iterator[Weakness]:
    if not any(k.arg in _TLS_KEYWORDS for k in call.keywords):  # every option below is a keyword argument
        return
    q = qualname(mod, call.func) or ""
    if q in _JWT_DECODE:
        return  # `verify=False` there is PyJWT 1.x's signature switch (jwt-not-verified)
    callee = unparse(call.func)
    if _is_false(_kw(call, "verify")):
        yield _weak(mod, "transport", call, f"{callee}(verify=False): the server's TLS certificate is not verified")
    for name in ("ssl", "verify_ssl"):
        if _is_false(_kw(call, name)) and not _local_host(call):
            yield _weak(mod, "transport", call, f"{callee}({name}=False): TLS is off or not verified")
    if _const(_kw(call, "ssl_disabled")) is True and not _local_host(call):
        yield _weak(mod, "transport", call, f"{callee}(ssl_disabled=True): the database connection is not encrypted")
    if _const(_kw(call, "sslmode")) == "disable" and not _local_host(call):
        yield _weak(mod, "transport", call, f"{callee}(sslmode='disable'): the database connection is not encrypted")
    reqs = _kw(call, "cert_reqs")
    if _const(reqs) == "CERT_NONE" or (reqs is not None and qualname(mod, reqs) == "ssl.CERT_NONE"):
        yield _weak(mod, "transport", call, f"{callee}(cert_reqs=CERT_NONE): certificates are not verified")
    if (
        q in _MYSQL_PLAIN
        and _kw(call, "host") is not None
        and not _local_host(call)
        and not any(k.arg is None or k.arg.startswith("ssl") or k.arg == "unix_socket" for k in call.keywords)
    ):  # these drivers speak TLS only when given ssl options; `**cfg` may hold them, so it is not judged
        yield _weak(
            mod,
            "transport",
            call,
            f"{callee}() to a remote host without ssl options: the MySQL connection is not encrypted",
            "medium",
        )


def _local_host(call: ast.Call) -> bool:
    """A client pointed at a literal local host: TLS off there is not a network exposure."""
    host = _const(_kw(call, "host"))
    return isinstance(host, str) and host in _LOCAL_HOSTS


def _transport_assign(mod: Module, node: ast.Assign) -> Iterator[Weakness]:
    for target in node.targets:
        if not isinstance(target, ast.Attribute):
            continue
        if target.attr == "verify" and _is_false(node.value):
            yield _weak(mod, "transport", node, f"{unparse(target)} = False: TLS certificates are not verified")
        elif target.attr == "check_hostname" and _is_false(node.value):
            yield _weak(mod, "transport", node, f"{unparse(target)} = False: the server's name is not checked")
        elif target.attr == "verify_mode" and qualname(mod, node.value) == "ssl.CERT_NONE":
            yield _weak(mod, "transport", node, f"{unparse(target)} = ssl.CERT_NONE: certificates are not verified")


# --- per function: JWT use, password handling, request-driven checks -------------------------------------------


class _Function:
    def __init__(self, mod: Module, fn: _FuncDef) -> None:
        self.mod = mod
        self.fn = fn
        args = fn.args.posonlyargs + fn.args.args
        first = [a.arg for a in args if a.arg not in ("self", "cls")][:1]
        self.event_names = {*first, *_REQUEST_ROOTS}
        self.aliases: dict[str, Chain] = {}
        self.hashers: dict[str, str] = {}  # local name → fast hash algorithm (`h = hashlib.md5()`)
        self.dicts: dict[str, ast.Dict] = {}  # local name → the dict literal assigned to it
        # chains by id of their node, once the aliases are known (the IDOR derivations ask for each node's chain
        # several times); the node is kept with its answer: an id is only unique while its node lives
        self._chains: dict[int, tuple[ast.AST, Chain | None]] | None = None
        self.nodes = self._own_nodes()
        for node in self.nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                chain = self.chain(node.value)
                if chain is not None and chain[0] != name:
                    self.aliases[name] = chain
                if isinstance(node.value, ast.Dict):
                    self.dicts[name] = node.value
                algo = self._hash_algo(node.value) if isinstance(node.value, ast.Call) else None
                if algo is not None:
                    self.hashers[name] = algo
        self._chains = {}

    def _own_nodes(self) -> list[ast.AST]:
        """The function's nodes breadth first, without those of functions nested in it (they are visited on
        their own)."""
        nodes: list[ast.AST] = list(self.fn.body)
        children = self.mod.index.children
        for node in nodes:  # the list is its own queue: it grows as it is read
            nodes.extend(c for c in children(node) if not isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef)))
        return nodes

    def weaknesses(self) -> Iterator[Weakness]:
        nodes = self.nodes
        verified = any(isinstance(n, ast.Call) and self._verifying_decode(n) for n in nodes)
        for node in nodes:
            if isinstance(node, ast.Call):
                yield from self._jwt(node, nodes, verified)
                yield from self._password_hash(node)
                yield from self._cors_call(node, nodes)
            elif isinstance(node, ast.Compare):
                yield from self._password_compare(node)
                yield from self._authz_compare(node)
            elif isinstance(node, ast.If):
                yield from self._optional_auth(node)
            elif isinstance(node, ast.Dict):
                yield from self._cors_dict(node, nodes)
            elif isinstance(node, ast.Assign):
                yield from self._cors_assign(node, nodes)
        yield from ownership.idor(self)  # records fetched by a request id with no owner check (IDOR)

    # -- request chains --

    def chain(self, node: ast.AST, depth: int = 0) -> Chain | None:
        """The root name and the keys an expression reads (`event.get("headers", {})["Origin"].lower()`)."""
        memo = self._chains
        if depth or memo is None:  # while the aliases are being collected, an answer can still change
            return self._chain(node, depth)
        hit = memo.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        found = self._chain(node, 0)
        memo[id(node)] = (node, found)
        return found

    def _chain(self, node: ast.AST, depth: int) -> Chain | None:
        if depth > 20:
            return None
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, (node.id, ()))
        if isinstance(node, ast.Subscript):
            base = self._chain(node.value, depth + 1)
            key = _const(node.slice)
            return (base[0], (*base[1], key if isinstance(key, str) else "*")) if base else None
        if isinstance(node, ast.Attribute):
            if qualname(self.mod, node) in ("flask.request.headers", "flask.request.args", "flask.request.cookies"):
                return ("request", (node.attr,))
            base = self._chain(node.value, depth + 1)
            return (base[0], (*base[1], node.attr)) if base else None
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):  # `event.get("headers") or {}`
            return self._chain(node.values[0], depth + 1)
        if isinstance(node, ast.DictComp):  # `{k.lower(): v for k, v in event["headers"].items()}`: same keys
            it = node.generators[0].iter
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr == "items":
                return self._chain(it.func.value, depth + 1)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            base = self._chain(node.func.value, depth + 1)
            if base is None:
                return None
            if node.func.attr == "get" and node.args and isinstance(_const(node.args[0]), str):
                return (base[0], (*base[1], str(_const(node.args[0]))))
            if node.func.attr in _HEADER_GETTERS and node.args and isinstance(_const(node.args[0]), str):
                return (base[0], (*base[1], "headers", str(_const(node.args[0]))))
            if node.func.attr in ("lower", "upper", "strip", "casefold") and not node.args:
                return base
        return None

    def request_part(self, chain: Chain | None) -> tuple[str, str, str] | None:
        """(`header` | `query`, the key read, confidence) for a value the caller of the request chooses."""
        if chain is None or _TRUSTED_KEYS & set(chain[1]):
            return None
        keys = chain[1]
        current = next((i for i, k in enumerate(keys) if k in _CURRENT_REQUEST), None)
        if current is not None:  # Powertools `app.current_event`, Chalice `app.current_request`: the event
            keys = keys[current + 1 :]
        elif chain[0] not in self.event_names:
            return None
        for i, k in enumerate(keys[:-1]):
            if k in _HEADER_KEYS or k in _QUERY_KEYS:
                part = "header" if k in _HEADER_KEYS else "query parameter"
                # the handler's own event parameter is certain; a conventional name (req, request) less so
                return part, keys[i + 1], "high" if chain[0] != "request" or k in ("headers", "args") else "medium"
        return None

    # -- JWT --

    def _jwt_flags(self, call: ast.Call) -> list[tuple[str, str]]:
        """What makes a decode call accept a token it never verified: (detail, confidence)."""
        q = qualname(self.mod, call.func) or ""
        if q not in _JWT_UNVERIFIED and q not in _JWT_DECODE:
            return []
        name = unparse(call.func)
        if q in _JWT_UNVERIFIED:
            return [(f"{name}() reads the claims without verifying the token", "high")]
        options = _kw(call, "options")
        if isinstance(options, ast.Name):  # `opts = {"verify_signature": False}` in the function or the module
            options = self.dicts.get(options.id) or self.mod.globals.get(options.id)
        if isinstance(options, ast.Dict):
            for k, v in zip(options.keys, options.values, strict=True):
                if k is not None and _const(k) in ("verify_signature", "verify") and _is_false(v):
                    return [(f"{name}() with options={{'{_const(k)}': False}}: the signature is not checked", "high")]
        if _is_false(_kw(call, "verify")):
            return [(f"{name}(verify=False): the signature is not checked (PyJWT 1.x)", "high")]
        algorithms = _kw(call, "algorithms") or (call.args[2] if len(call.args) > 2 else None)
        if isinstance(algorithms, (ast.List, ast.Tuple, ast.Set)):
            if any(str(_const(e)).lower() == "none" for e in algorithms.elts):
                return [(f"{name}() accepts algorithm 'none': an unsigned token passes", "high")]
        elif algorithms is None:
            return [(f"{name}() without algorithms=[...]: the token's header chooses the algorithm", "medium")]
        return []

    def _verifying_decode(self, call: ast.Call) -> bool:
        return (qualname(self.mod, call.func) or "") in _JWT_DECODE and not self._jwt_flags(call)

    def _jwt(self, call: ast.Call, nodes: list[ast.AST], verified: bool) -> Iterator[Weakness]:
        flags = self._jwt_flags(call)
        if not flags:
            return
        used = not any(isinstance(n, ast.Expr) and n.value is call for n in nodes)
        if not used or verified:  # claims read only to pick the key of a decode that verifies: fine
            return
        for detail, confidence in flags:
            yield _weak(self.mod, "jwt", call, detail, confidence)

    # -- passwords --

    def _hash_algo(self, call: ast.Call) -> str | None:
        q = qualname(self.mod, call.func) or ""
        if q.startswith("hashlib.") and q[8:] in _FAST_HASHES:
            return q[8:]
        if q == "hashlib.new" and call.args and str(_const(call.args[0])).lower() in _FAST_HASHES:
            return str(_const(call.args[0])).lower()
        return None

    def _password_hash(self, call: ast.Call) -> Iterator[Weakness]:
        algo = self._hash_algo(call)
        data = (call.args[1:2] if qualname(self.mod, call.func) == "hashlib.new" else call.args[:1]) if algo else []
        if (
            algo is None
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "update"
            and isinstance(call.func.value, ast.Name)
        ):
            algo = self.hashers.get(call.func.value.id)
            data = call.args[:1]
        if algo is None or not data:
            return
        names = _names(data[0])
        pw = [n for n in names if _is_password(n)]
        if not pw:
            return
        if algo in _BROKEN_HASHES:
            yield _weak(self.mod, "password", call, f"password `{pw[0]}` hashed with {algo}, a fast broken hash")
        elif not _salted(data[0], names):
            yield _weak(self.mod, "password", call, f"password `{pw[0]}` hashed with unsalted {algo}, a fast hash")

    def _password_compare(self, node: ast.Compare) -> Iterator[Weakness]:
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            return
        left, right = node.left, node.comparators[0]
        if any(isinstance(s, ast.Constant) or _has_call(s) for s in (left, right)):
            return
        lp = [n for n in _names(left) if _is_password(n)]
        rp = [n for n in _names(right) if _is_password(n)]
        lc, rc = self.chain(left), self.chain(right)
        stored = bool(lc and lc[1]) or bool(rc and rc[1])  # one side is a record's field, not two form inputs
        if stored and lp and rp and lc and rc and lc[0] != rc[0] and not _TWO_INPUTS.search(unparse(node)):
            yield _weak(
                self.mod,
                "password",
                node,
                f"password compared in plaintext (`{unparse(node)}`): it is stored unhashed",
                "medium",
            )

    # -- authorization --

    def _authz_compare(self, node: ast.Compare) -> Iterator[Weakness]:
        if len(node.ops) != 1:
            return
        left, right, op = node.left, node.comparators[0], node.ops[0]
        if isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
            pairs = [(left, [right]), (right, [left])]
        elif isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
            pairs = [(left, list(right.elts))]
        else:
            return
        for value, literals in pairs:
            lits = [_const(x) for x in literals]
            if not lits or not all(isinstance(x, (str, bool)) for x in lits):
                continue
            part = self.request_part(self.chain(value))
            if part is None:
                continue
            kind, key, confidence = part
            if _AUTHZ_KEY.search(key) or any(_AUTHZ_LITERAL.match(str(x)) for x in lits):
                shown = ", ".join(repr(x) for x in lits)
                yield _weak(
                    self.mod,
                    "authz",
                    node,
                    f"authorization decided by the request {kind} `{key}` compared to {shown}: the caller chooses it",
                    confidence,
                )
                return

    def _auth_header_test(self, test: ast.expr) -> str | None:
        """The header an `if` tests for presence (`"Authorization" in headers`, `headers.get("authorization")`)."""
        for node in ast.walk(test):
            if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
                return None  # `if not token: return 401` is the right shape
            if (
                isinstance(node, ast.Compare)
                and len(node.ops) == 1
                and isinstance(node.ops[0], ast.In)
                and isinstance(_const(node.left), str)
                and _AUTH_HEADER.match(str(_const(node.left)))
            ):
                chain = self.chain(node.comparators[0])
                if chain is not None and chain[0] in self.event_names and _HEADER_KEYS & set(chain[1]):
                    return str(_const(node.left))
            if isinstance(node, (ast.Call, ast.Subscript, ast.Name)):
                part = self.request_part(self.chain(node))
                if part is not None and part[0] == "header" and _AUTH_HEADER.match(part[1]):
                    return part[1]
        return None

    def _optional_auth(self, node: ast.If) -> Iterator[Weakness]:
        header = self._checked_only_when_present(node)
        if header is not None:
            yield _weak(self.mod, "authz", node, token_only_when_present(header), "medium")

    def _checked_only_when_present(self, node: ast.If) -> str | None:
        """The auth header whose token is verified only when the request sends it: `if token: verify(token)` with
        the request going on either way, or `if token and not verify(token): return 401` (a request without any
        token is never refused). None for any other `if`."""
        stops = (ast.Return, ast.Raise)
        test = node.test
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            header = next((h for v in test.values if (h := self._auth_header_test(v)) is not None), None)
            refused = any(
                isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.Not) and _verifies(v.operand) for v in test.values
            )
            return header if refused and isinstance(node.body[-1], stops) else None
        header = self._auth_header_test(test)
        if header is None or not any(_verifies(b) for b in node.body):
            return None
        ends = isinstance(node.body[-1], stops)
        else_stops = any(isinstance(n, stops) for b in node.orelse for n in ast.walk(b))
        return header if not ends and not else_stops else None

    # -- CORS --

    def _origin(self, value: ast.AST) -> bool:
        part = self.request_part(self.chain(value))
        return part is not None and part[0] == "header" and part[1].lower() == "origin"

    def _origin_checked(self, value: ast.AST, nodes: list[ast.AST]) -> bool:
        """Whether the function tests the origin it sends back (an allowlist `in`, `==`, `.endswith`, re.match)."""
        want = self.chain(value)
        for n in nodes:
            tested: list[ast.AST] = []
            if isinstance(n, ast.Compare):
                tested = [n.left, *n.comparators]
            elif isinstance(n, ast.Call):
                tested = list(n.args)
                if isinstance(n.func, ast.Attribute) and n.func.attr in (
                    "startswith",
                    "endswith",
                    "fullmatch",
                    "match",
                ):
                    tested.append(n.func.value)
            if any(self.chain(t) == want for t in tested):
                return True
        return False

    def _credentials(self, nodes: list[ast.AST]) -> bool:
        return any(
            isinstance(n, ast.Constant) and str(n.value).lower() == "access-control-allow-credentials" for n in nodes
        )

    def _reflected(self, node: ast.AST, value: ast.AST, nodes: list[ast.AST]) -> Iterator[Weakness]:
        if not self._origin(value) or self._origin_checked(value, nodes):
            return
        creds = self._credentials(nodes)
        detail = "Access-Control-Allow-Origin set to the request's Origin header without an allowlist check" + (
            ", with Access-Control-Allow-Credentials" if creds else ""
        )
        loc = _loc(self.mod, node)
        yield Weakness("cors", loc, detail, "high", (Step(loc, detail),), credentials=creds)

    def _cors_dict(self, node: ast.Dict, nodes: list[ast.AST]) -> Iterator[Weakness]:
        for k, v in zip(node.keys, node.values, strict=True):
            if k is not None and str(_const(k)).lower() == "access-control-allow-origin":
                yield from self._reflected(v, v, nodes)

    def _cors_assign(self, node: ast.Assign, nodes: list[ast.AST]) -> Iterator[Weakness]:
        for t in node.targets:
            if isinstance(t, ast.Subscript) and str(_const(t.slice)).lower() == "access-control-allow-origin":
                yield from self._reflected(node, node.value, nodes)

    def _cors_call(self, call: ast.Call, nodes: list[ast.AST]) -> Iterator[Weakness]:
        if (
            isinstance(call.func, ast.Attribute)
            and call.func.attr in ("add", "set", "setdefault", "add_header")
            and len(call.args) == 2
            and str(_const(call.args[0])).lower() == "access-control-allow-origin"
        ):
            yield from self._reflected(call, call.args[1], nodes)


def _names(node: ast.AST) -> list[str]:
    """The names an expression reads: variables, attributes and string keys (`body["password"]` → body, password)."""
    out: list[str] = []
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.append(n.id)
        elif isinstance(n, ast.Attribute) and n.attr not in ("encode", "strip", "lower", "get", "upper"):
            out.append(n.attr)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.isidentifier():
            out.append(n.value)
    return out


def _salted(node: ast.AST, names: list[str]) -> bool:
    """A salt (or pepper) named, or the password joined with something else before hashing."""
    return any(_SALT.search(n) for n in names) or any(isinstance(n, (ast.BinOp, ast.JoinedStr)) for n in ast.walk(node))


def _is_password(name: str) -> bool:
    return bool(_PASSWORD.search(name)) and not _NOT_PASSWORD.search(name)


def _has_call(node: ast.AST) -> bool:
    """A call other than a plain read (`.get`, `.strip`…): comparing what a hash function returned is not plaintext."""
    return any(
        isinstance(n, ast.Call) and not (isinstance(n.func, ast.Attribute) and n.func.attr in ("get", "strip"))
        for n in ast.walk(node)
    )
