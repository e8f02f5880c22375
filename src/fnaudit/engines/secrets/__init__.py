"""The secrets engine: finds secrets in each function's files and in template parameter defaults.

For each app it walks every function's code root (once per file, even when several functions
share it) plus the configuration files beside the IaC file, and judges:

- string literals in code (Python, JS/TS, Java, …) with the name they are bound to → SECRET002;
- bundled configuration files (`.env`, `*.json`, `*.yml`, `*.ini`, `settings.py`, `config.js`, …)
  → SECRET003;
- CloudFormation / SAM `Parameters` defaults that hold a secret (no `NoEcho`) → SECRET004;
- Python handlers that write a secret to `/tmp` or return it → SECRET005.

It skips `node_modules`, virtualenvs, `.git`, build output, lockfiles, IaC templates (the other
SECRET rules read those through the model), binaries and files over 1 MB. Only verdicts reach the
model (`App.secret_candidates`): detector, key, redacted preview, length, location, flags.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import yaml

from fnaudit.engines.code.pep263 import SourceDecodeError, decode_python
from fnaudit.engines.secrets.context import Place, in_context, is_password_name, is_test_path, judge, slot_verdict
from fnaudit.engines.secrets.flows import Flow, python_flows
from fnaudit.engines.secrets.scanner import Found, classify, scan_text
from fnaudit.engines.secrets.slots import API_PASSWORD
from fnaudit.errors import InputError, ScanError
from fnaudit.loaders.archives import Artifacts
from fnaudit.loaders.discover import SKIP_DIRS as DISCOVERY_SKIP_DIRS
from fnaudit.loaders.documents import line_of, parse_document, why_unreadable
from fnaudit.model.app import App, Dialect
from fnaudit.model.loc import Loc
from fnaudit.model.secrets import SecretCandidate, SecretPlace
from fnaudit.redact import redact

if TYPE_CHECKING:
    from fnaudit.engines import EngineContext

MAX_BYTES = 1024 * 1024
MAX_FILES = 20_000  # per app: a code root this large is not a function package
# Discovery's folders (installed packages, VCS, build and tool caches) and the build output of other
# toolchains, which holds copies of the code rather than the code a function ships.
SKIP_DIRS = DISCOVERY_SKIP_DIRS | frozenset(
    {".cache", ".gradle", ".next", ".nuxt", "bower_components", "coverage", "dist-packages", "target"}
)
SKIP_FILES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "pipfile.lock",
        "composer.lock",
        "gemfile.lock",
        "cargo.lock",
        "go.sum",
        "uv.lock",
        "tsconfig.json",
        "jsconfig.json",
        "samconfig.toml",
        "samconfig.yaml",
        "samconfig.yml",
        "cdk.json",
        "cdk.context.json",
        ".eslintrc.json",
        ".prettierrc",
        "renovate.json",
        "package.json",
        "angular.json",
        "app.json",
    }
)
_IAC_NAMES = ("serverless.", "template.", "template-", "sam-template", "packaged")
_IAC_MARKERS = ("AWSTemplateFormatVersion", "AWS::Serverless", "Transform: AWS::", '"Resources"', "service:\n")

# Cheap look before parsing: does the module read a secret at all?
_SECRET_SOURCE = re.compile(
    r"get_secret|get_parameter|\.decrypt\(|(?:environ|getenv)[^\n]{0,40}(?i:pass|secret|token|key|cred|auth|dsn|pwd)"
)


def enrich(app: App, ctx: EngineContext) -> tuple[App, list[ScanError]]:
    """`ctx.artifacts` names files inside zip artifacts; `ctx.state.secrets` holds this scan's per-file
    results, so a file that several apps of the scan ship is scanned once (and rescanned by the next scan)."""
    root: Path = ctx.root
    files = ctx.artifacts
    cache = ctx.state.secrets
    errors: list[ScanError] = []
    owners: dict[str, set[str]] = {}  # file (relative to the scan root) → function ids
    handler_of: dict[str, str] = {}  # handler file → handler symbol
    walked: dict[str, list[str]] = {}  # code root → its files (functions often share one root)
    for fn in app.functions:
        if not fn.code.in_repo or fn.code.root is None:
            continue
        if fn.code.root not in walked:
            base = files.real_path(fn.code.root) if fn.code.root else root  # a zip artifact: its private folder
            walked[fn.code.root] = list(_walk(files, base, recursive=True, errors=errors))
        for rel in walked[fn.code.root]:
            owners.setdefault(rel, set()).add(fn.id)
        if fn.code.handler_file and fn.code.handler_symbol:
            handler_of[fn.code.handler_file] = fn.code.handler_symbol.rsplit(".", 1)[-1]
    all_ids = {f.id for f in app.functions}
    iac_dir = root / app.root if app.root else root
    for rel in _walk(files, iac_dir, recursive=False, errors=errors):
        kind = classify(rel)
        if kind is not None and kind[0] is Place.CONFIG and rel not in owners:
            owners[rel] = set(all_ids)
    candidates: list[SecretCandidate] = []
    scanned: list[str] = []  # for stats.files (App.files_read)
    for rel in sorted(owners):
        if rel == app.source or len(candidates) > 10_000:
            continue
        ids = tuple(sorted(owners[rel]))
        try:
            found, flows = _scan_file(files, rel, handler_of.get(rel), cache)
        except InputError:
            continue  # binary, too large, not UTF-8: not a source of secrets we can read
        scanned.append(rel)
        kind = classify(rel)
        assert kind is not None
        place = SecretPlace.CODE if kind[0] is Place.CODE else SecretPlace.CONFIG
        candidates.extend(_candidate(f, place, rel, ids) for f in found)
        candidates.extend(replace(c, functions=ids) for c in flows)
    candidates.extend(_inline_code(app))
    candidates.extend(_parameter_defaults(app, root, errors))
    app = replace(app, files_read=tuple(sorted(set(app.files_read) | set(scanned))))
    if not candidates:
        return app, errors
    return replace(app, secret_candidates=tuple(candidates)), errors


def _candidate(
    f: Found, place: SecretPlace, rel: str, functions: tuple[str, ...] = (), flags: tuple[str, ...] = ()
) -> SecretCandidate:
    """A secret the scanner found in `rel`, as the model keeps it (judged, redacted)."""
    v = f.verdict
    return SecretCandidate(
        place=place,
        detector=v.detector,
        what=v.what,
        loc=Loc(rel, f.line),
        key=f.key,
        preview=f.preview,
        length=f.length,
        confidence=v.confidence.value,
        severity=v.severity,
        flags=(*v.flags, *flags),
        functions=functions,
    )


def _flow_candidate(flow: Flow, rel: str, functions: tuple[str, ...] = ()) -> SecretCandidate:
    """A secret written to /tmp or returned to the caller (SECRET005) at `rel`."""
    return SecretCandidate(
        place=SecretPlace.TMP_WRITE if flow.kind == "tmp-write" else SecretPlace.RESPONSE,
        detector="secret-flow",
        what="a secret",
        loc=Loc(rel, flow.line),
        key=flow.key,
        confidence="medium",
        severity="high",
        detail=flow.source,
        functions=functions,
    )


def _inline_code(app: App) -> Iterator[SecretCandidate]:
    """SECRET002 (and SECRET005 for Python) in code written in the template (`InlineCode`, `Code.ZipFile`):
    its text is laid out on the template's lines, so each finding is on the template line that holds it."""
    for fn in app.functions:
        src = fn.code.inline
        if src is None:
            continue
        for f in scan_text(src.file, src.text, Place.CODE, "code", src.extension):
            yield _candidate(f, SecretPlace.CODE, src.file, (fn.id,))
        if src.extension == ".py" and _SECRET_SOURCE.search(src.text):  # SECRET005, as for a handler file
            for flow in python_flows(src.text, fn.code.handler_symbol):
                yield _flow_candidate(flow, src.file, (fn.id,))


