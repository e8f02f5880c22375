"""The local AWS emulator the `aws:` target tests run against: moto's server, never a real account.

Two servers:

- `EmbeddedEmulator`: `moto.server.ThreadedMotoServer` in this process, on 127.0.0.1 and a free port, reset
  before each test (`POST /moto-api/reset`). It never checks credentials or permissions. To keep that reset
  cheap it knows only the AWS managed policies in `MANAGED_POLICIES` (their real documents, from moto's own
  data): loading all 1,595 of them costs 0.5 s at the first IAM call after every reset. It also answers the
  read calls moto lacks (`_fill_moto_gaps`: apigatewayv2 GetAuthorizers).
- `EnforcingEmulator`: a second moto server in a subprocess (`python -m moto.server`) started with
  `INITIAL_NO_AUTH_ACTION_COUNT`, so that after that many calls every request must be signed by the access key
  of an IAM user of the emulated account and is checked against that user's policies. A test creates its
  account and users while calls are still free, then `enforce()`s. It is a separate process because moto keeps
  the switch in process-wide state. It loads every AWS managed policy (`MOTO_IAM_LOAD_MANAGED_POLICIES`).

What moto 5.2.6 really enforces in server mode (measured with tests/aws/test_harness.py and by hand: a user
allowed only `lambda:ListFunctions`, `sns:ListTopics` and `s3:ListAllMyBuckets`, and a user allowed `*`):

- iam, sns (query protocol): a call the policy does not allow gets HTTP 403 `AccessDenied`; allowed calls work
  (sts GetCallerIdentity is always allowed, as on AWS).
- s3 (rest-xml): 403 `AccessDenied` likewise; but moto checks ListBuckets as `s3:ListBuckets`, where AWS needs
  `s3:ListAllMyBuckets`, so a policy allowing only the AWS name is refused.
- events, logs, sqs (json): 403 with an XML `AccessDenied` body the JSON parser cannot read, so boto3 reports
  the error code as `403`; allowed calls work.
- lambda, apigateway, apigatewayv2 (rest-json), calls with a body (POST/PUT: CreateFunction, AddPermission,
  CreateApi...): 403, code `403` (XML `AccessDenied` body); allowed calls work.
- lambda, apigateway, apigatewayv2, calls without a body (every GET: ListFunctions, GetFunction, GetPolicy,
  GetApis, GetRoutes...): 403, code `403` (XML `SignatureDoesNotMatch` body) **even for a user allowed `*`**:
  moto signs the request's headers in place of its empty body, so the signatures never match.

So against this emulator, every lambda and API Gateway *read* is refused with HTTP 403 once enforcement is on,
whatever the policy; only iam, sns, s3, events, logs and sqs reads follow the user's policy. A reader that
recognises AccessDenied only by its code must also treat a bare `403` as a denial to pass these tests. To deny
one lambda or API Gateway call and not the others, use `tests.aws.proxy.throttling_proxy` with a rule whose
`code` is `AccessDeniedException` (status 403): it answers in the service's own protocol.
"""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"  # moto's default account: keys it does not know map to it
ACCESS_KEY = "testing"
SECRET_KEY = "testing"
# The AWS managed policies the embedded emulator knows (see the module docstring); extend as tests need.
MANAGED_POLICIES = (
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaRole",
    "AWSXRayDaemonWriteAccess",
    "AdministratorAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonS3FullAccess",
    "AmazonS3ReadOnlyAccess",
    "IAMFullAccess",
    "SecretsManagerReadWrite",
)
_START_TIMEOUT = 30.0
_START_ATTEMPTS = 3


