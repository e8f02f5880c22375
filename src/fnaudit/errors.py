"""Errors: problems met during a scan (data, never exceptions that stop it) and user-facing failures."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class ScanError:
    """A problem with one input or one rule. The scan records it and goes on.

    `path` is relative to the scan root; `message` says what is wrong and what to do about it.
    """

    path: str
    message: str
    stage: str = "load"  # discover | load | rule | config

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "stage": self.stage}


class FnauditError(Exception):
    """A failure that stops the command (bad flags, unreadable config). Exit code 2."""

    def diagnostics(self) -> str:
        return str(self)


class ConfigError(FnauditError):
    pass


class InputError(FnauditError):
    """A file could not be used: too big, binary, not UTF-8, outside the root, unparseable."""
