"""The library API: `scan(target, config) -> ScanResult`.

discover → load → run rules (a failing rule becomes an error entry) → suppress → ScanResult.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from fnaudit import suppress
from fnaudit.config import Config
from fnaudit.engines import EngineContext, engines_for
from fnaudit.errors import Loss, ScanError
from fnaudit.findings import Category, Finding, Hit
from fnaudit.fingerprint import SourceLines, disambiguate, fingerprint
from fnaudit.loaders import LoadOptions, ScanRoot, SourceDoc, archives
from fnaudit.loaders.discover import Discovery, discover
from fnaudit.merge import merge_findings
from fnaudit.model import coverage as cov
from fnaudit.model.app import App, Function
from fnaudit.model.facts import Fact
from fnaudit.model.unclaimed import COVERAGE_NOTE
from fnaudit.progress import ProgressCallback, ProgressEvent
from fnaudit.reuse import open_reuse, store_identity
from fnaudit.risk import Risk
from fnaudit.risk import compute as compute_risk
from fnaudit.rules.iam.merge import merge_causes
from fnaudit.rules.registry import Context, Rule, all_rules, matches
from fnaudit.units import load_and_enrich


@dataclass(frozen=True, slots=True)
class Stats:
    files: int
    functions: int
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)
    reused: int = 0  # documents whose loaded and enriched apps came from the unit cache (fnaudit.reuse)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a reporter needs, and nothing it must compute."""

    target: str
    apps: tuple[App, ...]
    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]
    rules: tuple[Rule, ...]
    stats: Stats
    today: dt.date
    # Risk per function (Function.id → Risk), computed after suppression (fnaudit.risk documents it).
    risk: Mapping[str, Risk] = field(default_factory=dict)
    # What happened to every file under the root and what each function was credited (model.coverage).
    coverage: cov.Coverage = field(default_factory=cov.Coverage)

    @property
    def functions(self) -> tuple[Function, ...]:
        return tuple(f for app in self.apps for f in app.functions)

    @property
    def active_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.suppressed)


def select_rules(config: Config) -> tuple[Rule, ...]:
    rules = all_rules()
    if config.select:
        rules = tuple(r for r in rules if any(matches(r, s) for s in config.select))
    if config.ignore:
        rules = tuple(r for r in rules if not any(matches(r, s) for s in config.ignore))
    return rules


def needed_facts(rules: tuple[Rule, ...]) -> frozenset[Fact]:
    """The engine facts the rules that will run read. A second-phase rule (attack paths) makes every
    first-phase rule run as its input (`run_rules`), so it needs what they all need."""
    running = rules
    if any(r.phase > 0 for r in rules):
        running = rules + tuple(r for r in all_rules() if r.phase == 0)
    return frozenset(f for r in running for f in r.needs)


def run_rules(
    app: App,
    rules: tuple[Rule, ...],
    ctx: Context,
    config: Config,
    lines: SourceLines | None = None,
    suppressor: suppress.Suppressor | None = None,
) -> tuple[list[Finding], list[ScanError]]:
    """Every selected rule on one app. A rule that raises is reported as an error; the others still run.

    Second-phase rules (attack paths) read the first phase's findings; when one is selected, every
    first-phase rule runs to feed it, but only the selected rules' findings are reported. With a
    `suppressor`, first-phase findings are marked before the paths are built (a path on a link
    suppressed on purpose carries that suppression), and the paths after. `lines` gives fingerprints
    the text of each finding's line (without it, fingerprints hash rule, path, function and key only).
    """
    first = tuple(r for r in rules if r.phase == 0)
    second = tuple(r for r in rules if r.phase > 0)
    findings, errors = _run(app, first, ctx, config, lines, suppressor)
    if second:
        inputs = list(findings)
        unselected = tuple(r for r in all_rules() if r.phase == 0 and r not in first)
        if unselected:
            more, more_errors = _run(app, unselected, ctx, config, lines, suppressor)
            inputs.extend(more)
            errors.extend(more_errors)
        path_findings, path_errors = _run(app, second, replace(ctx, findings=tuple(inputs)), config, lines, suppressor)
        findings.extend(path_findings)
        errors.extend(path_errors)
    return findings, errors


