"""Severity, categories, the `Hit` a rule yields and the `Finding` the scan reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from fnaudit.model.loc import Loc
from fnaudit.model.package import Advisory


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical=4 … info=0."""
        return _RANK[self]

    @staticmethod
    def parse(text: str) -> Severity:
        try:
            return Severity(text.lower())
        except ValueError:
            choices = ", ".join(s.value for s in Severity)
            raise ValueError(f"unknown severity {text!r}; expected one of {choices}") from None


_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}


class Category(StrEnum):
    """The fixed vocabulary of finding categories (DESIGN.md §4)."""

    PERMISSIONS = "permissions"
    INJECTION = "injection"
    AUTH = "auth"
    SECRETS = "secrets"
    DEPENDENCIES = "dependencies"
    AVAILABILITY = "availability"
    PLATFORM = "platform"
    STATE = "state"
    LOGGING = "logging"
    CONFIG = "config"
    ATTACK_PATH = "attack-path"


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One step of a data flow (source → … → sink), for taint findings and attack paths."""

    loc: Loc
    note: str  # what happens here: "event['body'] read", "passed to build_query()", "reaches cursor.execute()"


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule reports: the engine stamps the rule, function id and fingerprint on it.

    `evidence` must never hold a secret in clear (use `fnaudit.redact`). `key` is a stable,
    line-free identity of the hit within its function (e.g. the env var name or the statement's
    action), used for the fingerprint; it defaults to the evidence.
    """

    loc: Loc
    message: str
    function: str | None = None  # Function.id of the one function concerned
    evidence: str = ""
    remediation: str = ""
    severity: Severity | None = None  # overrides the rule's default (e.g. API key only → lower)
    key: str | None = None
    functions: tuple[str, ...] = ()  # Function.ids when the hit concerns several (a shared role)
    trace: tuple[TraceStep, ...] = ()  # source → sink steps of a data-flow finding
    confidence: str = "high"  # high | medium | low
    # Set by a rule whose finding inherits a suppression: an attack path built on a link the user
    # suppressed on purpose (inline, config, metadata) carries it, with a reason naming that link.
    suppression: Suppression | None = None
    # Why a hit with no function has none: "unclaimed" for code, secrets and lockfiles no function ships.
    attribution: str | None = None
    # Dependency findings: every advisory of the one package version the finding is about (DEP001/002/005).
    advisories: tuple[Advisory, ...] = ()
    # The root cause the hit shares with hits of other rules (an IAM policy statement, `statement:<role>|<source>`):
    # the scan folds hits with one cause into one finding (fnaudit.rules.iam.merge). None: a finding of its own.
    cause: str | None = None
    # Findings this one is shown with (an attack path's foothold: the CODE finding at its sink); fnaudit.merge
    # links them after the rules, so the foothold is reported once, inside its path.
    related: tuple[Related, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of a finding that names several of one root cause (the IAM rules: one finding per
    statement), as the rule that owns the problem reported it. The attack paths read them one by one."""

    rule_id: str
    rule_name: str
    severity: Severity
    location: Loc
    message: str
    evidence: str
    remediation: str


@dataclass(frozen=True, slots=True)
class Related:
    """A finding shown with another one: the foothold of an attack path, by its rule, fingerprint and line.
    JSON `related`, SARIF `relatedLocations`."""

    rule_id: str
    fingerprint: str
    location: Loc
    role: str = "foothold"
    rule_name: str = ""


@dataclass(frozen=True, slots=True)
class Merged:
    """One finding folded into another of the same location and cause (fnaudit.merge), as its rule reported
    it: its fingerprint stays known, so a baseline entry or an inline ignore written for it still applies."""

    rule_id: str
    rule_name: str
    severity: Severity
    fingerprint: str
    location: Loc
    message: str
    suppression: Suppression | None = None


@dataclass(frozen=True, slots=True)
class Suppression:
    kind: str  # inline | config | baseline | metadata
    reason: str
    loc: Loc | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    rule_name: str
    title: str
    category: Category
    severity: Severity
    function: str | None  # function name (None for app-level findings)
    function_id: str | None
    location: Loc
    message: str
    evidence: str
    remediation: str
    fingerprint: str
    suppression: Suppression | None = field(default=None)
    functions: tuple[str, ...] = ()  # names of every function concerned (one, or all users of a shared role)
    trace: tuple[TraceStep, ...] = ()
    confidence: str = "high"
    # (line number, text) around the finding's line, secrets redacted; filled by fnaudit.excerpt after
    # suppression, so reporters can show code without reading files. Empty when not available.
    excerpt: tuple[tuple[int, str], ...] = ()
    # Function.id of every function concerned (`functions` holds their names, which two apps may share);
    # not in the JSON report
    function_ids: tuple[str, ...] = ()
    # Why `function` is None when it is for a reason the reader should know: "unclaimed" (code, a secret
    # or a lockfile in a file no function ships); None for attributed and app-level findings.
    attribution: str | None = None
    # Dependency findings: every advisory of the package version (worst first); JSON and SARIF list them.
    advisories: tuple[Advisory, ...] = ()
    # Hit.cause (not in the JSON report); and every problem of that cause, the owner's first (JSON `problems`).
    cause: str | None = None
    problems: tuple[Problem, ...] = ()
    # fnaudit.merge: every finding of one location and cause folded into this one, this one first (empty when
    # nothing was folded; JSON `merged`); the findings it is shown with (an attack path's foothold); and, on a
    # foothold, the fingerprint of the attack path that shows it (table, Markdown and HTML show it there only).
    merged: tuple[Merged, ...] = ()
    related: tuple[Related, ...] = ()
    shown_with: str | None = None

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    def sort_key(self) -> tuple[int, str, str, int, str, str]:
        return (
            -self.severity.rank,
            self.function_id or "",
            self.location.path,
            self.location.line,
            self.rule_id,
            self.fingerprint,
        )
