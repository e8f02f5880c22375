#!/usr/bin/env python3
"""Write a realistic synthetic serverless app, in one IaC dialect, for the benchmark.

    python bench/generate.py --dialect serverless|sam|cloudformation|terraform|cdk-ts|cdk-py --functions N --out DIR

The same seed and N give the same app in every dialect (same functions, events, environment,
roles, handler code), so the dialects and the tools can be compared on equal input. Output is
byte-for-byte deterministic: no clock, no hash randomisation, sorted where order is free.

What an app contains, per function: a Python or Node handler file with real code (SDK calls,
some injection sinks), one or two events (http, httpApi, sqs, s3, schedule), an environment with
plaintext secrets in some functions and secret-store references (`${ssm:…}` / `{{resolve:…}}`)
in others, a timeout (a few at the 900 s maximum), and a few deprecated runtimes. Functions share
one role with a few statements (some with wildcards); about one in ten has a role of its own.

Real projects of this size are split into several deployable units, and CloudFormation caps a
stack at 500 resources, so functions are grouped `STACK_SIZE` per service (serverless) or per
stack (SAM / CloudFormation) — one `serverless.yml` / `template.yaml` per group. Each dialect's
output is valid for its tool: serverless.yml for Serverless Framework v3/v4 core (no plugins),
SAM templates that `aws-sam-translator` transforms, and CloudFormation templates laid out as
`cdk synth` writes them (S3 code + `aws:asset:path` metadata pointing at the local asset folder),
Terraform root modules (one `main.tf` per stack, code zipped by `archive_file`, event sources as
their own resources, policies written with `jsonencode`), and CDK apps in TypeScript and Python (`cdk.json`, an
entry making one `Stack` class per stack, L2 constructs, grants and event sources as CDK apps write them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import string
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

Dialect = Literal["serverless", "sam", "cloudformation", "terraform", "cdk-ts", "cdk-py"]
DIALECTS: tuple[Dialect, ...] = ("serverless", "sam", "cloudformation", "terraform", "cdk-ts", "cdk-py")
STACK_SIZE = 50  # functions per service / stack: keeps every stack well under CloudFormation's 500 resources
DEFAULT_SEED = 20261129

# Current runtimes most functions use, and deprecated ones a few still run on.
# (Deprecated ones are still creatable as of late 2026, so the templates deploy; rules should flag them.)
PY_RUNTIMES = ("python3.12", "python3.13", "python3.12")  # a name listed twice is drawn twice as often
NODE_RUNTIMES = ("nodejs22.x", "nodejs22.x", "nodejs24.x")
DEPRECATED_RUNTIMES = {"python": ("python3.8", "python3.9"), "node": ("nodejs16.x", "nodejs18.x")}

EventKind = Literal["http", "httpApi", "sqs", "s3", "schedule"]
EVENT_WEIGHTS: dict[EventKind, int] = {"http": 35, "httpApi": 25, "sqs": 15, "s3": 12, "schedule": 13}
RESOURCES = ("orders", "users", "invoices", "carts", "products", "reports", "sessions", "payments", "tickets")
VERBS = {"GET": "get", "POST": "create", "PUT": "update", "DELETE": "delete"}


# --------------------------------------------------------------------------------------------
# The dialect-neutral app
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    path: str = ""  # http / httpApi
    method: str = ""  # http / httpApi
    authorized: bool = False  # http / httpApi: behind an authorizer
    rate: str = ""  # schedule


@dataclass(frozen=True, slots=True)
class EnvVar:
    name: str
    kind: Literal["plain", "secret", "ssm", "table"]
    value: str = ""  # plain / secret: the literal; ssm: the parameter name


@dataclass(slots=True)
class Function:
    name: str  # logical name, camelCase: serverless key; PascalCase of it is the CFN logical id
    module: str  # handler module path without extension, e.g. "orders/get_order_3"
    lang: Literal["python", "node"]
    runtime: str
    code_kind: str  # which handler body (see HANDLER_BODIES)
    events: list[Event]
    env: list[EnvVar]
    timeout: int
    memory: int
    own_role: bool
    tracing: bool

    @property
    def logical_id(self) -> str:
        return self.name[:1].upper() + self.name[1:]

    @property
    def ext(self) -> str:
        return ".py" if self.lang == "python" else ".js"

    @property
    def symbol(self) -> str:
        return "handler"


@dataclass(slots=True)
class Stack:
    name: str  # kebab-case: service name / stack folder
    functions: list[Function] = field(default_factory=list)
    admin_statement: bool = False  # this stack's shared role also has an escalation-prone statement

    @property
    def pascal(self) -> str:
        return "".join(p.capitalize() for p in self.name.split("-"))


def build_app(n: int, seed: int) -> list[Stack]:
    """The functions of an N-function app, grouped into stacks. Depends only on (n, seed)."""
    rng = random.Random(f"{seed}:{n}")  # str seeds are hashed with SHA-512: stable across runs
    stacks: list[Stack] = []
    for i in range(n):
        if i % STACK_SIZE == 0:
            stacks.append(Stack(name=f"svc-{len(stacks) + 1:02d}", admin_statement=len(stacks) % 4 == 1))
        stacks[-1].functions.append(_function(rng, i))
    return stacks


def _function(rng: random.Random, i: int) -> Function:
    lang: Literal["python", "node"] = "python" if rng.random() < 0.6 else "node"
    if rng.random() < 0.06:
        runtime = rng.choice(DEPRECATED_RUNTIMES[lang])
    else:
        runtime = rng.choice(PY_RUNTIMES if lang == "python" else NODE_RUNTIMES)
    kinds = list(EVENT_WEIGHTS)
    first: EventKind = rng.choices(kinds, weights=list(EVENT_WEIGHTS.values()))[0]
    resource = rng.choice(RESOURCES)
    events = [_event(rng, first, resource, i)]
    if first in ("http", "httpApi") and rng.random() < 0.15:  # some APIs have a second route
        events.append(_event(rng, first, resource, i, second=True))
    if first == "http":
        code_kind = rng.choices(["api_get", "api_sql", "api_cmd"], weights=[70, 15, 15])[0]
    elif first == "httpApi":
        code_kind = rng.choices(["api_get", "api_ssrf", "api_eval"], weights=[75, 15, 10])[0]
    else:
        code_kind = first
    verb = (
        VERBS[events[0].method] if events[0].method else {"sqs": "process", "s3": "ingest", "schedule": "sweep"}[first]
    )
    snake = f"{verb}_{resource.rstrip('s')}_{i}"
    name = snake.split("_")[0] + "".join(p.capitalize() for p in snake.split("_")[1:])
    timeout = rng.choices([6, 10, 30, 60, 900], weights=[30, 30, 20, 12, 8])[0]
    if first in ("http", "httpApi"):
        timeout = min(timeout, 29) if rng.random() < 0.8 else timeout  # most API functions fit the gateway limit
    return Function(
        name=name,
        module=f"{resource}/{snake}",
        lang=lang,
        runtime=runtime,
        code_kind=code_kind,
        events=events,
        env=_environment(rng),
        timeout=timeout,
        memory=rng.choice([128, 256, 512, 1024]),
        own_role=rng.random() < 0.1,
        tracing=rng.random() < 0.5,
    )


def _event(rng: random.Random, kind: EventKind, resource: str, i: int, second: bool = False) -> Event:
    if kind in ("http", "httpApi"):
        method = rng.choice(list(VERBS))
        path = f"/{resource}/f{i}" + ("/{id}" if method != "POST" or second else "")
        if second:
            path = f"/{resource}/f{i}/{{id}}/items"
        return Event(kind, path=path, method=method, authorized=rng.random() < 0.55)
    if kind == "schedule":
        return Event(kind, rate=rng.choice(["rate(5 minutes)", "rate(1 hour)", "cron(0 3 * * ? *)"]))
    return Event(kind)


def _random_token(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _environment(rng: random.Random) -> list[EnvVar]:
    env = [EnvVar("TABLE_NAME", "table"), EnvVar("LOG_LEVEL", "plain", rng.choice(["INFO", "DEBUG", "WARN"]))]
    roll = rng.random()
    alnum = string.ascii_letters + string.digits
    if roll < 0.15:  # a plaintext secret in the function's environment (what SECRET rules should find)
        choice = rng.randrange(3)
        if choice == 0:
            env.append(EnvVar("DB_PASSWORD", "secret", _random_token(rng, alnum, 20)))
        elif choice == 1:
            # Built from parts so the generator's own source holds no key-shaped literal.
            env.append(EnvVar("PAYMENT_API_KEY", "secret", "sk" + "_live_" + _random_token(rng, alnum, 24)))
        else:
            key_id = "AKIA" + _random_token(rng, string.ascii_uppercase + "234567", 16)
            env.append(EnvVar("PARTNER_ACCESS_KEY_ID", "secret", key_id))
            env.append(EnvVar("PARTNER_SECRET_ACCESS_KEY", "secret", _random_token(rng, alnum + "/+", 40)))
    elif roll < 0.45:  # the right way: a reference to a secret store
        env.append(EnvVar("DB_PASSWORD", "ssm", f"/app/{rng.choice(RESOURCES)}/db-password"))
    if rng.random() < 0.3:
        env.append(EnvVar("SERVICE_URL", "plain", f"https://internal-{rng.choice(RESOURCES)}.example.com"))
    return env


# --------------------------------------------------------------------------------------------
# Handler code (same files in every dialect; only their folder differs)
# --------------------------------------------------------------------------------------------

_PY_HEADER = '''"""{doc}"""
import json
import logging
import os

import boto3

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))
TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def _response(status, body):
    return {{"statusCode": status, "headers": {{"Content-Type": "application/json"}}, "body": json.dumps(body)}}

'''

_PY_BODIES: dict[str, str] = {
    "api_get": """
