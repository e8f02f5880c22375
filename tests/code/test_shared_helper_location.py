"""A flow whose sink sits in a helper several functions share is reported at the call in the function's own
code (where the fix usually goes); the sink stays the trace's last step and a SARIF related location."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

from fnaudit.pipeline import ScanResult
from fnaudit.report import sarif
from tests.code.helpers import run, write_app

FUNCTIONS = """\
orders:
  handler: orders.handler
  events:
    - httpApi: GET /orders
users:
  handler: users.handler
  events:
    - httpApi: GET /users
"""

DB = """\
import sqlite3

CONN = sqlite3.connect("/tmp/app.db")


def find(table, where):
    return CONN.execute("SELECT * FROM " + table + " WHERE " + where).fetchall()
"""


def _app(root: Path, users: str) -> Path:
    return write_app(
        root,
        FUNCTIONS,
        {
            "lib/__init__.py": "",
            "lib/db.py": DB,
            "orders.py": """\
                from lib import db


                def handler(event, context):
                    status = event["queryStringParameters"]["status"]
                    return db.find("orders", "status = '" + status + "'")
            """,
            "users.py": users,
        },
    )


def test_sink_in_a_shared_helper_is_reported_at_the_call_in_the_functions_own_code(tmp_path: Path) -> None:
    users = """\
        from lib import db


        def handler(event, context):
            return db.find("users", "active = 1")
    """
    result = run(_app(tmp_path, textwrap.dedent(users)))
    (hit,) = [f for f in result.findings if f.rule_id == "CODE001"]
    assert (hit.location.path, hit.location.line, hit.severity.value) == ("orders.py", 6, "critical")
    assert "reaches CONN.execute in lib/db.py:7 (a helper other functions share too), called at line 6" in hit.message
    assert (hit.trace[-1].loc.path, hit.trace[-1].loc.line) == ("lib/db.py", 7)
    (res,) = [r for r in json.loads(sarif_text(result))["runs"][0]["results"] if r["ruleId"] == "CODE001"]
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    related = res["relatedLocations"][0]["physicalLocation"]
    assert (related["artifactLocation"]["uri"], related["region"]["startLine"]) == ("lib/db.py", 7)


def test_a_helper_only_one_function_uses_keeps_the_sink_as_the_location(tmp_path: Path) -> None:
    users = """\
        def handler(event, context):
            return {"users": []}
    """
    result = run(_app(tmp_path, textwrap.dedent(users)))
    (hit,) = [f for f in result.findings if f.rule_id == "CODE001"]
    assert (hit.location.path, hit.location.line) == ("lib/db.py", 7)
    assert "reaches CONN.execute at line 7: SQL injection" in hit.message


def sarif_text(result: ScanResult) -> str:
    out = io.StringIO()
    sarif.render(result, out)
    return out.getvalue()
