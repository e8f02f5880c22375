"""DEP005: a range with no lockfile allows versions with a known vulnerability (some, not all)."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.deps._common import attribution, describe, fix_text, listing, occurrences, shipped, who, worst_first
from fnaudit.rules.registry import Context, rule


@rule(
    "DEP005",
    "vulnerable-dependency-range",
    title="Dependency range allows vulnerable versions",
    category=Category.DEPENDENCIES,
    severity=Severity.MEDIUM,
    cwe=(1395, 1357),
    owasp=("SAS-6",),
    references=("https://osv.dev/", "https://docs.npmjs.com/cli/configuring-npm/package-lock-json"),
    needs=(Fact.PACKAGES, Fact.ADVISORIES),
)
def vulnerable_dependency_range(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    A dependency declared with a range and pinned by no lockfile (`"lodash": "^4.17.0"` in a
    `package.json` without `package-lock.json`, `jinja2>=2.10,<3` in `requirements.txt`,
    `implementation 'g:a:2.+'` or `[1.0,2.0)` in a `build.gradle` without `gradle.lockfile`) where some
    of the versions the range allows are affected by an OSV advisory and others are not. Which one
    is deployed depends on the day the bundle is built, so the finding has lower confidence than a
    locked version. When every allowed version is affected, DEP001 reports it instead. One finding
    per range, listing every such advisory (JSON and SARIF: `advisories`); the remediation names the
    lowest version that fixes all of them and above which none of them affects a version.

    ## When it speaks

    - **Speaks when**: a dependency range that no lockfile pins allows some versions affected by advisories and
      some that are not (when every allowed version is affected, DEP001 reports it). Medium, low confidence.
      Packages come from the lockfiles and manifests of each function's code; one finding per package version
      and file line, naming every function that ships it, or none (attributed as unclaimed) for a lockfile no
      function ships.
    - **Evidence**: the message names the package, ecosystem and range, lists the advisories worst first, the
      lowest version that fixes all of them, and who ships it; the evidence is the package, the range and the
      advisory ids.
    - **Stays quiet**: ranges pinned by a lockfile (the pinned version is judged by DEP001); ranges whose
      allowed versions are all unaffected; malicious versions (reported only once shipped, DEP002).

    ## Why it matters

    Without a lockfile a rebuild, a cache miss or a new machine can install any version in the
    range, including a vulnerable one (OWASP Serverless SAS-6), and nothing records which one a
    deployed function actually runs.

    ## How to fix

    Raise the lower bound of the range above the fixed version (`^4.17.21`, `jinja2>=3.1.4`) and
    commit a lockfile (`npm install` writes `package-lock.json`; `pip-compile` or `uv lock` for
    Python; `gradle dependencies --write-locks` for Gradle) so the deployed version is the one that
    was checked.

    ## Example

    Bad (package.json, no lockfile):

    ```json
    {"dependencies": {"lodash": "^4.17.0"}}
    ```

    Good:

    ```json
    {"dependencies": {"lodash": "^4.17.21"}}
    ```

    ## References

    - CWE-1395: Dependency on Vulnerable Third-Party Component
    - CWE-1357: Reliance on Insufficiently Trustworthy Component
    """
    for p, fn_ids, _per_fn in occurrences(app):
        # A malicious version is only reported once it is the one shipped (DEP002).
        advs = worst_first(a for a in p.partial if not a.malicious)
        if not advs:
            continue
        function, functions = who(fn_ids, app)
        many = f"{len(advs)} advisories: " if len(advs) > 1 else ""
        yield Hit(
            p.loc,
            f"{describe(p)}: no lockfile pins it and some of the versions the range allows are affected by "
            f"{many}{listing(advs)}; {fix_text(advs, p.fix)}; {shipped(fn_ids, app)}",
            function=function,
            functions=functions,
            attribution=attribution(fn_ids),
            evidence=" ".join((p.name, p.requirement, *(a.id for a in advs))),
            remediation=(
                f"Raise the lower bound of {p.name} to {p.fix} and commit a lockfile."
                if p.fix
                else f"No fixed version of {p.name} is known for every advisory: replace or remove it, "
                "and commit a lockfile."
            ),
            key=f"{p.ecosystem}:{p.name} {p.requirement}",  # the range and its file, not its advisories
            confidence="low",
            advisories=advs,
        )
