"""Two scans in one process are independent (issue 12): no state of one scan leaks into another.

Per-scan state (the zip artifacts a scan unpacked, the secrets engine's per-file results, the
dependency engine's folder and IaC caches, the IAM engine's action sets) lives in objects one scan
creates and passes down (`fnaudit.engines.ScanState`, `fnaudit.loaders.archives.Artifacts`), never in
module globals. These tests scan two different apps (a Serverless service deployed from a local zip
with Python code, a SAM app with JavaScript code and an npm lockfile) in threads and one after the
other and expect the same JSON reports; they also interleave two scans of one folder on purpose.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from fnaudit import pipeline, units
from fnaudit.config import Config
from fnaudit.engines.osv.store import Store
from fnaudit.pipeline import ScanResult, scan
from fnaudit.progress import ProgressEvent
from fnaudit.report import Format, render
from tests.conftest import SCAN_DATE
from tests.deps.osvdata import record, write_folder

PY_HANDLER = (
    "import os\n"
    "import yaml\n"
    "\n"
    "\n"
    "def main(event, context):\n"
    "    os.system('convert ' + event['body'])\n"
    "    return yaml.load(event['body'])\n"
)
TOKEN = "ghp_auaq0jqMPz7bos6hidQnWzN5xDm3e2JU4ZAL"
SERVERLESS = """\
service: orders
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements:
        - Effect: Allow
          Action: ["s3:*", "iam:PassRole", "lambda:CreateFunction"]
          Resource: "*"
package:
  artifact: dist/orders.zip
functions:
  create:
    handler: app.main
    url: true
"""
JS_HANDLER = (
    "const { exec } = require('child_process');\n"
    "const _ = require('lodash');\n"
    "exports.handler = async (event) => {\n"
    "  exec('ls ' + event.body);\n"
    "  return _.merge({}, JSON.parse(event.body));\n"
    "};\n"
)
SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Web:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: web/
      Handler: index.handler
      Runtime: nodejs20.x
      Policies:
        - DynamoDBCrudPolicy:
            TableName: "*"
      Events:
        Api:
          Type: HttpApi
"""
PACKAGE_JSON = '{\n  "name": "web",\n  "version": "1.0.0",\n  "dependencies": {\n    "lodash": "4.17.15"\n  }\n}\n'
PACKAGE_LOCK = (
    json.dumps(
        {
            "name": "web",
            "version": "1.0.0",
            "lockfileVersion": 3,
            "requires": True,
            "packages": {
                "": {"name": "web", "version": "1.0.0", "dependencies": {"lodash": "4.17.15"}},
                "node_modules/lodash": {
                    "version": "4.17.15",
                    "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.15.tgz",
                },
            },
        },
        indent=2,
    )
    + "\n"
)


def _zip(path: Path, members: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _serverless_zip_app(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "serverless.yml").write_text(SERVERLESS, encoding="utf-8")
    _zip(
        root / "dist" / "orders.zip",
        {
            "app.py": PY_HANDLER,
            "settings.py": f'GITHUB_TOKEN = "{TOKEN}"\n',
            "requirements.txt": "PyYAML==5.3.1\n",
        },
    )
    return root


def _sam_js_app(root: Path) -> Path:
    (root / "web").mkdir(parents=True)
    (root / "template.yaml").write_text(SAM, encoding="utf-8")
    (root / "web" / "index.js").write_text(JS_HANDLER, encoding="utf-8")
    (root / "web" / "package.json").write_text(PACKAGE_JSON, encoding="utf-8")
    (root / "web" / "package-lock.json").write_text(PACKAGE_LOCK, encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def _own_temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Zips are unpacked under this test's own temporary folder, so that counting `fnaudit-zip-*`
    folders sees this test's scans only (not those of tests running at the same time in other
    processes, which share the system's temporary folder)."""
    own = tmp_path / "tmp"
    own.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own))


@pytest.fixture
def db(tmp_path: Path) -> str:
    """An advisory store that knows both apps' vulnerable packages (one per ecosystem)."""
    folder = tmp_path / "db"
    with Store(folder, create=True) as store:
        store.import_source(
            write_folder(
                tmp_path / "osv",
                [
                    record("PYSEC-T-1", "PyPI", "pyyaml", events=[{"introduced": "0"}, {"fixed": "5.4"}]),
                    record("GHSA-T-2", "npm", "lodash", events=[{"introduced": "0"}, {"fixed": "4.17.21"}]),
                ],
            )
        )
    return str(folder)


def _json(result: ScanResult) -> dict[str, Any]:
    out = io.StringIO()
    render(result, Format.JSON, out)
    doc: dict[str, Any] = json.loads(out.getvalue())
    doc["stats"] = {k: v for k, v in doc["stats"].items() if k not in ("seconds", "stages", "reused")}  # volatile
    return doc


