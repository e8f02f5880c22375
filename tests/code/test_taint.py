"""Propagation steps and sanitisers, one small handler each (HTTP trigger: the body etc. are sources)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.code.helpers import flows, run, write_app

HEADER = """\
import base64, json, os, shlex, sqlite3, subprocess, html
from dataclasses import dataclass
db = sqlite3.connect(":memory:")
ALLOWED = {"a", "b"}
"""

PROPAGATES = {
    "assignment": "q = event['body']\n    x = q\n    db.execute(x)",
    "subscript_after_json_loads": "data = json.loads(event['body'])\n    db.execute(data['name'])",
    "base64_then_json": "data = json.loads(base64.b64decode(event['body']))\n    db.execute(data['q'])",
    "get_chain": "q = (event.get('queryStringParameters') or {}).get('q')\n    db.execute(q)",
    "concatenation": "db.execute('SELECT ' + event['body'])",
    "percent_format": "db.execute('SELECT %s' % event['body'])",
    "str_format": "db.execute('SELECT {}'.format(event['body']))",
    "fstring": "db.execute(f\"SELECT {event['body']}\")",
    "join": "db.execute(' '.join(['SELECT', event['body']]))",
    "augmented": "q = 'SELECT '\n    q += event['body']\n    db.execute(q)",
    "destructuring": "a, b = event['body'].split(',')\n    db.execute(b)",
    "tuple_unpack": "a, b = 1, event['body']\n    db.execute(b)",
    "dict_container": "d = {'q': event['body']}\n    db.execute(d['q'])",
    "list_container": "xs = [event['body']]\n    db.execute(xs[0])",
    "comprehension": "xs = [v.strip() for v in event['multiValueQueryStringParameters']['id']]\n    db.execute(xs[0])",
    "for_loop": "for v in event['multiValueQueryStringParameters']['id']:\n        db.execute(v)",
    "string_method": "db.execute(event['body'].strip().lower())",
    "helper_return": "db.execute(build(event['body']))",
    "helper_sink": "run_it(event['body'])",
    "lambda": "f = lambda s: 'SELECT ' + s\n    db.execute(f(event['body']))",
    "ternary": "q = event['body'] if event else 'x'\n    db.execute(q)",
    "walrus": "if (q := event['body']):\n        db.execute(q)",
    "class_attribute": "o = Holder(event['body'])\n    db.execute(o.value)",
    "headers": "db.execute(event['headers']['x-user'])",
    "whole_event_dumped": "db.execute(json.dumps(event))",
}

BLOCKED = {
    "int_cast": "db.execute('SELECT %d' % int(event['body']))",
    "float_cast": "db.execute(f\"SELECT {float(event['body'])}\")",
    "parameterised": "db.execute('SELECT ?', (event['body'],))",
    "constant": "db.execute('SELECT 1')",
    "claims": "db.execute(event['requestContext']['authorizer']['jwt']['claims']['sub'])",
    "allowlist_guard": "q = event['body']\n    if q not in ALLOWED:\n        return\n    db.execute(q)",
    "allowlist_branch": "q = event['body']\n    if q in ALLOWED:\n        db.execute(q)",
    "isdigit_guard": "q = event['body']\n    if not q.isdigit():\n        raise ValueError(q)\n    db.execute(q)",
    "overwritten": "q = event['body']\n    q = 'SELECT 1'\n    db.execute(q)",
    "other_field_of_dict": "d = {'q': event['body'], 'k': 'x'}\n    db.execute(d['k'])",
    "record_id_not_body": "for r in event['Records']:\n        db.execute(r['messageId'])",
    "len": "db.execute('SELECT %d' % len(event['body']))",
}

HELPERS = """
def build(s):
    return "SELECT * FROM t WHERE n = '" + s + "'"


def run_it(s):
    db.execute(s)


class Holder:
    def __init__(self, value):
        self.value = value
