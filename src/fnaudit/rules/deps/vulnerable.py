"""DEP001: a package with a known vulnerability at the version the lockfile pins."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.model.package import Advisory, Reachability
from fnaudit.rules.deps._common import (
    attribution,
    describe,
    fix_text,
    listing,
    merged_reachability,
    occurrences,
    severity_of,
    shipped,
    who,
    worst_first,
)
from fnaudit.rules.registry import Context, rule

_REACH = {
    Reachability.REACHABLE: "the handler's code imports it",
    Reachability.NOT_REACHABLE: "the handler's code does not import it (severity lowered one level)",
    Reachability.UNKNOWN: "whether the handler imports it is unknown",
}
# A range with no lockfile (package.json `^2.0.10`, requirements `>=1,<2`) whose every version is affected.
_EVERY = ", no lockfile pins it: every version the range allows"


@rule(
    "DEP001",
    "vulnerable-dependency",
    title="Dependency with a known vulnerability",
    category=Category.DEPENDENCIES,
    severity=Severity.HIGH,
    cwe=(1395, 937),
    owasp=("SAS-6",),
    references=("https://osv.dev/", "https://ossf.github.io/osv-schema/"),
    needs=(Fact.PACKAGES, Fact.ADVISORIES),
)
def vulnerable_dependency(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Packages that a function ships (from its lockfiles, its layers, the app folder it bundles) at a
    version an OSV advisory says is affected: npm, PyPI, Maven, Go, crates.io, RubyGems and
    Packagist, each compared with its own version rules. One finding per package version and file
    (its root cause), listing every advisory that affects it (records that are aliases of each other,
    GHSA, CVE, PYSEC, GO-, RUSTSEC, are one advisory listing every id) with its severity and summary;
    the JSON and SARIF reports carry the list (`advisories`). The worst advisory decides the severity
    (from its CVSS vector, or the database's own rating), lowered one level when the handler's code
    does not import the package; the remediation names the single lowest version that fixes every
    advisory (and that no other known advisory affects, when there is one), or says which advisory
    has no fix. Development-only packages (reached only from `devDependencies`, dev groups, test
    scopes) are not shipped and not checked unless `--include-dev`. Without a lockfile, the exact
    pins of a `package.json` or `requirements*.txt` are matched the same way, and a range
    (`^2.0.10`, `>=1,<2`) is reported here when every version it allows is affected (when only
    some are: DEP005). Lockfiles and manifests of the app that no function ships are matched too
    and reported with no function ("no function ships it").

    ## When it speaks

    - **Speaks when**: the package version a lockfile pins (or every version a range allows, when no lockfile
      pins it) is affected by one or more advisories of the local advisory store (OSV), malicious-package
      reports left out. One finding per package version, whatever the number of advisories: the worst advisory
      decides the severity (an unrated one counts as medium), lowered one level when no handler imports the
      package. Packages come from the lockfiles and manifests of each function's code; one finding per package
      version and file line, naming every function that ships it, or none (attributed as unclaimed) for a
      lockfile no function ships.
    - **Evidence**: the message names the package, version and ecosystem, lists the advisories worst first (ids,
      CVSS or rating, summary; the first five, then `and N more`), the single lowest version that fixes them all
      (or which have no fix), whether the handler's code imports it, and who ships it; the evidence is the purl
      and the advisory ids; JSON and SARIF carry every advisory. Confidence high, medium when not imported.
    - **Stays quiet**: versions outside every advisory's affected range; ranges only partly affected (DEP005);
      malicious versions (DEP002); packages of ecosystems the store has no data for (DEP004 says so).

    ## Why it matters

    Vulnerable third-party dependencies (OWASP Serverless SAS-6): a function runs every package in
    its bundle with its role's permissions, so a known flaw in one of them (a deserialisation bug,
    a prototype pollution, a ReDoS on event data) is an entry point into the function and what it
    can reach.

    ## How to fix

    Upgrade the package to the fixed version (or later) and regenerate the lockfile; for a
    transitive package, upgrade the direct dependency that pulls it in, or pin it with npm
    `overrides` / yarn `resolutions` / a constraints file. Remove packages the function does not use.

    ## Example

    Bad (requirements.txt):

    ```text
    jinja2==2.10
    ```

    Good:

    ```text
    jinja2==3.1.4
    ```

    ## References

    - CWE-1395: Dependency on Vulnerable Third-Party Component
    - OWASP Serverless Top 10, SAS-6 Using Components with Known Vulnerabilities
    """
    for p, fn_ids, per_fn in occurrences(app):
        # One finding per package version: the advisories are its causes, not findings of their own.
        advs = worst_first(a for a in p.advisories or () if not a.malicious)  # malicious ones: DEP002
        if not advs:
            continue
        reach = merged_reachability(per_fn)
        function, functions = who(fn_ids, app)
        many = f"{len(advs)} advisories: " if len(advs) > 1 else ""
        # One advisory whose databases disagree on its fix: the lowest one a database names (its own `fixed`).
        fix = p.fix if p.fix is not None or len(advs) > 1 else advs[0].fixed
        yield Hit(
            p.loc,
            f"{describe(p)}{_EVERY if not p.version else ''} is affected by {many}{listing(advs)}; "
            f"{fix_text(advs, fix)}; {_REACH[reach]}; {shipped(fn_ids, app)}",
            function=function,
            functions=functions,
            attribution=attribution(fn_ids),
            evidence=" ".join((p.purl, *(a.id for a in advs))),
            remediation=_remediation(p.name, advs, fix),
            severity=severity_of(advs, reach),
            # The package version and its file (in the fingerprint already), not its advisories: a new
            # advisory for the same version leaves the finding (and its baseline entry) as it was.
            key=f"{p.ecosystem}:{p.name}@{p.version or p.requirement}",
            confidence="high" if reach != Reachability.NOT_REACHABLE else "medium",
            advisories=advs,
        )


def _remediation(name: str, advs: tuple[Advisory, ...], fix: str | None) -> str:
    if fix is not None:
        every = f" (the lowest version that fixes all {len(advs)} advisories)" if len(advs) > 1 else ""
        return f"Upgrade {name} to {fix} or later{every} and regenerate the lockfile."
    return (
        f"No single fixed version of {name} is known for all of its advisories: replace or remove it, "
        "or keep it out of reach of event data."
        if len(advs) > 1 and all(a.fixed for a in advs)
        else f"No fixed version of {name} is known: replace or remove it, or keep it out of reach of event data."
    )
