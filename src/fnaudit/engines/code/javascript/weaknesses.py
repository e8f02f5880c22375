"""Weak security code patterns in JavaScript / TypeScript (the `Weakness` facts; see the Python twin).

Callees are matched by qualified name after `require` / `import` resolution, including requires
written inside a function (`const jwt = require('jsonwebtoken')` → `jsonwebtoken.decode`). Request
values are followed syntactically through the enclosing function's declarations (`const { origin } =
event.headers`) back to its first parameter or a conventional request name (`event`, `req`, `ctx`);
`requestContext.authorizer` values are the authorizer's, never the caller's. Nothing here runs code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TypeGuard

from fnaudit.engines.code.javascript import ownership
from fnaudit.engines.code.javascript.modules import JsModule, Node, string_value, text
from fnaudit.engines.code.javascript.modules import unwrap as _unwrap
from fnaudit.engines.code.javascript.syntax import HEADER_KEYS as _HEADER_KEYS
from fnaudit.engines.code.javascript.syntax import REQUEST_ROOTS as _REQUEST_ROOTS
from fnaudit.engines.code.javascript.syntax import call_args as _args
from fnaudit.engines.code.javascript.syntax import callee_name as _callee_name
from fnaudit.engines.code.javascript.syntax import enclosing, function_spans, local_requires, qualified
from fnaudit.engines.code.javascript.syntax import pair_key as _key
from fnaudit.engines.code.javascript.syntax import walk as _walk
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

Chain = tuple[str, tuple[str, ...]]

_JWT_DECODE = {"jsonwebtoken.decode", "jose.decodeJwt", "jwt-decode", "jwt-decode.jwtDecode", "jwt-decode.default"}
_JWT_VERIFY = {"jsonwebtoken.verify", "jose.jwtVerify"}
_CRYPTO = {"crypto", "node:crypto"}
_FAST_HASHES = {"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3-256", "sha3-512"}
_PASSWORD = re.compile(r"pass(word|wd|phrase)|(^|_)(pwd|pw|pass)($|_)|^(pwd|pw|pass)[A-Z]", re.I)
_QUERY_KEYS = {"queryStringParameters", "multiValueQueryStringParameters", "query", "cookies"}
_TRUSTED_KEYS = {"requestContext", "authorizer", "claims", "user", "auth"}
_VERIFY_CALL = re.compile(r"verify|decode|validate|authenticate|authorize|checkToken", re.I)
_MYSQL_PACKAGES = {"mysql", "mysql2", "mysql2/promise"}  # no TLS unless `ssl` is given
_MYSQL_FACTORIES = {"createConnection", "createPool", "createPoolCluster"}
_HEADER_SETTERS = {"setHeader", "header", "set", "append", "setHeaders"}
_ALLOWLIST_CALLS = {"includes", "has", "indexOf", "test", "some", "find", "startsWith", "endsWith", "match"}
_STOPS = ("return_statement", "throw_statement")


def extract(modules: Iterable[JsModule], reachable: set[tuple[str, int]] | None = None) -> tuple[Weakness, ...]:
    """Every weakness in the modules of one function's graph, in file and line order.

    `reachable`: (file, start byte) of the functions the handler (or the app's routes) can reach; a
    weakness only inside functions outside that set belongs to another entry point and is left out."""
    found: set[Weakness] = set()
    for mod in modules:
        here = set(_Module(mod).weaknesses())
        if reachable is not None:
            here = keep_reached(here, function_spans(mod), reachable)
        found.update(here)
    return tuple(sorted(found, key=lambda w: (w.loc, w.kind, w.detail)))


def _is(node: Node | None, *types: str) -> TypeGuard[Node]:
    return node is not None and node.type in types


def _is_password(name: str) -> bool:
    return bool(_PASSWORD.search(name)) and not _NOT_PASSWORD.search(name)


def _names(node: Node) -> list[str]:
    """Identifiers, properties and string keys an expression reads (`body.password` → body, password)."""
    out = []
    for n in _walk(node):
        if n.type in ("identifier", "property_identifier", "shorthand_property_identifier"):
            if text(n) not in ("toString", "trim", "normalize", "toLowerCase"):
                out.append(text(n))
        elif n.type == "string" and (v := string_value(n)) and v.isidentifier():
            out.append(v)
    return out


def _verifies(node: Node) -> bool:
    """Whether a verification call (`verifyToken(...)`, `jwt.verify(...)`) stands anywhere in `node`."""
    return any(n.type == "call_expression" and _VERIFY_CALL.search(_callee_name(n)) for n in _walk(node))


class _Module:
    def __init__(self, mod: JsModule) -> None:
        self.mod = mod
        self.imports = local_requires(mod)
        self._fns: dict[int, _Function] = {}

    def loc(self, node: Node) -> Loc:
        return Loc(self.mod.rel, node.start_point[0] + 1)

    def weak(self, kind: str, node: Node, detail: str, confidence: str = "high", credentials: bool = False) -> Weakness:
        loc = self.loc(node)
        return Weakness(kind, loc, detail, confidence, (Step(loc, detail),), credentials)

    def qual(self, callee: Node | None) -> str:
        """`jwt.decode` → `jsonwebtoken.decode` after the module's imports; '' when unknown."""
        return qualified(self.imports, callee)

    def function(self, node: Node) -> _Function:
        fn = next(enclosing(node), None)
        scope = fn if fn is not None else self.mod.root
        if scope.start_byte not in self._fns:
            self._fns[scope.start_byte] = _Function(self, scope if fn is not None else None, scope)
        return self._fns[scope.start_byte]

    def own(self, fn: Node) -> _Function:
        """The `_Function` whose scope is the function node `fn` itself."""
        if fn.start_byte not in self._fns:
            self._fns[fn.start_byte] = _Function(self, fn, fn)
        return self._fns[fn.start_byte]

    def weaknesses(self) -> Iterator[Weakness]:
        around: dict[int, Node] = {}  # functions around a record call, checked for IDOR after the walk
        for n in self.mod.nodes():
            t = n.type
            if t in ("call_expression", "new_expression") and ownership.record_call(n):
                # every function around it: the id may be read by an outer one (`.then(x => …)`)
                around.update((f.start_byte, f) for f in enclosing(n))
            if t == "call_expression":
                yield from self._jwt(n)
                yield from self._hash(n)
                yield from self._cors_call(n)
                yield from self._mysql_plain(n)
            elif t == "pair":
                yield from self._transport_pair(n)
                yield from self._cors_pair(n)
            elif t == "assignment_expression":
                yield from self._tls_env(n)
            elif t in ("string", "template_string"):
                yield from self._db_url(n)
            elif t == "binary_expression":
                yield from self._compare(n)
            elif t == "if_statement":
                yield from self._optional_auth(n)
        for fn in around.values():  # records fetched by a request id with no owner check (IDOR)
            yield from ownership.idor(self.mod.rel, self.own(fn), self.qual)

    # -- JWT --

    def _jwt(self, call: Node) -> Iterator[Weakness]:
        q = self.qual(call.child_by_field_name("function"))
        name = text(call.child_by_field_name("function"))
        args = _args(call)
        detail = ""
        if q in _JWT_DECODE:
            detail = f"{name}() reads the token's claims without verifying its signature"
        elif q == "jsonwebtoken.verify" and len(args) > 2 and _none_algorithm(args[2]):
            detail = f"{name}() accepts algorithm 'none': an unsigned token passes"
        if not detail:
            return
        parent = call.parent
        while parent is not None and parent.type in ("await_expression", "parenthesized_expression"):
            parent = parent.parent
        used = parent is not None and parent.type != "expression_statement"
        fn = self.function(call)
        if used and not (q in _JWT_DECODE and fn.verifies()):  # reading the header to pick the key is fine
            yield self.weak("jwt", call, detail)

    # -- transport --

    def _transport_pair(self, pair: Node) -> Iterator[Weakness]:
        key, value = _key(pair), _unwrap(pair.child_by_field_name("value"))
        if value is None or value.type != "false":
            return
        if key in ("rejectUnauthorized", "strictSSL"):
            yield self.weak("transport", pair, f"{key}: false: the server's TLS certificate is not verified")
        elif key == "ssl" and pair.parent is not None:
            pairs = {_key(p): p for p in pair.parent.named_children if p.type == "pair"}
            host = string_value(pairs["host"].child_by_field_name("value")) if "host" in pairs else None
            if host in _LOCAL_HOSTS or not ({"host", "database", "user", "connectionString"} & set(pairs)):
                return
            yield self.weak("transport", pair, "ssl: false for a database client: the connection is not encrypted")

    def _mysql_plain(self, call: Node) -> Iterator[Weakness]:
        """`mysql.createConnection({ host })` with no `ssl`: mysql / mysql2 connect in clear text unless asked."""
        q = self.qual(call.child_by_field_name("function"))
        args = _args(call)
        if not (q.rsplit(".", 1)[-1] in _MYSQL_FACTORIES and q.rsplit(".", 1)[0] in _MYSQL_PACKAGES and args):
            return
        options = _unwrap(args[0])
        if (
            options is None
            or options.type != "object"
            or any(c.type == "spread_element" for c in options.named_children)
        ):
            return  # a spread may bring `ssl`: not judged
        pairs = {_key(p): p for p in options.named_children if p.type == "pair"}
        pairs.update({text(p): p for p in options.named_children if p.type == "shorthand_property_identifier"})
        host = pairs.get("host")
        if host is None or "ssl" in pairs or "socketPath" in pairs:
            return
        value = host.child_by_field_name("value") if host.type == "pair" else None
        if string_value(value) in _LOCAL_HOSTS:
            return
        yield self.weak(
            "transport",
            call,
            f"{text(call.child_by_field_name('function'))}() to a remote host without ssl: "
            "the MySQL connection is not encrypted",
            "medium",
        )

    def _tls_env(self, node: Node) -> Iterator[Weakness]:
        left, right = node.child_by_field_name("left"), _unwrap(node.child_by_field_name("right"))
        if "NODE_TLS_REJECT_UNAUTHORIZED" in text(left) and right is not None:
            value = string_value(right) if right.type != "number" else text(right)
            if value is not None and value.strip() == "0":
                yield self.weak(
                    "transport", node, "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0': no certificate is verified"
                )

    def _db_url(self, node: Node) -> Iterator[Weakness]:
        if node.parent is not None and node.parent.type == "template_string":
            return
        value = "".join(text(c) for c in node.named_children if c.type in ("string_fragment", "escape_sequence"))
        found = _DB_URL_OFF.search(value)
        if found:
            what = found.group(0).lstrip("?&")
            yield self.weak(
                "transport", node, f"database connection string with {what}: the connection is not encrypted"
            )

    # -- passwords --

    def _hash(self, call: Node) -> Iterator[Weakness]:
        callee = call.child_by_field_name("function")
        if not _is(callee, "member_expression") or text(callee.child_by_field_name("property")) != "update":
            return
        obj = _unwrap(callee.child_by_field_name("object"))
        algo = None
        if obj is not None and obj.type == "identifier":
            algo = self.function(call).hashers.get(text(obj))
        elif obj is not None and obj.type == "call_expression":
            algo = self.hash_algo(obj)
        args = _args(call)
        if algo is None or not args:
            return
        names = _names(args[0])
        pw = [n for n in names if _is_password(n)]
        if not pw:
            return
        salted = any(_SALT.search(n) for n in names) or any(
            n.type in ("binary_expression", "template_substitution") for n in _walk(args[0])
        )
        if algo in _BROKEN_HASHES:
            yield self.weak("password", call, f"password `{pw[0]}` hashed with {algo}, a fast broken hash")
        elif not salted:
            yield self.weak("password", call, f"password `{pw[0]}` hashed with unsalted {algo}, a fast hash")

    def hash_algo(self, call: Node) -> str | None:
        q = self.qual(call.child_by_field_name("function"))
        if q in {f"{c}.createHash" for c in _CRYPTO}:
            args = _args(call)
            algo = (string_value(args[0]) or "").lower() if args else ""
            return algo if algo in _FAST_HASHES else None
        return None

    # -- comparisons: plaintext passwords, authorization by request values --

    def _compare(self, node: Node) -> Iterator[Weakness]:
        op = text(node.child_by_field_name("operator"))
        if op not in ("===", "==", "!==", "!="):
            return
        left, right = _unwrap(node.child_by_field_name("left")), _unwrap(node.child_by_field_name("right"))
        if left is None or right is None:
            return
        fn = self.function(node)
        literal = ("string", "true", "number", "template_string")
        if left.type not in literal and right.type not in literal:
            calls = any(n.type == "call_expression" for side in (left, right) for n in _walk(side))
            lp = [n for n in _names(left) if _is_password(n)]
            rp = [n for n in _names(right) if _is_password(n)]
            lc, rc = fn.chain(left), fn.chain(right)
            stored = bool(lc and lc[1]) or bool(rc and rc[1])  # one side is a record's field, not two inputs
            if (
                not calls
                and stored
                and lp
                and rp
                and lc
                and rc
                and lc[0] != rc[0]
                and not _TWO_INPUTS.search(text(node))
            ):
                yield self.weak(
                    "password",
                    node,
                    f"password compared in plaintext (`{text(node)}`): it is stored unhashed",
                    "medium",
                )
            return
        value, lit = (left, right) if right.type in literal else (right, left)
        part = fn.request_part(fn.chain(value))
        if part is None:
            return
        kind, key, confidence = part
        shown = string_value(lit) if lit.type in ("string", "template_string") else text(lit)
        if _AUTHZ_KEY.search(key) or _AUTHZ_LITERAL.match(shown or ""):
            yield self.weak(
                "authz",
                node,
                f"authorization decided by the request {kind} `{key}` compared to '{shown}': the caller chooses it",
                confidence,
            )

    def _optional_auth(self, node: Node) -> Iterator[Weakness]:
        header = self._checked_only_when_present(node)
        if header is not None:
            yield self.weak("authz", node, token_only_when_present(header), "medium")

    def _checked_only_when_present(self, node: Node) -> str | None:
        """The auth header whose token is verified only when the request sends it: `if (token) verify(token)`
        with the request going on either way, or `if (token && !verify(token)) return 401` (a request without
        any token is never refused). None for any other `if`."""
        cond = node.child_by_field_name("condition")
        body = node.child_by_field_name("consequence")
        if cond is None or body is None:
            return None
        last = body.named_children[-1] if body.type == "statement_block" and body.named_children else body
        inner = cond.named_children[0] if cond.type == "parenthesized_expression" and cond.named_children else cond
        if inner.type == "binary_expression" and text(inner.child_by_field_name("operator")) == "&&":
            right = inner.child_by_field_name("right")
            refused = right is not None and right.type == "unary_expression" and text(right).startswith("!")
            if refused and right is not None and _verifies(right) and last.type in _STOPS:
                return self._auth_header_in(node, cond)
        if any(n.type == "unary_expression" and text(n).startswith("!") for n in _walk(cond)):
            return None  # `if (!token) return 401` is the right shape
        alternative = node.child_by_field_name("alternative")
        else_stops = alternative is not None and any(n.type in _STOPS for n in _walk(alternative))
        if not _verifies(body) or last.type in _STOPS or else_stops:
            return None
        return self._auth_header_in(node, cond)

    def _auth_header_in(self, node: Node, cond: Node) -> str | None:
        """The first auth header (`Authorization`, `X-Api-Key`…) the condition reads from the request."""
        fn = self.function(node)
        for n in _walk(cond):
            if n.type in ("member_expression", "subscript_expression", "call_expression", "identifier"):
                part = fn.request_part(fn.chain(n))
                if part is not None and part[0] == "header" and _AUTH_HEADER.match(part[1]):
                    return part[1]
        return None

    # -- CORS --

    def _reflected(self, node: Node, value: Node | None, creds: bool | None = None) -> Iterator[Weakness]:
        if value is None:
            return
        fn = self.function(node)
        part = fn.request_part(fn.chain(value))
        if part is None or part[0] != "header" or part[1].lower() != "origin" or fn.origin_checked(fn.chain(value)):
            return
        creds = fn.credentials() if creds is None else creds
        detail = "Access-Control-Allow-Origin set to the request's Origin header without an allowlist check" + (
            ", with Access-Control-Allow-Credentials" if creds else ""
        )
        yield self.weak("cors", node, detail, credentials=creds)

    def _cors_pair(self, pair: Node) -> Iterator[Weakness]:
        if _key(pair).lower() == "access-control-allow-origin":
            yield from self._reflected(pair, pair.child_by_field_name("value"))

    def _cors_call(self, call: Node) -> Iterator[Weakness]:
        callee = call.child_by_field_name("function")
        args = _args(call)
        if (
            _is(callee, "member_expression")
            and text(callee.child_by_field_name("property")) in _HEADER_SETTERS
            and len(args) >= 2
            and (string_value(args[0]) or "").lower() == "access-control-allow-origin"
        ):
            yield from self._reflected(call, args[1])
        elif self.qual(callee) == "cors" and args and args[0].type == "object":
            pairs = {
                _key(p): _unwrap(p.child_by_field_name("value")) for p in args[0].named_children if p.type == "pair"
            }
            origin, creds = pairs.get("origin"), pairs.get("credentials")
            if origin is not None and origin.type == "true":
                with_creds = creds is not None and creds.type == "true"
                detail = "cors({ origin: true }) sends back every request's Origin" + (
                    ", with Access-Control-Allow-Credentials" if with_creds else ""
                )
                yield self.weak("cors", call, detail, credentials=with_creds)


def _none_algorithm(arg: Node) -> bool:
    options = _unwrap(arg)
    if options is None or options.type != "object":
        return False
    for p in options.named_children:
        if p.type == "pair" and _key(p) == "algorithms":
            value = _unwrap(p.child_by_field_name("value"))
            if value is not None and any((string_value(e) or "").lower() == "none" for e in value.named_children):
                return True
    return False


class _Function:
    """What the patterns need to know about one function: its request names and local aliases."""

    def __init__(self, module: _Module, fn: Node | None, scope: Node) -> None:
        self.module = module
        self.scope = scope
        self.event_names = set(_REQUEST_ROOTS)
        self.first = ""
        if fn is not None:
            params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
            first = params.named_children[0] if params is not None and params.named_children else params
            if first is not None and first.type == "required_parameter":  # TypeScript `event: APIGatewayEvent`
                first = first.child_by_field_name("pattern")
            if first is not None and first.type == "identifier":
                self.first = text(first)
                self.event_names.add(self.first)
        self.aliases: dict[str, Chain] = {}
        self.hashers: dict[str, str] = {}
        for n in self.subtree(scope):
            if n.type != "variable_declarator":
                continue
            name, value = n.child_by_field_name("name"), _unwrap(n.child_by_field_name("value"))
            if name is None or value is None:
                continue
            chain = self.chain(value)
            if name.type == "identifier":
                if chain is not None and chain[0] != text(name):
                    self.aliases[text(name)] = chain
                if value.type == "call_expression" and (algo := module.hash_algo(value)):
                    self.hashers[text(name)] = algo
            elif name.type == "object_pattern" and chain is not None:
                for p in name.named_children:
                    if p.type == "shorthand_property_identifier_pattern":
                        self.aliases[text(p)] = (chain[0], (*chain[1], text(p)))
                    elif p.type == "pair_pattern" and _is(p.child_by_field_name("value"), "identifier"):
                        self.aliases[text(p.child_by_field_name("value"))] = (chain[0], (*chain[1], _key(p)))

    def chain(self, node: Node | None, depth: int = 0) -> Chain | None:
        node = _unwrap(node)
        if node is None or depth > 20:
            return None
        if node.type == "identifier":
            return self.aliases.get(text(node), (text(node), ()))
        if node.type == "member_expression":
            base = self.chain(node.child_by_field_name("object"), depth + 1)
            prop = text(node.child_by_field_name("property"))
            return (base[0], (*base[1], prop)) if base else None
        if node.type == "subscript_expression":
            base = self.chain(node.child_by_field_name("object"), depth + 1)
            key = string_value(node.child_by_field_name("index"))
            return (base[0], (*base[1], key if key is not None else "*")) if base else None
        if node.type == "binary_expression" and text(node.child_by_field_name("operator")) in ("||", "??"):
            return self.chain(node.child_by_field_name("left"), depth + 1)
        if node.type == "call_expression":
            callee = _unwrap(node.child_by_field_name("function"))
            if callee is None or callee.type != "member_expression":
                return None
            base = self.chain(callee.child_by_field_name("object"), depth + 1)
            prop = text(callee.child_by_field_name("property"))
            args = _args(node)
            if base is None:
                return None
            if prop in ("get", "header", "getHeader") and args and (key := string_value(args[0])) is not None:
                # Express `req.get('origin')` / Koa `ctx.get(...)` read a header; `headers.get(k)` a key
                return (base[0], (*base[1], "headers", key) if not base[1] else (*base[1], key))
            if prop in ("toLowerCase", "toUpperCase", "trim", "toString") and not args:
                return base
        return None

    def subtree(self, node: Node) -> list[Node]:
        """`list(walk(node))`, from the module's one walk."""
        return self.module.mod.subtree(node)

    def request_part(self, chain: Chain | None) -> tuple[str, str, str] | None:
        if chain is None or chain[0] not in self.event_names or _TRUSTED_KEYS & set(chain[1][:-1]):
            return None
        keys = chain[1]
        for i, k in enumerate(keys[:-1]):
            if k in _HEADER_KEYS or k in _QUERY_KEYS:
                part = "header" if k in _HEADER_KEYS else "query parameter"
                confidence = "high" if chain[0] in (self.first, "event", "req") else "medium"
                return part, keys[i + 1], confidence
        return None

    def verifies(self) -> bool:
        return any(
            n.type == "call_expression" and self.module.qual(n.child_by_field_name("function")) in _JWT_VERIFY
            for n in self.subtree(self.scope)
        )

    def credentials(self) -> bool:
        return any(
            n.type == "string" and (string_value(n) or "").lower() == "access-control-allow-credentials"
            for n in self.subtree(self.scope)
        )

    def origin_checked(self, want: Chain | None) -> bool:
        """Whether the function tests the origin (an allowlist `includes` / `has`, a comparison)."""
        for n in self.subtree(self.scope):
            tested: list[Node] = []
            if n.type == "binary_expression" and text(n.child_by_field_name("operator")) in (
                "===",
                "==",
                "!==",
                "!=",
                "in",
            ):
                tested = [c for c in (n.child_by_field_name("left"), n.child_by_field_name("right")) if c is not None]
            elif n.type == "call_expression" and _callee_name(n) in _ALLOWLIST_CALLS:
                tested = _args(n)
                callee = _unwrap(n.child_by_field_name("function"))
                if callee is not None and callee.type == "member_expression":
                    obj = callee.child_by_field_name("object")
                    if obj is not None:
                        tested.append(obj)
            if any(self.chain(t) == want for t in tested):
                return True
        return False
