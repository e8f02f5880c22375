"""One app written four times (serverless.yml, SAM, CloudFormation, Terraform): the same findings
(rule, function, severity) in every dialect; only locations differ.

The shop: `orders` behind a public HTTP API route with no authorizer, with a SQL injection and a Stripe
key in its environment; `reports` behind a function URL with AuthType NONE; `worker` on an SQS queue
with a deprecated runtime; one role shared by the three, granting `dynamodb:*` on every resource.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.pipeline import ScanResult, scan
from tests.conftest import SCAN_DATE

APP = Path(__file__).parent / "apps" / "shop"
DIALECTS = ("serverless", "sam", "cloudformation", "terraform")

EXPECTED = {
    ("AUTH001", "orders", "high"),
    ("AUTH002", "reports", "high"),
    ("CODE001", "orders", "critical"),
    ("DOS001", "orders", "medium"),
    ("DOS001", "reports", "medium"),
    ("DOS005", "orders", "medium"),
    ("IAM002", "orders,reports,worker", "high"),
    ("IAM004", "orders,reports,worker", "medium"),
    ("OBS001", "orders", "info"),
    ("OBS001", "reports", "info"),
    ("OBS001", "worker", "info"),
    ("OBS002", "orders", "info"),
    ("OBS002", "reports", "info"),
    ("OBS002", "worker", "info"),
    ("PATH002", "orders", "critical"),
    ("RUNTIME001", "worker", "high"),
    ("SECRET001", "orders", "high"),
}


def _name(raw: str) -> str:
    """A function's name across dialects: `orders`, SAM/CFN `orders`, Terraform `aws_lambda_function.orders`."""
    return re.sub(r"^aws_lambda_function\.", "", raw).lower()


def _triples(result: ScanResult) -> set[tuple[str, str, str]]:
    names = {fn.id: fn.name for app in result.apps for fn in app.functions}
    out = set()
    for f in result.findings:
        fns = f.functions or ((f.function,) if f.function else ())
        out.add((f.rule_id, ",".join(sorted(_name(names.get(x, x)) for x in fns)), f.severity.value))
    return out


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect_gives_the_same_findings(dialect: str) -> None:
    result = scan(APP / dialect, Config(today=SCAN_DATE))
    assert result.errors == ()
    assert _triples(result) == EXPECTED


def _per_function(result: ScanResult) -> dict[str, tuple[float | None, float | None]]:
    out = {}
    for app in result.apps:
        for fn in app.functions:
            risk = result.risk.get(fn.id)
            out[_name(fn.name)] = (fn.blast_radius.score if fn.blast_radius else None, risk.score if risk else None)
    return out


def test_every_dialect_gives_the_same_blast_radius_and_risk_per_function() -> None:
    per = {d: _per_function(scan(APP / d, Config(today=SCAN_DATE))) for d in DIALECTS}
    assert per["serverless"]["orders"][0] == 57.9  # dynamodb:* on every table, s3:ListBucket on one bucket
    assert all(per[d] == per["serverless"] for d in DIALECTS), per


def test_terraform_findings_point_at_the_hcl_lines() -> None:
    result = scan(APP / "terraform", Config(today=SCAN_DATE))
    text = (APP / "terraform" / "main.tf").read_text().splitlines()
    where = {f.rule_id: f.location for f in result.findings if f.rule_id in ("RUNTIME001", "AUTH002", "SECRET001")}
    assert text[where["RUNTIME001"].line - 1].strip() == 'runtime       = "python3.8"'
    assert text[where["AUTH002"].line - 1].strip() == 'authorization_type = "NONE"'
    assert text[where["SECRET001"].line - 1].strip().startswith("STRIPE_KEY")


@pytest.mark.parametrize("function", ["orders", "reports", "worker"])
def test_every_dialect_gives_the_same_least_privilege_policy(function: str, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from fnaudit.cli import main

    docs = {}
    for dialect in DIALECTS:
        name = f"aws_lambda_function.{function}" if dialect == "terraform" else function
        assert main(["permissions", name, str(APP / dialect), "-f", "json", "--date", "2026-11-29"]) == 0
        docs[dialect] = json.loads(capsys.readouterr().out)
    assert all(doc == docs["serverless"] for doc in docs.values()), docs
    if function == "reports":
        assert docs["terraform"]["Statement"][1] == {
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": ["arn:aws:s3:::shop-reports"],
        }
