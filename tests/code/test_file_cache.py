"""The code engine's file cache is per scan: nothing it learnt about the file system outlives the scan."""

from __future__ import annotations

from pathlib import Path

from fnaudit.engines.code.files import FileCache
from fnaudit.loaders.archives import Artifacts


def test_a_link_retargeted_between_two_scans_is_seen_by_the_second(tmp_path: Path) -> None:
    """Regression: link targets were memoised process-wide (lru_cache), so a second scan in the same
    process (a server, the fleet) still treated a link that now leads out of the code folder as inside."""
    root = tmp_path / "app"
    (root / "shared").mkdir(parents=True)
    (root / "shared" / "util.py").write_text("X = 1\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "util.py").write_text("X = 2\n", encoding="utf-8")
    link = root / "lib"
    link.symlink_to(root / "shared", target_is_directory=True)
    with Artifacts(root) as artifacts:
        first = FileCache(root, artifacts)
        assert first.exists_inside(root / "lib" / "util.py", root) is True
        assert first.errors == {}
    link.unlink()
    link.symlink_to(outside, target_is_directory=True)
    with Artifacts(root) as artifacts:
        second = FileCache(root, artifacts)
        assert second.exists_inside(root / "lib" / "util.py", root) is False
        assert list(second.errors) == ["lib/util.py"]
        assert "symbolic link to outside the function's code folder" in second.errors["lib/util.py"].message
