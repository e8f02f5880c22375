"""Finding the apps under a target: serverless.yml files, SAM and CloudFormation templates.

Walks the tree once without following symlinked folders (no loops, nothing outside the root),
skipping dependency, build and VCS folders unless the user pointed at one directly.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fnaudit import globs
from fnaudit.errors import BinaryFileError, InputError, Loss, ScanError
from fnaudit.loaders import _sls_script
from fnaudit.loaders._files import MAX_IAC_BYTES, ScanRoot, read_text, safe_resolve
from fnaudit.loaders._yaml import load_any
from fnaudit.loaders.base import SourceDoc
from fnaudit.model.app import Dialect

SKIP_DIRS = frozenset(
    {
        "node_modules",
        ".serverless",
        ".aws-sam",
        "cdk.out",
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
        ".terraform",
        ".idea",
        ".vscode",
    }
)
_SERVERLESS_NAMES = frozenset({"serverless.yml", "serverless.yaml", "serverless.json", *_sls_script.SCRIPT_NAMES})
# The Framework reads the first of these a folder holds (YAML/JSON before the scripts); the others are unused.
_SERVERLESS_ORDER = ("serverless.yml", "serverless.yaml", "serverless.json", *_sls_script.SCRIPT_NAMES)
SHADOWED = "the Serverless Framework reads {} in this folder instead; this configuration is not used"
_TEMPLATE_EXT = (".yml", ".yaml", ".json", ".template")
_ZAPPA_NAMES = frozenset({"zappa_settings.json", "zappa_settings.yml", "zappa_settings.yaml"})
_TEMPLATE_HINTS = ("AWSTemplateFormatVersion", "AWS::Serverless", "AWS::Lambda::", "AWS::IAM::")
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


NOT_A_TEMPLATE = "named like a template but holds no `Resources` with AWS:: resource types; not an app"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file discovery looked at and quietly left out, with why (for the report's coverage)."""

    rel: str
    reason: str


@dataclass(slots=True)
class Discovery:
    docs: list[SourceDoc] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    files_seen: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    # For the report's coverage, from the one walk discovery makes: every file it walked (relative
    # to the scan root, in walk order), and the folders and files it did not walk, with why.
    walked: list[str] = field(default_factory=list)
    skipped_dirs: list[Skipped] = field(default_factory=list)
    terraform_folders: set[Path] = field(default_factory=set)  # folders holding `.tf` / `.tf.json` files
    terraform_plans: set[Path] = field(default_factory=set)  # folders holding a Terraform plan (JSON)


def discover(target: Path, root: ScanRoot, exclude: Iterable[str] = ()) -> Discovery:
    """Every IaC document under `target` (a folder or one file), parsed and classified."""
    out = Discovery()
    excludes = tuple(exclude)
    # Absolute (not resolved: symlinks are judged as found), so that every path handed out is
    # relative to the scan root, not to the current directory, when the target was given relative.
    target = Path(os.path.abspath(target))
    if target.is_file():
        out.walked.append(root.rel(target))
        _consider(target, root, out, explicit=True)
        _terraform(root, out)
        if not out.docs and not out.errors:
            out.errors.append(
                ScanError(
                    root.rel(target), "not a Serverless Framework, SAM or CloudFormation file", "discover", Loss.APP
                )
            )
        return out
    for path, rel in _walk(target, root, excludes, out):
        out.walked.append(rel)
        _consider(path, root, out, explicit=False, rel=rel)
    _terraform(root, out)
    out.docs.sort(key=lambda d: d.rel)
    out.skipped.sort(key=lambda s: s.rel)
    out.skipped_dirs.sort(key=lambda s: s.rel)
    return out


SKIPPED_DIR = "dependency, build, cache or VCS folder; not walked"
VIRTUALENV = "a Python virtual environment; not walked"
# its templates are not apps of their own: the CDK loader reads them to fill what the app's source leaves unknown
CDK_SYNTH_DIR = "a CDK app's synthesised output; not walked as apps (it fills what the app's source leaves unknown)"
EXCLUDED = "excluded by --exclude"


def _walk(target: Path, root: ScanRoot, excludes: tuple[str, ...], out: Discovery) -> Iterator[tuple[Path, str]]:
    """Every file to consider, with its path relative to the root (computed once: it resolves links)."""
    for dirpath, dirnames, filenames in os.walk(target, followlinks=False):
        here = Path(dirpath)
        kept = []
        for d in sorted(dirnames):
            why = _dir_skip(here / d, root, excludes)
            if why is None:
                kept.append(d)
            else:
                out.skipped_dirs.append(Skipped(root.rel(here / d), why))
        dirnames[:] = kept
        for name in sorted(filenames):
            p = here / name
            rel = root.rel(p)
            if excludes and _excluded(rel, excludes):
                out.skipped.append(Skipped(rel, EXCLUDED))
                continue
            yield p, rel