def handler(event, context):
    item_id = (event.get("pathParameters") or {}).get("id")
    if not item_id:
        return _response(400, {"error": "missing id"})
    item = TABLE.get_item(Key={"pk": item_id}).get("Item")
    return _response(200 if item else 404, item or {"error": "not found"})
""",
    "api_sql": """
import sqlite3


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    name = params.get("name", "")
    conn = sqlite3.connect("/tmp/cache.db")
    rows = conn.execute(f"SELECT id, total FROM orders WHERE customer = '{name}'").fetchall()
    return _response(200, {"rows": rows})
""",
    "api_cmd": """
import subprocess


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    out = subprocess.run("convert /tmp/in.png " + body["format"], shell=True, capture_output=True)
    return _response(200, {"rc": out.returncode})
""",
    "api_ssrf": """
import urllib.request


def handler(event, context):
    url = (event.get("queryStringParameters") or {}).get("callback", "")
    with urllib.request.urlopen(url, timeout=5) as resp:
        return _response(200, {"status": resp.status})
""",
    "api_eval": """
def handler(event, context):
    expr = json.loads(event.get("body") or "{}").get("expr", "0")
    return _response(200, {"value": eval(expr)})
""",
    "sqs": """
def handler(event, context):
    for record in event["Records"]:
        message = json.loads(record["body"])
        TABLE.put_item(Item={"pk": message["id"], "payload": record["body"]})
    return {"batchItemFailures": []}
""",
    "s3": """
S3 = boto3.client("s3")


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = record["s3"]["object"]["key"]
        obj = S3.get_object(Bucket=bucket, Key=key)
        with open("/tmp/" + key, "wb") as fh:
            fh.write(obj["Body"].read())
        logger.info("stored %s", key)
""",
    "schedule": """
def handler(event, context):
    scanned = TABLE.scan(Limit=100)
    for item in scanned.get("Items", []):
        if item.get("expired"):
            TABLE.delete_item(Key={"pk": item["pk"]})
    return {"deleted": len(scanned.get("Items", []))}
""",
}

_JS_HEADER = """'use strict';
// {doc}
const {{ DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand }} = require('@aws-sdk/client-dynamodb');

const ddb = new DynamoDBClient({{}});
const TABLE = process.env.TABLE_NAME;

const response = (statusCode, body) => ({{
  statusCode,
  headers: {{ 'Content-Type': 'application/json' }},
  body: JSON.stringify(body),
}});
"""

_JS_BODIES: dict[str, str] = {
    "api_get": """
exports.handler = async (event) => {
  const id = (event.pathParameters || {}).id;
  if (!id) return response(400, { error: 'missing id' });
  const out = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: id } } }));
  return response(out.Item ? 200 : 404, out.Item || { error: 'not found' });
};
""",
    "api_sql": """
const mysql = require('mysql');
const pool = mysql.createPool({ host: process.env.DB_HOST, password: process.env.DB_PASSWORD });

exports.handler = async (event) => {
  const name = (event.queryStringParameters || {}).name || '';
  return new Promise((resolve) => {
    pool.query("SELECT id, total FROM orders WHERE customer = '" + name + "'", (err, rows) => {
      resolve(response(err ? 500 : 200, rows || []));
    });
  });
};
""",
    "api_cmd": """
const { exec } = require('child_process');

exports.handler = async (event) => {
  const body = JSON.parse(event.body || '{}');
  return new Promise((resolve) => {
    exec(`convert /tmp/in.png ${body.format}`, (err) => resolve(response(err ? 500 : 200, {})));
  });
};
""",
    "api_ssrf": """
const https = require('https');

exports.handler = async (event) => {
  const url = (event.queryStringParameters || {}).callback;
  return new Promise((resolve) => {
    https.get(url, (res) => resolve(response(200, { status: res.statusCode })));
  });
};
""",
    "api_eval": """
exports.handler = async (event) => {
  const { expr } = JSON.parse(event.body || '{}');
  return response(200, { value: eval(expr) });
};
""",
    "sqs": """
exports.handler = async (event) => {
  for (const record of event.Records) {
    const message = JSON.parse(record.body);
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: message.id }, payload: { S: record.body } } }));
  }
  return { batchItemFailures: [] };
};
""",
    "s3": """
const fs = require('fs');
const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const s3 = new S3Client({});

exports.handler = async (event) => {
  for (const record of event.Records) {
    const key = record.s3.object.key;
    const obj = await s3.send(new GetObjectCommand({ Bucket: record.s3.bucket.name, Key: key }));
    fs.writeFileSync('/tmp/' + key, await obj.Body.transformToByteArray());
    console.log('stored', key);
  }
};
""",
    "schedule": """
exports.handler = async () => {
  const out = await ddb.send(new ScanCommand({ TableName: TABLE, Limit: 100 }));
  return { scanned: (out.Items || []).length };
};
""",
}

REQUIREMENTS = "boto3==1.34.34\nrequests==2.25.1\nPyYAML==5.3.1\nurllib3==1.26.4\n"
NODE_DEPS = {
    "@aws-sdk/client-dynamodb": "3.540.0",
    "@aws-sdk/client-s3": "3.540.0",
    "mysql": "2.18.1",
    "lodash": "4.17.20",
}


def handler_source(fn: Function) -> str:
    doc = f"{fn.name}: synthetic handler generated by fnaudit's bench/generate.py"
    if fn.lang == "python":
        return _PY_HEADER.format(doc=doc) + _PY_BODIES[fn.code_kind]
    return _JS_HEADER.format(doc=doc) + _JS_BODIES[fn.code_kind]


def _package_files(name: str) -> dict[str, str]:
    """requirements.txt, package.json and a v3 package-lock.json for one code folder."""
    package = {"name": name, "version": "1.0.0", "private": True, "dependencies": NODE_DEPS}
    lock: dict[str, Any] = {
        "name": name,
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {"": {"name": name, "version": "1.0.0", "dependencies": NODE_DEPS}},
    }
    for dep, version in NODE_DEPS.items():
        lock["packages"][f"node_modules/{dep}"] = {
            "version": version,
            "resolved": f"https://registry.npmjs.org/{dep}/-/{dep.rsplit('/', 1)[-1]}-{version}.tgz",
        }
    return {
        "requirements.txt": REQUIREMENTS,
        "package.json": json.dumps(package, indent=2) + "\n",
        "package-lock.json": json.dumps(lock, indent=2) + "\n",
    }


# --------------------------------------------------------------------------------------------
# YAML with CloudFormation short-form tags
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tag:
    """A short-form intrinsic (`!Ref X`, `!GetAtt A.B`, `!Sub '…'`) when written out as YAML."""

    tag: str
    value: Any


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML has no type hints here
    def ignore_aliases(self, data: Any) -> bool:
        return True  # CloudFormation rejects YAML anchors/aliases; write shared values out in full


def _write_function_folder(code_dir: Path, fn: Function) -> None:
    """One function's own folder (SAM CodeUri, CDK asset): its handler and its dependency files."""
    _write(code_dir / (fn.module.split("/")[-1] + fn.ext), handler_source(fn))
    files = _package_files(fn.name)
    if fn.lang == "python":
        _write(code_dir / "requirements.txt", files["requirements.txt"])
    else:
        _write(code_dir / "package.json", files["package.json"])
        _write(code_dir / "package-lock.json", files["package-lock.json"])


