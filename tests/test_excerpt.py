"""Code excerpts: lines around a finding, secrets redacted, none from dotenv files or for SECRET findings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fnaudit.config import Config
from fnaudit.excerpt import add_excerpts, is_dotenv, redact_line
from fnaudit.findings import Category, Finding, Severity
from fnaudit.model.loc import Loc
from fnaudit.pipeline import scan

REPO = Path(__file__).resolve().parents[1]
STRIPE = "sk_live_51HxQ7wR2nT5vYb8KcPzL0aMd3GfJ9uXe4Rk2"


def _finding(path: str, line: int, category: Category = Category.CONFIG, rule: str = "DOS001") -> Finding:
    return Finding(rule, "x", "t", category, Severity.LOW, None, None, Loc(path, line), "m", "", "", "fp")


def test_lines_around_the_finding(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("\n".join(f"line {n}" for n in range(1, 11)) + "\n")
    [f] = add_excerpts([_finding("a.py", 5)], tmp_path)
    assert f.excerpt == tuple((n, f"line {n}") for n in range(3, 8))
    [f] = add_excerpts([_finding("a.py", 1)], tmp_path)
    assert [n for n, _ in f.excerpt] == [1, 2, 3]


def test_detector_tokens_and_secret_keys_redacted() -> None:
    assert STRIPE not in redact_line(f'client = Stripe("{STRIPE}")')
    assert "sk_l…(45 chars)" in redact_line(f'client = Stripe("{STRIPE}")')
    assert redact_line("      DB_PASSWORD: Tr0ub4dor&3x") == "      DB_PASSWORD: <redacted>"
    assert redact_line("DB_PASSWORD: ${ssm:/shop/db-password}") == "DB_PASSWORD: ${ssm:/shop/db-password}"
    assert redact_line("TABLE: orders") == "TABLE: orders"
    assert redact_line("  KEY: value", masked_value=True) == "  KEY: <redacted>"


def test_no_excerpt_for_secrets_or_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("A=1\nB=2\n")
    (tmp_path / "serverless.yml").write_text("env:\n  WEIRD_NAME: plaintextvalue1\n  OTHER: 1\n")
    out = add_excerpts(
        [
            _finding(".env", 1),
            _finding("serverless.yml", 2, Category.SECRETS, "SECRET001"),
            _finding("serverless.yml", 3),
        ],
        tmp_path,
    )
    assert out[0].excerpt == () and out[1].excerpt == ()
    # the line of the SECRET finding is masked in the neighbour's excerpt
    assert (2, "  WEIRD_NAME: <redacted>") in out[2].excerpt
    assert is_dotenv("app/.env.production") and is_dotenv("prod.env") and not is_dotenv("env.py")


def test_outside_root_and_binary_skipped(tmp_path: Path) -> None:
    (tmp_path / "bin.dat").write_bytes(b"\0\1\2\n")
    out = add_excerpts([_finding("../etc/passwd", 1), _finding("bin.dat", 1), _finding("missing.py", 1)], tmp_path)
    assert all(f.excerpt == () for f in out)


def test_example_app_excerpts_never_hold_the_secret() -> None:
    result = scan(REPO / "examples" / "shop-api", Config(today=dt.date(2026, 11, 29)))
    assert any(f.excerpt for f in result.findings)
    text = "\n".join(line for f in result.findings for _, line in f.excerpt)
    assert STRIPE not in text
