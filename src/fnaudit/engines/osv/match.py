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
        fixed = _lowest(ecosystem, version, (f for m in members for f in m[2]))
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


def match_all(store: Any, keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], tuple[Advisory, ...]]:
    """(ecosystem, name, version) → advisories, for many packages: one indexed lookup per distinct name."""
    wanted = set(keys)
    found = store.lookup({(e, n) for e, n, _v in wanted})
    return {(e, n, v): advisories(e, v, found.get((e, n), [])) for e, n, v in wanted}
