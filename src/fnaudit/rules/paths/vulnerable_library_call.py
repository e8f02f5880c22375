"""PATH005: a vulnerable library called the way its advisory needs, with event data, behind a public trigger.

DEP001 says which package versions are affected; it cannot say whether the function uses the flawed API.
The table (`_library_calls.ROWS`) names, for a few advisories known to be exploited, the code fact that is
that use; this rule joins the function's packages (with the advisories the dependency engine matched), that
fact, and the trigger that lets anyone send the data (`exposure`: public, no authorizer). The three together
are one critical finding at the call, the line where the attacker's data meets the flaw.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fnaudit.findings import Category, Hit, Severity, TraceStep
from fnaudit.model.app import App, Function
from fnaudit.model.code import CodeFacts, Step
from fnaudit.model.facts import Fact
from fnaudit.model.loc import Loc
from fnaudit.model.package import LANGUAGE_ECOSYSTEMS, Advisory, Package, pep503
from fnaudit.rules.code._common import exposure
from fnaudit.rules.paths._library_calls import FLOW, JWT_CHECK, ROWS, WEAKNESS, LibraryCall
from fnaudit.rules.registry import Context, rule


@dataclass(frozen=True, slots=True)
class _Site:
    """Where attacker data meets the library: the call, what reaches it, how the caller gets there."""

    loc: Loc
    call: str
    source: str  # the event field, or what the check verifies
    reached: str  # the trigger, in words (`exposure`)
    steps: tuple[Step, ...]
    confidence: str


def _name(ecosystem: str, name: str) -> str:
    return pep503(name) if ecosystem == "PyPI" else name.lower()


def _advisories(row: LibraryCall, p: Package) -> tuple[Advisory, ...]:
    """The package's advisories the row names (malicious-package reports are DEP002's, never a path)."""
    if p.ecosystem != row.ecosystem or _name(p.ecosystem, p.name) != _name(row.ecosystem, row.package):
        return ()
    wanted = set(row.ids)
    return tuple(a for a in p.advisories or () if not a.malicious and wanted & set(a.ids))


def _imported(row: LibraryCall, facts: CodeFacts) -> bool:
    """The code imports the library the call belongs to (a `load` of another YAML library is not this flaw)."""
    if not row.imports:
        return True
    return any(i == m or i.startswith((m + ".", m + "/")) for i in facts.imports for m in row.imports)


def _named(row: LibraryCall, text: str) -> bool:
    return not row.calls or any(c in text for c in row.calls)


def _sites(fn: Function, facts: CodeFacts, row: LibraryCall) -> Iterator[_Site]:
    if row.fact == FLOW:
        for flow in facts.flows:
            if flow.sink.kind not in row.kinds or not _named(row, flow.sink.call):
                continue
            levels, reached, _ = exposure(fn, flow.source.triggers, flow.route)
            if levels == 0:  # public, no authorizer: anyone sends the data
                yield _Site(flow.sink.loc, flow.sink.call, flow.source.path, reached, flow.steps, flow.confidence)
    else:
        # a pattern of the call rather than a flow: the token the request carries is verified (JWT_CHECK, the
        # front ends' `authcheck`) or decoded in a flawed way (WEAKNESS); every caller sends that token
        patterns: list[tuple[str, Loc, str, str, tuple[Step, ...]]] = []
        if row.fact == JWT_CHECK:
            patterns = [(c.kind, c.loc, c.detail, c.confidence, ()) for c in facts.auth_checks if c.kind == "jwt"]
        elif row.fact == WEAKNESS:
            patterns = [(w.kind, w.loc, w.detail, w.confidence, w.steps) for w in facts.weaknesses]
            patterns = [p for p in patterns if p[0] in row.kinds]
        levels, reached, _ = exposure(fn, tuple(t.kind.value for t in fn.triggers))
        for _kind, loc, detail, confidence, steps in patterns:
            if levels == 0 and _named(row, detail):  # `detail` reads "jwt.verify() …": the call is its first word
                yield _Site(
                    loc,
                    detail.split(" ", 1)[0],
                    "the caller's token",
                    reached,
                    steps or (Step(loc, detail),),
                    confidence,
                )


@rule(
    "PATH005",
    "vulnerable-library-call",
    title="Attack path: a vulnerable library is called with attacker data the way its advisory needs",
    category=Category.ATTACK_PATH,
    severity=Severity.CRITICAL,
    cwe=(1395, 502, 917),
    owasp=("SAS-1", "SAS-6"),
    references=(
        "https://osv.dev/",
        "https://logging.apache.org/log4j/2.x/security.html",
        "https://nvd.nist.gov/vuln/detail/CVE-2022-42889",
    ),
    needs=(Fact.CODE, Fact.PACKAGES, Fact.ADVISORIES),
)
def vulnerable_library_call(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    A function that ships a package version with a known advisory (as DEP001 reports it), makes the very call
    that advisory needs with data from its event, and is reachable by anyone: the vulnerability is not only
    installed, it is exploitable today. The advisories and the calls are a table (data, any language):

    - log4j-core before 2.17.1 (CVE-2021-44228, -45046, -45105, -44832) and event data logged (Java);
    - commons-text 1.5–1.9 (CVE-2022-42889) and event data interpolated by `StringSubstitutor` (Java);
    - SnakeYAML before 2.0 (CVE-2022-1471) and event data given to `Yaml.load` (Java);
    - PyYAML before 5.4 (CVE-2020-14343, CVE-2020-1747) and event data given to `yaml.load` / `yaml.full_load`;
    - jsonwebtoken before 9.0.0 (CVE-2022-23529, -23539, -23540, -23541) verifying the caller's token with
      `jwt.verify` (Node);
    - PyJWT before 2.4.0 (CVE-2022-29217) decoding a token with no `algorithms=[...]`, so that the token's
      header picks the algorithm (Python);
    - lodash before 4.17.21 (CVE-2021-23337) and event data reaching `_.template` (Node).

    ## When it speaks

    - **Speaks when**: three facts hold in one function: (a) a package it ships is affected, per the local
      advisory store, by an advisory of the table (matched by any of its ids or aliases); (b) its code makes
      the call the table names for that advisory with event data (a data flow of the sink kind, its call text
      naming the API, from code that imports the library), or for a token library verifies the caller's token
      with it, or for PyJWT decodes a token letting its header choose the algorithm; (c) the source is reached
      from a public trigger with no authorizer (a public route, a function URL with `AuthType: NONE`). One
      critical finding per package, advisory set and call line.
    - **Evidence**: the message names the function, the trigger, the event field and the call with its file and
      line, the package and version, the advisory ids, and what the attacker gets; the trace runs from the event
      to the call and ends at the lockfile line that pins the version; the evidence is the purl and the ids.
    - **Stays quiet**: a fixed version; the advisory's API not called, or called with constants or values the
      code computed; a call behind an authorizer or reached only from internal triggers (DEP001 and the CODE
      rules still report each half); advisories no row names; a PyJWT decode that pins its algorithms (one
      computed from the token's header is not recognised yet).

    ## Why it matters

    A known-vulnerable dependency is one finding among hundreds until the code feeds it: Log4Shell, Text4Shell
    and the SnakeYAML constructor run the attacker's code in the function, with its role, from one request.
    This is the finding to fix first.

    ## How to fix

    Upgrade the package to the fixed version the message names and redeploy (the smallest change); until then,
    keep event data away from the call (log it as a structured field with lookups disabled, use a safe loader,
    pin the algorithms), or put an authorizer in front of the function.

    ## Example

    Bad (pom.xml pins `log4j-core` 2.14.1; the handler behind a public route):

    ```java
    log.info("search: " + input.getQueryStringParameters().get("q"));
    ```

    Good: `log4j-core` 2.17.1 or later (or the value kept out of the log).

    ## References

    - CWE-1395: Dependency on Vulnerable Third-Party Component; CWE-917 (expression language injection);
      CWE-502 (deserialization)
    - OWASP Serverless Top 10: SAS-1, SAS-6
    """
    for fn in app.functions:
        facts = fn.code_facts
        if facts is None:
            continue
        seen: set[tuple[str, str, Loc]] = set()
        for p in fn.packages:
            for row in ROWS:
                advs = _advisories(row, p)
                if not advs or row.ecosystem not in LANGUAGE_ECOSYSTEMS.get(fn.code.language, ()):
                    continue
                if not _imported(row, facts):
                    continue
                for site in _sites(fn, facts, row):
                    if (p.name, p.version or "", site.loc) not in seen:
                        seen.add((p.name, p.version or "", site.loc))
                        yield _hit(fn, p, advs, row, site)


