"""The compact index of the AWS SDK models (`fnaudit/data/aws-sdk-index.marshal`): used only when it answers
exactly as botocore's own models installed here would, and then without importing botocore's loader."""

from __future__ import annotations

import importlib.metadata
import marshal
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fnaudit.engines.code import awsmodel
from fnaudit.engines.iam import used
from tests.conftest import REPO

SERVICES = ("s3", "dynamodb", "sqs", "sns", "lambda", "stepfunctions", "ec2", "iam", "sesv2", "cloudformation")
ODD = ("nosuchservice", "S3", "", "../s3")


def _clear() -> None:
    for f in (awsmodel._index, awsmodel.operations, awsmodel.waiters, awsmodel._resources, used.iam_prefix):
        f.cache_clear()


@pytest.fixture
def clear() -> Iterator[None]:
    _clear()
    yield
    _clear()


def _in_use() -> bool:
    _clear()
    return awsmodel._index() is not None


needs_index = pytest.mark.skipif(
    not _in_use(), reason="the shipped index is of another botocore/boto3: run tools/gen_awsmodel_index.py"
)


def test_versions_are_read_without_importing() -> None:
    assert awsmodel.source_version("botocore") == importlib.metadata.version("botocore")
    assert awsmodel.source_version("boto3") == importlib.metadata.version("boto3")
    assert awsmodel.source_version("fnaudit_no_such_package") is None


@needs_index
@pytest.mark.parametrize("service", SERVICES + ODD)
def test_index_answers_as_the_installed_models(service: str, clear: None) -> None:
    assert awsmodel.operations(service) == awsmodel.model_operations(service)
    assert awsmodel.waiters(service) == awsmodel.model_waiters(service)
    assert awsmodel._resources(service) == awsmodel.model_resources(service)


@needs_index
def test_index_has_every_service_of_the_models(clear: None) -> None:
    index = awsmodel._index()
    assert index is not None
    loader = awsmodel._loader()
    for part, kind in (("operations", "service-2"), ("waiters", "waiters-2"), ("resources", "resources-1")):
        assert sorted(index[part]) == sorted(loader.list_available_services(kind)), part
    assert sorted(index["metadata"]) == sorted(index["operations"])


@needs_index
def test_iam_prefixes_from_the_index(clear: None) -> None:
    assert [used.iam_prefix(s) for s in ("stepfunctions", "sesv2", "apigatewaymanagementapi", "s3", "nosuch")] == [
        "states",
        "ses",
        "execute-api",
        "s3",
        "nosuch",
    ]
    assert awsmodel.metadata("nosuch") == (False, {})
    assert awsmodel.metadata("stepfunctions") == (True, {"endpointPrefix": "states"})


@needs_index
def test_lookups_through_the_index(clear: None) -> None:
    assert awsmodel.operations("s3")["get_object"] == "GetObject"
    assert awsmodel.waiters("dynamodb")["table_exists"] == "DescribeTable"
    assert awsmodel.has("dynamodb", None, "Table") == "Table"
    assert awsmodel.has("s3", None, "Object") == "Object"
    assert awsmodel.action_operation("s3", "Object", "put") == "PutObject"
    assert awsmodel.action_operation("dynamodb", "Table", "wait_until_exists") == "DescribeTable"
    assert awsmodel.has_many("s3", "Bucket", "objects") == ("Objects", "ListObjects")


def test_user_models_switch_the_index_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clear: None) -> None:
    # botocore's loader reads ~/.aws/models before its own: an index of its own models could be wrong
    (tmp_path / ".aws" / "models").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert awsmodel._index() is None


def test_another_botocore_switches_the_index_off(monkeypatch: pytest.MonkeyPatch, clear: None) -> None:
    monkeypatch.setattr(awsmodel, "source_version", lambda package: "0.0.1")
    assert awsmodel._index() is None
    assert awsmodel.operations("sqs")["send_message"] == "SendMessage"  # from the models instead


@pytest.mark.parametrize(
    "content",
    [b"not marshal", marshal.dumps([1]), marshal.dumps({"format": 0}), marshal.dumps({"format": 1, "operations": {}})],
)
def test_an_unreadable_index_is_ignored(content: bytes) -> None:
    assert awsmodel.read_index(content) is None


def _imported_by_a_json_scan(tmp_path: Path) -> list[str]:
    """Which of a few heavy modules a cold JSON scan of the example app imports."""
    probe = (
        "import sys\n"
        "from fnaudit.cli import main\n"
        f"main(['scan', {str(REPO / 'examples' / 'shop-api')!r}, '--format', 'json', '--output', "
        f"{str(tmp_path / 'r.json')!r}, '--date', '2026-11-29'])\n"
        "print(sorted(m for m in ('botocore.loaders', 'rich', 'urllib3') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "FNAUDIT_CACHE_DIR": "off"},
    )
    assert out.stdout.strip(), out.stderr
    return [m.strip("' ") for m in out.stdout.strip().splitlines()[-1].strip("[]").split(",") if m.strip()]


@needs_index
def test_a_json_scan_reads_no_botocore_model(tmp_path: Path) -> None:
    # start-up: the SDK models come from the index; botocore's loader pulls in urllib3 and friends
    imported = _imported_by_a_json_scan(tmp_path)
    assert "botocore.loaders" not in imported
    assert "urllib3" not in imported


def test_a_json_scan_does_not_import_rich(tmp_path: Path) -> None:
    # only the table format draws with rich; the others import report.table for its summary line alone
    assert "rich" not in _imported_by_a_json_scan(tmp_path)


def test_index_ships_with_the_models_licences() -> None:
    data = REPO / "src" / "fnaudit" / "data"
    assert (data / awsmodel.INDEX).is_file()
    for package in ("botocore", "boto3"):
        text = (data / "licenses" / f"{package}-LICENSE.txt").read_text(encoding="utf-8")
        assert text.startswith("Apache License") or "Apache License" in text[:200]
        assert "Amazon.com, Inc." in text  # the NOTICE follows the licence