def _represent_tag(dumper: yaml.SafeDumper, data: Tag) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_scalar(data.tag, data.value)


_Dumper.add_representer(Tag, _represent_tag)


def dump_yaml(doc: dict[str, Any]) -> str:
    text: str = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, width=120, default_flow_style=False)
    return text


def Ref(name: str) -> Tag:  # noqa: N802 - reads like the intrinsic it writes
    return Tag("!Ref", name)


def GetAtt(path: str) -> Tag:  # noqa: N802
    return Tag("!GetAtt", path)


def Sub(text: str) -> Tag:  # noqa: N802
    return Tag("!Sub", text)


TRUST_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def shared_statements(stack: Stack, table_arn: Any, queue_arn_prefix: Any) -> list[dict[str, Any]]:
    """The statements of a stack's shared role: some scoped, some with wildcards (as real apps have)."""
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": ["dynamodb:*"], "Resource": [table_arn]},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:SendMessage"],
            "Resource": [queue_arn_prefix],
        },
        {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters"], "Resource": "*"},
    ]
    if stack.admin_statement:
        statements.append({"Effect": "Allow", "Action": ["iam:PassRole", "lambda:*"], "Resource": "*"})
    return statements


def own_statements(fn: Function) -> list[dict[str, Any]]:
    return [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{fn.module.split('/')[0]}-archive/*"}
    ]


def _asset_hash(stack: str, fn: Function) -> str:
    return hashlib.sha256(f"{stack}/{fn.module}".encode()).hexdigest()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Serverless Framework
# --------------------------------------------------------------------------------------------


def write_serverless(stack: Stack, out: Path) -> None:
    """`services/<svc>/serverless.yml` with its handlers under `src/`. Core framework syntax only."""
    svc_dir = out / "services" / stack.name
    functions: dict[str, Any] = {}
    resources: dict[str, Any] = {
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "TableName": "${self:service}-${sls:stage}",
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            },
        }
    }
    has_http_api_auth = False
    for idx, fn in enumerate(stack.functions):
        events: list[dict[str, Any]] = []
        for ev in fn.events:
            if ev.kind == "http":
                http: dict[str, Any] = {"path": ev.path, "method": ev.method.lower(), "cors": True}
                if ev.authorized:
                    http["authorizer"] = (
                        {"type": "AWS_IAM"}
                        if idx % 2
                        else {"type": "COGNITO_USER_POOLS", "authorizerId": {"Ref": "CognitoAuthorizer"}}
                    )
                events.append({"http": http})
            elif ev.kind == "httpApi":
                route: dict[str, Any] = {"path": ev.path, "method": ev.method}
                if ev.authorized:
                    has_http_api_auth = True
                    route["authorizer"] = {"name": "jwtAuthorizer"}
                events.append({"httpApi": route})
            elif ev.kind == "sqs":
                queue = f"{fn.logical_id}Queue"
                resources[queue] = {
                    "Type": "AWS::SQS::Queue",
                    "Properties": {"VisibilityTimeout": max(30, fn.timeout * 6)},
                }
                events.append({"sqs": {"arn": {"Fn::GetAtt": [queue, "Arn"]}, "batchSize": 10}})
            elif ev.kind == "s3":
                bucket = f"${{self:service}}-${{sls:stage}}-{fn.name.lower()}-uploads"
                events.append(
                    {"s3": {"bucket": bucket, "event": "s3:ObjectCreated:*", "rules": [{"prefix": "incoming/"}]}}
                )
            else:
                events.append({"schedule": ev.rate})
        env: dict[str, Any] = {}
        for var in fn.env:
            if var.kind == "table":
                env[var.name] = {"Ref": "Table"}
            elif var.kind == "ssm":
                env[var.name] = f"${{ssm:{var.value}}}"
            else:
                env[var.name] = var.value
        spec: dict[str, Any] = {"handler": f"src/{fn.module}.{fn.symbol}"}
        if fn.runtime != "python3.12":  # provider default
            spec["runtime"] = fn.runtime
        spec.update({"timeout": fn.timeout, "memorySize": fn.memory, "environment": env, "events": events})
        if fn.tracing:
            spec["tracing"] = "Active"
        if fn.own_role:
            role = f"{fn.logical_id}Role"
            spec["role"] = role
            resources[role] = {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": TRUST_LAMBDA,
                    "ManagedPolicyArns": [BASIC_EXECUTION],
                    "Policies": [
                        {
                            "PolicyName": "own",
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": own_statements(fn)},
                        }
                    ],
                },
            }
        functions[fn.name] = spec
        _write(svc_dir / "src" / (fn.module + fn.ext), handler_source(fn))
    if any(ev.kind == "http" and ev.authorized for fn in stack.functions for ev in fn.events):
        resources["CognitoAuthorizer"] = {
            "Type": "AWS::ApiGateway::Authorizer",
            "Properties": {
                "Name": "cognito",
                "Type": "COGNITO_USER_POOLS",
                "IdentitySource": "method.request.header.Authorization",
                "RestApiId": {"Ref": "ApiGatewayRestApi"},  # the REST API the framework creates
                "ProviderARNs": ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_example"],
            },
        }
    provider: dict[str, Any] = {
        "name": "aws",
        "runtime": "python3.12",
        "region": "us-east-1",
        "stage": "${opt:stage, 'dev'}",
        "memorySize": 256,
        "timeout": 10,
        "environment": {"STAGE": "${sls:stage}", "SERVICE": "${self:service}"},
        "iam": {
            "role": {
                "statements": shared_statements(
                    stack,
                    {"Fn::GetAtt": ["Table", "Arn"]},
                    "arn:aws:sqs:${aws:region}:${aws:accountId}:${self:service}-*",
                )
            }
        },
    }
    if has_http_api_auth:
        provider["httpApi"] = {
            "cors": True,
            "authorizers": {
                "jwtAuthorizer": {
                    "type": "jwt",
                    "identitySource": "$request.header.Authorization",
                    "issuerUrl": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
                    "audience": ["example-client"],
                }
            },
        }
    doc = {
        "service": f"bench-{stack.name}",
        "frameworkVersion": ">=3",
        "provider": provider,
        "package": {"patterns": ["!node_modules/**", "!tests/**"]},
        "functions": functions,
        "resources": {"Resources": resources},
    }
    _write(svc_dir / "serverless.yml", dump_yaml(doc))
    for name, text in _package_files(f"bench-{stack.name}").items():
        _write(svc_dir / name, text)


# --------------------------------------------------------------------------------------------
# AWS SAM
# --------------------------------------------------------------------------------------------


def _sam_env(fn: Function) -> dict[str, Any]:
    env: dict[str, Any] = {}
    for var in fn.env:
        if var.kind == "table":
            env[var.name] = Ref("Table")
        elif var.kind == "ssm":
            env[var.name] = f"{{{{resolve:ssm:{var.value}}}}}"
        else:
            env[var.name] = var.value
    return env


def _common_resources(stack: Stack) -> dict[str, Any]:
    return {
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            },
        },
        "AppRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": TRUST_LAMBDA,
                "ManagedPolicyArns": [BASIC_EXECUTION],
                "Policies": [
                    {
                        "PolicyName": "app",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": shared_statements(
                                stack, GetAtt("Table.Arn"), Sub("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:*")
                            ),
                        },
                    }
                ],
            },
        },
    }


def write_sam(stack: Stack, out: Path) -> None:
    """`stacks/<stack>/template.yaml`, one code folder per function (`functions/<name>/`), as `sam init` lays out."""
    stack_dir = out / "stacks" / stack.name
    resources = _common_resources(stack)
    needs_rest = any(ev.kind == "http" for fn in stack.functions for ev in fn.events)
    needs_http = any(ev.kind == "httpApi" for fn in stack.functions for ev in fn.events)
    if needs_rest:
        resources["RestApi"] = {
            "Type": "AWS::Serverless::Api",
            "Properties": {
                "StageName": "prod",
                "Auth": {"Authorizers": {"CognitoAuth": {"UserPoolArn": Ref("UserPoolArn")}}},
            },
        }
    if needs_http:
        resources["HttpApi"] = {
            "Type": "AWS::Serverless::HttpApi",
            "Properties": {
                "Auth": {
                    "Authorizers": {
                        "JwtAuth": {
                            "IdentitySource": "$request.header.Authorization",
                            "JwtConfiguration": {
                                "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
                                "audience": ["example-client"],
                            },
                        }
                    }
                }
            },
        }
    for fn in stack.functions:
        events: dict[str, Any] = {}
        for k, ev in enumerate(fn.events):
            key = f"{ev.kind[0].upper()}{ev.kind[1:]}{k}"
            if ev.kind == "http":
                props: dict[str, Any] = {"RestApiId": Ref("RestApi"), "Path": ev.path, "Method": ev.method.lower()}
                if ev.authorized:
                    props["Auth"] = {"Authorizer": "CognitoAuth"}
                events[key] = {"Type": "Api", "Properties": props}
            elif ev.kind == "httpApi":
                props = {"ApiId": Ref("HttpApi"), "Path": ev.path, "Method": ev.method}
                if ev.authorized:
                    props["Auth"] = {"Authorizer": "JwtAuth"}
                events[key] = {"Type": "HttpApi", "Properties": props}
            elif ev.kind == "sqs":
                queue = f"{fn.logical_id}Queue"
                resources[queue] = {
                    "Type": "AWS::SQS::Queue",
                    "Properties": {"VisibilityTimeout": max(30, fn.timeout * 6)},
                }
                events[key] = {"Type": "SQS", "Properties": {"Queue": GetAtt(f"{queue}.Arn"), "BatchSize": 10}}
            elif ev.kind == "s3":
                bucket = f"{fn.logical_id}Bucket"
                resources[bucket] = {"Type": "AWS::S3::Bucket"}
                events[key] = {"Type": "S3", "Properties": {"Bucket": Ref(bucket), "Events": "s3:ObjectCreated:*"}}
            else:
                events[key] = {"Type": "Schedule", "Properties": {"Schedule": ev.rate}}
        props = {
            "CodeUri": f"functions/{fn.name}/",
            "Handler": f"{fn.module.split('/')[-1]}.{fn.symbol}",
            "Runtime": fn.runtime,
            "Timeout": fn.timeout,
            "MemorySize": fn.memory,
            "Environment": {"Variables": _sam_env(fn)},
            "Events": events,
        }
        if fn.tracing:
            props["Tracing"] = "Active"
        if fn.own_role:  # SAM makes the function a role of its own from these (policy templates included)
            props["Policies"] = [
                {"DynamoDBReadPolicy": {"TableName": Ref("Table")}},
                {"Statement": own_statements(fn)},
            ]
        else:
            props["Role"] = GetAtt("AppRole.Arn")
        resources[fn.logical_id] = {"Type": "AWS::Serverless::Function", "Properties": props}
        _write_function_folder(stack_dir / "functions" / fn.name, fn)
    doc: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": f"fnaudit benchmark stack {stack.name}",
        "Parameters": {
            "UserPoolArn": {
                "Type": "String",
                "Default": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_example",
            }
        },
        "Globals": {"Function": {"Architectures": ["arm64"], "Timeout": 10}},
        "Resources": resources,
    }
    _write(stack_dir / "template.yaml", dump_yaml(doc))


# --------------------------------------------------------------------------------------------
# CloudFormation (as `cdk synth` writes it: S3 code, local asset folders named in metadata)
# --------------------------------------------------------------------------------------------


def write_cloudformation(stack: Stack, out: Path) -> None:
    """`stacks/<stack>/template.yaml` with every event source spelled out as CloudFormation resources."""
    stack_dir = out / "stacks" / stack.name
    resources = _common_resources(stack)
    rest_methods: list[str] = []
    http_api = any(ev.kind == "httpApi" for fn in stack.functions for ev in fn.events)
    rest_auth = any(ev.kind == "http" and ev.authorized for fn in stack.functions for ev in fn.events)
    http_auth = any(ev.kind == "httpApi" and ev.authorized for fn in stack.functions for ev in fn.events)
    path_ids: dict[str, str] = {}  # API path prefix -> AWS::ApiGateway::Resource logical id

    def rest_resource(path: str) -> Any:
        """The API Gateway resource for `path`, creating each missing segment (REST APIs are trees)."""
        parent: Any = GetAtt("RestApi.RootResourceId")
        prefix = ""
        for segment in path.strip("/").split("/"):
            prefix += "/" + segment
            if prefix not in path_ids:
                clean = "".join(ch for ch in segment.title() if ch.isalnum()) or "Root"
                logical = f"Res{clean}{len(path_ids)}"
                path_ids[prefix] = logical
                resources[logical] = {
                    "Type": "AWS::ApiGateway::Resource",
                    "Properties": {"RestApiId": Ref("RestApi"), "ParentId": parent, "PathPart": segment},
                }
            parent = Ref(path_ids[prefix])
        return parent

    for fn in stack.functions:
        lid = fn.logical_id
        for k, ev in enumerate(fn.events):
            if ev.kind == "http":
                method = f"{lid}Method{k}"
                rest_methods.append(method)
                props: dict[str, Any] = {
                    "RestApiId": Ref("RestApi"),
                    "ResourceId": rest_resource(ev.path),
                    "HttpMethod": ev.method,
                    "AuthorizationType": "COGNITO_USER_POOLS" if ev.authorized else "NONE",
                    "Integration": {
                        "Type": "AWS_PROXY",
                        "IntegrationHttpMethod": "POST",
                        "Uri": Sub(
                            f"arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{lid}.Arn}}/invocations"
                        ),
                    },
                }
                if ev.authorized:
                    props["AuthorizerId"] = Ref("CognitoAuthorizer")
                resources[method] = {"Type": "AWS::ApiGateway::Method", "Properties": props}
                resources[f"{lid}ApiPermission{k}"] = _permission(
                    lid,
                    "apigateway.amazonaws.com",
                    Sub(
                        f"arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{RestApi}}/*/{ev.method}{_api_path(ev.path)}"
                    ),
                )
            elif ev.kind == "httpApi":
                integ = f"{lid}Integration{k}"
                resources[integ] = {
                    "Type": "AWS::ApiGatewayV2::Integration",
                    "Properties": {
                        "ApiId": Ref("HttpApi"),
                        "IntegrationType": "AWS_PROXY",
                        "IntegrationUri": GetAtt(f"{lid}.Arn"),
                        "PayloadFormatVersion": "2.0",
                    },
                }
                route: dict[str, Any] = {
                    "ApiId": Ref("HttpApi"),
                    "RouteKey": f"{ev.method} {ev.path}",
                    "Target": Sub(f"integrations/${{{integ}}}"),
                    "AuthorizationType": "JWT" if ev.authorized else "NONE",
                }
                if ev.authorized:
                    route["AuthorizerId"] = Ref("JwtAuthorizer")
                resources[f"{lid}Route{k}"] = {"Type": "AWS::ApiGatewayV2::Route", "Properties": route}
                resources[f"{lid}HttpPermission{k}"] = _permission(
                    lid,
                    "apigateway.amazonaws.com",
                    Sub(
                        f"arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{HttpApi}}/*/{ev.method}{_api_path(ev.path)}"
                    ),
                )
            elif ev.kind == "sqs":
                queue = f"{lid}Queue"
                resources[queue] = {
                    "Type": "AWS::SQS::Queue",
                    "Properties": {"VisibilityTimeout": max(30, fn.timeout * 6)},
                }
                resources[f"{lid}QueueMapping"] = {
                    "Type": "AWS::Lambda::EventSourceMapping",
                    "Properties": {"EventSourceArn": GetAtt(f"{queue}.Arn"), "FunctionName": Ref(lid), "BatchSize": 10},
                }
            elif ev.kind == "s3":
                # The bucket is named so that the permission can name it without a dependency cycle.
                bucket_name = Sub(f"${{AWS::StackName}}-{fn.name.lower()}-${{AWS::AccountId}}")
                resources[f"{lid}S3Permission"] = _permission(
                    lid,
                    "s3.amazonaws.com",
                    Sub(f"arn:aws:s3:::${{AWS::StackName}}-{fn.name.lower()}-${{AWS::AccountId}}"),
                )
                resources[f"{lid}Bucket"] = {
                    "Type": "AWS::S3::Bucket",
                    "DependsOn": f"{lid}S3Permission",
                    "Properties": {
                        "BucketName": bucket_name,
                        "NotificationConfiguration": {
                            "LambdaConfigurations": [{"Event": "s3:ObjectCreated:*", "Function": GetAtt(f"{lid}.Arn")}]
                        },
                    },
                }
            else:
                rule = f"{lid}Schedule"
                resources[rule] = {
                    "Type": "AWS::Events::Rule",
                    "Properties": {
                        "ScheduleExpression": ev.rate,
                        "State": "ENABLED",
                        "Targets": [{"Arn": GetAtt(f"{lid}.Arn"), "Id": "target"}],
                    },
                }
                resources[f"{lid}SchedulePermission"] = _permission(lid, "events.amazonaws.com", GetAtt(f"{rule}.Arn"))
        role: Any = GetAtt("AppRole.Arn")
        if fn.own_role:
            resources[f"{lid}Role"] = {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": TRUST_LAMBDA,
                    "ManagedPolicyArns": [BASIC_EXECUTION],
                    "Policies": [
                        {
                            "PolicyName": "own",
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": own_statements(fn)},
                        }
                    ],
                },
            }
            role = GetAtt(f"{lid}Role.Arn")
        asset = _asset_hash(stack.name, fn)
        props = {
            "Code": {"S3Bucket": Sub("cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"), "S3Key": f"{asset}.zip"},
            "Handler": f"{fn.module.split('/')[-1]}.{fn.symbol}",
            "Runtime": fn.runtime,
            "Role": role,
            "Timeout": fn.timeout,
            "MemorySize": fn.memory,
            "Environment": {"Variables": _sam_env(fn)},
        }
        if fn.tracing:
            props["TracingConfig"] = {"Mode": "Active"}
        resources[lid] = {
            "Type": "AWS::Lambda::Function",
            "Properties": props,
            "Metadata": {"aws:asset:path": f"asset.{asset}", "aws:asset:property": "Code"},
        }
        _write_function_folder(stack_dir / f"asset.{asset}", fn)
    if rest_methods:
        resources["RestApi"] = {
            "Type": "AWS::ApiGateway::RestApi",
            "Properties": {"Name": Sub("${AWS::StackName}-rest")},
        }
        resources["RestDeployment"] = {
            "Type": "AWS::ApiGateway::Deployment",
            "DependsOn": sorted(rest_methods),
            "Properties": {"RestApiId": Ref("RestApi"), "StageName": "prod"},
        }
        if rest_auth:
            resources["CognitoAuthorizer"] = {
                "Type": "AWS::ApiGateway::Authorizer",
                "Properties": {
                    "Name": "cognito",
                    "Type": "COGNITO_USER_POOLS",
                    "IdentitySource": "method.request.header.Authorization",
                    "RestApiId": Ref("RestApi"),
                    "ProviderARNs": [Ref("UserPoolArn")],
                },
            }
    if http_api:
        resources["HttpApi"] = {
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {"Name": Sub("${AWS::StackName}-http"), "ProtocolType": "HTTP"},
        }
        resources["HttpStage"] = {
            "Type": "AWS::ApiGatewayV2::Stage",
            "Properties": {"ApiId": Ref("HttpApi"), "StageName": "$default", "AutoDeploy": True},
        }
        if http_auth:
            resources["JwtAuthorizer"] = {
                "Type": "AWS::ApiGatewayV2::Authorizer",
                "Properties": {
                    "ApiId": Ref("HttpApi"),
                    "Name": "jwt",
                    "AuthorizerType": "JWT",
                    "IdentitySource": ["$request.header.Authorization"],
                    "JwtConfiguration": {
                        "Issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
                        "Audience": ["example-client"],
                    },
                },
            }
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"fnaudit benchmark stack {stack.name}",
        "Parameters": {
            "UserPoolArn": {
                "Type": "String",
                "Default": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_example",
            }
        },
        "Resources": resources,
    }
    _write(stack_dir / "template.yaml", dump_yaml(doc))


