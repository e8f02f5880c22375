"""Slots whose literal is a secret whatever it looks like: signing keys and passwords given to AWS credential APIs.

A generic secret detector asks "does this value look random?", because a random-looking value under
a secret-like name is what a credential usually is. Two kinds of slot make the question moot:

- a **signing key** (Flask `app.secret_key`, Django `SECRET_KEY`, the key argument of `jwt.encode` /
  `jwt.sign` / `jwt.verify`, `hmac.new`, `crypto.createHmac`, express-session's `secret`,
  `cookieParser(…)`): `"dev"` or `"keyboard cat"` there is the key, and a guessable key is worse than
  a random one, since anyone can forge the sessions and tokens it signs;
- a **password handed to an AWS credential API** (`admin_create_user(TemporaryPassword=…)`,
  `create_db_instance(MasterUserPassword=…)`, `AdminSetUserPasswordCommand({Password: …})`): even
  `changeme!` is the account's real password once the code has run.

This module knows the call shapes (pure text, no parsing of the scanned code, nothing executed); the
verdict (`context.slot_verdict`) skips only what is not a value: empty text, substitution syntax
(`${…}`, `{{…}}`, `%s`) and references to where a secret lives.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from fnaudit.engines.secrets.detectors import GENERIC_PASSWORD, GENERIC_SECRET


@dataclass(frozen=True, slots=True)
class Slot:
    """What a slot holds: the detector id, how a message names it, and the flag that explains the report."""

    detector: str
    what: str
    flag: str  # SIGNING_KEY | CREDENTIAL_API


SIGNING_KEY = "signing-key"  # flagged whatever the value's entropy
CREDENTIAL_API = "credential-api"  # flagged even when the value looks like a placeholder

# The generic detectors' ids: a slot is a reason to report a value, not a format of its own (the corpus
# and the benchmark count a random-looking `SESSION_SECRET` as a generic secret, as before).
SESSION_KEY = Slot(GENERIC_SECRET, "a session signing key", SIGNING_KEY)
JWT_KEY = Slot(GENERIC_SECRET, "a JWT signing key", SIGNING_KEY)
HMAC_KEY = Slot(GENERIC_SECRET, "an HMAC key", SIGNING_KEY)
COOKIE_KEY = Slot(GENERIC_SECRET, "a cookie signing key", SIGNING_KEY)
SIGNING = Slot(GENERIC_SECRET, "a signing key", SIGNING_KEY)
API_PASSWORD = Slot(GENERIC_PASSWORD, "a password", CREDENTIAL_API)


# ------------------------------------------------------------------------------------------------
# Calls whose argument is the slot: (pattern up to and including the opening parenthesis, the
# positional index of the key, keyword names that also pass it, the slot).

_RECEIVER = r"(?<![\w$])"


@dataclass(frozen=True, slots=True)
class _Call:
    pattern: re.Pattern[str]
    index: int
    keywords: tuple[str, ...]
    slot: Slot
    name: str  # how the message names the call


def _call(pattern: str, index: int, keywords: tuple[str, ...], slot: Slot, name: str) -> _Call:
    return _Call(re.compile(_RECEIVER + "(?:" + pattern + r")\s*\("), index, keywords, slot, name)


_CALLS: tuple[_Call, ...] = (
    # PyJWT / python-jose: encode(payload, key, algorithm=…), decode(token, key, algorithms=[…]);
    # jsonwebtoken: sign(payload, key), verify(token, key). jsonwebtoken's decode(token, options)
    # takes no key: its second argument is an object, never a string literal.
    _call(r"(?:jwt|jsonwebtoken|JWT)\.encode", 1, ("key",), JWT_KEY, "jwt.encode()"),
    _call(r"(?:jwt|JWT)\.decode", 1, ("key",), JWT_KEY, "jwt.decode()"),
    _call(r"(?:jwt|jsonwebtoken|JWT)\.sign", 1, (), JWT_KEY, "jwt.sign()"),
    _call(r"(?:jwt|jsonwebtoken|JWT)\.verify", 1, (), JWT_KEY, "jwt.verify()"),
    _call(r"(?:hmac|HMAC)\.new", 0, ("key",), HMAC_KEY, "hmac.new()"),
    _call(r"hmac\.digest", 0, ("key",), HMAC_KEY, "hmac.digest()"),
    _call(r"(?:crypto\.)?createHmac", 1, (), HMAC_KEY, "crypto.createHmac()"),
    _call(r"cookieParser", 0, (), COOKIE_KEY, "cookieParser()"),
    # itsdangerous, which Flask signs its sessions with
    _call(
        r"(?:itsdangerous\.)?(?:URLSafe)?(?:Timed)?(?:Serializer|Signer)|TimestampSigner",
        0,
        ("secret_key",),
        SESSION_KEY,
        "an itsdangerous signer",
    ),
)

# Calls that take an object whose `secret` is a signing key: express-session, cookie-session,
# express-jwt, @fastify/jwt / cookie / session (`register(…, { secret })`), koa-session, passport-jwt.
_SIGNING_CONTEXT = re.compile(
    r"(?<![\w$])(?:session|expressSession|cookieSession|expressjwt|expressJwt|jwt|koaJwt|JwtStrategy)\s*\("
    r"|(?<![\w$])register\s*\(\s*(?:require\(\s*['\"]@fastify/(?:jwt|cookie|session|secure-session)['\"]\s*\)"
    r"|fastify(?:Jwt|Cookie|Session|SecureSession)\b)"
)

# AWS APIs that set a password (boto3 snake_case, SDK v2 camelCase, v3 `…Command` classes).
_CREDENTIAL_APIS = (
    "admin_create_user",
    "admin_set_user_password",
    "sign_up",
    "change_password",
    "confirm_forgot_password",
    "create_db_instance",
    "create_db_cluster",
    "modify_db_instance",
    "modify_db_cluster",
    "restore_db_instance_from_db_snapshot",
    "restore_db_cluster_from_snapshot",
    "create_login_profile",
    "update_login_profile",
    "create_user",
    "update_user",
    "create_cluster",
    "modify_cluster",
    "create_broker",
    "create_relational_database",
)
_CREDENTIAL_CALL = re.compile(
    r"(?<![\w$])(?:" + "|".join(name.replace("_", "_?") for name in _CREDENTIAL_APIS) + r")(?:Command)?\s*\(",
    re.IGNORECASE,
)
# Parameter names of those APIs that hold the password (`Password`, `TemporaryPassword`, …).
API_PASSWORD_PARAM = re.compile(r"^(?:[A-Z][a-z]+)*Password$")
# These two exist only in AWS APIs (and IaC): a literal under them is a password whatever the call.
AWS_ONLY_PASSWORD_PARAMS = frozenset({"TemporaryPassword", "MasterUserPassword"})


def open_call(before: str, pattern: re.Pattern[str]) -> str | None:
    """The call (as matched) whose parentheses the text ending at a literal is inside, for the last call
    `pattern` matches: `admin_create_user(\\n  UserPoolId=pool,\\n  TemporaryPassword=` is inside one,
    `f(x)\\nPassword=` is not."""
    last = None
    for m in pattern.finditer(before):
        last = m
    if last is None:
        return None
    depth = 0
    for ch in _code_only(before[last.start() + last.group(0).index("(") :]):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth <= 0:
                return None
    return last.group(0) if depth > 0 else None


def signing_call(before: str) -> Slot | None:
    """The slot of a `secret` key written inside the options of a session / JWT / cookie middleware call."""
    call = open_call(before, _SIGNING_CONTEXT)
    if call is None:
        return None
    low = call.lower()
    return JWT_KEY if "jwt" in low else COOKIE_KEY if "cookie" in low else SESSION_KEY


def in_credential_call(before: str) -> bool:
    return open_call(before, _CREDENTIAL_CALL) is not None


_STRING = re.compile(
    r"""\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`"""
)


def _code_only(text: str) -> str:
    """Text with string literals blanked, so brackets inside them do not count."""
    return _STRING.sub(lambda m: " " * len(m.group(0)), text)


# ------------------------------------------------------------------------------------------------
# Key arguments of signing calls, found in a whole file's text (calls span lines).


@dataclass(frozen=True, slots=True)
class CallSlot:
    """A string literal passed as a call's key argument."""

    line: int
    value: str
    slot: Slot
    call: str


_LITERAL_ARG = re.compile(r"""^(?:[rRbBuU]{1,2})?(?P<q>"|'|`)(?P<body>(?:\\.|(?!(?P=q)).)*)(?P=q)$""", re.DOTALL)
_KEYWORD = re.compile(r"^([A-Za-z_]\w*)\s*=(?!=)\s*(.*)$", re.DOTALL)


def needs_context(key: str) -> bool:
    """Whether a literal under `key` is a slot only inside some call (`secret:`, `Password=`)."""
    last = key.strip().strip("\"'").rsplit(".", 1)[-1]
    return last == "secret" or bool(API_PASSWORD_PARAM.match(last))


# Where a call written there is no call: comments and Python docstrings (examples in documentation).
_PY_SKIP = re.compile(r"\"\"\"[\s\S]*?(?:\"\"\"|$)|'''[\s\S]*?(?:'''|$)|#[^\n]*")
_JS_SKIP = re.compile(r"/\*[\s\S]*?(?:\*/|$)|(?<![:\w\\])//[^\n]*")
MAX_ARGS_CHARS = 4000
# A triple-quoted string that starts a line is a docstring (or a comment written as one); one assigned
# or passed (`"app.py": """…`, in a test that writes an app) is data, and is scanned as such.
_PY_TRIPLE = re.compile(r"^[ \t]*[rRuU]?(\"\"\"|''')[\s\S]*?(?:\1|\Z)", re.MULTILINE)


def documentation_lines(text: str) -> set[int]:
    """Lines of Python docstrings: their `app.secret_key = "dev"` is an example."""
    if '"""' not in text and "'''" not in text:
        return set()
    out: set[int] = set()
    line, pos = 1, 0
    for m in _PY_TRIPLE.finditer(text):  # in order: count the lines between one match and the next only
        line += text.count("\n", pos, m.start())
        pos = m.start()
        out.update(range(line, line + m.group(0).count("\n") + 1))
    return out


def call_slots(text: str, python: bool) -> Iterator[CallSlot]:
    """Every string literal passed as the key of a signing call in `text` (a Python or a JavaScript /
    TypeScript file), outside comments and docstrings."""
    if not any(h in text for h in ("jwt", "JWT", "jsonwebtoken", "mac", "MAC", "cookieParser", "Serializer", "Signer")):
        return
    skipped = [m.span() for m in (_PY_SKIP if python else _JS_SKIP).finditer(text)]  # in order, disjoint
    starts = [s for s, _ in skipped]
    newlines = [m.start() for m in re.finditer("\n", text)]
    for call in _CALLS:
        for m in call.pattern.finditer(text):
            i = bisect_right(starts, m.start()) - 1
            if i >= 0 and m.start() < skipped[i][1]:
                continue  # in a comment or a docstring
            for index, arg, offset in _arguments(text, m.end()):
                value = _slot_argument(arg, index, call)
                if value is not None:
                    at = offset + len(arg) - len(arg.lstrip())  # the literal's line, when the call spans lines
                    yield CallSlot(bisect_right(newlines, at - 1) + 1, value, call.slot, call.name)
                    break


def _slot_argument(arg: str, index: int, call: _Call) -> str | None:
    """The literal of `arg` when it is the call's key argument (at `index`, or by keyword)."""
    kw = _KEYWORD.match(arg.strip())
    if kw is not None:
        if kw.group(1) not in call.keywords:
            return None
        arg = kw.group(2)
    elif index != call.index:
        return None
    lit = _LITERAL_ARG.match(arg.strip())
    if lit is None:
        return None  # a name, a call, a concatenation: not written here
    body = lit.group("body")
    if lit.group("q") == "`" and "${" in body:
        return None  # built at run time
    return body


def _arguments(text: str, start: int) -> Iterator[tuple[int, str, int]]:
    """(index, text, offset) of each top-level argument of the call whose `(` ends just before `start`."""
    end = min(len(text), start + MAX_ARGS_CHARS)
    depth = 0
    index = 0
    current: list[str] = []
    offset = start
    i = start
    while i < end:
        ch = text[i]
        if ch in "\"'`":
            m = _STRING.match(text, i)
            if m is None:
                return  # an unterminated literal: the text is not what it seems
            current.append(m.group(0))
            i = m.end()
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                yield index, "".join(current), offset
                return
            depth -= 1
        elif ch == "," and depth == 0:
            yield index, "".join(current), offset
            index += 1
            current = []
            i += 1
            offset = i
            continue
        current.append(ch)
        i += 1