def _dir_skip(path: Path, root: ScanRoot, excludes: tuple[str, ...]) -> str | None:
    """Why a folder is not walked, or None to walk it."""
    if path.name == "cdk.out" and (path.parent / "cdk.json").is_file():
        return CDK_SYNTH_DIR
    if path.name in SKIP_DIRS:
        return SKIPPED_DIR
    if (path / "pyvenv.cfg").exists():
        return VIRTUALENV
    if excludes and _excluded(root.rel(path), excludes, is_dir=True):
        return EXCLUDED
    return None


def _excluded(rel: str, excludes: tuple[str, ...], *, is_dir: bool = False) -> bool:
    # gitignore semantics (fnaudit.globs); an excluded folder is not walked, so, as in git, a `!pattern`
    # cannot re-include a file whose folder is excluded (`dir/*` + `!dir/keep/` can).
    return globs.matches_any(rel, excludes, is_dir=is_dir)


def _terraform(root: ScanRoot, out: Discovery) -> None:
    """Terraform root modules, once every folder of `.tf` files is known (a folder another one calls as a
    module is part of that app, not an app of its own)."""
    if not out.terraform_folders:
        return
    from fnaudit.loaders.terraform import root_modules

    docs, errors = root_modules(out.terraform_folders, root, out.terraform_plans)
    out.docs.extend(docs)
    out.errors.extend(errors)


def _consider(path: Path, root: ScanRoot, out: Discovery, explicit: bool, rel: str | None = None) -> None:
    """Read and classify one file; `rel` is `root.rel(path)` when the caller already has it."""
    name = path.name.lower()
    if name.endswith((".tf", ".tf.json")):
        out.terraform_folders.add(path.parent)
        return
    if name == "cdk.json":  # a CDK app: its entry file is read from source, never synthesised
        from fnaudit.loaders.cdk.entry import cdk_app

        doc, error = cdk_app(path, root)
        out.docs.extend([doc] if doc is not None else [])
        out.errors.extend([error] if error is not None else [])
        return
    is_serverless = name in _SERVERLESS_NAMES
    if not (is_serverless or name.endswith(_TEMPLATE_EXT)):
        return
    if is_chalice_project(path):  # `.chalice/config.json` of a Chalice app: its own dialect
        _consider_chalice(path, root, out)
        return
    if name in _ZAPPA_NAMES:  # Zappa settings (a WSGI app and its events): their own dialect
        _consider_chalice(path, root, out, Dialect.ZAPPA, "Zappa settings")
        return
    rel = root.rel(path) if rel is None else rel
    named_template = is_serverless or explicit or _looks_like_template_name(name)
    # What skipping this file loses: a file named as an app is an app; any other file may be
    # data that merely has a template's extension.
    lost = Loss.APP if named_template else Loss.PARTIAL
    if path.is_symlink():
        try:
            safe_resolve(path)
        except InputError as exc:  # a loop: one error entry, the rest of the tree is still scanned
            out.errors.append(ScanError(rel, str(exc), "discover", lost))
            return
        if not root.contains(path):
            out.errors.append(
                ScanError(rel, "symbolic link to a file outside the scanned folder; not followed", "discover", lost)
            )
            return
    out.files_seen += 1
    try:
        if not named_template and path.stat().st_size > MAX_IAC_BYTES:
            return  # a large data file that nobody named as a template
        text = read_text(path)
    except InputError as exc:
        if named_template or _sniff_file(path):
            # A binary file cannot be IaC whatever its name: nothing is lost by skipping it.
            loss = Loss.NONE if isinstance(exc, BinaryFileError) else lost
            out.errors.append(ScanError(rel, str(exc), "discover", loss))
        return
    except OSError as exc:
        out.errors.append(ScanError(rel, f"cannot read file: {exc.strerror or exc}", "discover", lost))
        return
    if name.endswith(".json") and '"planned_values"' in text and '"format_version"' in text:
        _consider_plan(path, rel, text, out)
        return
    if not (is_serverless or explicit or _looks_like_template_name(name) or any(h in text for h in _TEMPLATE_HINTS)):
        return
    if name in _sls_script.SCRIPT_NAMES:
        _consider_script(path, rel, text, root, out, explicit)
        return
    try:
        data = load_any(text, name)
    except InputError as exc:
        out.errors.append(ScanError(rel, str(exc), "load", lost))
        return
    dialect = classify(name, data)
    if dialect is None:
        if is_serverless:
            out.errors.append(
                ScanError(
                    rel,
                    "not a Serverless Framework service: expected a mapping with `service`, `provider` and `functions`",
                    "load",
                    Loss.NONE if data is None else Loss.APP,  # an empty file held no app to lose
                )
            )
        elif explicit:
            out.errors.append(
                ScanError(
                    rel,
                    "not a CloudFormation or SAM template: no `Resources` with AWS:: resource types",
                    "load",
                    Loss.APP,
                )
            )
        elif _looks_like_template_name(name):
            # Found while walking: `serverless.template.yml` (example-repository metadata) and other
            # YAML merely named like a template hold no app, so nothing is lost: no error entry.
            out.skipped.append(Skipped(rel, NOT_A_TEMPLATE))
        return
    out.docs.append(SourceDoc(path=path, rel=rel, text=text, data=data, dialect=dialect))