def _api_path(path: str) -> str:
    """API Gateway execute-api ARNs name path parameters as `*`."""
    return "/".join("*" if seg.startswith("{") else seg for seg in path.split("/"))


def _permission(function: str, principal: str, source_arn: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": GetAtt(f"{function}.Arn"),
            "Principal": principal,
            "SourceArn": source_arn,
        },
    }


# --------------------------------------------------------------------------------------------
# Terraform
# --------------------------------------------------------------------------------------------


def _hcl(value: Any, indent: str = "") -> str:
    """A Python value as an HCL expression; `Raw` text is written as is (references, function calls)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value).replace("${", "$${")
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v, indent) for v in value) + "]"
    inner = indent + "  "
    lines = [f"{inner}{json.dumps(k)} = {_hcl(v, inner)}" for k, v in value.items()]
    return "{\n" + "\n".join(lines) + f"\n{indent}}}"


@dataclass(frozen=True, slots=True)
class Raw:
    text: str


def _tf_block(
    kind: str, labels: tuple[str, ...], body: dict[str, Any], nested: dict[str, dict[str, Any]] | None = None
) -> str:
    head = " ".join([kind, *(json.dumps(label) for label in labels)])
    lines = [f"{head} {{"]
    for k, v in body.items():
        lines.append(f"  {k} = {_hcl(v, '  ')}")
    for name, inner in (nested or {}).items():
        lines.append(f"  {name} {{")
        lines.extend(f"    {k} = {_hcl(v, '    ')}" for k, v in inner.items())
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _tf_policy(statements: list[dict[str, Any]]) -> Raw:
    return Raw("jsonencode(" + _hcl({"Version": "2012-10-17", "Statement": statements}, "  ") + ")")


def write_terraform(stack: Stack, out: Path) -> None:
    """`stacks/<stack>/main.tf`, one code folder per function zipped by an `archive_file`, every event
    source written as its own resource, as Terraform apps are laid out."""
    stack_dir = out / "stacks" / stack.name
    parts: list[str] = [
        _tf_block(
            "variable",
            ("user_pool_arn",),
            {"default": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_example"},
        ),
        _tf_block("data", ("aws_caller_identity", "current"), {}),
        _tf_block("data", ("aws_region", "current"), {}),
        _tf_block(
            "resource",
            ("aws_dynamodb_table", "table"),
            {"name": f"{stack.name}-table", "billing_mode": "PAY_PER_REQUEST", "hash_key": "pk"},
            {"attribute": {"name": "pk", "type": "S"}},
        ),
        _tf_block(
            "resource",
            ("aws_iam_role", "app"),
            {"name": f"{stack.name}-app", "assume_role_policy": _tf_policy(TRUST_LAMBDA["Statement"])},
        ),
        _tf_block(
            "resource",
            ("aws_iam_role_policy_attachment", "app_basic"),
            {"role": Raw("aws_iam_role.app.name"), "policy_arn": BASIC_EXECUTION},
        ),
        _tf_block(
            "resource",
            ("aws_iam_role_policy", "app"),
            {
                "name": "app",
                "role": Raw("aws_iam_role.app.id"),
                "policy": _tf_policy(
                    shared_statements(
                        stack,
                        Raw("aws_dynamodb_table.table.arn"),
                        Raw(
                            '"arn:aws:sqs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:*"'
                        ),
                    )
                ),
            },
        ),
    ]
    rest = [(fn, k, ev) for fn in stack.functions for k, ev in enumerate(fn.events) if ev.kind == "http"]
    http = [(fn, k, ev) for fn in stack.functions for k, ev in enumerate(fn.events) if ev.kind == "httpApi"]
    if rest:
        parts.append(_tf_block("resource", ("aws_api_gateway_rest_api", "rest"), {"name": f"{stack.name}-rest"}))
        if any(ev.authorized for _, _, ev in rest):
            parts.append(
                _tf_block(
                    "resource",
                    ("aws_api_gateway_authorizer", "cognito"),
                    {
                        "name": "cognito",
                        "rest_api_id": Raw("aws_api_gateway_rest_api.rest.id"),
                        "type": "COGNITO_USER_POOLS",
                        "provider_arns": [Raw("var.user_pool_arn")],
                    },
                )
            )
    if http:
        parts.append(
            _tf_block(
                "resource", ("aws_apigatewayv2_api", "http"), {"name": f"{stack.name}-http", "protocol_type": "HTTP"}
            )
        )
        parts.append(
            _tf_block(
                "resource",
                ("aws_apigatewayv2_stage", "default"),
                {"api_id": Raw("aws_apigatewayv2_api.http.id"), "name": "$default", "auto_deploy": True},
            )
        )
        if any(ev.authorized for _, _, ev in http):
            parts.append(
                _tf_block(
                    "resource",
                    ("aws_apigatewayv2_authorizer", "jwt"),
                    {
                        "api_id": Raw("aws_apigatewayv2_api.http.id"),
                        "name": "jwt",
                        "authorizer_type": "JWT",
                        "identity_sources": ["$request.header.Authorization"],
                    },
                    {
                        "jwt_configuration": {
                            "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
                            "audience": ["example-client"],
                        }
                    },
                )
            )
    paths: dict[str, str] = {}

    def rest_resource(path: str) -> Raw:
        parent = "aws_api_gateway_rest_api.rest.root_resource_id"
        prefix = ""
        for segment in path.strip("/").split("/"):
            prefix += "/" + segment
            if prefix not in paths:
                name = f"res{len(paths)}"
                paths[prefix] = name
                parts.append(
                    _tf_block(
                        "resource",
                        ("aws_api_gateway_resource", name),
                        {
                            "rest_api_id": Raw("aws_api_gateway_rest_api.rest.id"),
                            "parent_id": Raw(parent),
                            "path_part": segment,
                        },
                    )
                )
            parent = f"aws_api_gateway_resource.{paths[prefix]}.id"
        return Raw(parent)

    for fn in stack.functions:
        name = fn.name
        ref = f"aws_lambda_function.{name}"
        role = "aws_iam_role.app.arn"
        if fn.own_role:
            parts.append(
                _tf_block(
                    "resource",
                    ("aws_iam_role", name),
                    {"name": f"{stack.name}-{name}", "assume_role_policy": _tf_policy(TRUST_LAMBDA["Statement"])},
                )
            )
            parts.append(
                _tf_block(
                    "resource",
                    ("aws_iam_role_policy", name),
                    {"role": Raw(f"aws_iam_role.{name}.id"), "policy": _tf_policy(own_statements(fn))},
                )
            )
            parts.append(
                _tf_block(
                    "resource",
                    ("aws_iam_role_policy_attachment", f"{name}_basic"),
                    {"role": Raw(f"aws_iam_role.{name}.name"), "policy_arn": BASIC_EXECUTION},
                )
            )
            role = f"aws_iam_role.{name}.arn"
        parts.append(
            _tf_block(
                "data",
                ("archive_file", name),
                {
                    "type": "zip",
                    "source_dir": Raw(f'"${{path.module}}/functions/{name}"'),
                    "output_path": Raw(f'"${{path.module}}/build/{name}.zip"'),
                },
            )
        )
        env: dict[str, Any] = {}
        for var in fn.env:
            if var.kind == "table":
                env[var.name] = Raw("aws_dynamodb_table.table.name")
            elif var.kind == "ssm":
                param = f"{name}_{var.name.lower()}"
                parts.append(_tf_block("data", ("aws_ssm_parameter", param), {"name": var.value}))
                env[var.name] = Raw(f"data.aws_ssm_parameter.{param}.value")
            else:
                env[var.name] = var.value
        nested: dict[str, dict[str, Any]] = {"environment": {"variables": env}}
        if fn.tracing:
            nested["tracing_config"] = {"mode": "Active"}
        parts.append(
            _tf_block(
                "resource",
                ("aws_lambda_function", name),
                {
                    "function_name": f"{stack.name}-{name}",
                    "runtime": fn.runtime,
                    "handler": f"{fn.module.split('/')[-1]}.{fn.symbol}",
                    "role": Raw(role),
                    "filename": Raw(f"data.archive_file.{name}.output_path"),
                    "source_code_hash": Raw(f"data.archive_file.{name}.output_base64sha256"),
                    "timeout": fn.timeout,
                    "memory_size": fn.memory,
                },
                nested,
            )
        )
        _write_function_folder(stack_dir / "functions" / name, fn)
        for k, ev in enumerate(fn.events):
            if ev.kind == "http":
                method: dict[str, Any] = {
                    "rest_api_id": Raw("aws_api_gateway_rest_api.rest.id"),
                    "resource_id": rest_resource(ev.path),
                    "http_method": ev.method,
                    "authorization": "COGNITO_USER_POOLS" if ev.authorized else "NONE",
                }
                if ev.authorized:
                    method["authorizer_id"] = Raw("aws_api_gateway_authorizer.cognito.id")
                parts.append(_tf_block("resource", ("aws_api_gateway_method", f"{name}_{k}"), method))
                parts.append(
                    _tf_block(
                        "resource",
                        ("aws_api_gateway_integration", f"{name}_{k}"),
                        {
                            "rest_api_id": Raw("aws_api_gateway_rest_api.rest.id"),
                            "resource_id": method["resource_id"],
                            "http_method": Raw(f"aws_api_gateway_method.{name}_{k}.http_method"),
                            "integration_http_method": "POST",
                            "type": "AWS_PROXY",
                            "uri": Raw(f"{ref}.invoke_arn"),
                        },
                    )
                )
            elif ev.kind == "httpApi":
                parts.append(
                    _tf_block(
                        "resource",
                        ("aws_apigatewayv2_integration", f"{name}_{k}"),
                        {
                            "api_id": Raw("aws_apigatewayv2_api.http.id"),
                            "integration_type": "AWS_PROXY",
                            "integration_uri": Raw(f"{ref}.invoke_arn"),
                            "payload_format_version": "2.0",
                        },
                    )
                )
                route: dict[str, Any] = {
                    "api_id": Raw("aws_apigatewayv2_api.http.id"),
                    "route_key": f"{ev.method} {ev.path}",
                    "target": Raw(f'"integrations/${{aws_apigatewayv2_integration.{name}_{k}.id}}"'),
                    "authorization_type": "JWT" if ev.authorized else "NONE",
                }
                if ev.authorized:
                    route["authorizer_id"] = Raw("aws_apigatewayv2_authorizer.jwt.id")
                parts.append(_tf_block("resource", ("aws_apigatewayv2_route", f"{name}_{k}"), route))
            elif ev.kind == "sqs":
                parts.append(
                    _tf_block(
                        "resource",
                        ("aws_sqs_queue", name),
                        {"name": f"{stack.name}-{name}", "visibility_timeout_seconds": max(30, fn.timeout * 6)},
                    )
                )
                parts.append(
                    _tf_block(
                        "resource",
                        ("aws_lambda_event_source_mapping", name),
                        {
                            "event_source_arn": Raw(f"aws_sqs_queue.{name}.arn"),
                            "function_name": Raw(f"{ref}.arn"),
                            "batch_size": 10,
                        },
                    )
                )
            elif ev.kind == "s3":
                parts.append(_tf_block("resource", ("aws_s3_bucket", name), {"bucket": f"{stack.name}-{name.lower()}"}))
                parts.append(
                    _tf_block(
                        "resource",
                        ("aws_s3_bucket_notification", name),
                        {"bucket": Raw(f"aws_s3_bucket.{name}.id")},
                        {
                            "lambda_function": {
                                "lambda_function_arn": Raw(f"{ref}.arn"),
                                "events": ["s3:ObjectCreated:*"],
                            }
                        },
                    )
                )
            else:
                parts.append(
                    _tf_block(
                        "resource",
                        ("aws_cloudwatch_event_rule", name),
                        {"name": f"{stack.name}-{name}", "schedule_expression": ev.rate},
                    )
                )
                parts.append(
                    _tf_block(
                        "resource",
                        ("aws_cloudwatch_event_target", name),
                        {"rule": Raw(f"aws_cloudwatch_event_rule.{name}.name"), "arn": Raw(f"{ref}.arn")},
                    )
                )
    _write(stack_dir / "main.tf", "\n".join(parts))


# --------------------------------------------------------------------------------------------
# AWS CDK (TypeScript and Python source: what `cdk init app` lays out, one stack class per stack)
# --------------------------------------------------------------------------------------------

_CDK_LIB = "2.170.0"  # the aws-cdk-lib the grant table of fnaudit's CDK loader is drawn from
_USER_POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_example"
_ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example"


def _cdk_runtime(runtime: str) -> str:
    """`python3.12` → `PYTHON_3_12`, `nodejs22.x` → `NODEJS_22_X` (the `lambda.Runtime` member)."""
    family = "PYTHON" if runtime.startswith("python") else "NODEJS"
    return family + "_" + runtime.removeprefix("python").removeprefix("nodejs").replace(".", "_").upper()


def _snake(name: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name).lstrip("_")


def _q(text: str) -> str:
    """A string literal both TypeScript and Python read the same (JSON escapes are valid in both)."""
    return json.dumps(text)


@dataclass(frozen=True, slots=True)
class _Cdk:
    """The few spellings in which the TypeScript and Python CDK sources of one stack differ."""

    py: bool

    def new(self, var: str | None, cls: str, args: list[str], props: dict[str, str], indent: str = "    ") -> str:
        """`const v = new C(this, 'Id', { a: b });` or `v = C(self, "Id", a=b)`."""
        if self.py:
            parts = [*args, *(f"{_snake(k)}={v}" for k, v in props.items())]
            call = f"{cls}({', '.join(parts)})"
            return f"{indent}{var} = {call}\n" if var else f"{indent}{call}\n"
        body = ", ".join([*args, "{ " + ", ".join(f"{k}: {v}" for k, v in props.items()) + " }"] if props else args)
        call = f"new {cls}({body})"
        return f"{indent}const {var} = {call};\n" if var else f"{indent}{call};\n"

    def expr(self, cls: str, args: list[str], props: dict[str, str] | None = None) -> str:
        """A construct or struct made inline (no variable): `new C(a, { p: v })` / `C(a, p=v)`."""
        return self.new(None, cls, args, props or {}, indent="").strip().rstrip(";")

    def assign(self, var: str, expr: str) -> str:
        return f"    {var} = {expr}\n" if self.py else f"    const {var} = {expr};\n"

    def static(self, cls: str, method: str, args: list[str]) -> str:
        """A static method of a CDK class (`Schedule.expression(…)`), camel case in TypeScript, snake in Python."""
        return f"{cls}.{_snake(method) if self.py else method}({', '.join(args)})"

    def call(self, target: str, method: str, args: list[str], props: dict[str, str] | None = None) -> str:
        name = _snake(method) if self.py else method
        if self.py:
            parts = [*args, *(f"{_snake(k)}={v}" for k, v in (props or {}).items())]
            return f"    {target}.{name}({', '.join(parts)})\n"
        body = ", ".join([*args, "{ " + ", ".join(f"{k}: {v}" for k, v in props.items()) + " }"] if props else args)
        return f"    {target}.{name}({body});\n"

    def lst(self, items: list[str]) -> str:
        return "[" + ", ".join(items) + "]"

    def dict_(self, items: dict[str, str]) -> str:
        """A map with string keys (environment variables): the same in both languages."""
        return "{" + ", ".join(f"{_q(k)}: {v}" for k, v in items.items()) + "}"

    @property
    def this(self) -> str:
        return "self" if self.py else "this"

    def var(self, name: str) -> str:
        return _snake(name) if self.py else name

    def attr(self, obj: str, name: str) -> str:
        return f"{obj}.{_snake(name) if self.py else name}"

    def statement(self, st: dict[str, Any], resources: list[str] | None = None) -> str:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        res = resources if resources is not None else [_q(r) for r in _as_list(st["Resource"])]
        return self.expr(
            "iam.PolicyStatement", [], {"actions": self.lst([_q(a) for a in actions]), "resources": self.lst(res)}
        )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _cdk_stack_body(stack: Stack, c: _Cdk, code_dir: Callable[[Function], str]) -> str:
    """The statements of the stack's constructor: the same constructs, in the same order, in either language."""
    this = c.this
    out: list[str] = []
    basic = c.static("iam.ManagedPolicy", "fromAwsManagedPolicyName", [_q("service-role/AWSLambdaBasicExecutionRole")])
    lambda_principal = c.expr("iam.ServicePrincipal", [_q("lambda.amazonaws.com")])
    out.append(
        c.new(
            "table",
            "dynamodb.Table",
            [this, _q("Table")],
            {
                "partitionKey": c.dict_({"name": _q("pk"), "type": "dynamodb.AttributeType.STRING"})
                if c.py
                else "{ name: 'pk', type: dynamodb.AttributeType.STRING }",
                "billingMode": "dynamodb.BillingMode.PAY_PER_REQUEST",
            },
        )
    )
    out.append(
        c.new(
            c.var("appRole"),
            "iam.Role",
            [this, _q("AppRole")],
            {"assumedBy": lambda_principal, "managedPolicies": c.lst([basic])},
        )
    )
    queue_prefix = (
        f'f"arn:aws:sqs:{{{this}.region}}:{{{this}.account}}:*"'
        if c.py
        else "`arn:aws:sqs:${this.region}:${this.account}:*`"
    )
    for st in shared_statements(stack, "TABLE", "QUEUES"):
        res = st["Resource"]
        mapped = [
            c.attr("table", "tableArn") if r == "TABLE" else queue_prefix if r == "QUEUES" else _q(r)
            for r in _as_list(res)
        ]
        out.append(c.call(c.var("appRole"), "addToPolicy", [c.statement(st, mapped)]))
    rest = [ev for fn in stack.functions for ev in fn.events if ev.kind == "http"]
    http = [ev for fn in stack.functions for ev in fn.events if ev.kind == "httpApi"]
    if rest:
        out.append(c.new("rest", "apigw.RestApi", [this, _q("RestApi")], {"restApiName": _q(f"{stack.name}-rest")}))
        if any(ev.authorized for ev in rest):
            pool = c.static("cognito.UserPool", "fromUserPoolArn", [this, _q("UserPool"), _q(_USER_POOL_ARN)])
            out.append(c.assign(c.var("userPool"), pool))
            out.append(
                c.new(
                    c.var("cognitoAuthorizer"),
                    "apigw.CognitoUserPoolsAuthorizer",
                    [this, _q("CognitoAuthorizer")],
                    {"cognitoUserPools": c.lst([c.var("userPool")])},
                )
            )
    if http:
        out.append(c.new(c.var("httpApi"), "apigwv2.HttpApi", [this, _q("HttpApi")], {}))
        if any(ev.authorized for ev in http):
            out.append(
                c.new(
                    c.var("jwtAuthorizer"),
                    "HttpJwtAuthorizer",
                    [_q("JwtAuthorizer"), _q(_ISSUER)],
                    {"jwtAudience": c.lst([_q("example-client")])},
                )
            )
    paths: dict[str, str] = {}  # REST path prefix -> the variable holding its resource

    def rest_resource(path: str) -> str:
        parent = c.attr("rest", "root")
        prefix = ""
        for segment in path.strip("/").split("/"):
            prefix += "/" + segment
            if prefix not in paths:
                paths[prefix] = f"res{len(paths)}"
                method = "add_resource" if c.py else "addResource"
                out.append(c.assign(paths[prefix], f"{parent}.{method}({_q(segment)})"))
            parent = paths[prefix]
        return parent

    for fn in stack.functions:
        var = c.var(fn.name)
        role = c.var("appRole")
        if fn.own_role:
            role = c.var(f"{fn.name}Role")
            out.append(
                c.new(
                    role,
                    "iam.Role",
                    [this, _q(f"{fn.logical_id}Role")],
                    {"assumedBy": lambda_principal, "managedPolicies": c.lst([basic])},
                )
            )
            for st in own_statements(fn):
                out.append(c.call(role, "addToPolicy", [c.statement(st)]))
        env: dict[str, str] = {}
        for e in fn.env:
            if e.kind == "table":
                env[e.name] = c.attr("table", "tableName")
            elif e.kind == "ssm":
                env[e.name] = _q(f"{{{{resolve:ssm:{e.value}}}}}")  # a dynamic reference, as in the twin
            else:
                env[e.name] = _q(e.value)
        props: dict[str, str] = {
            "runtime": f"{'_lambda' if c.py else 'lambda'}.Runtime.{_cdk_runtime(fn.runtime)}",
            "handler": _q(f"{fn.module.split('/')[-1]}.{fn.symbol}"),
            "code": code_dir(fn),
            "role": role,
            "timeout": f"Duration.seconds({fn.timeout})",
            "memorySize": str(fn.memory),
            "environment": c.dict_(env),
        }
        if fn.tracing:
            props["tracing"] = f"{'_lambda' if c.py else 'lambda'}.Tracing.ACTIVE"
        out.append(c.new(var, "_lambda.Function" if c.py else "lambda.Function", [this, _q(fn.logical_id)], props))
        if fn.own_role:  # as SAM's DynamoDBReadPolicy does for the same functions
            out.append(c.call("table", "grantReadData", [var]))
        for k, ev in enumerate(fn.events):
            if ev.kind == "http":
                res = rest_resource(ev.path)
                opts: dict[str, str] = {}
                if ev.authorized:
                    opts = {
                        "authorizer": c.var("cognitoAuthorizer"),
                        "authorizationType": "apigw.AuthorizationType.COGNITO",
                    }
                integ = c.expr("apigw.LambdaIntegration", [var])
                out.append(c.call(res, "addMethod", [_q(ev.method), integ], opts))
            elif ev.kind == "httpApi":
                route = {
                    "path": _q(ev.path),
                    "methods": c.lst([f"apigwv2.HttpMethod.{ev.method}"]),
                    "integration": c.expr("HttpLambdaIntegration", [_q(f"{fn.logical_id}Integration{k}"), var]),
                }
                if ev.authorized:
                    route["authorizer"] = c.var("jwtAuthorizer")
                if c.py:
                    out.append(c.call(c.var("httpApi"), "addRoutes", [], route))
                else:
                    out.append(
                        c.call("httpApi", "addRoutes", ["{ " + ", ".join(f"{a}: {b}" for a, b in route.items()) + " }"])
                    )
            elif ev.kind == "sqs":
                queue = c.var(f"{fn.name}Queue")
                out.append(
                    c.new(
                        queue,
                        "sqs.Queue",
                        [this, _q(f"{fn.logical_id}Queue")],
                        {"visibilityTimeout": f"Duration.seconds({max(30, fn.timeout * 6)})"},
                    )
                )
                out.append(c.call(var, "addEventSource", [c.expr("SqsEventSource", [queue], {"batchSize": "10"})]))
            elif ev.kind == "s3":
                bucket = c.var(f"{fn.name}Bucket")
                out.append(c.new(bucket, "s3.Bucket", [this, _q(f"{fn.logical_id}Bucket")], {}))
                created = c.lst(["s3.EventType.OBJECT_CREATED"])
                out.append(c.call(var, "addEventSource", [c.expr("S3EventSource", [bucket], {"events": created})]))
            else:
                schedule = c.static("events.Schedule", "expression", [_q(ev.rate)])
                target = c.expr("targets.LambdaFunction", [var])
                out.append(
                    c.new(
                        None,
                        "events.Rule",
                        [this, _q(f"{fn.logical_id}Schedule")],
                        {"schedule": schedule, "targets": c.lst([target])},
                    )
                )
    return "".join(out)


