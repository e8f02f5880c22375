"""tree-sitter set-up: one Parser per grammar (JavaScript, TypeScript, TSX), created once per process.

Grammars come from the `tree_sitter_javascript` / `tree_sitter_typescript` wheels. tree-sitter
never fails: it builds a tree with ERROR / MISSING nodes. A file whose tree has an error is
reported as a syntax error (one `ScanError` with the line) and not analysed, like a Python file
that does not parse; the rest of the app still is.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fnaudit.engines.code.files import ParseFailure, SourceFile

_TS_SUFFIXES = {".ts", ".mts", ".cts"}
_TSX_SUFFIXES = {".tsx"}
MAX_DEPTH = 400  # deeper trees (generated code) are not analysed: the walk is recursive


def grammar_of(suffix: str) -> str:
    suffix = suffix.lower()
    if suffix in _TS_SUFFIXES:
        return "typescript"
    if suffix in _TSX_SUFFIXES:
        return "tsx"
    return "javascript"


@lru_cache(maxsize=None)
def _parser(grammar: str) -> Any:
    from tree_sitter import Language, Parser

    if grammar == "javascript":
        import tree_sitter_javascript as tsj

        lang = Language(tsj.language())
    else:
        import tree_sitter_typescript as tst

        lang = Language(tst.language_tsx() if grammar == "tsx" else tst.language_typescript())
    return Parser(lang)


def parser_for(grammar: str):
    """A `FileCache.parse` callback for `grammar`: returns the tree's root node or raises `ParseFailure`."""

    def parse(f: SourceFile) -> Any:
        data = f.text.encode("utf-8")
        tree = _parser(grammar).parse(data)
        root = tree.root_node
        if root.has_error:
            line = _first_error_line(root)
            kind = "TypeScript" if grammar != "javascript" else "JavaScript"
            raise ParseFailure(
                f"{kind} syntax error; the file was not analysed for code findings: fix it, or check that "
                "the function's runtime matches the code",
                line,
            )
        if _too_deep(root):
            raise ParseFailure("code nested too deeply to analyse (generated or minified code?); the file was not analysed")
        return _Tree(tree, data)

    return parse


class _Tree:
    """The tree-sitter tree with the bytes it was parsed from (nodes keep the tree alive)."""

    __slots__ = ("tree", "data", "root")

    def __init__(self, tree: Any, data: bytes) -> None:
        self.tree = tree
        self.data = data
        self.root = tree.root_node


def _first_error_line(root: Any) -> int:
    cursor = [root]
    while cursor:
        node = cursor.pop()
        if node.type == "ERROR" or node.is_missing:
            return node.start_point[0] + 1
        if node.has_error:
            cursor.extend(reversed(node.children))
    return 0


def _too_deep(root: Any) -> bool:
    todo = [(root, 0)]
    while todo:
        node, depth = todo.pop()
        if depth > MAX_DEPTH:
            return True
        for c in node.named_children:
            todo.append((c, depth + 1))
    return False
