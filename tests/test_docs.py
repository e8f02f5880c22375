"""Rule docs pages: one per rule plus an index, generated from the registry; the committed ones must be fresh."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from fnaudit import cli, docs
from fnaudit.rules.registry import Rule, all_rules

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "rules"


def test_committed_rule_docs_are_up_to_date() -> None:
    problems = docs.check(DOCS)
    assert not problems, (
        "the rule docs in docs/rules are stale; run `fnaudit rules --write-docs docs/rules` "
        "and commit the result:\n  " + "\n  ".join(problems)
    )


def test_every_rule_has_a_complete_page() -> None:
    pages = docs.generate()
    for rule in all_rules():
        page = pages[docs.page_name(rule)]
        assert page.startswith(docs.MARKER)
        for heading in (
            "## What it finds",
            "## When it speaks",
            "## Why it matters",
            "## How to fix",
            "## Configuration",
        ):
            assert heading in page, (rule.code, heading)
        assert "_Not documented yet._" not in page, rule.code
        assert page.index("## What it finds") < page.index("## When it speaks") < page.index("## Why it matters")
        assert f"# {rule.code} · {rule.name}" in page
        for n in rule.cwe:
            assert f"CWE-{n}" in page
        for o in rule.owasp:
            assert o in page
        assert f"[{rule.code}]({docs.page_name(rule)})" in pages[docs.INDEX]


def test_write_then_check(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    assert docs.check(folder)  # nothing there yet: every page missing
    docs.write(folder)
    assert docs.check(folder) == []
    first = sorted(folder.glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    (folder / "OLD999.md").write_text(docs.MARKER + "\n# gone\n", encoding="utf-8")
    (folder / "notes.md").write_text("hand-written, not ours\n", encoding="utf-8")
    problems = docs.check(folder)
    assert any("out of date" in p for p in problems)
    assert any("OLD999.md" in p for p in problems)
    docs.write(folder)
    assert docs.check(folder) == []
    assert not (folder / "OLD999.md").exists()
    assert (folder / "notes.md").exists()


def test_cli_check_names_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "rules"
    assert cli.main(["rules", "--write-docs", str(folder), "--check"]) == 1
    _, err = capsys.readouterr()
    assert f"run `fnaudit rules --write-docs {folder.as_posix()}`" in err
    assert cli.main(["rules", "--write-docs", str(folder)]) == 0
    assert cli.main(["rules", "--write-docs", str(folder), "--check"]) == 0
    assert cli.main(["rules", "--check"]) == 2


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_rule_says_when_it_speaks(rule: Rule) -> None:
    """Issue 22: each rule documents its trigger conditions, the evidence its findings carry and its traps."""
    assert docs.missing_docs(rule) == [], rule.code
    when = rule.section("When it speaks")
    for item in docs.WHEN_ITEMS:
        # each item says something of its own, not just the label
        body = when.split(f"- **{item}**:", 1)[1].split("\n- **", 1)[0]
        assert len(body.split()) >= 8, (rule.code, item)


def _without(rule: Rule, heading: str) -> Rule:
    """The rule with one section cut out of its docstring."""
    doc = re.sub(rf"^\s*## {re.escape(heading)}\s*$.*?(?=^\s*## )", "", rule.doc, flags=re.M | re.S)
    assert doc != rule.doc
    return replace(rule, doc=doc)


def test_a_rule_without_when_it_speaks_fails() -> None:
    rule = next(r for r in all_rules() if r.code == "CODE001")
    gap = _without(rule, "When it speaks")
    assert docs.missing_docs(gap) == ["`## When it speaks`"]
    assert "_Not documented yet._" in docs.rule_page(gap)
    half = replace(rule, doc=rule.doc.replace("- **Stays quiet**:", "- Stays quiet:"))
    assert docs.missing_docs(half) == ["`- **Stays quiet**:` under `## When it speaks`"]


def test_check_names_a_rule_without_when_it_speaks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "rules"
    docs.write(folder)
    rules = list(all_rules())
    gap = _without(next(r for r in rules if r.code == "IAM004"), "When it speaks")
    patched = [gap if r.code == "IAM004" else r for r in rules]
    monkeypatch.setattr(docs, "all_rules", lambda: patched)
    problems = docs.check(folder)
    assert problems[0] == "IAM004: the docstring lacks `## When it speaks`"
    assert any(p.endswith("IAM004.md: out of date") for p in problems)
