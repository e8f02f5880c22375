"""Code engine benchmark: speed on a synthetic 1,000-handler Python app, and precision/recall against Bandit.

Figures, not assertions (nothing here runs in the test suite).

    python bench/code_engine.py                 # both parts
    python bench/code_engine.py --handlers 2000 --repeat 5
    python bench/code_engine.py --no-bandit     # speed only
    python bench/code_engine.py --language node # the same on Node handlers (no Bandit: Python only)

Speed: generates `bench/out/code-<N>/` (serverless.yml + N handler modules importing a shared
package, with SQL/command/SSRF/NoSQL sinks, sanitised variants, boto3 calls) and times, in a fresh
subprocess each run, `fnaudit scan APP --select CODE --format json` (wall time, median of
`--repeat`), and reports the engine's own stage time (`stats.stages.code`).

Accuracy: on the CODE rule fixtures (`tests/rules/fixtures/CODE*/{bad,good}`), the ground truth
is the `# expect:` annotations of the Python files. A tool's result is a true positive when it
points at an annotated line of the same file. fnaudit runs with `--select CODE`; Bandit (installed
by this script into `bench/.venv-bandit`, its own venv) runs with `-r DIR -f json`. Bandit is
counted twice: all its results, and only those with severity MEDIUM or HIGH.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
FIXTURES = REPO / "tests" / "rules" / "fixtures"
FNAUDIT = [sys.executable, "-m", "fnaudit"]  # the interpreter running the bench, with fnaudit installed
BANDIT_VENV = BENCH / ".venv-bandit"

_TEMPLATES = [
    # 0: SQL injection through a helper in the shared package
    """from shop.db import find_by_name


def handler(event, context):
    name = event["queryStringParameters"]["name"]
    return {{"statusCode": 200, "body": str(find_by_name(name))}}
""",
    # 1: parameterised (safe)
    """from shop.db import cursor


def handler(event, context):
    cur = cursor()
    cur.execute("SELECT * FROM t{i} WHERE id = %s", (event["pathParameters"]["id"],))
    return {{"statusCode": 200}}
""",
    # 2: command injection
    """import subprocess


def handler(event, context):
    day = (event.get("queryStringParameters") or {{}}).get("day", "today")
    out = subprocess.run(f"grep {{day}} /tmp/f{i}.csv", shell=True, capture_output=True, text=True)
    return {{"statusCode": 200, "body": out.stdout}}
""",
    # 3: DynamoDB with boto3 resource + NoSQL injection
    """import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    order_id = event["pathParameters"]["id"]
    TABLE.put_item(Item={{"id": order_id}})
    return TABLE.scan(FilterExpression=f"id = {{order_id}}")["Items"]
""",
    # 4: S3 worker, int() sanitiser, SSRF with fixed host
    """import json

import boto3
import requests

s3 = boto3.client("s3")


def handler(event, context):
    for record in event["Records"]:
        key = record["s3"]["object"]["key"]
        body = s3.get_object(Bucket="bucket-{i}", Key=key)["Body"].read()
        n = int(json.loads(body)["n"])
        requests.get(f"https://api.example.com/items/{{n}}", timeout=5)
""",
]

_SHARED_DB = """import psycopg2


def cursor():
    return psycopg2.connect("dbname=shop").cursor()


def find_by_name(name):
    return run(build(name))


def build(name):
    return "SELECT * FROM customers WHERE name = '%s'" % name


def run(query):
    cur = cursor()
    cur.execute(query)
    return cur.fetchall()
"""


_NODE_TEMPLATES = [
    # 0: SQL injection two calls and one import away (shared lib)
    """const {{ findByName }} = require("../lib/db");

exports.handler = async (event) => {{
  const name = event.queryStringParameters.name;
  return {{ statusCode: 200, body: JSON.stringify(await findByName(name)) }};
}};
""",
    # 1: parameterised (safe), ES module
    """import {{ pool }} from "../lib/db.js";

export const handler = async (event) => {{
  const [rows] = await pool.query("SELECT * FROM t{i} WHERE id = ?", [event.pathParameters.id]);
  return {{ statusCode: 200, body: JSON.stringify(rows) }};
}};
""",
    # 2: command injection
    """const {{ execSync }} = require("child_process");

exports.handler = async (event) => {{
  const day = (event.queryStringParameters || {{}}).day || "today";
  const out = execSync(`grep ${{day}} /tmp/f{i}.csv`).toString();
  return {{ statusCode: 200, body: out }};
}};
""",
    # 3: DynamoDB v3 document client + NoSQL injection
    """const {{ DynamoDBClient }} = require("@aws-sdk/client-dynamodb");
const {{ DynamoDBDocumentClient, PutCommand, ScanCommand }} = require("@aws-sdk/lib-dynamodb");

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({{}}));

