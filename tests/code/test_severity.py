"""The trigger decides the severity of the same sink."""

from __future__ import annotations

from pathlib import Path

from fnaudit.findings import Severity
from tests.code.helpers import run, write_app

FIXTURE = Path(__file__).parents[1] / "rules" / "fixtures" / "CODE001" / "bad"


def test_public_route_is_critical_authorizer_high_internal_lower() -> None:
    result = run(FIXTURE, select=("CODE001",))
    sev = {f.function: f.severity for f in result.findings}
    assert sev["getOrder"] is Severity.CRITICAL  # public httpApi route, no authorizer
    assert sev["search"] is Severity.HIGH  # same kind of sink behind a JWT authorizer
    assert sev["purge"] is Severity.MEDIUM  # S3 object key (internal trigger)
    assert sev["bulk"] is Severity.MEDIUM  # SQS message body
    conf = {f.function: f.confidence for f in result.findings}
    assert conf["getOrder"] == "high" and conf["purge"] == "low"


def test_same_code_two_routes(tmp_path: Path) -> None:
    yml = """\
    open:
      handler: app.handler
      events:
        - httpApi: GET /open
    closed:
      handler: app.handler
      events:
        - httpApi:
            method: GET
            path: /closed
            authorizer: {type: aws_iam}
    """
    code = "import os\n\ndef handler(event, context):\n    os.system('ls ' + event['queryStringParameters']['d'])\n"
    write_app(tmp_path, yml, {"app.py": code})
    result = run(tmp_path, select=("CODE002",))
    sev = {f.function: f.severity for f in result.findings}
    assert sev == {"open": Severity.CRITICAL, "closed": Severity.HIGH}
    assert all("reaches os.system" in f.message or "os.system" in f.message for f in result.findings)


def test_unknown_trigger_is_reported_with_low_confidence(tmp_path: Path) -> None:
    code = "import os\n\ndef handler(event, context):\n    os.system(event['cmd'])\n"
    write_app(tmp_path, "f:\n  handler: app.handler\n", {"app.py": code})
    (finding,) = run(tmp_path, select=("CODE002",)).findings
    assert finding.severity is Severity.MEDIUM
    assert finding.confidence == "low"
