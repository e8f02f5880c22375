#!/usr/bin/env python3
"""Time `fnaudit scan aws:` on an emulated account of N functions (moto's server), and print the figures.

    /work/venv/bin/python bench/aws.py [--functions 1000] [--runs 3] [--fnaudit PATH] [--keep] [--profile]
    /work/venv/bin/python bench/aws.py --functions 10          # quick mode

1. Start moto's server (`python -m moto.server`) on a free 127.0.0.1 port, its request log in
   bench/out/aws-N/moto.log; every client of this script and of fnaudit gets its endpoint and fake
   credentials, and the AWS config files point at empty ones: nothing can reach AWS.
2. Create, with boto3 in a thread pool, an account that looks like a real one (`plan_roles`,
   `plan_functions`): ~20 execution roles (a few shared by most functions; inline policies with
   wildcards, one customer-managed policy, AWSLambdaBasicExecutionRole), N functions in Python and
   Node (each a zip of 2–4 files; some with a requirements.txt / package.json, some with a plaintext
   secret in their environment), function URLs, API Gateway invoke permissions, an HTTP API routing to
   ~10 % of the functions, SQS mappings, log groups with retention for half. The zips also go to
   bench/out/aws-N/packages/ for fnaudit's `FNAUDIT_AWS_PACKAGE_DIR` hook (moto returns a
   `Code.Location` it does not serve), and the OSV records of tests/aws/advisories are imported into
   bench/out/aws-N/advisories (`FNAUDIT_DB`) so the dependency engine has a store. This setup is timed
   on its own and is not part of the figures.
3. Run `fnaudit scan aws:eu-west-1 --endpoint-url URL -f json -o OUT` once untimed, then `--runs` times,
   each measured by compare.py's measuring subprocess (whole-process wall time, peak RSS and PSS summed
   over the process tree), and print the medians with the report's `stats.stages` (`account` = reading the
   account, downloads included; `account-download` = package downloads summed over the reader's threads;
   then the pipeline's stages) and the number of API requests the server logged during each run.

`--keep` leaves the server running afterwards (its pid, URL and the environment to scan it by hand are
printed); `--profile` also runs `fnaudit.account.scan.scan_account` once in this process under cProfile
(main thread only: the reader's thread pool and the code engine's forked workers show as waiting) and
prints where the time went.
Figures for a person to read, not assertions: the exit code is 0 whatever they are.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import shutil
import statistics
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
from compare import Run, machine_lines, run_measured  # noqa: E402 - sibling script, not a package

OUT = BENCH / "out"
REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's default account: the fake keys map to it
SEED = 20261206
SETUP_THREADS = 16
ROLES = 20
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member timestamps: the same plan gives the same zips
# Variables that could lead boto3 to a real profile, real credentials or a real endpoint.
_CLEARED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CA_BUNDLE",
)
# What a manual run against a `--keep` emulator needs in its environment.
_KEPT_ENV = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_ENDPOINT_URL",
    "FNAUDIT_AWS_PACKAGE_DIR",
    "FNAUDIT_DB",
)
# OSV records for urllib3 1.26.5 and lodash 4.17.15 (which some packages pin), so the dependency engine has a store.
ADVISORIES = REPO / "tests" / "aws" / "advisories"
T = TypeVar("T")


# --------------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def aws_env(folder: Path, endpoint: str) -> dict[str, str]:
    """This environment with fake credentials, empty AWS config files and the emulator as every endpoint."""
    config, credentials = folder / "aws-config", folder / "aws-credentials"
    config.write_text("")
    credentials.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(credentials),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL=endpoint,  # a client built without endpoint_url still lands on the emulator
    )
    return env


@dataclass(slots=True)
class Server:
    """`python -m moto.server` in its own session (so that `--keep` can leave it behind), logging to `log`."""

    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}  # the server needs no credentials
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"  # AWSLambdaBasicExecutionRole can then be attached
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                sys.exit(f"moto server exited with {self.process.returncode}: {self.log.read_text()[-1500:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    self.stop()
                    sys.exit(f"moto server did not answer on {self.url}")
                time.sleep(0.1)

    def requests_logged(self) -> int:
        """Requests in the server's log so far (werkzeug writes one line per request)."""
        return sum(1 for _ in _request_lines(self.log.read_text(errors="replace")))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_REQUEST = re.compile(r'"(?P<verb>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) ')
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # werkzeug colours the request line by status


