"""Version ordering per ecosystem (a fact about packages: loaders pick the newest, the OSV engine matches),
on maintained libraries (no hand-written comparison).

PyPI: PEP 440 (`packaging`): `1.0a1 < 1.0 < 1.0.post1`. npm, crates.io and OSV `SEMVER` ranges:
SemVer 2 (`univers`): `1.0.0-rc.1 < 1.0.0`. Go: SemVer with the `v` prefix and `+incompatible`
dropped, so pseudo-versions (`v0.0.0-20200101000000-abcdef012345`) sort as the pre-releases they
are. Maven: Maven's ComparableVersion order (`univers`): `1.0-SNAPSHOT < 1.0`, qualifiers
`alpha < beta < milestone < rc < snapshot < "" < sp`; `RELEASE` / `Final` / `GA` equal to
no qualifier. RubyGems, Packagist (Composer), NuGet: their `univers` classes.

`parse(ecosystem, text)` returns a comparable object, or None when the text is not a version
of that ecosystem (the caller then says "unknown", never "not affected"). Results are cached.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from packaging.version import InvalidVersion
from packaging.version import Version as Pep440
from univers import versions as uv

_MAVEN_RELEASE = re.compile(r"[.-](release|final|ga)$", re.I)
_SEMVER_CLASSES = {"npm", "crates.io", "SEMVER", "Go", "Hex", "Pub", "SwiftURL"}


@lru_cache(maxsize=1 << 18)
def parse(ecosystem: str, text: str) -> Any | None:
    t = text.strip()
    if not t:
        return None
    try:
        if ecosystem == "PyPI":
            return Pep440(t)
        if ecosystem == "Go":
            return _semver_key(_go(t))
        if ecosystem in _SEMVER_CLASSES:
            return _semver_key(t[1:] if t[:1] in "vV" and t[1:2].isdigit() else t)
        if ecosystem == "Maven":
            return uv.MavenVersion(_MAVEN_RELEASE.sub("", t))
        if ecosystem == "RubyGems":
            return uv.RubygemsVersion(t)
        if ecosystem == "Packagist":
            return uv.ComposerVersion(t)
        if ecosystem == "NuGet":
            return uv.NugetVersion(t)
        return uv.SemverVersion(t)
    except (InvalidVersion, ValueError, TypeError, AttributeError, Exception):
        return None


def _semver_key(text: str) -> Any:
    """`univers`' SemVer value (what `SemverVersion(text)` builds, parsed once instead of twice), as
    the precedence key `semantic_version` itself compares by (build metadata ignored, as SemVer
    says): a plain tuple, an order of magnitude faster to compare than the wrapper objects."""
    value = uv.SemverVersion.build_value(text)
    return getattr(value, "_cmp_precedence_key", None) or uv.SemverVersion(text)


def _go(t: str) -> str:
    t = t[1:] if t[:1] == "v" else t
    return t.split("+", 1)[0]


class _Key:
    """A sort key that puts unparseable versions first and compares the rest in their ecosystem."""

    __slots__ = ("raw", "v")

    def __init__(self, v: Any | None, raw: str) -> None:
        self.v, self.raw = v, raw

    def __lt__(self, other: _Key) -> bool:
        if self.v is None or other.v is None:
            return (self.v is not None, self.raw) < (other.v is not None, other.raw)
        return bool(self.v < other.v)

    def __gt__(self, other: _Key) -> bool:
        return other < self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and not (self < other) and not (other < self)


def sort_key(ecosystem: str, text: str) -> _Key:
    return _Key(parse(ecosystem, text), text)


def compare(ecosystem: str, a: str, b: str) -> int | None:
    """-1, 0 or 1; None when either is not a version of the ecosystem."""
    va, vb = parse(ecosystem, a), parse(ecosystem, b)
    if va is None or vb is None:
        return None
    return -1 if va < vb else (1 if va > vb else 0)


@lru_cache(maxsize=1 << 18)
def canonical(ecosystem: str, text: str) -> Any:
    """A hashable form under which equal versions are equal (`1.0` / `1.0.0` for PyPI, `v1.2.3` /
    `1.2.3` for Go, `1.0.RELEASE` / `1.0` for Maven), for set lookups in explicit `versions` lists."""
    t = text.strip()
    if ecosystem == "PyPI":
        v = parse("PyPI", t)
        if v is None:
            return t
        release = list(v.release)
        while len(release) > 1 and release[-1] == 0:
            release.pop()
        return (v.epoch, tuple(release), v.pre, v.post, v.dev, v.local)
    if ecosystem == "Go":
        return _go(t)
    if ecosystem == "Maven":
        return _MAVEN_RELEASE.sub("", t).lower()
    if ecosystem in _SEMVER_CLASSES:
        return t[1:] if t[:1] in "vV" and t[1:2].isdigit() else t
    return t


def same(ecosystem: str, a: str, b: str) -> bool:
    """Equal as versions (`1.0` == `1.0.0` for PyPI), or equal as text."""
    if a == b:
        return True
    return compare(ecosystem, a, b) == 0