exports.handler = async (event) => {{
  const {{ id }} = event.pathParameters;
  await doc.send(new PutCommand({{ TableName: process.env.TABLE, Item: {{ id }} }}));
  const out = await doc.send(new ScanCommand({{ TableName: process.env.TABLE, FilterExpression: `id = ${{id}}` }}));
  return out.Items;
}};
""",
    # 4: S3 worker (SDK v2), Number() sanitiser, SSRF with a fixed host
    """const AWS = require("aws-sdk");
const axios = require("axios");

const s3 = new AWS.S3();

exports.handler = async (event) => {{
  for (const record of event.Records) {{
    const key = record.s3.object.key;
    const obj = await s3.getObject({{ Bucket: "bucket-{i}", Key: key }}).promise();
    const n = Number(JSON.parse(obj.Body.toString()).n);
    await axios.get(`https://api.example.com/items/${{n}}`);
  }}
}};
""",
]

_SHARED_DB_JS = """const mysql = require("mysql2/promise");

const pool = mysql.createPool({ host: "db" });

function build(name) {
  return "SELECT * FROM customers WHERE name = '" + name + "'";
}

async function run(sql) {
  const [rows] = await pool.query(sql);
  return rows;
}

async function findByName(name) {
  return run(build(name));
}

module.exports = { pool, findByName };
"""


def generate_node(out: Path, n: int) -> Path:
    handlers = out / "handlers"
    (out / "lib").mkdir(parents=True, exist_ok=True)
    handlers.mkdir(parents=True, exist_ok=True)
    (out / "lib" / "db.js").write_text(_SHARED_DB_JS, encoding="utf-8")
    for i in range(n):
        kind = i % len(_NODE_TEMPLATES)
        ext = ".mjs" if kind == 1 else ".js"
        (handlers / f"h{i:04d}{ext}").write_text(_NODE_TEMPLATES[kind].format(i=i), encoding="utf-8")
    _write_service(out, "code-bench-node", "nodejs22.x", n, len(_NODE_TEMPLATES))
    return out


def generate(out: Path, n: int) -> Path:
    handlers = out / "handlers"
    (out / "shop").mkdir(parents=True, exist_ok=True)
    handlers.mkdir(parents=True, exist_ok=True)
    (out / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (out / "shop" / "db.py").write_text(_SHARED_DB, encoding="utf-8")
    (handlers / "__init__.py").write_text("", encoding="utf-8")
    for i in range(n):
        kind = i % len(_TEMPLATES)
        (handlers / f"h{i:04d}.py").write_text(_TEMPLATES[kind].format(i=i), encoding="utf-8")
    _write_service(out, "code-bench", "python3.12", n, len(_TEMPLATES))
    return out


def _write_service(out: Path, service: str, runtime: str, n: int, kinds: int) -> None:
    """serverless.yml for n handlers `handlers/hNNNN.handler` cycling through `kinds` templates:
    template 4 (the S3 worker) gets an S3 trigger, the others a public HTTP route."""
    lines = [
        f"service: {service}",
        'frameworkVersion: "3"',
        "provider:",
        "  name: aws",
        f"  runtime: {runtime}",
        "  environment:",
        "    TABLE: orders",
        "functions:",
    ]
    for i in range(n):
        lines += [f"  f{i:04d}:", f"    handler: handlers/h{i:04d}.handler", "    events:"]
        if i % kinds == 4:
            lines.append(f"      - s3: {{bucket: in-{i}, event: 's3:ObjectCreated:*'}}")
        else:
            lines.append(f"      - httpApi: GET /r{i}")
    (out / "serverless.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def time_fnaudit(app: Path, repeat: int) -> dict[str, float]:
    walls: list[float] = []
    stages: list[float] = []
    findings = 0
    for _ in range(repeat + 1):  # first run is a warm-up (imports, botocore models on disk cache)
        started = time.perf_counter()
        proc = subprocess.run(
            [*FNAUDIT, "scan", str(app), "--select", "CODE", "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        doc = json.loads(proc.stdout)
        walls.append(wall)
        stages.append(doc["stats"].get("stages", {}).get("code", 0.0))
        findings = len(doc["findings"])
    return {
        "wall_median_s": round(statistics.median(walls[1:]), 3),
        "code_stage_median_s": round(statistics.median(stages[1:]), 3),
        "findings": findings,
    }


# --- accuracy --------------------------------------------------------------------------------------


_SUFFIXES = {"python": (".py",), "node": (".js", ".mjs", ".cjs", ".ts")}


def ground_truth(language: str = "python") -> set[tuple[str, int]]:
    from tests.rules.expectations import expectations

    truth: set[tuple[str, int]] = set()
    for rule_dir in sorted(FIXTURES.glob("CODE*")):
        for side in ("bad", "good"):
            folder = rule_dir / side
            for _name, path, line in expectations(folder):
                if path.endswith(_SUFFIXES[language]):
                    truth.add((f"{rule_dir.name}/{side}/{path}", line))
    return truth


def fnaudit_results(language: str = "python") -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    for rule_dir in sorted(FIXTURES.glob("CODE*")):
        for side in ("bad", "good"):
            folder = rule_dir / side
            proc = subprocess.run(
                [*FNAUDIT, "scan", str(folder), "--select", "CODE", "--format", "json"],
                capture_output=True,
                text=True,
                check=False,
            )
            for f in json.loads(proc.stdout)["findings"]:
                if f["location"]["path"].endswith(_SUFFIXES[language]):
                    out.add((f"{rule_dir.name}/{side}/{f['location']['path']}", f["location"]["line"]))
    return out


def ensure_bandit() -> Path:
    exe = BANDIT_VENV / "bin" / "bandit"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BANDIT_VENV)], check=True)
        subprocess.run([str(BANDIT_VENV / "bin" / "pip"), "install", "--quiet", "bandit"], check=True)
    return exe


def bandit_results(exe: Path) -> tuple[set[tuple[str, int]], set[tuple[str, int]], str]:
    all_hits: set[tuple[str, int]] = set()
    medium: set[tuple[str, int]] = set()
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    for rule_dir in sorted(FIXTURES.glob("CODE*")):
        for side in ("bad", "good"):
            folder = rule_dir / side
            proc = subprocess.run(
                [str(exe), "-q", "-r", str(folder), "-f", "json"], capture_output=True, text=True, check=False
            )
            for r in json.loads(proc.stdout or "{}").get("results", []):
                rel = Path(r["filename"]).resolve().relative_to(folder.resolve()).as_posix()
                key = (f"{rule_dir.name}/{side}/{rel}", r["line_number"])
                all_hits.add(key)
                if r["issue_severity"] in ("MEDIUM", "HIGH"):
                    medium.add(key)
    return all_hits, medium, version


def score(found: set[tuple[str, int]], truth: set[tuple[str, int]]) -> dict[str, float | int]:
    tp = len(found & truth)
    fp = len(found - truth)
    fn = len(truth - found)
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(tp / (tp + fp), 3) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--handlers", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-bandit", action="store_true")
    p.add_argument("--no-speed", action="store_true")
    p.add_argument("--language", choices=("python", "node"), default="python")
    args = p.parse_args(argv)
    if args.language == "node":
        return main_node(args)
    results: dict[str, object] = {}
    if not args.no_speed:
        app = generate(BENCH / "out" / f"code-{args.handlers}", args.handlers)
        speed = time_fnaudit(app, args.repeat)
        results["speed"] = {"handlers": args.handlers, "cpus": os.cpu_count(), **speed}
        print(
            f"fnaudit, {args.handlers} Python handlers: {speed['wall_median_s']} s wall (median of {args.repeat}), "
            f"code engine stage {speed['code_stage_median_s']} s, {speed['findings']} findings"
        )
    if not args.no_bandit:
        truth = ground_truth()
        ours = score(fnaudit_results(), truth)
        exe = ensure_bandit()
        b_all, b_med, version = bandit_results(exe)
        results["accuracy"] = {
            "annotated_lines": len(truth),
            "fnaudit": ours,
            "bandit_all": score(b_all, truth),
            "bandit_medium_plus": score(b_med, truth),
            "bandit_version": version,
        }
        print(f"\nCODE fixtures: {len(truth)} annotated sink lines in Python files")
        print(f"{'tool':<22}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}")
        for name, s in (
            ("fnaudit --select CODE", ours),
            ("bandit (all)", score(b_all, truth)),
            ("bandit (medium+)", score(b_med, truth)),
        ):
            print(f"{name:<22}{s['tp']:>5}{s['fp']:>5}{s['fn']:>5}{s['precision']:>11}{s['recall']:>8}")
        print(f"({version})")
    out = BENCH / "out" / "code_engine.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


def main_node(args: argparse.Namespace) -> int:
    """Speed on N Node handlers, and fnaudit's own precision/recall on the JS/TS fixture lines (Bandit is Python-only)."""
    results: dict[str, object] = {}
    if not args.no_speed:
        app = generate_node(BENCH / "out" / f"code-node-{args.handlers}", args.handlers)
        speed = time_fnaudit(app, args.repeat)
        results["speed"] = {"handlers": args.handlers, "cpus": os.cpu_count(), **speed}
        print(
            f"fnaudit, {args.handlers} Node handlers: {speed['wall_median_s']} s wall (median of {args.repeat}), "
            f"code engine stage {speed['code_stage_median_s']} s, {speed['findings']} findings"
        )
    if not args.no_bandit:
        truth = ground_truth("node")
        ours = score(fnaudit_results("node"), truth)
        results["accuracy"] = {"annotated_lines": len(truth), "fnaudit": ours}
        print(f"\nCODE fixtures: {len(truth)} annotated lines in JS/TS files")
        print(f"{'tool':<22}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}")
        print(
            f"{'fnaudit --select CODE':<22}{ours['tp']:>5}{ours['fp']:>5}{ours['fn']:>5}{ours['precision']:>11}{ours['recall']:>8}"
        )
    out = BENCH / "out" / "code_engine_node.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
