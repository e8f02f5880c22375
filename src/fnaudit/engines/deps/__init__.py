"""The dependency engine: which packages each function ships, and which advisories affect them.

Each function is credited with the lockfiles of its code folder, of the folders between it and the
handler's file, and of the folders of layers defined in the app (SAM `ContentUri`, CloudFormation
or Serverless layer resources with a local path); only ecosystems of the function's language
(Python → PyPI, Node → npm, …). Development-only packages are left out unless
`Config.include_dev`. A workspace member (its manifest listed by a parent's npm/yarn/pnpm, uv, Poetry
or Cargo workspace) is credited the workspace root's lockfile; a lockfile that merely sits above is not.
A manifest with dependencies and no lockfile is recorded as a Package with `source="manifest"`, which
DEP003 reports; a package.json's entries are read too (exact pins matched as locked, ranges matched by
`ranges`: every allowed version affected → DEP001, some → DEP005). Packages vendored into a code folder
(`*.dist-info/METADATA`, `node_modules/*/package.json`) are the versions that ship and are matched as such.
Lockfiles and manifests under the app's folder that no function ships are matched too and kept on
`App.packages`, which the DEP rules report with no function (as a lockfile scanner would).

Matching reads the local OSV store (`Config.db`, `$FNAUDIT_DB`, the user cache): one indexed
lookup per distinct package name. Without a store, or without data for a package's ecosystem, the
package's `advisories` stay None (not checked): the scan says so in `errors`, with the command that
fixes it, and DEP004 reports that the dependency checks did not run. Reachability: whether the
handler's module graph (the code engine's `code_facts.imports`) imports the package.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

from fnaudit.engines.deps import bundling
from fnaudit.engines.deps.imports import imported
from fnaudit.engines.deps.ranges import RANGE_ECOSYSTEMS, RangeMatch, match_range
from fnaudit.engines.osv import match
from fnaudit.engines.osv.store import Store, StoreError
from fnaudit.engines.osv.store import normalise_name as store_name
from fnaudit.engines.state import ScanState
from fnaudit.errors import InputError, ScanError
from fnaudit.loaders.archives import Artifacts
from fnaudit.loaders.discover import SKIP_DIRS
from fnaudit.loaders.documents import read_document
from fnaudit.loaders.lockfiles import (
    MANIFESTS,
    FolderDeps,
    parse_folder,
    parser_for,
    present_files,
    vendored_in,
    workspace_lock,
)
from fnaudit.model.app import App, Function
from fnaudit.model.facts import ALL_FACTS, Fact
from fnaudit.model.loc import Loc
from fnaudit.model.package import LANGUAGE_ECOSYSTEMS, Advisory, Package, Reachability

STALE_AFTER_DAYS = 30
FIX_COMMAND = "run `fnaudit db update` (online) or `fnaudit db import PATH` (a folder or zip of OSV records)"
_LAYER_TYPES = {"AWS::Serverless::LayerVersion": "ContentUri", "AWS::Lambda::LayerVersion": "Content"}


def enrich(app: App, ctx: Any) -> tuple[App, list[ScanError]]:
    root: Path = Path(ctx.root)
    files: Artifacts = ctx.artifacts  # `x.zip!/…` paths: the zips this scan unpacked
    state: ScanState = ctx.state  # this scan's folder and IaC caches
    include_dev = bool(getattr(ctx.config, "include_dev", False))
    cache: dict[Path, FolderDeps] = {}
    vendored_cache: dict[Path, list[Package]] = {}
    errors: list[ScanError] = []
    credited: dict[str, list[Package]] = {}
    bundled_out: set[str] = set()  # lockfiles a function ships part of: theirs, not "unclaimed"
    notes: dict[str, str] = {}  # function id → why part of its lockfiles does not ship
    hints: dict[str, bool] = {}  # IaC file → whether its text can name a bundler (`_may_name_bundler`)
    for fn in app.functions:
        pkgs: list[Package] = []
        for folder in _folders(files, state, app, fn):
            fd = cache.get(folder)
            if fd is None:
                fd = cache[folder] = parse_folder(root, folder, files, real=folder)  # `_folders` resolved it
                errors.extend(fd.errors)
            ecosystems = LANGUAGE_ECOSYSTEMS.get(fn.code.language)
            for p in fd.packages:
                if ecosystems and p.ecosystem not in ecosystems:
                    continue
                if p.scope == "dev" and not include_dev:
                    continue
                pkgs.append(p)
            for manifest, eco in fd.unlocked:
                if ecosystems and eco not in ecosystems:
                    continue
                pkgs.append(_manifest_package(files, manifest, eco))
            if folder not in vendored_cache:
                vendored_cache[folder] = vendored_in(folder, files, real=folder)
            locked = {(p.ecosystem, store_name(p.ecosystem, p.name), p.version) for p in pkgs}
            for p in vendored_cache[folder]:
                # The version that ships; when a lockfile of the function already names it, that line is enough.
                if (not ecosystems or p.ecosystem in ecosystems) and (
                    (p.ecosystem, store_name(p.ecosystem, p.name), p.version) not in locked
                ):
                    pkgs.append(p)
        seen: set[tuple[str, str, str, str, int]] = set()
        unique = []
        for p in pkgs:
            k = (*p.key, p.loc.path, p.loc.line)
            if k not in seen:
                seen.add(k)
                unique.append(p)
        kept, left_out, note = _what_ships(root, files, state, app, fn, unique, include_dev, hints)
        credited[fn.id] = kept
        bundled_out.update(p.loc.path for p in left_out)
        if note:
            notes[fn.id] = note
    unclaimed = _unclaimed(root, app, files, credited, cache, errors, include_dev, bundled_out)
    everything = [p for ps in credited.values() for p in ps] + unclaimed
    matchable = {(p.ecosystem, p.name, p.version) for p in everything if p.source == "registry" and p.version}
    ranged = {
        (p.ecosystem, p.name, p.requirement)
        for p in everything
        if p.source == "registry" and not p.version and p.requirement and p.ecosystem in RANGE_ECOSYSTEMS
    }
    results: dict[tuple[str, str, str], tuple[tuple[Advisory, ...], str | None]] = {}
    range_results: dict[tuple[str, str, str], RangeMatch] = {}
    checked_ecosystems: set[str] = set()
    # Matching (and its errors about the store) only when a rule that runs reads advisories.
    if (matchable or ranged) and Fact.ADVISORIES in getattr(ctx, "facts", ALL_FACTS):
        store = None
        try:
            store = Store.open(getattr(ctx.config, "db", None))
        except (StoreError, OSError, Exception) as exc:  # noqa: BLE001 - a corrupt store is an error entry, not a crash
            errors.append(ScanError(app.source, f"advisory store unusable ({exc}); {FIX_COMMAND}", "deps"))
        if store is None:
            if not any(e.stage == "deps" and "advisory store" in e.message for e in errors):
                errors.append(
                    ScanError(
                        ".",  # a scan-wide condition: one entry for the whole scan, not one per app
                        "no advisory store: dependencies were not checked for known vulnerabilities; "
                        f"{FIX_COMMAND} (`fnaudit db status` shows where the store is looked for)",
                        "deps",
                    )
                )
        else:
            with store:
                checked_ecosystems = store.ecosystems()
                imported_at = store.imported_at()
                results = match.match_with_fixes(store, (k for k in matchable if k[0] in checked_ecosystems))
                range_results = _match_ranges(store, {k for k in ranged if k[0] in checked_ecosystems})
                # A project's own advisories (`advisories = …`): the files of it that could not be used.
                errors.extend(ScanError(".", f"advisories: skipped {p}", "deps") for p in store.problems)
            # Pinned packages only: a range with no lockfile is already a DEP003 finding, and a store
            # without its ecosystem's data is not news worth an error for it.
            missing = sorted({e for e, _n, _v in matchable} - checked_ecosystems)
            if missing:
                errors.append(
                    ScanError(
                        app.source,
                        f"the advisory store has no {', '.join(missing)} data: those "
                        f"packages were not checked; run `fnaudit db update --ecosystem {missing[0]}`",
                        "deps",
                    )
                )
            today = getattr(ctx, "today", None)
            if imported_at is not None and today is not None:
                age = (today - imported_at.date()).days
                if age > STALE_AFTER_DAYS:
                    errors.append(
                        ScanError(app.source, f"the advisory store is {age} days old; run `fnaudit db update`", "deps")
                    )
    functions = []
    sources: dict[Path, frozenset[Path] | None] = {}  # JVM project folder → its main Java sources (None: too many)
    for fn in app.functions:
        unread = _partly_read(files, fn, credited[fn.id], sources)
        pkgs = [_matched(p, fn.code_facts, results, range_results, unread) for p in credited[fn.id]]
        pkgs.sort(key=lambda p: (p.loc.path, p.loc.line, p.name, p.version or ""))
        if fn.id in notes:
            fn = replace(fn, ship_note=notes[fn.id])
        functions.append(replace(fn, packages=tuple(pkgs)) if pkgs or fn.packages else fn)
    loose = sorted(
        (_matched(p, None, results, range_results) for p in unclaimed),
        key=lambda p: (p.loc.path, p.loc.line, p.name, p.version or ""),
    )
    return replace(app, functions=tuple(functions), packages=tuple(loose)), errors


def _matched(
    p: Package,
    facts: Any,
    results: dict[tuple[str, str, str], tuple[tuple[Advisory, ...], str | None]],
    range_results: dict[tuple[str, str, str], RangeMatch],
    unread: Collection[str] = (),
) -> Package:
    """`p` with its advisories (at its version, or for a range those affecting every / some allowed version)
    and the one version that fixes them all."""
    if p.source == "registry" and p.version and (p.ecosystem, p.name, p.version) in results:
        advs, fix = results[(p.ecosystem, p.name, p.version)]
        if advs:
            reach = _reachability(p, facts, unread)
            advs = tuple(replace(a, reachable=reach) for a in advs)
        return replace(p, advisories=advs, fix=fix)
    rm = range_results.get((p.ecosystem, p.name, p.requirement)) if not p.version else None
    if rm is not None:
        reach = _reachability(p, facts, unread)
        return replace(
            p,
            advisories=tuple(replace(a, reachable=reach) for a in rm.every),
            partial=tuple(replace(a, reachable=reach) for a in rm.some),
            fix=rm.fix,
        )
    if p.source != "registry" or not p.version:
        return replace(p, advisories=())  # nothing to look up (local code, unreadable range): not "unchecked"
    return p


def _match_ranges(store: Store, keys: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], RangeMatch]:
    found = store.lookup({(e, n) for e, n, _r in keys})
    out = {}
    for e, n, r in keys:
        rm = match_range(e, r, found.get((e, n), []))
        if rm is not None:
            out[(e, n, r)] = rm
    return out


# Folders never walked for lockfiles no function claims: discovery's (installed or generated trees).
# A subfolder holding one of these is an app of its own: its lockfiles are its functions' business.
_APP_FILES = (
    "serverless.yml",
    "serverless.yaml",
    "serverless.json",
    "serverless.ts",
    "serverless.js",
    "template.yaml",
    "template.yml",
    "template.json",
    ".chalice/config.json",
    "zappa_settings.json",
)
_MAX_WALK = 5000  # folders: a monorepo is bounded, a runaway tree is not


def _unclaimed(
    root: Path,
    app: App,
    files: Artifacts,
    credited: dict[str, list[Package]],
    cache: dict[Path, FolderDeps],
    errors: list[ScanError],
    include_dev: bool,
    bundled_out: Collection[str] = (),
) -> list[Package]:
    """Packages of lockfiles and manifests under the app's folder that no function of the app ships.

    A lockfile scanner matches them all; fnaudit reports them with no function ("no function ships it")
    rather than skip them. Symbolic links to folders are not followed (os.walk's default)."""
    claimed = {p.loc.path for ps in credited.values() for p in ps} | set(bundled_out)
    top = root.resolve()
    app_dir = (root / app.root).resolve() if app.root else top
    if not app_dir.is_relative_to(top) or not app_dir.is_dir():
        return []
    out: list[Package] = []
    walked = 0
    for here, dirs, names in os.walk(app_dir):
        walked += 1
        if walked > _MAX_WALK:
            break
        folder = Path(here)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not present_files(folder / d, _APP_FILES))
        if not any(parser_for(n) or n in MANIFESTS for n in names):
            continue
        fd = cache.get(folder)
        if fd is None:
            fd = cache[folder] = parse_folder(root, folder, files)
            errors.extend(fd.errors)
        for p in fd.packages:
            if p.loc.path in claimed or (p.scope == "dev" and not include_dev):
                continue
            out.append(p)
        for manifest, eco in fd.unlocked:
            if manifest not in claimed:
                out.append(_manifest_package(files, manifest, eco))
    return out


