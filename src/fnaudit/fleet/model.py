"""The records the fleet passes between its parts: what to scan, and what one target's scan left.

Plain frozen dataclasses of strings and numbers, so that a Dask worker can send them back (pickled) and the
history can store them without knowing the scan's own model.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Source(StrEnum):
    PATH = "path"  # a local folder (a glob of folders expands into one target each)
    GIT = "git"  # a repository cloned (or updated) into the fleet's cache with the system `git`
    AWS = "aws"  # an `aws:` account target


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """One `[[target]]` of FLEET.toml, after globs are expanded: what to scan and how."""

    name: str  # unique in the fleet: the key of the target's history
    source: Source
    location: str  # folder, git URL, or `aws:…` target text
    ref: str | None = None  # git branch / tag / commit
    subdir: str | None = None  # a folder inside the repository
    stage: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    config: str | None = None  # a config file (as `scan --config`)
    select: tuple[str, ...] = ()
    profile: str | None = None  # aws: the profile
    role_arn: str | None = None  # aws: a role to assume
    timeout_seconds: float = 600.0


@dataclass(frozen=True, slots=True)
class FleetSpec:
    targets: tuple[TargetSpec, ...]
    source_file: str = ""  # the FLEET.toml it came from


@dataclass(frozen=True, slots=True)
class FindingRecord:
    """A finding as the history keeps it: the fingerprint identifies it across runs."""

    fingerprint: str
    rule_id: str
    severity: str
    category: str
    function: str | None
    path: str
    line: int
    message: str
    suppressed: bool = False
    key: str = ""  # a configuration key (aws: targets)


@dataclass(frozen=True, slots=True)
class FunctionRecord:
    name: str
    app: str  # the app's source file (or aws:<account>:<region>)
    risk: float
    blast_radius: float
    runtime: str | None = None
    public: bool = False


class Status(StrEnum):
    OK = "ok"
    FAILED = "failed"  # the scan raised, or the target could not be fetched: `error` says why
    TIMEOUT = "timeout"
    NOT_AN_APP = "not-an-app"  # scanned, but no serverless app in it


@dataclass(frozen=True, slots=True)
class TargetOutcome:
    """What one target's scan left: everything the history stores for it in one run."""

    target: str  # TargetSpec.name
    status: Status
    seconds: float
    findings: tuple[FindingRecord, ...] = ()
    functions: tuple[FunctionRecord, ...] = ()
    errors: tuple[str, ...] = ()  # the scan's own `errors` entries, as "path: message"
    error: str | None = None  # why the target failed (FAILED / TIMEOUT)
    revision: str | None = None  # the git commit scanned, when known
    scanned_at: str = ""  # ISO 8601 UTC
    tool_version: str = ""


# ---- what the reports read (built by the history store, rendered by fleet.report) -------------------------


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    started_at: str  # ISO 8601 UTC
    finished_at: str | None
    targets: int
    failed: int


@dataclass(frozen=True, slots=True)
class TargetState:
    """A target as its latest run left it."""

    name: str
    status: Status
    run_id: int
    risk: float  # the highest function risk of the target
    counts: tuple[tuple[str, int], ...]  # (severity, active findings), worst first
    total: int  # active findings
    error: str | None = None


@dataclass(frozen=True, slots=True)
class FleetFinding:
    """A finding of the fleet: which target, and when it was first and last seen (and fixed)."""

    target: str
    record: FindingRecord
    first_seen_run: int
    last_seen_run: int
    fixed_in_run: int | None = None


@dataclass(frozen=True, slots=True)
class RiskyFunction:
    target: str
    function: FunctionRecord
    findings: int


@dataclass(frozen=True, slots=True)
class TrendPoint:
    run_id: int
    started_at: str
    new: int
    fixed: int
    active: int


@dataclass(frozen=True, slots=True)
class FleetView:
    """Everything a fleet report shows (`fnaudit fleet report`); the JSON report is this, as documented in
    src/fnaudit/schema/fleet-v1.json."""

    latest_run: RunInfo | None
    since_run: RunInfo | None  # what `new` and `fixed` are relative to (the previous run, or --since)
    targets: tuple[TargetState, ...]
    total_findings: int  # active findings of the latest run across the fleet
    new: tuple[FleetFinding, ...]
    fixed: tuple[FleetFinding, ...]
    riskiest: tuple[RiskyFunction, ...]  # the top functions by risk across the fleet
    trend: tuple[TrendPoint, ...]  # per run, oldest first
    by_family: tuple[tuple[str, int], ...]  # (rule family, active findings)
    by_rule: tuple[tuple[str, int], ...]  # (rule id, active findings), most first
    attack_paths: tuple[FleetFinding, ...]  # active PATH findings across the fleet
    runs: tuple[RunInfo, ...] = ()
    # every active finding of the latest run across the fleet (the SARIF fleet report's results); added by G3
    active: tuple[FleetFinding, ...] = ()


@dataclass(frozen=True, slots=True)
class FleetDiff:
    """`fnaudit fleet diff RUN_A RUN_B`: what RUN_B has that RUN_A had not (new), and the reverse (fixed)."""

    run_a: RunInfo
    run_b: RunInfo
    new: tuple[FleetFinding, ...]
    fixed: tuple[FleetFinding, ...]
