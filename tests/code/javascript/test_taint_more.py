"""Sharper JavaScript taint (issue 14): partial application, callbacks and promise chains, decoded S3 keys,
and the content of S3 objects the attacker chose.

Each case is a small handler whose sink line carries `// sink`; the flow must be exactly (kind, source
path, file, line of that comment), or absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.code.helpers import fn, run
from tests.code.javascript.helpers import node_app

HEADER = """\
const mysql = require("mysql2/promise");
const fs = require("fs");
const zlib = require("zlib");
const xml2js = require("xml2js");
const async = require("async");
const qs = require("querystring");
const _ = require("lodash");
const readline = require("readline");
const db = mysql.createPool({});
function runQ(prefix, q) {
  return db.query(prefix + q); // sink
}
function fwd(...args) {
  return runQ(...args);
}
const findBound = runQ.bind(null, "SELECT ");
function parseBody(body, callback) {
  callback(null, JSON.parse(body));
}
function withBody(ev, fn) {
  return fn(JSON.parse(ev.body));
}
function eachItem(xs, fn) {
  xs.forEach((x) => fn(x));
}
const repo = {
  find(q) {
    return db.query("SELECT " + q); // sink
  },
};
class Store {
  constructor(table) { this.table = table; }
  load(id) { return db.query(`SELECT * FROM ${this.table} WHERE id = ${id}`); } // sink
}
"""

Flow = tuple[str, str, str, int]


def _flows(tmp_path: Path, body: str, files: dict[str, str] | None = None, **kw: str) -> list[Flow]:
    node_app(
        tmp_path, {"app.js": HEADER + f"exports.handler = async (event) => {{\n  {body}\n}};\n", **(files or {})}, **kw
    )
    f = fn(run(tmp_path), "h")
    assert f.code_facts is not None
    return [(x.sink.kind, x.source.path, x.sink.loc.path, x.sink.loc.line) for x in f.code_facts.flows]


def _line(tmp_path: Path, marker: str = "// sink", nth: int = 0, file: str = "app.js") -> int:
    lines = [i for i, t in enumerate((tmp_path / file).read_text().splitlines(), 1) if marker in t]
    return lines[nth]


RUNQ, REPO, STORE, HANDLER = 0, 1, 2, 3  # which `// sink` line of the app a flow ends on

PARTIAL = {
    "bind_null_then_call": ("const f = runQ.bind(null, 'SELECT ');\n  await f(event.body);", RUNQ),
    "bind_tainted_argument": ("const f = runQ.bind(null, event.body);\n  await f('x');", RUNQ),
    "bind_this_all_arguments": ("const f = runQ.bind(this, event.body, 'y');\n  await f();", RUNQ),
    "bound_call_at_once": ("await runQ.bind(null, 'x')(event.body);", RUNQ),
    "bind_of_a_bound_function": (
        "const f = runQ.bind(null);\n  const g = f.bind(null, event.body);\n  await g('x');",
        RUNQ,
    ),
    "bound_alias": ("const f = runQ.bind(null, 'x');\n  const g = f;\n  await g(event.body);", RUNQ),
    "then_bound_method": ("await Promise.resolve(1).then(repo.find.bind(repo, event.body));", REPO),
    "then_bound_method_gets_the_value": ("await Promise.resolve(event.body).then(repo.find.bind(repo));", REPO),
    "map_bound_function": ("event.body.split(',').map(runQ.bind(null, 'x'));", RUNQ),
    "bound_instance_method": (
        "const s = new Store('t');\n  const load = s.load.bind(s, event.body);\n  await load();",
        STORE,
    ),
    "function_call": ("await runQ.call(null, 'x', event.body);", RUNQ),
    "function_apply": ("await runQ.apply(null, ['x', event.body]);", RUNQ),
    "arrow_wrapper_rest": ("const w = (p, ...a) => runQ(p, ...a);\n  await w('x', event.body);", RUNQ),
    "module_wrapper_rest": ("await fwd('x', event.body);", RUNQ),
    "module_level_bind": ("await findBound(event.body);", RUNQ),
}


@pytest.mark.parametrize("name", sorted(PARTIAL))
def test_partial_application_keeps_taint(tmp_path: Path, name: str) -> None:
    body, sink = PARTIAL[name]
    assert _flows(tmp_path, body) == [("sql", "event.body", "app.js", _line(tmp_path, nth=sink))]


CALLBACKS = {
    "then_then": "await Promise.resolve(event.body).then((v) => v.trim()).then((v) => db.query(v)); // sink",
    "promise_in_variable": "const p = Promise.resolve(event.body);\n  p.then((v) => db.query(v)); // sink",
    "await_of_a_chain": (
        "const v = await Promise.resolve(event.body).then((x) => x.trim());\n  await db.query(v); // sink"
    ),
    "promise_all_destructured": (
        "const [a, b] = await Promise.all([Promise.resolve(event.body), Promise.resolve('x')]);\n"
        "  await db.query(a + b); // sink"
    ),
    "new_promise_resolve": (
        "const v = await new Promise((resolve) => resolve(event.body));\n  await db.query(v); // sink"
    ),
    "local_function_to_then": "const go = (v) => db.query(v); // sink\n  await Promise.resolve(event.body).then(go);",
    "declared_function_to_for_each": "function go(v) { db.query(v); } // sink\n  event.body.split(',').forEach(go);",
    "reduce": "const s = event.body.split(',').reduce((acc, v) => acc + v, '');\n  await db.query(s); // sink",
    "push_into_local_array": "const parts = [];\n  parts.push(event.body);\n  await db.query(parts.join(',')); // sink",
    "zlib_callback": (
        "zlib.gunzip(Buffer.from(event.body, 'base64'), (err, out) => {\n    db.query(out.toString()); // sink\n  });"
    ),
    "zlib_in_a_promise": (
        "const out = await new Promise((resolve, reject) =>\n"
        "    zlib.gunzip(event.body, (e, r) => (e ? reject(e) : resolve(r))));\n"
        "  await db.query(out.toString()); // sink"
    ),
    "xml2js_callback": "xml2js.parseString(event.body, (err, doc) => db.query(JSON.stringify(doc))); // sink",
    "async_each": "async.each(event.body.split(','), (item, done) => db.query(item)); // sink",
    "set_timeout_arguments": "setTimeout((v) => db.query(v), 10, event.body); // sink",
    "lodash_map": "_.map(event.body.split(','), (v) => db.query(v)); // sink",
    "function_literal_given_to_a_package_function": "withBody(event, (b) => db.query(JSON.stringify(b))); // sink",
    "package_function_calling_it_per_element": "eachItem(event.body.split(','), (x) => db.query(x)); // sink",
    "readline_lines": (
        "const rl = readline.createInterface({ input: openStream(event.body) });\n"
        "  rl.on('line', (line) => db.query(line)); // sink"
    ),
    "module_required_inside_the_handler": (
        "const z = require('zlib');\n  z.gunzip(event.body, (err, out) => db.query(out.toString())); // sink"
    ),
    "callback_of_a_package_function": "parseBody(event.body, (err, data) => db.query(JSON.stringify(data))); // sink",
    "stream_data_listener": (
        "const s = openStream(event.body);\n  s.on('data', (chunk) => db.query(chunk.toString())); // sink"
    ),
}


@pytest.mark.parametrize("name", sorted(CALLBACKS))
def test_callbacks_and_promise_chains_keep_taint(tmp_path: Path, name: str) -> None:
    flows = _flows(tmp_path, CALLBACKS[name])
    assert flows == [("sql", "event.body", "app.js", _line(tmp_path, nth=HANDLER))]


QUIET = {
    # the bound and the call's arguments are constants
    "bind_of_constants": "const f = runQ.bind(null, 'x');\n  await f('y');",
    # bound values are taken when bind runs: a later taint of the variable is not in them
    "bind_takes_values_when_bound": (
        "let v = 'x';\n  const f = runQ.bind(null, v, 'y');\n  v = event.body;\n  await f();"
    ),
    # the tainted argument lands beyond the bound function's parameters
    "argument_beyond_the_parameters": "const f = runQ.bind(null, 'x', 'y');\n  await f(event.body);",
    # only the constant element of the Promise.all reaches the sink
    "promise_all_other_element": (
        "const [a, b] = await Promise.all([Promise.resolve(event.body), Promise.resolve('x')]);\n  await db.query(b);"
    ),
    # the callback receives the file's content, not the path the caller chose
    "read_file_callback_gets_content": "fs.readFile(Number(event.body) + '.sql', (err, data) => db.query(data));",
    "set_timeout_constant_arguments": "setTimeout((v) => db.query(v), 10, 'x');",
    "callback_of_a_package_function_given_a_constant": "parseBody('{}', (err, data) => db.query(data.q));",
    "function_literal_given_to_a_package_function_on_a_constant": ("withBody({ body: '{}' }, (b) => db.query(b.q));"),
    # `.then(onValue, onError)`: the rejection handler gets the error, not the value
    "then_rejection_handler_gets_the_error": "await Promise.resolve(event.body).then(null, (e) => db.query(e));",
    "resolve_of_a_constant": "const v = await new Promise((resolve) => resolve('x'));\n  await db.query(v);",
    "push_into_another_array": (
        "const a = [];\n  const b = ['x'];\n  a.push(event.body);\n  await db.query(b.join(','));"
    ),
}


@pytest.mark.parametrize("name", sorted(QUIET))
def test_no_flow_where_the_semantics_give_none(tmp_path: Path, name: str) -> None:
    assert _flows(tmp_path, QUIET[name]) == []


def test_typescript_rest_parameter_forwarding(tmp_path: Path) -> None:
    code = (
        "import { Pool } from 'pg';\nconst pool = new Pool();\n"
        "const run = (sql: string, ...rest: unknown[]) => pool.query(sql, ...rest);\n"
        "const wrap = (...a: string[]) => run(...a);\n"
        "export const handler = async (event: { body: string }) => wrap(`SELECT ${event.body}`);\n"
    )
    node_app(tmp_path, {"app.ts": code})
    f = fn(run(tmp_path), "h")
    assert f.code_facts is not None
    assert [(x.sink.kind, x.source.path, x.sink.loc.path, x.sink.loc.line) for x in f.code_facts.flows] == [
        ("sql", "event.body", "app.ts", 3)
    ]


def test_the_trace_names_the_bound_call(tmp_path: Path) -> None:
    node_app(
        tmp_path,
        {
            "app.js": HEADER
            + "exports.handler = async (event) => {\n  const q = event.body;\n"
            + "  return Promise.resolve(1).then(repo.find.bind(repo, q));\n};\n"
        },
    )
    f = fn(run(tmp_path), "h")
    assert f.code_facts is not None
    (flow,) = f.code_facts.flows
    notes = [(s.loc.line, s.note) for s in flow.steps]
    call_line = _line(tmp_path, "repo.find.bind")
    assert notes[0] == (call_line - 1, "q = event.body")
    assert (call_line, "passed to repo.find()") in notes
    assert notes[-1] == (_line(tmp_path, nth=REPO), "reaches db.query()")


# -- S3 event keys and object content ---------------------------------------------------------------

S3_HEADER = """\
const { S3Client, GetObjectCommand } = require("@aws-sdk/client-s3");
const AWS = require("aws-sdk");
const cp = require("child_process");
const qs = require("querystring");
const s3 = new S3Client({});
const s3v2 = new AWS.S3();
const PRESETS = process.env.PRESETS;
function streamToString(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on("data", (chunk) => chunks.push(chunk));
    stream.on("error", reject);
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}
"""
S3_EVENT = "s3: {bucket: uploads, event: 's3:ObjectCreated:*'}"

S3_CONTENT = {
    "v3_event_bucket_transform_to_string": (
        "const rec = event.Records[0].s3;\n"
        "  const res = await s3.send(new GetObjectCommand({ Bucket: rec.bucket.name, Key: rec.object.key }));\n"
        "  cp.execSync(await res.Body.transformToString()); // sink",
        "",
    ),
    "v3_destructured_body_env_bucket": (
        "const { Body } = await s3.send(new GetObjectCommand({ Bucket: process.env.BUCKET, Key: 'k' }));\n"
        "  cp.execSync(await Body.transformToString()); // sink",
        "    BUCKET: uploads\n",
    ),
    "v3_stream_read_by_a_helper": (
        "const out = await s3.send(new GetObjectCommand({ Bucket: event.Records[0].s3.bucket.name, Key: 'k' }));\n"
        "  cp.execSync(await streamToString(out.Body)); // sink",
        "",
    ),
    "v2_promise": (
        "const params = { Bucket: event.Records[0].s3.bucket.name, Key: 'x' };\n"
        "  const obj = await s3v2.getObject(params).promise();\n"
        "  cp.execSync(obj.Body.toString('utf-8')); // sink",
        "",
    ),
    "v2_callback": (
        "s3v2.getObject({ Bucket: event.Records[0].s3.bucket.name, Key: 'x' }, (err, data) => {\n"
        "    cp.execSync(data.Body.toString()); // sink\n  });",
        "",
    ),
}


@pytest.mark.parametrize("name", sorted(S3_CONTENT))
def test_content_of_the_object_the_event_names_is_a_source(tmp_path: Path, name: str) -> None:
    body, env = S3_CONTENT[name]
    node_app(
        tmp_path,
        {"app.js": S3_HEADER + f"exports.handler = async (event) => {{\n  {body}\n}};\n"},
        event=S3_EVENT,
        environment=env,
    )
    f = fn(run(tmp_path), "h")
    assert f.code_facts is not None
    got = [(x.sink.kind, x.source.path, x.sink.loc.line, x.confidence, x.source.triggers) for x in f.code_facts.flows]
    assert got == [("command", "s3object.body", _line(tmp_path), "medium", ("s3",))]


def test_object_of_a_bucket_anyone_can_write_is_a_source(tmp_path: Path) -> None:
    functions = (
        "h:\n  handler: app.handler\n  runtime: nodejs22.x\n  environment:\n    TEMPLATES: !Ref Templates\n"
        "  events:\n    - httpApi: POST /render\n"
    )
    node_app(
        tmp_path,
        {
            "app.js": S3_HEADER + "exports.handler = async () => {\n"
            "  const page = await s3v2.getObject({ Bucket: process.env.TEMPLATES, Key: 'r.sh' }).promise();\n"
            "  return cp.execSync(page.Body.toString()); // sink\n};\n"
        },
        functions=functions,
    )
    yml = tmp_path / "serverless.yml"
    yml.write_text(
        yml.read_text()
        + "resources:\n  Resources:\n    Templates:\n      Type: AWS::S3::Bucket\n"
        + "    TemplatesPolicy:\n      Type: AWS::S3::BucketPolicy\n      Properties:\n"
        + "        Bucket: !Ref Templates\n        PolicyDocument:\n          Statement:\n"
        + '            - Effect: Allow\n              Principal: "*"\n              Action: s3:PutObject\n'
        + '              Resource: !Sub "${Templates.Arn}/*"\n'
    )
    f = fn(run(tmp_path), "h")
    assert f.code_facts is not None
    assert [(x.sink.kind, x.source.path, x.sink.loc.line, x.confidence) for x in f.code_facts.flows] == [
        ("command", "s3object.body", _line(tmp_path), "medium")
    ]
    (flow,) = f.code_facts.flows
    assert "writable by anyone" in flow.steps[0].note


S3_QUIET = {
    # the app's own bucket, not the one that triggers the function: its content is the owner's
    "other_bucket_by_env": (
        "const key = event.Records[0].s3.object.key;\n"
        "  const { Body } = await s3.send(new GetObjectCommand({ Bucket: PRESETS, Key: key }));\n"
        "  cp.execSync(await Body.transformToString());",
        "    PRESETS: presets\n",
    ),
    "literal_other_bucket": (
        "const obj = await s3v2.getObject({ Bucket: 'presets', Key: 'default' }).promise();\n"
        "  cp.execSync(obj.Body.toString());",
        "",
    ),
}


@pytest.mark.parametrize("name", sorted(S3_QUIET))
def test_content_of_the_owners_objects_is_not_a_source(tmp_path: Path, name: str) -> None:
    body, env = S3_QUIET[name]
    node_app(
        tmp_path,
        {"app.js": S3_HEADER + f"exports.handler = async (event) => {{\n  {body}\n}};\n"},
        event=S3_EVENT,
        environment=env,
    )
    f = fn(run(tmp_path), "h")
    assert f.code_facts is not None
    assert f.code_facts.flows == ()


@pytest.mark.parametrize(
    "decode",
    [
        "decodeURIComponent(event.Records[0].s3.object.key.replace(/\\+/g, ' '))",
        "decodeURI(event.Records[0].s3.object.key)",
        "qs.unescape(event.Records[0].s3.object.key)",
    ],
)
def test_decoded_s3_keys_stay_tainted(tmp_path: Path, decode: str) -> None:
    node_app(
        tmp_path,
        {
            "app.js": S3_HEADER + f"exports.handler = async (event) => {{\n  const key = {decode};\n"
            "  cp.execSync('convert ' + key); // sink\n};\n"
        },
        event=S3_EVENT,
    )
    f = fn(run(tmp_path), "h")
    assert f.code_facts is not None
    assert [(x.sink.kind, x.source.path, x.sink.loc.line) for x in f.code_facts.flows] == [
        ("command", "event.Records[].s3.object.key", _line(tmp_path))
    ]
