"""Is a package at a version affected by an OSV record? And the merged advisories of one package.

OSV semantics (https://ossf.github.io/osv-schema/#evaluation): `versions` lists affected versions
exactly; each `ECOSYSTEM` / `SEMVER` range's events, sorted in the ecosystem's order (`introduced:
"0"` first), switch the state on at `introduced`, off at `fixed`, off after `last_affected`; a
`limit` caps the range. GIT ranges are not evaluated (they need the repository). Withdrawn
records are skipped. Records that name each other (`aliases`: GHSA, CVE, PYSEC, GO-, RUSTSEC…)
are merged into one advisory listing every id, with the worst severity and the lowest fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from fnaudit.model import versions
from fnaudit.model.package import Advisory

_ID_PREFERENCE = ("MAL-", "GHSA-", "PYSEC-", "GO-", "RUSTSEC-", "CVE-")
_DB_SEVERITY = {"critical": "critical", "high": "high", "moderate": "medium", "medium": "medium", "low": "low"}
_SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, None: 0}


def _order(ecosystem: str, range_type: str | None) -> str:
    if ecosystem == "Go":
        return "Go"
    return "SEMVER" if range_type == "SEMVER" else ecosystem


def affected(ecosystem: str, version: str, entry: dict[str, Any]) -> tuple[bool, list[str]] | None:
    """(affected, fixed versions of the ranges that hit) — None when the version cannot be ordered."""
    unknown = False
    hit = False
    fixes: list[str] = []
    for rng in entry.get("ranges") or ():
        order = _order(ecosystem, rng.get("type"))
        v = versions.parse(order, version)
        if v is None:
            unknown = True
            continue
        if _evaluate(order, v, rng):
            hit = True
            fixes.extend(e["fixed"] for e in rng.get("events") or [] if isinstance(e.get("fixed"), str))
    if hit:
        return True, fixes
    listed = entry.get("versions")
    if listed:
        vset = entry.get("_vset")
        if vset is None:  # computed once per entry: Go and Maven records list hundreds of versions
            vset = entry["_vset"] = {versions.canonical(ecosystem, x) for x in listed if isinstance(x, str)}
        if versions.canonical(ecosystem, version) in vset:
            return True, _fixes(ecosystem, version, entry)
    if unknown and not listed:
        return None
    return False, []


def _fixes(ecosystem: str, version: str, entry: dict[str, Any]) -> list[str]:
    return [
        e["fixed"] for r in entry.get("ranges") or () for e in r.get("events") or () if isinstance(e.get("fixed"), str)
    ]


def _evaluate(order: str, v: Any, rng: dict[str, Any]) -> bool:
    prepared = rng.get("_prepared")
    if prepared is None or prepared[0] != order:
        prepared = rng["_prepared"] = (order, *_prepare(order, rng.get("events") or []))
    _order_name, events, limits = prepared
    state = False
    for ev, kind in events:
        if kind == "introduced" and (ev is None or v >= ev):
            state = True
        elif (kind == "fixed" and v >= ev) or (kind == "last_affected" and v > ev):
            state = False
    if state and limits and all(v >= lim for lim in limits):
        state = False
    return state


def _prepare(order: str, events: list[dict[str, str]]) -> tuple[list[tuple[Any, str]], list[Any]]:
    """The range's events parsed and sorted once (`introduced: 0` first); unplaceable ones dropped."""
    parsed: list[tuple[int, Any, str]] = []  # (is_zero sort flag, version, kind)
    limits = []
    for ev in events:
        for kind in ("introduced", "fixed", "last_affected", "limit"):
            text = ev.get(kind)
            if not isinstance(text, str):
                continue
            if kind == "introduced" and text == "0":
                parsed.append((0, None, kind))
                continue
            pv = versions.parse(order, text)
            if pv is None:
                continue  # an event we cannot place: ignore it rather than guess
            if kind == "limit":
                limits.append(pv)
            else:
                parsed.append((1, pv, kind))
    zero = [p for p in parsed if p[0] == 0]
    rest = [p for p in parsed if p[0] == 1]
    try:
        rest.sort(key=lambda p: _Cmp(p[1]))
    except TypeError:
        return [], []
    return [(ev, kind) for _flag, ev, kind in zero + rest], limits


class _Cmp:
    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v

    def __lt__(self, other: _Cmp) -> bool:
        return bool(self.v < other.v)


@lru_cache(maxsize=65536)
def cvss_score(vector: str) -> float | None:
    """Base score of a CVSS v2/v3/v4 vector (the `cvss` library), None when it does not parse."""
    try:
        import cvss

        if vector.startswith("CVSS:4"):
            return float(cvss.CVSS4(vector).base_score)
        if vector.startswith("CVSS:3"):
            return float(cvss.CVSS3(vector).scores()[0])
        return float(cvss.CVSS2(vector).scores()[0])
    except Exception:
        return None


