"""Is this value a secret, here? Judged from the key's name, the value's shape and entropy, and
where it sits. Shared by SECRET001 (function environment) and the file scanner (code, config,
template parameters).

The name says what the value is meant to be (`DB_PASSWORD`); the value says whether it is the
secret itself or something standing for it: a placeholder (`changeme`, `<your-key>`, `${…}`,
`AKIA…EXAMPLE`, `xxxx`), a flag (`yes`), a reference to a secret store (`${ssm:…}`,
`{{resolve:secretsmanager:…}}`, an ARN, `/app/db/password`), an identifier (a UUID, a commit SHA,
a handler path, a bucket or log-group name). Only the first kind is a plaintext secret. A value in
a test fixture still counts, at a lower confidence.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import PurePosixPath

from fnaudit.engines.secrets.detectors import (
    AWS_SECRET_ACCESS_KEY,
    GENERIC_PASSWORD,
    GENERIC_SECRET,
    URL_DETECTORS,
    Confidence,
    Detector,
    detect_all,
)
from fnaudit.engines.secrets.entropy import is_high_entropy
from fnaudit.engines.secrets.slots import (
    API_PASSWORD,
    API_PASSWORD_PARAM,
    AWS_ONLY_PASSWORD_PARAMS,
    COOKIE_KEY,
    HMAC_KEY,
    JWT_KEY,
    SESSION_KEY,
    SIGNING,
    Slot,
    in_credential_call,
    signing_call,
)

# ------------------------------------------------------------------------------------------------
# Key names

# "strong": the value is a secret whatever it looks like (`DB_PASSWORD: admin` is a weak password,
# still a password). "weak": the name is often reused for non-secrets (`AUTH: cognito`), so the
# value must also look like a credential.
_STRONG_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "privatekey",
        "apikey",
        "clientsecret",
        "secretkey",
        "accesskey",
        "connectionstring",
        "connstr",
        "passw",
        "pass",
        "pw",
    }
)
_WEAK_WORDS = frozenset({"token", "auth", "credential", "credentials", "creds", "dsn", "key", "signature", "bearer"})
_STRONG_PAIRS = frozenset(
    {
        ("api", "key"),
        ("private", "key"),
        ("access", "key"),
        ("secret", "key"),
        ("client", "secret"),
        ("signing", "key"),
        ("encryption", "key"),
        ("hmac", "key"),
        ("master", "key"),
        ("connection", "string"),
        ("conn", "string"),
        ("app", "key"),
        ("session", "key"),
        ("license", "key"),
        ("auth", "token"),
        ("access", "token"),
        ("refresh", "token"),
        ("bot", "token"),
        ("api", "token"),
        ("webhook", "secret"),
    }
)
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "passw", "pass", "pw"})
# `pass` is also a verb and a noun that are no password: `pass_through`, `first_pass`, `boarding_pass`.
# It names a password as the last segment of a name (`DB_PASS`, `adminPass`, `PASS`) or before
# `word` / `phrase` (`pass_word`), and not after one of these.
_PASS_FOLLOWERS = frozenset({"word", "phrase", "wd", "w"})
_NOT_PASS_AFTER = frozenset(
    {
        "first",
        "second",
        "third",
        "last",
        "next",
        "single",
        "multi",
        "one",
        "two",
        "boarding",
        "bus",
        "hall",
        "season",
        "day",
        "free",
        "dry",
        "fast",
        "slow",
        "by",
        "can",
        "should",
        "did",
        "will",
        "must",
        "to",
        "no",
        "if",
        "render",
        "build",
        "compile",
    }
)

# Words that say the variable names, locates, configures or describes a secret rather than holds it.
_NOT_SECRET_WORDS = frozenset(
    {
        "arn",
        "name",
        "id",
        "ids",
        "table",
        "bucket",
        "queue",
        "topic",
        "stream",
        "path",
        "param",
        "parameter",
        "ssm",
        "url",
        "uri",
        "endpoint",
        "host",
        "hostname",
        "domain",
        "region",
        "header",
        "type",
        "mode",
        "enabled",
        "enable",
        "disable",
        "disabled",
        "ttl",
        "expiry",
        "expiration",
        "expires",
        "length",
        "timeout",
        "file",
        "filename",
        "dir",
        "location",
        "policy",
        "allow",
        "empty",
        "rotation",
        "version",
        "field",
        "issuer",
        "audience",
        "algorithm",
        "alg",
        "scope",
        "scopes",
        "provider",
        "method",
        "strategy",
        "prefix",
        "suffix",
        "kms",
        "ref",
        "count",
        "size",
        "max",
        "min",
        "lifetime",
        "duration",
        "format",
        "pattern",
        "required",
        "cache",
        "keyid",
        "level",
        "audiences",
        "secretsmanager",
        "vault",
        "public",
        "publishable",
        "hash",
        "hashed",
        "sha",
        "digest",
        "checksum",
        "fingerprint",
        "etag",
        "handler",
        "label",
        "hint",
        "message",
        "msg",
        "description",
        "placeholder",
        "prompt",
        "error",
        "errors",
        "regex",
        "powertools",
        "sid",
        "namespace",
        "env",
        "var",
        "variable",
        "column",
        "input",
        "widget",
        "validator",
        "policies",
        "placeholders",
        "metric",
        "metrics",
        "paths",
        "keys",
        "template",
        "class",
        "style",
        "icon",
        "object",
        "objects",
        "folder",
        "route",
    }
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def tokens(name: str) -> list[str]:
    """`dbPassword` / `DB_PASSWORD` / `db-password` → ['db', 'password']."""
    return [t.lower() for t in re.split(r"[^A-Za-z0-9]+", _CAMEL.sub("_", name)) if t]


def secret_word(name: str) -> tuple[str, bool] | None:
    """The secret word in a key name and whether it is a strong one; None when the name does not
    say "secret", or says it names/locates/configures one (`DB_PASSWORD_SECRET_ARN`)."""
    toks = tokens(name)
    if not toks or any(t in _NOT_SECRET_WORDS for t in toks):
        return None
    pairs = sorted(set(itertools.pairwise(toks)) & _STRONG_PAIRS)
    if pairs:
        pair = "".join(pairs[0])
        if pair.endswith("token"):
            return "token", True
        return pair, True
    for i, t in enumerate(toks):
        if t == "pass" and not _pass_is_password(toks, i):
            continue
        if t in _STRONG_WORDS:
            return t, True
    for t in reversed(toks):  # the last word is the noun: AUTH_TOKEN is a token
        if t in _WEAK_WORDS:
            return t, False
    return None


def is_password_name(name: str) -> bool:
    """A property or parameter whose last word says it holds a password (`MasterUserPassword`, `DbPw`,
    `LoginProfile.Password`), not one about passwords (`TemporaryPasswordValidityDays`, `PassThrough`)."""
    toks = tokens(name)
    if not toks or toks[-1] not in _PASSWORD_WORDS:
        return False
    return toks[-1] != "pass" or _pass_is_password(toks, len(toks) - 1)


def _pass_is_password(toks: list[str], i: int) -> bool:
    """`pass` at `toks[i]` names a password (`db_pass`), not a pass (`pass_through`, `first_pass`)."""
    if i > 0 and toks[i - 1] in _NOT_PASS_AFTER:
        return False
    return i == len(toks) - 1 or toks[i + 1] in _PASS_FOLLOWERS


# ------------------------------------------------------------------------------------------------
# Values that stand for a secret, or are something else

_PLACEHOLDERS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "password",
        "secret",
        "token",
        "xxx",
        "todo",
        "tbd",
        "fixme",
        "none",
        "null",
        "nil",
        "undefined",
        "example",
        "dummy",
        "test",
        "testing",
        "placeholder",
        "redacted",
        "sample",
        "fake",
        "default",
        "empty",
        "n/a",
        "na",
        "-",
        "unset",
        "notset",
        "replaceme",
        "secret_value",
        "mysecret",
        "mypassword",
        "your_password",
        "yourpassword",
        "local",
        "localhost",
        "dev",
        "none_set",
        "admin",
        "root",
        "guest",
        "apikey",
        "api_key",
        "api-key",
        "secretkey",
        "secret_key",
        "access_token",
        "accesstoken",
        "refresh_token",
        "client_secret",
        "bearer",
        "basic",
        "string",
        "str",
        "required",
        "optional",
        "value",
        "foo",
        "bar",
        "foobar",
        "p@ssw0rd",
        "passw0rd",
        "pass",
        "mock",
        "stub",
        "sometoken",
        "somesecret",
        "my-secret",
        "supersecret",
    }
)
_FLAGS = frozenset({"true", "false", "yes", "no", "on", "off", "enabled", "disabled", "y", "n"})
_PLACEHOLDER_PARTS = (
    "changeme",
    "change_me",
    "change-me",
    "replace",
    "placeholder",
    "your-",
    "your_",
    "yourkey",
    "example",
    "dummy",
    "xxxx",
    "****",
    "redacted",
    "insert",
    "fill-in",
    "fill_in",
    "_here",
    "-here",
    "<",
    ">",
    "...",
    "…",
    "%s",
    "%(",
    "{}",
    "{0}",
    "{{",
    "$(",
    "#{",
    "fake",
    "notreal",
    "not-a-real",
    "not_a_real",
    "sample",
    "lorem",
)

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")  # the name of another variable
_EMAIL = re.compile(r"^[^@\s:/]+@[^@\s:/]+\.[a-z]{2,}$", re.IGNORECASE)
_SSM_PATH = re.compile(r"^/[A-Za-z0-9_.\-/]+$")
_LOWER_PATH = re.compile(r"^[a-z0-9][a-z0-9_.-]*(/[a-z0-9_.-]+)+/?$")
_RESOURCE_NAME = re.compile(r"^[a-z0-9]+([-_.][a-z0-9]+)+$")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_PLAIN_WORD = re.compile(r"^[A-Za-z]+$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_HANDLER = re.compile(r"^[\w./-]+\.[A-Za-z_][\w]*$")  # src/handler.main, index.handler, app.lambda_handler
_DOTTED = re.compile(r"^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+$")  # module paths, hostnames
_SEMVER = re.compile(r"^v?\d+(\.\d+){1,3}([-+][\w.]+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+Z?)?$")
_MIME = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")
_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z_$]*$|^[a-z]+(_[a-z]+)+$|^[a-z]+([A-Z][a-z]+)+$")
_PROSE = re.compile(
    r"^[A-Za-z][A-Za-z'\u2019,.!?:-]*(\s+[A-Za-z0-9'\u2019,.!?:()-]+){1,}\s*$"
)  # \u2019: the typographic apostrophe
_STORE_SYNTAX = (
    "${ssm:",
    "${secretsmanager:",
    "{{resolve:",
    "${aws:reference",
    "${cf:",
    "${param:",
    "${env:",
    "${file(",
    "${self:",
    "${opt:",
    "${sls:",
    "!ref",
    "fn::",
    "!sub",
    "!getatt",
)
_AWS_LOG_GROUP = re.compile(r"^/aws/(lambda|apigateway|vendedlogs)/")
# One segment of an object key or path as people write them: a word, a lower- or upper-case name,
# Capitalised words, a number or date, a file name. Not mixed-case noise (`wJalrXUtnFEMI`).
_PATH_SEGMENT = re.compile(
    r"^(?:[a-z][a-z0-9_.=+@ -]*|[A-Z][A-Z0-9_.=+@ -]*|\d[\d_.:+ -]*"
    r"|(?:[A-Z]?[a-z]+)+(?:[-_. ](?:[A-Z]?[a-z]+|\d+))*(?:\.[a-z0-9]{1,5})?)$"
)


def is_placeholder(value: str) -> bool:
    v = value.strip()
    low = v.lower()
    if len(v) < 4 or low in _PLACEHOLDERS or low in _FLAGS or _NUMBER.match(v):
        return True
    if len(set(low)) <= 2:  # xxxxxxxx, ********, abababab
        return True
    if (
        (v.startswith("<") and v.endswith(">"))
        or (v.startswith("{") and v.endswith("}"))
        or (v.startswith("%") and v.endswith("%"))
    ):
        return True
    if "${" in v or "{{resolve:" in v or v.startswith("$"):
        return True
    return any(p in low for p in _PLACEHOLDER_PARTS) or low.startswith(("todo", "fixme", "tbd"))


def token_is_placeholder(token: str) -> bool:
    """A matched credential that is visibly not real: AWS's documented `…EXAMPLE` keys, runs of one
    character (`ghp_aaaa…`), counting sequences, template syntax inside it."""
    if "EXAMPLE" in token or "example" in token.lower() or "${" in token or "{{" in token or "<" in token:
        return True
    low = token.lower()
    if any(s in low for s in ("xxxx", "****", "0123456789", "1234567890", "abcdefghij", "qwertyuiop", "dummy", "fake")):
        return True
    body = re.sub(r"^[a-z]+[_-]", "", token, flags=re.IGNORECASE)  # drop a prefix such as ghp_
    if len(body) >= 12 and len(set(body)) < 6:
        return True
    return bool(re.search(r"(.)\1{7,}", body))  # 8 times the same character


def is_reference(value: str, word: str | None = None) -> bool:
    """A value that names or locates a secret (or something else) instead of being one."""
    v = value.strip()
    low = v.lower()
    if low.startswith(("arn:", "alias/", "ssm:", "secretsmanager:", "resolve:")):
        return True
    if any(s in low for s in _STORE_SYNTAX):
        return True
    if _SSM_PATH.match(v) or _LOWER_PATH.match(v):  # /app/db/password, prod/db/password
        return True
    if _EMAIL.match(v) or _ENV_NAME.match(v):
        return True
    if _URL.match(v) and not re.match(r"^[^:]+://[^/@\s]*:[^/@\s]+@", v):
        return True  # a URL without a password in it is an address, not a credential
    # `db-password`, `prod.api-token`: the name of where the secret lives
    return bool(_RESOURCE_NAME.match(v) and word is not None and _mentions(low, word))


def is_identifier(value: str) -> bool:
    """Values that are names, paths, versions or prose rather than credentials: a handler path,
    a module or host name, a log group, a date, a MIME type, a sentence, a code identifier."""
    v = value.strip()
    if _AWS_LOG_GROUP.match(v) or (_HANDLER.match(v) and "/" in v):
        return True
    if _DOTTED.match(v) and not re.search(r"\d.*\d.*\d", v):
        return True  # `myapp.settings.prod`, `api.example.com`, `index.handler`
    if _SEMVER.match(v) or _DATE.match(v) or _MIME.match(v):
        return True
    if _IDENT.match(v) and _reads_as_words(v):
        return True  # `accessToken`, `client_secret`, `Authorization`
    # "Enter your password", "Invalid API key."
    return bool(_PROSE.match(v) and " " in v and len(re.findall(r"[A-Za-z]{3,}", v)) >= 2)


# Letter runs without a vowel that names are still made of (`htmlParser`, `SMTP_HOST`, `xmlns`).
_VOWELLESS_WORDS = frozenset(
    {"http", "https", "html", "xhtml", "xmlns", "smtp", "sftp", "ftps", "ctrl", "pkcs", "mtls", "mgmt", "grpc"}
)


def _reads_as_words(value: str) -> bool:
    """Whether a name made of letters splits into words (camelCase, snake_case, CONSTANT) that a person could
    say: every word of four letters or more has a vowel. `BfwhsgPYTbWJ` (a random password of letters only)
    does not read as words; `accessToken`, `SMTP_HOST` and `htmlParser` do."""
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", value)
    return all(len(w) < 4 or re.search(r"[aeiouyAEIOUY]", w) or w.lower() in _VOWELLESS_WORDS for w in words)


def is_object_path(value: str) -> bool:
    """An S3 object key, a key prefix or a file path (`Admin/Reports/2026/`, `uploads/`): the
    argument S3 calls name `Key`, which a key-name heuristic would otherwise take for a credential."""
    v = value.strip()
    if "/" not in v or len(v) > 1024:
        return False
    segments = [s for s in v.split("/") if s]
    # a segment with digits in it must not be random too (`k8f2x9q1m3z7p0w5` is a token, not a folder)
    return bool(segments) and all(
        _PATH_SEGMENT.match(s) and not (re.search(r"\d", s) and is_high_entropy(s, min_length=12)) for s in segments
    )


def looks_random(value: str) -> bool:
    """For weak names: the value has the texture of a credential (long enough, mixed classes)."""
    v = value.strip()
    if len(v) < 8 or _PLAIN_WORD.match(v) or _RESOURCE_NAME.match(v):
        return False
    classes = sum(bool(re.search(p, v)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    return classes >= 2


def _mentions(value: str, word: str) -> bool:
    stems = {
        "apikey": ("key",),
        "privatekey": ("key",),
        "accesskey": ("key",),
        "secretkey": ("key", "secret"),
        "clientsecret": ("secret",),
        "passwd": ("passw", "pwd"),
        "pwd": ("pwd", "passw"),
    }
    return any(s in value for s in stems.get(word, (word,)))


# ------------------------------------------------------------------------------------------------
# Where a value sits


class Place(StrEnum):
    ENVIRONMENT = "environment"  # a function's environment variable in the IaC
    CODE = "code"  # a literal in the function's source code
    CONFIG = "config"  # a bundled configuration file (.env, config.json, settings.py, …)
    PARAMETER = "parameter"  # a CloudFormation / SAM parameter default


_TEST_DIRS = frozenset(
    {
        "test",
        "tests",
        "__tests__",
        "spec",
        "specs",
        "fixtures",
        "fixture",
        "testdata",
        "test_data",
        "mocks",
        "__mocks__",
        "e2e",
        "testing",
    }
)
_TEST_FILE = re.compile(
    r"(^test_.*\.py$|_test\.(py|go)$|\.(test|spec)\.[cm]?[jt]sx?$|^conftest\.py$|Test\.java$|Tests?\.cs$)"
)
_SAMPLE_FILE = re.compile(r"(\.|_|-)(example|sample|template|dist|defaults?)(\.|$)|^example", re.IGNORECASE)


def is_test_path(rel: str) -> bool:
    """A file of a test suite or fixture (relative to the scan root)."""
    p = PurePosixPath(rel)
    return any(part.lower() in _TEST_DIRS for part in p.parts[:-1]) or bool(_TEST_FILE.search(p.name))


def is_sample_file(rel: str) -> bool:
    """`.env.example`, `config.sample.json`, `settings.template.py`: documents the shape, holds placeholders."""
    return bool(_SAMPLE_FILE.search(PurePosixPath(rel).name))


# ------------------------------------------------------------------------------------------------
# JWTs


@dataclass(frozen=True, slots=True)
class JwtFacts:
    alg: str | None
    has_exp: bool
    symmetric: bool

    @property
    def flags(self) -> tuple[str, ...]:
        out = []
        if not self.has_exp:
            out.append("jwt-no-expiry")
        if self.symmetric:
            out.append("jwt-symmetric-alg")
        if (self.alg or "").lower() == "none":
            out.append("jwt-alg-none")
        return tuple(out)

    @property
    def describe(self) -> str:
        parts = [f"alg {self.alg or '?'}"]
        if not self.has_exp:
            parts.append("no expiry")
        return ", ".join(parts)


def _b64json(part: str) -> dict[str, object] | None:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def jwt_facts(token: str) -> JwtFacts | None:
    """Header and payload of a JWT (never its signature); None when it does not decode."""
    parts = token.split(".")
    if len(parts) < 3:
        return None
    header, payload = _b64json(parts[0]), _b64json(parts[1])
    if header is None or payload is None:
        return None
    alg = header.get("alg")
    alg_s = alg if isinstance(alg, str) else None
    symmetric = alg_s is not None and (alg_s.upper().startswith("HS") or alg_s.lower() == "none")
    return JwtFacts(alg_s, "exp" in payload, symmetric)


# ------------------------------------------------------------------------------------------------
# The verdict


@dataclass(frozen=True, slots=True)
class Verdict:
    """A value judged to be a secret: which detector, how sure, and context flags. No value inside."""

    detector: str
    what: str  # "a GitHub personal access token", "a password"
    confidence: Confidence
    severity: str  # suggested: critical | high | medium | low
    flags: tuple[str, ...] = ()
    start: int = 0  # the secret's span within the judged text (to redact exactly it)
    end: int = 0


_WORD_NAMES = {
    "passwd": "password",
    "pwd": "password",
    "passw": "password",
    "pass": "password",
    "pw": "password",
    "apikey": "API key",
    "clientsecret": "client secret",
    "secretkey": "secret key",
    "accesskey": "access key",
    "privatekey": "private key",
    "signingkey": "signing key",
    "encryptionkey": "encryption key",
    "hmackey": "HMAC key",
    "masterkey": "master key",
    "appkey": "application key",
    "sessionkey": "session key",
    "licensekey": "license key",
    "connectionstring": "connection string",
    "connstring": "connection string",
    "connstr": "connection string",
    "dsn": "DSN",
    "auth": "credential",
    "creds": "credential",
    "credentials": "credential",
    "webhooksecret": "webhook secret",
}


def article(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _severity(conf: Confidence) -> str:
    return {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}[conf]


def _format_verdict(det: Detector, m: re.Match[str], text: str) -> Verdict | None:
    token = m.group(0)
    if det.id in URL_DETECTORS:
        password = m.group("password")
        if is_placeholder(password) or token_is_placeholder(password) or password.startswith(("$", "%", "{", ":")):
            return None
        return Verdict(
            det.id, det.name, det.confidence, _severity(det.confidence), (), m.start("password"), m.end("password")
        )
    if token_is_placeholder(token[22:] if det.id == "twitter-bearer-token" else token):
        return None
    conf, what = det.confidence, det.name
    flags: tuple[str, ...] = ()
    severity = _severity(conf)
    if det.id == "jwt":
        facts = jwt_facts(token)
        if facts is None:
            return None  # three dotted base64 parts that do not decode: not a JWT
        flags = facts.flags
        what = f"{det.name} ({facts.describe})"
        severity = "high" if flags else "medium"
    return Verdict(det.id, what, conf, severity, flags, m.start(), m.end())


def judge(
    key: str | None, value: str, place: Place, *, beside_aws_key_id: bool = False, before: str = ""
) -> Verdict | None:
    """Whether `value`, assigned to `key` (None when unknown) at `place`, is a plaintext secret.
    `before`: the code before the literal (a few lines), which tells a slot by the call it sits in."""
    if len(value) + len(before) > _MEMO_CHARS:  # a minified bundle's line: rarely repeated, and large to keep
        return _judge(key, value, place, beside_aws_key_id, before)
    return _judged(key, value, place, beside_aws_key_id, before)


_MEMO_CHARS = 1024


def _judge(key: str | None, value: str, place: Place, beside_aws_key_id: bool, before: str) -> Verdict | None:
    text = value.strip()
    if not text or len(text) > 100_000:
        return None
    low = text.lower()
    if (
        low.startswith(("${ssm:", "{{resolve:", "arn:aws"))
        or "{{resolve:secretsmanager:" in low
        or "{{resolve:ssm-secure:" in low
    ):
        return None
    matches = sorted(detect_all(text, key), key=lambda dm: -dm[0].confidence.rank)  # most specific first
    for det, m in matches:
        verdict = _format_verdict(det, m, text)
        if verdict is not None:
            return verdict
    if beside_aws_key_id and AWS_SECRET_ACCESS_KEY.match(text) and not token_is_placeholder(text):
        return Verdict("aws-secret-access-key", "an AWS secret access key", Confidence.HIGH, "high", (), 0, len(text))
    if key is None:
        return None
    # Slots are judged where code uses the value. A function environment or a parameter default is a
    # value the deployment passes in, where a placeholder is one (SECRET001 / SECRET004 judge it as such).
    slot = assigned_slot(key, before) if place in (Place.CODE, Place.CONFIG) else None
    if slot is not None:
        return slot_verdict(slot, text, key)
    word = secret_word(key)
    if word is None:
        return None
    name, strong = word
    if name == "passphrase" and " " in text and not _MESSAGE.search(text):
        # a passphrase is words with spaces between them (`correct horse battery staple`): not prose
        return None if is_placeholder(text) or is_reference(text, name) else _password(noun_of(name), text)
    if is_placeholder(text) or is_reference(text, name) or token_is_placeholder(text):
        return None
    is_password = name in _PASSWORD_WORDS
    noun = article(_WORD_NAMES.get(name, name))
    if place is Place.ENVIRONMENT:
        # the IaC says "this is the function's DB_PASSWORD": any written value is the secret itself
        if not strong and not looks_random(text):
            return None
        det_id = GENERIC_PASSWORD if is_password else GENERIC_SECRET
        return Verdict(det_id, noun, Confidence.HIGH if strong else Confidence.MEDIUM, "high", (), 0, len(text))
    if is_identifier(text) or (_UUID.match(text) and not strong) or is_not_a_value(text, name):
        return None
    if not strong and is_object_path(text):
        return None  # `Key="Admin/Reports/2026/" + name`: an object key, not a key to anything
    if is_password:
        if len(text) < 6 or " " in text.strip():
            return None
        return _password(noun, text)
    if strong and ((looks_random(text) and len(text) >= 10) or is_high_entropy(text)):
        return Verdict(GENERIC_SECRET, noun, Confidence.MEDIUM, "high", (), 0, len(text))
    if not strong and looks_random(text) and is_high_entropy(text, min_length=16):
        return Verdict(GENERIC_SECRET, noun, Confidence.MEDIUM, "medium", (), 0, len(text))
    return None


# A scan judges the same (key, value) pairs over and over (a header name, a table name, a URL written in every
# handler of an app, the same setting in each function's config), and judging runs dozens of regexes. The
# verdict is a pure function of the arguments (the tables it reads are constants) and is immutable: memoised
# (typed: a plain str is never taken for a `Place`).
_judged = lru_cache(maxsize=8192, typed=True)(_judge)


# An expression written as a string (`"os.environ['API_KEY']"`, `"getpass.getpass()"`, `"req.headers['x-api-key']"`):
# names joined by `.`, with calls or subscripts, and at least one of them, so `a.b` stays with _DOTTED.
_EXPRESSION = re.compile(
    r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\s*(?:['\"][\w .:/-]*['\"]|\d+)\s*\]|\(\s*\))*"
    r"(?:\[\s*(?:['\"][\w .:/-]*['\"]|\d+)\s*\]|\(\s*\))(?:\.[A-Za-z_$][\w$]*)*$"
)
# A composite key of single-table designs (`USER#123#PROFILE`, `user#{id}#token`): a record's key, not a key.
_COMPOSITE_KEY = re.compile(r"^[A-Za-z_]+#(?:[A-Za-z0-9_{}%.-]*#?)*$")
# A libpq / ADO-style connection string (`host=db dbname=orders sslmode=require`, `Server=x;Database=y`):
# a secret only through its password field.
_KV_PAIR = re.compile(r"(?:^|[\s;])([A-Za-z][\w ]*?)\s*=\s*([^\s;]*)")
_KV_PASSWORD = frozenset({"password", "pwd", "passwd", "pass", "accountkey", "sharedaccesskey", "secret"})


def is_not_a_value(value: str, word: str) -> bool:
    """Values that say where or how a secret is got, whatever the name they are assigned to: an expression
    written as a string, the name of the secret in words (`MySecretName-Prod`), a path to it
    (`prod/app/TokenSecret`), a composite record key (`USER#123#TOKEN`), a connection string without a
    password in it (`host=db dbname=orders`)."""
    v = value.strip()
    if _EXPRESSION.match(v) and all(_reads_as_words(n) for n in re.findall(r"[A-Za-z_$][\w$]*", v)):
        return True
    if _COMPOSITE_KEY.match(v) and all(
        not s or s.isdigit() or (_reads_as_words(s) and not re.search(r"\d", s)) or s.startswith(("{", "%"))
        for s in v.split("#")
    ):
        return True
    toks = tokens(v)
    if (
        len(toks) >= 2
        and re.fullmatch(r"[A-Za-z]+(?:[-_.]?[A-Za-z]+)*(?:[-_.]\d+)?", v)
        and _reads_as_words(v)
        and (any(t in _NOT_SECRET_WORDS for t in toks) or (_mentions(v.lower(), word) and not re.search(r"\d", v)))
    ):
        return True  # `MySecretName-Prod`, `StripeApiKeyName`: names the secret, in words
    if is_object_path(v) and (v.strip("/").count("/") >= 2 or _mentions(v.lower(), word)):
        return True  # `prod/app/TokenSecret`, `config/Keys/Partner`: where the secret lives
    pairs = _KV_PAIR.findall(v)
    if (
        len(pairs) >= 2 and "://" not in v and not _KV_PAIR.sub("", v).strip(" ;")  # nothing but `key=value` pairs
    ):
        return not any(k.replace(" ", "").lower() in _KV_PASSWORD and x for k, x in pairs)
    return False


def _password(noun: str, text: str) -> Verdict:
    return Verdict(GENERIC_PASSWORD, noun, Confidence.MEDIUM, "high", (), 0, len(text))


def noun_of(word: str) -> str:
    return article(_WORD_NAMES.get(word, word))


# Text that is a message about a secret rather than one ("Enter your passphrase").
_MESSAGE = re.compile(
    r"\b(?:enter|your|please|invalid|incorrect|wrong|must|required|missing|characters?|forgot|reset|confirm)\b"
    r"|[.!?:]\s*$",
    re.IGNORECASE,
)

# ------------------------------------------------------------------------------------------------
# Slots: a signing key or a password given to a credential API, reported whatever the value (slots.py)

_SIGNING_NAME_WORDS = {
    "jwt": JWT_KEY,
    "hmac": HMAC_KEY,
    "signing": SIGNING,
    "csrf": SESSION_KEY,
    "django": SESSION_KEY,
    "flask": SESSION_KEY,
}
# `session_key` / `cookie_key` often name a key *in* the session or cookie: only their `secret` counts.
_SECRET_ONLY_WORDS = {"session": SESSION_KEY, "cookie": COOKIE_KEY}


def assigned_slot(key: str, before: str = "") -> Slot | None:
    """The slot a name is, when a literal assigned to it is a secret whatever it looks like: Flask /
    Django `SECRET_KEY`, `JWT_SECRET`, `SESSION_SECRET`, `HMAC_KEY`, passport-jwt `secretOrKey`, the
    `secret` of an object given to express-session or express-jwt, the `Password` / `TemporaryPassword`
    of an AWS credential API call. Names that locate or describe one (`JWT_SECRET_ARN`) are none."""
    last = key.strip().strip("\"'").rsplit(".", 1)[-1]
    if last in AWS_ONLY_PASSWORD_PARAMS or (API_PASSWORD_PARAM.match(last) and before and in_credential_call(before)):
        return API_PASSWORD
    toks = tokens(last)
    if not toks or any(t in _NOT_SECRET_WORDS for t in toks):
        return None
    framework_key = len(toks) > 2 and toks[-2:] == ["secret", "key"] and toks[0] in ("app", "django", "flask")
    if last.lower() == "secret_key" or framework_key:
        return SESSION_KEY  # Flask `app.secret_key`, Flask / Django `SECRET_KEY`, `DJANGO_SECRET_KEY`
    if toks in (["secret", "or", "key"], ["secret", "or", "private", "key"]):
        return JWT_KEY  # passport-jwt, jsonwebtoken's own parameter name
    if toks[-1] in ("secret", "key"):
        for t in toks[:-1]:
            if t in _SIGNING_NAME_WORDS:
                return _SIGNING_NAME_WORDS[t]
    if toks[-1] == "secret":
        for t in toks[:-1]:
            if t in _SECRET_ONLY_WORDS:
                return _SECRET_ONLY_WORDS[t]
    if toks == ["secret"] and before:
        return signing_call(before)  # express-session `secret: 'keyboard cat'`, express-jwt, @fastify/jwt
    return None


# Text a build or a template fills in: not the value that runs.
_SUBSTITUTED = re.compile(r"\$\{|\{\{|%s|%\(|\{\d*\}|#\{|^\$[A-Za-z_]")


# A slot visibly left to be filled in (`<your-key>`, `xxxxxxxx`, `****`, `TODO`, `example`): not a key
# anyone uses. A guessable word (`changeme`, `secret`, `dev`) is one, and is reported.
_UNFILLED = re.compile(
    r"^<[^<>]*>$|^(.)\1*$|^(?:todo|tbd|fixme)\b|xxxx|\*\*\*\*|\.\.\.|…|example|sample|placeholder|dummy|redacted",
    re.IGNORECASE,
)


# A sentence describing the slot (`"jwt_secret": "The key used to sign tokens"` in a settings schema):
# four words or more with an English function word among them; `keyboard cat` is a key.
_SENTENCE = re.compile(r"^(?=(?:\S+\s+){3,}\S)(?=.*\b(?:the|an?|to|of|for|used|is|in|with|your)\b)", re.IGNORECASE)


def slot_verdict(slot: Slot, text: str, key: str | None = None) -> Verdict | None:
    """A literal in a slot: the secret itself, however guessable or placeholder-like (`dev`, `keyboard
    cat`, `changeme!`: deployed, it is the key or the password), unless it is substitution syntax, a
    reference to where the secret lives, or the slot's own name (`SIGNING_KEY = "signing-key"` is a
    constant naming the slot, as in a dictionary of settings)."""
    v = text.strip()
    if not v or _SUBSTITUTED.search(v) or _UNFILLED.search(v) or is_reference(v) or _SENTENCE.search(v):
        return None
    if key is not None and tokens(v) == tokens(key.strip().strip("\"'").rsplit(".", 1)[-1]):
        return None
    confidence = Confidence.HIGH if slot is API_PASSWORD else Confidence.MEDIUM
    return Verdict(slot.detector, slot.what, confidence, "high", (slot.flag,), 0, len(text))


def in_context(verdict: Verdict, rel: str) -> Verdict:
    """Lower the confidence of a secret found in a test fixture or a sample file (not silence)."""
    flags = list(verdict.flags)
    if is_test_path(rel):
        flags.append("test-path")
    elif is_sample_file(rel):
        flags.append("sample-file")
    else:
        return verdict
    return Verdict(verdict.detector, verdict.what, Confidence.LOW, "low", tuple(flags), verdict.start, verdict.end)
