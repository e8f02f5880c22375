"""Attack-path reach text follows the actual grant (issue 22, "Impact text that matches the grant"): an invoke
grant is "invoke every function", not "write every function", and a grant limited by a Condition says so."""

from __future__ import annotations

import textwrap
from pathlib import Path

from fnaudit.config import Config
from fnaudit.pipeline import scan
from tests.conftest import SCAN_DATE

SERVERLESS = """\
service: reach
frameworkVersion: "3"
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements:
        - Effect: Allow
          Action: lambda:InvokeFunction
          Resource: "*"
        - Effect: Allow
          Action: s3:PutObject
          Resource: "*"
          Condition:
            StringEquals:
              aws:SourceVpce: vpce-1a2b3c
functions:
  run:
    handler: handler.handler
    url: true
"""

HANDLER = """\
import os


def handler(event, context):
    os.system("convert " + event["queryStringParameters"]["file"])
    return {"statusCode": 200}
"""


def test_the_reach_says_what_the_actions_do_and_under_which_condition(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(SERVERLESS, encoding="utf-8")
    (tmp_path / "handler.py").write_text(textwrap.dedent(HANDLER), encoding="utf-8")
    result = scan(tmp_path, Config(today=SCAN_DATE))
    (path,) = [f for f in result.findings if f.rule_id == "PATH001"]
    assert path.message.endswith(
        "→ the attacker can invoke every function; write every object in every bucket, "
        "only where aws:SourceVpce StringEquals vpce-1a2b3c"
    )
    assert "write every function" not in path.message
