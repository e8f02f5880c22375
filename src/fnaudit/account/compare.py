"""`fnaudit scan aws: --compare PATH`: the account, the repository, and the drift between them.

The account is scanned as usual (every finding of the deployed state), the repository at PATH is
loaded by the ordinary pipeline, `drift.compare` pairs their functions and records each difference
on the deployed app, and the DRIFT rules turn the differences into findings. The repository's own
findings are not reported here: `fnaudit scan PATH` reports those.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fnaudit import suppress
from fnaudit.account.drift import compare, deployed_name_of
from fnaudit.account.scan import scan_account
from fnaudit.account.target import AccountTarget
from fnaudit.config import Config
from fnaudit.findings import Finding
from fnaudit.fingerprint import SourceLines
from fnaudit.model.app import App
from fnaudit.pipeline import ScanResult, run_rules, select_rules
from fnaudit.pipeline import scan as scan_folder
from fnaudit.progress import ProgressCallback
from fnaudit.risk import compute as compute_risk
from fnaudit.rules.registry import Context

DRIFT = "DRIFT"


def scan_and_compare(
    target: AccountTarget, config: Config | None = None, progress: ProgressCallback | None = None, *, repository: Path
) -> ScanResult:
    config = config or Config()
    deployed = scan_account(target, config, progress)
    # Only the model is needed from the repository: selecting the DRIFT rules alone runs no engine.
    declared = scan_folder(repository, dataclasses.replace(config, select=(DRIFT,), ignore=()), progress)
    drifted = compare(_in_scope(declared.apps, target), deployed.apps, repository.as_posix())
    rules = tuple(r for r in select_rules(config) if r.code.startswith(DRIFT))
    lines = SourceLines(repository)
    suppressor = suppress.Suppressor(lines, config.ignores, deployed.today, None, False, {})
    findings: list[Finding] = list(deployed.findings)
    errors = list(deployed.errors) + [dataclasses.replace(e, path=_under(repository, e.path)) for e in declared.errors]
    for app in drifted:
        found, rule_errors = run_rules(app, rules, Context(today=deployed.today), config, None, suppressor)
        findings.extend(found)
        errors.extend(rule_errors)
    findings.sort(key=Finding.sort_key)
    apps = tuple(sorted(drifted, key=lambda a: a.source))
    return dataclasses.replace(
        deployed,
        apps=apps,
        findings=tuple(findings),
        errors=tuple(sorted(set(errors))),
        risk=compute_risk(apps, findings),
    )


def _in_scope(apps: tuple[App, ...], target: AccountTarget) -> tuple[App, ...]:
    """With `--function`, only the declared functions the account scan looked at: the others are not
    "declared but not deployed", they were not asked about."""
    if not target.functions:
        return apps
    return tuple(
        dataclasses.replace(app, functions=tuple(f for f in app.functions if target.wants(deployed_name_of(f))))
        for app in apps
    )


def _under(repository: Path, rel: str) -> str:
    """A repository error's path as the user wrote the repository's (the report's paths are the account's)."""
    return (repository / rel).as_posix() if rel else repository.as_posix()
