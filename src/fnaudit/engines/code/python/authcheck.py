"""Authentication a Python function performs itself (`AuthCheck` facts), on paths its handler reaches.

Three shapes count, and only where a failed check stops the request:

- an HMAC signature check: `hmac.compare_digest(a, b)` (or `==` / `!=`, which still authenticates: the
  timing side channel is a weakness of the check, not its absence) where one side is read from a request
  header (`X-Hub-Signature-256`, `X-Slack-Signature`…) and the other is an HMAC the code computes
  (`hmac.new(secret, body, sha256)`); it stops the request when an `if` on it raises or returns on the
  failing branch, when it is asserted, or when it is the return value of a helper whose call does so;
- a verified JWT: PyJWT / python-jose `jwt.decode(token, key, algorithms=[...])` with a token from the
  request, signature verification left on and the algorithms pinned (without `none`); the library
  raises on a bad token, so the call stops the request unless a `try` around it swallows the error;
- a provider verifier: `stripe.Webhook.construct_event(...)` (raises), Slack `SignatureVerifier(...)`
  `.is_valid_request(...)` / `.is_valid(...)` (a boolean, judged like a comparison).

A check inside an `if` branch whose other branch lets the request go on (`if "Authorization" in headers:
jwt.decode(...)`) is no check for a request without the header, so it does not count. That the check runs
before any other work is not proven (the finding's message names its line, for the reader to judge).
Values are followed syntactically through the function's own assignments, and one call level up when a
helper receives the header or the token as a parameter. Nothing here runs the scanned code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from fnaudit.engines.code.python.modules import Module, qualname
from fnaudit.engines.code.python.syntax import CURRENT_REQUEST as _CURRENT
from fnaudit.engines.code.python.syntax import HEADER_KEYS as _HEADER_KEYS
from fnaudit.engines.code.python.syntax import REQUEST_ROOTS as _REQUEST_ROOTS
from fnaudit.engines.code.python.syntax import FuncDef as _FuncDef
from fnaudit.engines.code.python.syntax import callee_name as _callee_name
from fnaudit.engines.code.python.syntax import def_spans, unparse
from fnaudit.engines.code.reach import keep_reached
from fnaudit.engines.code.words import SIG_HEADER as _SIG_HEADER
from fnaudit.model.code import AuthCheck
from fnaudit.model.loc import Loc

_COMPARE_DIGEST = {"hmac.compare_digest", "secrets.compare_digest"}
_HMAC = {"hmac.new", "hmac.HMAC", "hmac.digest"}
_JWT_DECODE = {"jwt.decode", "jwt.decode_complete", "jwt.api_jwt.decode", "jose.jwt.decode"}
_STRIPE = {"stripe.Webhook.construct_event", "stripe.WebhookSignature.verify_header"}
_SLACK_METHODS = {"is_valid_request", "is_valid"}
_DEPTH = 12

# tags of a value: where its parts come from
_REQUEST, _HEADER, _HMAC_TAG = "request", "header", "hmac"


def extract(modules: Iterable[Module], reachable: set[int] | None = None) -> tuple[AuthCheck, ...]:
    """Every authentication check in the modules of one function's graph, in file and line order.

    `reachable`: ids of the top-level functions and methods the handler can reach (the analyser's walk);
    a check inside any other function belongs to another entry point and is left out."""
    mods = list(modules)
    scope = _Scope(mods)
    found: set[AuthCheck] = set()
    for mod in mods:
        here = {c for f in scope.functions(mod) for c in f.checks()}
        if reachable is not None:
            here = keep_reached(here, def_spans(mod), reachable)
        found.update(here)
    return tuple(sorted(found, key=lambda c: (c.loc, c.kind, c.detail)))


class _Scope:
    """The functions of the graph, and who calls whom by name (for checks written in a helper)."""

    def __init__(self, mods: list[Module]) -> None:
        self._by_mod: dict[str, list[_Function]] = {}
        self._calls: dict[str, list[tuple[_Function, ast.Call]]] = {}
        # a graph that never imports hmac has no HMAC to compare: its `==` are not looked at
        self.uses_hmac = any(i[1] == "hmac" or i[1].startswith("hmac.") for m in mods for i in m.imports.values())
        for mod in mods:
            fns = [
                _Function(self, mod, n)
                for n in mod.index.of_type(ast.FunctionDef, ast.AsyncFunctionDef)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            ]
            self._by_mod[mod.rel] = fns
            for f in fns:
                for n in f.nodes:
                    if isinstance(n, ast.Call) and (name := _callee_name(n)):
                        self._calls.setdefault(name, []).append((f, n))

    def functions(self, mod: Module) -> list[_Function]:
        return self._by_mod.get(mod.rel, [])

    def call_sites(self, name: str) -> list[tuple[_Function, ast.Call]]:
        """Calls of a function by its name (`verify(...)`, `auth.verify(...)`, `self.verify(...)`)."""
        return self._calls.get(name, [])


@dataclass
class _Function:
    scope: _Scope
    mod: Module
    fn: _FuncDef
    nodes: list[ast.AST] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    event_names: set[str] = field(default_factory=set)
    assigns: dict[str, list[ast.expr]] = field(default_factory=dict)
    parents: dict[int, ast.AST] = field(default_factory=dict)

    def __post_init__(self) -> None:
        args = self.fn.args.posonlyargs + self.fn.args.args + self.fn.args.kwonlyargs
        self.params = [a.arg for a in args]
        first = [p for p in self.params if p not in ("self", "cls")][:1]
        self.event_names = {*first, *_REQUEST_ROOTS}
        todo: list[ast.AST] = list(self.fn.body)
        for stmt in self.fn.body:
            self.parents[id(stmt)] = self.fn
        children = self.mod.index.children
        while todo:  # the function's own nodes: nested functions are functions of their own
            node = todo.pop()
            self.nodes.append(node)
            for c in children(node):
                self.parents[id(c)] = node
                if not isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                    todo.append(c)
        for node in self.nodes:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        self.assigns.setdefault(t.id, []).append(node.value)

    # -- where values come from --

    def tags(self, node: ast.AST, depth: int = 0, seen: frozenset[str] = frozenset()) -> set[str]:
        """`request` (read from the event / the framework's request), `header` (from its headers), `hmac`
        (an HMAC the code computes), `param:<i>` (the function's i-th parameter)."""
        out: set[str] = set()
        if depth > _DEPTH:
            return out
        for n in self.mod.index.walk(node):
            if isinstance(n, ast.Name):
                if n.id in self.assigns and n.id not in seen:
                    for v in self.assigns[n.id]:
                        out |= self.tags(v, depth + 1, seen | {n.id})
                elif n.id in self.params:
                    out.add(f"param:{self.params.index(n.id)}")
                    if n.id in self.event_names:
                        out.add(_REQUEST)
                elif n.id in self.event_names:
                    out.add(_REQUEST)
            elif isinstance(n, ast.Attribute):
                if n.attr in _CURRENT or qualname(self.mod, n) == "flask.request":
                    out.add(_REQUEST)
                if n.attr in _HEADER_KEYS:
                    out.add(_HEADER)
            elif isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in _HEADER_KEYS:
                out.add(_HEADER)
            elif isinstance(n, ast.Call):
                q = qualname(self.mod, n.func) or ""
                if q in _HMAC or self._hmac_helper(n):
                    out.add(_HMAC_TAG)
                if _callee_name(n) == "get_header_value":
                    out.add(_HEADER)
        return out

    def _hmac_helper(self, call: ast.Call) -> bool:
        """A call of a function of the same module that computes an HMAC (`expected = sign(body)`)."""
        if not isinstance(call.func, ast.Name) or call.func.id not in self.mod.functions:
            return False
        body = self.mod.functions[call.func.id]
        return any(
            isinstance(n, ast.Call) and (qualname(self.mod, n.func) or "") in _HMAC for n in self.mod.index.walk(body)
        )

    def from_request(self, node: ast.AST, want: str, hops: int = 0) -> bool:
        """The value reads the request (`want`=request) or one of its headers (`want`=header), in this
        function or, for a parameter, at a call of this function (one level)."""
        tags = self.tags(node)
        if _REQUEST in tags and (want == _REQUEST or _HEADER in tags):
            return True
        if hops > 0:
            return False
        for t in tags:
            if t.startswith("param:"):
                i = int(t[6:])
                for caller, call in self.scope.call_sites(self.fn.name):
                    arg = _argument(call, i, self.params, self.params[i])
                    if arg is not None and caller.from_request(arg, want, hops + 1):
                        return True
        return False

    def computes_hmac(self, node: ast.AST) -> bool:
        tags = self.tags(node)
        if _HMAC_TAG in tags:
            return True
        for t in tags:
            if t.startswith("param:"):
                i = int(t[6:])
                for caller, call in self.scope.call_sites(self.fn.name):
                    arg = _argument(call, i, self.params, self.params[i])
                    if arg is not None and _HMAC_TAG in caller.tags(arg):
                        return True
        return False

    # -- does a failed check stop the request? --

    def stops(self, node: ast.AST, hops: int = 0, negated: bool = False) -> bool:
        """The boolean `node` (a comparison, a verifier's answer) decides whether the request goes on:
        a failed check raises or returns. `negated`: `node` is true when the check fails."""
        cur = node
        while True:
            parent = self.parents.get(id(cur))
            if parent is None:
                return False
            if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
                negated = not negated
            elif isinstance(parent, ast.Compare) and any(isinstance(_lit(c), bool) for c in parent.comparators):
                if _lit(parent.comparators[0]) is False:  # `ok is False`, `ok == False`
                    negated = not negated
            elif isinstance(parent, ast.BoolOp):
                pass  # `if not (a and b)`: the check takes part in the decision
            elif isinstance(parent, ast.If) and cur is parent.test:
                return _branch_stops(parent, negated)
            elif isinstance(parent, ast.Assert):
                return True
            elif isinstance(parent, ast.Return):  # a verifying helper: judged where it is called
                return hops < 2 and any(
                    caller.stops(call, hops + 1, negated) for caller, call in self.scope.call_sites(self.fn.name)
                )
            elif isinstance(parent, (ast.Assign, ast.AnnAssign)):
                targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                names = {t.id for t in targets if isinstance(t, ast.Name)}
                return hops < 3 and any(
                    n.id in names and self.stops(n, hops + 1, negated)
                    for n in self.nodes
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                )
            else:
                return False
            cur = parent

    def not_swallowed(self, node: ast.AST) -> bool:
        """A call that raises on failure stops the request, unless a `try` around it ignores the error."""
        cur = node
        while (parent := self.parents.get(id(cur))) is not None:
            if (
                isinstance(parent, ast.Try)
                and any(cur is s for s in parent.body)
                and not any(_stops_in(h.body) for h in parent.handlers)
            ):
                return False
            cur = parent
        return True

    # -- the checks --

    def checks(self) -> Iterator[AuthCheck]:
        for node in self.nodes:
            if isinstance(node, ast.Call):
                found = list(self._call(node))
            elif isinstance(node, ast.Compare) and self.scope.uses_hmac:
                found = list(self._plain_compare(node))
            else:
                continue
            if found and self.unconditional(node):
                yield from found

    def unconditional(self, node: ast.AST) -> bool:
        """The check runs on every request: it is not inside an `if` branch whose other branch lets the
        request go on (`if "Authorization" in headers: jwt.decode(...)`: no header, no check)."""
        cur = node
        while (parent := self.parents.get(id(cur))) is not None and parent is not self.fn:
            if isinstance(parent, ast.If) and cur is not parent.test:
                other = parent.orelse if any(cur is s for s in parent.body) else parent.body
                if not _stops_in(other):
                    return False
            cur = parent
        return True

    def _check(self, kind: str, node: ast.AST, detail: str, confidence: str = "high") -> AuthCheck:
        return AuthCheck(kind, Loc(self.mod.rel, getattr(node, "lineno", 0)), detail, confidence)

    def _call(self, call: ast.Call) -> Iterator[AuthCheck]:
        q = qualname(self.mod, call.func) or ""
        callee = unparse(call.func)
        if q in _COMPARE_DIGEST and len(call.args) == 2:
            header = self._signature_pair(call.args[0], call.args[1])
            if header is not None and self.stops(call):
                yield self._check("hmac", call, f"{callee}() checks the {header} against an HMAC of the request")
        elif q in _JWT_DECODE and self._verifying_jwt(call) and self.not_swallowed(call):
            yield self._check("jwt", call, f"{callee}() verifies the request's token with a key")
        elif (q in _STRIPE or callee.endswith("Webhook.construct_event")) and self.not_swallowed(call):
            yield self._check("webhook", call, f"{callee}() verifies the Stripe-Signature header")
        elif (
            isinstance(call.func, ast.Attribute)
            and call.func.attr in _SLACK_METHODS
            and self._slack_verifier(call.func.value)
            and self.stops(call)
        ):
            yield self._check("webhook", call, f"{callee}() verifies the Slack request signature")

    def _plain_compare(self, node: ast.Compare) -> Iterator[AuthCheck]:
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            return
        header = self._signature_pair(node.left, node.comparators[0])
        if header is None:
            return
        # `sig != expected` is true when the check fails
        if self.stops(node, negated=isinstance(node.ops[0], ast.NotEq)):
            op = "==" if isinstance(node.ops[0], ast.Eq) else "!="
            yield self._check(
                "hmac",
                node,
                f"`{op}` checks the {header} against an HMAC of the request (not a constant-time comparison)",
                "medium",
            )

    def _signature_pair(self, a: ast.expr, b: ast.expr) -> str | None:
        """The header's words when one side is a request header and the other an HMAC; None otherwise."""
        for header, computed in ((a, b), (b, a)):
            if (
                self.computes_hmac(computed)
                and _HMAC_TAG not in self.tags(header)
                and self.from_request(header, _HEADER)
            ):
                name = self._header_name(header) or self._caller_header_name(header)
                return f"`{name}` header" if name else "request's signature header"
        return None

    def _header_name(self, node: ast.AST, depth: int = 0) -> str | None:
        """The header's name as written (`X-Hub-Signature-256`), followed through assignments."""
        if depth > _DEPTH:
            return None
        nodes = self.mod.index.walk(node)
        strings = [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        named = next((s for s in strings if _SIG_HEADER.search(s)), None)
        if named:
            return named
        for n in nodes:
            if isinstance(n, ast.Name) and n.id in self.assigns:
                for v in self.assigns[n.id]:
                    if v is not node and (got := self._header_name(v, depth + 1)):
                        return got
        return None

    def _caller_header_name(self, node: ast.AST) -> str | None:
        """The header's name where a helper receives it as a parameter: at the calls of the helper."""
        for t in self.tags(node):
            if t.startswith("param:"):
                i = int(t[6:])
                for caller, call in self.scope.call_sites(self.fn.name):
                    arg = _argument(call, i, self.params, self.params[i])
                    if arg is not None and (name := caller._header_name(arg)):
                        return name
        return None

    def _verifying_jwt(self, call: ast.Call) -> bool:
        token = call.args[0] if call.args else _kw(call, "jwt") or _kw(call, "token")
        key = call.args[1] if len(call.args) > 1 else _kw(call, "key")
        if token is None or key is None or (isinstance(key, ast.Constant) and key.value in ("", None)):
            return False
        options = _kw(call, "options")
        if isinstance(options, ast.Name):
            options = next(iter(self.assigns.get(options.id, [])), None) or self.mod.globals.get(options.id)
        if isinstance(options, ast.Dict):
            for k, v in zip(options.keys, options.values, strict=True):
                if k is not None and _lit(k) in ("verify_signature", "verify") and _lit(v) is False:
                    return False
        if _lit(_kw(call, "verify")) is False:
            return False
        algorithms = _kw(call, "algorithms") or (call.args[2] if len(call.args) > 2 else None)
        if isinstance(algorithms, ast.Name):
            algorithms = next(iter(self.assigns.get(algorithms.id, [])), None) or self.mod.globals.get(algorithms.id)
        if algorithms is None:
            return False  # the token's own header picks the algorithm: not a verification to rely on
        if isinstance(algorithms, (ast.List, ast.Tuple, ast.Set)) and any(
            str(_lit(e)).lower() == "none" for e in algorithms.elts
        ):
            return False
        return self.from_request(token, _REQUEST)

    def _slack_verifier(self, obj: ast.expr) -> bool:
        values: list[ast.expr] = [obj]
        if isinstance(obj, ast.Name):
            values = [*self.assigns.get(obj.id, []), *([g] if (g := self.mod.globals.get(obj.id)) is not None else [])]
        for v in values:
            if isinstance(v, ast.Call):
                q = qualname(self.mod, v.func) or unparse(v.func)
                if q.endswith("SignatureVerifier") and ("slack" in q or q == "SignatureVerifier"):
                    return True
        return False


def _argument(call: ast.Call, index: int, params: list[str], name: str) -> ast.expr | None:
    """The argument a call passes for parameter `index` / `name` (a method's `self` is not passed)."""
    kw = _kw(call, name)
    if kw is not None:
        return kw
    if params and params[0] in ("self", "cls"):
        index -= 1
    return call.args[index] if 0 <= index < len(call.args) else None


def _branch_stops(node: ast.If, negated: bool) -> bool:
    """The branch that runs when the check fails raises or returns (`if not ok: return 401`), or the check
    passing returns early so that what follows the `if` is the failure path."""
    if negated:
        return _stops_in(node.body)
    if node.orelse:
        return _stops_in(node.orelse)
    return bool(node.body) and isinstance(node.body[-1], ast.Return)


def _stops_in(body: list[ast.stmt]) -> bool:
    for stmt in body:
        for n in ast.walk(stmt):
            if isinstance(n, (ast.Raise, ast.Return)):
                return True
            if isinstance(n, ast.Call) and _callee_name(n) == "abort":  # Flask `abort(401)` raises
                return True
    return False


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _lit(node: ast.AST | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None
