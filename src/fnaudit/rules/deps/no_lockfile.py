"""DEP003: a function's dependencies are not pinned (a manifest without a lockfile, or unpinned requirements)."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.deps._common import attribution, occurrences, shipped, who
from fnaudit.rules.registry import Context, rule


@rule(
    "DEP003",
    "no-lockfile",
    title="Dependencies are not pinned by a lockfile",
    category=Category.DEPENDENCIES,
    severity=Severity.MEDIUM,
    cwe=(1357, 829),
    owasp=("SAS-6",),
    references=(
        "https://docs.npmjs.com/cli/configuring-npm/package-lock-json",
        "https://pip.pypa.io/en/stable/topics/repeatable-installs/",
    ),
    needs=(Fact.PACKAGES,),
)
def no_lockfile(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions whose code is in the repository with a dependency manifest (`package.json`,
    `pyproject.toml`, `Pipfile`, `go.mod`, `Gemfile`, `Cargo.toml`, `composer.json`,
    `build.gradle`) that declares dependencies but has no lockfile beside it (or above it, for a
    workspace); and requirements files whose lines are ranges (`requests>=2`) rather than exact
    pins (`requests==2.32.3`). A range is never turned into a guessed version.

    ## When it speaks

    - **Speaks when**: a function's code declares dependencies in a manifest (`package.json`,
      `requirements.txt`, `pyproject.toml`, `Pipfile`…) with no lockfile beside it, or a registry requirement of
      a lockfile-less source is not pinned to one version (`requests>=2`). Medium. Packages come from the
      lockfiles and manifests of each function's code; one finding per package version and file line, naming
      every function that ships it, or none (attributed as unclaimed) for a lockfile no function ships.
    - **Evidence**: for a manifest: its path and who ships it (evidence: the path); for an unpinned requirement:
      the package and its range (evidence: the range).
    - **Stays quiet**: manifests with a lockfile; requirements pinned with `==`; entries of a manifest already
      reported as a whole; dependencies of no registry (local paths, VCS URLs).

    ## Why it matters

    Without pinned versions each deployment installs whatever the registry serves that day: a
    compromised or vulnerable new release ships without review, two deployments of the same
    commit differ, and the dependency scan cannot say which versions run.

    ## How to fix

    Commit the lockfile your tool writes (`npm install` → package-lock.json, `poetry lock`,
    `uv lock`, `pipenv lock`, `go mod tidy` → go.sum, `bundle lock`, `cargo generate-lockfile`,
    `composer update --lock`, Gradle `--write-locks`), or pin every requirement exactly (ideally
    with `--require-hashes`, e.g. `pip-compile --generate-hashes`).

    ## Example

    Bad (requirements.txt):

    ```text
    requests>=2.0
    ```

    Good:

    ```text
    requests==2.32.3
    ```

    ## References

    - CWE-1357: Reliance on Insufficiently Trustworthy Component
    - CWE-829: Inclusion of Functionality from Untrusted Control Sphere
    """
    for p, fn_ids, _per_fn in occurrences(app):
        function, functions = who(fn_ids, app)
        if p.source == "manifest":
            yield Hit(
                p.loc,
                f"{p.loc.path} declares {p.ecosystem} dependencies but no lockfile pins them; {shipped(fn_ids, app)}",
                function=function,
                functions=functions,
                attribution=attribution(fn_ids),
                evidence=p.loc.path,
                remediation=f"Generate and commit the lockfile for {p.loc.path}.",
                key=f"manifest {p.loc.path}",
            )
        elif p.source == "registry" and p.version is None and p.requirement and not p.manifest_only:
            # (an entry of a manifest with no lockfile: the manifest itself is the finding above)
            yield Hit(
                p.loc,
                f"{p.name} is not pinned ({p.requirement}): the version deployed is whatever the registry "
                f"serves at build time; {shipped(fn_ids, app)}",
                function=function,
                functions=functions,
                attribution=attribution(fn_ids),
                evidence=p.requirement,
                remediation=f"Pin {p.name} to an exact version (`{p.name}==X.Y.Z`), ideally with hashes.",
                key=f"unpinned {p.ecosystem}:{p.name}",
            )
