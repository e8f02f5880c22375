"""Secrets judged by value, not by name alone (issue 22): an expression, a path, the name of a secret, a
record key, a format string or a connection string without a password is not a secret whatever its
variable is called, and known-meaning AWS SDK parameters (`Key`, `SecretId`, …) are never judged by their
name. Every value here is fake, made up for the tests."""

from __future__ import annotations

import pytest

from fnaudit.engines.secrets.context import Place, judge
from fnaudit.engines.secrets.scanner import scan_text, sdk_parameter

RANDOM = "Rt9xQ2mZk8Lp4Vb7Wq3Zz"  # the texture of a credential, so only the name or the slot can clear it


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("api_key", "os.environ['API_KEY']"),
        ("password", "getpass.getpass()"),
        ("apiKey", "req.headers['x-api-key']"),
        ("secret", "MySecretName-Prod"),
        ("token_secret", "prod/app/TokenSecret"),
        ("key", "user#123#profile"),
        ("token", "USER#{}#TOKEN"),
        ("DSN", "host=orders.cluster-abc.eu-west-1.rds.amazonaws.com dbname=orders sslmode=disable"),
        ("connection_string", "Server=db.internal;Database=orders;Encrypt=true"),
    ],
)
def test_values_that_are_not_secrets(key: str, value: str) -> None:
    assert judge(key, value, Place.CODE) is None


@pytest.mark.parametrize(
    ("key", "value", "detector"),
    [
        ("DSN", "host=db dbname=orders user=app password=Zq8vLm2Rt9xQ", "generic-secret"),
        (
            "connection_string",
            "Server=db;Database=orders;Password=Zq8vLm2Rt9xQ",
            "odbc-connection-string-password",
        ),
        ("password", "Summer-Wind-2024", "generic-password"),
        ("password", "MyPassword-2024", "generic-password"),  # mentions its word, but a number makes it a password
        ("secret", "CorrectHorseBatteryStaple9", "generic-secret"),
        ("token", RANDOM, "generic-secret"),
        ("key", "user#Rt9xQ2mZk8Lp4Vb7", "generic-secret"),
    ],
)
def test_secrets_that_look_alike_are_still_found(key: str, value: str, detector: str) -> None:
    verdict = judge(key, value, Place.CODE)
    assert verdict is not None and verdict.detector == detector


@pytest.mark.parametrize(
    "line",
    [
        f'obj = s3.get_object(Bucket="acme", Key="{RANDOM}")',
        f'    Key="{RANDOM}",',
        f'sm.get_secret_value(SecretId="{RANDOM}")',
        f'kms.decrypt(KeyId="{RANDOM}", CiphertextBlob=blob)',
    ],
)
def test_python_sdk_keyword_arguments_are_not_judged_by_name(line: str) -> None:
    assert scan_text("src/handler.py", line + "\n", Place.CODE, "code") == []


@pytest.mark.parametrize(
    "line",
    [
        f'await s3.send(new GetObjectCommand({{ Bucket: "acme", Key: "{RANDOM}" }}));',
        f'  Key: "{RANDOM}",',
        f'await sm.getSecretValue({{ SecretId: "{RANDOM}" }}).promise();',
    ],
)
def test_js_sdk_object_keys_are_not_judged_by_name(line: str) -> None:
    assert scan_text("src/handler.js", line + "\n", Place.CODE, "code") == []


def test_a_credential_format_in_an_sdk_parameter_is_still_found() -> None:
    text = 'put(Bucket="b", Key="AKIAIOSFODNN7ABCDEFG")\nsend({ Key: "sk_live_51HxQ2mZk8Lp4Vb7Wq3Zz9aB" })\n'
    found = scan_text("src/handler.js", text, Place.CODE, "code")
    assert [(f.line, f.verdict.detector) for f in found] == [(1, "aws-access-key-id"), (2, "stripe-secret-key")]


def test_lowercase_key_variable_is_still_judged_by_name() -> None:
    found = scan_text("src/handler.py", f'key = "{RANDOM}"\n', Place.CODE, "code")
    assert [(f.line, f.key, f.verdict.detector) for f in found] == [(1, "key", "generic-secret")]


@pytest.mark.parametrize(
    ("key", "before", "expected"),
    [
        ("Key", "s3.get_object(Bucket=b, Key=", True),
        ("Key", "    Key=", True),
        ("Key", "{ Key: ", True),
        ("Key", "Key == ", False),
        ("key", "get(key=", False),
        ("ApiKey", "call(ApiKey=", False),
    ],
)
def test_sdk_parameter(key: str, before: str, expected: bool) -> None:
    assert sdk_parameter(key, before) is expected


def test_format_string_pieces_that_join_an_address_are_not_secrets() -> None:
    text = "const c = { connectionString: `postgres://sync@${host}/orders?sslmode=disable` };\n"
    assert scan_text("src/db.js", text, Place.CODE, "code") == []


def test_random_piece_of_a_format_string_is_still_found() -> None:
    text = f'PARTNER_TOKEN = f"{RANDOM}{{suffix}}"\n'
    found = scan_text("src/handler.py", text, Place.CODE, "code")
    assert [(f.line, f.key, f.verdict.detector) for f in found] == [(1, "PARTNER_TOKEN", "generic-secret")]


@pytest.mark.parametrize(
    ("path", "text", "key"),
    [
        ("src/db.js", "const connectionString = `postgres://admin:Hunter2Secure9@${host}/db`;\n", "connectionString"),
        ("src/db.py", 'conn_string = f"{user}:Hunter2Secure9@{host}"\n', "conn_string"),
    ],
)
def test_password_written_in_an_address_format_is_still_found(path: str, text: str, key: str) -> None:
    found = scan_text(path, text, Place.CODE, "code")
    assert [(f.line, f.key, f.verdict.detector) for f in found] == [(1, key, "generic-secret")]
