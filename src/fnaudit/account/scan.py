"""`fnaudit scan aws:`: the deployed functions of an account, through every engine and rule.

1. Read each region (`reader`): functions with their configuration, resource policies, URLs, mappings,
   aliases and async settings; code packages downloaded to a private temporary folder (size-capped, never
   executed); execution roles with inline, managed and boundary policies; API Gateway v1 and v2 APIs;
   EventBridge rules, SNS subscriptions (and S3 notifications with `--with-s3`); log retention.
2. Render each region as the CloudFormation that would deploy it (`render`) beside its packages.
3. Scan that folder with the ordinary pipeline: the same loaders, engines, rules, risk and reports.
4. Relocate (`relocate`): every location names the ARN and configuration key, or the file in the
   function's package; read failures (AccessDenied, throttling, bad packages) join `errors`.

The temporary folder is removed when the scan ends, however it ends. The unit cache is not used: the
account is read afresh on every scan.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fnaudit.account.calls import AccountUnreachable, Caller, first_call
from fnaudit.account.packages import MAX_PACKAGE_BYTES, PackageSource, default_source
from fnaudit.account.reader import RegionReader, RoleCache
from fnaudit.account.relocate import Relocator
from fnaudit.account.render import RenderedRegion, render
from fnaudit.account.target import AccountTarget
from fnaudit.config import Config
from fnaudit.errors import ScanError
from fnaudit.model import coverage as cov
from fnaudit.pipeline import ScanResult
from fnaudit.pipeline import scan as scan_folder
from fnaudit.progress import ProgressCallback, ProgressEvent

REGION_THREADS = 8


@dataclasses.dataclass(frozen=True, slots=True)
class AccountRead:
    """What reading the account gave, before the scan: the rendered regions and the errors met."""

    account: str
    regions: tuple[RenderedRegion, ...]
    errors: tuple[ScanError, ...]
    calls: int
    seconds: float  # reading the account, downloads included
    download_seconds: float = 0.0  # downloading packages, summed over the reader's threads


def scan_account(
    target: AccountTarget,
    config: Config | None = None,
    progress: ProgressCallback | None = None,
    packages: PackageSource | None = None,
    max_package_bytes: int = MAX_PACKAGE_BYTES,
) -> ScanResult:
    """Scan the account `target` names. Raises AccountUnreachable when nothing can be read at all."""
    config = config or Config()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fnaudit-aws-") as tmp:
        folder = Path(tmp)
        read = read_account(target, folder, progress, packages or default_source(), max_package_bytes)
        result = scan_folder(folder, dataclasses.replace(config, reuse=False), progress)
        relocated = relocate(result, read, target.text)
    stages = {
        "account": round(read.seconds, 4),
        "account-download": round(read.download_seconds, 4),
        **relocated.stats.stages,
    }
    stats = dataclasses.replace(relocated.stats, seconds=round(time.perf_counter() - started, 3), stages=stages)
    return dataclasses.replace(relocated, stats=stats)


def read_account(
    target: AccountTarget,
    folder: Path,
    progress: ProgressCallback | None,
    packages: PackageSource,
    max_package_bytes: int = MAX_PACKAGE_BYTES,
) -> AccountRead:
    """Read every region of `target` into `folder`: one rendered template and its packages per region."""
    import boto3
    import botocore.exceptions

    started = time.perf_counter()
    try:
        session = boto3.Session(profile_name=target.profile)
    except botocore.exceptions.ProfileNotFound as exc:
        raise AccountUnreachable(str(exc)) from None
    home = target.regions[0] if target.regions and not target.every_region else session.region_name
    if not home:
        home = "us-east-1" if target.every_region else ""
    if not home:
        raise AccountUnreachable("no region: name one (`aws:eu-west-1`), set AWS_REGION, or give the profile a region")
    first = Caller(session, home, target.endpoint_url)
    account = str(first_call(first, "sts", "GetCallerIdentity")["Account"])
    regions = _regions(target, first, home)
    roles = RoleCache()
    rendered: list[RenderedRegion] = []
    errors: list[ScanError] = list(first.errors)
    calls = len(first.calls)
    downloads = 0.0

    def one(region: str) -> tuple[RenderedRegion, Caller]:
        caller = Caller(session, region, target.endpoint_url)
        region_folder = folder / region
        (region_folder / "packages").mkdir(parents=True)

        def tick(done: int, total: int) -> None:
            if progress:
                progress(ProgressEvent("account", done, total, f"function in {region}"))

        reader = RegionReader(
            caller, account, target, packages, region_folder / "packages", roles, max_package_bytes, tick
        )
        return render(reader.read(), region_folder, folder), caller

    # Regions are independent (IAM, global, is read once through `roles`): a few at a time, each with its pool.
    with ThreadPoolExecutor(max_workers=min(REGION_THREADS, len(regions)), thread_name_prefix="fnaudit-region") as pool:
        for region_read, caller in pool.map(one, regions):
            rendered.append(region_read)
            errors.extend(caller.errors)
            calls += len(caller.calls)
            downloads += caller.download_seconds
    return AccountRead(account, tuple(rendered), tuple(errors), calls, time.perf_counter() - started, downloads)


def _regions(target: AccountTarget, caller: Caller, home: str) -> tuple[str, ...]:
    if not target.every_region:
        return target.regions or (home,)
    got = first_call(caller, "ec2", "DescribeRegions", AllRegions=False)
    return tuple(sorted(str(r["RegionName"]) for r in got.get("Regions") or ()))


def relocate(result: ScanResult, read: AccountRead, target: str) -> ScanResult:
    """`result` of the rendered folder, told in the account's names (see `relocate.Relocator`)."""
    r = Relocator(read.regions)
    notes = {name: note for region in read.regions for name, note in region.notes.items()}
    apps = tuple(_with_notes(app, notes) for app in r.walk(result.apps))
    coverage: cov.Coverage = r.walk(result.coverage)
    coverage = dataclasses.replace(
        coverage,
        functions=tuple(
            dataclasses.replace(f, code_note=notes[f.name], lockfile_note=notes[f.name]) if f.name in notes else f
            for f in coverage.functions
        ),
    )
    errors = tuple(sorted({*r.walk(result.errors), *read.errors}))
    return ScanResult(
        target=target,
        apps=apps,
        findings=r.walk(result.findings),
        errors=errors,
        rules=result.rules,
        stats=result.stats,
        today=result.today,
        risk=r.walk(dict(result.risk)),
        coverage=coverage,
    )


def _with_notes(app: Any, notes: dict[str, str]) -> Any:
    """A function whose package was not read says why, instead of the rendered template's placeholder."""
    functions = tuple(
        dataclasses.replace(fn, code=dataclasses.replace(fn.code, note=notes[fn.name])) if fn.name in notes else fn
        for fn in app.functions
    )
    return dataclasses.replace(app, functions=functions)