def _what_ships(
    root: Path,
    files: Artifacts,
    state: ScanState,
    app: App,
    fn: Function,
    pkgs: list[Package],
    include_dev: bool,
    hints: dict[str, bool],
) -> tuple[list[Package], list[Package], str | None]:
    """The packages of `pkgs` that the function's artifact holds, those left out, and why (a coverage note).

    A bundled Node function (engines/deps/bundling.py) ships what its handler imports and their closure;
    a Serverless function's `package.patterns` may leave `node_modules/<name>/**` out. With
    `include_dev` (report what does not ship too) nothing is left out, but the note still says why."""
    if fn.code.language != "node" or not any(p.ecosystem == "npm" for p in pkgs):
        return pkgs, [], None
    if app.dialect.value in ("sam", "cloudformation") and not _may_name_bundler(root / app.source, hints):
        return pkgs, [], None  # no bundler, no patterns: everything ships (and the template need not be parsed)
    data = _iac(root, app, state)
    bundle = bundling.bundle_of(data, app.dialect.value, fn.name, fn.runtime.value)
    imports = tuple(fn.code_facts.imports) if fn.code_facts is not None else None
    patterns = _package_patterns(root, app, fn, state) if app.dialect.value == "serverless" else []
    app_dir = (root / app.root).resolve() if app.root else root.resolve()
    ships_of: dict[str, set[tuple[str, str]] | None] = {}  # lockfile → (name, version) shipped; None: graph unread
    kept: list[Package] = []
    out: list[Package] = []
    for p in pkgs:
        ships = True
        if p.ecosystem == "npm" and p.source != "manifest":
            if bundle is not None and imports is not None:
                if p.loc.path not in ships_of:
                    graph = bundling.npm_graph(files.real_path(p.loc.path))
                    ships_of[p.loc.path] = None if graph is None else bundling.shipped(graph, imports, bundle)
                names = ships_of[p.loc.path]
                if names is not None:
                    ships = (p.name, p.version or "") in names
            elif bundle is None and patterns:
                ships = _pattern_ships(files, app_dir, p, patterns)
        (kept if ships or include_dev else out).append(p)
    note = None
    if bundle is not None and any(n is not None for n in ships_of.values()):
        note = bundle.note
    elif out:
        note = "`package.patterns` leave some node_modules out of the artifact"
    return kept, out, note