def _walk(files: Artifacts, base: Path, recursive: bool, errors: list[ScanError]) -> Iterator[str]:
    """Files under `base` worth scanning, as paths relative to the scan root (`x.zip!/…` inside a zip
    artifact); never leaves the root (or the zip's folder). A link that leads out of it is not
    followed and is one entry in `errors`: skipped silently, a bundled secret file would look clean."""
    try:
        base_r = base.resolve()
    except (OSError, RuntimeError):
        return
    top = files.confining_folder(base_r)
    if not base_r.is_relative_to(top) or not base_r.is_dir():
        return

    def rel_of(path: Path) -> str:
        return files.rel_path(path) or PurePosixPath(*path.relative_to(files.root).parts).as_posix()

    count = 0
    for dirpath, dirnames, filenames in os.walk(base_r):
        here = Path(dirpath)
        kept = []
        for d in sorted(dirnames):
            if d in SKIP_DIRS or _is_virtualenv(here / d):
                continue
            if (here / d).is_symlink() and not _inside(here / d, top):
                errors.append(ScanError(rel_of(here / d), _not_scanned(here / d), "secrets"))
            kept.append(d)  # os.walk does not descend into links to folders
        dirnames[:] = kept if recursive else []
        for name in sorted(filenames):
            low = name.lower()
            if low in SKIP_FILES or low.endswith((".min.js", ".map", ".lock")) or _iac_name(low):
                continue
            path = here / name
            rel = rel_of(path)
            if classify(rel) is None:
                continue
            if path.is_symlink() and not _inside(path, top):
                errors.append(ScanError(rel, _not_scanned(path), "secrets"))
                continue
            count += 1
            if count > MAX_FILES:
                return
            yield rel


