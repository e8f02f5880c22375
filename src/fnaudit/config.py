"""The scan configuration: a frozen value built from `[tool.fnaudit]` / `.fnaudit.toml` and flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from fnaudit.findings import Severity


@dataclass(frozen=True, slots=True)
class IgnoreEntry:
    """A config ignore: which rule (code, prefix or name), optionally where, why, and until when."""

    rule: str
    reason: str
    path: str | None = None  # glob on the finding's path
    function: str | None = None  # function name
    until: dt.date | None = None
    source: str = ""  # "pyproject.toml:12" — where the entry was written


@dataclass(frozen=True, slots=True)
class Config:
    select: tuple[str, ...] = ()  # empty = every rule
    ignore: tuple[str, ...] = ()  # rules never run
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    ignores: tuple[IgnoreEntry, ...] = ()
    stage: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)  # values for ${env:…}; empty = none (no leak from the shell)
    tf_vars: Mapping[str, str] = field(default_factory=dict)  # Terraform `--var K=V` (over tfvars files)
    tf_var_files: tuple[str, ...] = ()  # Terraform `--var-file` (after terraform.tfvars and *.auto.tfvars)
    exclude: tuple[str, ...] = ()  # path globs not to discover
    baseline: str | None = None  # path of a baseline file: findings listed there are suppressed
    inline_ignores: bool = True
    today: dt.date | None = None  # the scan date (runtime deprecation); None = today
    excerpts: bool = True  # fill Finding.excerpt (the HTML report and explain-path show code; others don't)
    db: str | None = None  # advisory store folder (--db); None = $FNAUDIT_DB, else the user cache dir
    include_dev: bool = False  # also check development-only packages (they are not deployed)
    # What the reader's reports (table, Markdown) list in full besides the default: "info" lists info findings
    # one by one instead of one summary line per app (`show = ["info"]`, `--show info`).
    show: tuple[str, ...] = ()
    # Keep and reuse per-document results in the unit cache (fnaudit.reuse). Off for a folder that exists
    # only for one scan (a rendered AWS account): its entries could never be reused.
    reuse: bool = True