# What a template must hold to name SAM's esbuild build method (`bundling.bundle_of` compares the lower-cased
# value): the word in any case, or a backslash (an escape in a quoted string could spell it).
_BUNDLER_HINT = re.compile(rb"esbuild|\\", re.IGNORECASE)


def _may_name_bundler(path: Path, hints: dict[str, bool]) -> bool:
    """Whether the SAM or CloudFormation template at `path` may name a bundler: False only when its text
    cannot. Parsing a large template with its lines is most of this engine's time, and without the word
    `bundle_of` finds nothing whatever the document holds. Once per file (`hints`); unreadable: True
    (the parse decides, as before)."""
    key = str(path)
    if key not in hints:
        try:
            hints[key] = _BUNDLER_HINT.search(path.read_bytes()) is not None
        except OSError:
            hints[key] = True
    return hints[key]


def _pattern_ships(files: Artifacts, app_dir: Path, p: Package, patterns: list[str]) -> bool:
    """Whether Serverless packages `node_modules/<name>/` next to the lockfile `p` comes from."""
    from fnaudit import globs

    try:
        folder = files.real_path(p.loc.path).parent.resolve().relative_to(app_dir).as_posix()
    except ValueError:
        return True  # outside the service: its own packaging rules
    prefix = "" if folder in ("", ".") else f"{folder}/"
    return globs.serverless_included(f"{prefix}node_modules/{p.name}/package.json", patterns)


