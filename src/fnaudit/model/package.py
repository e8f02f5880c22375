"""Third-party packages a function ships (owned by the dependency engine; rules read them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packageurl import PackageURL

from fnaudit.model.loc import Loc

# OSV ecosystem → Package URL type (https://github.com/package-url/purl-spec, PURL-TYPES); others are `generic`.
PURL_TYPES = {
    "npm": "npm",
    "PyPI": "pypi",
    "Maven": "maven",
    "Go": "golang",
    "crates.io": "cargo",
    "RubyGems": "gem",
    "Packagist": "composer",
}

_PEP503 = re.compile(r"[-_.]+")


def pep503(name: str) -> str:
    """PEP 503 normalised project name: `Foo.Bar_baz` → `foo-bar-baz`."""
    return _PEP503.sub("-", name).lower()


def build_purl(ecosystem: str, name: str, version: str | None) -> str:
    """The Package URL of a package, built (and percent-encoded) by packageurl-python, never by hand:
    `@scope/pkg` → `pkg:npm/%40scope/pkg@1.0`, `Foo_Bar` → `pkg:pypi/foo-bar@1.0`,
    `g:a` → `pkg:maven/g/a@1.0`, `github.com/a/b` → `pkg:golang/github.com/a/b@v1`."""
    ptype = PURL_TYPES.get(ecosystem, "generic")
    namespace: str | None = None
    short = name
    if ecosystem == "npm" and name.startswith("@") and "/" in name:
        namespace, short = name.split("/", 1)
    elif ecosystem == "Maven" and ":" in name:
        namespace, short = name.split(":", 1)
    elif ecosystem in ("Go", "Packagist") and "/" in name:
        namespace, short = name.rsplit("/", 1)
    elif ecosystem == "PyPI":
        short = pep503(name)
    return str(PackageURL(type=ptype, namespace=namespace, name=short, version=version or None).to_string())


class Reachability:
    """Whether the handler's module graph imports a package (values, not an enum: JSON-friendly)."""

    REACHABLE = "reachable"
    NOT_REACHABLE = "not-reachable"
    UNKNOWN = "unknown"


# The package ecosystems a function of each language ships (the others' lockfiles are not its packages).
LANGUAGE_ECOSYSTEMS: dict[str, tuple[str, ...]] = {
    "python": ("PyPI",),
    "node": ("npm",),
    "java": ("Maven",),
    "kotlin": ("Maven",),
    "go": ("Go",),
    "ruby": ("RubyGems",),
}


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
    # A range (`version` None, `requirement` as written): advisories that affect only some of the versions
    # it allows (those affecting every one are in `advisories`); filled by the dependency engine.
    partial: tuple[Advisory, ...] = ()
    # Read from a manifest that no lockfile pins (package.json without a lock): what gets installed is
    # whatever the registry serves for `requirement`, so DEP003 reports the manifest rather than each entry.
    manifest_only: bool = False
    # Filled by the dependency engine: the single lowest version that fixes every advisory of `advisories`
    # and `partial` that is not malicious (per the ecosystem's version order); None when one of them has no
    # fixed version or no version fixes them all.
    fix: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.ecosystem, self.name, self.version or "")

    @property
    def package_url(self) -> str:
        """`purl`, or when it is empty (a Package built by hand) the one its ecosystem, name and version
        give; the version only for registry packages, as the lockfile loaders do."""
        return self.purl or build_purl(self.ecosystem, self.name, self.version if self.source == "registry" else None)
