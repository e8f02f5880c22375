"""Suppressions: inline comments, config entries (with expiry), baselines; fingerprints and redaction."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from fnaudit.config import IgnoreEntry
from fnaudit.findings import Category, Finding, Severity, Suppression
from fnaudit.fingerprint import fingerprint
from fnaudit.model.loc import Loc
from fnaudit.redact import redact
from fnaudit.rules.registry import Retired, all_rules
from fnaudit.suppress import apply, baseline_document, load_baseline

TODAY = dt.date(2026, 11, 29)


def _finding(path: str, line: int, code: str = "AUTH001", name: str = "http-route-without-authorizer") -> Finding:
    return Finding(
        rule_id=code,
        rule_name=name,
        title="t",
        category=Category.AUTH,
        severity=Severity.HIGH,
        function="api",
        function_id="serverless.yml#api",
        location=Loc(path, line),
        message="m",
        evidence="e",
        remediation="r",
        fingerprint=fingerprint(code, path, "serverless.yml#api", f"k{line}"),
    )


def test_inline_ignore_on_the_line_or_the_line_above(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "functions:\n"
        "  api:\n"
        "    events:\n"
        "      # fnaudit: ignore[AUTH001] public status page\n"
        "      - http: GET /status\n"
        "      - http: GET /health  # fnaudit: ignore[http-route-without-authorizer] -- health check\n"
        "      - http: GET /users\n"
        "      - http: GET /other  # fnaudit: ignore[IAM001] wrong rule\n"
    )
    found = [_finding("serverless.yml", n) for n in (5, 6, 7, 8)]
    out, warnings = apply(found, tmp_path, (), TODAY)
    assert [(f.location.line, f.suppression.kind if f.suppression else None) for f in out] == [
        (5, "inline"),
        (6, "inline"),
        (7, None),
        (8, None),
    ]
    assert out[0].suppression and out[0].suppression.reason == "public status page"
    assert out[1].suppression and out[1].suppression.reason == "health check"
    assert warnings == []


def test_inline_ignores_can_be_disabled(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("x: 1  # fnaudit: ignore[AUTH] ok\n")
    out, _ = apply([_finding("a.yml", 1)], tmp_path, (), TODAY, inline=False)
    assert not out[0].suppressed


def test_config_ignores_match_by_prefix_path_and_function_and_expire(tmp_path: Path) -> None:
    entries = (
        IgnoreEntry("AUTH", "internal API behind VPN", path="svc/*", source=".fnaudit.toml:3"),
        IgnoreEntry("IAM001", "never matches", source=".fnaudit.toml:8"),
        IgnoreEntry("auth", "expired", until=dt.date(2026, 1, 1), source=".fnaudit.toml:12"),
    )
    out, warnings = apply([_finding("svc/serverless.yml", 3), _finding("other.yml", 3)], tmp_path, entries, TODAY)
    assert [f.suppressed for f in out] == [True, False]
    assert out[0].suppression and out[0].suppression.reason == "internal API behind VPN"
    assert [(w.path, w.message) for w in warnings] == [
        (".fnaudit.toml:8", "ignore of IAM001 matched no finding; remove it"),
        (".fnaudit.toml:12", "ignore of auth expired on 2026-01-01; fix the findings or extend `until`"),
    ]


def test_baseline_round_trip_has_no_lines_or_timestamps(tmp_path: Path) -> None:
    found = [_finding("serverless.yml", 7), _finding("serverless.yml", 3)]
    doc = baseline_document(found)
    text = json.dumps(doc)
    assert all(set(e) == {"rule_id", "path", "function", "fingerprint"} for e in doc["findings"])
    assert set(doc) == {"schema", "findings"}
    assert [e["fingerprint"] for e in doc["findings"]] == sorted(f.fingerprint for f in found)
    path = tmp_path / "baseline.json"
    path.write_text(text)
    moved = [_finding("serverless.yml", 7)]  # same identity, any line
    out, _ = apply(moved, tmp_path, (), TODAY, baseline=load_baseline(path))
    assert out[0].suppression and out[0].suppression.kind == "baseline"


def test_fingerprint_ignores_lines_and_whitespace() -> None:
    a = fingerprint("IAM001", "serverless.yml", "serverless.yml#api", "Action: *  on  *")
    b = fingerprint("IAM001", "serverless.yml", "serverless.yml#api", "Action: * on *")
    c = fingerprint("IAM001", "serverless.yml", "serverless.yml#web", "Action: * on *")
    assert a == b != c


def test_redaction_shows_at_most_four_characters_and_the_length() -> None:
    secret = "AKIAIOSFODNN7EXAMPLE"
    shown = redact(secret)
    assert shown == "AKIA…(20 chars)"
    assert secret not in shown
    assert redact("hunter2") == "h…(7 chars)"


def test_cloudformation_metadata_ignores_suppress_that_functions_findings(tmp_path: Path) -> None:
    from fnaudit.config import Config
    from fnaudit.pipeline import scan

    (tmp_path / "template.json").write_text(
        json.dumps(
            {
                "Resources": {
                    "Api": {
                        "Type": "AWS::Lambda::Function",
                        "Metadata": {"fnaudit": {"ignore": [{"rule": "OBS001", "reason": "platform traces it"}]}},
                        "Properties": {
                            "Runtime": "python3.12",
                            "Handler": "app.handler",
                            "Role": "arn:aws:iam::1:role/r",
                        },
                    },
                    "Worker": {
                        "Type": "AWS::Lambda::Function",
                        "Properties": {
                            "Runtime": "python3.12",
                            "Handler": "app.handler",
                            "Role": "arn:aws:iam::1:role/r",
                        },
                    },
                }
            },
            indent=2,
        )
    )
    result = scan(tmp_path, Config(select=("OBS001",), today=TODAY))
    assert [(f.function, f.suppression.kind if f.suppression else None) for f in result.findings] == [
        ("Api", "metadata"),
        ("Worker", None),
    ]


def test_a_suppressor_counts_config_ignores_used_in_any_call_and_keeps_inherited_suppressions(tmp_path: Path) -> None:
    """The scan marks first-phase findings, then the attack paths built on them: an ignore used in
    the first call is not "unused", and a path that inherited a link's suppression keeps its reason
    even when it is also in the baseline."""
    from dataclasses import replace

    from fnaudit.findings import Suppression
    from fnaudit.suppress import Suppressor

    used = IgnoreEntry("AUTH001", "internal", source=".fnaudit.toml:1")
    unused = IgnoreEntry("IAM001", "never", source=".fnaudit.toml:5")
    first = _finding("serverless.yml", 3)
    inherited = replace(
        _finding("handler.py", 9, "PATH001", "public-code-execution-path"),
        suppression=Suppression("inline", "via CODE002 at handler.py:9: validated"),
    )
    s = Suppressor(tmp_path, (used, unused), TODAY, baseline={inherited.fingerprint})
    assert [f.suppression for f in s.mark([first])] == [Suppression("config", "internal")]
    assert [f.suppression for f in s.mark([inherited])] == [inherited.suppression]
    assert [(w.path, w.message) for w in s.warnings()] == [
        (".fnaudit.toml:5", "ignore of IAM001 matched no finding; remove it")
    ]


# Inline ignores held to account (issue 12): a reason is required, unused ones are reported, retired codes are named.

SLS = (
    "service: orders\n"
    "provider:\n"
    "  name: aws\n"
    "  runtime: python3.13\n"
    "functions:\n"
    "  api:\n"
    "    handler: handler.main\n"
    "    events:\n"
    "      - httpApi: GET /status  # fnaudit: ignore[AUTH001]\n"
    "      - httpApi: GET /health  # fnaudit: ignore[AUTH001] public health check\n"
    "      - httpApi: GET /users  # fnaudit: ignore[AUTH001,CODE001] wrong line for code\n"
    "      # fnaudit: ignore[IAM001] nothing fires here\n"
    "      - httpApi: GET /docs  # fnaudit: ignore[auth] public docs\n"
)


def _app(tmp_path: Path, handler: str = "def main(event, context):\n    return {}\n") -> Path:
    (tmp_path / "serverless.yml").write_text(SLS, encoding="utf-8")
    (tmp_path / "handler.py").write_text(handler, encoding="utf-8")
    return tmp_path


def _warnings(result: object) -> list[tuple[str, str, str, str]]:
    from fnaudit.pipeline import ScanResult

    assert isinstance(result, ScanResult)
    return [(e.path, e.stage, e.loss.value, e.message) for e in result.errors]


def test_an_inline_ignore_without_a_reason_suppresses_and_is_reported(tmp_path: Path) -> None:
    from fnaudit.config import Config
    from fnaudit.pipeline import scan

    result = scan(_app(tmp_path), Config(select=("AUTH001",), today=TODAY))
    assert [(f.location.line, f.suppression.reason if f.suppression else None) for f in result.findings] == [
        (9, "(no reason given)"),
        (10, "public health check"),
        (11, "wrong line for code"),
        (13, "public docs"),
    ]
    # IAM001 and CODE001 did not run (--select AUTH001): their selectors are not judged.
    assert _warnings(result) == [
        (
            "serverless.yml:9",
            "config",
            "none",
            "inline ignore of AUTH001 has no reason; add one after the bracket "
            "(`fnaudit: ignore[AUTH001] why this is acceptable`)",
        )
    ]


def test_unused_inline_ignores_of_rules_that_ran_are_reported_even_in_files_without_findings(tmp_path: Path) -> None:
    from fnaudit.config import Config
    from fnaudit.pipeline import scan

    # handler.py has no finding at all: its comment is found because the scan read the file.
    handler = "def main(event, context):\n    return {}  # fnaudit: ignore[AUTH001] stale\n"
    result = scan(_app(tmp_path, handler), Config(select=("AUTH", "IAM001"), today=TODAY))
    assert _warnings(result) == [
        ("handler.py:2", "config", "none", "inline ignore of AUTH001 matched no finding; remove it"),
        # errors sort by their text: "serverless.yml:12" before "serverless.yml:9"
        ("serverless.yml:12", "config", "none", "inline ignore of IAM001 matched no finding; remove it"),
        (
            "serverless.yml:9",
            "config",
            "none",
            "inline ignore of AUTH001 has no reason; add one after the bracket "
            "(`fnaudit: ignore[AUTH001] why this is acceptable`)",
        ),
    ]


def test_no_inline_ignores_means_no_inline_warnings(tmp_path: Path) -> None:
    from fnaudit.config import Config
    from fnaudit.pipeline import scan

    result = scan(_app(tmp_path), Config(select=("AUTH", "IAM001"), today=TODAY, inline_ignores=False))
    assert [f.suppressed for f in result.findings] == [False, False, False, False]
    assert _warnings(result) == []


def test_only_the_unused_selectors_of_a_comment_are_named(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text("x: 1  # fnaudit: ignore[AUTH001, IAM001, CODE001] reviewed\n")
    from fnaudit.suppress import Suppressor

    s = Suppressor(tmp_path, (), TODAY)
    assert [f.suppression for f in s.mark([_finding("serverless.yml", 1)])] == [
        Suppression("inline", "reviewed", Loc("serverless.yml", 1))
    ]
    rules = [r for r in all_rules() if r.code in ("AUTH001", "IAM001")]
    assert [(w.path, w.message) for w in s.warnings(["serverless.yml"], rules)] == [
        ("serverless.yml:1", "inline ignore of IAM001 matched no finding; remove it")
    ]


def test_the_words_in_a_string_are_not_an_ignore(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text('x: "fnaudit: ignore[AUTH001] not a comment"\n')
    out, warnings = apply([_finding("serverless.yml", 1)], tmp_path, (), TODAY)
    assert out[0].suppression is None
    assert warnings == []


RETIRED = Retired("IAM099", "wildcard-resource-legacy", dt.date(2026, 6, 1), "split into IAM002 and IAM003")


def test_ignores_naming_a_retired_rule_say_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fnaudit.rules import registry
    from fnaudit.suppress import Suppressor

    monkeypatch.setattr(registry, "RETIRED", (RETIRED,))
    (tmp_path / "serverless.yml").write_text(
        "x: 1  # fnaudit: ignore[iam099] old\ny: 2  # fnaudit: ignore[wildcard-resource-legacy] old\n"
    )
    s = Suppressor(tmp_path, (IgnoreEntry("IAM099", "old", source=".fnaudit.toml:4"),), TODAY)
    s.mark([_finding("serverless.yml", 1)])
    retired = (
        "names rule IAM099 (wildcard-resource-legacy), retired on 2026-06-01: split into IAM002 and IAM003; remove it"
    )
    assert [(w.path, w.stage, w.loss.value, w.message) for w in s.warnings(["serverless.yml"], all_rules())] == [
        (".fnaudit.toml:4", "config", "none", f"ignore of IAM099 {retired}"),
        ("serverless.yml:1", "config", "none", f"inline ignore of iam099 {retired}"),
        ("serverless.yml:2", "config", "none", f"inline ignore of wildcard-resource-legacy {retired}"),
    ]


def test_a_retired_code_or_name_is_never_registered_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from fnaudit.findings import Category, Severity
    from fnaudit.rules import registry

    monkeypatch.setattr(registry, "RETIRED", (RETIRED,))
    for code, name in (("IAM099", "brand-new-check"), ("IAM098", "wildcard-resource-legacy")):
        with pytest.raises(ValueError) as err:
            register = registry.rule(code, name, title="t", category=Category.PERMISSIONS, severity=Severity.LOW)
            register(lambda app, ctx: ())
        key = code if code == "IAM099" else name
        assert str(err.value) == (
            f"rule {code} {name}: {key} was retired on 2026-06-01 (split into IAM002 and IAM003); "
            "retired codes and names are never reused, pick a new one"
        )
    assert "IAM099" not in registry._REGISTRY and "IAM098" not in registry._REGISTRY


def test_tombstones_are_checked_against_the_live_rules() -> None:
    from fnaudit.rules.registry import RETIRED as SHIPPED
    from fnaudit.rules.registry import check_tombstones

    check_tombstones(SHIPPED, all_rules())  # the shipped list is consistent
    live = Retired("AUTH001", "old-auth", dt.date(2026, 1, 1), "gone")
    with pytest.raises(ValueError, match="retired rule AUTH001 is registered again"):
        check_tombstones((live,), all_rules())
    with pytest.raises(ValueError, match="tombstone IAM099 is listed twice"):
        check_tombstones((RETIRED, RETIRED), all_rules())
    with pytest.raises(ValueError, match="needs a code like IAM001, a kebab-case name and a reason"):
        check_tombstones((Retired("IAM97", "x", dt.date(2026, 1, 1), "r"),), all_rules())


def test_a_config_file_may_ignore_a_retired_rule_but_not_select_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fnaudit import config_file
    from fnaudit.errors import ConfigError
    from fnaudit.rules import registry

    monkeypatch.setattr(registry, "RETIRED", (RETIRED,))
    (tmp_path / ".fnaudit.toml").write_text('[[ignores]]\nrule = "IAM099"\nreason = "legacy"\n')
    assert [(e.rule, e.source) for e in config_file.load(tmp_path).ignores] == [("IAM099", ".fnaudit.toml:1")]
    (tmp_path / ".fnaudit.toml").write_text('select = ["IAM099"]\n')
    with pytest.raises(ConfigError) as err:
        config_file.load(tmp_path)
    assert str(err.value) == (
        ".fnaudit.toml: `select` names rule `IAM099`, retired on 2026-06-01: split into IAM002 and IAM003"
    )


def test_with_an_attack_path_rule_selected_every_first_phase_rule_ran(tmp_path: Path) -> None:
    """PATH rules are fed by every first-phase rule (pipeline.run_rules), so their ignores are judged too."""
    from fnaudit.suppress import Suppressor

    (tmp_path / "handler.py").write_text("run(cmd)  # fnaudit: ignore[CODE002] validated upstream\n")
    s = Suppressor(tmp_path, (), TODAY)
    paths = [r for r in all_rules() if r.code == "PATH001"]
    assert [(w.path, w.message) for w in s.warnings(["handler.py"], paths)] == [
        ("handler.py:1", "inline ignore of CODE002 matched no finding; remove it")
    ]
    secrets_only = [r for r in all_rules() if r.code == "SECRET001"]
    assert s.warnings(["handler.py"], secrets_only) == []
