"""The unit cache (fnaudit.reuse, fnaudit.units): a re-scan reuses what is unchanged and reports what a cold scan reports.

Every test compares a scan that reused units with a scan of the same tree with every cache off: the reused result
must be the same report, and only the units whose inputs changed may be computed again.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from fnaudit import units
from fnaudit.config import Config
from fnaudit.pipeline import ScanResult, scan
from fnaudit.reads import recording
from fnaudit.report import Format, render
from fnaudit.suppress import BASELINE_SCHEMA
from tests.conftest import REPO, SCAN_DATE
from tests.test_concurrency import _private_folders, _sam_js_app, _serverless_zip_app

HANDLER = "def handler(event, context):\n    return {'statusCode': 200}\n"
INJECTED = (
    "import os\n\n\ndef handler(event, context):\n"
    "    os.system('convert ' + event['queryStringParameters']['name'])\n"
    "    return {'statusCode': 200}\n"
)


def _service(root: Path, name: str, handler: str = HANDLER, write_handler: bool = True) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "serverless.yml").write_text(
        f"service: {name}\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "functions:\n  api:\n    handler: src/app.handler\n    events:\n      - httpApi: GET /items\n",
        encoding="utf-8",
    )
    if write_handler:
        (folder / "src").mkdir()
        (folder / "src" / "app.py").write_text(handler, encoding="utf-8")


def _report(result: ScanResult) -> dict[str, Any]:
    out = io.StringIO()
    render(result, Format.JSON, out)
    doc: dict[str, Any] = json.loads(out.getvalue())
    doc.pop("stats")
    return doc


def _scan(path: Path, cache: Path | str, monkeypatch: pytest.MonkeyPatch, **config: Any) -> ScanResult:
    monkeypatch.setenv("FNAUDIT_CACHE_DIR", str(cache))
    return scan(path, Config(today=SCAN_DATE, **config))


def _where(doc: dict[str, Any]) -> list[tuple[str, str, int]]:
    return sorted((f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in doc["findings"])


@pytest.mark.parametrize(
    "app",
    [
        "examples/shop-api",
        "tests/apps/go-sam-orders",
        "tests/apps/java-sls-billing",
        "tests/rules/fixtures/CODE001/bad",
        "tests/rules/fixtures/SECRET003/bad",
    ],
)
def test_a_rescan_reuses_every_unit_and_reports_what_a_cold_scan_reports(
    app: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = tmp_path / "app"
    shutil.copytree(REPO / app, tree)
    cold = _scan(tree, "off", monkeypatch)
    first = _scan(tree, tmp_path / "cache", monkeypatch)
    second = _scan(tree, tmp_path / "cache", monkeypatch)
    assert cold.stats.reused == first.stats.reused == 0
    documents = len({a.source for a in cold.apps})
    assert documents > 0 and second.stats.reused >= documents  # every app came from the cache
    assert _report(first) == _report(cold)
    assert _report(second) == _report(cold)


def test_editing_one_handler_recomputes_only_its_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("orders", "users", "billing"):
        _service(tmp_path / "app", name)
    tree, cache = tmp_path / "app", tmp_path / "cache"
    first = _scan(tree, cache, monkeypatch)
    assert ("CODE002", "users/src/app.py", 5) not in _where(_report(first))
    (tree / "users" / "src" / "app.py").write_text(INJECTED, encoding="utf-8")
    again = _scan(tree, cache, monkeypatch)
    assert again.stats.reused == 2  # orders and billing
    assert ("CODE002", "users/src/app.py", 5) in _where(_report(again))
    assert _report(again) == _report(_scan(tree, "off", monkeypatch))


def test_a_file_rewritten_with_the_same_size_and_time_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs are compared by content, never by modification time."""
    safe = "import os\n\n\ndef handler(event, context):\n    os.system('convert ' + 'fixed-name-xxxxxxxxxxxxx')\n"
    unsafe = "import os\n\n\ndef handler(event, context):\n    os.system('convert ' + event['body']['name'][:99])\n"
    assert len(safe) == len(unsafe)
    _service(tmp_path / "app", "orders", safe)
    tree, cache = tmp_path / "app", tmp_path / "cache"
    handler = tree / "orders" / "src" / "app.py"
    _scan(tree, cache, monkeypatch)
    st = handler.stat()
    handler.write_text(unsafe, encoding="utf-8")
    os.utime(handler, ns=(st.st_atime_ns, st.st_mtime_ns))
    again = _scan(tree, cache, monkeypatch)
    assert again.stats.reused == 0
    assert ("CODE002", "orders/src/app.py", 5) in _where(_report(again))


