"""Suppressions: inline comments, config entries (with expiry), baselines; fingerprints and redaction."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fnaudit.config import IgnoreEntry
from fnaudit.findings import Category, Finding, Severity
from fnaudit.fingerprint import fingerprint
from fnaudit.model.loc import Loc
from fnaudit.redact import redact
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
                        "Properties": {"Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::1:role/r"},
                    },
                    "Worker": {
                        "Type": "AWS::Lambda::Function",
                        "Properties": {"Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::1:role/r"},
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
    inherited = replace(_finding("handler.py", 9, "PATH001", "public-code-execution-path"),
                        suppression=Suppression("inline", "via CODE002 at handler.py:9: validated"))
    s = Suppressor(tmp_path, (used, unused), TODAY, baseline={inherited.fingerprint})
    assert [f.suppression for f in s.mark([first])] == [Suppression("config", "internal")]
    assert [f.suppression for f in s.mark([inherited])] == [inherited.suppression]
    assert [(w.path, w.message) for w in s.warnings()] == [(".fnaudit.toml:5", "ignore of IAM001 matched no finding; remove it")]
