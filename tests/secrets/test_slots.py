"""Secrets, widened (issue 14): short password words as names, signing-key slots reported whatever the
value's entropy, literal passwords given to AWS credential APIs, and the same in IaC resource properties
(SECRET006). Every value here is fake, made up for the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.engines.secrets.context import Place, judge, secret_word
from fnaudit.engines.secrets.scanner import scan_text
from fnaudit.engines.secrets.slots import CREDENTIAL_API, SIGNING_KEY, call_slots
from fnaudit.pipeline import scan
from tests.conftest import SCAN_DATE


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("db_pw", "pw"),
        ("adminPwd", "pwd"),
        ("PASS", "pass"),
        ("SMTP_PASS", "pass"),
        ("db-passwd", "passwd"),
        ("backupPassphrase", "passphrase"),
        ("user_pass_word", "pass"),
    ],
)
def test_short_password_words_name_a_password(name: str, word: str) -> None:
    assert secret_word(name) == (word, True)


@pytest.mark.parametrize(
    "name",
    [
        "password_reset_url",
        "passenger",
        "compass",
        "bypass",
        "pass_through",
        "PASS_THROUGH_MODE",
        "first_pass",
        "boarding_pass",
        "passThrough",
        "pw_min_length",
    ],
)
def test_words_that_only_contain_pass_are_no_password(name: str) -> None:
    assert secret_word(name) is None


def _found(text: str, rel: str = "handler.py") -> list[tuple[int, str | None, str, tuple[str, ...]]]:
    return [(f.line, f.key, f.verdict.what, f.verdict.flags) for f in scan_text(rel, text, Place.CODE, "code")]


def test_signing_key_slots_are_reported_whatever_the_value() -> None:
    text = (
        'app.secret_key = "dev"\n'
        'app.config["SECRET_KEY"] = "keyboard cat"\n'
        'JWT_SECRET = "changeme"\n'
        'COOKIE_SECRET = "<set in Secrets Manager>"\n'  # left to be filled in: not a key
        'SIGNING_KEY = "signing-key"\n'  # a constant naming the setting
        'JWT_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:jwt-AbCdEf"\n'
        'pass_through = "enabled-x1"\n'  # was reported as a password before the fix
    )
    assert _found(text) == [
        (1, "secret_key", "a session signing key", (SIGNING_KEY,)),
        (2, "SECRET_KEY", "a session signing key", (SIGNING_KEY,)),
        (3, "JWT_SECRET", "a JWT signing key", (SIGNING_KEY,)),
    ]


def test_key_arguments_of_signing_calls_across_lines_and_outside_comments() -> None:
    text = (
        "def handler(event, context):\n"
        '    """Sign it, as the docs do: ``jwt.encode(payload, "secret")``."""\n'
        '    # hmac.new(b"key") in a comment is no call\n'
        "    claims = jwt.decode(\n"
        '        event["token"],\n'
        '        "secret",\n'
        '        algorithms=["HS256"],\n'
        "    )\n"
        '    mac = hmac.new(key=b"k3y", msg=b"m")\n'
        '    return jwt.encode(claims, os.environ["KEY"])\n'
    )
    assert _found(text) == [
        (6, None, "a JWT signing key passed to jwt.decode()", (SIGNING_KEY,)),
        (9, None, "an HMAC key passed to hmac.new()", (SIGNING_KEY,)),
    ]


def test_javascript_signing_calls_and_middleware_secrets() -> None:
    text = (
        "app.use(\n"
        "  session({\n"
        "    resave: false,\n"
        "    secret: 'keyboard cat',\n"
        "  }),\n"
        ");\n"
        "const labels = { secret: 'Secret' };\n"  # an i18n label outside any session call
        "app.use(cookieParser('secret'));\n"
        "const header = jwt.decode(token, { complete: true });\n"  # jsonwebtoken's decode takes no key
        "// jwt.sign(payload, 'shhhhh')\n"
        "const sig = crypto.createHmac('sha256', 'key').update(x).digest('hex');\n"
    )
    assert _found(text, "app.js") == [
        (4, "secret", "a session signing key", (SIGNING_KEY,)),
        (8, None, "a cookie signing key passed to cookieParser()", (SIGNING_KEY,)),
        (11, None, "an HMAC key passed to crypto.createHmac()", (SIGNING_KEY,)),
    ]
    assert sorted(c.line for c in call_slots(text, python=False)) == [8, 11]


def test_placeholder_passwords_given_to_credential_apis_are_reported() -> None:
    text = (
        "cognito.admin_create_user(\n"
        "    UserPoolId=pool,\n"
        '    TemporaryPassword="changeme!",\n'
        ")\n"
        'form = {"Password": "changeme"}\n'  # no credential call: a placeholder stays one
        'await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: p, Password: "admin" }));\n'
        "client.admin_set_user_password(UserPoolId=p, Username=u, Password=generated)\n"
    )
    assert _found(text) == [
        (3, "TemporaryPassword", "a password", (CREDENTIAL_API,)),
        (6, "Password", "a password", (CREDENTIAL_API,)),
    ]


def test_a_function_environment_keeps_judging_placeholders_as_placeholders() -> None:
    # SECRET001 reads the environment: `JWT_SECRET: changeme` there is a value to fill in per stage
    assert judge("JWT_SECRET", "changeme", Place.ENVIRONMENT) is None
    verdict = judge("DB_PW", "hunter22", Place.ENVIRONMENT)
    assert verdict is not None and verdict.what == "a password"


SLS = """\
service: accounts
provider:
  name: aws
  runtime: python3.13
