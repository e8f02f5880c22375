"""Third-party packages a function ships (owned by the dependency engine; rules read them)."""

from __future__ import annotations

from dataclasses import dataclass

from fnaudit.model.loc import Loc


class Reachability:
    """Whether the handler's module graph imports a package (values, not an enum: JSON-friendly)."""

    REACHABLE = "reachable"
    NOT_REACHABLE = "not-reachable"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Advisory:
    """One vulnerability (its aliases merged) that affects one package at its version.

    `severity` is critical|high|medium|low, or None when neither a CVSS vector nor the database
    rates it; `cvss` is the vector it was computed from. `fixed` is the lowest version that fixes it
    (None: no fix known). `malicious` is True for `MAL-` (malicious package) advisories.
    """

    id: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    severity: str | None = None
    cvss: str | None = None
    score: float | None = None
    fixed: str | None = None
    malicious: bool = False
    reachable: str = Reachability.UNKNOWN
    withdrawn: bool = False

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)


@dataclass(frozen=True, slots=True)
class Package:
    purl: str  # Package URL, e.g. pkg:pypi/requests@2.31.0
    ecosystem: str  # OSV ecosystem: npm, PyPI, Maven, Go, crates.io, RubyGems, Packagist
    name: str
    version: str | None  # None when not pinned (a range in requirements.txt)
    loc: Loc  # the lockfile and line it came from
    scope: str = "runtime"  # runtime | dev
    direct: bool | None = None  # declared by the project itself (None: the lockfile does not say)
    source: str = "registry"  # registry | git | url | path | workspace (only registry packages are matched)
    requirement: str = ""  # as written, for unpinned requirements (`requests>=2`)
    # Filled by the dependency engine: None = not checked (no advisory store), () = no known advisory.
    advisories: tuple[Advisory, ...] | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.ecosystem, self.name, self.version or "")