def _private_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("fnaudit-zip-*")}


def _where(doc: dict[str, Any]) -> list[tuple[str, str, int]]:
    return sorted((f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in doc["findings"])


def test_two_different_apps_scanned_in_threads_report_what_they_report_one_after_the_other(
    tmp_path: Path, db: str
) -> None:
    orders, web = _serverless_zip_app(tmp_path / "orders"), _sam_js_app(tmp_path / "web")
    config = Config(today=SCAN_DATE, db=db)
    before = _private_folders()
    sequential = [_json(scan(orders, config)), _json(scan(web, config))]
    # What each app is known to report, so that equal reports cannot both be empty or both broken.
    assert sequential[0]["errors"] == [] and sequential[1]["errors"] == []
    orders_where = _where(sequential[0])
    assert {
        ("CODE002", "dist/orders.zip!/app.py", 6),  # command injection, in the zip
        ("CODE004", "dist/orders.zip!/app.py", 7),  # unsafe yaml.load, in the zip
        ("SECRET003", "dist/orders.zip!/settings.py", 1),
        ("DEP001", "dist/orders.zip!/requirements.txt", 1),
    } <= set(orders_where)
    web_where = _where(sequential[1])
    assert {("CODE002", "web/index.js", 4), ("DEP001", "web/package-lock.json", 14)} <= set(web_where)
    for _ in range(4):
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(scan, orders, config), pool.submit(scan, web, config)]
            parallel = [_json(f.result()) for f in futures]
        assert parallel == sequential
    assert _private_folders() == before, "every scan removed the folders its zips were unpacked into"


def test_one_folder_scanned_by_four_threads_at_once(tmp_path: Path, db: str) -> None:
    orders = _serverless_zip_app(tmp_path / "orders")
    config = Config(today=SCAN_DATE, db=db)
    before = _private_folders()
    alone = _json(scan(orders, config))
    for _ in range(3):
        start = threading.Barrier(4)

        def one(start: threading.Barrier = start) -> dict[str, Any]:
            start.wait()  # all four load, unpack and analyse the same zip at the same moment
            return _json(scan(orders, config))

        with ThreadPoolExecutor(max_workers=4) as pool:
            reports = list(pool.map(lambda _: one(), range(4)))
        assert reports == [alone] * 4
    assert _private_folders() == before


def test_a_scan_that_ends_inside_another_scan_of_the_same_folder_leaves_it_its_zip(tmp_path: Path) -> None:
    """Deterministic interleaving. The first scan has unpacked the zip (loading) and not yet analysed
    it (engines) when a second scan of the same folder runs to its end in another thread. Before the
    zip registry was per scan, both scans shared one unpacked folder keyed by the scan root, the
    second scan's end removed it, and the first scan lost every finding inside the zip."""
    orders = _serverless_zip_app(tmp_path / "orders")
    config = Config(today=SCAN_DATE, select=("CODE002", "SECRET003"))
    expected = [("CODE002", "dist/orders.zip!/app.py", 6), ("SECRET003", "dist/orders.zip!/settings.py", 1)]
    inner: list[dict[str, Any]] = []

    def on_progress(event: ProgressEvent) -> None:
        if event.stage == "load" and event.done == event.total and not inner:
            worker = threading.Thread(target=lambda: inner.append(_json(scan(orders, config))))
            worker.start()
            worker.join()

    outer = _json(pipeline.scan(orders, config, progress=on_progress))
    assert _where(inner[0]) == expected
    assert _where(outer) == expected
    assert outer["errors"] == []


