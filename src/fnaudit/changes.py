"""`--changed-since GIT_REF`: keep only the functions whose files changed.

A function's files are its app's IaC file, its code (the code root when the function has a folder
of its own, else the handler file and the files of its module graph), and the lockfiles and
manifests in its code folders (a dependency bump changes the function). When the IaC file itself
changed, every function it declares is kept: which part of the template moved does not matter,
the deployed configuration may have. git is only read (`git diff --name-only`, `git ls-files`).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from fnaudit.errors import FnauditError

if TYPE_CHECKING:
    from fnaudit.findings import Finding
    from fnaudit.model.app import App, Function
    from fnaudit.pipeline import ScanResult

LOCKFILES = frozenset(
    {
        "requirements.txt",
        "pipfile",
        "pipfile.lock",
        "poetry.lock",
        "uv.lock",
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "package.json",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "gradle.lockfile",
        "go.mod",
        "go.sum",
        "cargo.toml",
        "cargo.lock",
        "gemfile",
        "gemfile.lock",
        "composer.json",
        "composer.lock",
    }
)


class GitError(FnauditError):
    """git could not tell what changed (not a repository, unknown ref, no git)."""


def _git(folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise GitError("--changed-since needs git, and git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {' '.join(args)} took too long") from None
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit code {done.returncode}"
        raise GitError(f"git {' '.join(args)}: {message}")
    return done.stdout


def changed_files(target: Path, ref: str) -> set[str]:
    """Files changed since `ref` (committed, staged, unstaged, untracked), relative to the scanned folder."""
    folder = (target if target.is_dir() else target.parent).resolve()
    try:
        top = Path(_git(folder, "rev-parse", "--show-toplevel").strip()).resolve()
    except GitError:
        raise GitError(
            f"--changed-since needs a git repository, and {folder} is not inside one "
            "(scan without --changed-since, or run it in a clone)"
        ) from None
    if ref.startswith("-"):
        raise GitError(f"--changed-since: {ref!r} is not a git ref")
    try:
        _git(folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError:
        raise GitError(f"--changed-since: unknown git ref {ref!r} (fetch it first in a shallow CI clone)") from None
    names = _git(folder, "diff", "--name-only", "--no-renames", ref, "--").splitlines()
    names += _git(folder, "ls-files", "--others", "--exclude-standard", "--full-name").splitlines()
    out = set()
    for name in names:
        path = (top / name).resolve()
        try:
            out.add(path.relative_to(folder).as_posix())
        except ValueError:
            continue  # outside the scanned folder
    return out


def function_changed(app: App, fn: Function, changed: set[str]) -> bool:
    if app.source in changed:
        return True
    code = fn.code
    app_root = PurePosixPath(app.root) if app.root else PurePosixPath()
    own_root = code.root is not None and code.root not in ("", ".", app.root)
    if own_root:
        prefix = code.root.rstrip("/") + "/"  # type: ignore[union-attr]
        if any(p.startswith(prefix) for p in changed):
            return True
    files = set(getattr(fn.code_facts, "files", ()) or ())
    if code.handler_file:
        files.add(code.handler_file)
    if files & changed:
        return True
    # lockfiles and manifests in a folder that holds the function's code, up to its app's root
    folders = {PurePosixPath(f).parent for f in files}
    if own_root:
        folders.add(PurePosixPath(code.root))  # type: ignore[arg-type]
    dep_folders = set()
    for folder in folders:
        while True:
            dep_folders.add(folder)
            if folder == app_root or folder == PurePosixPath() or folder == folder.parent:
                break
            folder = folder.parent
    dep_folders.add(app_root)
    for p in changed:
        pp = PurePosixPath(p)
        if pp.parent in dep_folders and (pp.name.lower() in LOCKFILES or _requirements(pp.name)):
            return True
    return False


def _requirements(name: str) -> bool:
    low = name.lower()
    return low.startswith("requirements") and low.endswith((".txt", ".in"))


def only_changed(result: ScanResult, changed: Iterable[str]) -> ScanResult:
    """The result restricted to changed functions: their findings, and app-level findings of changed IaC files."""
    changed = set(changed)
    apps = []
    kept_ids: set[str] = set()
    kept_names: set[tuple[str, str]] = set()
    for app in result.apps:
        fns = tuple(fn for fn in app.functions if function_changed(app, fn, changed))
        kept_ids.update(fn.id for fn in fns)
        kept_names.update((app.source, fn.name) for fn in fns)
        if fns or app.source in changed:
            apps.append(replace(app, functions=fns))
    findings = tuple(f for f in result.findings if _keep(f, kept_ids, kept_names, changed))
    stats = replace(result.stats, functions=sum(len(a.functions) for a in apps))
    return replace(result, apps=tuple(apps), findings=findings, stats=stats)


def _keep(f: Finding, ids: set[str], names: set[tuple[str, str]], changed: set[str]) -> bool:
    function_id = f.function_id
    if function_id:
        return function_id in ids
    functions = f.functions
    path = f.location.path
    if functions:
        return any((path, name) in names for name in functions) or path in changed
    return path in changed
