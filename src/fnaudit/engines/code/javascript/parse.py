"""tree-sitter set-up: the grammars (JavaScript, TypeScript, TSX) and one `Parsers` per analysis.

Grammars come from the `tree_sitter_javascript` / `tree_sitter_typescript` wheels; a `Language` is
immutable, so each is loaded once per process. A tree-sitter `Parser` holds state while it parses,
so parsers are not shared: each `JsModuleGraph` (one per scan) owns its `Parsers`, and two scans
running in threads never use the same one.

tree-sitter never fails: it builds a tree with ERROR / MISSING nodes. A file whose tree has an error is
reported as a syntax error (one `ScanError` with the line) and not analysed, like a Python file
that does not parse; the rest of the app still is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from tree_sitter import Language, Node, Parser, Tree

from fnaudit.engines.code.files import ParseFailure, SourceFile
from fnaudit.treecheck import first_error_line, too_deep

_TS_SUFFIXES = {".ts", ".mts", ".cts"}
_TSX_SUFFIXES = {".tsx"}


def grammar_of(suffix: str) -> str:
    suffix = suffix.lower()
    if suffix in _TS_SUFFIXES:
        return "typescript"
    if suffix in _TSX_SUFFIXES:
        return "tsx"
    return "javascript"


@cache
def _language(grammar: str) -> Language:
    """The grammar, loaded once per process (immutable: safe to share between scans and threads)."""
    if grammar == "javascript":
        import tree_sitter_javascript as tsj

        return Language(tsj.language())
    import tree_sitter_typescript as tst

    return Language(tst.language_tsx() if grammar == "tsx" else tst.language_typescript())


class ParsedTree:
    """The tree-sitter tree with the bytes it was parsed from (nodes keep the tree alive)."""

    __slots__ = ("data", "root", "tree")

    def __init__(self, tree: Tree, data: bytes) -> None:
        self.tree = tree
        self.data = data
        self.root: Node = tree.root_node


class Parsers:
    """The parsers of one analysis, one per grammar, made on first use."""

    def __init__(self) -> None:
        self._made: dict[str, Parser] = {}

    def _parser(self, grammar: str) -> Parser:
        parser = self._made.get(grammar)
        if parser is None:
            parser = self._made[grammar] = Parser(_language(grammar))
        return parser

    def for_grammar(self, grammar: str) -> Callable[[SourceFile], ParsedTree]:
        """A `FileCache.parse` callback for `grammar`: returns the tree or raises `ParseFailure`."""

        def parse(f: SourceFile) -> ParsedTree:
            data = f.text.encode("utf-8")
            tree = self._parser(grammar).parse(data)
            root = tree.root_node
            if root.has_error:
                line = first_error_line(root)
                kind = "TypeScript" if grammar != "javascript" else "JavaScript"
                raise ParseFailure(
                    f"{kind} syntax error; the file was not analysed for code findings: fix it, or check that "
                    "the function's runtime matches the code",
                    line,
                )
            if too_deep(root):
                raise ParseFailure(
                    "code nested too deeply to analyse (generated or minified code?); the file was not analysed"
                )
            return ParsedTree(tree, data)

        return parse
