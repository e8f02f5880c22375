"""tree-sitter set-up for Go: the grammar from the `tree_sitter_go` wheel, one parser per analysis.

tree-sitter never fails: a tree with ERROR / MISSING nodes is reported as a syntax error (one
`ScanError` with its line) and the file is not analysed, like the other languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from tree_sitter import Language, Node, Parser, Tree

from fnaudit.engines.code.files import ParseFailure, SourceFile
from fnaudit.treecheck import first_error_line, too_deep


@cache
def _language() -> Language:
    """Loaded once per process (a `Language` is immutable)."""
    import tree_sitter_go as tsg

    return Language(tsg.language())


@dataclass(frozen=True, slots=True)
class GoTree:
    """The tree with the bytes it was parsed from (nodes keep the tree alive)."""

    tree: Tree
    data: bytes

    @property
    def root(self) -> Node:
        return self.tree.root_node


class GoParser:
    """The parser of one analysis (a `Parser` holds state while it parses: never shared)."""

    def __init__(self) -> None:
        self._parser: Parser | None = None

    def __call__(self, f: SourceFile) -> GoTree:
        if self._parser is None:
            self._parser = Parser(_language())
        data = f.text.encode("utf-8")
        tree = self._parser.parse(data)
        if tree.root_node.has_error:
            raise ParseFailure(
                "Go syntax error; the file was not analysed for code findings", first_error_line(tree.root_node)
            )
        if too_deep(tree.root_node):
            raise ParseFailure("code nested too deeply to analyse (generated code?); the file was not analysed")
        return GoTree(tree, data)


def text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""