def severity_of_score(score: float) -> str | None:
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    if score > 0.0:
        return "low"
    return None


def rate(doc: dict[str, Any], entry: dict[str, Any]) -> tuple[str | None, str | None, float | None]:
    """(severity, CVSS vector, score): from the highest CVSS vector, else the database's own rating."""
    best: tuple[float, str] | None = None
    for sev in doc.get("severity") or ():
        vector = sev.get("score") if isinstance(sev, dict) else None
        if isinstance(vector, str) and str(sev.get("type", "")).startswith("CVSS"):
            score = cvss_score(vector)
            if score is not None and (best is None or score > best[0]):
                best = (score, vector)
    if best is not None:
        return severity_of_score(best[0]), best[1], best[0]
    for text in (doc.get("db_severity"), entry.get("severity")):
        if isinstance(text, str) and text.lower() in _DB_SEVERITY:
            return _DB_SEVERITY[text.lower()], None, None
    return None, None, None


@lru_cache(maxsize=1 << 16)
def _preference(advisory_id: str) -> tuple[int, str]:
    for i, prefix in enumerate(_ID_PREFERENCE):
        if advisory_id.startswith(prefix):
            return (i, advisory_id)
    return (len(_ID_PREFERENCE), advisory_id)


def _lowest(ecosystem: str, current: str, fixes: Iterable[str]) -> str | None:
    best: str | None = None
    for f in fixes:
        c = versions.compare(ecosystem, f, current)
        if c is None or c <= 0:
            continue
        if best is None or (versions.compare(ecosystem, f, best) or 0) < 0:
            best = f
    return best


def _group_fix(ecosystem: str, version: str, members: list[tuple[Any, dict[str, Any], list[str]]]) -> str | None:
    """The lowest fix of an alias group that no member record still calls affected.

    Databases disagree on fixes (GHSA says 2.10.1, PYSEC 2.11.0): at 2.10.1 the PYSEC record still matches
    and the scan would report the advisory again, so the fix is the first version every member clears.
    When none does (a member names no fix at all), the lowest fix any member names."""
    fixes = [f for m in members for f in m[2]]
    ordered = sorted(
        {f for f in fixes if (versions.compare(ecosystem, f, version) or 0) > 0},
        key=lambda f: versions.sort_key(ecosystem, f),
    )
    for cand in ordered:
        if _clear(ecosystem, cand, (entry for _doc, entry, _f in members)):
            return cand
    return _lowest(ecosystem, version, fixes)


def advisories(
    ecosystem: str, version: str, entries: list[tuple[dict[str, Any], dict[str, Any]]]
) -> tuple[Advisory, ...]:
    """The advisories (aliases merged) that affect `version`, sorted by id."""
    hits: list[tuple[dict[str, Any], dict[str, Any], list[str]]] = []
    seen: set[str] = set()
    for doc, entry in entries:
        res = affected(ecosystem, version, entry)
        if res is None or not res[0] or doc.get("withdrawn"):
            continue
        key = doc["id"]
        if key in seen:  # the same record naming the package twice: merge the fixes
            for h in hits:
                if h[0]["id"] == key:
                    h[2].extend(res[1])
            continue
        seen.add(key)
        hits.append((doc, entry, list(res[1])))
    if not hits:
        return ()
    # union-find over ids and aliases
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc, _e, _f in hits:
        for alias in doc.get("aliases") or ():
            parent[find(alias)] = find(doc["id"])
        find(doc["id"])
    groups: dict[str, list[tuple[dict[str, Any], dict[str, Any], list[str]]]] = {}
    for h in hits:
        groups.setdefault(find(h[0]["id"]), []).append(h)
    out = []
    for members in groups.values():
        ids = {m[0]["id"] for m in members} | {a for m in members for a in m[0].get("aliases") or ()}
        primary_doc = min(members, key=lambda m: _preference(m[0]["id"]))[0]
        primary = min(ids, key=_preference)
        malicious = any(i.startswith("MAL-") for i in ids)
        severity, vector, score = None, None, None
        for doc, entry, _f in members:
            s, v, sc = rate(doc, entry)
            if (sc or 0) > (score or 0) or (score is None and _SEVERITY_RANK[s] > _SEVERITY_RANK[severity]):
                severity, vector, score = s, v, sc
        if malicious:
            severity = "critical"
        summary = (
            next(
                (
                    m[0].get("summary")
                    for m in sorted(members, key=lambda m: _preference(m[0]["id"]))
                    if m[0].get("summary")
                ),
                "",
            )
            or primary_doc.get("summary")
            or ""
        )
        fixed = _group_fix(ecosystem, version, members)
        if fixed and ecosystem == "Go" and fixed[:1].isdigit():
            fixed = "v" + fixed  # Go SEMVER ranges drop the `v` modules are tagged with
        out.append(
            Advisory(
                id=primary,
                aliases=tuple(sorted(ids - {primary}, key=_preference)),
                summary=summary,
                severity=severity,
                cvss=vector,
                score=score,
                fixed=fixed,
                malicious=malicious,
            )
        )
    return tuple(sorted(out, key=lambda a: _preference(a.id)))


