"""One parametrized test over the whole registry: each rule's fixtures fire exactly where annotated."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.pipeline import scan
from fnaudit.rules.registry import Rule, all_rules
from tests.conftest import SCAN_DATE
from tests.rules.expectations import expectations

FIXTURES = Path(__file__).parent / "fixtures"
RULES = all_rules()
DOC_SECTIONS = ("What it finds", "Why it matters", "How to fix", "Example")


def _hits(rule: Rule, folder: Path) -> set[tuple[str, str, int]]:
    # Every fixture gets its own advisory store: the records under `osv/` (which is not scanned), or
    # none at all, so no fixture depends on the store of the machine running the tests.
    with tempfile.TemporaryDirectory(prefix="fnaudit-fixture-") as tmp:
        db = Path(tmp) / "db"
        target = folder
        if (folder / "osv").is_dir():
            from fnaudit.engines.osv.store import Store

            with Store(db, create=True) as store:
                store.import_source(folder / "osv")
            target = Path(tmp) / "app"
            shutil.copytree(folder, target, ignore=lambda d, names: ["osv"] if Path(d) == folder else [])
        result = scan(target, Config(select=(rule.code,), today=SCAN_DATE, db=str(db)))
    # `expect-errors.txt`: substrings of the errors a fixture is meant to produce (one a line).
    allowed = (folder / "expect-errors.txt").read_text(encoding="utf-8").split("\n") if (folder / "expect-errors.txt").is_file() else []
    errors = [e for e in result.errors if not any(a.strip() and a.strip() in e.message for a in allowed)]
    assert errors == [], f"fixture {folder} produced errors: {errors}"
    return {(f.rule_name, f.location.path, f.location.line) for f in result.findings}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.code}-{r.name}")
def test_bad_fixtures_fire_exactly_where_annotated(rule: Rule) -> None:
    folder = FIXTURES / rule.code / "bad"
    assert folder.is_dir(), f"rule {rule.code} has no fixture folder {folder}"
    expected = {e for e in expectations(folder) if e[0] == rule.name}
    assert expected, f"{folder} has no `expect: {rule.name}` annotation"
    assert _hits(rule, folder) == expected


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.code}-{r.name}")
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
