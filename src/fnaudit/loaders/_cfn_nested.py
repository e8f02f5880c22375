"""Nested applications: SAM `AWS::Serverless::Application` and CloudFormation `AWS::CloudFormation::Stack`.

A local template (a path inside the scan root) is loaded as an App of its own, with the parameter
values its parent passes; a Serverless Application Repository id or a remote URL (https, s3) is
only recorded as a `Component`: fnaudit never fetches anything. `nested_children` tells the
dispatcher which templates are loaded through a parent, so that it loads parents first and does
not load a child a second time on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fnaudit.errors import InputError, Loss, ScanError
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders._intrinsics import Resolver
from fnaudit.loaders._yaml import line_of, load_any
from fnaudit.loaders.base import LoadOptions, LoadOutcome, SourceDoc
from fnaudit.model.app import App, Component, ComponentKind, Dialect
from fnaudit.model.loc import Loc

APPLICATION = "AWS::Serverless::Application"
STACK = "AWS::CloudFormation::Stack"
_LOCATION_KEY = {APPLICATION: "Location", STACK: "TemplateURL"}
_REMOTE = ("https://", "http://", "s3://")
MAX_NESTING = 8  # parents above a template: deeper (or a cycle) is an error, never a hang


@dataclass(frozen=True, slots=True)
class _Nested:
    component: Component
    path: Path | None  # the local template, when the location is one inside the root
    params: Mapping[str, str]


def nested_children(docs: Iterable[SourceDoc], root: ScanRoot) -> set[str]:
    """Rel paths of the local templates that a SAM / CloudFormation document nests."""
    out: set[str] = set()
    for doc in docs:
        if doc.dialect is Dialect.SERVERLESS or not isinstance(doc.data, Mapping):
            continue
        try:
            found = _read(doc, root, LoadOptions(), [])
        except RecursionError:
            continue  # a template nested too deeply to read: its loader says so
        out.update(root.rel(n.path) for n in found if n.path is not None)
    return out


def load_nested(doc: SourceDoc, root: ScanRoot, options: LoadOptions, outcome: LoadOutcome) -> None:
    """Record the document's nested applications on its app and load the local ones into `outcome`."""
    if not isinstance(doc.data, Mapping):
        return
    from fnaudit.loaders import load_doc  # the dispatcher: imported here, it imports the loader modules

    errors: list[ScanError] = []
    components: list[Component] = []
    for nested in _read(doc, root, options, errors):
        comp = nested.component
        if nested.path is None:
            components.append(comp)
            continue
        rel = root.rel(nested.path)
        if rel in options.nesting or rel == doc.rel or len(options.nesting) >= MAX_NESTING:
            why = "nested applications form a cycle or nest too deeply; not loaded again"
            errors.append(ScanError(doc.rel, f"line {comp.loc.line}: {comp.logical_id}: {why}", "load"))
            components.append(replace(comp, kind=ComponentKind.UNRESOLVED, note=why))
            continue
        child = _child_doc(nested.path, rel, doc, comp, errors)
        if child is None:
            components.append(replace(comp, kind=ComponentKind.UNRESOLVED, note="the template cannot be read"))
            continue
        child_options = replace(options, params=dict(nested.params), nesting=(*options.nesting, doc.rel))
        loaded = load_doc(child, root, child_options)
        parent = f"{doc.rel}#{comp.logical_id}"
        outcome.apps.extend(replace(a, nested_in=parent) if a.source == rel else a for a in loaded.apps)
        outcome.errors.extend(loaded.errors)
        outcome.consumed |= loaded.consumed | {rel}
        components.append(replace(comp, loaded_as=rel))
    outcome.errors.extend(errors)
    if components:
        own = [i for i, a in enumerate(outcome.apps) if a.source == doc.rel and a.nested_in is None]
        for i in own[:1]:
            app: App = outcome.apps[i]
            outcome.apps[i] = replace(app, components=(*app.components, *components))


