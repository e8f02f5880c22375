"""Hand-built values for reporter and CLI tests: four small rules, the App of `fixtures/app`, results.

Reporters must work from a `ScanResult` alone, so their tests do not need loaders or the real rule
set; the App below mirrors `fixtures/app/serverless.yml` line for line so that inline comments and
end-to-end runs point at the same places.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from fnaudit.errors import ScanError
from fnaudit.findings import Category, Finding, Hit, Severity, Suppression
from fnaudit.loaders import LoadOptions, LoadOutcome, ScanRoot, SourceDoc
from fnaudit.loaders.discover import Discovery
from fnaudit.model.app import (
    App,
    AuthKind,
    Authorizer,
    Code,
    Dialect,
    Effect,
    Function,
    Role,
    Statement,
    Trigger,
    TriggerKind,
)
from fnaudit.model.facts import Fact
from fnaudit.model.loc import Loc, Origin, Value
from fnaudit.model.permissions import EffectivePermissions
from fnaudit.pipeline import ScanResult, Stats
from fnaudit.rules import registry
from fnaudit.rules.registry import Context, Rule

FIXTURE_APP = Path(__file__).parent / "fixtures" / "app"
SOURCE = "serverless.yml"
SCAN_DATE = dt.date(2026, 11, 29)

_DOC = """\
## What it finds

{what}

## Why it matters

An attacker who reaches the function gets more than it needs.

## How to fix

{fix}

## Example

```yaml
# bad
Action: "*"
```
"""


def _admin(app: App, ctx: Context) -> Iterator[Hit]:
    for fn in app.functions:
        for st in fn.role.allow_statements() if fn.role else ():
            if "*" in st.actions:
                yield Hit(st.loc, f"the role of {fn.name} allows every action on every resource", fn.id, 'Action: "*"')


def _no_authorizer(app: App, ctx: Context) -> Iterator[Hit]:
    for fn in app.functions:
        for t in fn.triggers:
            if t.public and not t.is_authenticated:
                yield Hit(t.loc, f"{t.describe} has no authorizer", fn.id, key=t.describe)


def _no_concurrency(app: App, ctx: Context) -> Iterator[Hit]:
    for fn in app.functions:
        if not fn.reserved_concurrency.is_set:
            yield Hit(fn.loc, f"{fn.name} has no reserved concurrency", fn.id)


def _app_level(app: App, ctx: Context) -> Iterator[Hit]:
    yield Hit(Loc(app.source, 1), f"service {app.name} keeps its logs forever", None, key=app.name)


def _rule(
    code: str,
    name: str,
    title: str,
    category: Category,
    severity: Severity,
    check: object,
    cwe: int,
    needs: tuple[Fact, ...] = (),
) -> Rule:
    doc = _DOC.format(what=f"{title}.", fix=f"Fix the {name} problem.")
    return Rule(
        code,
        name,
        title,
        category,
        severity,
        check,
        cwe=(cwe,),
        owasp=("SAS-3",),
        doc=doc,  # type: ignore[arg-type]
        needs=needs,
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "AUTH001",
        "http-no-authorizer",
        "HTTP route without authorizer",
        Category.AUTH,
        Severity.HIGH,
        _no_authorizer,
        306,
    ),
    _rule(
        "DOS001",
        "no-reserved-concurrency",
        "No reserved concurrency",
        Category.AVAILABILITY,
        Severity.LOW,
        _no_concurrency,
        770,
    ),
    _rule(
        "IAM001",
        "iam-admin-access",
        "Role allows every action",
        Category.PERMISSIONS,
        Severity.CRITICAL,
        _admin,
        269,
        needs=(Fact.PERMISSIONS,),
    ),  # as the real IAM001: the scan runs the IAM engine for it
    _rule("OBS001", "no-log-retention", "Logs kept forever", Category.LOGGING, Severity.INFO, _app_level, 779),
)
RULE_BY_CODE = {r.code: r for r in RULES}


def make_app() -> App:
    """The App of fixtures/app/serverless.yml, as the serverless loader should build it."""
    role = Role(
        "IamRoleLambdaExecution",
        Loc(SOURCE, 6),
        statements=(Statement(Effect.ALLOW, Loc(SOURCE, 8), actions=("*",), resources=("*",)),),
    )
    runtime = Value("python3.12", Loc(SOURCE, 4), Origin.INHERITED)
    api = Function(
        id=f"{SOURCE}#api",
        name="api",
        loc=Loc(SOURCE, 12),
        runtime=runtime,
        handler=Value("handler.main", Loc(SOURCE, 13)),
        code=Code("python", True, "", "handler.py", "main"),
        environment={
            "DB_PASSWORD": Value("hunter2hunter2hunter2", Loc(SOURCE, 15)),
            "TABLE": Value("items", Loc(SOURCE, 16)),
        },
        timeout=Value(6, Loc(SOURCE, 12), Origin.DEFAULT),
        triggers=(
            Trigger(
                TriggerKind.API_REST,
                Loc(SOURCE, 18),
                Authorizer.none(Loc(SOURCE, 18)),
                path="/items",
                method="GET",
                public=True,
            ),
        ),
        role=role,
        role_shared_with=("worker",),
    )
    worker = Function(
        id=f"{SOURCE}#worker",
        name="worker",
        loc=Loc(SOURCE, 21),
        runtime=runtime,
        handler=Value("worker.run", Loc(SOURCE, 22)),
        code=Code("python", True, "", "worker.py", "run"),
        reserved_concurrency=Value(5, Loc(SOURCE, 23)),
        triggers=(
            Trigger(
                TriggerKind.SQS,
                Loc(SOURCE, 25),
                Authorizer(AuthKind.IAM, Loc(SOURCE, 25)),
                source="arn:aws:sqs:us-east-1:123456789012:jobs",
            ),
        ),
        role=role,
        role_shared_with=("api",),
    )
    return App("demo", Dialect.SERVERLESS, "", SOURCE, (with_reach(api), with_reach(worker)), roles={role.id: role})


def with_reach(fn: Function) -> Function:
    """`fn` with what its role reaches per resource (`EffectivePermissions.access`) as the IAM engine computes
    it before reporting: reporters read it and never classify actions themselves."""
    from fnaudit.engines.iam import access, catalogue

    if fn.role is None:
        return fn
    perms = fn.permissions or EffectivePermissions()
    return replace(fn, permissions=replace(perms, access=access.role_access(fn.role, perms, catalogue.load())))


def copy_fixture(dest: Path) -> Path:
    """A private copy of fixtures/app (tests may add config files or comments to it)."""
    shutil.copytree(FIXTURE_APP, dest, dirs_exist_ok=True)
    return dest


def finding(
    code: str,
    function: str | None,
    line: int,
    message: str,
    fingerprint: str,
    suppression: Suppression | None = None,
    evidence: str = "",
) -> Finding:
    r = RULE_BY_CODE[code]
    return Finding(
        rule_id=r.code,
        rule_name=r.name,
        title=r.title,
        category=r.category,
        severity=r.severity,
        function=function,
        function_id=f"{SOURCE}#{function}" if function else None,
        location=Loc(SOURCE, line),
        message=message,
        evidence=evidence,
        remediation=r.section("How to fix"),
        fingerprint=fingerprint,
        suppression=suppression,
        functions=(function,) if function else (),
    )


def sample_findings() -> tuple[Finding, ...]:
    """Five findings over two functions and the app, one suppressed, in the scan's sorted order."""
    found = [
        finding(
            "IAM001",
            "api",
            8,
            "the role of api allows every action on every resource",
            "aaaa000000000001",
            evidence='Action: "*"',
        ),
        finding(
            "IAM001",
            "worker",
            8,
            "the role of worker allows every action on every resource",
            "aaaa000000000002",
            suppression=Suppression("config", "worker role is reviewed by the platform team"),
        ),
        finding("AUTH001", "api", 18, "api GET /items has no authorizer", "bbbb000000000001"),
        finding("DOS001", "api", 12, "api has no reserved concurrency", "cccc000000000001"),
        finding("OBS001", None, 1, "service demo keeps its logs forever", "dddd000000000001"),
    ]
    return tuple(sorted(found, key=Finding.sort_key))