def test_a_file_added_where_the_template_could_read_it_recomputes_the_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler that was missing, then written: nothing read it before, yet the unit must see it now."""
    _service(tmp_path / "app", "orders", write_handler=False)
    _service(tmp_path / "app", "users")
    tree, cache = tmp_path / "app", tmp_path / "cache"
    _scan(tree, cache, monkeypatch)
    (tree / "orders" / "src").mkdir()
    (tree / "orders" / "src" / "app.py").write_text(INJECTED, encoding="utf-8")
    again = _scan(tree, cache, monkeypatch)
    assert again.stats.reused == 1  # users only
    assert ("CODE002", "orders/src/app.py", 5) in _where(_report(again))
    assert _report(again) == _report(_scan(tree, "off", monkeypatch))


def test_suppressions_and_their_warnings_are_the_same_when_findings_are_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Findings kept per app carry their suppressions, and what they did to the suppressor (an ignore that
    matched, an inline comment that matched nothing) is replayed: the warnings are a cold scan's."""
    handler = (
        INJECTED.replace("    os.system(", "    # fnaudit: ignore[CODE002] fixed names only\n    os.system(")
        + "# fnaudit: ignore[CODE001] nothing here\n"
    )
    _service(tmp_path / "app", "orders", handler)
    tree, cache = tmp_path / "app", tmp_path / "cache"
    first = _scan(tree, cache, monkeypatch)
    again = _scan(tree, cache, monkeypatch)
    cold = _report(_scan(tree, "off", monkeypatch))
    assert again.stats.reused == 1
    assert _report(first) == _report(again) == cold
    suppressed = [f for f in cold["findings"] if f["rule_id"] == "CODE002"]
    assert suppressed and all(f["suppression"]["kind"] == "inline" for f in suppressed)
    assert any("ignore of CODE001 matched no finding" in e["message"] for e in cold["errors"])


def test_a_new_baseline_marks_reused_findings_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _service(tmp_path / "app", "orders", INJECTED)
    tree, cache = tmp_path / "app", tmp_path / "cache"
    first = _report(_scan(tree, cache, monkeypatch))
    baseline = tmp_path / "baseline.json"
    fingerprints = [f["fingerprint"] for f in first["findings"] if f["rule_id"] == "CODE002"]
    entries = [{"fingerprint": fp} for fp in fingerprints]
    baseline.write_text(json.dumps({"schema": BASELINE_SCHEMA, "findings": entries}), encoding="utf-8")
    again = _scan(tree, cache, monkeypatch, baseline=str(baseline))
    cold = _scan(tree, "off", monkeypatch, baseline=str(baseline))
    assert _report(again) == _report(cold)
    assert fingerprints and all(f.suppressed for f in again.findings if f.rule_id == "CODE002")


def test_other_options_are_other_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _service(tmp_path / "app", "orders")
    tree, cache = tmp_path / "app", tmp_path / "cache"
    _scan(tree, cache, monkeypatch)
    assert _scan(tree, cache, monkeypatch, stage="prod").stats.reused == 0
    assert _scan(tree, cache, monkeypatch, select=("CODE",)).stats.reused == 0
    assert _scan(tree, cache, monkeypatch).stats.reused == 1


def test_an_unreadable_entry_is_computed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _service(tmp_path / "app", "orders", INJECTED)
    tree, cache = tmp_path / "app", tmp_path / "cache"
    first = _scan(tree, cache, monkeypatch)
    entries = list((cache / "units").rglob("*.pickle"))
    assert len(entries) == 2  # the template's unit and its app's rule findings
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    again = _scan(tree, cache, monkeypatch)
    assert again.stats.reused == 0 and again.errors == first.errors
    assert _report(again) == _report(first)


def test_the_cache_stays_under_its_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _service(tmp_path / "app", "orders")
    monkeypatch.setenv("FNAUDIT_CACHE_MAX_MB", "0")
    _scan(tmp_path / "app", tmp_path / "cache", monkeypatch)
    assert list((tmp_path / "cache" / "units").rglob("*.pickle")) == []


def test_with_caching_off_nothing_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _service(tmp_path / "app", "orders")
    monkeypatch.chdir(tmp_path)
    assert _scan(tmp_path / "app", "off", monkeypatch).stats.reused == 0
    assert _scan(tmp_path / "app", "off", monkeypatch).stats.reused == 0
    assert not (tmp_path / "off").exists()