"""


def _app(tmp_path: Path, body: str) -> Path:
    code = HEADER + "\n\ndef handler(event, context):\n    " + body + "\n" + HELPERS
    return write_app(tmp_path, "h:\n  handler: app.handler\n  events:\n    - httpApi: POST /x\n", {"app.py": code})


@pytest.mark.parametrize("name", sorted(PROPAGATES))
def test_propagates(tmp_path: Path, name: str) -> None:
    result = run(_app(tmp_path, PROPAGATES[name]))
    assert [k for k, _ in flows(result, "h")] == ["sql"], name


@pytest.mark.parametrize("name", sorted(BLOCKED))
def test_sanitised_or_not_a_source(tmp_path: Path, name: str) -> None:
    result = run(_app(tmp_path, BLOCKED[name]))
    assert flows(result, "h") == [], name


def test_async_handler_and_await(tmp_path: Path) -> None:
    code = HEADER + textwrap.dedent(
        """
        async def fetch(q):
            return q

        async def handler(event, context):
            q = await fetch(event["body"])
            db.execute(q)
        """
    )
    write_app(tmp_path, "h:\n  handler: app.handler\n  events:\n    - httpApi: POST /x\n", {"app.py": code})
    assert flows(run(tmp_path), "h") == [("sql", 11)]


def test_trace_runs_from_source_to_sink(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """\
        import sqlite3
        from lib.q import find


        def handler(event, context):
            name = event["queryStringParameters"]["name"]
            return find(name)
        """
    )
    lib = textwrap.dedent(
        """\
        import sqlite3


        def find(n):
            sql = "SELECT * FROM t WHERE n = '%s'" % n
            return sqlite3.connect("x").execute(sql)
        """
    )
    write_app(
        tmp_path,
        "h:\n  handler: app.handler\n  events:\n    - httpApi: GET /x\n",
        {"app.py": code, "lib/__init__.py": "", "lib/q.py": lib},
    )
    result = run(tmp_path)
    (finding,) = result.findings
    assert finding.rule_id == "CODE001"
    assert [(s.loc.path, s.loc.line) for s in finding.trace] == [
        ("app.py", 6),
        ("app.py", 7),
        ("lib/q.py", 5),
        ("lib/q.py", 6),
    ]
    assert finding.evidence.startswith("app.py:6 name = event")
    assert " → lib/q.py:6 reaches " in finding.evidence
    fl = result.functions[0].code_facts.flows[0]
    assert fl.source.path == "event.queryStringParameters.name"
    assert fl.source.loc.line == 6


def test_never_follows_imports_outside_the_code_root(tmp_path: Path) -> None:
    # a module with the same name in site-packages must not be read
    code = "import sqlite3\nfrom helper import go\n\ndef handler(event, context):\n    go(event['body'])\n"
    evil = "import sqlite3\n\ndef go(s):\n    sqlite3.connect('x').execute(s)\n"
    write_app(
        tmp_path,
        "h:\n  handler: app.handler\n  events:\n    - httpApi: GET /x\n",
        {"app.py": code, ".venv/lib/python3.12/site-packages/helper.py": evil},
    )
    result = run(tmp_path)
    assert flows(result, "h") == []
    assert result.functions[0].code_facts.files == ("app.py",)
    assert "helper" in result.functions[0].code_facts.imports


SCHEMA_CODE = """\
import json
import sqlite3

from jsonschema import validate
from pydantic import BaseModel

db = sqlite3.connect(":memory:")
SCHEMA = {
    "type": "object",
    "properties": {"qty": {"type": "integer"}, "status": {"enum": ["new", "paid"]}, "note": {"type": "string"}},
}


class Order(BaseModel):
    qty: int
    ref: Optional[UUID]
    note: str


def checked(event, context):
    body = json.loads(event["body"])
    validate(instance=body, schema=SCHEMA)
    db.execute(f"SELECT {body['qty']}, '{body['status']}'")
    db.execute(f"SELECT '{body['note']}'")


def modelled(event, context):
    order = Order.model_validate_json(event["body"])
    db.execute(f"SELECT {order.qty}, '{order.ref}'")
    db.execute(f"SELECT '{order.note}'")
"""


def test_schema_validation_constrains_typed_fields_only(tmp_path: Path) -> None:
    yml = "a:\n  handler: app.checked\n  events:\n    - httpApi: POST /a\nb:\n  handler: app.modelled\n  events:\n    - httpApi: POST /b\n"
    write_app(tmp_path, yml, {"app.py": SCHEMA_CODE})
    result = run(tmp_path)
    assert flows(result, "a") == [("sql", 24)]  # the free-text `note` only
    assert flows(result, "b") == [("sql", 30)]


def test_handler_assigned_from_a_wrapper(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """\
        import os
        from somewhere import with_metrics


        def _real(evt, ctx):
            os.system(evt["body"])


        handler = with_metrics(_real)
        """
    )
    write_app(tmp_path, "h:\n  handler: app.handler\n  events:\n    - httpApi: POST /x\n", {"app.py": code})
    assert flows(run(tmp_path), "h") == [("command", 6)]


def test_missing_handler_symbol_still_lists_sdk_calls(tmp_path: Path) -> None:
    code = "import boto3\n\nboto3.client('s3').list_buckets()\n"
    write_app(tmp_path, "h:\n  handler: app.nothere\n", {"app.py": code})
    f = run(tmp_path).functions[0]
    assert f.code_facts is not None and f.code_facts.handler_found is False
    assert [(c.service, c.operation) for c in f.sdk_calls] == [("s3", "ListBuckets")]