def _run(
    app: App,
    rules: tuple[Rule, ...],
    ctx: Context,
    config: Config,
    lines: SourceLines | None,
    suppressor: suppress.Suppressor | None,
) -> tuple[list[Finding], list[ScanError]]:
    names = {f.id: f.name for f in app.functions}
    findings: list[Finding] = []
    errors: list[ScanError] = []
    for r in rules:
        try:
            hits = list(r.check(app, ctx))
        except Exception as exc:  # noqa: BLE001 -- one broken rule must not hide the others' findings
            errors.append(
                ScanError(app.source, f"rule {r.code} ({r.name}) failed: {type(exc).__name__}: {exc}", "rule")
            )
            continue
        for hit in hits:
            findings.append(_finding(r, hit, names, config, lines))
    # One finding per IAM statement (issue 22), before disambiguation (which would drop a statement's second hit
    # of one rule as a repeat); each problem is marked first, so an ignore naming its rule still drops it.
    findings = merge_causes(findings, suppressor.mark if suppressor else None)
    findings = disambiguate(findings)  # per rule: fingerprints hash the rule code, so groups never span rules
    return (suppressor.mark(findings) if suppressor else findings), errors


def _finding(r: Rule, hit: Hit, names: dict[str, str], config: Config, lines: SourceLines | None = None) -> Finding:
    severity = (
        config.severity_overrides.get(r.code) or config.severity_overrides.get(r.name) or hit.severity or r.severity
    )
    key = hit.key if hit.key is not None else (hit.evidence or hit.message)
    # The finding's own line tells two same-shape findings of one function apart. Not for secrets:
    # their line holds the secret, and a hash of it could be brute-forced when the secret is weak.
    text = lines.text(hit.loc) if lines is not None and r.category is not Category.SECRETS else ""
    concerned = hit.functions or ((hit.function,) if hit.function else ())
    return Finding(
        rule_id=r.code,
        rule_name=r.name,
        title=r.title,
        category=r.category,
        severity=severity,
        function=names.get(hit.function) if hit.function else None,
        function_id=hit.function,
        location=hit.loc,
        message=hit.message,
        evidence=hit.evidence,
        remediation=hit.remediation or r.section("How to fix").split("\n\n")[0],
        fingerprint=fingerprint(r.code, hit.loc.path, hit.function, key, text),
        suppression=hit.suppression,
        functions=tuple(sorted(names.get(i, i) for i in concerned)),
        trace=hit.trace,
        confidence=hit.confidence,
        function_ids=tuple(sorted(concerned)),
        attribution=hit.attribution,
        advisories=hit.advisories,
        cause=hit.cause,
        related=hit.related,
    )


def scan(target: str | Path, config: Config | None = None, progress: ProgressCallback | None = None) -> ScanResult:
    """Scan a folder or one IaC file. Never raises for bad input: problems land in `errors`.

    `progress` hears typed events (stage, done, total) as the scan moves: keep it cheap."""
    target_path = Path(target)
    # The zip artifacts this scan unpacks are registered with this scan alone, and their private
    # folders removed however it ends (an exception included): another scan, even of the same folder
    # in another thread, unpacks and removes its own.
    with archives.Artifacts(target_path if target_path.is_dir() else target_path.parent) as artifacts:
        return _scan(target, config, progress, artifacts)


