"""Terraform files → blocks with their attributes' expressions and lines (tree-sitter-hcl; `.tf.json` too).

Nothing is evaluated here: an attribute keeps its expression node (or, from `.tf.json`, its JSON value),
and `expr.py` evaluates it in a module's scope. A file with a syntax error is reported with its first
error line by the caller and skipped whole: a half-read configuration would give confident wrong answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from tree_sitter import Language, Node, Parser

from fnaudit.treecheck import first_error_line


@dataclass(frozen=True, slots=True)
class Attr:
    name: str
    expr: Node | None  # an HCL expression node; None when the value came from `.tf.json`
    line: int
    json_value: Any = None  # `.tf.json`: the value as written (strings may hold `${...}` templates)
    source: bytes = b""  # the file's bytes (heredocs are read from the source text)


@dataclass(frozen=True, slots=True)
class Block:
    type: str  # resource, data, module, variable, locals, output, provider, terraform, or a nested block name
    labels: tuple[str, ...]
    rel: str  # file relative to the scan root
    line: int
    attrs: dict[str, Attr] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()

    def nested(self, name: str) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.type == name)


class HclError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@cache
def _parser() -> Parser:
    import tree_sitter_hcl

    return Parser(Language(tree_sitter_hcl.language()))


@lru_cache(maxsize=8)
def parse_file(rel: str, text: str) -> tuple[Block, ...]:
    """The top-level blocks of one file; raises HclError when the file cannot be read as a whole.

    Memoised (the blocks are never changed by their readers): the loader reads a root module's files, then
    the secrets engine reads them again for the variables' defaults (`defaults.py`), and a local module
    called with `for_each` is read once per instance; parsing is most of the cost of reading one. Eight entries:
    the files of one module (a parse holds its whole tree: 32 kept about 120 MB alive at 1,000 functions)."""
    if rel.endswith(".json"):
        return _parse_json(rel, text)
    source = text.encode("utf-8", "surrogateescape")
    tree = _parser().parse(source)
    if tree.root_node.has_error:
        bad = first_error_line(tree.root_node)
        raise HclError(bad, f"line {bad}: not valid HCL (syntax error); this file is not read")
    body = next((c for c in tree.root_node.named_children if c.type == "body"), None)
    # the tree must outlive the nodes kept in Attr: nodes hold a reference to it
    return _body_blocks(rel, body, source)[1] if body is not None else ()


def _body_attrs(rel: str, source: bytes) -> dict[str, Attr]:
    """The top-level attributes of a file (a `.tfvars` file is only attributes)."""
    tree = _parser().parse(source)
    if tree.root_node.has_error:
        bad = first_error_line(tree.root_node)
        raise HclError(bad, f"line {bad}: not valid HCL (syntax error)")
    body = next((c for c in tree.root_node.named_children if c.type == "body"), None)
    return _body_blocks(rel, body, source)[0] if body is not None else {}


def _body_blocks(rel: str, body: Node, source: bytes) -> tuple[dict[str, Attr], tuple[Block, ...]]:
    attrs: dict[str, Attr] = {}
    blocks: list[Block] = []
    for child in body.named_children:
        if child.type == "attribute":
            name_node = child.named_children[0]
            expr = child.child_by_field_name("val") or next(
                (c for c in child.named_children if c.type == "expression"), None
            )
            name = _text(name_node)
            attrs[name] = Attr(name, expr, child.start_point[0] + 1, source=source)
        elif child.type == "block":
            blocks.append(_block(rel, child, source))
    return attrs, tuple(blocks)


def _block(rel: str, node: Node, source: bytes) -> Block:
    kids = node.named_children
    kind = _text(kids[0]) if kids else ""
    labels = tuple(_label(c) for c in kids[1:] if c.type in ("string_lit", "identifier"))
    body = next((c for c in kids if c.type == "body"), None)
    attrs, blocks = _body_blocks(rel, body, source) if body is not None else ({}, ())
    return Block(kind, labels, rel, node.start_point[0] + 1, attrs, blocks)


def _label(node: Node) -> str:
    if node.type == "identifier":
        return _text(node)
    return "".join(_text(c) for c in node.named_children if c.type == "template_literal")


def _text(node: Node | None) -> str:
    raw = node.text if node is not None else None  # once: each `.text` copies the bytes out of the tree
    return raw.decode("utf-8", "replace") if raw is not None else ""


# ---- .tf.json ---------------------------------------------------------------------------------

_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1}


def _parse_json(rel: str, text: str) -> tuple[Block, ...]:
    """`.tf.json`: the JSON syntax of Terraform. Lines are not kept by `json`: each block gets the line
    where its label first appears in the text (good enough to point a person at it)."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", 0)
        raise HclError(line, f"line {line}: not valid JSON ({exc}); this file is not read") from exc
    if not isinstance(doc, dict):
        raise HclError(1, "line 1: a .tf.json file must hold an object; this file is not read")
    lines = text.splitlines()
    out: list[Block] = []
    for kind, value in doc.items():
        depth = _LABELS.get(kind, 0)
        for labels, body in _json_bodies(value, depth):
            out.extend(_json_block(rel, kind, labels, b, lines) for b in (body if isinstance(body, list) else [body]))
    return tuple(out)


def _json_bodies(value: Any, depth: int, labels: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if depth == 0 or not isinstance(value, dict):
        return [(labels, value)]
    out: list[tuple[tuple[str, ...], Any]] = []
    for key, inner in value.items():
        out.extend(_json_bodies(inner, depth - 1, (*labels, key)))
    return out


def _json_block(rel: str, kind: str, labels: tuple[str, ...], body: Any, lines: list[str]) -> Block:
    line = _find_line(lines, labels[-1] if labels else kind)
    attrs: dict[str, Attr] = {}
    blocks: list[Block] = []
    if isinstance(body, dict):
        for key, value in body.items():
            # a list of objects under a known nested-block name is a nested block (environment, statement…)
            if key in _NESTED_JSON and isinstance(value, (dict, list)):
                for item in value if isinstance(value, list) else [value]:
                    blocks.append(_json_block(rel, key, (), item, lines))
            else:
                attrs[key] = Attr(key, None, _find_line(lines, key, line), json_value=value)
    return Block(kind, labels, rel, line, attrs, tuple(blocks))


# Nested blocks the Lambda model reads, in `.tf.json` written as objects under their block name.
_NESTED_JSON = frozenset(
    {
        "environment",
        "statement",
        "principals",
        "condition",
        "dead_letter_config",
        "tracing_config",
        "vpc_config",
        "lambda_function",
        "queue",
        "topic",
        "cors",
        "source",
        "dynamic",
    }
)


def _find_line(lines: list[str], key: str, after: int = 0) -> int:
    quoted = f'"{key}"'
    for i in range(max(after - 1, 0), len(lines)):
        if quoted in lines[i]:
            return i + 1
    return after
