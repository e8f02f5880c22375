"""Fixtures of the `aws:` target tests: a local moto emulator, fake credentials, the fixture account.

Nothing here can reach AWS: every client gets the emulator's endpoint, `AWS_ENDPOINT_URL` points any client
built without one at the emulator too, the credentials are fake, the instance metadata service is switched off,
and the AWS config and credentials files are empty ones, so no real profile is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fnaudit.cli import main
from tests.aws.emulator import (
    ACCESS_KEY,
    ACCOUNT_ID,
    REGION,
    SECRET_KEY,
    EmbeddedEmulator,
    EnforcingEmulator,
    client,
)

AWS_TESTS = Path(__file__).parent
SHOP = AWS_TESTS / "fixtures" / "shop"
ADVISORIES = AWS_TESTS / "advisories"

# Variables that could lead boto3 to real credentials, a real profile or a real endpoint.
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


@dataclass(frozen=True)
class AwsEnv:
    """The emulator a test talks to, with the fake identity the environment now holds."""

    endpoint: str
    region: str = REGION
    account_id: str = ACCOUNT_ID

    def client(self, service: str, **config: Any) -> Any:
        return client(self.endpoint, service, **config)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """URL of an in-process moto server on 127.0.0.1 (one per test session and xdist worker)."""
    emulator = EmbeddedEmulator()
    url = emulator.start()
    try:
        yield url
    finally:
        emulator.stop()


def _fake_credentials(monkeypatch: pytest.MonkeyPatch, folder: Path, endpoint: str) -> None:
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    config = folder / "aws-config"
    credentials = folder / "aws-credentials"
    config.write_text("", encoding="utf-8")
    credentials.write_text("", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # a client made without endpoint_url still lands on the emulator, never on AWS
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> AwsEnv:
    """An empty emulated account (the server is reset) and an environment holding only fake credentials."""
    EmbeddedEmulator(url=moto_endpoint).reset()
    _fake_credentials(monkeypatch, tmp_path_factory.mktemp("aws-home"), moto_endpoint)
    return AwsEnv(moto_endpoint)


@pytest.fixture(scope="session")
def _enforcing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EnforcingEmulator]:
    emulator = EnforcingEmulator(log=tmp_path_factory.mktemp("moto-enforcing") / "server.log", no_auth_calls=0)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def enforcing_endpoint(
    _enforcing_server: EnforcingEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> EnforcingEmulator:
    """The IAM-enforcing emulator, reset: calls are free until the test calls `enforce()`.

    Typical use: `build_account(e.url)`, `keys = user_with_policy(e.url, policy)`, `e.enforce()`, then read
    with `keys`. See tests/aws/emulator.py for which services moto really checks.
    """
    _enforcing_server.reset()
    _fake_credentials(monkeypatch, tmp_path_factory.mktemp("aws-home"), _enforcing_server.url)
    return _enforcing_server


@pytest.fixture(scope="session")
def aws_advisory_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An advisory store holding tests/aws/advisories (the shop fixture's vulnerable packages): pass as `--db`."""
    store = tmp_path_factory.mktemp("aws-advisories")
    assert main(["db", "import", str(ADVISORIES), "--db", str(store)]) == 0
    return store


@pytest.fixture
def no_retry_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore retries at once: no backoff sleep, no adaptive rate limiting.

    Which errors are retried, and how many times, is unchanged; only the waiting goes (measured: a call
    throttled four times waits 4-7 s in adaptive mode without this, 0.15 s with it).
    """
    from botocore.retries import bucket, standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    monkeypatch.setattr(bucket.TokenBucket, "acquire", lambda self, amount=1, block=True: True)