def _manifest_package(files: Artifacts, manifest: str, eco: str) -> Package:
    return Package(
        "",
        eco,
        manifest.rsplit("/", 1)[-1],
        None,
        Loc(manifest, _manifest_line(files.real_path(manifest))),
        source="manifest",
        requirement="no lockfile",
    )


def _reachability(p: Package, facts: Any, unread: Collection[str] = ()) -> str:
    """`unread`: ecosystems whose imports the code engine saw only part of for this function (a "not
    imported" there is not evidence)."""
    if facts is None:
        return Reachability.UNKNOWN
    hit = imported(p.ecosystem, p.name, tuple(getattr(facts, "imports", ()) or ()))
    if hit is None:
        return Reachability.UNKNOWN
    if hit:
        return Reachability.REACHABLE
    if p.ecosystem in unread:
        return Reachability.UNKNOWN
    # A transitive package may be used through a direct one: only a direct one is "not reachable".
    return Reachability.NOT_REACHABLE if p.direct else Reachability.UNKNOWN


_MODULE_LINE = re.compile(r"^\s*module\s+\"?([^\s\"]+)", re.MULTILINE)
_NOT_SOURCES = {"test", "tests", "build", "target", "out", "bin", "node_modules", ".gradle", ".git", ".aws-sam"}
MAX_JAVA_SOURCES = 2000


