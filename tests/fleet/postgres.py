"""A throw-away PostgreSQL server for the history tests: initdb into a temporary folder, a free port, stopped after.

Never a system service. The binaries come from PATH or Debian's /usr/lib/postgresql/*/bin (package `postgresql`).
Absent binaries skip the tests locally and FAIL them in CI (`CI` set), where `.ci/run` installs the package.
PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user (or `nobody`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

_BINARIES = ("initdb", "postgres", "createdb")


def find_bindir() -> Path | None:
    """A folder holding initdb, postgres and createdb: PATH first, then the newest Debian install."""
    on_path = [shutil.which(name) for name in _BINARIES]
    if all(on_path):
        folders = {Path(p).resolve().parent for p in on_path if p}
        if len(folders) == 1:
            return folders.pop()
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True):
        if all((Path(folder) / name).is_file() for name in _BINARIES):
            return Path(folder)
    if all(on_path):  # a mix of folders (symlinks into different places): use them as they are
        return Path(str(on_path[1])).parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError("running as root and neither a `postgres` nor a `nobody` user exists")


@dataclass(frozen=True, slots=True)
class PostgresServer:
    bindir: Path
    socket_dir: Path
    port: int
    user: str

    def create_database(self, name: str) -> str:
        """A new empty database; its `postgresql://` URL (the store maps it to psycopg 3)."""
        subprocess.run(
            [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{name}"


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    bindir = find_bindir()
    if bindir is None:
        reason = "PostgreSQL server binaries (initdb, postgres) not found in PATH or /usr/lib/postgresql/*/bin"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must install the Debian package `postgresql`")
        pytest.skip(f"{reason} (install the Debian package `postgresql`)")
    account = _run_as()
    user = account.pw_name if account else pwd.getpwuid(os.geteuid()).pw_name
    as_user: dict[str, int] = {"user": account.pw_uid, "group": account.pw_gid} if account else {}
    with tempfile.TemporaryDirectory(prefix="fnaudit-pg-") as tmp:
        root = Path(tmp)
        data, sockets = root / "data", root / "sock"
        sockets.mkdir()
        if account:
            for folder in (root, sockets):
                os.chown(folder, account.pw_uid, account.pw_gid)
        subprocess.run(
            [str(bindir / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "--no-sync", "-E", "UTF8"],
            check=True,
            capture_output=True,
            timeout=120,
            **as_user,  # type: ignore[arg-type]
        )
        port = _free_port()
        log = (root / "server.log").open("wb")
        # -F: no fsync (a throw-away cluster); -k: the Unix socket in our folder, never /var/run/postgresql.
        command = [str(bindir / "postgres"), "-D", str(data), "-k", str(sockets), "-p", str(port), "-h", "127.0.0.1"]
        server = subprocess.Popen(
            [*command, "-F"],
            stdout=log,
            stderr=subprocess.STDOUT,
            **as_user,  # type: ignore[arg-type]
        )
        try:
            _wait_ready(port, user, server, root / "server.log")
            yield PostgresServer(bindir, sockets, port, user)
        finally:
            server.terminate()  # SIGTERM: PostgreSQL's "smart" shutdown
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=30)
            log.close()


def _wait_ready(port: int, user: str, server: subprocess.Popen[bytes], log: Path) -> None:
    import psycopg  # the driver the store uses; imported here so that a skip never needs it

    deadline = time.monotonic() + 120  # generous: CI machines run several test workers at once
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"postgres exited with {server.returncode}: {log.read_text(errors='replace')}")
        try:
            psycopg.connect(host="127.0.0.1", port=port, user=user, dbname="postgres", connect_timeout=2).close()
        except psycopg.OperationalError:
            time.sleep(0.1)
        else:
            return
    raise RuntimeError(f"postgres did not accept connections on port {port}: {log.read_text(errors='replace')}")
