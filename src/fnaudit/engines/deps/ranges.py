"""Advisories against a version range (a manifest with no lockfile: `^2.0.10`, `>=1,<2`).

Without a lockfile the version deployed is any the range allows. Whether an advisory affects
every one of them or only some is decided on the versions where the answer can change: the range's
own lower bound (or the first version there is), each advisory event (`introduced`, `fixed`, the
version after a `last_affected`) and each listed version inside the range. The affected set of an
OSV range only changes at its events, so when every such version is affected, every version of the
range is. Records that only list versions (no range) never make "every version affected": the
versions between those listed are not. Ranges are read with `packaging` (PyPI) and `univers` (npm);
a range neither can read is not matched (DEP003 still reports it unpinned).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from univers.version_range import NpmVersionRange
from univers.versions import SemverVersion

from fnaudit.engines.osv import match
from fnaudit.model import versions
from fnaudit.model.package import Advisory

RANGE_ECOSYSTEMS = ("npm", "PyPI", "Maven")


@dataclass(frozen=True, slots=True)
class RangeMatch:
    every: tuple[Advisory, ...]  # affect every version the range allows
    some: tuple[Advisory, ...]  # affect some of them only
    # The lowest version above the range's lowest one that fixes every advisory of both (malicious ones
    # aside) and above which none of them affects a version; None when there is none. The lower bound to
    # raise the range to.
    fix: str | None = None


def allows(ecosystem: str, requirement: str) -> tuple[Callable[[str], bool], list[str]] | None:
    """(membership test, the versions the range names) for a requirement; None when unreadable."""
    if ecosystem == "PyPI":
        spec = _pypi_spec(requirement)
        if spec is None:
            return None
        return (lambda v: _pypi_in(spec, v)), [s.version.rstrip(".*") for s in spec]
    if ecosystem == "npm":
        try:
            rng = NpmVersionRange.from_native(requirement.strip() or "*")
        except Exception:  # noqa: BLE001 - univers raises assorted errors on text that is no range
            return None
        named = [str(c.version) for c in rng.constraints if c.comparator in (">=", "=", ">") and c.version is not None]

        def contains(v: str) -> bool:
            try:
                return SemverVersion(v) in rng
            except Exception:  # noqa: BLE001 - a version univers cannot read is not in the range
                return False

        return contains, named
    if ecosystem == "Maven":
        return _maven_range(requirement)
    return None


_MAVEN_INTERVAL = re.compile(r"([\[(])\s*([^,\[\]()]*?)\s*(,\s*([^,\[\]()]*?)\s*)?([\])])")


def _maven_range(requirement: str) -> tuple[Callable[[str], bool], list[str]] | None:
    """A Gradle dynamic version (`2.+`, `1.2.+`, `+`, `latest.release`) or a Maven range (`[1.0,2.0)`,
    `(,1.5]`, `[1.2]`, unions `[1,2),[3,4)`); None for anything else (a soft `1.0` is a pin, not read here)."""
    text = requirement.strip()
    if text in ("+", "latest.release", "latest.integration"):
        return (lambda v: versions.parse("Maven", v) is not None), []
    if text.endswith("+") and not any(c in text for c in "[]()"):
        prefix = text[:-1]
        if not re.fullmatch(r"[\w.-]*", prefix):
            return None
        return (lambda v: v.startswith(prefix)), [prefix + "0" if prefix.endswith(".") else prefix]
    bounds: list[tuple[bool, str, str, bool]] = []  # (low inclusive, low, high, high inclusive); "" = open
    for m in _MAVEN_INTERVAL.finditer(text):
        opening, low, comma, high, closing = m.groups()
        high = high if comma else low  # `[1.2]`: exactly that version
        bounds.append((opening == "[", low, high or "", closing == "]"))
    if not bounds or _MAVEN_INTERVAL.sub("", text).replace(",", "").strip():
        return None
    # a bound is a version (digits first): `(version not declared)` is a placeholder, not a range
    if any(
        b and (not b[0].isdigit() or versions.parse("Maven", b) is None) for _i, lo, hi, _j in bounds for b in (lo, hi)
    ):
        return None

    def contains(v: str) -> bool:
        if versions.parse("Maven", v) is None:
            return False
        for low_in, low, high, high_in in bounds:
            lo = versions.compare("Maven", v, low) if low else 1
            hi = versions.compare("Maven", v, high) if high else -1
            if (
                lo is not None
                and hi is not None
                and (lo > 0 or (lo == 0 and low_in))
                and (hi < 0 or (hi == 0 and high_in))
            ):
                return True
        return False

    return contains, [low for _i, low, _h, _j in bounds if low]


def _pypi_spec(requirement: str) -> SpecifierSet | None:
    text = requirement.split(";", 1)[0].strip()
    try:
        return Requirement(text).specifier
    except InvalidRequirement:
        try:
            return SpecifierSet(text)
        except InvalidSpecifier:
            return None


def _pypi_in(spec: SpecifierSet, v: str) -> bool:
    try:
        return spec.contains(Version(v), prereleases=True)
    except InvalidVersion:
        return False


def _after(ecosystem: str, version: str) -> str | None:
    """A version just above `version` (for `last_affected`): the next patch (npm), a post release (PyPI)."""
    if ecosystem == "PyPI":
        return f"{version}.post999999" if versions.parse("PyPI", version) is not None else None
    m = re.match(r"^v?(\d+)\.(\d+)\.(\d+)", version)
    return f"{m.group(1)}.{m.group(2)}.{int(m.group(3)) + 1}" if m else None


def match_range(
    ecosystem: str, requirement: str, entries: list[tuple[dict[str, Any], dict[str, Any]]]
) -> RangeMatch | None:
    """Advisories of `entries` (the store's records for the package) against the range; None: unreadable."""
    read = allows(ecosystem, requirement)
    if read is None:
        return None
    contains, named = read
    candidates = {*named, "0.0.0" if ecosystem == "npm" else "0"}
    ranged_ids: set[str] = set()
    for doc, entry in entries:
        for rng in entry.get("ranges") or ():
            if rng.get("type") in ("ECOSYSTEM", "SEMVER"):
                ranged_ids.add(str(doc.get("id")))
            for ev in rng.get("events") or ():
                for kind in ("introduced", "fixed", "last_affected"):
                    text = ev.get(kind)
                    if isinstance(text, str) and text != "0":
                        candidates.add(text)
                        after = _after(ecosystem, text) if kind == "last_affected" else None
                        if after:
                            candidates.add(after)
        candidates.update(v for v in entry.get("versions") or () if isinstance(v, str))
    inside = [v for v in candidates if versions.parse(ecosystem, v) is not None and contains(v)]
    if not inside:
        return RangeMatch((), ())
    inside.sort(key=lambda v: versions.sort_key(ecosystem, v))
    # The lowest version the range allows is a candidate: its bound when it names one, else the first version.
    per_version = {v: {a.id: a for a in match.advisories(ecosystem, v, entries)} for v in inside}
    seen: dict[str, Advisory] = {}
    for v in inside:  # ascending: the last one kept is from the highest affected version (its fix is above)
        seen.update(per_version[v])
    every: list[Advisory] = []
    some: list[Advisory] = []
    for aid, adv in sorted(seen.items()):
        whole = all(aid in per_version[v] for v in inside) and bool(set(adv.ids) & ranged_ids)
        (every if whole else some).append(adv)
    vulnerable = [a for a in (*every, *some) if not a.malicious]
    fix = match.fix_for_all(ecosystem, inside[0], vulnerable, entries, floor=True) if vulnerable else None
    return RangeMatch(tuple(every), tuple(some), fix)
