"""The conformance scenarios, written once per language. Add a language by adding one `Language`.

Every scenario is the same program in each language, laid out so that the lines that matter (the
sink, the helper's sink, the log call) are on the same line numbers: the suite then asserts that
every language gives exactly the expected findings (rule, file, line), so any two languages agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Language:
    name: str
    runtime: str  # the function's runtime in serverless.yml
    file: str  # the handler file; its handler is `<stem>.handler`
    scenarios: Mapping[str, str]  # scenario name -> source of the handler file


# Scenario -> the findings every language must give: (rule, line in the handler file).
EXPECTED: dict[str, frozenset[tuple[str, int]]] = {
    # event data straight into a SQL query
    "direct_source_to_sink": frozenset({("CODE001", 5)}),
    # a numeric cast sanitises it: nothing to report
    "sanitiser_stops_it": frozenset(),
    # tainted on one branch, constant on the other: the join keeps the taint
    "branch_join_keeps_taint": frozenset({("CODE001", 9)}),
    # the sink is inside a helper; the helper's summary carries the event to it
    "helper_summary": frozenset({("CODE001", 4)}),
    # a secret-named environment variable logged (CODE014); a resource-naming one is not a secret
    "env_secret_logged": frozenset({("CODE014", 5)}),
    # the env var names the table the SDK call reads: no code finding, an SDK call on the IaC's table
    "env_var_names_resource": frozenset(),
}

# Scenario -> (service, operation, resource) SDK calls every language must report.
EXPECTED_SDK: dict[str, frozenset[tuple[str, str, str | None]]] = {
    "env_var_names_resource": frozenset({("dynamodb", "GetItem", "orders-table")}),
}

PYTHON = Language(
    "python",
    "python3.12",
    "app.py",
    {
        "direct_source_to_sink": """\
import sqlite3
db = sqlite3.connect(":memory:")
def handler(event, context):
    q = event["body"]
    return db.execute("SELECT * FROM t WHERE a = '" + q + "'")
""",
        "sanitiser_stops_it": """\
import sqlite3
db = sqlite3.connect(":memory:")
def handler(event, context):
    n = int(event["body"])
    return db.execute("SELECT * FROM t WHERE a = %d" % n)
""",
        "branch_join_keeps_taint": """\
import sqlite3
db = sqlite3.connect(":memory:")
def handler(event, context):
    if event.get("headers"):
        q = event["body"]
    else:
        q = "1"
    # both branches flow on
    return db.execute("SELECT * FROM t WHERE a = " + q)
""",
        "helper_summary": """\
import sqlite3
db = sqlite3.connect(":memory:")
def find(term):
    return db.execute("SELECT * FROM t WHERE a = '" + term + "'")
def handler(event, context):
    return find(event["body"])
""",
        "env_secret_logged": """\
import os
def handler(event, context):
    table = os.environ["TABLE_NAME"]
    key = os.environ["DB_PASSWORD"]
    print("starting", table, key)
    return {"statusCode": 200}
""",
        "env_var_names_resource": """\
import os
import boto3
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
def handler(event, context):
    return table.get_item(Key={"id": "1"})
""",
    },
)

JAVASCRIPT = Language(
    "javascript",
    "nodejs22.x",
    "app.js",
    {
        "direct_source_to_sink": """\
const mysql = require("mysql2/promise");
const db = mysql.createPool({});
exports.handler = async (event) => {
  const q = event.body;
  return db.query("SELECT * FROM t WHERE a = '" + q + "'");
};
""",
        "sanitiser_stops_it": """\
const mysql = require("mysql2/promise");
const db = mysql.createPool({});
exports.handler = async (event) => {
  const n = parseInt(event.body, 10);
  return db.query("SELECT * FROM t WHERE a = " + n);
};
""",
        "branch_join_keeps_taint": """\
const mysql = require("mysql2/promise");
const db = mysql.createPool({});
exports.handler = async (event) => {
  let q;
  if (event.headers) {
    q = event.body;
  } else {
    q = "1";
  } return db.query("SELECT * FROM t WHERE a = " + q);
};
""",
        "helper_summary": """\
const mysql = require("mysql2/promise");
const db = mysql.createPool({});
function find(term) {
  return db.query("SELECT * FROM t WHERE a = '" + term + "'");
}
exports.handler = async (event) => find(event.body);
""",
        "env_secret_logged": """\
exports.handler = async (event) => {
  const table = process.env.TABLE_NAME;
  const key = process.env.DB_PASSWORD;
  // both are read from the environment; only one is a secret
  console.log("starting", table, key);
  return { statusCode: 200 };
};
""",
        "env_var_names_resource": """\
const { DynamoDBClient, GetItemCommand } = require("@aws-sdk/client-dynamodb");
const client = new DynamoDBClient({});
exports.handler = async (event) => {
  const cmd = new GetItemCommand({ TableName: process.env.TABLE, Key: { id: { S: "1" } } });
  return client.send(cmd);
};
""",
    },
)

LANGUAGES = (PYTHON, JAVASCRIPT)