def _consider_plan(path: Path, rel: str, text: str, out: Discovery) -> None:
    """`terraform show -json plan.out`: a plan with every value resolved, read instead of the `.tf` files of
    the same folder (the loader maps its resources back to their `.tf` lines where it can)."""
    import json

    try:
        data = json.loads(text)
    except ValueError as exc:
        out.errors.append(ScanError(rel, f"not valid JSON ({exc}); this Terraform plan is not read", "load"))
        return
    if isinstance(data, dict) and "planned_values" in data and "aws_lambda" in text:
        out.docs.append(SourceDoc(path=path, rel=rel, text="", data=data, dialect=Dialect.TERRAFORM))
        out.terraform_plans.add(path.parent)


def _consider_script(path: Path, rel: str, text: str, root: ScanRoot, out: Discovery, explicit: bool) -> None:
    """`serverless.ts` / `.js` / `.mjs` / `.cjs`: its exported object read statically (`_sls_script`), never run."""
    preferred = next((n for n in _SERVERLESS_ORDER if (path.parent / n).is_file()), path.name)
    if preferred != path.name and not explicit:
        out.skipped.append(Skipped(rel, SHADOWED.format(preferred)))
        return
    config = _sls_script.read(path, text, rel, path.parent, root)
    out.errors.extend(config.errors)
    if config.data is not None:
        out.docs.append(SourceDoc(path=path, rel=rel, text=text, data=config.data, dialect=Dialect.SERVERLESS))


def is_chalice_project(path: Path) -> bool:
    """`.chalice/config.json` beside an `app.py` that creates a `Chalice(...)` app (checked by text, never run)."""
    if path.name != "config.json" or path.parent.name != ".chalice":
        return False
    app_py = path.parent.parent / "app.py"
    try:
        if app_py.is_symlink() or not app_py.is_file() or app_py.stat().st_size > MAX_IAC_BYTES:
            return False
        return "Chalice(" in app_py.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _consider_chalice(
    path: Path, root: ScanRoot, out: Discovery, dialect: Dialect = Dialect.CHALICE, what: str = "Chalice configuration"
) -> None:
    """A framework's own configuration file (Chalice's `config.json`, Zappa's settings) as its dialect's document."""
    rel = root.rel(path)
    if path.is_symlink() and not root.contains(path):
        out.errors.append(
            ScanError(rel, "symbolic link to a file outside the scanned folder; not followed", "discover", Loss.APP)
        )
        return
    out.files_seen += 1
    try:
        text = read_text(path)
        data = load_any(text, path.name)
    except InputError as exc:
        out.errors.append(ScanError(rel, f"{what} not read: {exc}", "load", Loss.APP))
        return
    except OSError as exc:
        out.errors.append(ScanError(rel, f"cannot read file: {exc.strerror or exc}", "discover", Loss.APP))
        return
    if not isinstance(data, dict):
        out.errors.append(ScanError(rel, f"{what} is not a JSON object", "load", Loss.APP))
        return
    out.docs.append(SourceDoc(path=path, rel=rel, text=text, data=data, dialect=dialect))


def _looks_like_template_name(name: str) -> bool:
    stem = name.rsplit(".", 1)[0]
    return stem in ("template", "samconfig-template", "cloudformation") or stem.endswith((".template", "-template"))


def _sniff_file(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    return any(h.encode() in head for h in _TEMPLATE_HINTS)


def classify(name: str, data: Any) -> Dialect | None:
    """Which dialect a parsed document is written in, or None if it is none of ours."""
    if not isinstance(data, dict):
        return None
    if name in _SERVERLESS_NAMES:
        if "functions" in data or "provider" in data or "service" in data:
            return Dialect.SERVERLESS
        return None
    resources = data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return None
    transform = data.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    if any(t == SAM_TRANSFORM for t in transforms):
        return Dialect.SAM
    types = [r.get("Type") for r in resources.values() if isinstance(r, dict)]
    if "AWSTemplateFormatVersion" in data or any(isinstance(t, str) and t.startswith("AWS::") for t in types):
        return Dialect.CLOUDFORMATION
    return None