_TS_IMPORTS = """import * as path from 'path';
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { S3EventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
"""

_PY_IMPORTS = """import aws_cdk.aws_apigateway as apigw
import aws_cdk.aws_apigatewayv2 as apigwv2
import aws_cdk.aws_cognito as cognito
import aws_cdk.aws_dynamodb as dynamodb
import aws_cdk.aws_events as events
import aws_cdk.aws_events_targets as targets
import aws_cdk.aws_iam as iam
import aws_cdk.aws_lambda as _lambda
import aws_cdk.aws_s3 as s3
import aws_cdk.aws_sqs as sqs
from aws_cdk import Duration, Stack
from aws_cdk.aws_apigatewayv2_authorizers import HttpJwtAuthorizer
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
from aws_cdk.aws_lambda_event_sources import S3EventSource, SqsEventSource
from constructs import Construct
"""


def _cdk_code_dir(stack: Stack, fn: Function) -> str:
    """Where a function's code folder is, relative to the app (the folder of `cdk.json`)."""
    return f"functions/{stack.name}/{fn.name}"


def write_cdk_ts(stack: Stack, out: Path) -> None:
    """`lib/<stack>-stack.ts` (a `Stack` subclass) and its functions' folders under `functions/<stack>/`;
    assets named with `path.join(__dirname, …)`, as `cdk init app --language typescript` projects do."""
    c = _Cdk(py=False)
    body = _cdk_stack_body(
        stack, c, lambda fn: f"lambda.Code.fromAsset(path.join(__dirname, {_q('../' + _cdk_code_dir(stack, fn))}))"
    )
    text = (
        _TS_IMPORTS
        + f"\nexport class {stack.pascal}Stack extends Stack {{\n"
        + "  constructor(scope: Construct, id: string, props?: StackProps) {\n    super(scope, id, props);\n\n"
        + body
        + "  }\n}\n"
    )
    _write(out / "lib" / f"{stack.name}-stack.ts", text)
    for fn in stack.functions:
        _write_function_folder(out / _cdk_code_dir(stack, fn), fn)


