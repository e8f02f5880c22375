"""Propagation steps and sanitisers, one small Node handler each (HTTP trigger: body etc. are sources)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.code.helpers import flows, run
from tests.code.javascript.helpers import node_app

HEADER = """\
const mysql = require("mysql2/promise");
const path = require("path");
const { z } = require("zod");
const Joi = require("joi");
const db = mysql.createPool({});
const ALLOWED = ["a", "b"];
const ALLOWED_SET = new Set(["a", "b"]);
const Schema = z.object({ id: z.number(), kind: z.enum(["a", "b"]), name: z.string() });
const JoiSchema = Joi.object({ id: Joi.number().integer(), name: Joi.string() });
function build(s) { return "SELECT " + s; }
function runIt(s) { return db.query(s); }
class Holder { constructor(v) { this.value = v; } get() { return this.value; } }
"""

PROPAGATES = {
    "assignment": "const q = event.body;\n  const x = q;\n  db.query(x);",
    "subscript": "db.query(event['queryStringParameters']['q']);",
    "after_json_parse": "const data = JSON.parse(event.body);\n  db.query(data.name);",
    "base64_then_json": "const data = JSON.parse(Buffer.from(event.body, 'base64').toString('utf8'));\n  db.query(data.q);",
    "destructuring": "const { body } = event;\n  db.query(body);",
    "nested_destructuring": "const { id } = event.pathParameters;\n  db.query(id);",
    "destructured_param_rename": "const { queryStringParameters: { q: term } } = event;\n  db.query(term);",
    "concatenation": "db.query('SELECT ' + event.body);",
    "template_literal": "db.query(`SELECT ${event.body}`);",
    "join": "db.query(['SELECT', event.body].join(' '));",
    "concat_method": "db.query('SELECT '.concat(event.body));",
    "augmented": "let q = 'SELECT ';\n  q += event.body;\n  db.query(q);",
    "object_container": "const d = { q: event.body };\n  db.query(d.q);",
    "array_container": "const xs = [event.body];\n  db.query(xs[0]);",
    "spread": "const d = { ...JSON.parse(event.body) };\n  db.query(d.q);",
    "for_of": "for (const v of event.multiValueQueryStringParameters.id) {\n    db.query(v);\n  }",
    "map_callback": "event.multiValueQueryStringParameters.id.map((v) => v.trim()).forEach((v) => db.query(v));",
    "string_methods": "db.query(event.body.trim().toLowerCase().slice(1));",
    "helper_return": "db.query(build(event.body));",
    "helper_sink": "runIt(event.body);",
    "local_arrow_closure": "const q = event.body;\n  const go = () => db.query(q);\n  go();",
    "ternary": "const q = event ? event.body : 'x';\n  db.query(q);",
    "logical_default": "const q = event.queryStringParameters?.q ?? 'x';\n  db.query(q);",
    "await_promise": "const q = await Promise.resolve(event.body);\n  db.query(q);",
    "then_callback": "await Promise.resolve(event.body).then((q) => db.query(q));",
    "class_field": "const h = new Holder(event.body);\n  db.query(h.value);",
    "class_method": "const h = new Holder(event.body);\n  db.query(h.get());",
    "headers": "db.query(event.headers['x-user']);",
    "whole_event_stringified": "db.query(JSON.stringify(event));",
    "zod_free_text_field": "const o = Schema.parse(JSON.parse(event.body));\n  db.query(o.name);",
}

BLOCKED = {
    "number_cast": "db.query('SELECT ' + Number(event.body));",
    "parse_int": "db.query(`SELECT ${parseInt(event.body, 10)}`);",
    "unary_plus": "db.query('SELECT ' + (+event.body));",
    "parameterised": "db.query('SELECT ?', [event.body]);",
    "parameterised_object": "db.query({ sql: 'SELECT ?', values: [event.body] });",
    "constant": "db.query('SELECT 1');",
    "claims": "db.query(event.requestContext.authorizer.jwt.claims.sub);",
    "lambda_authorizer_context": "db.query(event.requestContext.authorizer.lambda.tenant);",
    "allowlist_guard": "const q = event.body;\n  if (!ALLOWED.includes(q)) {\n    return;\n  }\n  db.query(q);",
    "allowlist_branch": "const q = event.body;\n  if (ALLOWED_SET.has(q)) {\n    db.query(q);\n  }",
    "equality_guard": "const q = event.body;\n  if (q !== 'a') throw new Error('no');\n  db.query(q);",
    "regex_guard": "const q = event.body;\n  if (!/^[0-9]+$/.test(q)) return;\n  db.query(q);",
    "overwritten": "let q = event.body;\n  q = 'SELECT 1';\n  db.query(q);",
    "other_field": "const d = { q: event.body, k: 'x' };\n  db.query(d.k);",
    "record_id_not_body": "for (const r of event.Records) {\n    db.query(r.messageId);\n  }",
    "length": "db.query('SELECT ' + event.body.length);",
    "escape": "db.query('SELECT ' + db.escape(event.body));",
    "zod_number": "const o = Schema.parse(JSON.parse(event.body));\n  db.query(`SELECT ${o.id} ${o.kind}`);",
    "zod_destructured": "const { id } = Schema.parse(JSON.parse(event.body));\n  db.query('SELECT ' + id);",
    "joi_validate": "const { value } = JoiSchema.validate(JSON.parse(event.body));\n  db.query('SELECT ' + value.id);",
    "tagged_template": "db.query(sql`SELECT ${event.body}`);",
}


def _app(tmp_path: Path, body: str) -> Path:
    code = HEADER + f"exports.handler = async (event, context) => {{\n  {body}\n}};\n"
    return node_app(tmp_path, {"app.js": code})


@pytest.mark.parametrize("name", sorted(PROPAGATES))
def test_propagates(tmp_path: Path, name: str) -> None:
    result = run(_app(tmp_path, PROPAGATES[name]))
    assert [k for k, _ in flows(result, "h")] and all(k == "sql" for k, _ in flows(result, "h")), name


@pytest.mark.parametrize("name", sorted(BLOCKED))
def test_blocked(tmp_path: Path, name: str) -> None:
    result = run(_app(tmp_path, BLOCKED[name]))
    assert flows(result, "h") == [], name


def test_trace_runs_from_source_to_sink_across_modules(tmp_path: Path) -> None:
    node_app(
        tmp_path,
        {
            "app.js": "const svc = require('./svc');\nexports.handler = async (event) => {\n  const id = event.pathParameters.id;\n  return svc.find(id);\n};\n",
            "svc.js": "const repo = require('./repo');\nexports.find = (id) => repo.load('SELECT * FROM t WHERE id = ' + id);\n",
            "repo.js": "const { Client } = require('pg');\nconst c = new Client();\nexports.load = async (sql) => c.query(sql);\n",
        },
    )
    f = next(x for x in run(tmp_path).functions if x.name == "h")
    (flow,) = f.code_facts.flows
    assert flow.source.path == "event.pathParameters.id"
    assert (flow.sink.loc.path, flow.sink.loc.line) == ("repo.js", 3)
    paths = [s.loc.path for s in flow.steps]
    assert paths[0] == "app.js" and paths[-1] == "repo.js" and "svc.js" in paths


def test_source_named_after_the_handler_parameter(tmp_path: Path) -> None:
    node_app(
        tmp_path,
        {
            "app.js": "const db = require('mysql').createConnection({});\nexports.handler = (req) => db.query('x' + req.body);\n"
        },
    )
    f = next(x for x in run(tmp_path).functions if x.name == "h")
    assert f.code_facts.flows[0].source.path == "req.body"


def test_internal_trigger_keys(tmp_path: Path) -> None:
    code = "const fs = require('fs');\nexports.handler = async (event) => {\n  for (const r of event.Records) {\n    fs.readFileSync('/d/' + r.s3.object.key);\n    fs.readFileSync('/d/' + r.s3.bucket.name);\n  }\n};\n"
    node_app(tmp_path, {"app.js": code}, event="s3: {bucket: b, event: 's3:ObjectCreated:*'}")
    assert flows(run(tmp_path), "h") == [("path", 4)]


def test_typescript_casts_and_annotations(tmp_path: Path) -> None:
    code = (
        "import { Pool } from 'pg';\nconst pool = new Pool();\n"
        "export const handler = async (event: { body: string }): Promise<void> => {\n"
        "  const q = (event.body as string)!;\n  await pool.query(<string>`SELECT ${q}` satisfies string);\n};\n"
    )
    node_app(tmp_path, {"app.ts": code})
    assert flows(run(tmp_path), "h") == [("sql", 5)]
