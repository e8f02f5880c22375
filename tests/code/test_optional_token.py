"""CODE018: a token checked only when present, written as one condition (found by bench/frameworks.py --weaknesses)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.code.helpers import run, write_app

PY = """\
def verify_token(token):
    return token == "x"


def handler(event, context):
    token = event["headers"].get("authorization")
    if {test}:
        return {{"statusCode": 401}}
    return {{"statusCode": 200, "body": "admin data"}}
"""

JS = """\
const verifyToken = (t) => t === 'x';

exports.handler = async (event) => {{
  const token = event.headers.authorization;
  if ({test}) {{
    return {{ statusCode: 401 }};
  }}
  return {{ statusCode: 200, body: 'admin data' }};
}};
"""


def _lines(tmp_path: Path, name: str, code: str, runtime: str) -> list[int]:
    functions = (
        f"api:\n  handler: {name.split('.')[0]}.handler\n  runtime: {runtime}\n  events:\n    - httpApi: GET /admin\n"
    )
    write_app(tmp_path, functions, {name: code})
    return [f.location.line for f in run(tmp_path).findings if f.rule_id == "CODE018"]


@pytest.mark.parametrize(
    ("test", "lines"),
    [("token and not verify_token(token)", [7]), ("not token or not verify_token(token)", [])],
)
def test_python_presence_and_verification_in_one_condition(tmp_path: Path, test: str, lines: list[int]) -> None:
    assert _lines(tmp_path, "app.py", PY.format(test=test), "python3.12") == lines


@pytest.mark.parametrize(
    ("test", "lines"), [("token && !verifyToken(token)", [5]), ("!token || !verifyToken(token)", [])]
)
def test_javascript_presence_and_verification_in_one_condition(tmp_path: Path, test: str, lines: list[int]) -> None:
    assert _lines(tmp_path, "app.js", JS.format(test=test), "nodejs20.x") == lines