def fix_for_all(
    ecosystem: str,
    version: str | None,
    advs: Iterable[Advisory],
    entries: list[tuple[dict[str, Any], dict[str, Any]]],
    *,
    floor: bool = False,
) -> str | None:
    """The single lowest version (above `version`, when given) that none of `advs` affects; None when one of
    them has no fixed version, or when no version named by the records fixes them all.

    Candidates are the `fixed` events of every record of the package, in the ecosystem's order. Fixing each
    advisory separately is not enough: two advisories fixed on different release lines (1.2.5 and 2.0.1
    for one, 2.0.0 only for the other) are both fixed by 2.0.1, not by the higher of their own fixes. The
    first candidate no record of the package affects is preferred (an upgrade should not trade the listed
    advisories for another known one); when every candidate is affected by some other record, the first
    that clears the listed ones is the answer. With `floor` (a range's new lower bound) the version must also
    be above everything the advisories affect: no listed record introduces or lists a version above it.
    """
    wanted = list(advs)
    if not wanted or any(a.fixed is None for a in wanted):
        return None  # an advisory with no fix: no version fixes them all
    ids = {i for a in wanted for i in a.ids}
    live = [(doc, entry) for doc, entry in entries if not doc.get("withdrawn")]
    listed = [entry for doc, entry in live if doc["id"] in ids]
    candidates: dict[str, None] = {}
    for _doc, entry in live:
        for fixed in _fixes(ecosystem, "", entry):
            if version is None or (versions.compare(ecosystem, fixed, version) or 0) > 0:
                candidates.setdefault(fixed)
    ordered = sorted(candidates, key=lambda v: versions.sort_key(ecosystem, v))
    fallback: str | None = None
    for cand in ordered:
        if versions.parse(_order(ecosystem, None), cand) is None:
            continue
        if not _clear(ecosystem, cand, listed) or (floor and _affects_above(ecosystem, cand, listed)):
            continue
        if _clear(ecosystem, cand, [entry for _doc, entry in live]):
            return _go_tag(ecosystem, cand)
        if fallback is None:
            fallback = cand
    return _go_tag(ecosystem, fallback) if fallback else None


def _affects_above(ecosystem: str, version: str, entries: Iterable[dict[str, Any]]) -> bool:
    """Whether an entry introduces (or lists) an affected version above `version`."""
    for entry in entries:
        named = [e.get("introduced") for r in entry.get("ranges") or () for e in r.get("events") or ()]
        named += list(entry.get("versions") or ())
        for v in named:
            if isinstance(v, str) and v != "0" and (versions.compare(ecosystem, v, version) or 0) > 0:
                return True
    return False


def _clear(ecosystem: str, version: str, entries: Iterable[dict[str, Any]]) -> bool:
    """Whether no entry affects `version` (a version an entry cannot place counts as affected)."""
    for entry in entries:
        res = affected(ecosystem, version, entry)
        if res is None or res[0]:
            return False
    return True


def _go_tag(ecosystem: str, fixed: str) -> str:
    return "v" + fixed if ecosystem == "Go" and fixed[:1].isdigit() else fixed  # Go ranges drop the `v`


def match_all(store: Any, keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], tuple[Advisory, ...]]:
    """(ecosystem, name, version) → advisories, for many packages: one indexed lookup per distinct name."""
    return {k: advs for k, (advs, _fix) in match_with_fixes(store, keys).items()}


def match_with_fixes(
    store: Any, keys: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str, str], tuple[tuple[Advisory, ...], str | None]]:
    """(ecosystem, name, version) → (advisories, the lowest version fixing every one that is not malicious)."""
    wanted = set(keys)
    found = store.lookup({(e, n) for e, n, _v in wanted})
    out: dict[tuple[str, str, str], tuple[tuple[Advisory, ...], str | None]] = {}
    for e, n, v in wanted:
        entries = found.get((e, n), [])
        advs = advisories(e, v, entries)
        vulnerable = [a for a in advs if not a.malicious]
        out[(e, n, v)] = (advs, fix_for_all(e, v, vulnerable, entries) if vulnerable else None)
    return out
