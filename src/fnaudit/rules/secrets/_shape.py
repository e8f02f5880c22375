"""Does an environment variable hold a secret? Judged from its name and its value's shape.

The name says what the value is meant to be (`DB_PASSWORD`); the value says whether it is the
secret itself or something standing for it: a placeholder (`changeme`, `<your-key>`), a flag
(`yes`), a reference (`${ssm:…}`, an ARN, `/app/db/password`), a resource name (`tokens-table`).
Only the first kind is a plaintext secret.
"""

from __future__ import annotations

import re

# Words that make a variable a secret by name. "strong": the value is a secret whatever it looks like
# (`DB_PASSWORD: admin` is a weak password, still a password). "weak": the name is often reused for
# non-secrets (`AUTH: cognito`), so the value must also look like a credential.
_STRONG_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "secret", "privatekey", "apikey", "clientsecret",
                           "secretkey", "accesskey", "connectionstring", "connstr"})
_WEAK_WORDS = frozenset({"token", "auth", "credential", "credentials", "creds", "dsn"})
_STRONG_PAIRS = frozenset({("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key"),
                           ("client", "secret"), ("signing", "key"), ("encryption", "key"), ("hmac", "key"),
                           ("master", "key"), ("connection", "string"), ("conn", "string"), ("app", "key"),
                           ("session", "key"), ("license", "key")})

# Words that say the variable names, locates or configures a secret rather than holding it.
_NOT_SECRET_WORDS = frozenset({
    "arn", "name", "id", "ids", "table", "bucket", "queue", "topic", "stream", "path", "param", "parameter", "ssm",
    "url", "uri", "endpoint", "host", "hostname", "domain", "region", "header", "type", "mode", "enabled", "enable",
    "disable", "disabled", "ttl", "expiry", "expiration", "expires", "length", "timeout", "file", "filename", "dir",
    "location", "policy", "allow", "empty", "rotation", "version", "field", "issuer", "audience", "algorithm", "alg",
    "scope", "scopes", "provider", "method", "strategy", "prefix", "suffix", "kms", "ref", "count", "size", "max",
    "min", "lifetime", "duration", "format", "pattern", "required", "cache", "keyid", "level", "audiences",
    "secretsmanager", "vault",
})

_PLACEHOLDERS = frozenset({
    "changeme", "change-me", "change_me", "changeit", "password", "secret", "token", "xxx", "todo", "tbd", "fixme",
    "none", "null", "nil", "undefined", "example", "dummy", "test", "testing", "placeholder", "redacted", "sample",
    "fake", "default", "empty", "n/a", "na", "-", "unset", "notset", "replaceme", "secret_value", "mysecret",
    "mypassword", "your_password", "yourpassword", "local", "localhost", "dev", "none_set",
})
_FLAGS = frozenset({"true", "false", "yes", "no", "on", "off", "enabled", "disabled", "y", "n"})
_PLACEHOLDER_PARTS = ("changeme", "change_me", "change-me", "replace", "placeholder", "your-", "your_", "yourkey",
                      "example", "dummy", "xxxx", "****", "redacted", "insert", "fill-in", "fill_in", "_here", "-here")

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")  # the name of another variable
_EMAIL = re.compile(r"^[^@\s:/]+@[^@\s:/]+\.[a-z]{2,}$", re.I)
_SSM_PATH = re.compile(r"^/[A-Za-z0-9_.\-/]+$")
_LOWER_PATH = re.compile(r"^[a-z0-9][a-z0-9_.-]*(/[a-z0-9_.-]+)+/?$")
_RESOURCE_NAME = re.compile(r"^[a-z0-9]+([-_.][a-z0-9]+)+$")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_PLAIN_WORD = re.compile(r"^[A-Za-z]+$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def tokens(name: str) -> list[str]:
    """`dbPassword` / `DB_PASSWORD` / `db-password` → ['db', 'password']."""
    return [t.lower() for t in re.split(r"[^A-Za-z0-9]+", _CAMEL.sub("_", name)) if t]


def secret_word(name: str) -> tuple[str, bool] | None:
    """The secret word in a variable name and whether it is a strong one; None when the name does
    not say "secret", or says it names/locates/configures one (`DB_PASSWORD_SECRET_ARN`)."""
    toks = tokens(name)
    if not toks or any(t in _NOT_SECRET_WORDS for t in toks):
        return None
    pairs = sorted(set(zip(toks, toks[1:])) & _STRONG_PAIRS)
    if pairs:
        return "".join(pairs[0]), True
    for t in toks:
        if t in _STRONG_WORDS:
            return t, True
    for t in reversed(toks):  # the last word is the noun: AUTH_TOKEN is a token
        if t in _WEAK_WORDS:
            return t, False
    return None


def is_placeholder(value: str) -> bool:
    v = value.strip()
    low = v.lower()
    if len(v) < 4 or low in _PLACEHOLDERS or low in _FLAGS or _NUMBER.match(v):
        return True
    if len(set(low)) == 1:  # xxxxxxxx, ********
        return True
    if (v.startswith("<") and v.endswith(">")) or (v.startswith("{") and v.endswith("}")) or (v.startswith("%") and v.endswith("%")):
        return True
    if "${" in v or "{{resolve:" in v or v.startswith("$"):
        return True
    if any(p in low for p in _PLACEHOLDER_PARTS) or low.startswith(("todo", "fixme", "tbd")):
        return True
    return False


def is_reference(value: str, word: str | None = None) -> bool:
    """A value that names or locates a secret (or something else) instead of being one."""
    v = value.strip()
    low = v.lower()
    if low.startswith(("arn:", "alias/", "ssm:", "secretsmanager:", "resolve:")):
        return True
    if _SSM_PATH.match(v) or _LOWER_PATH.match(v):  # /app/db/password, prod/db/password
        return True
    if _EMAIL.match(v) or _ENV_NAME.match(v):
        return True
    if _URL.match(v) and not re.match(r"^[^:]+://[^/@\s]*:[^/@\s]+@", v):
        return True  # a URL without a password in it is an address, not a credential
    if _RESOURCE_NAME.match(v) and word is not None and _mentions(low, word):
        return True  # `db-password`, `prod.api-token`: the name of where the secret lives
    return False


def looks_random(value: str) -> bool:
    """For weak names: the value has the texture of a credential (long enough, mixed classes)."""
    v = value.strip()
    if len(v) < 8 or _PLAIN_WORD.match(v) or _RESOURCE_NAME.match(v):
        return False
    classes = sum(bool(re.search(p, v)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    return classes >= 2


def _mentions(value: str, word: str) -> bool:
    stems = {"apikey": ("key",), "privatekey": ("key",), "accesskey": ("key",), "secretkey": ("key", "secret"),
             "clientsecret": ("secret",), "passwd": ("passw", "pwd"), "pwd": ("pwd", "passw")}
    return any(s in value for s in stems.get(word, (word,)))