def _child_doc(path: Path, rel: str, parent: SourceDoc, comp: Component, errors: list[ScanError]) -> SourceDoc | None:
    from fnaudit.loaders.discover import classify

    try:
        text = read_text(path)
        data = load_any(text, path.name)
    except (InputError, OSError) as exc:
        errors.append(ScanError(parent.rel, f"line {comp.loc.line}: nested application {comp.logical_id}: {exc}"))
        return None
    dialect = classify(path.name, data)
    if dialect is None or dialect is Dialect.SERVERLESS:
        message = f"line {comp.loc.line}: nested application {comp.logical_id}: {rel} is not a CloudFormation template"
        errors.append(ScanError(parent.rel, message, "load", Loss.PARTIAL))
        return None
    return SourceDoc(path=path, rel=rel, text=text, data=data, dialect=dialect)


def _read(doc: SourceDoc, root: ScanRoot, options: LoadOptions, errors: list[ScanError]) -> list[_Nested]:
    resources = doc.data.get("Resources")
    if not isinstance(resources, Mapping):
        return []
    resolver = Resolver(doc.data, doc.rel, options.params, options.region)
    out: list[_Nested] = []
    for lid, res in resources.items():
        rtype = res.get("Type") if isinstance(res, Mapping) else None
        if not isinstance(rtype, str) or rtype not in _LOCATION_KEY:
            continue
        props = res.get("Properties")
        props = props if isinstance(props, Mapping) else {}
        key = _LOCATION_KEY[str(rtype)]
        loc = Loc(doc.rel, line_of(props, key, line_of(resources, lid)))
        raw = _cdk_asset(res) or props.get(key)
        out.append(_one(doc, root, resolver, str(lid), str(rtype), raw, loc, props, errors))
    return out


def _cdk_asset(res: Mapping[str, Any]) -> str | None:
    """The local template of a CDK nested stack: in `cdk.out` the `TemplateURL` is computed from the
    asset bucket, and `Metadata` names the file (`aws:asset:path`, relative to the parent)."""
    meta = res.get("Metadata")
    if not isinstance(meta, Mapping) or meta.get("aws:asset:property") != "TemplateURL":
        return None
    path = meta.get("aws:asset:path")
    return path if isinstance(path, str) and path else None


def _one(
    doc: SourceDoc,
    root: ScanRoot,
    r: Resolver,
    lid: str,
    rtype: str,
    raw: Any,
    loc: Loc,
    props: Mapping[str, Any],
    errors: list[ScanError],
) -> _Nested:
    params = _params(r, props.get("Parameters"))
    if isinstance(raw, Mapping) and "ApplicationId" in raw:
        version = r.display(raw["SemanticVersion"]) if "SemanticVersion" in raw else None
        comp = Component(lid, rtype, ComponentKind.SAR, r.display(raw["ApplicationId"]), loc, version)
        return _Nested(comp, None, params)
    text = r.text(raw) if raw is not None else None
    if text is None:
        what = r.display(raw) if raw is not None else ""
        why = f"its location ({what or 'none'}) is not known from the template; not loaded"
        errors.append(ScanError(doc.rel, f"line {loc.line}: nested application {lid}: {why}", "load"))
        comp = Component(lid, rtype, ComponentKind.UNRESOLVED, what, loc, note="location not known from the template")
        return _Nested(comp, None, params)
    if text.lower().startswith(_REMOTE):
        return _Nested(
            Component(lid, rtype, ComponentKind.REMOTE, text, loc, note="remote template, never fetched"), None, params
        )
    try:
        path = root.resolve_inside(doc.path.parent, text)
        if path.is_dir():
            path = next(
                (path / n for n in ("template.yaml", "template.yml", "template.json") if (path / n).is_file()),
                path / "template.yaml",
            )
        if not path.is_file():
            raise InputError(f"{text}: no such template")
    except InputError as exc:
        errors.append(ScanError(doc.rel, f"line {loc.line}: nested application {lid}: {exc}", "load"))
        comp = Component(lid, rtype, ComponentKind.UNRESOLVED, text, loc, note=str(exc))
        return _Nested(comp, None, params)
    return _Nested(Component(lid, rtype, ComponentKind.NESTED, text, loc), path, params)


def _params(r: Resolver, raw: Any) -> dict[str, str]:
    """The parameter values the parent passes, where the parent's template says them; the others
    are left out so the child's defaults (or an unresolved reference) apply, as at deploy time."""
    out: dict[str, str] = {}
    for name, value in raw.items() if isinstance(raw, Mapping) else ():
        text = r.text(value)
        if text is not None:
            out[str(name)] = text
    return out
