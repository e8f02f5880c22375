"""Secrets in one file's text: string literals with the key they are assigned to, unquoted config
values, and credential formats anywhere else on a line (comments, concatenations).

Line-oriented on purpose: the same extractor reads Python, JavaScript / TypeScript, Java, JSON
(pretty-printed or minified), YAML, `.env`, INI / properties / TOML, `.npmrc`, PEM files. It only
needs to know, for each literal, the name it is bound to (`API_KEY = "…"`, `"apiKey": "…"`,
`apiKey: '…'`, `os.environ.get("API_KEY", "…")`, `process.env.API_KEY || "…"`,
`headers["Authorization"] = "…"`, `String password = "…"`), which a token-level look-behind gives.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import PurePosixPath

from fnaudit.engines.secrets.context import (
    Place,
    Verdict,
    assigned_slot,
    in_context,
    is_placeholder,
    is_sample_file,
    judge,
    slot_verdict,
)
from fnaudit.engines.secrets.detectors import GENERIC_PASSWORD, GENERIC_SECRET
from fnaudit.engines.secrets.slots import (
    CREDENTIAL_API,
    SIGNING_KEY,
    call_slots,
    documentation_lines,
    needs_context,
)
from fnaudit.redact import redact

MAX_LINE = 4096  # longer lines (minified bundles) only get the format scan
_LITERAL = re.compile(r"""(?P<q>\"\"\"|'''|"|'|`)(?P<body>(?:\\.|(?!(?P=q)).){0,20000}?)(?P=q)""")
_STRING_PREFIX = re.compile(r"(?<![\w$])[rbfuRBFU]{1,2}$")
_OPS = ("===", "!==", "==", "!=", ":=", "||", "??", "=", ":", ",", "(")
_ENV_DEFAULT = re.compile(
    r"""(?:getenv|get|setdefault|env|getProperty|getOrDefault)\s*\(\s*(["'])([^"']{1,120})\1\s*$"""
)
_ANNOTATED = re.compile(r"([A-Za-z_$][\w$]*)\s*:\s*[A-Za-z_][\w\[\]., |]*$")
_QUOTED_KEY = re.compile(r"""(["'])([^"'\n]{1,120})\1\s*\]?$""")
_IDENT_KEY = re.compile(r"([A-Za-z_$@][\w$.\-]*)\s*\]?$")
_UNQUOTED = re.compile(
    r"""^\s*(?:export\s+|set\s+)?(?P<key>[A-Za-z_/@][\w.\-/:@]*|"[^"]+"|'[^']+')\s*(?P<op>[:=])\s*(?P<val>[^\s'"`|>&*!\[{#][^\n]*?)\s*$"""
)
_TRAILING_COMMENT = re.compile(r"\s+(#|;|//).*$")

CODE_SUFFIXES = frozenset(
    {
        ".py",
        ".js",
        ".mjs",
        ".cjs",
        ".ts",
        ".mts",
        ".cts",
        ".jsx",
        ".tsx",
        ".java",
        ".kt",
        ".go",
        ".rb",
        ".cs",
        ".php",
        ".scala",
        ".groovy",
        ".sh",
        ".bash",
    }
)
CONFIG_SUFFIXES = frozenset(
    {
        ".env",
        ".json",
        ".yml",
        ".yaml",
        ".ini",
        ".cfg",
        ".conf",
        ".toml",
        ".properties",
        ".npmrc",
        ".pypirc",
        ".netrc",
        ".pem",
        ".key",
        ".tfvars",
    }
)
CONFIG_NAMES = frozenset(
    {
        ".env",
        ".npmrc",
        ".pypirc",
        ".netrc",
        ".dockercfg",
        "credentials",
        ".htpasswd",
        "id_rsa",
        "id_ed25519",
        "id_ecdsa",
        ".git-credentials",
    }
)
# Code files whose job is configuration: reported as bundled config (SECRET003).
CONFIG_CODE = re.compile(
    r"^(settings|local_settings|config|configuration|secrets|credentials|conf|constants|env)(\.[\w-]+)?\.(py|[cm]?[jt]s)$"
)
_UNQUOTED_KINDS = frozenset({"env", "yaml", "ini", "properties"})


@dataclass(frozen=True, slots=True)
class Found:
    """A secret found on a line: the verdict and a redacted form. The value itself is not kept."""

    line: int
    key: str | None
    verdict: Verdict
    preview: str
    length: int


@lru_cache(maxsize=16384)  # pure; each file is classified by the walk, by `enrich` and by the file scan
def classify(rel: str) -> tuple[Place, str] | None:
    """(place, syntax) of a file by its name, or None when it is not scanned."""
    name = PurePosixPath(rel).name
    low = name.lower()
    suffix = PurePosixPath(low).suffix
    if low.startswith(".env") or low.endswith(".env"):
        return Place.CONFIG, "env"
    if low in CONFIG_NAMES:
        return Place.CONFIG, "ini"
    if CONFIG_CODE.match(low):
        return Place.CONFIG, "code"
    if suffix in CODE_SUFFIXES:
        return Place.CODE, "code"
    if suffix in (".yml", ".yaml"):
        return Place.CONFIG, "yaml"
    if suffix == ".json":
        return Place.CONFIG, "json"
    if suffix in (".ini", ".cfg", ".conf", ".toml", ".npmrc", ".pypirc", ".netrc", ".tfvars"):
        return Place.CONFIG, "ini"
    if suffix == ".properties":
        return Place.CONFIG, "properties"
    if suffix in (".pem", ".key"):
        return Place.CONFIG, "pem"
    return None


def _last_component(key: str) -> str:
    key = key.strip().strip("\"'")
    if "." in key and not key.startswith("/"):
        key = key.rsplit(".", 1)[-1] or key
    return key


def key_before(before: str) -> str | None:
    """The name a literal starting right after `before` is bound to, when the syntax says so."""
    b = _STRING_PREFIX.sub("", before).rstrip()
    op = next((o for o in _OPS if b.endswith(o)), None)
    if op is None:
        if re.search(r"\b(or|else)$", b):
            b, op = b[: -len(b.split()[-1])].rstrip(), "||"
        else:
            return None
    else:
        b = b[: -len(op)].rstrip()
    if op in (",", "("):
        m = _ENV_DEFAULT.search(b + ("(" if op == "(" else ""))
        if op == "," and m:
            return m.group(2)
        if op == "(":
            return None
        return None
    if op == "=":
        b = re.sub(r"\b(final|static|private|public|protected|const|let|var|readonly)\b", " ", b).rstrip()
        m = _ANNOTATED.search(b)
        if m and not b.endswith(("]", "'", '"')):
            return m.group(1)
    m = _QUOTED_KEY.search(b)
    if m:
        return _last_component(m.group(2)) if not m.group(2).startswith("/") else m.group(2)
    m = _IDENT_KEY.search(b)
    if m:
        return _last_component(m.group(1))
    return None


def _unquote(value: str) -> str:
    v = _TRAILING_COMMENT.sub("", value).strip().rstrip(",;")
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        v = v[1:-1]
    return v


CONTEXT_LINES = 8  # lines before a literal that may hold the call it is an argument of
_CALL_SUFFIXES = frozenset({".py", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"})
_GENERIC = frozenset({GENERIC_PASSWORD, GENERIC_SECRET})


def scan_text(rel: str, text: str, place: Place, syntax: str, suffix: str | None = None) -> list[Found]:
    """Every secret in a file's text, judged in context (test fixtures lowered, not silenced). `suffix`:
    the language of code that `rel` does not name (code written in a template: `.py`, `.js`)."""
    suffix = (suffix or PurePosixPath(rel).suffix).lower()
    out: list[Found] = []
    lines = text.splitlines()
    keys = _call_keys(suffix, text, syntax)
    # a slot reports guessable values: in documentation, those are examples (Python docstrings)
    examples = documentation_lines(text) if suffix == ".py" else set()
    sample = is_sample_file(rel)  # `.env.example`: its placeholders are there to be replaced
    for lineno, line in enumerate(lines, start=1):
        if len(line) < 8 and lineno not in keys:
            continue
        found = scan_line(line, place, syntax, lines[max(0, lineno - 1 - CONTEXT_LINES) : lineno - 1])
        call = keys.get(lineno)
        if call is not None:
            # the key argument of a signing call: reported as such, unless a known format says more
            if any(v.detector not in _GENERIC for _, _, v in found):
                call = None
            else:
                found = [*(f for f in found if f[2].detector not in _GENERIC), call]
        for key, value, verdict in found:
            if (SIGNING_KEY in verdict.flags or CREDENTIAL_API in verdict.flags) and (
                lineno in examples or (sample and is_placeholder(value))
            ):
                continue
            verdict = in_context(verdict, rel)
            secret = value[verdict.start : verdict.end] if verdict.end > verdict.start else value
            out.append(Found(lineno, key, verdict, redact(secret), len(secret)))
    return out


def _call_keys(suffix: str, text: str, syntax: str) -> dict[int, tuple[str | None, str, Verdict]]:
    """line → the literal key of a signing call (`jwt.encode(p, "k")`, `hmac.new(b"k")`) written there."""
    if syntax != "code" or suffix not in _CALL_SUFFIXES:
        return {}
    out: dict[int, tuple[str | None, str, Verdict]] = {}
    for cs in call_slots(text, python=suffix == ".py"):
        verdict = slot_verdict(cs.slot, cs.value)
        if verdict is not None and cs.line not in out:
            out[cs.line] = (None, cs.value, replace(verdict, what=f"{cs.slot.what} passed to {cs.call}"))
    return out


def _context(previous: Sequence[str], line: str, start: int) -> str:
    return "\n".join((*previous, line[:start]))


def scan_line(
    line: str, place: Place, syntax: str, previous: Sequence[str] = ()
) -> list[tuple[str | None, str, Verdict]]:
    """(key, judged text, verdict) for each secret on one line; one per detector. `previous`: the lines
    before it, which say when a literal is an argument of a call that makes it a secret (slots.py)."""
    if len(line) > _MEMO_LINE:  # rarely repeated, and would make the memo below large: judged as it is
        return _scan_line(line, place, syntax, previous)[0]
    found, contextual = _scan_line_alone(line, place, syntax)
    if contextual and previous:
        return _scan_line(line, place, syntax, previous)[0]
    return list(found)


_MEMO_LINE = 512


# The lines of a scan repeat a lot (imports, the same setting or header in every handler of an app): a line is
# judged once, without the lines before it, which only matter when a literal's key needs context (then it is
# judged again with them). Pure: a function of the line and the constant tables.
@lru_cache(maxsize=8192, typed=True)
def _scan_line_alone(line: str, place: Place, syntax: str) -> tuple[tuple[tuple[str | None, str, Verdict], ...], bool]:
    found, contextual = _scan_line(line, place, syntax, ())
    return tuple(found), contextual


def _scan_line(
    line: str, place: Place, syntax: str, previous: Sequence[str]
) -> tuple[list[tuple[str | None, str, Verdict]], bool]:
    """`scan_line`, and whether the lines before it were read (some literal's key needs context)."""
    contextual = False
    found: list[tuple[str | None, str, Verdict]] = []
    seen: set[str] = set()

    def add(key: str | None, text: str, verdict: Verdict | None) -> None:
        if verdict is not None and verdict.detector not in seen:
            seen.add(verdict.detector)
            found.append((key, text, verdict))

    spans: list[tuple[int, int]] = []
    if len(line) <= MAX_LINE:
        for m in _LITERAL.finditer(line):
            body = m.group("body")
            spans.append(m.span())
            if not body.strip():
                continue
            key = key_before(line[: m.start()])
            if key is not None and sdk_parameter(key, line[: m.start()]):
                key = None  # `Key="…"` of an S3 call is an object key: only a known credential format in it counts
            if key is None and len(body) < 12:
                continue
            before = ""
            if key is not None and needs_context(key):
                before, contextual = _context(previous, line, m.start()), True
            slot = assigned_slot(key, before) if key is not None else None
            if len(body) < 4 and slot is None:
                continue  # too short to be a credential, unless a slot says it is the key (`secret_key = "dev"`)
            pieces = _literal_parts(body, m.group("q"), line[: m.start()])
            if pieces is None:
                add(key, body, judge(key, _unescape(body), place, before=before))
                continue
            if slot is not None:
                key = None  # a slot filled at run time: only a known format written in it is a secret
            # An f-string / template literal is built at run time: only what is written in it can
            # be a hard-coded secret, so each literal part is judged alone (`f"admin/{NAME}"` is
            # the parts "admin/"; `f"sk_live_{x}"` is "sk_live_"; `f"{GHP_TOKEN_LITERAL}"`-style
            # values with a real token written in a part are still found).
            for piece in pieces:
                if len(piece) >= 4:
                    # a piece that joins parts of an address (`/orders?sslmode=`, `://`, `@`) is the format
                    # around the values, not a value: only a known format written in it counts
                    piece_key = None if _FRAGMENT.search(piece) and not _USERINFO.search(piece) else key
                    add(piece_key, piece, judge(piece_key, _unescape(piece), place))
        if syntax in _UNQUOTED_KINDS:
            um = _UNQUOTED.match(line)
            if um and not _overlaps(um.span("val"), spans):
                key = um.group("key").strip("\"'")
                value = _unquote(um.group("val"))
                spans.append(um.span("val"))
                add(key, value, judge(key, value, place))
    rest = _blank(line, spans)
    if rest.strip():
        add(None, rest, judge(None, rest, place))
    return found, contextual


# Parameters of AWS SDK calls whose meaning is known and is never a credential: written as a Python keyword
# argument (`Key="…"`, boto3) or a JS object key (`{ Key: "…" }`, SDK v2 / v3 command input), in AWS's own
# PascalCase spelling. A credential format written in one is still found (judged without the name).
SDK_PARAMETERS = frozenset(
    {
        "Key",
        "Bucket",
        "Prefix",
        "TableName",
        "IndexName",
        "QueueUrl",
        "QueueName",
        "SecretId",
        "FunctionName",
        "TopicArn",
        "TargetArn",
        "KeyId",
        "StreamName",
        "StateMachineArn",
        "LogGroupName",
        "UserPoolId",
        "ClientId",
        "IdentityPoolId",
        "ParameterName",
        "DeliveryStreamName",
        "EventBusName",
    }
)
_SDK_ARG = re.compile(r"(?:^|[(,{]|\s)\s*([A-Z][A-Za-z]+)\s*[=:]\s*$")


def sdk_parameter(key: str, before: str) -> bool:
    """Whether the literal after `before` is the value of a known-meaning AWS SDK parameter (`Key=`, `Key:`)."""
    if key not in SDK_PARAMETERS:
        return False
    b = _STRING_PREFIX.sub("", before).rstrip()
    m = _SDK_ARG.search(b)
    return m is not None and m.group(1) == key and not b.endswith(("==", "!=", ":="))


_FRAGMENT = re.compile(r"^[/?&#@:]|[/?&=@:]$|://")
_USERINFO = re.compile(r":[^/@:\s]{4,}@")  # `://admin:hunter2@`: a password written in the address

# Interpolations: `{expr}` in a Python f-string (`{{` is a literal brace), `${expr}` in a JS template.
_PY_FIELD = re.compile(r"\{\{|\}\}|\{[^{}]*\}")
_JS_FIELD = re.compile(r"\$\{[^{}]*\}")


def _literal_parts(body: str, quote: str, before: str) -> list[str] | None:
    """The literal parts of an interpolated string (None when the literal has no interpolation)."""
    if quote == "`":
        if "${" not in body:
            return None
        return [p for p in _JS_FIELD.split(body) if p]
    prefix = _STRING_PREFIX.search(before)
    if prefix is None or "f" not in prefix.group(0).lower() or "{" not in body:
        return None
    parts: list[str] = []
    current = ""
    pos = 0
    for fm in _PY_FIELD.finditer(body):
        current += body[pos : fm.start()]
        if fm.group(0) in ("{{", "}}"):
            current += fm.group(0)[0]  # an escaped brace is literal text
        else:
            parts.append(current)
            current = ""
        pos = fm.end()
    parts.append(current + body[pos:])
    if len(parts) == 1:
        return None  # only escaped braces: a plain literal after all
    return [p for p in parts if p]


def _unescape(body: str) -> str:
    return body.replace("\\n", "\n") if "\\n" in body else body


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in spans)


def _blank(line: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return line
    chars = list(line)
    for s, e in spans:
        for i in range(s, min(e, len(chars))):
            chars[i] = " "
    return "".join(chars)
