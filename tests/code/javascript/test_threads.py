"""Two analyses in two threads share nothing: parsers, module graphs and summary caches are per analysis."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fnaudit.engines.code.base import Analysis
from fnaudit.engines.code.files import FileCache
from fnaudit.engines.code.javascript.analyse import JsAnalyser
from fnaudit.loaders.archives import Artifacts
from fnaudit.model.app import Function
from tests.code.helpers import run
from tests.code.javascript.helpers import node_app

APP_A = {
    "app.js": "const { exec } = require('child_process');\nconst db = require('./db');\n"
    "exports.handler = async (event) => {\n  exec(event.body);\n"
    "  return db.find(event.queryStringParameters.id);\n};\n",
    "db.js": "exports.find = (id) => pool.query(`SELECT * FROM t WHERE id = ${id}`);\n",
}
APP_B = {
    "app.ts": "import { readFileSync } from 'fs';\nexport const handler = async (event: any) => {\n"
    "  const name = JSON.parse(event.body).name as string;\n  return { statusCode: 302, headers: { Location: name },"
    " body: readFileSync(`/data/${name}`, 'utf8') };\n};\n",
}


def functions(root: Path) -> tuple[Function, ...]:
    return tuple(f for f in run(root).functions if f.code.language == "node")


def analyse_all(root: Path, fns: tuple[Function, ...]) -> list[Analysis | None]:
    analyser = JsAnalyser(FileCache(root, Artifacts(root)), root)
    return [analyser.analyse(f) for f in fns]


def test_concurrent_analyses_match_sequential_ones(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    roots = [node_app(tmp_path / "a", APP_A), node_app(tmp_path / "b", APP_B)]
    fns = [functions(r) for r in roots]
    sequential = [analyse_all(r, f) for r, f in zip(roots, fns, strict=True)]
    assert all(a is not None and a.facts.flows for results in sequential for a in results)
    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = [pool.submit(analyse_all, roots[i % 2], fns[i % 2]) for i in range(16)]
        concurrent = [job.result() for job in jobs]
    for i, results in enumerate(concurrent):
        assert results == sequential[i % 2]