def _not_scanned(path: Path) -> str:
    why = why_unreadable(path)
    return f"not scanned for secrets: it is {why.what}; {why.advice}"


def _inside(path: Path, top: Path) -> bool:
    try:
        return path.resolve().is_relative_to(top)
    except (OSError, RuntimeError):  # a link loop leads nowhere
        return False


def _iac_name(low: str) -> bool:
    return low.startswith("serverless.") or (low.startswith(_IAC_NAMES) and low.endswith((".yml", ".yaml", ".json")))


def _is_virtualenv(path: Path) -> bool:
    return (path / "pyvenv.cfg").exists()


def _read(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError("over 1 MB")
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise InputError("binary")
    if path.suffix == ".py":  # a PEP 263 coding declaration decides, as for the interpreter
        try:
            return decode_python(data)[0]
        except SourceDecodeError as exc:
            raise InputError(exc.message) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8") from None


def _scan_file(
    files: Artifacts,
    rel: str,
    handler_symbol: str | None,
    cache: dict[tuple[str, str], tuple[Found, ...]],
    flows_too: bool = True,
) -> tuple[tuple[Found, ...], list[SecretCandidate]]:
    """The secrets written in a file and, for Python (`flows_too`), the flows of secrets to /tmp or a response."""
    path = files.real_path(rel)
    try:
        path.stat()
    except OSError as exc:  # gone since the walk, or unreadable: not a source of secrets we can read
        raise InputError(str(exc)) from None
    kind = classify(rel)
    assert kind is not None
    cache_key = (str(path), rel)  # rel: the verdict depends on it (test paths)
    text: str | None = None
    found = cache.get(cache_key)
    if found is None:
        text = _read(path)
        if kind[1] in ("yaml", "json") and any(m in text[:4096] for m in _IAC_MARKERS) and _is_template(text):
            found = ()
        else:
            found = tuple(scan_text(rel, text, kind[0], kind[1]))
        cache[cache_key] = found
    flows: list[SecretCandidate] = []
    if flows_too and rel.endswith(".py") and not is_test_path(rel):
        text = text if text is not None else _read(path)
        if not _SECRET_SOURCE.search(text):
            return found, flows
        flows.extend(_flow_candidate(flow, rel) for flow in python_flows(text, handler_symbol))
    return found, flows


def _is_template(text: str) -> bool:
    head = text[:20000]
    return (
        "AWSTemplateFormatVersion" in head
        or "AWS::Serverless" in head
        or ("Resources" in head and "Type" in head and "AWS::" in head)
        or ("service:" in head and "provider:" in head)
    )


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Plain YAML, intrinsic tags read as nothing: a quick look at the `Parameters` block."""


_FastLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


# The quick look parses a YAML template's top-level `Parameters:` block alone: the loader has parsed the whole
# template already, and a SAM template runs to thousands of lines. The block is cut out only when every line at
# the top level is a plain `Key:` (or a comment) and `Parameters` is one of them once: documents, flow style,
# anchors, tags or quoted keys at the top level, tabs and carriage returns get the whole template parsed.
_UNUSUAL_TOP = re.compile(r"^[^A-Za-z0-9_#\s]", re.MULTILINE)
_ANY_PARAMETERS = re.compile(r"^Parameters\s*:", re.MULTILINE)
_PARAMETERS = re.compile(r"^Parameters:[ ]*(?:#[^\n]*)?$", re.MULTILINE)
_TOP_KEY = re.compile(r"^[A-Za-z0-9_]", re.MULTILINE)


def _parameters_block(text: str) -> str:
    """The `Parameters:` block of a YAML template (the whole text when cutting it out is not plainly safe)."""
    if "\t" in text or "\r" in text or _UNUSUAL_TOP.search(text) or len(_ANY_PARAMETERS.findall(text)) != 1:
        return text
    m = _PARAMETERS.search(text)
    if m is None:
        return text
    end = _TOP_KEY.search(text, m.end())
    return text[m.start() : end.start() if end is not None else len(text)]


def _has_secret_default(text: str, name: str, passwords: frozenset[str] = frozenset()) -> bool:
    try:
        if name.lower().endswith(".json"):
            data = json.loads(text)
        else:
            data = yaml.load(_parameters_block(text), Loader=_FastLoader)
    except (ValueError, yaml.YAMLError, RecursionError):
        return True  # let the careful parse decide
    params = data.get("Parameters") if isinstance(data, Mapping) else None
    if not isinstance(params, Mapping):
        return False
    for pname, decl in params.items():
        default = decl.get("Default") if isinstance(decl, Mapping) else None
        if isinstance(default, (str, int)) and (
            str(pname) in passwords or judge(str(pname), str(default), Place.PARAMETER) is not None
        ):
            return True
    return False


def _parameter_defaults(app: App, root: Path, errors: list[ScanError]) -> list[SecretCandidate]:
    """SECRET004: `Parameters` defaults of a CloudFormation / SAM template that hold a secret (and the
    defaults of a Terraform root module's variables, their counterpart)."""
    if app.dialect is Dialect.TERRAFORM:
        return _variable_defaults(app, root)
    if app.dialect not in (Dialect.CLOUDFORMATION, Dialect.SAM):
        return []
    try:
        text = _read(root / app.source)
        if "Parameters" not in text:
            return []
        passwords = password_parameters(app)
        if not _has_secret_default(text, app.source, passwords):
            return []
        doc = parse_document(text, app.source)  # again, line-aware, only when a default is a secret
    except (InputError, OSError, ValueError):
        return []  # the loader already reported what is wrong with the template
    params = doc.get("Parameters") if isinstance(doc, Mapping) else None
    if not isinstance(params, Mapping):
        return []
    out = []
    ids = tuple(sorted(f.id for f in app.functions))
    for name, decl in params.items():
        if not isinstance(decl, Mapping) or "Default" not in decl:
            continue
        default = decl.get("Default")
        ptype = str(decl.get("Type", ""))
        if not isinstance(default, (str, int)) or ptype.startswith("AWS::SSM::Parameter"):
            continue  # an SSM parameter type's default is the parameter's *name*
        text = str(default)
        verdict = judge(str(name), text, Place.PARAMETER)
        if verdict is None and str(name) in passwords and not isinstance(default, bool):
            # `MasterUserPassword: !Ref DbPassword` with `Default: changeme`: deployed without an override,
            # the default is the database's password, however much it looks like a placeholder
            verdict = slot_verdict(API_PASSWORD, text)
        if verdict is None:
            continue
        verdict = in_context(verdict, app.source)
        no_echo = str(decl.get("NoEcho", "")).lower() == "true"
        secret = text[verdict.start : verdict.end] if verdict.end > verdict.start else text
        out.append(
            SecretCandidate(
                place=SecretPlace.PARAMETER,
                detector=verdict.detector,
                what=verdict.what,
                loc=Loc(app.source, line_of(decl, "Default", line_of(params, name))),
                key=str(name),
                preview=redact(secret),
                length=len(secret),
                confidence=verdict.confidence.value,
                severity="medium" if no_echo else verdict.severity,
                flags=verdict.flags + (("no-echo",) if no_echo else ()),
                functions=ids,
            )
        )
    return out


def _variable_defaults(app: App, root: Path) -> list[SecretCandidate]:
    from fnaudit.loaders.terraform.defaults import variable_defaults

    out = []
    ids = tuple(sorted(f.id for f in app.functions))
    for var in variable_defaults(root, app.root):
        verdict = judge(var.name, var.value, Place.PARAMETER)
        if verdict is None:
            continue
        verdict = in_context(verdict, var.rel)
        secret = var.value[verdict.start : verdict.end] if verdict.end > verdict.start else var.value
        out.append(
            SecretCandidate(
                place=SecretPlace.PARAMETER,
                detector=verdict.detector,
                what=verdict.what,
                loc=Loc(var.rel, var.line),
                key=var.name,
                preview=redact(secret),
                length=len(secret),
                confidence=verdict.confidence.value,
                severity="medium" if var.sensitive else verdict.severity,
                flags=verdict.flags + (("no-echo",) if var.sensitive else ()),
                functions=ids,
            )
        )
    return out


def password_parameters(app: App) -> frozenset[str]:
    """Parameters that a resource property holding a password takes whole (`MasterUserPassword: !Ref
    DbPassword`, `Password: !Sub "${DbPassword}"`)."""
    out: set[str] = set()

    def walk(key: object, value: object, depth: int) -> None:
        if depth > 12:
            return
        if isinstance(value, Mapping):
            ref = value.get("Ref") if len(value) == 1 else None
            sub = value.get("Fn::Sub") if len(value) == 1 else None
            if isinstance(sub, str) and re.fullmatch(r"\$\{[A-Za-z0-9]+\}", sub):
                ref = sub[2:-1]
            if isinstance(ref, str):
                if isinstance(key, str) and is_password_name(key):
                    out.add(ref)
                return
            for k, v in value.items():
                walk(k, v, depth + 1)
        elif isinstance(value, list):
            for v in value:
                walk(None, v, depth + 1)

    for res in app.resources.values():
        for k, v in res.properties.items():
            walk(k, v, 0)
    return frozenset(out)


UNCLAIMED = "unclaimed"  # flag of a candidate in a file no function ships


def unclaimed(
    apps: list[App], walked: Iterable[str], ctx: EngineContext, iac: Iterable[str] = (), reported: Iterable[str] = ()
) -> tuple[list[App], list[ScanError]]:
    """Secrets in the files discovery walked that no app's `enrich` scanned: scripts, tools, code
    deployed from elsewhere. A file-by-file scanner reads them, so fnaudit does too, once per scan.

    Run by the pipeline after the engines, over all apps at once: only then is it known which files
    some function of *any* app ships (those keep their attribution and are not read again). No second
    walk: discovery's list already leaves out what it skips (installed packages, VCS, build output,
    virtualenvs, `--exclude`). Each candidate goes to the app whose folder holds the file most
    closely (its IaC decides the remediation's wording), with no function and the `unclaimed` flag.
    `iac`: the templates and the files they include, whose values SECRET001 / SECRET004 read through the
    model (read here too, they would report one secret twice). `reported`: files an error entry already
    names (discovery's links out of the root and loops), not named twice."""
    if not apps:
        return apps, []
    files = ctx.artifacts
    scanned = {rel for app in apps for rel in app.files_read} | {app.source for app in apps} | set(iac)
    top = files.root.resolve()
    named = set(reported)
    errors: list[ScanError] = []
    extra: dict[int, list[SecretCandidate]] = {}
    read: dict[int, list[str]] = {}
    owner_of = _owners(apps)
    count = 0
    for rel in sorted(set(walked)):
        if rel in scanned or not _worth_scanning(rel):
            continue
        count += 1
        if count > MAX_FILES:
            break
        path = files.real_path(rel)
        if not _inside(path, top):  # a link out of the root (or a loop) is named, never read
            if rel not in named:
                errors.append(ScanError(rel, _not_scanned(path), "secrets"))
            continue
        try:
            # no SECRET005: it judges what a deployed handler does with a secret, and no function runs this file
            found, _ = _scan_file(files, rel, None, ctx.state.secrets, flows_too=False)
        except InputError:
            continue  # binary, too large, not UTF-8: not a source of secrets we can read
        owner = owner_of(rel)
        read.setdefault(owner, []).append(rel)
        kind = classify(rel)
        assert kind is not None
        place = SecretPlace.CODE if kind[0] is Place.CODE else SecretPlace.CONFIG
        extra.setdefault(owner, []).extend(_candidate(f, place, rel, flags=(UNCLAIMED,)) for f in found)
    out = []
    for i, app in enumerate(apps):
        if i in read:
            app = replace(
                app,
                files_read=tuple(sorted(set(app.files_read) | set(read[i]))),
                secret_candidates=app.secret_candidates + tuple(extra.get(i, ())),
            )
        out.append(app)
    return out, errors


def _worth_scanning(rel: str) -> bool:
    """The filters `_walk` applies, on a path discovery walked."""
    if "!/" in rel:
        return False
    parts = PurePosixPath(rel).parts
    low = parts[-1].lower()
    if any(d in SKIP_DIRS for d in parts[:-1]):
        return False
    if low in SKIP_FILES or low.endswith((".min.js", ".map", ".lock")) or _iac_name(low):
        return False
    return classify(rel) is not None


def _owners(apps: list[App]) -> Callable[[str], int]:
    """rel → the app whose folder holds it most closely (the first app when none does): a dict lookup per
    parent folder, since a scan may hold hundreds of apps."""
    by_root: dict[str, int] = {}
    for i, app in enumerate(apps):
        by_root.setdefault("" if app.root in ("", ".") else PurePosixPath(app.root).as_posix(), i)

    def owner(rel: str) -> int:
        folder = PurePosixPath(rel).parent
        while True:
            here = "" if str(folder) == "." else folder.as_posix()
            if here in by_root:
                return by_root[here]
            if not here:
                return 0
            folder = folder.parent

    return owner
