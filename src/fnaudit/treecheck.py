"""Checks every tree-sitter reader (the JavaScript/TypeScript, Go and Java front ends, the Terraform loader)
makes on a parsed file before walking it.

A tree with a syntax error is not analysed (its facts would be guesses), and the line of the first error goes
into the `errors` entry so that a person can find it; a tree deeper than `MAX_DEPTH` (generated code, minified
bundles) is not analysed either, because the walks are recursive.
"""

from __future__ import annotations

from tree_sitter import Node

MAX_DEPTH = 400


def first_error_line(root: Node) -> int:
    """The 1-based line of the first syntax error under `root` (0 when tree-sitter names none)."""
    todo = [root]
    while todo:
        node = todo.pop()
        if node.type == "ERROR" or node.is_missing:
            return node.start_point[0] + 1
        if node.has_error:
            todo.extend(reversed(node.children))
    return 0


def too_deep(root: Node, limit: int = MAX_DEPTH) -> bool:
    """Whether the tree nests deeper than `limit`."""
    todo = [(root, 0)]
    while todo:
        node, depth = todo.pop()
        if depth > limit:
            return True
        todo.extend((c, depth + 1) for c in node.named_children)
    return False
