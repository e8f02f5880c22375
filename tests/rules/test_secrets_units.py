"""Secret detection: the format table, the name/value heuristics, and redaction in every field."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.rules.secrets._detectors import DETECTORS, detect
from fnaudit.rules.secrets._shape import is_placeholder, is_reference, secret_word
from fnaudit.scan import scan
from tests.conftest import SCAN_DATE

FIXTURES = Path(__file__).parent / "fixtures" / "SECRET001"

# Fake values, one per format (built by concatenation so that no scanner mistakes this file for a leak).
SAMPLES = {
    "aws-access-key-id": "AKIA" + "2E3XQ7VJ5KMN4PLR",
    "private-key": "-----BEGIN " + "OPENSSH PRIVATE KEY-----\nAAAA",
    "github-token": "ghp_" + "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d",
    "github-fine-grained-pat": "github_pat_" + "11ABCDEFG0" + "a" * 72,
    "gitlab-token": "glpat-" + "Zx81kQpL0vN2rT99aaBB",
    "slack-token": "xoxb-" + "147104974650-752917034236-z63FfkCzJr4i0B3J",
    "slack-webhook": "https://hooks.slack.com/services/" + "T0123ABCD/B0123ABCD/abcdefghijklmnop12345678",
    "stripe-secret-key": "sk_live_" + "7FAc9QeWJKY40uvSwMFLZDe1",
    "google-api-key": "AIza" + "SyD-abcdefghijklmnopqrstuvwxyz01234",
    "sendgrid-api-key": "SG." + "abcdefghijklmnopqrstuv" + "." + "A" * 43,
    "npm-token": "npm_" + "a" * 36,
    "openai-api-key": "sk-proj-" + "a" * 24 + "T3BlbkFJ" + "b" * 24,
    "anthropic-api-key": "sk-ant-api03-" + "c" * 90,
    "twilio-api-key": "SK" + "0123456789abcdef" * 2,
    "jwt": "eyJ" + "hbGciOiJIUzI1NiJ9" + ".eyJ" + "zdWIiOiJzdmMifQ" + "." + "sig_abcdefghijk",
    "url-with-password": "mysql://app:" + "Pa55-w0rd" + "@db.internal:3306/app",
}


def test_every_detector_has_a_sample_that_it_matches() -> None:
    assert {d.id for d in DETECTORS} == set(SAMPLES)
    for det in DETECTORS:
        found = detect(SAMPLES[det.id])
        assert found is not None and found[0].id == det.id, det.id


@pytest.mark.parametrize("value", ["changeme", "tokens-table", "https://example.com/callback", "12345", "true", ""])
def test_ordinary_values_match_no_format(value: str) -> None:
    assert detect(value) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DB_PASSWORD", ("password", True)),
        ("dbPassword", ("password", True)),
        ("API_KEY", ("apikey", True)),
        ("CLIENT_SECRET", ("clientsecret", True)),
        ("USER_POOL_CLIENT_SECRET", ("clientsecret", True)),
        ("AUTH_TOKEN", ("token", False)),
        ("SENTRY_DSN", ("dsn", False)),
        ("DB_PASSWORD_SECRET_ARN", None),
        ("MYSQL_ALLOW_EMPTY_PASSWORD", None),
        ("TOKEN_TABLE", None),
        ("SECRET_NAME", None),
        ("AUTH_MODE", None),
        ("PAYMENTS_TABLE", None),
        ("CACHE_KEY", None),
    ],
)
def test_secret_word(name: str, expected: tuple[str, bool] | None) -> None:
    assert secret_word(name) == expected


@pytest.mark.parametrize(
    "value", ["changeme", "<your-key>", "TODO", "", "xxxxxxxx", "yes", "false", "3600", "${env:X}", "REPLACE_ME", "your-api-key-here"]
)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
        "/app/db/password",
        "prod/db/password",
        "https://auth.example.com/oauth2/token",
        "ops@example.com",
        "DB_PASSWORD",
    ],
)
def test_references(value: str) -> None:
    assert is_reference(value, "password")


@pytest.mark.parametrize("value", ["Tr0ub4dor&3", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz11KEY", "postgres://u:p4ss@h/db"])
def test_real_looking_values_are_not_references(value: str) -> None:
    assert not is_reference(value, "password")


def test_no_finding_field_holds_a_secret_in_clear() -> None:
    result = scan(FIXTURES / "bad", Config(select=("SECRET001",), today=SCAN_DATE))
    assert result.findings
    raw = [line.split(":", 1)[1].split("#")[0].strip().strip('"') for line in _env_lines()]
    raw = [r for r in raw if len(r) >= 8]
    for f in result.findings:
        for text in (f.message, f.evidence, f.remediation):
            for secret in raw:
                assert secret not in text, f"{f.rule_id} leaks a value in {text!r}"


def _env_lines() -> list[str]:
    text = (FIXTURES / "bad" / "sls" / "serverless.yml").read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if "expect: plaintext-secret" in ln and ":" in ln]