def _scan(
    target: str | Path, config: Config | None, progress: ProgressCallback | None, artifacts: archives.Artifacts
) -> ScanResult:
    config = config or Config()
    started = time.perf_counter()
    stages: dict[str, float] = {}
    today = config.today or dt.date.today()
    target_path = Path(target)
    root = ScanRoot.of(target_path if target_path.is_dir() else target_path.parent, artifacts)
    errors: list[ScanError] = []
    if not target_path.exists():
        errors.append(ScanError(str(target), "no such file or folder", "discover", Loss.APP))
        return ScanResult(str(target), (), (), tuple(errors), (), Stats(0, 0, 0.0), today)

    t = time.perf_counter()
    options = LoadOptions(
        stage=config.stage,
        params=dict(config.params),
        env=dict(config.env),
        tf_vars=dict(config.tf_vars),
        tf_var_files=config.tf_var_files,
    )
    if progress:
        progress(ProgressEvent("discover", 0, 0, "template"))
    discovery = discover(target_path, root, config.exclude)
    stages["load"] = time.perf_counter() - t  # the loaders' own time is added per document

    rules = select_rules(config)
    needs = needed_facts(rules)
    engine_ctx = EngineContext(root.path, config, today, artifacts, facts=needs)
    reuse = (
        open_reuse(root.path, discovery.walked, _asked(root, config, options, needs, today)) if config.reuse else None
    )
    baseline: set[str] | None = None
    if config.baseline:
        try:
            baseline = suppress.load_baseline(Path(config.baseline))
        except ValueError as exc:
            errors.append(ScanError(config.baseline, str(exc), "config"))
    judge = Judge(rules, config, today, frozenset(baseline) if baseline is not None else None, root.path)
    units = load_and_enrich(discovery, root, options, engine_ctx, engines_for(needs), stages, progress, reuse, judge)
    loaded = units.outcome
    errors.extend(loaded.errors)
    apps = list(loaded.apps)
    from_units = {a.source: a for a in apps}  # as their units gave them, before the scan-wide passes
    errors.extend(units.engine_errors)
    if Fact.CODE in needs:  # entry points in code no function of any app claims: once per scan, before secrets
        from fnaudit.engines.code.unclaimed import analyse as unclaimed_code

        t = time.perf_counter()
        iac = {d.rel for d in discovery.docs} | set(loaded.consumed)
        apps, code_errors = unclaimed_code(apps, discovery.walked, engine_ctx, iac, {e.path for e in errors})
        errors.extend(code_errors)
        stages["code"] = stages.get("code", 0.0) + time.perf_counter() - t
    unclaimed_read: set[str] = set()  # files only the secrets engine's unclaimed pass read (for coverage)
    if Fact.SECRETS in needs:  # the files no function ships, across all apps: once per scan (engines.secrets)
        from fnaudit.engines.secrets import unclaimed as unclaimed_secrets

        t = time.perf_counter()
        iac = {d.rel for d in discovery.docs} | set(loaded.consumed)
        before = {rel for app in apps for rel in app.files_read}
        apps, secret_errors = unclaimed_secrets(apps, discovery.walked, engine_ctx, iac, {e.path for e in errors})
        unclaimed_read = {rel for app in apps for rel in app.files_read} - before
        errors.extend(secret_errors)
        stages["secrets"] = stages.get("secrets", 0.0) + time.perf_counter() - t

    # Suppressions are applied as findings are made, app by app: the attack-path rules must see
    # which of their links the user suppressed (fnaudit.rules.paths).
    lines = SourceLines(root.path)
    metadata = {fid: list(pairs) for app in apps for fid, pairs in app.ignores.items()}
    suppressor = suppress.Suppressor(lines, config.ignores, today, baseline, config.inline_ignores, metadata)

    t = time.perf_counter()
    ctx = Context(today=today)
    findings: list[Finding] = []
    suppression = _suppression_digest(baseline, metadata) if reuse is not None else ""
    for i, app in enumerate(apps):
        if progress:
            progress(ProgressEvent("rules", i, len(apps), "app"))
        # An app as its unit gave it (no unclaimed code or secret added since) has the findings its unit's
        # inputs decide: kept with what they did to the suppressor, so its warnings are the same too.
        as_given = from_units.get(app.source) is app
        app_key = units.app_keys.get(app.source) if as_given else None
        key = _rules_key(app_key, suppression) if reuse is not None and app_key else None
        kept = reuse.get_derived(key) if reuse is not None and key else None
        if isinstance(kept, RulesOutcome):
            suppressor.add(kept.record)
        else:
            judged = units.judged.get(app.source) if as_given else None  # by the worker that computed its unit
            if isinstance(judged, RulesOutcome):
                suppressor.add(judged.record)
                kept = judged
            else:
                kept = judge_app(app, rules, ctx, config, lines, suppressor)
            if reuse is not None and key:
                reuse.put_derived(key, kept)
        findings.extend(kept.findings)
        errors.extend(kept.errors)
    if reuse is not None:
        reuse.prune()
    findings = _dedupe(findings)  # apps sharing a file may report one app-level finding twice
    findings = merge_findings(findings)  # one finding per location and cause; a path shown with its foothold
    read = files_read(apps, discovery.docs, loaded.consumed)  # the apps are complete: engines and rules have run
    # Inline ignores are looked for in every file the scan read, judged only for the rules that ran.
    errors.extend(suppressor.warnings(read, rules))
    stages["rules"] = time.perf_counter() - t  # suppression included: it runs between the rule phases
    stages["suppress"] = suppressor.seconds
    if progress:
        progress(ProgressEvent("rules", len(apps), len(apps), "app"))

    if config.excerpts:
        from fnaudit.excerpt import (
            add_excerpts,  # imported here: it loads the secret detectors
        )

        t = time.perf_counter()
        findings = add_excerpts(findings, root.path)  # reporters show code without reading files
        stages["excerpts"] = time.perf_counter() - t
    findings.sort(key=Finding.sort_key)
    errors_sorted = tuple(sorted(set(errors)))
    sorted_apps = tuple(sorted(apps, key=lambda a: a.source))
    t = time.perf_counter()
    risk = compute_risk(sorted_apps, findings)
    stages["risk"] = time.perf_counter() - t
    stats = Stats(
        files=len(read),
        functions=sum(len(a.functions) for a in sorted_apps),
        seconds=round(time.perf_counter() - started, 3),
        stages={k: round(v, 4) for k, v in stages.items()},
        reused=reuse.hits if reuse is not None else 0,
    )
    coverage = build_coverage(root, sorted_apps, discovery, loaded.consumed, errors_sorted, unclaimed_read, needs)
    return ScanResult(str(target), sorted_apps, tuple(findings), errors_sorted, rules, stats, today, risk, coverage)


