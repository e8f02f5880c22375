"""DEP004: the dependency checks did not run (no advisory store, or none for an ecosystem)."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.registry import Context, rule


@rule(
    "DEP004",
    "dependency-scan-not-run",
    title="Dependencies were not checked for known vulnerabilities",
    category=Category.DEPENDENCIES,
    severity=Severity.MEDIUM,
    cwe=(1104,),
    owasp=("SAS-6",),
    references=("https://google.github.io/osv-scanner/guides/offline-mode/",),
    needs=(Fact.PACKAGES, Fact.ADVISORIES),
)
def dependency_scan_not_run(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Apps whose functions ship pinned packages that were not checked against advisories because
    there is no local advisory store (or it holds no data for the package's ecosystem). One
    finding per app names the functions and ecosystems concerned; the scan's `errors` say the same
    with the command to run. The dependency rules never pass silently.

    ## When it speaks

    - **Speaks when**: a function ships packages that were not checked for advisories because the local advisory
      store has no data for their ecosystem (or no store exists). Medium; one finding for the whole app.
    - **Evidence**: the message counts the unchecked packages, names their ecosystems and the functions shipping
      them, and says how to fill the store (`fnaudit db update`, `fnaudit db import PATH`); the finding sits on
      the first such function.
    - **Stays quiet**: apps whose every package was checked; apps with no dependencies.

    ## Why it matters

    A clean report with no dependency findings should mean "no known vulnerable package", not
    "nothing was looked at". Without advisories, known-vulnerable and malicious packages go
    unreported.

    ## How to fix

    Fill the store once, then refresh it regularly: `fnaudit db update` (downloads osv.dev's
    per-ecosystem archives) or, air-gapped, `fnaudit db import osv-folder-or-all.zip`. Point scans
    at a shared store with `--db DIR` or `FNAUDIT_DB`.

    ## Example

    Bad: `fnaudit scan .` on a machine where `fnaudit db status` says "no advisory store".

    Good: `fnaudit db update && fnaudit scan .`

    ## References

    - CWE-1104: Use of Unmaintained Third Party Components
    """
    fn_ids: list[str] = []
    ecosystems: set[str] = set()
    packages: set[tuple[str, str, str]] = set()
    for fn in app.functions:
        unchecked = [p for p in fn.packages if p.advisories is None]
        if unchecked:
            fn_ids.append(fn.id)
            ecosystems.update(p.ecosystem for p in unchecked)
            packages.update(p.key for p in unchecked)
    count = len(packages)
    if not fn_ids:
        return
    ids = tuple(sorted(fn_ids))
    by_id = {f.id: f.name for f in app.functions}
    shown = ", ".join(sorted(by_id[i] for i in ids))
    first = next(f for f in app.functions if f.id in ids)
    yield Hit(
        first.loc,
        f"{count} {'/'.join(sorted(ecosystems))} package(s) of {shown} were not checked for known "
        "vulnerabilities or malware: no advisory store with that data; run `fnaudit db update` "
        "or `fnaudit db import PATH`",
        function=ids[0] if len(ids) == 1 else None,
        functions=ids,
        evidence=", ".join(sorted(ecosystems)),
        remediation="Run `fnaudit db update` (or `fnaudit db import PATH` offline) and scan again.",
        key="dependency-scan-not-run " + ",".join(sorted(ecosystems)),
    )
