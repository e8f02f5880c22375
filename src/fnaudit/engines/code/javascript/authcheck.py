"""Authentication a JavaScript / TypeScript function performs itself (`AuthCheck`; see the Python twin).

The shapes that count, only where a failed check stops the request:

- an HMAC signature check: `crypto.timingSafeEqual(a, b)` (or `===` / `!==`, which still authenticates,
  less well) where one side is read from a request header and the other is an HMAC the code computes
  (`crypto.createHmac(...)`); it stops the request when an `if` on it returns or throws on the failing
  branch, or when it is returned by a helper whose call does so;
- a verified JWT: `jsonwebtoken.verify(token, key)` (without algorithm `none`), `jose.jwtVerify`,
  `aws-jwt-verify`'s `CognitoJwtVerifier.create(...).verify(token)`: they throw on a bad token, so the
  call stops the request unless a `try` around it swallows the error (a `verify` callback counts when
  it returns or throws);
- a provider verifier: Stripe `stripe.webhooks.constructEvent` (throws), `@octokit/webhooks`
  `webhooks.verify(...)` / `@octokit/webhooks-methods` `verify(...)` (a boolean, judged like a
  comparison), `webhooks.verifyAndReceive(...)` (throws).

A check inside an `if` branch whose other branch lets the request go on (`if (event.headers.authorization)
{ jwt.verify(...) }`) does not count. Values are followed syntactically through the function's own
declarations, and one call level up when a helper receives the header or the token as a parameter.
Nothing here runs the scanned code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from fnaudit.engines.code.javascript.modules import FUNCTION_TYPES, JsModule, Node, string_value, text
from fnaudit.engines.code.javascript.modules import unwrap as _unwrap
from fnaudit.engines.code.javascript.syntax import HEADER_KEYS as _HEADER_KEYS
from fnaudit.engines.code.javascript.syntax import REQUEST_ROOTS as _REQUEST_ROOTS
from fnaudit.engines.code.javascript.syntax import call_args as _args
from fnaudit.engines.code.javascript.syntax import callee_name as _callee_name
from fnaudit.engines.code.javascript.syntax import enclosing, function_spans, local_requires, qualified
from fnaudit.engines.code.javascript.syntax import walk as _walk
from fnaudit.engines.code.reach import keep_reached
from fnaudit.engines.code.words import SIG_HEADER as _SIG_HEADER
from fnaudit.model.code import AuthCheck
from fnaudit.model.loc import Loc

_CRYPTO = ("crypto", "node:crypto")
_HEADER_GETTERS = {"get", "header", "getHeader"}  # Express `req.get('x-sig')`, Koa `ctx.get(...)`
_JWT_THROWING = {"jsonwebtoken.verify", "jose.jwtVerify"}
_AWS_JWT = re.compile(r"^aws-jwt-verify\.\w*Verifier\.create$")
_OCTOKIT = "@octokit/webhooks"
_STOPS = ("return_statement", "throw_statement")
_EQ = ("===", "==", "!==", "!=")
_PASS_THROUGH = ("parenthesized_expression", "await_expression", "as_expression", "non_null_expression")
_DEPTH = 12
_REQUEST, _HEADER, _HMAC = "request", "header", "hmac"


def extract(modules: Iterable[JsModule], reachable: set[tuple[str, int]] | None = None) -> tuple[AuthCheck, ...]:
    """Every authentication check in the modules of one function's graph, in file and line order.

    `reachable`: (file, start byte) of the functions the handler (or the app's routes) can reach; a check
    only inside functions outside that set belongs to another entry point and is left out."""
    mods = list(modules)
    scope = _Scope(mods)
    found: set[AuthCheck] = set()
    for mod in mods:
        here = set(scope.module(mod).checks())
        if reachable is not None:
            here = keep_reached(here, function_spans(mod), reachable)
        found.update(here)
    return tuple(sorted(found, key=lambda c: (c.loc, c.kind, c.detail)))


def _function_name(fn: Node) -> str:
    """`function f`, `f(...) {}` in a class or object, `const f = (...) =>`, `exports.f = function`."""
    name = fn.child_by_field_name("name")
    if name is not None:
        return text(name)
    parent = fn.parent
    if parent is not None and parent.type == "variable_declarator":
        return text(parent.child_by_field_name("name"))
    if parent is not None and parent.type in ("assignment_expression", "pair"):
        left = parent.child_by_field_name("left") or parent.child_by_field_name("key")
        if left is not None and left.type == "member_expression":
            return text(left.child_by_field_name("property"))
        return string_value(left) or text(left)
    return ""


class _Scope:
    """The modules of the graph and their functions, for checks written in a helper."""

    def __init__(self, mods: list[JsModule]) -> None:
        self._mods = {m.rel: _Module(self, m) for m in mods}
        # a graph that never computes an HMAC has none to compare: its `===` are not looked at
        self.uses_hmac = any("createHmac" in m.file.text for m in mods)
        self._calls: dict[str, list[tuple[_Module, Node]]] | None = None

    def module(self, mod: JsModule) -> _Module:
        return self._mods[mod.rel]

    def call_sites(self, name: str) -> Iterator[tuple[_Function, Node]]:
        if self._calls is None:  # indexed on first use: most graphs never need it
            self._calls = {}
            for m in self._mods.values():
                for n in m.mod.nodes():
                    if n.type == "call_expression" and (callee := _callee_name(n)):
                        self._calls.setdefault(callee, []).append((m, n))
        for m, n in self._calls.get(name, []) if name else []:
            yield m.function(n), n


class _Module:
    def __init__(self, scope: _Scope, mod: JsModule) -> None:
        self.scope = scope
        self.mod = mod
        self.imports = local_requires(mod, renamed=False)
        self._fns: dict[int, _Function] = {}

    def qual(self, callee: Node | None) -> str:
        """`crypto.createHmac` → `crypto.createHmac`, `verify` (imported) → `pkg.verify`; '' when unknown."""
        return qualified(self.imports, callee)

    def function(self, node: Node) -> _Function:
        fn = next(enclosing(node), None)
        scope = fn if fn is not None else self.mod.root
        if scope.start_byte not in self._fns:
            self._fns[scope.start_byte] = _Function(self, fn, scope)
        return self._fns[scope.start_byte]

    def checks(self) -> Iterator[AuthCheck]:
        for n in self.mod.nodes():
            found: list[AuthCheck] = []
            if n.type == "call_expression":
                found = list(self.function(n).call_check(n))
            elif (
                self.scope.uses_hmac
                and n.type == "binary_expression"
                and text(n.child_by_field_name("operator")) in _EQ
            ):
                found = list(self.function(n).compare_check(n))
            if found and _unconditional(n):
                yield from found


class _Function:
    def __init__(self, module: _Module, fn: Node | None, scope: Node) -> None:
        self.module = module
        self.fn = fn
        self.scope = scope
        self.name = _function_name(fn) if fn is not None else ""
        self.params: list[str] = []
        if fn is not None:
            params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
            items = params.named_children if params is not None and params.type == "formal_parameters" else [params]
            for p in items:
                if p is not None and p.type in ("required_parameter", "optional_parameter"):
                    p = p.child_by_field_name("pattern")
                if p is not None and p.type == "assignment_pattern":
                    p = p.child_by_field_name("left")
                self.params.append(text(p) if p is not None and p.type == "identifier" else "")
        self.event_names = {*self.params[:1], *_REQUEST_ROOTS} - {""}
        # name → (value, the key read from it when destructured: `const { headers } = event`)
        self.assigns: dict[str, list[tuple[Node, str]]] = {}
        for n in module.mod.own(scope):
            if n.type == "variable_declarator":
                name, value = n.child_by_field_name("name"), n.child_by_field_name("value")
            elif n.type == "assignment_expression":
                name, value = n.child_by_field_name("left"), n.child_by_field_name("right")
            else:
                continue
            if name is None or value is None:
                continue
            if name.type == "identifier":
                self.assigns.setdefault(text(name), []).append((value, ""))
            elif name.type == "object_pattern":
                for p in name.named_children:
                    if p.type == "shorthand_property_identifier_pattern":
                        self.assigns.setdefault(text(p), []).append((value, text(p)))
                    elif p.type == "pair_pattern" and (v := p.child_by_field_name("value")) is not None:
                        key = p.child_by_field_name("key")
                        self.assigns.setdefault(text(v), []).append((value, string_value(key) or text(key)))

    # -- where values come from --

    def tags(self, node: Node, depth: int = 0, seen: frozenset[str] = frozenset()) -> set[str]:
        """`request`, `header`, `hmac`, `param:<i>`: see the Python twin."""
        out: set[str] = set()
        if depth > _DEPTH:
            return out
        for n in _walk(node):
            t = n.type
            if t == "identifier":
                name = text(n)
                if name in self.assigns and name not in seen:
                    for value, key in self.assigns[name]:
                        out |= self.tags(value, depth + 1, seen | {name})
                        if key in _HEADER_KEYS:
                            out.add(_HEADER)
                elif name in self.params:
                    out.add(f"param:{self.params.index(name)}")
                    if name in self.event_names:
                        out.add(_REQUEST)
                elif name in self.event_names:
                    out.add(_REQUEST)
            elif (t == "property_identifier" and text(n) in _HEADER_KEYS) or (
                t == "string" and string_value(n) in _HEADER_KEYS
            ):
                out.add(_HEADER)
            elif t == "call_expression":
                q = self.module.qual(n.child_by_field_name("function"))
                if q in {f"{c}.createHmac" for c in _CRYPTO} or self._hmac_helper(n):
                    out.add(_HMAC)
                args = _args(n)
                if _callee_name(n) in _HEADER_GETTERS and args and _SIG_HEADER.search(string_value(args[0]) or ""):
                    out.add(_HEADER)
        return out

    def _hmac_helper(self, call: Node) -> bool:
        callee = _unwrap(call.child_by_field_name("function"))
        if callee is None or callee.type != "identifier" or text(callee) not in self.module.mod.functions:
            return False
        body = self.module.mod.functions[text(callee)]
        crypto = {f"{c}.createHmac" for c in _CRYPTO}
        return any(
            n.type == "call_expression" and self.module.qual(n.child_by_field_name("function")) in crypto
            for n in _walk(body)
        )

    def _param_args(self, tags: set[str]) -> Iterator[tuple[_Function, Node]]:
        """For each parameter the value comes from: the argument every call of this function passes for it."""
        for t in tags:
            if t.startswith("param:"):
                i = int(t[6:])
                for caller, call in self.module.scope.call_sites(self.name):
                    args = _args(call)
                    if i < len(args):
                        yield caller, args[i]

    def from_request(self, node: Node, want: str, hops: int = 0) -> bool:
        tags = self.tags(node)
        if _REQUEST in tags and (want == _REQUEST or _HEADER in tags):
            return True
        return hops == 0 and any(c.from_request(a, want, hops + 1) for c, a in self._param_args(tags))

    def computes_hmac(self, node: Node) -> bool:
        tags = self.tags(node)
        return _HMAC in tags or any(_HMAC in c.tags(a) for c, a in self._param_args(tags))

    def header_name(self, node: Node, depth: int = 0) -> str | None:
        if depth > _DEPTH:
            return None
        for n in _walk(node):
            if n.type == "string" and _SIG_HEADER.search(written := string_value(n) or ""):
                return written
        for n in _walk(node):
            if n.type == "identifier" and text(n) in self.assigns:
                for value, _key in self.assigns[text(n)]:
                    if (got := self.header_name(value, depth + 1)) is not None:
                        return got
        return None

    # -- does a failed check stop the request? --

    def stops(self, node: Node, hops: int = 0, negated: bool = False) -> bool:
        cur = node
        while True:
            parent = cur.parent
            if parent is None:
                return False
            t = parent.type
            if t == "unary_expression" and text(parent).startswith("!"):
                negated = not negated
            elif t in _PASS_THROUGH or (
                t == "binary_expression" and text(parent.child_by_field_name("operator")) in ("&&", "||")
            ):
                pass  # the check's answer goes on to the decision unchanged (or combined with others)
            elif t == "binary_expression":
                op = text(parent.child_by_field_name("operator"))
                other = parent.child_by_field_name("right")
                if other is not None and other.id == cur.id:
                    other = parent.child_by_field_name("left")
                if other is None or other.type not in ("true", "false"):
                    return False
                if (other.type == "false") == (op in ("===", "==")):  # `ok === false`, `ok !== true`
                    negated = not negated
            elif t == "if_statement":
                cond = parent.child_by_field_name("condition")
                return cond is not None and cond.id == cur.id and _branch_stops(parent, negated)
            elif t == "return_statement" or (t == "arrow_function" and parent.child_by_field_name("body") == cur):
                return hops < 2 and any(
                    caller.stops(call, hops + 1, negated) for caller, call in self.module.scope.call_sites(self.name)
                )
            elif t == "variable_declarator":
                name = parent.child_by_field_name("name")
                if name is None or name.type != "identifier" or hops >= 3:
                    return False
                return any(
                    n.type == "identifier"
                    and text(n) == text(name)
                    and n.id != name.id
                    and self.stops(n, hops + 1, negated)
                    for n in self.module.mod.own(self.scope)
                )
            else:
                return False
            cur = parent

    def not_swallowed(self, node: Node) -> bool:
        """A call that throws on failure stops the request, unless a `try` around it ignores the error."""
        cur = node
        while (parent := cur.parent) is not None:
            if parent.type == "try_statement":
                body, handler = parent.child_by_field_name("body"), parent.child_by_field_name("handler")
                if (
                    body is not None
                    and body.id == cur.id
                    and handler is not None
                    and not any(n.type in _STOPS for n in _walk(handler))
                ):
                    return False
            cur = parent
        return True

    # -- the checks --

    def _check(self, kind: str, node: Node, detail: str, confidence: str = "high") -> AuthCheck:
        return AuthCheck(kind, Loc(self.module.mod.rel, node.start_point[0] + 1), detail, confidence)

    def _signature_pair(self, a: Node, b: Node) -> str | None:
        for header, computed in ((a, b), (b, a)):
            if self.computes_hmac(computed) and _HMAC not in self.tags(header) and self.from_request(header, _HEADER):
                name = self.header_name(header) or next(
                    (n for c, arg in self._param_args(self.tags(header)) if (n := c.header_name(arg))), None
                )
                return f"`{name}` header" if name else "request's signature header"
        return None

    def call_check(self, call: Node) -> Iterator[AuthCheck]:
        callee = call.child_by_field_name("function")
        q = self.module.qual(callee)
        shown = text(callee)
        args = _args(call)
        prop = _callee_name(call)
        if prop == "timingSafeEqual" and len(args) == 2 and (q.split(".")[0] in _CRYPTO or not q):
            header = self._signature_pair(args[0], args[1])
            if header is not None and self.stops(call):
                yield self._check("hmac", call, f"{shown}() checks the {header} against an HMAC of the request")
        elif q in _JWT_THROWING and self._verifying_jwt(q, args):
            callback = _unwrap(args[-1]) if len(args) > 2 else None
            if callback is not None and callback.type in FUNCTION_TYPES:
                ok = any(n.type in _STOPS for n in _walk(callback))
            else:
                ok = self.not_swallowed(call)
            if ok:
                yield self._check("jwt", call, f"{shown}() verifies the request's token with a key")
        elif prop == "verify" and args and self._aws_verifier(callee) and self.from_request(args[0], _REQUEST):
            if self.not_swallowed(call):
                yield self._check("jwt", call, f"{shown}() (aws-jwt-verify) verifies the request's token")
        elif shown.endswith(("webhooks.constructEvent", "webhooks.constructEventAsync")) and self.not_swallowed(call):
            yield self._check("webhook", call, f"{shown}() verifies the Stripe-Signature header")
        elif self._octokit_check(call, q, prop, callee):
            yield self._check("webhook", call, f"{shown}() verifies the GitHub webhook signature")

    def _octokit_check(self, call: Node, q: str, prop: str, callee: Node | None) -> bool:
        """`verify(...)` answers a boolean (judged like a comparison); `verifyAndReceive(...)` throws."""
        if q == f"{_OCTOKIT}-methods.verify" or (prop == "verify" and self._octokit(callee)):
            return self.stops(call)
        return prop == "verifyAndReceive" and self._octokit(callee) and self.not_swallowed(call)

    def compare_check(self, node: Node) -> Iterator[AuthCheck]:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return
        header = self._signature_pair(left, right)
        op = text(node.child_by_field_name("operator"))
        if header is not None and self.stops(node, negated=op.startswith("!")):
            yield self._check(
                "hmac",
                node,
                f"`{op}` checks the {header} against an HMAC of the request (not a constant-time comparison)",
                "medium",
            )

    def _verifying_jwt(self, q: str, args: list[Node]) -> bool:
        if len(args) < 2 or not self.from_request(args[0], _REQUEST):
            return False
        key = _unwrap(args[1])
        if key is None or string_value(key) == "" or key.type in ("null", "undefined"):
            return False
        if q == "jsonwebtoken.verify" and len(args) > 2 and (opts := _unwrap(args[2])) is not None:
            for p in opts.named_children if opts.type == "object" else []:
                key_node = p.child_by_field_name("key") if p.type == "pair" else None
                if key_node is not None and (string_value(key_node) or text(key_node)) == "algorithms":
                    value = _unwrap(p.child_by_field_name("value"))
                    if value is not None and any(
                        (string_value(e) or "").lower() == "none" for e in value.named_children
                    ):
                        return False
        return True

    def _bound(self, obj: Node | None) -> list[Node]:
        """What an object expression stands for: itself, or the values its name is given here or in the module."""
        obj = _unwrap(obj)
        if obj is None:
            return []
        if obj.type != "identifier":
            return [obj]
        out = [v for v, key in self.assigns.get(text(obj), []) if not key]
        if (g := self.module.mod.globals.get(text(obj))) is not None:
            out.append(g)
        return [u for v in out if (u := _unwrap(v)) is not None]

    def _aws_verifier(self, callee: Node | None) -> bool:
        if callee is None or callee.type != "member_expression":
            return False
        return any(
            v.type == "call_expression" and _AWS_JWT.match(self.module.qual(v.child_by_field_name("function")))
            for v in self._bound(callee.child_by_field_name("object"))
        )

    def _octokit(self, callee: Node | None) -> bool:
        if callee is None or callee.type != "member_expression":
            return False
        return any(
            v.type == "new_expression" and self.module.qual(v.child_by_field_name("constructor")).startswith(_OCTOKIT)
            for v in self._bound(callee.child_by_field_name("object"))
        )


def _unconditional(node: Node) -> bool:
    """The check runs on every request: it is not inside an `if` branch whose other branch lets the request
    go on (`if (event.headers.authorization) { jwt.verify(...) }`: no header, no check)."""
    cur = node
    while (parent := cur.parent) is not None and parent.type not in FUNCTION_TYPES:
        if parent.type == "if_statement":
            body, alternative = parent.child_by_field_name("consequence"), parent.child_by_field_name("alternative")
            inside = [b for b in (body, alternative) if b is not None and b.id == cur.id]
            other = alternative if inside and inside[0] is body else body
            if inside and (other is None or not any(n.type in _STOPS for n in _walk(other))):
                return False
        cur = parent
    return True


def _branch_stops(node: Node, negated: bool) -> bool:
    """The branch that runs when the check fails returns or throws, or a passing check returns early."""
    body = node.child_by_field_name("consequence")
    alternative = node.child_by_field_name("alternative")
    if negated:
        return body is not None and any(n.type in _STOPS for n in _walk(body))
    if alternative is not None:
        return any(n.type in _STOPS for n in _walk(alternative))
    if body is None:
        return False
    last = body.named_children[-1] if body.type == "statement_block" and body.named_children else body
    return last.type in _STOPS