@dataclass(frozen=True, slots=True)
class RulesOutcome:
    """One app's findings (suppressions marked) and rule errors, with what marking them recorded."""

    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]
    record: suppress.Record  # what marking them added to the suppressor


def judge_app(
    app: App, rules: tuple[Rule, ...], ctx: Context, config: Config, lines: SourceLines, s: suppress.Suppressor
) -> RulesOutcome:
    """`run_rules` on one app, with what marking its findings added to `s`."""
    before = s.record()
    findings, errors = run_rules(app, rules, ctx, config, lines, s)
    return RulesOutcome(tuple(findings), tuple(errors), s.record() - before)


@dataclass(frozen=True, slots=True)
class Judge:
    """The scan's rules on one app as its unit gave it, with a suppressor of its own: what a worker that
    computed a unit runs too (picklable), so that rules run in parallel. Marking a finding reads only the
    configuration, the baseline, the app's own metadata ignores (function ids are the app's) and the
    files' inline comments, never what earlier marks recorded: the outcome is what the scan's own
    suppressor would give, and its record (`RulesOutcome.record`) is added to the scan's."""

    rules: tuple[Rule, ...]
    config: Config
    today: dt.date
    baseline: frozenset[str] | None
    root: Path

    def __call__(self, app: App) -> RulesOutcome:
        lines = SourceLines(self.root)
        metadata = {fid: list(pairs) for fid, pairs in app.ignores.items()}
        baseline = set(self.baseline) if self.baseline is not None else None
        s = suppress.Suppressor(lines, self.config.ignores, self.today, baseline, self.config.inline_ignores, metadata)
        return judge_app(app, self.rules, Context(today=self.today), self.config, lines, s)


