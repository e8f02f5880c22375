"""The fix framework itself: edits, plans, the patch, --write with verification and rollback, --interactive."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from fnaudit.cli import main
from fnaudit.config import Config
from fnaudit.findings import Finding
from fnaudit.fix import plan as plan_module
from fnaudit.fix.command import run_fix
from fnaudit.fix.context import FixContext
from fnaudit.fix.model import Edit, Fix, NoFix
from fnaudit.fix.plan import plan
from fnaudit.fix.sources import Sources, apply
from fnaudit.pipeline import ScanResult, scan

TODAY = dt.date(2026, 12, 6)
CONFIG = Config(today=TODAY, select=("RUNTIME001", "SECRET001"), excerpts=False, reuse=False)
SERVERLESS = """\
service: shop
provider:
  name: aws
  runtime: python3.8 # old
functions:
  orders:
    handler: app.handler
  billing:
    handler: app.handler
    runtime: nodejs16.x
"""


def _app(tmp_path: Path, text: str = SERVERLESS) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    (root / "serverless.yml").write_text(text, encoding="utf-8")
    (root / "app.py").write_text("def handler(event, context):\n    return {}\n", encoding="utf-8")
    (root / "app.js").write_text("exports.handler = async () => ({});\n", encoding="utf-8")
    return root


def test_edits_overlap_unless_both_insert() -> None:
    replace = Edit("a.yml", 3, 5, ("x",))
    assert replace.overlaps(Edit("a.yml", 4, 6, ("y",)))
    assert not replace.overlaps(Edit("a.yml", 5, 6, ("y",)))
    assert not replace.overlaps(Edit("b.yml", 3, 5, ("y",)))
    assert replace.overlaps(Edit("a.yml", 4, 4, ("inside",)))
    assert not replace.overlaps(Edit("a.yml", 3, 3, ("before",)))
    assert not Edit("a.yml", 2, 2, ("one",)).overlaps(Edit("a.yml", 2, 2, ("two",)))


def test_apply_keeps_line_endings_and_insertion_order() -> None:
    text = "a: 1\r\nb: 2\r\nc: 3"  # CRLF, no final newline
    edits = [Edit("f", 2, 3, ("b: 20",)), Edit("f", 3, 3, ("first",)), Edit("f", 3, 3, ("second",))]
    assert apply(text, edits, "\r\n") == "a: 1\r\nb: 20\r\nfirst\r\nsecond\r\nc: 3"
    assert apply("x\n", [Edit("f", 2, 2, ("y",))], "\n") == "x\ny\n"


def test_sources_never_leave_the_root(tmp_path: Path) -> None:
    root = _app(tmp_path)
    (tmp_path / "outside.yml").write_text("secret: 1\n", encoding="utf-8")
    (root / "link.yml").symlink_to(tmp_path / "outside.yml")
    sources = Sources(root)
    assert sources.text("serverless.yml") == SERVERLESS
    assert sources.text("../outside.yml") is None
    assert sources.text("link.yml") is None
    assert sources.text("code.zip!/app.py") is None
    assert sources.text("arn:aws:lambda:eu-west-1:1:function:x") is None


def test_inherited_value_is_fixed_once_for_every_function(tmp_path: Path) -> None:
    """`provider.runtime` serves `orders`; `billing` has its own: two fixes, one of them for the provider line."""
    root = _app(tmp_path)
    result = scan(root, CONFIG)
    made = plan(result, root)
    assert [(f.function, f.summary) for f in made.fixes] == [
        ("billing", "runtime nodejs16.x → nodejs24.x"),
        ("orders", "runtime python3.8 → python3.14 (set once for every function that inherits it)"),
    ]
    assert made.unfixed == ()


def test_identical_edits_fold_and_overlapping_edits_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _app(tmp_path)
    result = scan(root, CONFIG)
    line = Edit("serverless.yml", 4, 5, ("  runtime: python3.13",))

    def same_edit(finding: Finding, ctx: FixContext) -> Fix:
        return Fix(finding.rule_id, finding.fingerprint, finding.function, "same", (line,))

    def overlapping(finding: Finding, ctx: FixContext) -> Fix:
        return Fix(
            finding.rule_id, finding.fingerprint, finding.function, "wide", (Edit("serverless.yml", 3, 6, ("x",)),)
        )

    monkeypatch.setattr(plan_module, "fixers", lambda: {"RUNTIME001": same_edit})
    folded = plan(result, root)
    assert len(folded.fixes) == 1 and len(folded.fixes[0].fingerprints) == 2
    calls = iter([same_edit, overlapping])
    monkeypatch.setattr(plan_module, "fixers", lambda: {"RUNTIME001": lambda f, c: next(calls)(f, c)})
    refused = plan(result, root)
    assert len(refused.fixes) == 1
    [nofix] = refused.unfixed
    assert (
        nofix.reason
        == "its edit overlaps the fix of RUNTIME001 (same) at serverless.yml:4: fix that first, then run again"
    )


def test_a_broken_fixer_is_a_nofix_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _app(tmp_path)

    def broken(finding: Finding, ctx: FixContext) -> Fix:
        raise KeyError("x")

    monkeypatch.setattr(plan_module, "fixers", lambda: {"RUNTIME001": broken})
    made = plan(scan(root, CONFIG), root)
    assert made.fixes == ()
    assert {n.reason for n in made.unfixed} == {"the fixer failed: KeyError: 'x'"}


def _run(root: Path, result: ScanResult, **kw: object) -> tuple[ScanResult, str, str]:
    out, err = io.StringIO(), io.StringIO()
    remaining = run_fix(result, root, rescan=lambda: scan(root, CONFIG), out=out, err=err, **kw)  # type: ignore[arg-type]
    return remaining, out.getvalue(), err.getvalue()


def test_dry_run_prints_the_patch_and_changes_nothing(tmp_path: Path) -> None:
    root = _app(tmp_path)
    result = scan(root, CONFIG)
    remaining, out, err = _run(root, result)
    assert out == (
        "--- a/serverless.yml\n+++ b/serverless.yml\n@@ -1,10 +1,10 @@\n service: shop\n provider:\n   name: aws\n"
        "-  runtime: python3.8 # old\n+  runtime: python3.14 # old\n functions:\n   orders:\n     handler: app.handler\n"
        "   billing:\n     handler: app.handler\n-    runtime: nodejs16.x\n+    runtime: nodejs24.x\n"
    )
    assert "2 fix(es) for 2 finding(s); nothing written" in err
    assert (root / "serverless.yml").read_text() == SERVERLESS
    assert remaining.active_findings == ()  # both runtime findings would be fixed: none remains for the exit code


def test_write_keeps_what_the_second_scan_confirms_and_rolls_back_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fix that does not resolve its finding, and one that adds a finding, are rolled back; the good one stays."""
    root = _app(tmp_path)
    result = scan(root, CONFIG)
    from fnaudit.fix.fixers.runtime import successor_runtime

    def mixed(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
        if finding.function == "orders":  # "fixes" the provider runtime with another deprecated one
            return Fix(
                finding.rule_id,
                finding.fingerprint,
                "orders",
                "bad",
                (Edit("serverless.yml", 4, 5, ("  runtime: python3.7",)),),
            )
        return successor_runtime(finding, ctx)

    monkeypatch.setattr(plan_module, "fixers", lambda: {"RUNTIME001": mixed})
    remaining, _, err = _run(root, result, write=True)
    assert "rolled back: RUNTIME001 (bad): RUNTIME001 is still reported after the edit" in err
    assert "wrote 1 fix(es) to 1 file(s): serverless.yml; the second scan confirmed them" in err
    text = (root / "serverless.yml").read_text()
    assert "runtime: python3.8 # old" in text and "runtime: nodejs24.x" in text
    assert [(f.rule_id, f.function) for f in remaining.active_findings] == [("RUNTIME001", "orders")]


def test_a_fix_that_adds_a_finding_is_rolled_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _app(tmp_path)
    result = scan(root, CONFIG)
    leak = (
        "  runtime: python3.13",
        "  environment:",
        "    DB_PASSWORD: Vx7#mQ2p!Lr9zK4tWq",
    )

    def leaky(finding: Finding, ctx: FixContext) -> Fix | None:
        if finding.function != "orders":
            return None
        return Fix(finding.rule_id, finding.fingerprint, "orders", "leaky", (Edit("serverless.yml", 4, 5, leak),))

    monkeypatch.setattr(plan_module, "fixers", lambda: {"RUNTIME001": leaky})
    _, _, err = _run(root, result, write=True)
    assert "rolled back: RUNTIME001 (leaky): the edit made a new SECRET001 finding in serverless.yml" in err
    assert (root / "serverless.yml").read_text() == SERVERLESS  # byte for byte


def test_interactive_asks_per_fix(tmp_path: Path) -> None:
    root = _app(tmp_path)
    result = scan(root, CONFIG)
    answers = iter(["n", "y"])
    _, out, err = _run(root, result, write=True, interactive=True, ask=lambda prompt: next(answers))
    assert out.count("# RUNTIME001") == 2
    text = (root / "serverless.yml").read_text()
    assert "runtime: nodejs16.x" in text  # billing: declined
    assert "runtime: python3.14 # old" in text  # orders: accepted
    answers = iter(["q"])
    _, _, err = _run(root, scan(root, CONFIG), write=True, interactive=True, ask=lambda prompt: next(answers))
    assert "nothing to write" in err


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _app(tmp_path)
    args = ["fix", str(root), "--select", "RUNTIME001", "--date", "2026-12-06"]
    assert main(args) == 0  # every finding would be fixed: nothing remains
    assert main([*args, "--select", "SECRET001"]) == 0
    (root / "serverless.yml").write_text(
        SERVERLESS.replace("python3.8", "${param:runtime, 'python3.8'}"), encoding="utf-8"
    )
    assert main(args) == 1  # the provider's runtime comes from a variable: not fixed, it remains
    err = capsys.readouterr().err
    assert "not fixed: RUNTIME001 (orders): the runtime is not written as `python3.8` on serverless.yml:4" in err
    assert main(["fix", str(root), "--write", "--interactive"]) == 2  # argparse: not both


def test_a_folded_fix_keeps_what_it_waits_for_and_what_it_hides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folding a second finding into an identical earlier fix adds its fingerprint and keeps the rest of the fix:
    a pending fix stays pending (a lockfile refresh), its masked secrets stay masked."""
    root = _app(tmp_path)
    result = scan(root, CONFIG)
    line = Edit("serverless.yml", 4, 5, ("  runtime: python3.13",))

    def pending(finding: Finding, ctx: FixContext) -> Fix:
        return Fix(
            finding.rule_id, finding.fingerprint, finding.function, "same", (line,), pending=True, masked=("x" * 8,)
        )

    monkeypatch.setattr(plan_module, "fixers", lambda: {"RUNTIME001": pending})
    [fix] = plan(result, root).fixes
    assert len(fix.fingerprints) == 2
    assert fix.pending and fix.masked == ("x" * 8,)