def _request_lines(text: str) -> Iterable[re.Match[str]]:
    for line in text.splitlines():
        m = _REQUEST.search(_ANSI.sub("", line))
        if m and not m["path"].startswith("/moto-api"):
            yield m


# --------------------------------------------------------------------------------------------
# The account: a deterministic plan, then the boto3 calls that create it
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fn:
    name: str
    runtime: str
    handler: str
    role: str
    memory: int
    timeout: int
    env: dict[str, str]
    files: tuple[tuple[str, str], ...]  # (path in the zip, text)
    url: str | None  # function URL AuthType
    apigw_permission: str | None  # "api": the HTTP API's routes invoke it; "any": any API Gateway may
    http_route: bool
    queue: bool
    retention: int | None
    concurrency: int | None

    def zip(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, text in self.files:
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, text)
        return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    inline: dict[str, dict[str, Any]]
    managed: tuple[str, ...]  # "basic", "sqs", "shared" (the customer-managed policy)


TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
SHARED_POLICY = "bench-shared-secrets"
MANAGED_ARNS = {
    "basic": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "sqs": "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    "shared": f"arn:aws:iam::{ACCOUNT}:policy/{SHARED_POLICY}",
}


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def plan_roles() -> list[Role]:
    """Role 0-4 are shared by most functions (a team's common roles); 5-18 by a few each; 19 is an admin."""
    roles = []
    for i in range(ROLES):
        table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/bench-{i:02d}-*"
        inline = {
            "data": _doc(
                {"Effect": "Allow", "Action": "dynamodb:*", "Resource": table},
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"},
            )
        }
        if i % 4 == 1:  # can hand any role to a function it creates: a privilege escalation path
            inline["deploy"] = _doc({"Effect": "Allow", "Action": ["iam:PassRole", "lambda:*"], "Resource": "*"})
        if i % 3 == 0:
            inline["config"] = _doc({"Effect": "Allow", "Action": ["ssm:GetParameter*", "sqs:*"], "Resource": "*"})
        if i == ROLES - 1:
            inline = {"admin": _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})}
        managed = ["basic"]
        if i < 10:
            managed.append("shared")
        if i == 2:
            managed.append("sqs")  # the queue workers' role
        roles.append(Role(f"bench-role-{i:02d}", inline, tuple(managed)))
    return roles


