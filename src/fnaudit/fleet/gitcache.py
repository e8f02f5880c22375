"""Git targets: clone or update a repository in the fleet's cache with the system `git`, and check out a commit.

The SYSTEM `git` on purpose: the user's own credential helpers, SSH keys and `~/.gitconfig` (proxies, URL
rewrites) apply, and fnaudit never sees or stores a credential. `GIT_TERMINAL_PROMPT=0` so that a private
repository without credentials fails at once instead of waiting for a password nobody will type on a worker.

Each URL has one working copy, `<cache>/fleet/git/<sha256 of the URL>`; a lock file next to it serialises the
targets that share it (a monorepo split per app) on one machine, for the fetch, the checkout AND the scan, which
reads the checked-out files. A first clone goes to a temporary folder renamed into place, so an interrupted clone
never leaves a half repository behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ATTEMPTS = 3  # the first try and two retries of a transient (network) failure
BACKOFF_SECONDS = (1.0, 3.0)  # before the first and the second retry
# What git prints when the network, not the request, failed: worth another try. Anything else (repository
# not found, authentication failed, unknown ref) fails the same way every time.
_TRANSIENT = re.compile(
    r"could not resolve host|temporary failure in name resolution|connection (timed out|reset|refused)"
    r"|operation timed out|the remote end hung up unexpectedly|early eof|rpc failed|unexpected disconnect"
    r"|gnutls_handshake|ssl_read|tls connection|http/2 stream|failed to connect|network is unreachable"
    r"|couldn't connect to server|error: 50[234]",
    re.IGNORECASE,
)
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


class GitError(Exception):
    """A git command failed; the message says which and why (credentials in URLs redacted)."""

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True, slots=True)
class Checkout:
    folder: Path  # the working copy, at `commit`
    commit: str  # the full hash of the commit checked out


def cache_folder(url: str, cache: Path) -> Path:
    return cache / "fleet" / "git" / hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]


@contextmanager
def checked_out(
    url: str, cache: Path, ref: str | None = None, *, timeout: float | None = None, backoff: Sequence[float] = ()
) -> Iterator[Checkout]:
    """The repository at `url`, cloned or fetched into the cache and checked out at `ref` (default: the remote's
    HEAD); the working copy stays locked against other targets of the same URL until the block ends.
    `timeout` bounds each git command; `backoff` replaces BACKOFF_SECONDS (tests)."""
    if url.startswith("-") or (ref is not None and ref.startswith("-")):
        raise GitError(f"refusing {redact(url)!r} / {ref!r}: looks like a command-line option")
    folder = cache_folder(url, cache)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            pause = tuple(backoff) or BACKOFF_SECONDS
            if (folder / ".git").is_dir():
                _retrying(lambda: _update(folder, timeout), pause)
            else:
                _retrying(lambda: _clone(url, folder, timeout), pause)
            commit = _resolve(folder, ref, timeout)
            _git(["checkout", "--force", "--detach", commit], folder, timeout)
            _git(["clean", "-ffdxq"], folder, timeout)  # files a previous checkout left (it is our copy)
            yield Checkout(folder, commit)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def redact(text: str) -> str:
    """`https://user:token@host/…` → `https://***@host/…`: git URLs may carry credentials."""
    return _USERINFO.sub("***@", text)


def _retrying(action: Callable[[], None], pause: Sequence[float]) -> None:
    for attempt in range(ATTEMPTS):
        try:
            action()
            return
        except GitError as exc:
            if not exc.transient or attempt == ATTEMPTS - 1:
                raise
            time.sleep(pause[min(attempt, len(pause) - 1)])


def _clone(url: str, folder: Path, timeout: float | None) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    try:
        _git(["clone", "--quiet", "--no-checkout", "--", url, str(tmp / "repo")], folder.parent, timeout)
        (tmp / "repo").rename(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _update(folder: Path, timeout: float | None) -> None:
    _git(["fetch", "--quiet", "--prune", "--tags", "--force", "origin"], folder, timeout)
    # The remote's default branch may have changed since the clone: origin/HEAD follows it.
    _git(["remote", "set-head", "origin", "--auto"], folder, timeout)


def _resolve(folder: Path, ref: str | None, timeout: float | None) -> str:
    """The commit `ref` names: a remote branch first (what a fleet means by `main`), then a tag, then a commit."""
    candidates = (
        ["refs/remotes/origin/HEAD"] if ref is None else [f"refs/remotes/origin/{ref}", f"refs/tags/{ref}", ref]
    )
    for name in candidates:
        try:
            return _git(["rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"], folder, timeout).strip()
        except GitError:
            continue
    raise GitError(f"no branch, tag or commit {ref!r} in the repository" if ref else "the repository has no HEAD")


def _git(args: list[str], cwd: Path, timeout: float | None) -> str:
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed (the fleet uses the system git for git targets)")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(
            [git, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        # Not retried: the timeout is the target's own, and another try would only overrun it.
        raise GitError(f"git {args[0]} took more than {timeout:g} s") from None
    if done.returncode != 0:
        said = redact(" ".join(done.stderr.split()))[:500]
        raise GitError(f"git {args[0]} failed: {said or f'exit code {done.returncode}'}", bool(_TRANSIENT.search(said)))
    return done.stdout