def _suppression_digest(baseline: set[str] | None, metadata: Mapping[str, list[tuple[str, str]]]) -> str:
    """What marks findings besides the configuration and the app's own files: the baseline's fingerprints
    and the ignores every app's metadata declares (a function id is looked up across apps)."""
    parts = ["baseline", *sorted(baseline)] if baseline is not None else ["no baseline"]
    parts += [f"{fid}:{sel}:{why}" for fid in sorted(metadata) for sel, why in metadata[fid]]
    return "\n".join(parts)


def _rules_key(app_key: str, suppression: str) -> str:
    """Where an app's rule findings are kept: its unit's key and input digest, and what marks findings."""
    from fnaudit import cache

    return cache.key("rules", app_key, suppression)


def _asked(root: ScanRoot, config: Config, options: LoadOptions, needs: frozenset[Fact], today: dt.date) -> list[str]:
    """What decides the loaders' and engines' results besides the files: the key of reused units.
    `today` too: the dependency engine says when the advisory store is old."""
    asked = [str(root.path), repr(config), repr(options), ",".join(sorted(f.value for f in needs)), today.isoformat()]
    for var_file in config.tf_var_files:  # `--var-file` may name a file outside the root: its text, not its name
        try:
            asked.append(hashlib.sha256(Path(var_file).read_bytes()).hexdigest())
        except OSError:
            asked.append(f"{var_file}: unreadable")
    if Fact.ADVISORIES in needs:
        asked.append(store_identity(config.db))
    return asked


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per fingerprint and line (two rules may not, but one rule could reach a spot twice)."""
    seen: set[tuple[str, int]] = set()
    out = []
    for f in findings:
        k = (f.fingerprint, f.location.line)
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out


def files_read(apps: Iterable[App], docs: Iterable[SourceDoc], consumed: Iterable[str]) -> set[str]:
    """The distinct files the scan read and analysed, relative to the scan root: IaC templates (and
    the files they include), each function's code (its module graph), the lockfiles and manifests
    its packages came from, and the files the secrets engine scanned."""
    out = {d.rel for d in docs} | set(consumed)
    for app in apps:
        out.add(app.source)
        out.update(app.files_read)
        out.update(c.loc.path for c in app.secret_candidates)
        for fn in app.functions:
            if fn.code_facts is not None:
                out.update(fn.code_facts.files)
            out.update(p.loc.path for p in fn.packages)
        for entry in app.unclaimed:  # code no function claims, analysed from its entry points
            out.update(entry.code_facts.files)
    out.discard("")
    return out


_CODE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")


def build_coverage(
    root: ScanRoot,
    apps: Iterable[App],
    discovery: Discovery,
    consumed: Iterable[str],
    errors: Iterable[ScanError],
    unclaimed: Collection[str] = (),
    facts: Collection[Fact] = tuple(Fact),
) -> cov.Coverage:
    """The report's `coverage` from what discovery walked and what the loaders and engines recorded.

    No second walk: only the files nothing read are looked at again (size, first bytes), to say why.
    `unclaimed`: files the secrets engine read only because no function ships them; a code file among them
    stays "unattributed" (it belongs to no function, which the table counts), not "analysed". `facts`: what
    the selected rules needed; a code file or lockfile whose engine did not run was skipped by the selection,
    not left unattributed."""
    from fnaudit.engines.code.files import MAX_BYTES as MAX_ANALYSED_BYTES  # the code engine's size limit
    from fnaudit.loaders.lockfiles import MANIFESTS, parser_for  # imported here: the parsers are many

    analysed: dict[str, set[str]] = {}

    def mark(path: str, engine: str) -> None:
        # a file inside a zip artifact (`code.zip!/app.py`) is the zip, as far as the walk knows
        analysed.setdefault(path.split("!/", 1)[0], set()).add(engine)

    for rel in {d.rel for d in discovery.docs} | set(consumed):
        mark(rel, "iac")
    functions: list[cov.FunctionCoverage] = []
    # code no function claims whose entry points the code engine analysed: analysed, saying whose it is not
    entry_files = {rel for app in apps for entry in app.unclaimed for rel in entry.code_facts.files}
    for rel in entry_files:
        mark(rel, "code")
    for app in apps:
        mark(app.source, "iac")
        for rel in (*app.files_read, *(c.loc.path for c in app.secret_candidates)):  # what the secrets engine read
            if not (rel in unclaimed and rel.endswith(_CODE_SUFFIXES)) or rel in entry_files:
                mark(rel, "secrets")
        for fn in app.functions:
            code_files = tuple(sorted(fn.code_facts.files)) if fn.code_facts is not None else ()
            lockfiles = tuple(sorted({p.loc.path for p in fn.packages if p.loc.path}))
            for rel in code_files:
                mark(rel, "code")
            for rel in lockfiles:
                mark(rel, "deps")
            functions.append(cov.FunctionCoverage(fn.id, fn.name, code_files, lockfiles, *_function_notes(fn)))
    walked = set(discovery.walked) | set(analysed)
    failed: dict[str, str] = {}
    for e in errors:  # sorted: the first error naming a file is the one shown
        if e.path not in walked or e.loss is Loss.NONE or e.stage in ("rule", "config"):
            continue
        # An error naming a file an engine did read is mostly about something else (a template named by a
        # deps notice); code that did not parse is a failure even when the secrets engine read its text.
        if e.path not in analysed or e.stage == "code":
            failed.setdefault(e.path, e.message)

    def kind_of(rel: str) -> cov.Kind:
        name = rel.rsplit("/", 1)[-1]
        if name.endswith(_CODE_SUFFIXES):
            return cov.Kind.CODE
        if parser_for(name) is not None:
            return cov.Kind.LOCKFILE
        return cov.Kind.MANIFEST if name in MANIFESTS else cov.Kind.OTHER

    def probe(rel: str) -> str | None:
        path = root.path / rel
        try:
            if path.is_symlink() or not path.is_file():
                return None  # never followed: a link leading out of the root is already an error entry
            if path.stat().st_size > MAX_ANALYSED_BYTES:
                return cov.TOO_LARGE
            with path.open("rb") as fh:
                return cov.BINARY if b"\0" in fh.read(8192) else None
        except OSError:
            return None

    skipped = {s.rel: s.reason for s in discovery.skipped}
    # `assemble` keeps a skip reason as the note of a file that was analysed after all
    skipped.update((rel, COVERAGE_NOTE) for rel in entry_files if rel not in skipped)
    not_run = {cov.Kind.CODE: Fact.CODE, cov.Kind.LOCKFILE: Fact.PACKAGES, cov.Kind.MANIFEST: Fact.PACKAGES}
    for rel in walked - set(analysed) - set(skipped) - set(unclaimed):  # unclaimed: known to be no function's
        fact = not_run.get(kind_of(rel))
        if fact is not None and fact not in facts:
            skipped[rel] = cov.NOT_SELECTED
    return cov.assemble(
        walked,
        analysed,
        skipped,
        failed,
        kind_of,
        probe,
        functions,
        (cov.FolderCoverage(s.rel, s.reason) for s in discovery.skipped_dirs),
    )


def _function_notes(fn: Function) -> tuple[str | None, str | None]:
    """Why a function has no analysed code file, and why no lockfile was credited to it."""
    elsewhere = fn.code.note or ("its code is not in the scanned folder" if not fn.code.in_repo else None)
    code_note = None
    if fn.code_facts is None or not fn.code_facts.files:
        code_note = elsewhere or "its code was not analysed"
    lockfile_note = None
    if not fn.packages:
        lockfile_note = elsewhere or fn.ship_note or "no lockfile or manifest for its code"
    else:
        lockfile_note = fn.ship_note  # a bundler or package.patterns: only part of the lockfiles ships
    return code_note, lockfile_note
