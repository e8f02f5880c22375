"""Lockfile and manifest parsers, one module per format, chosen by file name.

`parse_folder(root, folder, artifacts)` reads every lockfile of one folder (non-recursive) and returns its
packages (Package URLs with version, scope, direct flag and file:line), the lockfiles it read,
the manifests it saw that have no lockfile beside them (or above them, for workspaces), and the
problems met. Nothing is installed, imported or fetched. Each module has `parse(ctx, text)`.
`artifacts` is the scan's registry of unpacked zip artifacts (`x.zip!/…` paths); without it, none.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from fnaudit.errors import InputError, ScanError
from fnaudit.loaders._files import safe_resolve, unreadable_link
from fnaudit.loaders.archives import Artifacts
from fnaudit.loaders.lockfiles import (
    cargo,
    composer,
    gemfile,
    gomod,
    gradle,
    gradle_build,
    maven,
    npm,
    pipfile,
    pnpm,
    poetry,
    requirements,
    uv,
    yarn,
)
from fnaudit.loaders.lockfiles._common import LockfileError, ParseContext, Parsed
from fnaudit.loaders.lockfiles.manifest import parse_package_json
from fnaudit.loaders.lockfiles.vendored import vendored
from fnaudit.loaders.lockfiles.workspaces import workspace_root
from fnaudit.model.package import Package

PARSERS: dict[str, ModuleType] = {
    name: module
    for module in (npm, yarn, pnpm, pipfile, poetry, uv, maven, gradle, gomod, cargo, gemfile, composer)
    for name in module.NAMES
}
# When both are present, the first one is what the tool installs from.
_SHADOWS = {"package-lock.json": "npm-shrinkwrap.json", "go.sum": "go.mod"}

# manifest → (ecosystem, lockfiles that pin it)
MANIFESTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "package.json": ("npm", ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml")),
    "Pipfile": ("PyPI", ("Pipfile.lock",)),
    "pyproject.toml": ("PyPI", ("poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "requirements.txt")),
    "requirements.in": ("PyPI", ("requirements.txt",)),
    "go.mod": ("Go", ("go.sum",)),
    "Cargo.toml": ("crates.io", ("Cargo.lock",)),
    "Gemfile": ("RubyGems", ("Gemfile.lock",)),
    "composer.json": ("Packagist", ("composer.lock",)),
    "build.gradle": ("Maven", ("gradle.lockfile",)),
    "build.gradle.kts": ("Maven", ("gradle.lockfile",)),
}


def parser_for(name: str) -> ModuleType | None:
    if name in PARSERS:
        return PARSERS[name]
    if requirements.matches(name):
        return requirements
    return None


def parse_file(root: Path, path: Path, artifacts: Artifacts | None = None) -> tuple[Parsed | None, str | None]:
    """Parse one lockfile: (result, None) or (None, why it could not be read)."""
    return _parse_file(path, artifacts or Artifacts(root))


def _parse_file(
    path: Path, artifacts: Artifacts, rel: str | None = None, real: Path | None = None
) -> tuple[Parsed | None, str | None]:
    """`parse_file`; `rel`: `path` relative to the root, and `real`: `path` resolved, when the caller has them."""
    module = parser_for(path.name)
    if module is None:
        return None, "not a known lockfile name"
    # resolved once: each resolution is a system call per path component
    real = _real_inside(artifacts, path) if real is None else real if _confined(artifacts, real) else None
    if real is None or not path.exists():  # out of the root, a loop, or a dangling link
        why = unreadable_link(path)
        return None, f"it is {why.what}; {why.advice} to have its dependencies checked"
    # a lockfile inside a zip artifact is confined to (and its includes resolved in) the zip's folder
    top = artifacts.confining_folder(real)
    in_zip = artifacts.rel_path(top)
    prefix = f"{in_zip}/" if in_zip else ""
    # the scan root was resolved when the registry was made (a zip's folder is resolved on first use)
    rel = _rel(artifacts, path) if rel is None else rel
    ctx = ParseContext(top, path, rel, prefix, real_path=real, root_is_real=top is artifacts.root)
    try:
        text = ctx.read(path)
        if not text.strip():
            return Parsed(), None  # an empty lockfile: no packages
        return module.parse(ctx, text), None
    except LockfileError as exc:
        return None, str(exc)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        return None, f"unexpected content ({type(exc).__name__}: {exc})"
    except OSError as exc:
        return None, f"cannot read ({exc.strerror or exc})"


@dataclass(slots=True)
class FolderDeps:
    packages: list[Package] = field(default_factory=list)
    lockfiles: list[str] = field(default_factory=list)  # relative to the scan root
    unlocked: list[tuple[str, str]] = field(default_factory=list)  # (manifest rel path, ecosystem)
    errors: list[ScanError] = field(default_factory=list)


def _has_dependencies(path: Path) -> bool:
    """Whether a manifest declares any dependency (an empty package.json needs no lockfile)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    name = path.name
    try:
        if name == "package.json":
            data = json.loads(text)
            return (
                any(data.get(k) for k in ("dependencies", "optionalDependencies")) if isinstance(data, dict) else False
            )
        if name == "pyproject.toml":
            data = tomllib.loads(text)
            poetry_deps = {
                k for k in ((data.get("tool") or {}).get("poetry") or {}).get("dependencies") or {} if k != "python"
            }
            return bool((data.get("project") or {}).get("dependencies") or poetry_deps)
        if name == "composer.json":
            data = json.loads(text)
            req = data.get("require") or {} if isinstance(data, dict) else {}
            return any(k != "php" and not k.startswith("ext-") for k in req)
        if name == "go.mod":
            return "require" in text
    except (ValueError, tomllib.TOMLDecodeError):
        return False
    return bool(text.strip())


