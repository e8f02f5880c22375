"""Third-party packages a function ships (owned by the dependency engine; rules read them)."""

from __future__ import annotations

from dataclasses import dataclass

from fnaudit.model.loc import Loc


@dataclass(frozen=True, slots=True)
class Package:
    purl: str  # Package URL, e.g. pkg:pypi/requests@2.31.0
    ecosystem: str  # OSV ecosystem: npm, PyPI, Maven, Go, crates.io, RubyGems, Packagist
    name: str
    version: str | None  # None when not pinned (a range in requirements.txt)
    loc: Loc  # the lockfile and line it came from
    scope: str = "runtime"  # runtime | dev
