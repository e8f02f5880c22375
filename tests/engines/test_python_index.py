"""The Python engine's per-module node index (`engines/code/python/index.py`) and its fast `unparse`.

Every fact extractor now reads the module's nodes from the index instead of walking the tree again, and the
order of what they report follows the walk order: the index must give exactly `ast.walk`'s lists."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fnaudit.engines.code.files import FileCache
from fnaudit.engines.code.python import syntax
from fnaudit.engines.code.python.index import TreeIndex, child_nodes
from fnaudit.engines.code.python.modules import ModuleGraph
from fnaudit.loaders.archives import Artifacts

_SOURCE = '''
import os, hmac
from . import db as store

TABLE = os.environ["TABLE"]


@app.route("/orders/<order_id>", methods=["GET"])
async def handler(event, context, *args, key=None, **kw):
    """Docstring."""
    body = json.loads(event.get("body") or "{}")
    items = [x.upper() for x in body["items"] if x]
    with open(f"/tmp/{body['name']}") as fh:
        fh.write(items[0])
    try:
        lam = lambda y: (y + 1) * 2
    except (KeyError, ValueError) as exc:
        raise RuntimeError("bad") from exc
    match body:
        case {"kind": "a", **rest}:
            pass
    async for row in store.rows(TABLE):
        yield row

    def nested(a: int = 3) -> int:
        return a if a > 1 else -a

    return {"statusCode": 200, "body": nested(lam(1))}


class Repo(Base, metaclass=Meta):
    table: str = "t"

    def get(self, key):
        return self.table[key]
'''


@pytest.fixture(scope="module")
def tree() -> ast.Module:
    return ast.parse(_SOURCE)


def test_nodes_are_ast_walk_order(tree: ast.Module) -> None:
    index = TreeIndex(tree)
    assert index.nodes == list(ast.walk(tree))


def test_children_and_subtree_walks_match_ast(tree: ast.Module) -> None:
    index = TreeIndex(tree)
    for node in ast.walk(tree):
        assert index.children(node) == list(ast.iter_child_nodes(node)) == child_nodes(node)
        assert index.walk(node) == list(ast.walk(node))


def test_the_module_list_is_enumerated_once(tree: ast.Module) -> None:
    index = TreeIndex(tree)
    assert index.walk(tree) is index.nodes
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef))
    assert index.walk(fn)[0] is fn and index.walk(fn) == list(ast.walk(fn))


def test_of_type_keeps_walk_order(tree: ast.Module) -> None:
    index = TreeIndex(tree)
    calls = index.of_type(ast.Call, ast.For, ast.AsyncFor)
    assert calls == [n for n in ast.walk(tree) if isinstance(n, (ast.Call, ast.For, ast.AsyncFor))]
    assert index.of_type(ast.Call, ast.For, ast.AsyncFor) is calls
    assert [f.name for f in index.of_type(ast.FunctionDef, ast.AsyncFunctionDef)] == ["handler", "nested", "get"]


def test_a_node_of_another_tree_is_walked_afresh(tree: ast.Module) -> None:
    """A node the index does not hold (another tree, a synthesised node) is still walked correctly."""
    index = TreeIndex(tree)
    other = ast.parse("x = f(a, b[1])").body[0]
    assert index.walk(other) == list(ast.walk(other))
    assert index.children(other) == list(ast.iter_child_nodes(other))


def test_identical_files_share_one_index(tmp_path: Path) -> None:
    """`FileCache.parse` gives identical files one tree; the module graph gives them one index."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "app.py").write_text("def handler(event, context):\n    return event\n")
    graph = ModuleGraph(FileCache(tmp_path, Artifacts(tmp_path)))
    a = graph.load(tmp_path / "a" / "app.py", tmp_path / "a")
    b = graph.load(tmp_path / "b" / "app.py", tmp_path / "b")
    assert a is not None and b is not None and a is not b
    assert a.tree is b.tree
    assert a.index is b.index


@pytest.mark.parametrize(
    "expr",
    [
        "f",
        "boto3.client",
        "self.table.get_item",
        "TABLE.get_item(Key={'pk': x}).get",
        "json.loads(event.get('body') or '{}').get",
        "(a or b).c",
        "x[0].y",
        "1 .real",
        "(a + b).c.d",
        "f(x)(y)",
    ],
)
def test_unparse_is_ast_unparse(expr: str) -> None:
    node = ast.parse(expr, mode="eval").body
    assert syntax.unparse(node) == ast.unparse(node)
