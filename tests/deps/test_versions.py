"""Each ecosystem's ordering traps."""

from __future__ import annotations

import pytest

from fnaudit.model.versions import compare, same


@pytest.mark.parametrize(
    ("eco", "lower", "higher"),
    [
        ("npm", "1.0.0-rc.1", "1.0.0"),
        ("npm", "1.0.0-alpha", "1.0.0-alpha.1"),
        ("npm", "1.0.0-rc.2", "1.0.0-rc.10"),
        ("npm", "1.9.0", "1.10.0"),
        ("crates.io", "0.1.9", "0.1.10"),
        ("PyPI", "1.0a1", "1.0"),
        ("PyPI", "1.0", "1.0.post1"),
        ("PyPI", "1.0.dev1", "1.0a1"),
        ("PyPI", "1.0rc1", "1.0"),
        ("PyPI", "2.9", "2.10"),
        ("Maven", "1.0-SNAPSHOT", "1.0"),
        ("Maven", "1.0-alpha-1", "1.0-beta-1"),
        ("Maven", "1.0-beta", "1.0-rc1"),
        ("Maven", "1.0-rc1", "1.0"),
        ("Maven", "1.0", "1.0-sp1"),
        ("Maven", "2.5.RELEASE", "2.5.1"),
        ("Maven", "2.0", "10.0"),
        ("Go", "v0.0.0-20200101000000-abcdef123456", "v0.0.1"),
        ("Go", "v1.2.3", "v1.2.4-0.20200101000000-abcdef123456"),  # pseudo-version after v1.2.3
        ("Go", "v1.2.4-0.20200101000000-abcdef123456", "v1.2.4"),
        ("Go", "v1.9.0", "v1.10.0"),
        ("RubyGems", "1.0.0.pre", "1.0.0"),
        ("RubyGems", "1.9", "1.10"),
        ("Packagist", "1.0.0", "v1.0.1"),
    ],
)
def test_ordering(eco: str, lower: str, higher: str) -> None:
    assert compare(eco, lower, higher) == -1
    assert compare(eco, higher, lower) == 1


@pytest.mark.parametrize(
    ("eco", "a", "b"),
    [
        ("PyPI", "1.0", "1.0.0"),
        ("Maven", "1.0.RELEASE", "1.0"),
        ("Maven", "1.0.Final", "1.0"),
        ("Go", "v1.2.3", "1.2.3"),
        ("Go", "v2.0.0+incompatible", "v2.0.0"),
    ],
)
def test_equal_versions(eco: str, a: str, b: str) -> None:
    assert same(eco, a, b)


def test_a_version_that_does_not_parse_is_unknown() -> None:
    assert compare("npm", "not-a-version", "1.0.0") is None
    assert compare("PyPI", "latest", "1.0") is None
