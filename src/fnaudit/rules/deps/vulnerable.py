"""DEP001: a package with a known vulnerability at the version the lockfile pins."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.model.package import Reachability
from fnaudit.rules.deps._common import describe, merged_reachability, occurrences, severity_of, shipped, who
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
    Packagist, each compared with its own version rules. Records that are aliases of each other
    (GHSA, CVE, PYSEC, GO-, RUSTSEC) make one finding listing every id. The severity comes from the
    CVSS vector (or the database's own rating), lowered one level when the handler's code does not
    import the package; the remediation names the lowest fixed version. Development-only packages
    are not checked unless `--include-dev`. Without a lockfile, the exact pins of a `package.json`
    or `requirements*.txt` are matched the same way, and a range (`^2.0.10`, `>=1,<2`) is reported
    here when every version it allows is affected (when only some are: DEP005). Lockfiles and
    manifests of the app that no function ships are matched too and reported with no function
    ("no function ships it").

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
        for adv in p.advisories or ():
            if adv.malicious:
                continue  # DEP002
            reach = merged_reachability(per_fn, adv.id)
            ids = ", ".join(adv.ids)
            fix = f"fixed in {adv.fixed}" if adv.fixed else "no fixed version known"
            rated = f"CVSS {adv.score:g}" if adv.score is not None else (adv.severity or "not rated")
            function, functions = who(fn_ids, app)
            yield Hit(
                p.loc,
                f"{describe(p)}{_EVERY if not p.version else ''} is affected by {ids} ({rated}): "
                f"{adv.summary or 'no summary'}; {fix}; "
                f"{_REACH[reach]}; {shipped(fn_ids, app)}",
                function=function,
                functions=functions,
                evidence=f"{p.purl} {adv.id}",
                remediation=(
                    f"Upgrade {p.name} to {adv.fixed} or later and regenerate the lockfile."
                    if adv.fixed
                    else f"No fixed version of {p.name} is known: replace or remove it, "
                    "or keep it out of reach of event data."
                ),
                severity=severity_of(adv, reach),
                key=f"{p.ecosystem}:{p.name}@{p.version or p.requirement} {adv.id}",
                confidence="high" if reach != Reachability.NOT_REACHABLE else "medium",
            )