functions:
  signup:
    handler: handler.main
resources:
  Resources:
    Database:
      Type: AWS::RDS::DBInstance
      Properties:
        MasterUsername: app
        MasterUserPassword: changeme
        ManageMasterUserPassword: "false"
    Pool:
      Type: AWS::Cognito::UserPool
      Properties:
        Policies:
          PasswordPolicy:
            TemporaryPasswordValidityDays: 7
    Other:
      Type: AWS::RDS::DBInstance
      Properties:
        MasterUserPassword: ${ssm:/accounts/db-password}
"""

HANDLER = """\
import boto3
import jwt

def main(event, context):
    boto3.client("cognito-idp").admin_create_user(UserPoolId="p", Username="u", TemporaryPassword="changeme!")
    return jwt.encode({"sub": "u"}, "secret")
"""


def test_scan_reports_slots_with_the_reason_and_never_the_value(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(SLS, encoding="utf-8")
    (tmp_path / "handler.py").write_text(HANDLER, encoding="utf-8")
    result = scan(tmp_path, Config(select=("SECRET",), today=SCAN_DATE))
    got = sorted((f.rule_id, f.location.path, f.location.line, f.message) for f in result.findings)
    assert got == [
        (
            "SECRET002",
            "handler.py",
            5,
            "function signup: a password passed as TemporaryPassword to an AWS credential API is written in the "
            "code (c…(9 chars)) (reported even when it looks like a placeholder: once deployed it is the "
            "account's real password)",
        ),
        (
            "SECRET002",
            "handler.py",
            6,
            "function signup: a JWT signing key passed to jwt.encode() is written in the code (s…(6 chars)) "
            "(reported whatever it looks like: whoever reads this key can forge what it signs)",
        ),
        (
            "SECRET006",
            "serverless.yml",
            14,
            "resource Database (AWS::RDS::DBInstance): MasterUserPassword holds a password written in the "
            "template (c…(8 chars)) (reported even when it looks like a placeholder: once deployed it is the "
            "real password)",
        ),
    ]
    assert all("changeme" not in f.evidence and 'secret"' not in f.evidence for f in result.findings)
    [sec006] = [f for f in result.findings if f.rule_id == "SECRET006"]
    assert "ManageMasterUserPassword: true" in sec006.remediation


@pytest.mark.parametrize(
    ("value", "reported"),
    [
        ("dev", True),
        ("keyboard cat", True),
        ("changeme", True),
        ("your-secret-key", True),  # a tutorial's value, deployed as it is
        ("${JWT_SECRET}", False),  # filled in by a build
        ("<your-secret>", False),  # left to be filled in
        ("xxxxxxxxxxxx", False),
        ("example-jwt-secret", False),  # documentation
        ("JWT_SECRET_VALUE", False),  # the name of another variable
        ("/accounts/prod/jwt-secret", False),  # a parameter path
        ("jwt-secret", False),  # the setting's own name
        ("The key used to sign tokens", False),  # a settings schema's description
        ("", False),
    ],
)
def test_what_a_signing_slot_reports(value: str, reported: bool) -> None:
    assert (judge("jwt_secret", value, Place.CONFIG) is not None) is reported


def test_slot_examples_in_python_docstrings_are_documentation() -> None:
    text = 'def configure(app):\n    """Bad:\n\n    app.secret_key = "dev"\n    """\n    app.secret_key = "dev"\n'
    assert _found(text) == [(6, "secret_key", "a session signing key", (SIGNING_KEY,))]


CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DbPassword:
    Type: String
    Default: changeme
  UserPass:
    Type: String
    Default: changeme
  ApiKey:
    Type: String
    Default: changeme
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUserPassword: !Ref DbPassword
  Operator:
    Type: AWS::IAM::User
    Properties:
      LoginProfile:
        Password: !Sub "${UserPass}"
        PasswordResetRequired: true
"""


def test_a_placeholder_default_that_a_password_property_takes_is_reported(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(CFN, encoding="utf-8")
    result = scan(tmp_path, Config(select=("SECRET",), today=SCAN_DATE))
    got = sorted((f.rule_id, f.location.line, f.message) for f in result.findings)
    note = "(reported even when it looks like a placeholder: once deployed it is the account's real password)"
    # ApiKey's `changeme` is a placeholder no password property takes: not reported
    assert got == [
        ("SECRET004", 5, f"parameter DbPassword has a password as its default and no NoEcho (c…(8 chars)) {note}"),
        ("SECRET004", 8, f"parameter UserPass has a password as its default and no NoEcho (c…(8 chars)) {note}"),
    ]


def test_a_sample_file_keeps_its_placeholders_but_not_its_keys() -> None:
    text = "JWT_SECRET=change-me\nSESSION_SECRET=s3ss10n-Key-2026\n"
    got = [(f.line, f.key, f.verdict.flags) for f in scan_text(".env.example", text, Place.CONFIG, "env")]
    assert got == [(2, "SESSION_SECRET", (SIGNING_KEY, "sample-file"))]


def test_a_random_password_of_letters_only_is_not_taken_for_a_name() -> None:
    """Found by bench/frameworks.py --weaknesses: `passwd = "BfwhsgPYTbWJ"` was judged a code identifier (letters
    only) and missed; a name reads as words a person could say, a random password does not."""
    text = 'passwd = "BfwhsgPYTbWJ"\ndb_password = "accessToken"\nsmtp_pass = "SMTP_PASSWORD"\n'
    assert [line for line, *_ in _found(text)] == [1]
