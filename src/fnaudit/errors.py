"""Errors: problems met during a scan (data, never exceptions that stop it) and user-facing failures."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Loss(StrEnum):
    """What an error cost the scan, which decides whether it fails the run (`--errors`).

    A CI gate must not pass because the input it was meant to check could not be read: errors
    that lose an app or a function fail the scan (exit 2) unless `--errors=warn`. Errors that
    leave every function in the report (some of its analysis missing, or nothing missing at all)
    are warnings. A StrEnum, so that `ScanError` stays orderable and serialises as its value.
    """

    APP = "app"  # an IaC file that should have been an app was not loaded at all
    FUNCTION = "function"  # a function (or a resource that may have been one) was left out of its app
    PARTIAL = "partial"  # everything is there, but part of it was not read (a setting, an event, a code file)
    NONE = "none"  # nothing was lost (a binary file skipped, a configuration warning)

    @property
    def fails(self) -> bool:
        return self in (Loss.APP, Loss.FUNCTION)


@dataclass(frozen=True, slots=True, order=True)
class ScanError:
    """A problem with one input or one rule. The scan records it and goes on.

    `path` is relative to the scan root; `message` says what is wrong and what to do about it.
    `loss` says what the scan lost because of it. The default, PARTIAL, never fails a run: every
    place that can lose an app or a function (the loaders) says so explicitly, and engines and rules,
    which only ever lose part of a function's analysis, need not say anything.
    """

    path: str
    message: str
    stage: str = "load"  # discover | load | code | deps | engine | rule | config
    loss: Loss = Loss.PARTIAL

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "stage": self.stage, "loss": self.loss.value}


class FnauditError(Exception):
    """A failure that stops the command (bad flags, unreadable config). Exit code 2."""

    def diagnostics(self) -> str:
        return str(self)


class ConfigError(FnauditError):
    pass


class InputError(FnauditError):
    """A file could not be used: too big, binary, not UTF-8, outside the root, unparseable."""


class BinaryFileError(InputError):
    """The file holds binary data: it is not text, so it cannot be IaC or code, and nothing is lost by skipping it."""