def _token(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _python_files(i: int, rng: random.Random) -> list[tuple[str, str]]:
    kind = i % 5
    body = {
        0: (
            "    item = TABLE.get_item(Key={'id': event['pathParameters']['id']})\n"
            "    return respond(item.get('Item'))\n"
        ),
        1: (
            "    order = event['queryStringParameters']['order']\n"
            "    with connect().cursor() as cur:\n"
            "        cur.execute(f\"SELECT * FROM orders WHERE id = '{order}'\")\n"
            "        return respond(cur.fetchall())\n"
        ),
        2: (
            "    name = event['queryStringParameters']['file']\n"
            "    subprocess.run('convert /tmp/' + name + ' /tmp/out.png', shell=True, check=False)\n"
            "    return respond('ok')\n"
        ),
        3: (
            "    for record in event['Records']:\n"
            "        size = int(record['body'])\n"
            "        S3.put_object(Bucket=BUCKET, Key=f'sizes/{size}', Body=b'')\n"
            "    return respond('done')\n"
        ),
        4: (
            "    url = event['queryStringParameters']['callback']\n"
            "    return respond(requests.get(url, timeout=5).text)\n"
        ),
    }[kind]
    app = (
        "import json\nimport os\nimport subprocess\n\nimport boto3\nimport pymysql\nimport requests\n\n"
        "from lib.util import respond\n\n"
        "TABLE = boto3.resource('dynamodb').Table(os.environ['TABLE_NAME'])\n"
        "S3 = boto3.client('s3')\nBUCKET = os.environ.get('BUCKET', 'bench-data')\n\n\n"
        "def connect():\n    return pymysql.connect(host=os.environ.get('DB_HOST', 'db'), user='app',"
        " password=os.environ.get('DB_PASSWORD', ''))\n\n\n"
        f"def handler(event, context):\n{body}"
    )
    util = (
        "import json\n\n\ndef respond(body, status=200):\n"
        "    return {'statusCode': status, 'body': json.dumps(body, default=str)}\n"
    )
    files = [("app.py", app), ("lib/util.py", util)]
    if rng.random() < 0.4:
        files.append(("requirements.txt", "requests==2.25.1\nurllib3==1.26.5\npymysql==1.0.2\n"))
    if rng.random() < 0.05:  # a key committed into the code itself
        files.append(("config.py", f"STRIPE_KEY = 'sk_live_{_token(rng, string.ascii_letters + string.digits, 24)}'\n"))
    return files


def _node_files(i: int, rng: random.Random) -> list[tuple[str, str]]:
    kind = i % 4
    body = {
        0: (
            "  const key = { id: event.pathParameters.id };\n"
            "  const out = await db.get({ TableName: process.env.TABLE_NAME, Key: key });\n"
            "  return respond(out.Item);\n"
        ),
        1: (
            "  const id = event.queryStringParameters.id;\n"
            '  const [rows] = await pool.query("SELECT * FROM users WHERE id = \'" + id + "\'");\n'
            "  return respond(rows);\n"
        ),
        2: (
            "  const host = event.queryStringParameters.host;\n"
            "  exec('ping -c 1 ' + host, () => {});\n"
            "  return respond('sent');\n"
        ),
        3: "  const got = await axios.get(event.queryStringParameters.url);\n  return respond(got.data);\n",
    }[kind]
    index = (
        "const { exec } = require('child_process');\nconst axios = require('axios');\n"
        "const mysql = require('mysql2/promise');\n"
        "const AWS = require('aws-sdk');\nconst { respond } = require('./lib/util');\n\n"
        "const db = new AWS.DynamoDB.DocumentClient();\n"
        "const pool = mysql.createPool({ host: process.env.DB_HOST, password: process.env.DB_PASSWORD });\n\n"
        f"exports.handler = async (event) => {{\n{body}}};\n"
    )
    util = "exports.respond = (body, statusCode = 200) => ({ statusCode, body: JSON.stringify(body) });\n"
    files = [("index.js", index), ("lib/util.js", util)]
    if rng.random() < 0.4:
        deps = {"axios": "0.21.0", "lodash": "4.17.15", "mysql2": "2.2.5"}
        files.append(
            ("package.json", json.dumps({"name": f"fn-{i}", "version": "1.0.0", "dependencies": deps}, indent=2))
        )
        if rng.random() < 0.5:
            lock = {
                "name": f"fn-{i}",
                "version": "1.0.0",
                "lockfileVersion": 3,
                "packages": {
                    "": {"name": f"fn-{i}", "version": "1.0.0", "dependencies": deps},
                    **{f"node_modules/{k}": {"version": v} for k, v in deps.items()},
                },
            }
            files.append(("package-lock.json", json.dumps(lock, indent=2)))
    return files


def _secret(rng: random.Random) -> dict[str, str]:
    alnum = string.ascii_letters + string.digits
    return rng.choice(
        [
            {"DB_PASSWORD": _token(rng, alnum, 20)},
            {"STRIPE_SECRET_KEY": f"sk_live_{_token(rng, alnum, 24)}"},
            {
                "PARTNER_ACCESS_KEY_ID": f"AKIA{_token(rng, string.ascii_uppercase + '234567', 16)}",
                "PARTNER_SECRET_ACCESS_KEY": _token(rng, alnum + "/+", 40),
            },
        ]
    )


def plan_functions(n: int, seed: int) -> list[Fn]:
    """N functions, 60 % Python and 40 % Node; the same (n, seed) gives the same account."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        python = i % 5 < 3
        old = rng.random() < 0.06  # deprecated runtimes
        runtime = ("python3.8" if old else "python3.12") if python else ("nodejs16.x" if old else "nodejs20.x")
        files = _python_files(i, rng) if python else _node_files(i, rng)
        env = {"TABLE_NAME": f"bench-{i % ROLES:02d}-table", "LOG_LEVEL": rng.choice(["INFO", "DEBUG"])}
        if rng.random() < 0.15:
            env.update(_secret(rng))
        role = rng.randrange(5) if rng.random() < 0.8 else rng.randrange(5, ROLES)
        http_route = rng.random() < 0.10
        url = None
        if rng.random() < 0.05:
            url = "NONE" if rng.random() < 0.6 else "AWS_IAM"
        out.append(
            Fn(
                name=f"bench-fn-{i:04d}",
                runtime=runtime,
                handler="app.handler" if python else "index.handler",
                role=f"bench-role-{role:02d}",
                memory=rng.choice([128, 256, 512, 1024]),
                timeout=rng.choice([3, 10, 30, 60, 900]),
                env=env,
                files=tuple(files),
                url=url,
                apigw_permission="api" if http_route else ("any" if rng.random() < 0.03 else None),
                http_route=http_route,
                queue=rng.random() < 0.02,
                retention=rng.choice([7, 14, 30, 90, 365]) if i % 2 == 0 else None,
                concurrency=rng.choice([5, 10, 50]) if rng.random() < 0.1 else None,
            )
        )
    return out


@dataclass(slots=True)
class Clients:
    endpoint: str
    _made: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, service: str) -> Any:
        if service.startswith("_"):
            raise AttributeError(service)
        if service not in self._made:
            import boto3
            from botocore.config import Config

            self._made[service] = boto3.client(
                service,
                endpoint_url=self.endpoint,
                region_name=REGION,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                config=Config(max_pool_connections=SETUP_THREADS * 2, retries={"max_attempts": 3, "mode": "standard"}),
            )
        return self._made[service]


def _pooled(work: Callable[[T], Any], items: Iterable[T]) -> list[Any]:
    with ThreadPoolExecutor(SETUP_THREADS) as pool:
        return list(pool.map(work, items))


@dataclass(frozen=True, slots=True)
class Built:
    functions: int
    roles: int
    urls: int
    permissions: int
    routes: int
    mappings: int
    log_groups: int
    secrets: int
    seconds: float

    def line(self) -> str:
        return (
            f"{self.functions} functions, {self.roles} roles, {self.urls} function URLs, "
            f"{self.permissions} invoke permissions, {self.routes} HTTP API routes, {self.mappings} SQS mappings, "
            f"{self.log_groups} log groups with retention, {self.secrets} functions with a plaintext secret in env"
        )


def build_account(endpoint: str, functions: list[Fn], packages: Path) -> Built:
    started = time.perf_counter()
    c = Clients(endpoint)
    # Every client is created here, in one thread: boto3's client creation is not thread-safe.
    for service in ("iam", "lambda", "logs", "sqs", "apigatewayv2"):
        getattr(c, service)
    c.iam.create_policy(
        PolicyName=SHARED_POLICY,
        PolicyDocument=json.dumps(
            _doc({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "kms:Decrypt"], "Resource": "*"})
        ),
    )

    def role(r: Role) -> None:
        c.iam.create_role(RoleName=r.name, AssumeRolePolicyDocument=json.dumps(TRUST))
        for name, doc in r.inline.items():
            c.iam.put_role_policy(RoleName=r.name, PolicyName=name, PolicyDocument=json.dumps(doc))
        for key in r.managed:
            c.iam.attach_role_policy(RoleName=r.name, PolicyArn=MANAGED_ARNS[key])

    roles = plan_roles()
    _pooled(role, roles)
    api = c.apigatewayv2.create_api(Name="bench-http", ProtocolType="HTTP")["ApiId"]
    c.apigatewayv2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True)
    packages.mkdir(parents=True, exist_ok=True)
    counts: Counter[str] = Counter()

    def function(pair: tuple[int, Fn]) -> None:
        i, f = pair
        package = f.zip()
        (packages / f"{f.name}.zip").write_bytes(package)  # the FNAUDIT_AWS_PACKAGE_DIR hook's copy
        lam = getattr(c, "lambda")
        created = lam.create_function(
            FunctionName=f.name,
            Runtime=f.runtime,
            Handler=f.handler,
            Role=f"arn:aws:iam::{ACCOUNT}:role/{f.role}",
            Code={"ZipFile": package},
            MemorySize=f.memory,
            Timeout=f.timeout,
            Environment={"Variables": f.env},
        )
        fn_arn = created["FunctionArn"]
        if f.concurrency is not None:
            lam.put_function_concurrency(FunctionName=f.name, ReservedConcurrentExecutions=f.concurrency)
        if f.url:
            lam.create_function_url_config(FunctionName=f.name, AuthType=f.url)
            if f.url == "NONE":
                lam.add_permission(
                    FunctionName=f.name,
                    StatementId="public-url",
                    Action="lambda:InvokeFunctionUrl",
                    Principal="*",
                    FunctionUrlAuthType="NONE",
                )
                counts["permissions"] += 1
        if f.apigw_permission == "api":
            lam.add_permission(
                FunctionName=f.name,
                StatementId="http-api",
                Action="lambda:InvokeFunction",
                Principal="apigateway.amazonaws.com",
                SourceArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api}/*/*",
            )
            counts["permissions"] += 1
        elif f.apigw_permission == "any":  # any API Gateway API of any account may invoke it
            lam.add_permission(
                FunctionName=f.name,
                StatementId="any-api",
                Action="lambda:InvokeFunction",
                Principal="apigateway.amazonaws.com",
            )
            counts["permissions"] += 1
        if f.http_route:
            integration = c.apigatewayv2.create_integration(
                ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=fn_arn, PayloadFormatVersion="2.0"
            )["IntegrationId"]
            # Half the routes are open, half need SigV4 (AWS_IAM). No JWT authorizer: moto 5.2.6 does not
            # implement apigatewayv2 GetAuthorizers (HTTP 500), so the reader could not see it anyway.
            c.apigatewayv2.create_route(
                ApiId=api,
                RouteKey=f"ANY /items/{f.name}",
                Target=f"integrations/{integration}",
                AuthorizationType="AWS_IAM" if i % 2 else "NONE",
            )
            counts["routes"] += 1
        if f.queue:
            url = c.sqs.create_queue(QueueName=f"{f.name}-queue")["QueueUrl"]
            queue_arn = c.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=f.name, BatchSize=10)
            counts["mappings"] += 1
        if f.retention is not None:
            group = f"/aws/lambda/{f.name}"
            c.logs.create_log_group(logGroupName=group)
            c.logs.put_retention_policy(logGroupName=group, retentionInDays=f.retention)
            counts["log_groups"] += 1

    _pooled(function, enumerate(functions))
    return Built(
        functions=len(functions),
        roles=len(roles),
        urls=sum(1 for f in functions if f.url),
        permissions=counts["permissions"],
        routes=counts["routes"],
        mappings=counts["mappings"],
        log_groups=counts["log_groups"],
        secrets=sum(1 for f in functions if any(k not in ("TABLE_NAME", "LOG_LEVEL") for k in f.env)),
        seconds=time.perf_counter() - started,
    )


# --------------------------------------------------------------------------------------------
# The scan runs
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Measured:
    run: Run
    report: dict[str, Any]
    requests: int


def fnaudit_cmd(exe: Path, endpoint: str, output: Path) -> list[str]:
    return [str(exe), "scan", f"aws:{REGION}", "--endpoint-url", endpoint, "-f", "json", "-o", str(output)]


def measure(exe: Path, server: Server, env: dict[str, str], output: Path) -> Measured:
    before = server.requests_logged()
    run = run_measured(fnaudit_cmd(exe, server.url, output), Path(os.devnull), env)
    time.sleep(0.2)  # the server logs a request after answering it
    try:
        report = json.loads(output.read_text())
    except (OSError, ValueError):
        report = {}
    return Measured(run, report, server.requests_logged() - before)


def _median(values: Iterable[float]) -> float:
    got = list(values)
    return statistics.median(got) if got else 0.0


def print_table(n: int, runs: list[Measured]) -> None:
    ok = [m for m in runs if m.run.rc in (0, 1)]
    if not ok:
        tail = runs[-1].run.stderr_tail.strip()[-1500:] if runs else ""
        print(f"every run failed (exit {[m.run.rc for m in runs]}): {tail}")
        return
    last = ok[-1].report
    findings = [f for f in last.get("findings", []) if not f.get("suppressed")]
    wall = _median(m.run.wall for m in ok)
    print()
    print(
        f"{'N':>6}  {'wall':>8}  {'tree RSS':>9}  {'tree PSS':>9}  {'functions':>9}  {'findings':>8}  "
        f"{'errors':>6}  {'API requests':>12}"
    )
    print(
        f"{n:>6}  {wall:>7.2f}s  {_median(m.run.tree_peak_kb for m in ok) / 1024:>6.0f} MB  "
        f"{_median(m.run.pss_peak_kb for m in ok) / 1024:>6.0f} MB  {len(last.get('functions', [])):>9}  "
        f"{len(findings):>8}  {len(last.get('errors', [])):>6}  {int(_median(m.requests for m in ok)):>12}"
    )
    stages: dict[str, list[float]] = {}
    for m in ok:
        for key, value in m.report.get("stats", {}).get("stages", {}).items():
            stages.setdefault(key, []).append(float(value))
    med = {k: _median(v) for k, v in stages.items()}
    print()
    print(
        "stages (median over the runs, seconds; `engines` spans code/secrets/deps/iam, which may overlap in workers):"
    )
    order = ["account", "account-download", "load", "engines", "code", "secrets", "deps", "iam", "rules", "suppress"]
    for key in [*order, *sorted(set(med) - set(order))]:
        if key in med:
            print(f"  {key:<18}{med[key]:>8.2f} s  {100 * med[key] / wall:>5.1f} % of wall")
    code = sum(med.get(k, 0.0) for k in ("code", "secrets", "deps"))
    print(
        f"  reading the account {med.get('account', 0.0):.2f} s ({100 * med.get('account', 0.0) / wall:.0f} % of wall; "
        f"downloads {med.get('account-download', 0.0):.2f} s summed over threads); analysing the packages' code "
        f"(code + secrets + deps) {code:.2f} s ({100 * code / wall:.0f} %)"
    )
    rules = Counter(f.get("rule_id", "?") for f in findings)
    print()
    print("findings by rule: " + ", ".join(f"{r} {k}" for r, k in sorted(rules.items())))
    if last.get("errors"):
        kinds = Counter(str(e.get("message", ""))[:70] for e in last["errors"])
        print("errors: " + "; ".join(f"{k}× {m}" for m, k in kinds.most_common(5)))


def request_breakdown(log: Path, start_line: int) -> list[str]:
    """Requests the server logged from `start_line` on, by call shape (names and ids replaced) and status."""
    lines = log.read_text(errors="replace").splitlines()[start_line:]
    kinds: Counter[str] = Counter()
    for m in _request_lines("\n".join(lines)):
        path = re.sub(r"/functions/[^/?]+", "/functions/{name}", m["path"].split("?")[0])
        path = re.sub(r"/(apis|restapis)/[^/?]+", r"/\1/{id}", path)
        if path == "/":  # the query and JSON protocols name the action in the body, not the path
            path = "/ (sts, iam, logs, events, sns, sqs: action in the body)"
        kinds[f"{m['verb']} {path} -> {m['status']}"] += 1
    return [f"{count:>8}  {shape}" for shape, count in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))]


# --------------------------------------------------------------------------------------------
# Profile (in process)
# --------------------------------------------------------------------------------------------


def profile(endpoint: str, env: dict[str, str], folder: Path) -> None:
    from fnaudit.account import target as account_target
    from fnaudit.account.scan import scan_account

    os.environ.clear()
    os.environ.update(env)
    target = account_target.parse(f"aws:{REGION}", None, (), endpoint, False)
    prof = cProfile.Profile()
    started = time.perf_counter()
    prof.enable()
    result = scan_account(target)
    prof.disable()
    wall = time.perf_counter() - started
    prof.dump_stats(str(folder / "scan.prof"))
    print(f"\nprofile: scan_account in process: {wall:.2f} s, {len(result.findings)} findings")
    print(f"stages: {result.stats.stages}")
    for key in ("cumulative", "tottime"):
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats(key).print_stats(25)
        print(f"\n--- top 25 by {key} (main thread; {folder / 'scan.prof'}) ---")
        print("\n".join(text.getvalue().splitlines()[6:]))


# --------------------------------------------------------------------------------------------


def find_fnaudit(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    for candidate in (Path(sys.executable).parent / "fnaudit", REPO / ".venv" / "bin" / "fnaudit"):
        if candidate.exists():
            return candidate
    sys.exit("fnaudit not found beside this Python nor in the repo's .venv; pass --fnaudit PATH")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--functions", type=int, default=1000, help="functions in the account (default 1,000)")
    parser.add_argument("--runs", type=int, default=3, help="timed scans (median; 0: set the account up only)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--fnaudit", metavar="PATH", help="fnaudit executable (default: the one beside this Python)")
    parser.add_argument("--keep", action="store_true", help="leave the emulator running afterwards, for manual runs")
    parser.add_argument("--profile", action="store_true", help="also profile scan_account in process (cProfile)")
    args = parser.parse_args(argv)
    if args.functions < 1 or args.runs < 0:
        parser.error("--functions must be at least 1 and --runs at least 0")
    fnaudit = find_fnaudit(args.fnaudit)
    folder = OUT / f"aws-{args.functions}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    packages = folder / "packages"

    for line in machine_lines(fnaudit, None):
        print(line)
    print(f"runs    : median of {args.runs}, after one untimed run; account from bench/aws.py seed {args.seed}")
    load = os.getloadavg()
    print(f"load    : {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min) when the setup began")
    server = Server(folder / "moto.log")
    server.start()
    try:
        env = aws_env(folder, server.url)
        env["FNAUDIT_AWS_PACKAGE_DIR"] = str(packages)
        env["FNAUDIT_DB"] = str(folder / "advisories")
        subprocess.run(
            [str(fnaudit), "db", "import", str(ADVISORIES), "--db", env["FNAUDIT_DB"]],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})  # this script's own clients
        for name in _CLEARED:
            os.environ.pop(name, None)
        print(f"emulator: moto {_moto_version()} at {server.url} (pid {server.process.pid if server.process else '?'})")
        built = build_account(server.url, plan_functions(args.functions, args.seed), packages)
        print(f"setup   : {built.line()}; {built.seconds:.1f} s (not part of the figures)", flush=True)

        runs: list[Measured] = []
        if args.runs:
            warm_start = len(server.log.read_text(errors="replace").splitlines())
            warm = measure(fnaudit, server, env, folder / "report-warmup.json")
            print(f"untimed : exit {warm.run.rc}, {warm.run.wall:.2f} s, {warm.requests} API requests", flush=True)
            print("requests of that run, by call and status:")
            print("\n".join(request_breakdown(server.log, warm_start)))
            for i in range(args.runs):
                runs.append(measure(fnaudit, server, env, folder / f"report-{i + 1}.json"))
                print(f"  run {i + 1}: exit {runs[-1].run.rc}, {runs[-1].run.wall:.2f} s", flush=True)
            print_table(args.functions, runs)
            print(f"\nreports and the server log: {folder}")
        if args.profile:
            profile(server.url, env, folder)
    finally:
        if not args.keep:
            server.stop()
    if args.keep and server.process is not None:
        exports = " ".join(f"{k}={env[k]}" for k in _KEPT_ENV)
        print(
            f"\nemulator left running: pid {server.process.pid}, {server.url}; stop it with `kill {server.process.pid}`"
        )
        print(f"scan it: env {exports} {fnaudit} scan aws:{REGION} --endpoint-url {server.url}")
    return 0


def _moto_version() -> str:
    try:
        from importlib.metadata import version

        return version("moto")
    except Exception:  # noqa: BLE001 - a version line is informational
        return "?"


if __name__ == "__main__":
    sys.exit(main())
