"""Evaluating HCL expressions: literals, templates, references, operators, conditionals, `for`
expressions, splats and the built-in functions a Lambda configuration uses.

The scope (`Scope`, implemented by `module.ModuleScope`) answers references (`var.x`, `local.y`,
`aws_iam_role.r.arn`, `module.m.out`, `each.value`…). What cannot be known without running Terraform is
an `Unknown`; nothing raises for a strange expression (it becomes Unknown), and nothing is executed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Protocol

from tree_sitter import Node

from fnaudit.loaders.terraform.values import Archive, Cfn, Concat, Encoded, SrcDict, Unknown, as_text, is_known

MAX_DEPTH = 60  # deeper expressions are generated code: Unknown, not a stack overflow

Step = tuple[str, Any]  # ("attr", name) | ("index", key) | ("splat", steps)


class Scope(Protocol):
    def reference(self, root: str, steps: list[Step], text: str) -> Any: ...

    def read_file(self, path: Any) -> str | None: ...


def text_of(node: Node | None) -> str:
    raw = node.text if node is not None else None  # once: each `.text` copies the bytes out of the tree
    return raw.decode("utf-8", "replace") if raw is not None else ""


class Evaluator:
    def __init__(self, scope: Scope, source: bytes, names: dict[str, Any] | None = None, rel: str = "") -> None:
        self.scope = scope
        self.source = source
        self.names = names or {}  # `for` expression and template loop variables
        self.rel = rel  # the file the expression is in: objects written in it remember their lines
        self.depth = 0

    def with_names(self, names: dict[str, Any]) -> Evaluator:
        return Evaluator(self.scope, self.source, {**self.names, **names}, self.rel)

    def eval(self, node: Node | None) -> Any:
        if node is None:
            return None
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                return Unknown(text_of(node)[:80], "expression too deep")
            return self._eval(node)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError, RecursionError):
            return Unknown(text_of(node)[:200], "cannot be evaluated without Terraform")
        finally:
            self.depth -= 1

    # ---- node kinds ------------------------------------------------------------------------------

    def _eval(self, node: Node) -> Any:
        kind = node.type
        if kind == "expression":
            return self._expression(node)
        if kind == "literal_value":
            return self._literal(node.named_children[0])
        if kind == "template_expr":
            return self._template(node.named_children[0])
        if kind == "collection_value":
            return self._collection(node.named_children[0])
        if kind == "function_call":
            return self._call(node)
        if kind == "for_expr":
            return self._for(node.named_children[0])
        if kind == "conditional":
            cond, yes, no = node.named_children[:3]
            c = self.eval(cond)
            if isinstance(c, bool):
                return self.eval(yes if c else no)
            return Unknown(text_of(node)[:200], "condition unknown until apply")
        if kind == "operation":
            return self._operation(node.named_children[0])
        if kind in ("variable_expr",):
            return self._traverse(node, [])
        return Unknown(text_of(node)[:200], f"unsupported expression ({kind})")

    def _expression(self, node: Node) -> Any:
        kids = node.named_children
        if not kids:
            return None
        head, rest = kids[0], kids[1:]
        if head.type == "variable_expr":
            return self._traverse(head, rest)
        value = self.eval(head)
        for step in rest:  # (expr)[0], func().x
            value = _apply(value, self._step(step), text_of(node))
        return value

    def _step(self, node: Node) -> Step:
        if node.type == "get_attr":
            return ("attr", text_of(node.named_children[-1]))
        if node.type == "index":
            inner = node.named_children[0]
            if inner.type == "legacy_index":
                return ("index", int(text_of(inner).lstrip(".")))
            return ("index", self.eval(inner.named_children[0]))
        if node.type == "splat":
            inner = node.named_children[0]
            return ("splat", [self._step(s) for s in inner.named_children])
        raise ValueError(node.type)

    def _traverse(self, head: Node, rest: list[Node]) -> Any:
        name = text_of(head.named_children[0]) if head.named_children else text_of(head)
        steps = [self._step(s) for s in rest]
        text = text_of(head) + "".join(text_of(s) for s in rest)
        if name in self.names:
            value = self.names[name]
            for step in steps:
                value = _apply(value, step, text)
            return value
        return self.scope.reference(name, steps, text)

    def _literal(self, node: Node) -> Any:
        if node.type == "numeric_lit":
            raw = text_of(node)
            return float(raw) if any(c in raw for c in ".eE") else int(raw)
        if node.type == "bool_lit":
            return text_of(node) == "true"
        if node.type == "null_lit":
            return None
        if node.type == "string_lit":
            return _unescape("".join(text_of(c) for c in node.named_children if c.type == "template_literal"))
        return self._template(node)

    # ---- templates -----------------------------------------------------------------------------

    def _template(self, node: Node) -> Any:
        parts: list[Any] = []
        if node.type == "heredoc_template":
            parts = self._heredoc(node)
        else:
            for child in node.named_children:
                parts.extend(self._template_part(child, heredoc=False))
        return _join(parts)

    def _template_part(self, child: Node, heredoc: bool) -> list[Any]:
        if child.type == "template_literal":
            raw = text_of(child)
            return [raw if heredoc else _unescape(raw)]
        if child.type == "template_interpolation":
            expr = next((c for c in child.named_children if c.type == "expression"), None)
            return [self.eval(expr)]
        if child.type == "template_directive":
            return [Unknown(text_of(child)[:200], "template directive")]
        return []

    def _heredoc(self, node: Node) -> list[Any]:
        """Heredoc text is read from the source between the two markers, so whitespace and newlines
        survive (tree-sitter keeps only the literal runs); `<<-` strips the common indentation."""
        ids = [c for c in node.named_children if c.type == "heredoc_identifier"]
        if len(ids) < 2:
            return [Unknown(text_of(node)[:200], "heredoc")]
        start = self.source.index(b"\n", ids[0].end_byte) + 1 if b"\n" in self.source[ids[0].end_byte :] else 0
        end = ids[-1].start_byte
        parts: list[Any] = []
        at = start
        for child in node.named_children:
            if child.type in ("template_interpolation", "template_directive") and child.start_byte >= start:
                parts.append(self.source[at : child.start_byte].decode("utf-8", "replace"))
                parts.extend(self._template_part(child, heredoc=True))
                at = child.end_byte
        parts.append(self.source[at:end].decode("utf-8", "replace"))
        strip = any(c.type == "heredoc_start" and text_of(c) == "<<-" for c in node.named_children)
        if strip:
            parts = _dedent(parts)
        # the closing marker's own line: drop the newline before it
        if parts and isinstance(parts[-1], str):
            parts[-1] = re.sub(r"\n[ \t]*$", "\n", parts[-1])
        return parts

    # ---- collections, calls, for ---------------------------------------------------------------

    def _collection(self, node: Node) -> Any:
        if node.type == "tuple":
            return [self.eval(c) for c in node.named_children if c.type == "expression"]
        # an object written in a file keeps its lines: a policy statement in `jsonencode({...})` is then
        # reported on its own line, not on the line of the attribute that holds the whole document
        out: dict[str, Any] = SrcDict(self.rel, node.start_point[0] + 1) if self.rel else {}
        for elem in node.named_children:
            if elem.type != "object_elem":
                continue
            key_node, value_node = [c for c in elem.named_children if c.type == "expression"][:2]
            key = self._object_key(key_node)
            out[key] = self.eval(value_node)
            if isinstance(out, SrcDict):
                out.key_lines[key] = elem.start_point[0] + 1
        return out

    def _object_key(self, node: Node) -> str:
        kids = node.named_children
        # a bare word is the key itself (`Version = …`), not a reference
        if len(kids) == 1 and kids[0].type == "variable_expr":
            return text_of(kids[0])
        key = self.eval(node)
        text = as_text(key)
        return text if text is not None else text_of(node)

    def _call(self, node: Node) -> Any:
        name = text_of(node.named_children[0])
        args_node = next((c for c in node.named_children if c.type == "function_arguments"), None)
        arg_nodes = [c for c in args_node.named_children if c.type == "expression"] if args_node else []
        expand = args_node is not None and any(c.type == "ellipsis" for c in args_node.children)
        if name in ("try", "can"):
            return self._try(name, arg_nodes)
        args = [self.eval(a) for a in arg_nodes]
        if expand and args and isinstance(args[-1], list):
            args = [*args[:-1], *args[-1]]
        fn = FUNCTIONS.get(name.split("::")[-1])
        if fn is None:
            return Unknown(text_of(node)[:200], f"function {name}() is not evaluated")
        if name == "file":
            return self.scope.read_file(args[0]) if args else None
        if name == "templatefile":
            return self._templatefile(args)
        if not all(is_known(a) for a in args) and name not in _PARTIAL:
            return Unknown(text_of(node)[:200])
        return fn(*args)

    def _try(self, name: str, arg_nodes: list[Node]) -> Any:
        for a in arg_nodes:
            value = self.eval(a)
            if is_known(value):
                return True if name == "can" else value
        return False if name == "can" else Unknown("try(...)")

    def _templatefile(self, args: list[Any]) -> Any:
        text = self.scope.read_file(args[0]) if args else None
        if not isinstance(text, str) or len(args) < 2 or not isinstance(args[1], dict):
            return Unknown("templatefile(...)", "template file or variables unknown")
        names = args[1]

        def one(m: re.Match[str]) -> str:
            value = names.get(m.group(1))
            shown = as_text(value)
            if shown is None:
                raise ValueError(m.group(1))
            return shown

        try:
            return re.sub(r"\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}", one, text)
        except ValueError:
            return Unknown("templatefile(...)", "template needs a value that is not known")

    def _for(self, node: Node) -> Any:
        intro = next(c for c in node.named_children if c.type == "for_intro")
        idents = [text_of(c) for c in intro.named_children if c.type == "identifier"]
        coll = self.eval(next(c for c in intro.named_children if c.type == "expression"))
        exprs = [c for c in node.named_children if c.type == "expression"]
        cond = next((c for c in node.named_children if c.type == "for_cond"), None)
        cond_expr = next((c for c in cond.named_children if c.type == "expression"), None) if cond else None
        if isinstance(coll, dict):
            items = sorted(coll.items())  # a map is walked in the lexical order of its keys
        elif isinstance(coll, list):
            items = list(enumerate(coll))
        else:
            return Unknown(text_of(node)[:200], "collection unknown until apply")
        is_object = node.type == "for_object_expr"
        out_list: list[Any] = []
        out_map: dict[str, Any] = {}
        for key, value in items:
            names = {idents[0]: value} if len(idents) == 1 else {idents[0]: key, idents[1]: value}
            inner = self.with_names(names)
            if cond_expr is not None and inner.eval(cond_expr) is not True:
                continue
            if is_object:
                k = as_text(inner.eval(exprs[0]))
                if k is None:
                    return Unknown(text_of(node)[:200], "key unknown until apply")
                out_map[k] = inner.eval(exprs[1])
            else:
                out_list.append(inner.eval(exprs[0]))
        return out_map if is_object else out_list

    def _operation(self, node: Node) -> Any:
        kids = node.children
        if node.type == "unary_operation":
            op, value = text_of(kids[0]), self.eval(kids[1])
            if not is_known(value):
                return Unknown(text_of(node))
            return (not value) if op == "!" else -value
        left, op, right = self.eval(kids[0]), text_of(kids[1]), self.eval(kids[2])
        if (op == "&&" and left is False) or (op == "||" and left is True):
            return left
        if (
            not (is_known(left) and is_known(right))
            or isinstance(left, (Cfn, Concat))
            or isinstance(right, (Cfn, Concat))
        ):
            return Unknown(text_of(node)[:200])
        return _BINARY[op](left, right)


# ---- helpers -------------------------------------------------------------------------------------


def _apply(value: Any, step: Step, text: str) -> Any:
    kind, arg = step
    if isinstance(value, (Unknown, Cfn, Concat)):
        return Unknown(text) if not isinstance(value, Unknown) else value
    if kind == "attr":
        if isinstance(value, dict):
            return value.get(arg, Unknown(text, f"no attribute {arg}"))
        return Unknown(text)
    if kind == "index":
        if isinstance(value, list) and isinstance(arg, (int, float)):
            return value[int(arg)]
        if isinstance(value, dict):
            key = as_text(arg)
            return value.get(key, Unknown(text)) if key is not None else Unknown(text)
        return Unknown(text)
    if kind == "splat":
        items = value if isinstance(value, list) else ([] if value is None else [value])
        out = []
        for item in items:
            for inner in arg:
                item = _apply(item, inner, text)
            out.append(item)
        return out
    return Unknown(text)


def apply_steps(value: Any, steps: list[Step], text: str) -> Any:
    for step in steps:
        value = _apply(value, step, text)
    return value


def _join(parts: list[Any]) -> Any:
    if len(parts) == 1 and not isinstance(parts[0], str):
        return parts[0]  # "${x}" is x itself, whatever its type
    out: list[Any] = []
    # Text that names a resource (`"arn:aws:apigateway:${var.region}:lambda:path/.../${aws_lambda_function.f.arn}/
    # invocations"`) keeps that reference even when another part is unknown: the reference is what ties the
    # integration to its function; the unknown parts stay unknown (parameters once lowered).
    keep_unknown = any(isinstance(p, (Cfn, Concat)) for p in parts)
    for p in parts:
        if isinstance(p, Encoded) and is_known(p.value):
            p = json.dumps(_plain(p.value), separators=(",", ":"))
        text = as_text(p) if not isinstance(p, str) else p
        if p is None:
            text = ""
        if text is not None:
            if out and isinstance(out[-1], str):
                out[-1] += text
            else:
                out.append(text)
        elif isinstance(p, Unknown) and not keep_unknown:
            return Unknown("".join(x if isinstance(x, str) else "${…}" for x in parts)[:200], p.why)
        else:
            out.append(p)
    if len(out) == 1 and isinstance(out[0], str):
        return out[0]
    return Concat(tuple(out)) if out else ""


def _plain(value: Any) -> Any:
    if isinstance(value, Encoded):
        return _plain(value.value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _unescape(raw: str) -> str:
    return (
        raw.replace("$${", "${")
        .replace("%%{", "%{")
        .replace('\\"', '"')
        .replace("\\n", "\n")
        .replace("\\t", "\t")
        .replace("\\\\", "\\")
    )


def _dedent(parts: list[Any]) -> list[Any]:
    lines = "".join(p if isinstance(p, str) else "\0" for p in parts).splitlines()
    indents = [len(x) - len(x.lstrip(" \t")) for x in lines if x.strip()]
    cut = min(indents) if indents else 0
    if not cut:
        return parts
    return [re.sub(rf"(^|\n)[ \t]{{0,{cut}}}", r"\1", p) if isinstance(p, str) else p for p in parts]


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: a % b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "&&": lambda a, b: bool(a and b),
    "||": lambda a, b: bool(a or b),
}


def _merge(*maps: Any) -> Any:
    out: dict[str, Any] = {}
    for m in maps:
        if isinstance(m, dict):
            out.update(m)
        elif m is not None:
            return Unknown("merge(...)")
    return out


def _lookup(m: Any, key: Any, *default: Any) -> Any:
    if isinstance(m, dict) and key in m:
        return m[key]
    return default[0] if default else Unknown(f"lookup(..., {key})")


def _coalesce(*xs: Any) -> Any:
    for x in xs:
        if isinstance(x, Unknown):
            return x
        if x not in (None, ""):
            return x
    return None


def _flatten(xs: Any) -> list[Any]:
    out: list[Any] = []
    for x in xs:
        out.extend(_flatten(x) if isinstance(x, list) else [x])
    return out


def _format(fmt: str, *args: Any) -> str:
    py = re.sub(r"%(-?\d*)([sdvq])", lambda m: "%" + m.group(1) + ("s" if m.group(2) in "svq" else "d"), fmt)
    return py % tuple(
        as_text(a) if m != "d" else a for a, m in zip(args, re.findall(r"%-?\d*([sdvq])", fmt), strict=False)
    )


def _tonumber(x: Any) -> Any:
    return x if isinstance(x, (int, float)) else (float(x) if "." in str(x) else int(x))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": lambda x: Encoded(x),
    "yamlencode": lambda x: Encoded(x),
    "jsondecode": lambda s: json.loads(s) if isinstance(s, str) else _plain(s),
    "file": lambda p: None,  # handled by the scope (reads inside the scan root only)
    "templatefile": lambda *a: None,  # handled above
    "format": _format,
    "lower": lambda s: s.lower(),
    "upper": lambda s: s.upper(),
    "title": lambda s: s.title(),
    "join": lambda sep, xs: sep.join(as_text(x) or "" for x in xs),
    "split": lambda sep, s: s.split(sep),
    "replace": lambda s, a, b: re.sub(a[1:-1], b, s) if a.startswith("/") and a.endswith("/") else s.replace(a, b),
    "trimspace": lambda s: s.strip(),
    "trim": lambda s, cs: s.strip(cs),
    "trimprefix": lambda s, p: s[len(p) :] if s.startswith(p) else s,
    "trimsuffix": lambda s, p: s[: -len(p)] if p and s.endswith(p) else s,
    "substr": lambda s, o, n: s[o : (o + n if n >= 0 else None)],
    "startswith": lambda s, p: s.startswith(p),
    "endswith": lambda s, p: s.endswith(p),
    "strcontains": lambda s, p: p in s,
    "concat": lambda *ls: [x for lst in ls for x in lst],
    "merge": _merge,
    "lookup": _lookup,
    "element": lambda xs, i: xs[int(i) % len(xs)],
    "length": lambda x: len(x),
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "contains": lambda xs, x: x in xs,
    "coalesce": _coalesce,
    "coalescelist": lambda *ls: next((lst for lst in ls if lst), []),
    "compact": lambda xs: [x for x in xs if x not in (None, "")],
    "distinct": lambda xs: list(dict.fromkeys(xs)),
    "flatten": _flatten,
    "tostring": lambda x: as_text(x) if x is not None else None,
    "tonumber": _tonumber,
    "tobool": lambda x: x if isinstance(x, bool) else str(x) == "true",
    "tolist": lambda x: list(x),
    "toset": lambda x: list(dict.fromkeys(x)),
    "tomap": lambda x: dict(x),
    "zipmap": lambda ks, vs: dict(zip(ks, vs, strict=True)),
    "range": lambda *a: list(range(*(int(x) for x in a))),
    "basename": lambda p: p.rstrip("/").rsplit("/", 1)[-1],
    "dirname": lambda p: p.rstrip("/").rsplit("/", 1)[0] if "/" in p else ".",
    "one": lambda xs: xs[0] if xs else None,
    "sort": lambda xs: sorted(xs),
    "reverse": lambda xs: list(reversed(xs)),
    "min": lambda *xs: min(xs),
    "max": lambda *xs: max(xs),
    "abs": lambda x: abs(x),
    "slice": lambda xs, a, b: xs[int(a) : int(b)],
    "setunion": lambda *ls: list(dict.fromkeys(x for lst in ls for x in lst)),
    "chunklist": lambda xs, n: [xs[i : i + int(n)] for i in range(0, len(xs), int(n))],
    "regex": lambda p, s: (re.search(p, s) or [None])[0],
}
# Functions that take unknown or reference arguments and still give a useful value.
_PARTIAL = frozenset(
    {"jsonencode", "yamlencode", "merge", "concat", "coalesce", "lookup", "flatten", "tolist", "tomap"}
)

# `Archive` is produced by the scope for archive_file data sources; re-exported for type users.
__all__ = ["FUNCTIONS", "Archive", "Evaluator", "Scope", "apply_steps", "text_of"]
