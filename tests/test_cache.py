"""The on-disk cache: keyed entries, and a switch that really turns it off."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit import cache


def test_entries_round_trip_and_keys_change_with_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FNAUDIT_CACHE_DIR", str(tmp_path))
    k1, k2 = cache.key("sam", "a"), cache.key("sam", "b")
    assert k1 != k2
    cache.write_json("sam", k1, {"template": {"Resources": {}}})
    assert cache.read_json("sam", k1) == {"template": {"Resources": {}}}
    assert cache.read_json("sam", k2) is None


def test_cache_off_means_no_cache_folder_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`FNAUDIT_CACHE_DIR=off` disables every cache; nothing may create a folder named `off`."""
    from fnaudit import cache
    from fnaudit.engines.iam import catalogue

    monkeypatch.setenv("FNAUDIT_CACHE_DIR", "off")
    monkeypatch.chdir(tmp_path)
    assert cache.cache_dir() is None
    catalogue.reset()
    try:
        assert catalogue.load().source == "package"  # the index shipped with the snapshot: no cache needed
    finally:
        catalogue.reset()
    assert not (tmp_path / "off").exists()
