"""What one piece of a scan opened and listed: the inputs a reused result depends on.

A result kept for the next scan (`fnaudit.reuse`) is valid only while every file it was computed
from is unchanged. Loaders and engines read files in many places (templates they include, handler
code and its modules, lockfiles, manifests, build files, zips), so instead of asking each of them to
declare its reads, the scan listens to the interpreter: CPython raises an audit event for every
`open` and every directory listing (`os.listdir`, `os.scandir`, which `glob` and `Path.iterdir` use),
whoever does it. A `ReadLog` made by `recording()` collects those of the current thread's context
while it is active; anything else in the process (another scan, another thread) is not recorded.

The hook is installed once per process, on first use, and costs one context-variable lookup per
event when nothing records (audit hooks cannot be removed). It only collects paths; it never
changes what the code it listens to does.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class ReadLog:
    """Absolute paths opened (for reading or writing) and folders listed while recording."""

    opened: set[str] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)


_CURRENT: ContextVar[ReadLog | None] = ContextVar("fnaudit_read_log", default=None)


def _path_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return os.fsdecode(value)
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        return path if isinstance(path, str) else os.fsdecode(path)
    return None  # a file descriptor: the open that made it was recorded


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event not in ("open", "os.listdir", "os.scandir"):
        return
    log = _CURRENT.get()
    if log is None or not args:
        return
    path = _path_of(args[0])
    if path is None:
        return
    path = os.path.abspath(path)
    (log.opened if event == "open" else log.listed).add(path)


@functools.cache
def _install() -> None:
    """Once per process: an audit hook cannot be removed. (Two threads racing here may add it twice, which only
    records each path twice into the same sets.)"""
    sys.addaudithook(_hook)


@contextmanager
def recording() -> Iterator[ReadLog]:
    """Collect the files opened and folders listed in this context until the block ends."""
    _install()
    log = ReadLog()
    token = _CURRENT.set(log)
    try:
        yield log
    finally:
        _CURRENT.reset(token)
