"""Loaders: IaC files → App. One module per dialect; `load_all` runs discovery and dispatches."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from fnaudit.errors import Loss, ScanError
from fnaudit.loaders._cfn_nested import nested_children
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders.base import LoadOptions, LoadOutcome, SourceDoc
from fnaudit.loaders.discover import Discovery, discover
from fnaudit.model.app import Dialect

# Imported lazily: the SAM loader pulls in aws-sam-translator (and boto3) only when a SAM template is found.
_LOADER_MODULES = {
    Dialect.SERVERLESS: "fnaudit.loaders.serverless",
    Dialect.SAM: "fnaudit.loaders.sam",
    Dialect.CLOUDFORMATION: "fnaudit.loaders.cloudformation",
    Dialect.CHALICE: "fnaudit.loaders.chalice",
    Dialect.ZAPPA: "fnaudit.loaders.zappa",
    Dialect.TERRAFORM: "fnaudit.loaders.terraform",
    Dialect.CDK: "fnaudit.loaders.cdk",
}


def load_doc(doc: SourceDoc, root: ScanRoot, options: LoadOptions) -> LoadOutcome:
    """Run the loader of the document's dialect; an unexpected failure becomes an error entry."""
    module = importlib.import_module(_LOADER_MODULES[doc.dialect])
    try:
        return module.load(doc, root, options)  # type: ignore[no-any-return]
    except RecursionError:
        return LoadOutcome(errors=[ScanError(doc.rel, "template nests too deeply to be read", "load", Loss.APP)])
    except Exception as exc:  # noqa: BLE001 — a loader bug must not end the scan: report it and go on
        message = f"internal error while loading ({type(exc).__name__}: {exc}); please report it"
        return LoadOutcome(errors=[ScanError(doc.rel, message, "load", Loss.APP)])


def load_all(
    target: Path,
    root: ScanRoot,
    options: LoadOptions,
    exclude: tuple[str, ...] = (),
    progress: Callable[[int, int], None] | None = None,
) -> tuple[LoadOutcome, Discovery]:
    """Discover and load every app under `target`. Serverless files load first: templates they
    include through `${file(...)}` belong to them and are not loaded again as apps of their own.
    `progress(done, found)` hears each template handled (found: the templates discovered)."""
    found = discover(target, root, exclude)
    total = LoadOutcome(errors=list(found.errors))
    # Templates nested in another (SAM Application, CloudFormation Stack) load through their parent,
    # with the parameters it passes: parents come first, and a child is not loaded again on its own.
    children = nested_children(found.docs, root)
    order = sorted(found.docs, key=lambda d: (d.dialect is not Dialect.SERVERLESS, d.rel in children, d.rel))
    for i, doc in enumerate(order):
        if progress:
            progress(i, len(order))
        if doc.rel in total.consumed:
            continue
        outcome = load_doc(doc, root, options)
        # a template nested by two parents is one app: the first load wins, its errors are said once
        loaded = {a.source for a in total.apps}
        total.apps.extend(a for a in outcome.apps if a.source not in loaded)
        total.errors.extend(e for e in outcome.errors if e not in total.errors)
        total.consumed |= outcome.consumed
    return total, found


__all__ = ["LoadOptions", "LoadOutcome", "ScanRoot", "SourceDoc", "load_all", "load_doc"]
