"""Where a Python handler's secrets go: written to `/tmp`, or returned to the caller (SECRET005).

A secret fetched once and cached at module scope is the recommended pattern and is not reported.
What is reported: a value read from a secret-named environment variable or fetched from Secrets
Manager / SSM (with decryption) / KMS that the code writes under `/tmp` (which outlives the
invocation and is shared with whatever else runs in the sandbox), or that a handler returns (it
ends up in the API response or the caller's logs). Intra-procedural, assignments only: a flow
through a helper's return value is followed when the helper is a known fetch call.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from fnaudit.engines.secrets.context import secret_word

_FETCH_CALLS = frozenset(
    {
        "get_secret_value",
        "get_secret",
        "get_parameter",
        "get_parameters",
        "decrypt",
        "get_parameters_by_path",
        "get_secret_string",
    }
)
_HANDLER_PARAMS = ({"event", "context"}, {"event", "ctx"}, {"_event", "_context"}, {"event", "_context"})


@dataclass(frozen=True, slots=True)
class Flow:
    line: int
    kind: str  # "tmp-write" | "response"
    source: str  # "os.environ['DB_PASSWORD']", "secretsmanager get_secret_value"
    key: str | None  # the env var / name when known


def _source_of(node: ast.AST) -> tuple[str, str | None] | None:
    """(description, key) when the expression reads a secret directly."""
    for sub in ast.walk(node):
        # os.environ["X"], os.environ.get("X"), os.getenv("X")
        if isinstance(sub, ast.Subscript) and _is_environ(sub.value):
            key = _const_str(sub.slice)
            if key and secret_word(key):
                return f"os.environ['{key}']", key
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute):
            attr = sub.func.attr
            if attr in ("get", "getenv") and (attr == "getenv" or _is_environ(sub.func.value)) and sub.args:
                key = _const_str(sub.args[0])
                if key and secret_word(key):
                    return f"os.environ['{key}']", key
            if attr in _FETCH_CALLS:
                if attr == "get_parameter" and not any(k.arg == "WithDecryption" for k in sub.keywords):
                    continue
                return f"{attr}()", None
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in _FETCH_CALLS:
            return f"{sub.func.id}()", None
    return None


def _is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def _const_str(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


_SANITISERS = frozenset({"bool", "len", "hash", "isinstance", "type", "id", "callable", "any", "all"})


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _carried(node: ast.AST) -> set[str]:
    """Names whose value the expression carries: not through `bool(x)`, `len(x)`, `x is None`…"""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Compare):
            continue
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in _SANITISERS:
            continue
        if isinstance(n, ast.Name):
            out.add(n.id)
        stack.extend(ast.iter_child_nodes(n))
    return out


def _targets(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _mentions_tmp(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value.startswith("/tmp"):
            return True
    return False


class _Taint:
    def __init__(self, inherited: dict[str, tuple[str, str | None]]) -> None:
        self.names: dict[str, tuple[str, str | None]] = dict(inherited)

    def of(self, node: ast.AST) -> tuple[str, str | None] | None:
        direct = _source_of(node)
        if direct:
            return direct
        for n in _carried(node):
            if n in self.names:
                return self.names[n]
        return None

    def assign(self, stmt: ast.AST) -> None:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and stmt.value is not None:
            src = self.of(stmt.value)
            if src:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    for name in _targets(t):
                        self.names[name] = src


def _module_taint(tree: ast.Module) -> dict[str, tuple[str, str | None]]:
    """Module-scope names holding secrets (the cached-secret pattern: fine in itself)."""
    t = _Taint({})
    for stmt in tree.body:
        t.assign(stmt)
    return t.names


def python_flows(text: str, handler_symbol: str | None = None) -> list[Flow]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return []
    module = _module_taint(tree)
    out: list[Flow] = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        taint = _Taint(module)
        body_nodes = [n for stmt in fn.body for n in ast.walk(stmt)]
        for _ in range(2):  # twice: a name assigned after its first use in a loop
            for n in body_nodes:
                taint.assign(n)
        params = {a.arg for a in fn.args.args}
        is_handler = fn.name == handler_symbol or any(p <= params for p in _HANDLER_PARAMS)
        for n in body_nodes:
            if isinstance(n, ast.With):
                for item in n.items:
                    if _opens_tmp_for_write(item.context_expr) and item.optional_vars is not None:
                        handle = _targets(item.optional_vars)
                        for sub in (s for stmt in n.body for s in ast.walk(stmt)):
                            src = _written(sub, handle, taint)
                            if src:
                                out.append(Flow(getattr(sub, "lineno", n.lineno), "tmp-write", src[0], src[1]))
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
                # open("/tmp/x", "w").write(secret) ; Path("/tmp/x").write_text(secret)
                if n.func.attr in ("write", "write_text", "write_bytes") and _mentions_tmp(n.func.value) and n.args:
                    src = taint.of(n.args[0])
                    if src:
                        out.append(Flow(n.lineno, "tmp-write", src[0], src[1]))
            elif isinstance(n, ast.Return) and is_handler and n.value is not None:
                src = taint.of(n.value)
                if src:
                    out.append(Flow(n.lineno, "response", src[0], src[1]))
    return sorted(set(out), key=lambda f: (f.line, f.kind))


def _opens_tmp_for_write(expr: ast.AST) -> bool:
    if not (isinstance(expr, ast.Call) and _mentions_tmp(expr)):
        return False
    name = (
        expr.func.id
        if isinstance(expr.func, ast.Name)
        else expr.func.attr
        if isinstance(expr.func, ast.Attribute)
        else ""
    )
    if name != "open":
        return False
    mode = (
        _const_str(expr.args[1])
        if len(expr.args) > 1
        else next((_const_str(k.value) for k in expr.keywords if k.arg == "mode"), "r")
    )
    return mode is not None and any(c in mode for c in "wax+")


def _written(node: ast.AST, handle: set[str], taint: _Taint) -> tuple[str, str | None] | None:
    if not isinstance(node, ast.Call):
        return None
    f = node.func
    if isinstance(f, ast.Attribute) and f.attr in ("write", "writelines") and _names(f.value) & handle and node.args:
        return taint.of(node.args[0])
    if isinstance(f, ast.Attribute) and f.attr in ("dump",) and len(node.args) >= 2 and _names(node.args[1]) & handle:
        return taint.of(node.args[0])
    return None
