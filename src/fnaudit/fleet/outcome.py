"""One target's scan, as the fleet runs it on a worker: fetch, scan, and reduce the ScanResult to records.

`scan_target` never raises: whatever goes wrong (a clone that fails, a config file that does not parse, a bug
in a loader) becomes a FAILED outcome with the exception's type and message, so that one target never stops
the fleet. What it returns is plain records (fnaudit.fleet.model), cheap to pickle back from a Dask worker.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from fnaudit import __version__, config_file
from fnaudit.config import Config
from fnaudit.fleet import gitcache
from fnaudit.fleet.model import FindingRecord, FunctionRecord, Source, Status, TargetOutcome, TargetSpec
from fnaudit.pipeline import ScanResult


def scan_target(spec: TargetSpec, cache: Path, today: dt.date | None = None) -> TargetOutcome:
    """Scan the target `spec` names; its git checkout (if any) lives under `cache`."""
    started = time.perf_counter()
    scanned_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    revision: str | None = None
    try:
        if spec.source is Source.AWS:
            result = _scan_account(spec, today)
        else:
            with _folder(spec, cache) as (folder, revision):
                result = _scan_folder(spec, folder, today)
    except Exception as exc:  # the contract: a failing target is an outcome, never an exception
        return TargetOutcome(
            spec.name,
            Status.FAILED,
            round(time.perf_counter() - started, 3),
            error=f"{type(exc).__name__}: {gitcache.redact(str(exc))}",
            revision=revision,
            scanned_at=scanned_at,
            tool_version=__version__,
        )
    return to_outcome(spec.name, result, round(time.perf_counter() - started, 3), revision, scanned_at)


def to_outcome(
    name: str, result: ScanResult, seconds: float, revision: str | None = None, scanned_at: str = ""
) -> TargetOutcome:
    """The records the history keeps of `result`."""
    errors = tuple(f"{e.path}: {e.message}" for e in result.errors)
    status, error = Status.OK, None
    if not result.apps:
        lost = [e for e in result.errors if e.loss.fails]
        # No app, and nothing that should have been one failed to load: the target holds no serverless app.
        # An app that could not be loaded is a failure: reporting that target as clean would be a lie.
        status = Status.FAILED if lost else Status.NOT_AN_APP
        error = f"ScanError: {lost[0].path}: {lost[0].message}" if lost else None
    findings = tuple(
        FindingRecord(
            fingerprint=f.fingerprint,
            rule_id=f.rule_id,
            severity=f.severity.value,
            category=f.category.value,
            function=f.function,
            path=f.location.path,
            line=f.location.line,
            message=f.message,
            suppressed=f.suppressed,
            key=f.location.key,
        )
        for f in result.findings
    )
    functions = tuple(
        FunctionRecord(
            name=fn.name,
            app=app.source,
            risk=result.risk[fn.id].score if fn.id in result.risk else 0.0,
            # Unknown (no role in the app) is stored as 0: the risk score already counts it as half.
            blast_radius=0.0 if fn.blast_radius is None else float(fn.blast_radius.score),
            runtime=fn.runtime.value,
            public=fn.is_public,
        )
        for app in result.apps
        for fn in app.functions
    )
    return TargetOutcome(
        name,
        status,
        seconds,
        findings=findings,
        functions=functions,
        errors=errors,
        error=error,
        revision=revision,
        scanned_at=scanned_at,
        tool_version=__version__,
    )


@contextmanager
def _folder(spec: TargetSpec, cache: Path) -> Iterator[tuple[Path, str | None]]:
    """The folder to scan and the commit it holds (None for a local folder); a git checkout stays locked
    against other targets of the same repository while the scan reads it."""
    if spec.source is Source.GIT:
        with gitcache.checked_out(spec.location, cache, spec.ref, timeout=spec.timeout_seconds) as checkout:
            yield _inside(checkout.folder, spec.subdir), checkout.commit
        return
    folder = Path(spec.location)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    yield folder, None


def _inside(root: Path, subdir: str | None) -> Path:
    """`subdir` of the checkout, refusing anything that leaves it (a symlink in the repository included)."""
    if not subdir:
        return root
    folder = (root / PurePosixPath(subdir)).resolve()
    if not folder.is_relative_to(root.resolve()):
        raise ValueError(f"subdir {subdir!r} leaves the repository")
    if not folder.is_dir():
        raise FileNotFoundError(f"subdir {subdir!r} is not a folder of the repository")
    return folder


def _config(spec: TargetSpec, folder: Path, today: dt.date | None) -> Config:
    """As `fnaudit scan` builds it: the config file (the spec's, or the one in the folder), the options over it."""
    base = config_file.load(folder, Path(spec.config) if spec.config else None)
    config = config_file.with_flags(
        base,
        select=spec.select or None,
        stage=spec.stage,
        params=dict(spec.params),
        today=today,
    )
    # Excerpts are for the reports of one scan; the history keeps none.
    return dataclasses.replace(config, excerpts=False)


def _scan_folder(spec: TargetSpec, folder: Path, today: dt.date | None) -> ScanResult:
    from fnaudit.pipeline import scan

    return scan(folder, _config(spec, folder, today))


def _scan_account(spec: TargetSpec, today: dt.date | None) -> ScanResult:
    from fnaudit.account import target as account_target
    from fnaudit.account.scan import scan_account

    if spec.role_arn is not None:
        # The aws: target reads with a profile only; a profile with `role_arn` and `source_profile` in
        # ~/.aws/config assumes the role through boto3's own chain.
        raise NotImplementedError(
            "role_arn: the aws: target cannot assume a role itself yet; "
            "use a profile with role_arn and source_profile in ~/.aws/config"
        )
    config = config_file.load(Path.cwd(), Path(spec.config)) if spec.config else Config()
    config = config_file.with_flags(
        config, select=spec.select or None, stage=spec.stage, params=dict(spec.params), today=today
    )
    return scan_account(account_target.parse(spec.location, spec.profile), config)