def _lock_above(root: Path, folder: Path, names: tuple[str, ...]) -> bool:
    """A lockfile in a parent folder inside the scan root that pins this folder: only a workspace that
    declares it a member (a lockfile that merely sits above is not what installs this folder)."""
    return workspace_root(root, folder, names) is not None


def parse_folder(
    root: Path, folder: Path, artifacts: Artifacts | None = None, *, real: Path | None = None
) -> FolderDeps:
    """`real`: `folder` resolved, when the caller has it (resolving costs a system call per path component)."""
    out = FolderDeps()
    artifacts = artifacts or Artifacts(root)
    try:
        # links too, even dangling or looping ones: a lockfile that cannot be read must be said, not skipped
        found = {p.name: p.is_symlink() for p in folder.iterdir() if p.is_file() or p.is_symlink()}
    except OSError:
        return out
    names = sorted(found)
    present = set(names)
    real_folder = real
    for name in names:
        if parser_for(name) is None or _SHADOWS.get(name) in present:
            continue
        path = folder / name
        rel = _rel(artifacts, path)
        real = None
        if os.name == "posix" and not found[name]:
            # a file that is no link is where its folder really is: the folder is resolved once, not per file
            real_folder = real_folder or _resolved(folder)
            real = real_folder / name if real_folder is not None else None
        parsed, problem = _parse_file(path, artifacts, rel, real)
        if parsed is None:
            out.errors.append(ScanError(rel, f"lockfile not read: {problem}", "deps"))
            continue
        out.lockfiles.append(rel)
        out.packages.extend(parsed.packages)
        for note in parsed.notes:
            out.errors.append(ScanError(rel, note, "deps"))
    for manifest, (ecosystem, locks) in MANIFESTS.items():
        if manifest not in present:
            continue
        lock_here = any(n in present for n in locks) or (
            manifest == "pyproject.toml" and any(requirements.matches(n) for n in present)
        )
        if lock_here or _lock_above(root, folder, locks):
            continue
        path = folder / manifest
        if not _inside(artifacts, path):
            why = unreadable_link(path)
            out.errors.append(
                ScanError(
                    _rel(artifacts, path),
                    f"manifest not read: it is {why.what}; {why.advice} to have its dependencies checked",
                    "deps",
                )
            )
            continue
        if manifest in gradle_build.NAMES:
            # read, not only probed: its declared versions are what Gradle resolves without a lockfile
            declared = _gradle_packages(artifacts, path, out.errors)
            if declared:
                out.unlocked.append((_rel(artifacts, path), ecosystem))
                out.packages.extend(declared)
            continue
        if _has_dependencies(path):
            out.unlocked.append((_rel(artifacts, path), ecosystem))
            if manifest == "package.json":  # no lockfile: its exact pins and ranges are what gets installed
                out.packages.extend(_manifest_packages(artifacts, path))
    return out


def _gradle_packages(artifacts: Artifacts, path: Path, errors: list[ScanError]) -> list[Package]:
    """The dependencies a Gradle build file declares (no gradle.lockfile pins them); a file that cannot be
    read, or a version it names that is defined nowhere readable, is an entry in `errors`."""
    top = artifacts.confining_folder(safe_resolve(path))
    in_zip = artifacts.rel_path(top)
    rel = _rel(artifacts, path)
    ctx = ParseContext(top, path, rel, f"{in_zip}/" if in_zip else "")
    try:
        parsed = gradle_build.parse(ctx, ctx.read(path))
    except LockfileError as exc:
        errors.append(ScanError(rel, f"build file not read: {exc}", "deps"))
        return []
    except OSError as exc:
        errors.append(ScanError(rel, f"build file not read: cannot read ({exc.strerror or exc})", "deps"))
        return []
    errors.extend(ScanError(rel, note, "deps") for note in parsed.notes)
    return [replace(p, manifest_only=True) for p in parsed.packages]