def _partly_read(
    files: Artifacts, fn: Function, pkgs: list[Package], sources: dict[Path, frozenset[Path] | None]
) -> frozenset[str]:
    """The ecosystems whose imports the code engine read only in part for `fn`. Go: the handler's package
    imports a package of its own module (or of a module replaced by a local folder) whose files were not
    analysed, and which may import more modules. Java: the project holds main sources beyond the files
    analysed (a class of the same package needs no import), or it depends on a sibling module of the
    same build (`project(':common')`, a dependency of its own groupId) whose sources were not read."""
    facts = fn.code_facts
    go, jvm = (any(p.ecosystem == eco for p in pkgs) for eco in ("Go", "Maven"))
    if facts is None or not (go or jvm):
        return frozenset()  # resolving every analysed file costs a system call per path component: only when needed
    analysed = {files.real_path(f).resolve() for f in facts.files}
    out: set[str] = set()
    if go and _go_partly_read(files, facts.imports, pkgs, analysed):
        out.add("Go")
    if jvm and _java_partly_read(files, fn, pkgs, analysed, sources):
        out.add("Maven")
    return frozenset(out)


_OWN_GROUP = re.compile(r"<groupId>\s*([^<\s]+)\s*</groupId>")


def _java_partly_read(
    files: Artifacts,
    fn: Function,
    pkgs: list[Package],
    analysed: set[Path],
    sources: dict[Path, frozenset[Path] | None],
) -> bool:
    handler = fn.code.handler_file
    folder = _project_folder(files, _PROJECT_FILES["java"], files.real_path(handler).parent) if handler else None
    if folder is None:
        return True
    if folder not in sources:
        sources[folder] = _java_sources(folder)
    found = sources[folder]
    if found is None or not found <= analysed:
        return True
    for name in ("build.gradle", "build.gradle.kts", "pom.xml"):
        try:
            text = (folder / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if name != "pom.xml" and re.search(r"\bproject\s*\(", text):
            return True
        own = _OWN_GROUP.search(text) if name == "pom.xml" else None  # the parent's or the project's groupId
        if own is not None and any(p.ecosystem == "Maven" and p.name.startswith(own.group(1) + ":") for p in pkgs):
            return True
    return False


def _go_partly_read(files: Artifacts, imports: tuple[str, ...], pkgs: list[Package], analysed: set[Path]) -> bool:
    local = [p.name for p in pkgs if p.ecosystem == "Go" and p.source != "registry"]
    read_dirs = {f.parent for f in analysed}
    for imp in imports:
        if any(imp == m or imp.startswith(m + "/") for m in local):
            return True
    for mod_file in {p.loc.path for p in pkgs if p.ecosystem == "Go" and p.loc.path.endswith(("go.mod", "go.sum"))}:
        folder = files.real_path(mod_file).parent.resolve()
        try:
            m = _MODULE_LINE.search((folder / "go.mod").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return True
        if m is None:
            continue
        module = m.group(1)
        for imp in imports:
            own = imp == module or imp.startswith(module + "/")
            if own and (folder / imp[len(module) :].lstrip("/")).resolve() not in read_dirs:
                return True
    return False


def _java_sources(folder: Path) -> frozenset[Path] | None:
    """The main `.java` files of a JVM project folder (tests and build output left out); None past the cap."""
    out: set[Path] = set()
    for here, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in _NOT_SOURCES]
        out.update(Path(here, n).resolve() for n in names if n.endswith(".java"))
        if len(out) > MAX_JAVA_SOURCES:
            return None
    return frozenset(out)


def _manifest_line(path: Path) -> int:
    try:
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.match(
                r'^\s*("dependencies"|"require"|\[tool\.poetry\.dependencies\]|\[project\]|require\b|\[dependencies\]|\[packages\]|gem\s|dependencies\s*\{)',
                line,
            ):
                return i
    except (OSError, UnicodeDecodeError):
        pass
    return 1


def _folders(files: Artifacts, state: ScanState, app: App, fn: Function) -> list[Path]:
    """Folders whose lockfiles ship with the function, nearest last; all inside the scan root, resolved."""
    root = files.root
    out: list[Path] = []
    project: Path | None = None  # a Go module / JVM project: compiled into the artifact whatever it packages
    code = fn.code
    if code.in_repo and code.root is not None and fn.package_type != "Image":
        base = files.real_path(code.root) if code.root else root  # a zip artifact: its private folder
        ws = workspace_lock(files.confining_folder(base), base) if base.is_dir() else None
        if ws is not None:
            out.append(ws)  # a workspace member: the workspace root's lockfile is what installs it
        out.append(base)
        if code.handler_file:
            handler_dir = files.real_path(code.handler_file).parent
            try:
                rel = handler_dir.relative_to(base)
            except ValueError:
                rel = None
            if rel is not None:
                here = base
                for part in rel.parts:
                    here = here / part
                    out.append(here)
        project = _project_folder(files, _PROJECT_FILES.get(code.language, ()), out[-1])
        if project is None and app.dialect.value == "cdk" and code.language == "node":
            # a CDK NodejsFunction is bundled by esbuild with the dependencies of the nearest lockfile above its
            # entry (CDK's `depsLockFilePath` default): the app's own package-lock.json, not one in the code folder
            project = _project_folder(files, _BUNDLER_LOCKFILES, out[-1], (root / app.root) if app.root else root)
        if project is not None and project not in out:
            out.insert(0, project)  # above the code folder: the farthest of the function's folders
    for layer in fn.layers:
        folder = _layer_folder(root, app, layer.value, state)
        if folder is not None:
            out.append(folder)
            for sub in ("python", "nodejs", "java/lib", "ruby"):
                if (folder / sub).is_dir():
                    out.append(folder / sub)
    patterns = _package_patterns(root, app, fn, state) if app.dialect.value == "serverless" else []
    # only `package.patterns` need the service's folder: resolving it for every function of every app cost more
    app_dir = ((root / app.root).resolve() if app.root else root) if patterns else root
    safe = []
    for f in out:
        r = _existing_dir(f, files.confining_folder(f), state.dirs)
        if r is None:
            continue
        if (
            patterns
            and r != project
            and not _bundled(r, app_dir, patterns)
            and not _vendored_ship(r, files, app_dir, patterns)
        ):
            continue  # `package.patterns` leave this folder out of the function's bundle
        if r not in safe:
            safe.append(r)
    return safe


# The files that make a folder a Go module or a JVM project: what builds the function's binary or jar.
_PROJECT_FILES = {
    "go": ("go.mod", "go.sum"),
    "java": ("pom.xml", "build.gradle", "build.gradle.kts", "gradle.lockfile"),
    "kotlin": ("pom.xml", "build.gradle", "build.gradle.kts", "gradle.lockfile"),
}
# The lockfiles a Node bundler (CDK's NodejsFunction) installs a bundle's dependencies from.
_BUNDLER_LOCKFILES = ("package-lock.json", "yarn.lock", "pnpm-lock.yaml", "npm-shrinkwrap.json")


def _project_folder(files: Artifacts, names: tuple[str, ...], start: Path, stop: Path | None = None) -> Path | None:
    """The nearest folder at or above `start` holding one of `names` (the Go module, the Java project, a
    bundler's lockfile the function is built from): `CodeUri` may point at the main package folder below
    the go.mod, or a handler may sit deep under `src/main/java` of a project whose build file is above the
    code folder. None when there is none. `stop`: the highest folder to look in (default: the scan root or
    the zip's folder)."""
    if not names:
        return None
    try:
        top = (stop or files.confining_folder(start)).resolve()
        here = start.resolve()
    except (OSError, InputError):
        return None
    while here.is_relative_to(top):
        if any((here / n).is_file() for n in names):
            return here
        if here == top:
            break
        here = here.parent
    return None


def _existing_dir(folder: Path, top: Path, seen: dict[tuple[Path, Path], Path | None]) -> Path | None:
    """`folder` resolved, when it is a directory inside `top` (the scan root or its zip's folder).
    Cached for the scan (`seen`, in its ScanState): the functions of a service share their folders, and
    a large app would otherwise stat the same ones thousands of times; the next scan looks again."""
    key = (folder, top)
    if key not in seen:
        try:
            r = folder.resolve()
            r.relative_to(top)
            seen[key] = r if r.is_dir() else None
        except (ValueError, OSError):
            seen[key] = None
    return seen[key]


def _vendored_ship(folder: Path, files: Artifacts, app_dir: Path, patterns: list[str]) -> bool:
    """Whether packages vendored into `folder` are bundled though its manifest is excluded (a common
    setup: `!requirements.txt` with `pip install -t vendored`): the manifest is then still the function's."""
    from fnaudit import globs

    for p in vendored_in(folder, files):
        try:
            rel = (files.root / p.loc.path).relative_to(app_dir).as_posix()
        except ValueError:
            continue
        if globs.serverless_included(rel, patterns):
            return True
    return False


def _bundled(folder: Path, app_dir: Path, patterns: list[str]) -> bool:
    """Whether Serverless packages files of `folder`: the last pattern matching a file in it wins
    (`!x/**` excludes, `x/**` re-includes); everything is included by default."""
    from fnaudit import globs

    try:
        rel = folder.relative_to(app_dir).as_posix()
    except ValueError:
        return True  # a layer or folder outside the service: its own packaging rules
    probe = f"{rel}/requirements.txt" if rel and rel != "." else "requirements.txt"
    return globs.serverless_included(probe, patterns)


def _package_patterns(root: Path, app: App, fn: Function, state: ScanState) -> list[str]:
    """Service-level then function-level `package.patterns` (and the older `exclude`/`include`)."""
    data = _iac(root, app, state)
    if not isinstance(data, dict):
        return []
    out: list[str] = []
    blocks = [data.get("package")]
    functions = data.get("functions")
    if isinstance(functions, dict) and isinstance(functions.get(fn.name), dict):
        blocks.append(functions[fn.name].get("package"))
    for block in blocks:
        if not isinstance(block, dict):
            continue
        out += [f"!{p}" for p in block.get("exclude") or () if isinstance(p, str)]
        out += [p for p in block.get("include") or () if isinstance(p, str)]
        out += [p for p in block.get("patterns") or () if isinstance(p, str)]
    return out


def _layer_folder(root: Path, app: App, ref: str | None, state: ScanState) -> Path | None:
    if not ref:
        return None
    logical = ref
    if isinstance(ref, str) and ref.startswith("{"):
        try:
            logical = json.loads(ref).get("Ref", ref)
        except ValueError:
            logical = ref
    logical = str(logical).removeprefix("!Ref ").strip()
    base = root / app.root if app.root else root
    local = _local_layers(root, app, state)
    for name, path in local.items():  # SAM renames `Deps` to `Deps<hash>`; serverless `deps` → `DepsLambdaLayer`
        if logical == name or (logical.startswith(name) and logical[len(name) :].isalnum()):
            return base / path
    res = app.resources.get(logical)
    if res is None:
        return None
    key = _LAYER_TYPES.get(res.type)
    where = res.properties.get(key) if key else None
    if isinstance(where, dict):
        where = where.get("Path") or where.get("path")
    if not isinstance(where, str) or "://" in where:
        return None
    return base / where


def _iac(root: Path, app: App, state: ScanState) -> Any:
    """The app's IaC document as written (plain data; variables unresolved), None when unreadable.
    Read once per scan (`state.iac`): every function of the app asks for it."""
    if app.source not in state.iac:
        try:
            state.iac[app.source] = read_document(root / app.source)
        except Exception:  # noqa: BLE001 - the loader already reported an unreadable IaC file
            state.iac[app.source] = None
    return state.iac[app.source]


def _local_layers(root: Path, app: App, state: ScanState) -> dict[str, str]:
    """Layers the IaC file builds from a local folder: logical name → folder (relative to the app).

    Read from the IaC file itself because the SAM translation replaces local paths: SAM
    `AWS::Serverless::LayerVersion` `ContentUri`, serverless `layers: {name: {path: …}}`.
    """
    if app.source in state.layers:
        return state.layers[app.source]
    out: dict[str, str] = {}
    data = _iac(root, app, state)
    if isinstance(data, dict):
        for lid, res in (data.get("Resources") or {}).items() if isinstance(data.get("Resources"), dict) else ():
            if isinstance(res, dict) and res.get("Type") == "AWS::Serverless::LayerVersion":
                uri = (res.get("Properties") or {}).get("ContentUri")
                if isinstance(uri, str) and "://" not in uri:
                    out[str(lid)] = uri
        layers = data.get("layers")
        if isinstance(layers, dict):
            for name, spec in layers.items():
                if isinstance(spec, dict) and isinstance(spec.get("path"), str):
                    out[f"{str(name)[:1].upper()}{str(name)[1:]}LambdaLayer"] = spec["path"]
    state.layers[app.source] = out
    return out


__all__ = ["FIX_COMMAND", "enrich"]
_ = dt  # dates come from ctx.today