def make_result(
    findings: tuple[Finding, ...] | None = None,
    errors: tuple[ScanError, ...] = (),
    seconds: float = 0.25,
    target: str = "demo",
) -> ScanResult:
    return ScanResult(
        target=target,
        apps=(make_app(),),
        findings=sample_findings() if findings is None else findings,
        errors=errors,
        rules=RULES,
        stats=Stats(files=3, functions=2, seconds=seconds, stages={"load": 0.1, "rules": 0.1, "suppress": 0.05}),
        today=SCAN_DATE,
    )


def baseline_suppressed(f: Finding) -> Finding:
    return replace(f, suppression=Suppression("baseline", "in baseline"))


def install_fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry holds exactly the four test rules (whatever real rules exist)."""
    monkeypatch.setattr(registry, "_REGISTRY", {r.code: r for r in RULES})
    monkeypatch.setattr(registry, "_LOADED", True)


def install_fake_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """`scan()` sees the hand-built App instead of running the loaders, so the rest of the
    pipeline (rules, suppressions, baseline) runs for real on known input."""

    def discover(target: Path, root: ScanRoot, exclude: tuple[str, ...] = ()) -> Discovery:
        doc = SourceDoc(root.path / "serverless.yml", "serverless.yml", "", {}, Dialect.SERVERLESS)
        return Discovery(docs=[doc], files_seen=3)

    def load_doc(doc: SourceDoc, root: ScanRoot, options: LoadOptions) -> LoadOutcome:
        return LoadOutcome(apps=[make_app()])

    install_fake_rules(monkeypatch)
    monkeypatch.setattr("fnaudit.pipeline.discover", discover)
    monkeypatch.setattr("fnaudit.units.load_doc", load_doc)
