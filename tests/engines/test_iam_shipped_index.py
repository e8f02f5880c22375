"""The IAM catalogue's index shipped beside its snapshot (`fnaudit/data/iam-index.marshal`): it is the index
`build_index` makes of the shipped snapshot, a scan reads it instead of building it, and a snapshot it was not
built from is never answered from it."""

from __future__ import annotations

import marshal
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from fnaudit.engines.iam import blast, catalogue


@pytest.fixture
def fresh() -> Iterator[None]:
    catalogue.reset()
    yield None
    catalogue.reset()


def test_shipped_index_is_the_index_of_the_shipped_snapshot() -> None:
    # fails after scripts/build_iam_data.py rebuilt the snapshot: run tools/gen_iam_index.py
    data = catalogue.snapshot_bytes()
    shipped = catalogue.read_shipped(data)
    assert shipped is not None, "src/fnaudit/data/iam-index.marshal is stale: run tools/gen_iam_index.py"
    built = catalogue.build_index(catalogue.read_snapshot(data))
    assert dict(shipped["services"]) == built["services"]  # every service, decoded
    assert list(shipped["services"]) == list(built["services"])  # order too: all_actions() follows it
    whole, packed = catalogue.Catalogue(built, "memory"), catalogue.Catalogue(shipped, "package")
    assert packed.all_actions() == whole.all_actions()
    assert packed.all_levels() == whole.all_levels()
    assert packed.action_count() == len(whole.all_actions())
    managed = {name: zlib.decompress(doc).decode("utf-8") for name, doc in shipped["managed"].items()}
    assert managed == built["managed"]


def test_a_scan_reads_the_shipped_index_without_any_cache(monkeypatch: pytest.MonkeyPatch, fresh: None) -> None:
    monkeypatch.setenv("FNAUDIT_CACHE_DIR", "off")
    cat = catalogue.load()
    assert cat.source == "package"
    assert cat.level("s3:GetObject") == "Read"
    assert cat.canonical("IAM:passrole") == "iam:PassRole"
    # managed policies stay compressed until asked for, and come back as the snapshot has them
    assert cat.managed_policy("AdministratorAccess") == {
        "Statement": [{"Action": "*", "Effect": "Allow", "Resource": "*"}],
        "Version": "2012-10-17",
    }
    assert cat.managed_policy("NoSuchPolicy") is None


def test_an_index_of_another_snapshot_is_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None
) -> None:
    data = catalogue.snapshot_bytes()
    assert catalogue.read_shipped(data + b"x") is None  # another snapshot: another digest
    monkeypatch.setenv("FNAUDIT_CACHE_DIR", "off")
    monkeypatch.setattr(catalogue, "snapshot_digest", lambda _data: "0" * 64)
    cat = catalogue.load()
    assert cat.source == "memory"  # built from the snapshot, as before the index shipped
    assert cat.level("s3:GetObject") == "Read"


@pytest.mark.parametrize(
    "content",
    [
        b"not marshal",
        marshal.dumps(["a list"]),
        marshal.dumps({"format": catalogue.FORMAT + 1}),
        marshal.dumps({"format": catalogue.FORMAT, "snapshot": "?", "services": b"", "managed": {}}),
    ],
)
def test_an_unreadable_shipped_index_is_ignored(
    content: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / catalogue.SHIPPED).write_bytes(content)
    monkeypatch.setattr(catalogue.resources, "files", lambda _package: tmp_path)
    monkeypatch.setattr(catalogue, "snapshot_digest", lambda _data: "?")
    assert catalogue.read_shipped(b"snapshot") is None


def test_all_levels_follow_all_actions(fresh: None) -> None:
    cat = catalogue.load()
    assert cat.all_levels() == tuple(cat.level(a) for a in cat.all_actions())
    built = catalogue.Catalogue(catalogue.build_index(catalogue.read_snapshot()), "memory")
    assert built.all_levels() == tuple(built.level(a) for a in built.all_actions())


def test_a_scan_decodes_only_the_services_it_names(fresh: None) -> None:
    cat = catalogue.load()
    assert cat.level("s3:GetObject") == "Read"
    assert cat.action_count() > 15_000
    decoded = cat.services._decoded  # type: ignore[attr-defined]
    assert sorted(decoded) == ["s3"]
    assert cat.expand("sqs:Send*") == ("sqs:SendMessage",)
    assert sorted(decoded) == ["s3", "sqs"]
    assert "nosuch" not in cat.services and cat.level("nosuch:Thing") == "Unknown"


def test_a_corrupt_service_of_the_shipped_index_is_a_snapshot_error(
    monkeypatch: pytest.MonkeyPatch, fresh: None
) -> None:
    cat = catalogue.load()
    monkeypatch.setitem(cat.services._packed, "s3", b"broken")  # type: ignore[attr-defined]
    with pytest.raises(catalogue.SnapshotError, match="reinstall fnaudit"):
        cat.level("s3:GetObject")


def test_admin_raw_sums_every_action_in_catalogue_order(fresh: None) -> None:
    # the former computation, a float sum over all_actions() in order: the score's denominator must not move
    cat = catalogue.load()
    total = 0.0
    for a in cat.all_actions():
        total += blast.WEIGHT[cat.level(a)] * blast.BROAD
    assert blast.admin_raw(cat) == total
