"""Another function's response returned to the caller is a verbose error (it carries errorMessage and stackTrace
when that function fails), in JavaScript as in Python: SDK v3 `InvokeCommand` and v2 `lambda.invoke`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.code.helpers import run, write_app

FUNCTIONS = """\
api:
  handler: handler.handler
  runtime: nodejs20.x
  events:
    - httpApi: GET /report
"""

V3 = """\
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
const lambda = new LambdaClient({});

exports.handler = async (event) => {
  const res = await lambda.send(new InvokeCommand({ FunctionName: 'report-builder'{extra} }));
{check}  return { statusCode: 200, body: Buffer.from(res.Payload).toString() };
};
"""

V2 = """\
const AWS = require('aws-sdk');
const lambda = new AWS.Lambda();

exports.handler = async (event) => {
  const res = await lambda.invoke({ FunctionName: 'report-builder' }).promise();
  return { statusCode: 200, body: res.Payload };
};
"""


def _errors(tmp_path: Path, code: str) -> list[tuple[str, int]]:
    write_app(tmp_path, FUNCTIONS, {"handler.js": code})
    return [(f.location.path, f.location.line) for f in run(tmp_path).findings if f.rule_id == "CODE013"]


def test_v3_invoke_response_returned_is_a_verbose_error(tmp_path: Path) -> None:
    assert _errors(tmp_path, V3.replace("{extra}", "").replace("{check}", "")) == [("handler.js", 6)]


def test_v2_invoke_response_returned_is_a_verbose_error(tmp_path: Path) -> None:
    assert _errors(tmp_path, V2) == [("handler.js", 6)]


@pytest.mark.parametrize(
    ("extra", "check"),
    [
        (", InvocationType: 'Event'", ""),
        ("", "  if (res.FunctionError) { return { statusCode: 502, body: 'upstream failed' }; }\n"),
    ],
)
def test_asynchronous_or_checked_invocations_are_quiet(tmp_path: Path, extra: str, check: str) -> None:
    assert _errors(tmp_path, V3.replace("{extra}", extra).replace("{check}", check)) == []
