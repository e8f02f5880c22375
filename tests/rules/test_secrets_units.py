"""Secret detection: the format table, the name/value heuristics, and redaction in every field."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.engines.secrets.context import is_placeholder, is_reference, secret_word
from fnaudit.engines.secrets.detectors import DETECTORS, detect
from fnaudit.pipeline import scan
from tests.conftest import SCAN_DATE

FIXTURES = Path(__file__).parent / "fixtures" / "SECRET001"

# The detector table carries its own generated example and counter-example per format
# (tests/secrets/test_detectors.py checks every one); a few fixed fakes here for the old ids.
SAMPLES = {
    "aws-access-key-id": "AKIA" + "2E3XQ7VJ5KMN4PLR",
    "openssh-private-key": "-----BEGIN " + "OPENSSH PRIVATE KEY-----\nAAAA",
    "github-pat": "ghp_" + "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d",
    "gitlab-pat": "glpat-" + "Zx81kQpL0vN2rT99aaBB",
    "slack-bot-token": "xoxb-" + "147104974650-752917034236-z63FfkCzJr4i0B3JrTAwR4y9",
    "stripe-secret-key": "sk_live_" + "7FAc9QeWJKY40uvSwMFLZDe1",
    "twilio-api-key": "SK" + "4f0a9c8d7e6f5a4b3c2d1e0f9a8b7c6d",
    "database-url-password": "mysql://app:" + "Pa55-w0rd" + "@db.internal:3306/app",
}


def test_fixed_samples_match_their_detector() -> None:
    ids = {d.id for d in DETECTORS}
    for det_id, value in SAMPLES.items():
        assert det_id in ids
        found = detect(value)
        assert found is not None and found[0].id == det_id, det_id


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
        ("AUTH_TOKEN", ("token", True)),
        ("SESSION_TOKEN_TTL", None),
        ("GIT_SHA", None),
        ("STRIPE_PUBLISHABLE_KEY", None),
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
    "value",
    [
        "changeme",
        "<your-key>",
        "TODO",
        "",
        "xxxxxxxx",
        "yes",
        "false",
        "3600",
        "${env:X}",
        "REPLACE_ME",
        "your-api-key-here",
    ],
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
