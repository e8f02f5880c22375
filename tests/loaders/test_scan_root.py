"""`ScanRoot` remembers the real path of what it resolved (issue 18): the answers must be those of
`Path.resolve`, link by link, for files, folders, links inside and outside the root, loops, dangling
links, `..` and relative paths."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from fnaudit.errors import InputError
from fnaudit.loaders._files import ScanRoot, safe_resolve

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links as POSIX makes them")


def reference_rel(root: Path, p: Path) -> str:
    """`ScanRoot.rel` as it was, resolving every path from scratch."""
    try:
        r = safe_resolve(p).relative_to(root) if p.is_absolute() else p
    except (ValueError, InputError):
        try:
            r = Path(os.path.abspath(p)).relative_to(root)
        except ValueError:
            r = p
    s = PurePosixPath(*Path(r).parts).as_posix()
    return "" if s == "." else s


def reference_contains(root: Path, p: Path) -> bool:
    try:
        t = safe_resolve(p)
    except InputError:
        return False
    return t == root or root in t.parents


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "secret.yml").write_text("x: 1\n")
    root = tmp_path / "repo"
    (root / "app" / "src").mkdir(parents=True)
    (root / "app" / "src" / "handler.py").write_text("def h(e, c): ...\n")
    (root / "app" / "template.yaml").write_text("Resources: {}\n")
    (root / "shared").mkdir()
    (root / "shared" / "lib.py").write_text("")
    (root / "app" / "lib").symlink_to("../shared")  # a folder link inside the root
    (root / "app" / "alias.yaml").symlink_to("template.yaml")  # a file link, relative target
    (root / "app" / "abs.py").symlink_to(root / "shared" / "lib.py")  # absolute target
    (root / "out").symlink_to(outside)  # a folder link leaving the root
    (root / "app" / "out.yml").symlink_to(outside / "deep" / "secret.yml")
    (root / "loop").symlink_to("loop")
    (root / "ping").symlink_to("pong")
    (root / "pong").symlink_to("ping")
    (root / "dangling.yml").symlink_to("missing/nothing.yml")
    (root / "chain").symlink_to("app/lib")  # a link to a link
    return root


def candidates(root: Path) -> list[Path]:
    walked = [Path(d) / n for d, dirs, files in os.walk(root) for n in [*dirs, *files]]
    extra = [
        root,
        root / "app" / "lib" / "lib.py",
        root / "chain" / "lib.py",
        root / "out" / "deep" / "secret.yml",
        root / "out" / "deep",
        root / "loop" / "below",
        root / "ping" / "x",
        root / "dangling.yml" / "x",
        root / "missing" / "file.py",
        root / "app" / ".." / "shared" / "lib.py",
        root / "app" / "lib" / ".." / "app" / "template.yaml",
        root / "app" / "template.yaml" / "not-a-folder",
        root.parent,
        Path("/"),
        Path("relative/path.py"),
        Path("."),
    ]
    return walked + extra


def test_rel_and_contains_are_those_of_path_resolve(tree: Path) -> None:
    root = ScanRoot.of(tree)
    for _ in range(2):  # the second round answers from what the first remembered
        for p in candidates(tree):
            assert root.rel(p) == reference_rel(root.path, p), p
            assert root.contains(p) == reference_contains(root.path, p), p


def test_real_is_str_of_safe_resolve_or_the_same_error(tree: Path) -> None:
    root = ScanRoot.of(tree)
    for p in candidates(tree):
        try:
            expected: str | None = str(safe_resolve(p))
        except InputError:
            expected = None
        for _ in range(2):
            if expected is None:
                with pytest.raises(InputError, match="symbolic link loop"):
                    root.real(os.fspath(p))
            else:
                assert root.real(os.fspath(p)) == expected, p


def test_exact_answers_for_links(tree: Path) -> None:
    root = ScanRoot.of(tree)
    assert root.rel(tree / "app" / "alias.yaml") == "app/template.yaml"
    assert root.rel(tree / "chain" / "lib.py") == "shared/lib.py"
    assert root.rel(tree / "app" / "out.yml") == "app/out.yml"  # leaves the root: named where it sits
    assert root.rel(tree / "loop") == "loop"
    assert root.rel(tree / "nul\x00name") == "nul\x00name"  # not a path the system accepts: named as given
    assert not root.contains(tree / "out" / "deep") and not root.contains(tree / "ping")
    assert root.contains(tree / "dangling.yml")  # resolves (non-strict) to a path inside the root
    assert root.resolve_inside(tree / "app", "lib/lib.py") == tree.resolve() / "shared" / "lib.py"
    assert root.resolve_inside(tree / "app", "../shared") == tree.resolve() / "shared"
    for escape in ("../../outside/deep/secret.yml", "../out/deep", "out.yml", "/etc/passwd"):
        with pytest.raises(InputError, match="points outside the scanned folder"):
            root.resolve_inside(tree / "app", escape)
    with pytest.raises(InputError, match="symbolic link loop"):
        root.resolve_inside(tree, "loop")


def test_a_path_missing_when_first_asked_is_resolved_again_later(tree: Path) -> None:
    """Missing paths are not remembered: a zip artifact unpacked during the scan may create them."""
    root = ScanRoot.of(tree)
    later = tree / "app" / "later"
    assert root.rel(later / "x.py") == "app/later/x.py"
    later.symlink_to(tree / "shared")
    (tree / "shared" / "x.py").write_text("")
    assert root.rel(later / "x.py") == "shared/x.py"
