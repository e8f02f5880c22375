"""One parsed module's nodes, enumerated once per scan and shared by every fact extractor.

The extractors of one function (module graph, SDK calls, weaknesses, auth checks, reachability, taint) each
need "every node of the module", "its calls" or "every node under this function". `ast.walk` recomputes the
children of each node through `iter_child_nodes` / `iter_fields` (a generator and a `getattr` per field),
and the same trees were walked again by each extractor; here the tree is enumerated once, the position of
each node and of its children kept, so the module's list (and its nodes of a type) is a lookup and a
subtree walk is a few list slices.

The orders are `ast.walk`'s (breadth first) so that whatever an extractor emits first stays first. Trees
are never mutated after parsing, which is what makes the kept lists valid for the whole scan.
"""

from __future__ import annotations

import ast


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """`list(ast.iter_child_nodes(node))`, without the generators (fields in order, then list items)."""
    out: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            out.append(value)
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, ast.AST):
                    out.append(v)
    return out


class TreeIndex:
    """The nodes of one module tree: all of them in walk order, by type, and the children of each.

    Built lazily on first use (a module that is loaded but never examined costs nothing). In walk order the
    children of a node are contiguous and the runs follow the order of their parents, so the index keeps
    only the position of each node and where its children start: no list per node for the collector to
    trace (the scan holds many trees). Positions are keyed by `id()`: the kept tree holds its nodes alive,
    so an id in the index is its node's."""

    __slots__ = ("_by_type", "_first", "_nodes", "_pos", "tree")

    def __init__(self, tree: ast.AST) -> None:
        self.tree = tree
        self._nodes: list[ast.AST] | None = None
        self._pos: dict[int, int] = {}  # id of a node → its position in `nodes`
        self._first: list[int] = []  # position → where its children start in `nodes` (one more entry: the end)
        self._by_type: dict[tuple[type[ast.AST], ...], list[ast.AST]] = {}

    @property
    def nodes(self) -> list[ast.AST]:
        """Every node of the tree, in `ast.walk` order (the tree itself first)."""
        return self._build()

    def _build(self) -> list[ast.AST]:
        if self._nodes is None:
            nodes: list[ast.AST] = [self.tree]
            pos = self._pos
            first = self._first
            for i, node in enumerate(nodes):  # breadth first, as `ast.walk`: the list is its own queue (it grows)
                pos[id(node)] = i
                first.append(len(nodes))
                nodes.extend(child_nodes(node))
            first.append(len(nodes))
            self._nodes = nodes
        return self._nodes

    def children(self, node: ast.AST) -> list[ast.AST]:
        """`list(ast.iter_child_nodes(node))`, from the index for a node of this tree."""
        nodes = self._build()
        # an indexed id is the indexed node: the kept tree holds every indexed node alive, so no other object
        # can have its id; a node of another tree (or a synthesised one) gets its children computed afresh
        i = self._pos.get(id(node))
        return nodes[self._first[i] : self._first[i + 1]] if i is not None else child_nodes(node)

    def walk(self, node: ast.AST) -> list[ast.AST]:
        """`list(ast.walk(node))`, from the index (the whole tree's list is shared: it must not be modified).

        Subtree walks are not kept: a walk over the index is a few list slices, cheaper than holding every
        walked subtree for the rest of the scan (which the garbage collector would then trace again and again)."""
        if node is self.tree:
            return self.nodes
        return self._walk(node)

    def _walk(self, node: ast.AST) -> list[ast.AST]:
        nodes = self._build()
        pos, first = self._pos, self._first
        out = [node]
        for n in out:  # breadth first, as in `nodes`
            i = pos.get(id(n))
            out.extend(nodes[first[i] : first[i + 1]] if i is not None else child_nodes(n))
        return out

    def of_type(self, *types: type[ast.AST]) -> list[ast.AST]:
        """The tree's nodes that are instances of `types`, in walk order."""
        found = self._by_type.get(types)
        if found is None:
            found = self._by_type[types] = [n for n in self.nodes if isinstance(n, types)]
        return found