def _manifest_packages(artifacts: Artifacts, path: Path) -> list[Package]:
    """The entries of a package.json no lockfile pins: exact pins are matched as locked, ranges as ranges."""
    top = artifacts.confining_folder(safe_resolve(path))
    in_zip = artifacts.rel_path(top)
    ctx = ParseContext(top, path, _rel(artifacts, path), f"{in_zip}/" if in_zip else "")
    try:
        text = ctx.read(path)
    except (OSError, LockfileError, UnicodeDecodeError):
        return []
    return [replace(p, manifest_only=True) for p in parse_package_json(ctx, text)]


_MANIFEST_AND_LOCKS = tuple(dict.fromkeys(n for m, (_e, locks) in MANIFESTS.items() for n in (m, *locks)))


def workspace_lock(root: Path, folder: Path) -> Path | None:
    """The workspace root whose lockfile pins `folder` (its manifest is a declared member), or None."""
    here = set(present_files(folder, _MANIFEST_AND_LOCKS))
    for manifest, (_eco, locks) in MANIFESTS.items():
        if manifest in here and not any(n in here for n in locks):
            found = workspace_root(root, folder, locks)
            if found is not None:
                return found
    return None


def present_files(folder: Path, names: tuple[str, ...]) -> list[str]:
    """Those of `names` (file names, or `sub/name`) that are files in `folder`, links followed, in order.

    One listing of the folder rules out the names it does not hold before each candidate is checked as
    before: a folder is asked about many names and holds few of them. Compared case-insensitively, so a
    case-insensitive file system finds what it found before; a folder that cannot be listed is checked
    name by name."""
    try:
        here: set[str] | None = {n.casefold() for n in os.listdir(folder)}
    except OSError:
        here = None
    return [n for n, head in _heads(names) if (here is None or head in here) and (folder / n).is_file()]


@lru_cache(maxsize=64)
def _heads(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each name with the entry of the folder it needs, case-folded (the callers ask with a few fixed lists)."""
    return tuple((n, n.split("/", 1)[0].casefold()) for n in names)


def vendored_in(folder: Path, artifacts: Artifacts, *, real: Path | None = None) -> list[Package]:
    """Packages vendored into a code folder (dist-info, node_modules), confined like lockfiles are.
    `real`: `folder` resolved, when the caller has it."""
    if real is None:
        try:
            real = safe_resolve(folder)
        except InputError:
            return []
    top = artifacts.confining_folder(real)
    if top is not artifacts.root:  # the scan root was resolved when the registry was made; a zip's folder may not be
        top = top.resolve()
    return vendored(folder, top, _rel(artifacts, folder), real)


def _inside(artifacts: Artifacts, path: Path) -> bool:
    """`path`, links followed, is inside the scan root or its zip's folder (a link loop or an unreadable
    link is not)."""
    return _real_inside(artifacts, path) is not None


def _real_inside(artifacts: Artifacts, path: Path) -> Path | None:
    """`path` resolved when it is inside the scan root or its zip's folder, else None (see `_inside`)."""
    real = _resolved(path)
    return real if real is not None and _confined(artifacts, real) else None


def _resolved(path: Path) -> Path | None:
    """`path` resolved; None for a link loop or an unreadable link."""
    try:
        return safe_resolve(path)
    except InputError:
        return None


def _confined(artifacts: Artifacts, real: Path) -> bool:
    """Whether the resolved path `real` is inside the scan root or its zip's folder."""
    return real.is_relative_to(artifacts.confining_folder(real))


def _rel(artifacts: Artifacts, path: Path) -> str:
    """Where the file sits, relative to the root, POSIX style: a link is named where it is, not by
    its target (errors and findings stay relative to the root)."""
    absolute = Path(os.path.abspath(path))
    in_zip = artifacts.rel_path(absolute)
    if in_zip is not None:
        return in_zip  # `dist/fn.zip!/requirements.txt`
    top = artifacts.root
    try:
        return absolute.relative_to(top).as_posix()
    except ValueError:
        try:
            return safe_resolve(path.parent).joinpath(path.name).relative_to(top).as_posix()
        except (ValueError, InputError):
            return path.name


__all__ = [
    "MANIFESTS",
    "PARSERS",
    "FolderDeps",
    "LockfileError",
    "parse_file",
    "parse_folder",
    "parser_for",
    "present_files",
    "vendored_in",
    "workspace_lock",
]
