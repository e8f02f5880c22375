"""The CycloneDX SBOM (JSON, spec 1.6) of the scanned app, built with `cyclonedx-python-lib`.

Components: one `application` component per function (bom-ref `function:<id>`) and one `library`
component per distinct package (bom-ref = its Package URL, with the lockfile location and scope
as properties); the dependency graph says which function ships which package. Vulnerabilities:
one entry per advisory (aliases as references, CVSS or database rating, lowest fix as the
recommendation), affecting every package component it hits. Deterministic: the serial number is
derived from the content and the timestamp is the scan date.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, TextIO

from fnaudit import __version__
from fnaudit.report.options import RenderOptions

if TYPE_CHECKING:
    # cyclonedx is imported lazily at run time (it is slow to import and only this format needs it)
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.vulnerability import VulnerabilitySource

    from fnaudit.model.package import Advisory, Package
    from fnaudit.pipeline import ScanResult

_SOURCES = {
    "GHSA-": ("GitHub Advisory Database", "https://github.com/advisories/"),
    "CVE-": ("NVD", "https://nvd.nist.gov/vuln/detail/"),
    "MAL-": ("OpenSSF Malicious Packages", "https://osv.dev/vulnerability/"),
}


def _source(advisory_id: str) -> VulnerabilitySource:
    from cyclonedx.model import XsUri
    from cyclonedx.model.vulnerability import VulnerabilitySource

    for prefix, (name, url) in _SOURCES.items():
        if advisory_id.startswith(prefix):
            return VulnerabilitySource(name=name, url=XsUri(url + advisory_id))
    return VulnerabilitySource(name="OSV", url=XsUri("https://osv.dev/vulnerability/" + advisory_id))


def build(result: ScanResult) -> Bom:
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentScope, ComponentType
    from cyclonedx.model.vulnerability import (
        BomTarget,
        Vulnerability,
        VulnerabilityRating,
        VulnerabilityReference,
        VulnerabilityScoreSource,
        VulnerabilitySeverity,
    )
    from packageurl import PackageURL

    bom = Bom()
    bom.metadata.timestamp = dt.datetime.combine(result.today, dt.time(), tzinfo=dt.UTC)
    bom.metadata.component = Component(name=result.target, type=ComponentType.APPLICATION, bom_ref="app")
    packages: dict[str, Component] = {}
    fn_comps: list[Component] = []
    advisories: dict[str, tuple[Advisory, list[str]]] = {}
    for app in result.apps:
        for fn in app.functions:
            fn_comp = Component(
                name=fn.name,
                type=ComponentType.APPLICATION,
                bom_ref=f"function:{fn.id}",
                properties=[
                    Property(name="fnaudit:app", value=app.source),
                    Property(name="fnaudit:runtime", value=str(fn.runtime.value or "")),
                ],
            )
            bom.components.add(fn_comp)
            fn_comps.append(fn_comp)
            deps = []
            for p in fn.packages:
                if p.source == "manifest":
                    continue
                ref = _ref(p)
                comp = packages.get(ref)
                if comp is None:
                    comp = packages[ref] = Component(
                        name=p.name.split("/", 1)[-1] if p.ecosystem == "npm" and p.name.startswith("@") else p.name,
                        group=p.name.split("/", 1)[0] if p.ecosystem == "npm" and p.name.startswith("@") else None,
                        version=p.version,
                        type=ComponentType.LIBRARY,
                        bom_ref=ref,
                        purl=PackageURL.from_string(ref),
                        scope=ComponentScope.OPTIONAL if p.scope == "dev" else ComponentScope.REQUIRED,
                        properties=[
                            Property(name="fnaudit:location", value=str(p.loc)),
                            Property(name="fnaudit:ecosystem", value=p.ecosystem),
                            Property(name="fnaudit:source", value=p.source),
                        ],
                    )
                    bom.components.add(comp)
                deps.append(comp)
                for adv in p.advisories or ():
                    entry = advisories.setdefault(adv.id, (adv, []))
                    if ref not in entry[1]:
                        entry[1].append(ref)
            bom.register_dependency(fn_comp, deps)
    bom.register_dependency(bom.metadata.component, fn_comps)
    severities = {
        "critical": VulnerabilitySeverity.CRITICAL,
        "high": VulnerabilitySeverity.HIGH,
        "medium": VulnerabilitySeverity.MEDIUM,
        "low": VulnerabilitySeverity.LOW,
    }
    for adv_id in sorted(advisories):
        adv, refs = advisories[adv_id]
        rating = None
        if adv.severity:
            method = None
            if adv.cvss:
                method = (
                    VulnerabilityScoreSource.CVSS_V4
                    if adv.cvss.startswith("CVSS:4")
                    else VulnerabilityScoreSource.CVSS_V3_1
                    if adv.cvss.startswith("CVSS:3.1")
                    else VulnerabilityScoreSource.CVSS_V3
                    if adv.cvss.startswith("CVSS:3")
                    else VulnerabilityScoreSource.CVSS_V2
                )
            rating = VulnerabilityRating(
                severity=severities[adv.severity],
                score=Decimal(str(adv.score)) if adv.score is not None else None,
                method=method or VulnerabilityScoreSource.OTHER,
                vector=adv.cvss,
            )
        bom.vulnerabilities.add(
            Vulnerability(
                bom_ref=f"vuln:{adv.id}",
                id=adv.id,
                source=_source(adv.id),
                references=[VulnerabilityReference(id=a, source=_source(a)) for a in adv.aliases],
                ratings=[rating] if rating else [],
                description=adv.summary or None,
                recommendation=f"Upgrade to {adv.fixed} or later." if adv.fixed else None,
                affects=[BomTarget(ref=r) for r in sorted(refs)],
                properties=[Property(name="fnaudit:malicious", value="true")] if adv.malicious else [],
            )
        )
    bom.serial_number = uuid.uuid5(
        uuid.NAMESPACE_URL,
        "fnaudit:" + result.target + ":" + ",".join(sorted(packages)) + ":" + ",".join(sorted(advisories)),
    )
    from cyclonedx.model.tool import Tool

    bom.metadata.tools.tools.add(Tool(vendor="fnaudit", name="fnaudit", version=__version__))
    return bom


def _ref(p: Package) -> str:
    """The component's bom-ref: its Package URL (built from its parts when the package has none)."""
    return p.package_url


def render(result: ScanResult, out: TextIO, options: RenderOptions | None = None) -> None:
    from cyclonedx.output.json import JsonV1Dot6

    out.write(JsonV1Dot6(build(result)).output_as_string(indent=2))
    out.write("\n")
