"""The JavaScript analyser walks each module's tree once (`modules.TreeIndex`) and reads slices of that walk.

Issue 18: the extractors (weaknesses, auth checks, IDOR, SDK calls, the module index) each walked every module
and every function again. These pin that the one walk gives exactly what each of those walks gave, in the same
order (some outputs are ordered by it), and that an analysis lets the indexes go when it is done."""

from __future__ import annotations

import textwrap
from pathlib import Path

from fnaudit.engines.code.files import FileCache
from fnaudit.engines.code.javascript.analyse import JsAnalyser
from fnaudit.engines.code.javascript.modules import JsModule, JsModuleGraph, Node, TreeIndex, own, walk
from fnaudit.loaders.archives import Artifacts
from tests.code.helpers import fn, run
from tests.code.javascript.helpers import node_app

SOURCE = textwrap.dedent(
    """\
    const a = require("./a");
    function f(x) { const b = require("./b"); return require("c"); }
    import d from "d";
    export { e } from "./e";
    const g = () => [require("x"), require("y")];
    class K {
      field = 1;
      m(event) { const { id } = event.pathParameters; return (y) => { let z = id + y; return z; }; }
    }
    exports.handler = async function (event) { try { g(); } catch (err) { return f(event); } };
    """
)


def _module(tmp_path: Path, source: str = SOURCE, name: str = "h.js") -> JsModule:
    (tmp_path / name).write_text(source, encoding="utf-8")
    with Artifacts(tmp_path) as artifacts:
        mod = JsModuleGraph(FileCache(tmp_path, artifacts)).load(tmp_path / name)
    assert mod is not None
    return mod


def _stack_walk(node: Node, types: frozenset[str]) -> list[Node]:
    """The walk some extractors always did: a stack, the last child visited first."""
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.type in types:
            out.append(n)
        stack.extend(n.named_children)
    return out


def test_every_slice_of_the_one_walk_is_the_walk_it_replaces(tmp_path: Path) -> None:
    mod = _module(tmp_path)
    index = TreeIndex(mod.root)
    assert index.nodes == list(walk(mod.root))
    types = frozenset({"call_expression", "variable_declarator", "import_statement", "export_statement"})
    for node in index.nodes:
        assert index.subtree(node) == list(walk(node))
        assert index.own(node) == list(own(node))
        assert index.mirrored(types, node) == _stack_walk(node, types)
    assert index.mirrored(types) == _stack_walk(mod.root, types)


def test_a_node_of_another_tree_is_walked_rather_than_sliced(tmp_path: Path) -> None:
    mod = _module(tmp_path)
    other = _module(tmp_path, "function q(a) { return a.b(c); }\n", "o.js")
    body = other.root.named_children[0]
    assert mod.subtree(body) == list(walk(body))
    assert mod.own(body) == list(own(body))
    calls = frozenset({"call_expression"})
    assert [n.text for n in mod.mirrored(calls, body)] == [b"a.b(c)"]


def test_specifiers_keep_the_order_the_stack_walk_gave_them(tmp_path: Path) -> None:
    # the order of `specs` orders the module graph (`closure`), and so the files and SDK calls of the report
    mod = _module(tmp_path)
    assert mod.specs == ["y", "x", "./e", "d", "c", "./b", "./a"]
    assert mod.external == {"c", "d", "x", "y"}


def test_the_analyser_lets_the_tree_indexes_go_after_each_function(tmp_path: Path) -> None:
    files = {
        "app.js": 'const db = require("./db");\nexports.handler = async (event) => db.get(event.body);\n',
        "db.js": "exports.get = async (id) => { const x = id; return x; };\n",
    }
    root = node_app(tmp_path, files)
    analyser = JsAnalyser(FileCache(root, Artifacts(root)), root)
    assert analyser.analyse(fn(run(root), "h")) is not None
    loaded = [analyser.graph.load(root / name) for name in ("app.js", "db.js")]
    assert all(m is not None and m._tree_index is None for m in loaded)
    # used again, an index is made again (and let go again by the next analysis)
    mod = loaded[0]
    assert mod is not None
    assert mod.nodes() == list(walk(mod.root))
    assert mod._tree_index is not None
    analyser.graph.forget_indexes()
    assert mod._tree_index is None
