"""DEP002: a package version published as malware (OSV `MAL-` advisories)."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.deps._common import attribution, describe, occurrences, shipped, who
from fnaudit.rules.registry import Context, rule


@rule(
    "DEP002",
    "malicious-package",
    title="Malicious package",
    category=Category.DEPENDENCIES,
    severity=Severity.CRITICAL,
    cwe=(506,),
    owasp=("SAS-6",),
    references=("https://github.com/ossf/malicious-packages",),
    needs=(Fact.PACKAGES, Fact.ADVISORIES),
)
def malicious_package(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Packages a function ships at a version that an OSV `MAL-` advisory (OpenSSF malicious-packages)
    reports as malicious: typosquats, hijacked maintainer accounts, versions that steal credentials
    or environment variables at install or import time. One finding per package version, listing
    every report that names it (JSON and SARIF: `advisories`). Development-only packages are not
    shipped and not reported unless `--include-dev`.

    ## When it speaks

    - **Speaks when**: the shipped version of a package has an OSV malicious-package report (`MAL-` advisory) in
      the local advisory store. Always critical; one finding per package version however many reports name it.
      Packages come from the lockfiles and manifests of each function's code; one finding per package version
      and file line, naming every function that ships it, or none (attributed as unclaimed) for a lockfile no
      function ships.
    - **Evidence**: the message names the package, version and ecosystem, the report ids and summary, and who
      ships it; the evidence is the purl and the report ids.
    - **Stays quiet**: a range with no lockfile that merely allows a malicious version (only the version shipped
      counts); versions no report names.

    ## Why it matters

    Malicious code runs inside the function with its role and its environment: AWS credentials,
    secrets in environment variables and every event. It is reported as critical whatever its
    reachability, because install scripts and import-time code run without being called.

    ## How to fix

    Remove the package or pin a version published before the compromise, regenerate the lockfile,
    rotate every credential the function (and the build machine) could read, and review the
    function's logs and the role's CloudTrail activity since the version was installed.

    ## Example

    Bad (package-lock.json): `"node_modules/debug": {"version": "4.4.2"}` (MAL-2025-46974)

    Good: `"node_modules/debug": {"version": "4.4.1"}`

    ## References

    - CWE-506: Embedded Malicious Code
    - OWASP Serverless Top 10, SAS-6 Using Components with Known Vulnerabilities
    """
    for p, fn_ids, _per_fn in occurrences(app):
        mal = tuple(a for a in p.advisories or () if a.malicious)
        if not mal:
            continue  # one finding per malicious package version, however many reports name it
        function, functions = who(fn_ids, app)
        ids = ", ".join(i for a in mal for i in a.ids)
        summary = next((a.summary for a in mal if a.summary), "malicious code")
        yield Hit(
            p.loc,
            f"{describe(p)} is a malicious package version ({ids}): {summary}; {shipped(fn_ids, app)}",
            function=function,
            functions=functions,
            attribution=attribution(fn_ids),
            evidence=" ".join((p.purl, *(a.id for a in mal))),
            remediation=f"Remove {p.name} {p.version} (or pin a version from before the compromise), "
            "regenerate the lockfile and rotate every credential the function could read.",
            severity=Severity.CRITICAL,
            key=f"{p.ecosystem}:{p.name}@{p.version}",  # the package version, not its reports
            advisories=mal,
        )
