"""Rules declare the facts they read; the scan runs only the engines that provide them (issue 12).

Before, each engine listed the rule-code prefixes that consumed it and the dependency engine loaded
the rule registry to decide whether to match advisories. Now `Rule.needs` names facts
(`fnaudit.model.facts.Fact`), an engine names the facts it provides and reads, and the pipeline
joins the two.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.engines import ENGINES, engines_for
from fnaudit.model.facts import Fact
from fnaudit.pipeline import needed_facts, scan, select_rules
from fnaudit.rules.registry import all_rules

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shop-api"
ENGINE_STAGES = ("code", "secrets", "deps", "iam")


def _engines(*select: str) -> list[str]:
    rules = select_rules(Config(select=select))
    return [e.module.rsplit(".", 1)[-1] for e in engines_for(needed_facts(rules))]


@pytest.mark.parametrize(
    ("select", "engines"),
    [
        # AUTH001/AUTH004 read the code's own authentication (AuthCheck, Route.auth) to lower their severity
        (("AUTH",), ["code"]),
        (("RUNTIME", "OBS"), []),
        (("DOS001",), ["code"]),
        (("SECRET001",), []),  # reads the environment the loaders already put in the model
        (("SECRET002",), ["secrets"]),
        (("CODE",), ["code"]),
        # the dependency engine computes reachability from the code's imports: it reads CODE
        (("DEP",), ["code", "deps"]),
        (("DEP003",), ["code", "deps"]),
        # the IAM engine compares granted with used (the code's SDK calls): it reads CODE
        (("IAM001",), ["code", "iam"]),
        # attack paths run every first-phase rule as their input, so they need what those need
        (("PATH",), ["code", "secrets", "deps", "iam"]),
        (("PATH003",), ["code", "secrets", "deps", "iam"]),
        (("AUTH", "SECRET004"), ["code", "secrets"]),
    ],
)
def test_selected_rules_decide_which_engines_run(select: tuple[str, ...], engines: list[str]) -> None:
    assert _engines(*select) == engines


def test_advisories_are_needed_only_by_the_rules_that_read_them() -> None:
    assert Fact.ADVISORIES not in needed_facts(select_rules(Config(select=("DEP003",))))
    assert needed_facts(select_rules(Config(select=("DEP003",)))) == {Fact.PACKAGES}
    for code in ("DEP001", "DEP002", "DEP004"):
        assert needed_facts(select_rules(Config(select=(code,)))) == {Fact.PACKAGES, Fact.ADVISORIES}
    # PATH needs everything its inputs (every first-phase rule) need
    first_phase = {f for r in all_rules() if r.phase == 0 for f in r.needs}
    own = {Fact.CODE, Fact.SECRETS, Fact.PERMISSIONS}
    assert needed_facts(select_rules(Config(select=("PATH",)))) == first_phase | own
    assert needed_facts(select_rules(Config())) == set(Fact)


def test_every_fact_has_one_engine_and_engines_read_only_earlier_facts() -> None:
    provided: list[Fact] = []
    for engine in ENGINES:
        assert set(engine.reads) <= set(provided), engine.module  # order: prerequisites come first
        provided.extend(engine.provides)
    assert sorted(provided, key=lambda f: f.value) == sorted(Fact, key=lambda f: f.value)
    assert engines_for(()) == ()
    assert engines_for(Fact) == ENGINES


def test_rule_needs_are_facts() -> None:
    for r in all_rules():
        assert all(isinstance(f, Fact) for f in r.needs), r.code
        assert len(set(r.needs)) == len(r.needs), r.code


def _stages(*select: str) -> list[str]:
    result = scan(EXAMPLE, Config(select=select, today=dt.date(2026, 11, 29)))
    return [s for s in ENGINE_STAGES if s in result.stats.stages]


def test_a_scan_of_auth_only_runs_the_code_engine_only() -> None:
    assert _stages("AUTH") == ["code"]  # authentication done in code lowers AUTH001 / AUTH004


def test_a_scan_of_dep_runs_code_and_deps_only() -> None:
    assert _stages("DEP") == ["code", "deps"]


def test_dep003_alone_does_not_match_advisories(tmp_path: Path) -> None:
    # The store is looked for only when a rule reads advisories: DEP003 (no lockfile) does not, so an
    # unusable store is no error; DEP001 does, so the same store is reported.
    bad = tmp_path / "no-store-here"
    bad.write_text("not a store", encoding="utf-8")
    quiet = scan(EXAMPLE, Config(select=("DEP003",), today=dt.date(2026, 11, 29), db=str(bad)))
    assert [e for e in quiet.errors if e.stage == "deps" and "advisor" in e.message] == []
    loud = scan(EXAMPLE, Config(select=("DEP001",), today=dt.date(2026, 11, 29), db=str(bad)))
    assert any(e.stage == "deps" and "advisory store" in e.message for e in loud.errors)
