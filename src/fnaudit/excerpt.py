"""Code excerpts for findings: a few lines around each finding's line, with secrets redacted.

Reporters never read files, yet a report that shows the offending lines reads much better. So the
scan fills `Finding.excerpt` once, after suppression, from the files it already scanned (under the
scan root only). Redaction happens here, before any reporter sees the text:

- no excerpt at all from dotenv files (`.env`, `.env.prod`, …) nor for SECRET findings (their
  evidence already names the variable with a redacted value);
- a line another SECRET finding points at is shown as `KEY: <redacted>` (the value cut off);
- any token a secret detector recognises is replaced by its redacted form (`sk_l…(45 chars)`);
- `KEY: value` / `KEY = value` lines whose key says "secret" (`DB_PASSWORD`, `API_TOKEN`) have
  their value redacted unless it is a reference (`${ssm:…}`, `{{resolve:…}}`, an ARN).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath

from fnaudit.engines.secrets.context import Place, is_placeholder, is_reference, secret_word
from fnaudit.engines.secrets.detectors import DETECTORS
from fnaudit.engines.secrets.scanner import classify, scan_line
from fnaudit.findings import Category, Finding
from fnaudit.redact import redact

CONTEXT = 2  # lines before and after
MAX_LINE = 240  # longer lines are cut (minified code)
MAX_FILE = 5 * 1024 * 1024
_ASSIGN = re.compile(
    r"""^(?P<lead>\s*(?:-\s+)?(?:export\s+)?["']?(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)["']?\s*(?::|=)\s*)(?P<value>\S.*)$"""
)


def is_dotenv(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def add_excerpts(findings: Iterable[Finding], root: Path, context: int = CONTEXT) -> list[Finding]:
    """The findings with `excerpt` filled where the file is readable text under `root`."""
    findings = list(findings)
    root = root.resolve()
    cache: dict[str, list[str] | None] = {}
    secret_lines: dict[str, set[int]] = {}
    for f in findings:
        if _is_secret(f) and f.location.line > 0:
            secret_lines.setdefault(f.location.path, set()).add(f.location.line)
    out = []
    for f in findings:
        path, line = f.location.path, f.location.line
        if not path or line <= 0 or _is_secret(f) or is_dotenv(path):
            out.append(f)
            continue
        if path not in cache:
            cache[path] = _read(root, path)
        lines = cache[path]
        if not lines or line > len(lines):
            out.append(f)
            continue
        masked = secret_lines.get(path, set())
        first, last = max(1, line - context), min(len(lines), line + context)
        excerpt = tuple(
            (n, redact_line(lines[n - 1], masked_value=n in masked, path=path)) for n in range(first, last + 1)
        )
        out.append(replace(f, excerpt=excerpt))
    return out


# Pure (the line, two flags and the immutable detector tables decide it): shared between scans and
# threads without harm, and bounded.
@functools.lru_cache(maxsize=65536)
def redact_line(text: str, masked_value: bool = False, path: str | None = None) -> str:
    """One line of source with every secret it may hold replaced by its redacted form.

    Three passes, each enough on its own for what it knows: the secrets engine's line scanner
    (literals judged with the key they are bound to), every format detector (matches widened to
    the whole token), and `KEY: value` lines whose key names a secret."""
    text = text.rstrip("\r\n")
    m = _ASSIGN.match(text)
    if m and (masked_value or _secret_key_with_value(m.group("key"), m.group("value"))):
        return m.group("lead") + "<redacted>"
    if masked_value:
        return "<redacted>"
    text = _redact_scanned(text, path)
    text = _redact_tokens(text, m.group("key") if m else None)
    if len(text) > MAX_LINE:  # cut after redaction, so a cut never splits a secret out of a match
        text = text[:MAX_LINE] + " …"
    return text


def _redact_scanned(text: str, path: str | None) -> str:
    """Secrets the secrets engine's line scanner finds."""
    kind = classify(path) if path else None
    place, syntax = kind if kind is not None else (Place.CODE, "code")
    try:
        found = scan_line(text, place, syntax)
    except Exception:  # redaction must never end the scan; the detector pass below still runs
        return text
    for _key, value, verdict in found:
        start, end = getattr(verdict, "start", 0), getattr(verdict, "end", 0)
        secret = value[start:end] if end > start else value
        if len(secret) >= 4 and secret in text:
            text = text.replace(secret, redact(secret))
    return text


def _redact_tokens(text: str, key: str | None = None) -> str:
    for det in DETECTORS:
        if det.key_pattern is not None and not (key and det.key_pattern.search(key)):
            continue  # formats without a prefix only count under a key that names them
        if det.keywords and not any(h in text for h in det.keywords):
            continue
        text = _redact_matches(det.pattern, text)
    return text


_TOKEN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+/=.~")


def _redact_matches(pattern: re.Pattern[str], text: str) -> str:
    """Each match widened to the whole token around it, then redacted: a detector that matches a
    fixed-length prefix of a longer key must not leave the rest of the key in clear."""
    out, pos = [], 0
    for m in pattern.finditer(text):
        start, end = m.start(), m.end()
        if start < pos:
            continue
        while start > pos and text[start - 1] in _TOKEN:
            start -= 1
        while end < len(text) and text[end] in _TOKEN:
            end += 1
        out.append(text[pos:start])
        out.append(redact(text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _secret_key_with_value(key: str, value: str) -> bool:
    word = secret_word(key)
    if word is None:
        return False
    bare = value.strip().strip(",;").strip("\"'")
    return not (is_placeholder(bare) or is_reference(bare, word[0]))


def _is_secret(f: Finding) -> bool:
    return f.category is Category.SECRETS or f.rule_id.startswith("SECRET")


def _read(root: Path, rel: str) -> list[str] | None:
    try:
        p = (root / rel).resolve()
        if root != p and root not in p.parents:
            return None
        if not p.is_file() or p.stat().st_size > MAX_FILE:
            return None
        data = p.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:4096]:
        return None
    return data.decode("utf-8", errors="replace").splitlines()