def free_port() -> int:
    """A TCP port nothing listens on now (another process could take it before us: unlikely on a test host)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def moto_api(url: str, path: str, body: bytes = b"") -> Any:
    """POST to moto's own control API (`/moto-api/...`) and return its JSON answer."""
    # text/plain: with urllib's default form content type, Flask would swallow the body as form fields
    request = urllib.request.Request(
        f"{url}/moto-api/{path}", data=body, method="POST", headers={"Content-Type": "text/plain"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # a localhost emulator
        return json.loads(response.read() or b"null")


def client(url: str, service: str, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY, **config: Any) -> Any:
    """A boto3 client of `service` bound to the emulator at `url` (never to AWS), with explicit credentials."""
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(**config) if config else None,
    )


def _only_some_managed_policies(names: tuple[str, ...]) -> None:
    """Make moto's IAM load only `names` of its AWS managed policies (their real documents) at each reset.

    moto reads its managed policy data from a module attribute each time an IAM backend is created; the
    switch that turns the loading on is its user config (`{"iam": {"load_aws_managed_policies": true}}`).
    """
    from moto.core.config import default_user_config
    from moto.iam import aws_managed_policies, models

    # the source module is never changed: reading it again always gives every policy
    every = json.loads(aws_managed_policies.aws_managed_policies_data)
    missing = [name for name in names if name not in every]
    if missing:
        raise ValueError(f"moto has no AWS managed policy named {missing}")
    setattr(models, "aws_managed_policies_data", json.dumps({name: every[name] for name in names}))  # noqa: B010
    default_user_config["iam"] = {"load_aws_managed_policies": True}


def _fill_moto_gaps() -> None:
    """Add to the embedded server the read calls of the account reader that moto 5.2.6 lacks (it answers 500).

    - apigatewayv2 `GetAuthorizers`: moto routes `GET /v2/apis/{id}/authorizers` but has no handler; the
      authorizers it stores (`CreateAuthorizer` works) are listed as AWS lists them.

    A moto that implements a call keeps its own handler. The enforcing subprocess server is plain moto.
    """
    from moto.apigatewayv2.responses import ApiGatewayV2Response

    if not hasattr(ApiGatewayV2Response, "get_authorizers"):

        def get_authorizers(self: Any) -> tuple[int, dict[str, str], str]:
            api = self.apigatewayv2_backend.get_api(self.path.split("/")[-2])
            return 200, {}, json.dumps({"items": [a.to_json() for a in api.authorizers.values()]})

        setattr(ApiGatewayV2Response, "get_authorizers", get_authorizers)  # noqa: B010


@dataclass
class EmbeddedEmulator:
    """moto's threaded server in this process (see the module docstring)."""

    url: str = ""
    _server: Any = None

    def start(self) -> str:
        import logging

        from moto.server import ThreadedMotoServer

        # one line per request on stderr is noise in a failing test's output; errors still show
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        _only_some_managed_policies(MANAGED_POLICIES)
        _fill_moto_gaps()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self.url

    def reset(self) -> None:
        moto_api(self.url, "reset")

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


@dataclass
class EnforcingEmulator:
    """A moto server in a subprocess that checks signatures and IAM policies after `no_auth_calls` calls."""

    log: Path
    no_auth_calls: int = 0
    url: str = ""
    _process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        # the free port may be taken before the server binds it: then it exits at once, and a new port is tried
        for _ in range(_START_ATTEMPTS):
            if self._start_on(free_port()):
                return self.url
        raise RuntimeError(f"moto server exited with {self._exit_code()}: {self._tail()}")

    def _start_on(self, port: int) -> bool:
        """Start the server on `port`; False if it exited before answering (the port was taken)."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("AWS_")  # the server needs no credentials and must not see real ones
        }
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self.no_auth_calls)
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        with self.log.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._process = process
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + _START_TIMEOUT
        while process.poll() is None:
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=2):
                    pass
            except OSError:  # refused, reset or timed out (URLError is one too)
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto server did not answer on {self.url}: {self._tail()}") from None
                time.sleep(0.05)
                continue
            # something answered: it is ours only if our process is still running (not another server's port)
            return process.poll() is None
        return False

    def _exit_code(self) -> int | None:
        return None if self._process is None else self._process.returncode

    def _tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-2000:]

    def reset(self, free_calls: float = math.inf) -> None:
        """Forget every resource; the next `free_calls` calls need no credentials (then `enforce()`)."""
        moto_api(self.url, "reset")
        self.allow_unauthenticated(free_calls)

    def allow_unauthenticated(self, calls: float) -> None:
        """The next `calls` calls are not checked (moto's `INITIAL_NO_AUTH_ACTION_COUNT`, counted afresh)."""
        moto_api(self.url, "reset-auth", str(calls).encode())

    def enforce(self) -> None:
        """From now on every call must be signed by a known access key and allowed by its user's policies."""
        self.allow_unauthenticated(0)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None


def user_with_policy(endpoint: str, policy_document: dict[str, Any], name: str = "auditor") -> tuple[str, str]:
    """Create IAM user `name` with `policy_document` as its only (inline) policy; return its access key pair.

    Call it while the emulator still allows unauthenticated calls (it makes three).
    """
    iam = client(endpoint, "iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(policy_document))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return str(key["AccessKeyId"]), str(key["SecretAccessKey"])