def test_documents_in_worker_processes_report_what_one_process_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading and enriching per document in forked workers (zips unpacked there included) changes nothing,
    and the zips' private folders are still removed when the scan ends."""
    tree = tmp_path / "app"
    _serverless_zip_app(tree / "orders")
    _sam_js_app(tree / "web")
    # rules judged in the workers too: an inline ignore that matches, and one that matches nothing (a warning)
    ignored = INJECTED.replace("    os.system(", "    # fnaudit: ignore[CODE002] fixed names only\n    os.system(")
    _service(tree, "users", ignored + "# fnaudit: ignore[CODE001] nothing here\n")
    before = _private_folders()
    serial = _scan(tree, "off", monkeypatch)
    monkeypatch.setattr(units, "_workers", lambda order: 2)
    parallel = _scan(tree, "off", monkeypatch)
    assert _report(parallel) == _report(serial)
    assert any("ignore of CODE001 matched no finding" in e.message for e in parallel.errors)
    assert any(f.suppressed and f.rule_id == "CODE002" for f in parallel.findings)
    assert ("CODE002", "dist/orders.zip!/app.py", 6) in [
        (r, p.removeprefix("orders/"), n) for r, p, n in _where(_report(parallel))
    ]
    warm_first = _scan(tree, tmp_path / "cache", monkeypatch)
    warm = _scan(tree, tmp_path / "cache", monkeypatch)
    assert warm.stats.reused == 3
    assert _report(warm_first) == _report(warm) == _report(serial)
    assert _private_folders() == before


def test_recording_sees_the_files_opened_and_folders_listed_inside_it_only(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / "b.txt").write_text("b", encoding="utf-8")
    with recording() as log:
        (tmp_path / "a.txt").read_text(encoding="utf-8")
        sorted(tmp_path.iterdir())
    (tmp_path / "b.txt").read_text(encoding="utf-8")
    assert str(tmp_path / "a.txt") in log.opened
    assert str(tmp_path / "b.txt") not in log.opened
    assert str(tmp_path) in log.listed


def test_a_large_app_alone_has_its_functions_analysed_in_groups_with_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One template, many functions: the code engine runs on groups of them in workers. The report is the one
    process's, and what the workers read is recorded: editing one handler is seen by the next scan."""
    tree = tmp_path / "app"
    tree.mkdir()
    body = "".join(
        f"  fn{i}:\n    handler: src/h{i}.handler\n    events:\n      - httpApi: GET /f{i}\n" for i in range(5)
    )
    (tree / "serverless.yml").write_text(
        f"service: big\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n{body}", encoding="utf-8"
    )
    (tree / "src").mkdir()
    for i in range(5):
        (tree / "src" / f"h{i}.py").write_text(INJECTED if i == 3 else HANDLER, encoding="utf-8")
    one_process = _scan(tree, "off", monkeypatch)
    monkeypatch.setattr(units, "SPLIT_MIN_FUNCTIONS", 2)
    monkeypatch.setattr(units, "_workers", lambda order, split=False: 2 if split else 1)
    groups = _scan(tree, tmp_path / "cache", monkeypatch)
    assert _report(groups) == _report(one_process)
    assert ("CODE002", "src/h3.py", 5) in _where(_report(groups))
    (tree / "src" / "h1.py").write_text(INJECTED, encoding="utf-8")
    again = _scan(tree, tmp_path / "cache", monkeypatch)
    assert again.stats.reused == 0
    assert ("CODE002", "src/h1.py", 5) in _where(_report(again))


def test_a_module_folder_weighs_what_its_files_hold(tmp_path: Path) -> None:
    """Terraform documents keep no text: the decision to use workers weighs the files of their folder."""
    from fnaudit.loaders import SourceDoc
    from fnaudit.model.app import Dialect

    (tmp_path / "main.tf").write_text("x" * 700, encoding="utf-8")
    (tmp_path / "vars.tf").write_text("y" * 300, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "other.tf").write_text("z" * 5000, encoding="utf-8")
    folder = SourceDoc(tmp_path, "", "", {}, Dialect.TERRAFORM)
    template = SourceDoc(tmp_path / "main.tf", "main.tf", "Resources: {}\n", {}, Dialect.CLOUDFORMATION)
    assert units._weight(folder) == 1000
    assert units._weight(template) == len("Resources: {}\n")


def test_a_var_file_outside_the_root_is_an_input_by_its_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "infra"
    tree.mkdir()
    (tree / "main.tf").write_text(
        'variable "runtime" {}\n'
        'resource "aws_lambda_function" "api" {\n'
        '  function_name = "api"\n  handler = "app.handler"\n  runtime = var.runtime\n'
        '  role = "arn:aws:iam::123456789012:role/api"\n  filename = "app.zip"\n}\n',
        encoding="utf-8",
    )
    var_file = tmp_path / "ci.tfvars"  # beside the root, not in it
    var_file.write_text('runtime = "python3.12"\n', encoding="utf-8")
    cache = tmp_path / "cache"
    assert _scan(tree, cache, monkeypatch, tf_var_files=(str(var_file),)).stats.reused == 0
    assert _scan(tree, cache, monkeypatch, tf_var_files=(str(var_file),)).stats.reused == 1
    var_file.write_text('runtime = "python3.8"\n', encoding="utf-8")
    again = _scan(tree, cache, monkeypatch, tf_var_files=(str(var_file),))
    assert again.stats.reused == 0
    assert any(f.rule_id.startswith("RUNTIME") for f in again.findings)