def write_cdk_py(stack: Stack, out: Path) -> None:
    """`bench_app/<stack>_stack.py` and its functions' folders; assets named relative to the app folder
    (where `cdk` runs), as `cdk init app --language python` projects do."""
    c = _Cdk(py=True)
    body = _cdk_stack_body(stack, c, lambda fn: f"_lambda.Code.from_asset({_q(_cdk_code_dir(stack, fn))})")
    text = (
        _PY_IMPORTS
        + f"\n\nclass {stack.pascal}Stack(Stack):\n"
        + "    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:\n"
        + "        super().__init__(scope, construct_id, **kwargs)\n\n"
        + "".join("    " + line if line.strip() else line for line in body.splitlines(keepends=True))
    )
    _write(out / "bench_app" / f"{stack.name.replace('-', '_')}_stack.py", text)
    for fn in stack.functions:
        _write_function_folder(out / _cdk_code_dir(stack, fn), fn)


def finish_cdk_ts(stacks: list[Stack], out: Path) -> None:
    """The app around the stacks: `cdk.json`, `bin/app.ts` making each stack, the project's package files."""
    lines = ["#!/usr/bin/env node", "import 'source-map-support/register';", "import * as cdk from 'aws-cdk-lib';"]
    lines += [f"import {{ {s.pascal}Stack }} from '../lib/{s.name}-stack';" for s in stacks]
    lines += ["", "const app = new cdk.App();"]
    lines += [f"new {s.pascal}Stack(app, {_q(s.pascal)}, {{ env: {{ region: 'us-east-1' }} }});" for s in stacks]
    _write(out / "bin" / "app.ts", "\n".join(lines) + "\n")
    _write(out / "cdk.json", json.dumps({"app": "npx ts-node --prefer-ts-exts bin/app.ts"}, indent=2) + "\n")
    package = {
        "name": "bench-cdk",
        "version": "0.1.0",
        "bin": {"bench-cdk": "bin/app.js"},
        "devDependencies": {"aws-cdk": _CDK_LIB, "ts-node": "10.9.2", "typescript": "5.6.3"},
        "dependencies": {"aws-cdk-lib": _CDK_LIB, "constructs": "10.4.2", "source-map-support": "0.5.21"},
    }
    _write(out / "package.json", json.dumps(package, indent=2) + "\n")


