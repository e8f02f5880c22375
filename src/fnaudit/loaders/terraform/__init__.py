"""Terraform (HCL and `.tf.json`) → App, through the CloudFormation the resources are.

A root module (a folder of `.tf` files no other module of the scan calls) is read with its variables
(defaults, `terraform.tfvars`, `*.auto.tfvars`), locals, local modules and data sources; its resources
are lowered to CloudFormation (`lower.py`) and the shared template builder makes the App, whose
locations are then moved back to the `.tf` lines (`remap.py`). Nothing is run: no `terraform init`,
no provider, no registry download.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fnaudit.errors import InputError, ScanError
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders._yaml import LDict
from fnaudit.loaders.base import LoadOptions, LoadOutcome, SourceDoc
from fnaudit.loaders.lowered import build_lowered
from fnaudit.loaders.terraform import registry
from fnaudit.loaders.terraform.lower import Lowerer, Lowering, detach_unmodelled, link_log_groups
from fnaudit.loaders.terraform.lower_apis import LOWERERS as API_LOWERERS
from fnaudit.loaders.terraform.lower_data import LOWERERS as DATA_LOWERERS
from fnaudit.loaders.terraform.lower_events import LOWERERS as EVENT_LOWERERS
from fnaudit.loaders.terraform.lower_iam import LOWERERS as IAM_LOWERERS
from fnaudit.loaders.terraform.lower_lambda import LOWERERS as LAMBDA_LOWERERS
from fnaudit.loaders.terraform.module import Loaded, ModuleScope
from fnaudit.loaders.terraform.tfvars import read_tfvars
from fnaudit.model.app import Component, ComponentKind, Dialect
from fnaudit.model.loc import Loc

_REMOTE_NOTE = "a module from a registry or repository; not downloaded, so its resources are not in this scan"
LOWERERS: dict[str, Lowerer] = {**LAMBDA_LOWERERS, **IAM_LOWERERS, **API_LOWERERS, **EVENT_LOWERERS, **DATA_LOWERERS}


def load(doc: SourceDoc, root: ScanRoot, options: LoadOptions) -> LoadOutcome:
    folder = doc.path.parent
    loaded = Loaded()
    if isinstance(doc.data, dict) and "planned_values" in doc.data:
        from fnaudit.loaders.terraform.plan import plan_scope

        scope = plan_scope(doc.data, root, folder, loaded, doc.rel)
    else:
        tfvars = read_tfvars(root, folder, loaded, options.tf_var_files, options.tf_vars)
        scope = ModuleScope(root, folder, "", {}, loaded, tfvars=tfvars)
    return _build(doc, root, options, scope, loaded)


def _build(doc: SourceDoc, root: ScanRoot, options: LoadOptions, scope: ModuleScope, loaded: Loaded) -> LoadOutcome:
    low = Lowering(base=root.rel(doc.path.parent))
    declared: set[str] = set()
    for inst in list(scope.all_instances()):
        if inst.block.type != "resource":
            continue
        declared.add(inst.address)
        lower = LOWERERS.get(inst.type)
        if lower is not None:
            lower(inst, low)
    for name in list(scope.module_blocks):
        scope.children(name)  # registry modules are recorded when their call is read
    for source, call in loaded.registry:
        registry.lower(source, call, low)
    for step in low.after:
        step()
    detach_unmodelled(low.resources, declared - set(low.resources), low)
    link_log_groups(low.resources)
    template = LDict(1)
    template["Resources"] = low.resources
    template["Parameters"] = low.parameters
    apps, errors, consumed = build_lowered(doc, root, options, template, low.lines, Dialect.TERRAFORM, low.local_code)
    components = tuple(
        Component(address, "module", ComponentKind.REMOTE, source, Loc(rel, line), note=_REMOTE_NOTE)
        for address, source, line, rel in loaded.remote_modules
    )
    apps = [replace(app, components=(*app.components, *components)) for app in apps]
    return LoadOutcome(apps=apps, errors=[*loaded.errors, *errors], consumed=(set(loaded.files) - {doc.rel}) | consumed)


# ---- discovery ------------------------------------------------------------------------------------


def root_modules(
    folders: set[Path], root: ScanRoot, planned: set[Path] | frozenset[Path] = frozenset()
) -> tuple[list[SourceDoc], list[ScanError]]:
    """The folders of `.tf` files that are root modules of a Lambda app: not called as a local module
    by another folder, and holding (themselves or through their local modules) a Lambda function.
    `planned`: folders whose plan (JSON) is read instead of their `.tf` files."""
    import re

    texts: dict[Path, str] = {}
    errors: list[ScanError] = []
    calls: dict[Path, set[Path]] = {}
    for folder in sorted(folders):
        parts = []
        for p in sorted(folder.iterdir()):
            if p.is_file() and p.name.endswith((".tf", ".tf.json")):
                try:
                    parts.append(read_text(p))
                except InputError as exc:
                    errors.append(ScanError(root.rel(p), str(exc), "discover"))
        texts[folder] = "\n".join(parts)
        targets = set()
        for m in re.finditer(r'source\s*[=:]\s*"(\.{1,2}/[^"]*)"', texts[folder]):
            try:
                targets.add(root.resolve_inside(folder, m.group(1)))
            except InputError:
                # a module this folder calls is outside what was scanned (an example calling `../../`): its
                # functions cannot be read, and saying so beats a scan that silently finds nothing
                errors.append(
                    ScanError(
                        root.rel(folder) or ".",
                        f"module source {m.group(1)!r} is outside the scan root; not read (scan the folder that "
                        "holds it to include it)",
                        "discover",
                    )
                )
                continue
        calls[folder] = targets
    called = {t for ts in calls.values() for t in ts}
    docs = []
    for folder in sorted(folders - called - set(planned)):
        if not _has_lambda(folder, texts, calls, set()):
            continue
        files = sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith((".tf", ".tf.json")))
        main = next((p for p in files if p.name == "main.tf"), files[0] if files else None)
        if main is not None:
            docs.append(SourceDoc(path=main, rel=root.rel(main), text="", data=None, dialect=Dialect.TERRAFORM))
    return docs, errors


_LAMBDA_HINTS = ("aws_lambda_function", "terraform-aws-modules/lambda/aws", "lambda/aws", "terraform-aws-lambda")


def _has_lambda(folder: Path, texts: dict[Path, str], calls: dict[Path, set[Path]], seen: set[Path]) -> bool:
    if folder in seen:
        return False
    seen.add(folder)
    text = texts.get(folder)
    if text is None:
        try:
            text = "\n".join(read_text(p) for p in folder.glob("*.tf"))
        except InputError:
            text = ""
    if any(h in text for h in _LAMBDA_HINTS):
        return True
    return any(_has_lambda(t, texts, calls, seen) for t in calls.get(folder, ()))