def test_a_scan_that_raises_midway_removes_its_unpacked_zips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug that ends a scan with an exception must not leave the zip's private folder behind
    (it used to stay until the process exited)."""
    orders = _serverless_zip_app(tmp_path / "orders")
    before = _private_folders()
    seen: list[set[str]] = []

    def broken(*args: Any, **kwargs: Any) -> Any:
        seen.append(_private_folders() - before)  # the zip is unpacked by now
        raise RuntimeError("engine bug")

    monkeypatch.setattr(units, "enrich_app", broken)
    with pytest.raises(RuntimeError, match="engine bug"):
        scan(orders, Config(today=SCAN_DATE))
    assert len(seen) == 1 and len(seen[0]) == 1
    assert _private_folders() == before


def _same_size_and_time(path: Path, text: str) -> None:
    """Rewrite `path` with text of the same length and put its modification time back: a cache keyed
    by (size, mtime) cannot tell the new content from the old (an editor or `git checkout` within
    the clock's resolution, a long-running server)."""
    st = path.stat()
    assert len(text.encode()) == st.st_size
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_the_secrets_engine_reads_a_file_again_in_the_next_scan(tmp_path: Path) -> None:
    web = _sam_js_app(tmp_path / "web")
    config_js = web / "web" / "config.js"
    clean = 'module.exports = { label: "' + "x" * len(TOKEN) + '" };\n'
    config_js.write_text(clean, encoding="utf-8")
    config = Config(today=SCAN_DATE, select=("SECRET002", "SECRET003"))
    assert _where(_json(scan(web, config))) == []
    _same_size_and_time(config_js, clean.replace("x" * len(TOKEN), TOKEN).replace("label", "token"))
    assert _where(_json(scan(web, config))) == [("SECRET003", "web/config.js", 1)]


def test_the_dependency_engine_sees_a_folder_made_between_two_scans(tmp_path: Path) -> None:
    web = _sam_js_app(tmp_path / "web")
    (web / "web" / "package-lock.json").unlink()
    (web / "web" / "package.json").unlink()
    layer = "  Libs:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: layers/libs/\n"
    template = SAM.replace("      Events:", "      Layers:\n        - !Ref Libs\n      Events:") + layer
    (web / "template.yaml").write_text(template, encoding="utf-8")
    config = Config(today=SCAN_DATE, select=("DEP003",))

    def packages(result: ScanResult) -> list[tuple[str, str | None, str]]:
        return [(p.name, p.version, p.loc.path) for f in result.functions for p in f.packages]

    assert packages(scan(web, config)) == []
    libs = web / "layers" / "libs"  # the layer's own folder: absent from the first scan, there in the second
    libs.mkdir(parents=True)
    (libs / "package.json").write_text(PACKAGE_JSON, encoding="utf-8")
    (libs / "package-lock.json").write_text(PACKAGE_LOCK, encoding="utf-8")
    assert packages(scan(web, config)) == [("lodash", "4.17.15", "layers/libs/package-lock.json")]


def test_forked_workers_read_the_zip_through_their_copy_of_the_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large scans load and enrich each document in a forked worker, which gets the EngineContext pickled:
    a zip it unpacks is handed over to the scan's registry (the worker's copy never removes it; the parent
    does, at the end of the scan), and its copy of the ScanState starts empty."""
    root = tmp_path / "both"
    _serverless_zip_app(root / "orders")
    _sam_js_app(root / "web")
    config = Config(today=SCAN_DATE, select=("CODE002", "SECRET003"))
    before = _private_folders()
    in_process = _json(scan(root, config))
    monkeypatch.setattr("fnaudit.units._workers", lambda order, split=False: 2)  # whatever threads pytest runs
    forked = _json(scan(root, config))
    assert forked == in_process
    assert _where(forked) == [
        ("CODE002", "orders/dist/orders.zip!/app.py", 6),
        ("CODE002", "web/web/index.js", 4),
        ("SECRET003", "orders/dist/orders.zip!/settings.py", 1),
    ]
    assert _private_folders() == before


def test_a_registry_is_one_scans_own(tmp_path: Path) -> None:
    """`Artifacts` directly: two registries of one folder unpack two copies; closing one leaves the
    other's; a pickled copy (a forked worker's) reads but never removes; a closed registry opens no
    more zips; one nobody closes is cleaned when collected."""
    import gc
    import pickle

    from fnaudit.errors import InputError
    from fnaudit.loaders.archives import Artifacts

    orders = _serverless_zip_app(tmp_path / "orders")
    zpath = orders / "dist" / "orders.zip"
    first, second = Artifacts(orders), Artifacts(orders)
    a, b = first.open_zip(zpath), second.open_zip(zpath)
    assert a.folder != b.folder and first.open_zip(zpath) is a  # once per registry
    assert first.real_path("dist/orders.zip!/app.py") == a.folder / "app.py"
    assert second.rel_path(b.folder / "app.py") == "dist/orders.zip!/app.py" and second.rel_path(a.folder) is None
    copy = pickle.loads(pickle.dumps(first))
    assert copy.real_path("dist/orders.zip!/app.py") == a.folder / "app.py"
    copy.close()
    assert a.folder.is_dir(), "a copy never removes the folders of the registry it was made from"
    first.close()
    assert not a.folder.exists() and (b.folder / "app.py").is_file()
    with pytest.raises(InputError, match="the scan that asked for it has ended"):
        first.open_zip(zpath)
    del second
    gc.collect()
    assert not b.folder.exists()


def test_loading_without_a_registry_unpacks_nothing(tmp_path: Path) -> None:
    """Loaders called directly (no scan, so nobody to remove what is unpacked) say so for a zip."""
    from fnaudit.loaders import LoadOptions, ScanRoot, load_all

    orders = _serverless_zip_app(tmp_path / "orders")
    before = _private_folders()
    root = ScanRoot.of(orders)
    loaded, _ = load_all(root.path, root, LoadOptions())
    (fn,) = loaded.apps[0].functions
    assert (fn.code.in_repo, fn.code.note) == (
        False,
        "zip artifact dist/orders.zip is read only by a scan; its code is not analysed",
    )
    assert _private_folders() == before
