"""Rule docs pages: one per rule plus an index, generated from the registry; the committed ones must be fresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit import cli, docs
from fnaudit.rules.registry import all_rules

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
        for heading in ("## What it finds", "## Why it matters", "## How to fix", "## Configuration"):
            assert heading in page, (rule.code, heading)
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
