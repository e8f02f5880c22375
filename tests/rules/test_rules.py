"""One parametrized test over the whole registry: each rule's fixtures fire exactly where annotated."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.findings import Finding, Severity
from fnaudit.pipeline import scan
from fnaudit.rules.registry import Rule, all_rules
from tests.conftest import SCAN_DATE
from tests.rules.expectations import AnnotationError, annotations, assembled

FIXTURES = Path(__file__).parent / "fixtures"
RULES = all_rules()
# The DRIFT rules read only `App.drift`, which an account scan with `--compare` fills: a repository fixture can
# never make them speak. tests/account/test_drift.py runs them on compared scans instead.
FIXTURED = tuple(r for r in RULES if not r.code.startswith("DRIFT"))
DOC_SECTIONS = ("What it finds", "Why it matters", "How to fix", "Example")


def _findings(rule: Rule, folder: Path) -> list[Finding]:
    # Every fixture gets its own advisory store: the records under `osv/` (which is not scanned), or
    # none at all, so no fixture depends on the store of the machine running the tests.
    # Shared apps (`shared.txt`) are scanned as subfolders of the fixture folder (tests/rules/expectations.py).
    with tempfile.TemporaryDirectory(prefix="fnaudit-fixture-") as tmp, assembled(folder) as target:
        db = Path(tmp) / "db"
        if (folder / "osv").is_dir():
            from fnaudit.engines.osv.store import Store

            with Store(db, create=True) as store:
                store.import_source(folder / "osv")
        result = scan(target, Config(select=(rule.code,), today=SCAN_DATE, db=str(db)))
    # `expect-errors.txt`: substrings of the errors a fixture is meant to produce (one a line).
    allowed = (
        (folder / "expect-errors.txt").read_text(encoding="utf-8").split("\n")
        if (folder / "expect-errors.txt").is_file()
        else []
    )
    errors = [e for e in result.errors if not any(a.strip() and a.strip() in e.message for a in allowed)]
    assert errors == [], f"fixture {folder} produced errors: {errors}"
    return list(result.findings)


def _hits(rule: Rule, folder: Path) -> set[tuple[str, str, int]]:
    return {(f.rule_name, f.location.path, f.location.line) for f in _findings(rule, folder)}


@pytest.mark.parametrize("rule", FIXTURED, ids=lambda r: f"{r.code}-{r.name}")
def test_bad_fixtures_fire_exactly_where_annotated(rule: Rule) -> None:
    folder = FIXTURES / rule.code / "bad"
    assert folder.is_dir(), f"rule {rule.code} has no fixture folder {folder}"
    expected = [a for a in annotations(folder) if a.name == rule.name]
    assert expected, f"{folder} has no `expect: {rule.name}` annotation"
    found = _findings(rule, folder)
    assert {(f.rule_name, f.location.path, f.location.line) for f in found} == {a.key for a in expected}
    # `severity=` where the fixture says it: the severity is the point of that line.
    severities: dict[tuple[str, str, int], set[Severity]] = {}
    for f in found:
        severities.setdefault((f.rule_name, f.location.path, f.location.line), set()).add(f.severity)
    wanted = {a.key: {a.severity} for a in expected if a.severity is not None}
    assert {k: severities[k] for k in wanted} == wanted


@pytest.mark.parametrize("rule", FIXTURED, ids=lambda r: f"{r.code}-{r.name}")
def test_good_fixtures_are_quiet(rule: Rule) -> None:
    folder = FIXTURES / rule.code / "good"
    assert folder.is_dir(), f"rule {rule.code} has no fixture folder {folder}"
    assert _hits(rule, folder) == set()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.code}-{r.name}")
def test_rule_carries_its_docs(rule: Rule) -> None:
    for heading in DOC_SECTIONS:
        assert rule.section(heading), f"{rule.code} docstring lacks `## {heading}`"
    assert rule.title and rule.cwe, f"{rule.code} needs a title and a CWE"


def test_codes_and_names_are_unique() -> None:
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)


def test_every_fixture_annotation_names_a_known_rule() -> None:
    """`annotations` raises on the first bad one; every fixture folder (bad and good) is read."""
    for folder in sorted(FIXTURES.glob("*/*")):
        annotations(folder)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "x = 1  # expect: SQL-injection\n",
            "a.py:1: `SQL-injection` is not a rule name (lowercase kebab-case, e.g. sql-injection)",
        ),
        ("x = 1\n// expect: sql-injection, sql-injecton\n", "a.py:2: `sql-injecton` names no registered rule"),
        (
            "x = 1  # expect: sql-injection severity=severe\n",
            "a.py:1: unknown severity 'severe'; expected one of critical, high, medium, low, info",
        ),
        ("x = 1  # expect: sql-injection severity=HIGH\n", "a.py:1: severity `HIGH` must be lowercase"),
        (
            "x = 1  # expect: sql-injection at severity high\n",
            "a.py:1: `expect: sql-injection at severity high`: write `rule-name` or `rule-name severity=level`",
        ),
    ],
)
def test_the_fixture_checker_rejects_annotations_that_could_never_match(tmp_path: Path, text: str, error: str) -> None:
    (tmp_path / "a.py").write_text(text, encoding="utf-8")
    with pytest.raises(AnnotationError) as err:
        annotations(tmp_path)
    assert str(err.value) == error


def test_the_fixture_checker_reads_severities_and_expect_txt(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("# expect: sql-injection severity=critical\n# more words\nrun(q)  # expect: ssrf\n")
    (tmp_path / "cfn").mkdir()
    (tmp_path / "cfn" / "expect.txt").write_text("# comment\ntemplate.json:7 iam-admin-access severity=high\n")
    assert [(a.name, a.path, a.line, a.severity) for a in annotations(tmp_path)] == [
        ("sql-injection", "a.py", 3, Severity.CRITICAL),
        ("ssrf", "a.py", 3, None),
        ("iam-admin-access", "cfn/template.json", 7, Severity.HIGH),
    ]