def finish_cdk_py(stacks: list[Stack], out: Path) -> None:
    """`cdk.json`, `app.py` making each stack, `bench_app/__init__.py` and the project's requirements."""
    lines = ["#!/usr/bin/env python3", "import aws_cdk as cdk", ""]
    lines += [f"from bench_app.{s.name.replace('-', '_')}_stack import {s.pascal}Stack" for s in stacks]
    lines += ["", "app = cdk.App()"]
    lines += [f'{s.pascal}Stack(app, {_q(s.pascal)}, env=cdk.Environment(region="us-east-1"))' for s in stacks]
    lines += ["app.synth()"]
    _write(out / "app.py", "\n".join(lines) + "\n")
    _write(out / "bench_app" / "__init__.py", "")
    _write(out / "cdk.json", json.dumps({"app": "python3 app.py"}, indent=2) + "\n")
    _write(out / "requirements.txt", f"aws-cdk-lib=={_CDK_LIB}\nconstructs>=10.0.0,<11.0.0\n")


WRITERS: dict[Dialect, Callable[[Stack, Path], None]] = {
    "serverless": write_serverless,
    "sam": write_sam,
    "cloudformation": write_cloudformation,
    "terraform": write_terraform,
    "cdk-ts": write_cdk_ts,
    "cdk-py": write_cdk_py,
}
# Dialects whose app is more than its stacks: the entry file that makes every stack.
FINISHERS: dict[Dialect, Callable[[list[Stack], Path], None]] = {"cdk-ts": finish_cdk_ts, "cdk-py": finish_cdk_py}


def generate(dialect: Dialect, n: int, out: Path, seed: int = DEFAULT_SEED) -> list[Stack]:
    """Write the app into `out` (emptied first) and return its stacks."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    stacks = build_app(n, seed)
    for stack in stacks:
        WRITERS[dialect](stack, out)
    if dialect in FINISHERS:
        FINISHERS[dialect](stacks, out)
    _write(
        out / "README.md",
        f"Synthetic {dialect} app: {n} functions in {len(stacks)} stack(s), seed {seed}.\n"
        "Generated by fnaudit's bench/generate.py; deliberately insecure in places. Do not deploy.\n",
    )
    return stacks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dialect", choices=DIALECTS, required=True)
    parser.add_argument("--functions", type=int, required=True, metavar="N")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="emptied first")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.functions < 1:
        parser.error("--functions must be at least 1")
    stacks = generate(args.dialect, args.functions, args.out, args.seed)
    print(f"wrote {args.functions} {args.dialect} functions in {len(stacks)} stack(s) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
