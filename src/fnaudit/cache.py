"""The on-disk cache: results that are expensive to compute and depend only on their inputs.

Entries are keyed by a hash of everything that decides their content (input text, options, the
versions of fnaudit and of the library that computed them), so a stale entry is never read: it is
simply never asked for again. The folder is the user cache dir, or `FNAUDIT_CACHE_DIR`;
`FNAUDIT_CACHE_DIR=off` disables caching. A cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

from fnaudit import __version__


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    env = os.environ.get("FNAUDIT_CACHE_DIR")
    if env is not None and env.strip().lower() in ("", "0", "off", "none"):
        return None
    return Path(env) if env else Path(platformdirs.user_cache_dir("fnaudit"))


def key(*parts: str) -> str:
    """A cache key from the parts that decide an entry (fnaudit's version is always one of them)."""
    digest = hashlib.sha256(__version__.encode())
    for part in parts:
        digest.update(b"\x1f")
        digest.update(part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def read_json(namespace: str, entry: str) -> Any | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return json.loads((folder / namespace / f"{entry}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(namespace: str, entry: str, value: Any) -> None:
    """Write atomically (temp file + rename) so that a concurrent scan never reads half an entry."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        target = folder / namespace
        target.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(value, fh, separators=(",", ":"))
        os.replace(tmp, target / f"{entry}.json")
    except OSError:
        pass