def _hit(fn: Function, p: Package, advs: tuple[Advisory, ...], row: LibraryCall, site: _Site) -> Hit:
    ids = ", ".join(dict.fromkeys(i for a in advs for i in (a.id, *a.aliases) if i in row.ids or i == a.id))
    fix = p.fix or next((a.fixed for a in advs if a.fixed), None)
    version = p.version or p.requirement
    message = (
        f"function {fn.name}: attack path: {site.reached} → {site.source} reaches {site.call} at {site.loc} → "
        f"{p.name}@{version} is affected by {ids}: the attacker {row.effect}"
    )
    upgrade = f"Upgrade {p.name} to {fix} or later" if fix else f"Replace {p.name} (no fixed version is known)"
    return Hit(
        site.loc,
        message,
        function=fn.id,
        evidence=" ".join((p.package_url, *(a.id for a in advs))),
        remediation=(
            f"{upgrade} and redeploy (the smallest change); or keep event data away from {site.call}, "
            "or put an authorizer in front of the function."
        ),
        severity=Severity.CRITICAL,
        key=f"{p.ecosystem}:{p.name}@{version}:{site.call}:{site.source}",
        trace=(
            *(TraceStep(s.loc, s.note) for s in site.steps),
            TraceStep(p.loc, f"{p.name} {version} is shipped ({ids})"),
        ),
        confidence=site.confidence,
    )
