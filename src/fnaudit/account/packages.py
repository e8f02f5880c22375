"""Downloading deployed code packages, never running them.

A function's `Code.Location` (and a layer's `Content.Location`) is a short-lived pre-signed URL. The
package is streamed to the scan's private folder with a byte cap; whether it is a safe zip (no `..`
members, no links, no bomb) is checked when the scan opens it, by the same code that opens zip artifacts
of a repository (`fnaudit.loaders.archives`). A package announced larger than the cap is not fetched.

The emulator hook: a local emulator may return a `Code.Location` it does not serve (moto does). With
`FNAUDIT_AWS_PACKAGE_DIR=<folder>`, packages are taken from `<folder>/<function name>.zip` (layers:
`<folder>/<layer name>-<version>.zip`) instead of being downloaded; everything else is still read from the
endpoint. It exists for tests against emulators and is documented in docs/aws.md.
"""

from __future__ import annotations

import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

MAX_PACKAGE_BYTES = 256 * 1024 * 1024  # the unzipped limit of a Lambda package is 250 MB; a zip is smaller
PACKAGE_DIR_ENV = "FNAUDIT_AWS_PACKAGE_DIR"
_CHUNK = 1024 * 1024
_TIMEOUT = 120


class PackageError(Exception):
    """A package that could not be fetched: the message says why, for the error entry."""


class PackageSource(Protocol):
    def fetch(self, name: str, location: str, dest: Path, max_bytes: int) -> None:
        """Write the package `name` (a function name, or `layer-version`) found at `location` to `dest`."""


@dataclass(frozen=True, slots=True)
class Download:
    """Packages from their pre-signed URLs (https, or http for a local emulator)."""

    def fetch(self, name: str, location: str, dest: Path, max_bytes: int) -> None:
        if not location.startswith(("https://", "http://")):
            raise PackageError(f"its code location is not an http(s) URL ({location.split('?')[0][:80]!r})")
        try:
            with urllib.request.urlopen(location, timeout=_TIMEOUT) as response:
                _copy_capped(response, dest, max_bytes)
        except OSError as exc:
            raise PackageError(f"downloading its package failed: {exc}") from None


@dataclass(frozen=True, slots=True)
class Folder:
    """Packages from a local folder (`<name>.zip`): the emulator hook."""

    folder: Path

    def fetch(self, name: str, location: str, dest: Path, max_bytes: int) -> None:
        source = self.folder / f"{name}.zip"
        try:
            with source.open("rb") as fh:
                _copy_capped(fh, dest, max_bytes)
        except OSError as exc:
            raise PackageError(f"no package {source.name} in {self.folder} ({exc.strerror})") from None


def default_source() -> PackageSource:
    folder = os.environ.get(PACKAGE_DIR_ENV)
    return Folder(Path(folder)) if folder else Download()


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def _copy_capped(stream: _Readable, dest: Path, max_bytes: int) -> None:
    written = 0
    with dest.open("wb") as out:
        while chunk := stream.read(_CHUNK):
            written += len(chunk)
            if written > max_bytes:
                out.close()
                dest.unlink(missing_ok=True)
                raise PackageError(f"its package is larger than {max_bytes // (1024 * 1024)} MB: not analysed")
            out.write(chunk)


def too_large(size: object, max_bytes: int) -> str | None:
    """Why a package of the size the API announced is not fetched (None: fetch it)."""
    if isinstance(size, int) and size > max_bytes:
        return f"its package is {size / (1024 * 1024):.0f} MB, over the {max_bytes // (1024 * 1024)} MB cap: not downloaded, its code was not analysed"
    return None
