"""OSV evaluation: ranges, events, versions lists, withdrawn records, aliases, severity, fixes."""

from __future__ import annotations

from fnaudit.engines.osv.match import advisories, affected
from fnaudit.engines.osv.records import Normalised, normalise
from tests.deps.osvdata import record


def entries(*records):
    """(doc, affected entry) pairs as the store returns them: the records normalised on import."""
    out = []
    for rec in records:
        norm = normalise(rec["id"], rec)
        assert isinstance(norm, Normalised), norm
        out.extend((norm.doc, data) for _eco, _name, data in norm.rows)
    return out


def hit(eco: str, version: str, rec) -> bool:
    return bool(advisories(eco, version, entries(rec)))


def test_introduced_fixed() -> None:
    rec = record("A-1", "npm", "x", events=[{"introduced": "1.0.0"}, {"fixed": "1.2.0"}])
    assert [hit("npm", v, rec) for v in ("0.9.0", "1.0.0", "1.1.9", "1.2.0-rc.1", "1.2.0", "2.0.0")] == [
        False,
        True,
        True,
        True,
        False,
        False,
    ]


def test_prerelease_before_introduced_release() -> None:
    rec = record("A-1", "npm", "x", events=[{"introduced": "1.0.0"}])
    assert not hit("npm", "1.0.0-rc.1", rec)
    assert hit("npm", "1.0.0", rec)


def test_last_affected_is_inclusive() -> None:
    rec = record("A-2", "PyPI", "x", events=[{"introduced": "0"}, {"last_affected": "1.0"}])
    assert hit("PyPI", "1.0", rec) and hit("PyPI", "1.0.0", rec)
    assert not hit("PyPI", "1.0.post1", rec)
    assert hit("PyPI", "1.0a1", rec)


def test_several_introduced_fixed_pairs_unsorted() -> None:
    rec = record(
        "A-3", "Maven", "g:a", events=[{"introduced": "2.0"}, {"fixed": "2.3"}, {"introduced": "0"}, {"fixed": "1.5"}]
    )
    assert [hit("Maven", v, rec) for v in ("1.0", "1.5", "1.9", "2.0-SNAPSHOT", "2.0", "2.2.RELEASE", "2.3")] == [
        True,
        False,
        False,
        False,
        True,
        True,
        False,
    ]


def test_limit_caps_the_range() -> None:
    rec = record("A-4", "npm", "x", events=[{"introduced": "0"}, {"limit": "2.0.0"}])
    assert hit("npm", "1.9.0", rec) and not hit("npm", "2.0.0", rec)


def test_explicit_versions_list() -> None:
    rec = record("MAL-1", "npm", "x", versions=["1.0.1"])
    assert hit("npm", "1.0.1", rec) and not hit("npm", "1.0.2", rec)


def test_go_semver_ranges_with_v_prefix_and_pseudo_versions() -> None:
    rec = record(
        "GO-1", "Go", "golang.org/x/net", range_type="SEMVER", events=[{"introduced": "0"}, {"fixed": "0.7.0"}]
    )
    assert hit("Go", "v0.0.0-20220722155237-a158d28d115b", rec)
    assert hit("Go", "v0.6.0", rec)
    assert not hit("Go", "v0.7.0", rec)
    (adv,) = advisories("Go", "v0.6.0", entries(rec))
    assert adv.fixed == "v0.7.0"


def test_withdrawn_records_are_skipped() -> None:
    rec = record("A-5", "PyPI", "x", events=[{"introduced": "0"}], withdrawn="2026-02-01T00:00:00Z")
    assert not hit("PyPI", "1.0", rec)


def test_aliases_merge_into_one_advisory_with_worst_severity_and_the_fix_every_record_agrees_on() -> None:
    ghsa = record(
        "GHSA-aaaa-bbbb-cccc",
        "PyPI",
        "Jinja2",
        aliases=["CVE-2099-1"],
        events=[{"introduced": "0"}, {"fixed": "2.10.1"}],
        severity="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        summary="GHSA summary",
    )
    pysec = record(
        "PYSEC-2099-1",
        "PyPI",
        "jinja2",
        aliases=["CVE-2099-1", "GHSA-aaaa-bbbb-cccc"],
        events=[{"introduced": "0"}, {"fixed": "2.11.0"}],
    )
    other = record(
        "PYSEC-2099-2", "PyPI", "jinja2", events=[{"introduced": "0"}, {"fixed": "3.0"}], db_severity="MODERATE"
    )
    advs = advisories("PyPI", "2.10", entries(ghsa, pysec, other))
    assert len(advs) == 2
    merged = next(a for a in advs if a.id == "GHSA-aaaa-bbbb-cccc")
    assert merged.aliases == ("PYSEC-2099-1", "CVE-2099-1")
    # GHSA says 2.10.1 fixes it, PYSEC 2.11.0: at 2.10.1 the PYSEC record still matches (the scan would report
    # the advisory again), so the fix is the first version no record of the group calls affected.
    assert (merged.severity, merged.score, merged.fixed, merged.summary) == ("critical", 9.8, "2.11.0", "GHSA summary")
    assert advisories("PyPI", "2.10.1", entries(ghsa, pysec))[0].fixed == "2.11.0"
    alone = next(a for a in advs if a.id == "PYSEC-2099-2")
    assert (alone.severity, alone.cvss, alone.fixed) == ("medium", None, "3.0")


def test_mal_advisories_are_malicious_and_critical() -> None:
    (adv,) = advisories("npm", "4.4.2", entries(record("MAL-2099-1", "npm", "debug", versions=["4.4.2"])))
    assert adv.malicious and adv.severity == "critical" and adv.fixed is None


def test_an_unparseable_version_is_not_reported_as_affected() -> None:
    rec = record("A-6", "npm", "x", events=[{"introduced": "0"}, {"fixed": "1.0.0"}])
    assert affected("npm", "not-a-version", entries(rec)[0][1]) is None
    assert advisories("npm", "not-a-version", entries(rec)) == ()
