"""Sanitising guards: the tests of an `if` that constrain a value in one of its branches."""

from __future__ import annotations

import ast

from fnaudit.engines.code import ir
from fnaudit.engines.code.python import sinks as S
from fnaudit.engines.code.python.taint import names
from fnaudit.engines.code.python.taint.walk import Walk
from fnaudit.engines.code.taint.values import ALL


def guards(w: Walk, test: ast.expr) -> tuple[list[tuple[str, frozenset[str]]], list[tuple[str, frozenset[str]]]]:
    """(what the test sanitises when true, what it sanitises when false)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        pos, neg = guards(w, test.operand)
        return neg, pos
    if isinstance(test, ast.BoolOp):
        pos_all: list[tuple[str, frozenset[str]]] = []
        neg_all: list[tuple[str, frozenset[str]]] = []
        for v in test.values:
            p, n = guards(w, v)
            if isinstance(test.op, ast.And):
                pos_all += p
            else:
                neg_all += n
        return pos_all, neg_all
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        key = names.key_of(w, test.left)
        op = test.ops[0]
        # `urlparse(url).hostname not in ALLOWED`: the URL's host is pinned, so the URL is safe to fetch or
        # redirect to (its path and query still are the caller's: other sinks keep it)
        url = url_of_host(w, test.left)
        g = [(key, ALL)] if key else []
        g += [(url, URL_KINDS)] if url else []
        if g and isinstance(op, (ast.In, ast.NotIn)) and is_constant_collection(w, test.comparators[0]):
            return (g, []) if isinstance(op, ast.In) else ([], g)
        if g and isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(test.comparators[0], ast.Constant):
            return (g, []) if isinstance(op, ast.Eq) else ([], g)
    if isinstance(test, ast.Compare):
        bound = bounds(w, test)
        if bound is not None:
            return bound
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute):
        key = names.key_of(w, test.func.value)
        meth = test.func.attr
        if key and meth in ("isdigit", "isnumeric", "isdecimal", "isalnum", "isalpha", "isidentifier"):
            return [(key, ALL)], []
        url = url_of_host(w, test.func.value)
        if url and meth == "endswith" and test.args:
            return [(url, host_suffix_kinds(w, test.args[0]))], []
        if key and meth == "startswith":
            val = w.env.get(key, {})
            if val and all(S.NORMALISED in r.cleared for r in val):
                return [(key, frozenset({ir.PATH}))], []
        qual = names.qualname(w, test.func)
        if qual in ("re.fullmatch", "re.match") and len(test.args) >= 2:
            key = names.key_of(w, test.args[1])
            if key:
                return [(key, ALL)], []
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and len(test.args) == 2
    ):
        key = names.key_of(w, test.args[0])
        t = test.args[1]
        if key and isinstance(t, ast.Name) and t.id in ("int", "float", "bool"):
            return [(key, ALL)], []
    return [], []


_URL_PARSERS = frozenset({"urllib.parse.urlparse", "urllib.parse.urlsplit"})
_HOST_ATTRS = frozenset({"hostname", "netloc"})
# what pinning a URL's host makes safe: where a request goes, where a redirect sends the browser
URL_KINDS = frozenset({ir.SSRF, ir.REDIRECT})
# `hostname.endswith("example.com")` without the leading dot also passes `evil-example.com`: the finding
# stays, at lower confidence (see `taint.facts`)
WEAK_URL_KINDS = frozenset({ir.WEAK_GUARD + ir.SSRF, ir.WEAK_GUARD + ir.REDIRECT})


def url_of_host(w: Walk, node: ast.expr) -> str | None:
    """The key of the URL whose host `node` reads: `urlparse(url).hostname` / `.netloc`, through locals
    (`parts = urlsplit(url)`; `host = parts.hostname`)."""
    if isinstance(node, ast.Name) and node.id in w.assigned:
        node = w.assigned[node.id]
    if not (isinstance(node, ast.Attribute) and node.attr in _HOST_ATTRS):
        return None
    parsed = node.value
    if isinstance(parsed, ast.Name) and parsed.id in w.assigned:
        parsed = w.assigned[parsed.id]
    if isinstance(parsed, ast.Call) and parsed.args and names.qualname(w, parsed.func) in _URL_PARSERS:
        return names.key_of(w, parsed.args[0])
    return None


def host_suffix_kinds(w: Walk, suffix: ast.expr) -> frozenset[str]:
    """`host.endswith(".example.com")` (or a tuple of such) pins the host to a domain; a suffix without
    its leading dot does not (`evil-example.com`)."""
    if isinstance(suffix, ast.Name) and suffix.id not in w.locals:
        suffix = w.module.globals.get(suffix.id, suffix)
    items = suffix.elts if isinstance(suffix, ast.Tuple) else [suffix]
    dotted = all(isinstance(i, ast.Constant) and isinstance(i.value, str) and i.value.startswith(".") for i in items)
    return URL_KINDS if items and dotted else WEAK_URL_KINDS


_AMPLIFICATION = frozenset({ir.AMPLIFICATION})
_UPPER = (ast.Lt, ast.LtE)  # key < bound: bounded when true
_LOWER = (ast.Gt, ast.GtE)  # key > bound: bounded when false


def bounds(
    w: Walk, test: ast.Compare
) -> tuple[list[tuple[str, frozenset[str]]], list[tuple[str, frozenset[str]]]] | None:
    """`n <= MAX` (or `0 < n <= MAX`) bounds `n` when true; `n > MAX` when false (`if n > MAX: return`).
    The bound must not be event data itself (CODE022)."""
    operands = [test.left, *test.comparators]
    for i, op in enumerate(test.ops):
        left, right = operands[i], operands[i + 1]
        for key_node, other, bounded_when_true in (
            (left, right, isinstance(op, _UPPER)),
            (right, left, isinstance(op, _LOWER)),
        ):
            if not isinstance(op, (*_UPPER, *_LOWER)):
                continue
            key = names.key_of(w, key_node)
            if key is None or key not in w.env or not w.env[key] or active_in(w, other):
                continue
            g = [(key, _AMPLIFICATION)]
            if bounded_when_true:
                return g, []
            if len(test.ops) == 1:
                return [], g
    return None


def active_in(w: Walk, node: ast.expr) -> bool:
    """Whether `node` reads a variable that holds event data (then it is no bound)."""
    return any(isinstance(n, ast.Name) and w.env.get(n.id) for n in ast.walk(node))


def is_constant_collection(w: Walk, node: ast.expr) -> bool:
    if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
        return all(isinstance(e, ast.Constant) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(isinstance(k, ast.Constant) for k in node.keys if k is not None)
    if isinstance(node, ast.Name) and node.id not in w.locals:
        g = w.module.globals.get(node.id)
        if g is not None:
            if (
                isinstance(g, ast.Call)
                and isinstance(g.func, ast.Name)
                and g.func.id in ("frozenset", "set", "tuple")
                and g.args
            ):
                return is_constant_collection(w, g.args[0])
            return is_constant_collection(w, g)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("frozenset", "set", "tuple")
        and node.args
    ):
        return is_constant_collection(w, node.args[0])
    return False
