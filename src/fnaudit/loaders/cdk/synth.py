"""A synthesised cloud assembly (`cdk.out`) beside a CDK app's source fills what reading the source left unknown.

The source stays the primary location: only a property the static lowering made a template parameter (a
value only running the app would give, `lowered.unknown_parameter`) is replaced, by the value at the same
place of the synthesised resource, and keeps the line of the source it was read at. Resources are matched
by construct path: the lowering names each resource by its path (`ShopApi/Orders`), CDK writes it in the
`aws:cdk:path` metadata of the synthesised one (`ShopApi/Orders/Resource`: the default child of an L2
construct is `Resource`). A `cdk.out` older or newer than the source is used for what still matches: a
resource only one side has, or whose type differs, is left as read; a list is filled item by item only
when both sides have as many items and agree on every value the source knows.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fnaudit.errors import InputError, Loss, ScanError
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders._yaml import LDict, LList

STACK = "aws:cloudformation:stack"
_NO = object()  # a synthesised value that cannot be written in the lowered template (a Ref to a CDK asset)


@dataclass(frozen=True, slots=True)
class Synthesised:
    """A synthesised resource: its template (relative to the scan root), logical id and body."""

    template: str
    logical_id: str
    body: dict[str, Any]


@dataclass(slots=True)
class Assembly:
    """The stack templates of a cloud assembly, by construct path, and what reading it cost."""

    by_path: dict[str, Synthesised] = field(default_factory=dict)
    templates: set[str] = field(default_factory=set)
    errors: list[ScanError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Filled:
    """One value taken from the synthesised template: the virtual line of the source property it fills."""

    line: int
    resource: str
    prop: str
    expression: str
    template: str


def read_assembly(root: ScanRoot, folder_rel: str) -> Assembly:
    """The stacks `manifest.json` lists (nested assemblies of CDK stages are not read)."""
    out = Assembly()
    folder = root.path / folder_rel
    manifest_rel = posixpath.join(folder_rel, "manifest.json")
    try:
        manifest = json.loads(read_text(folder / "manifest.json"))
    except (InputError, ValueError) as exc:
        out.errors.append(ScanError(manifest_rel, f"cdk.out manifest not read: {exc}", "load", Loss.NONE))
        return out
    artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
    for artifact in (artifacts or {}).values() if isinstance(artifacts, dict) else ():
        if not isinstance(artifact, dict) or artifact.get("type") != STACK:
            continue
        name = (artifact.get("properties") or {}).get("templateFile")
        if isinstance(name, str):
            _read_template(root, folder, name, out)
    return out


def _read_template(root: ScanRoot, folder: Path, name: str, out: Assembly) -> None:
    try:
        path = root.resolve_inside(folder, name)
        rel = root.rel(path)
        template = json.loads(read_text(path))
    except (InputError, ValueError) as exc:
        out.errors.append(ScanError(root.rel(folder / name), f"cdk.out template not read: {exc}", "load", Loss.NONE))
        return
    out.templates.add(rel)
    resources = template.get("Resources") if isinstance(template, dict) else None
    for logical_id, body in (resources or {}).items() if isinstance(resources, dict) else ():
        meta = body.get("Metadata") if isinstance(body, dict) else None
        cdk_path = meta.get("aws:cdk:path") if isinstance(meta, dict) else None
        if isinstance(cdk_path, str):
            out.by_path[cdk_path.removesuffix("/Resource")] = Synthesised(rel, logical_id, body)


@dataclass(slots=True)
class _Filler:
    resources: LDict
    parameters: LDict
    ids: dict[tuple[str, str], str]  # (template, synthesised logical id) → lowered id, for matched resources
    filled: list[Filled] = field(default_factory=list)

    def value(self, lowered: Any, synth: Any, line: int, where: tuple[str, str, str]) -> Any:
        """The replacement of `lowered` (or `_NO`): a parameter the source left unknown takes the synthesised
        value; mappings and lists are filled in place."""
        param = _unknown(lowered, self.parameters, self.resources)
        if param is not None:
            new = self.convert(synth, line, where[1])
            if new is not _NO:
                self.filled.append(Filled(line, where[0], where[2], param, where[1]))
            return new
        if isinstance(lowered, dict) and isinstance(synth, dict):
            for key in list(lowered):
                if key in synth:
                    at = lowered.key_lines.get(key, line) if isinstance(lowered, LDict) else line
                    new = self.value(lowered[key], synth[key], at, (where[0], where[1], _join(where[2], key)))
                    if new is not _NO:
                        lowered[key] = new
        elif isinstance(lowered, list) and isinstance(synth, list) and len(lowered) == len(synth):
            for i, (a, b) in enumerate(zip(lowered, synth, strict=True)):
                if not _agree(a, b):
                    continue
                at = lowered.item_lines[i] if isinstance(lowered, LList) and i < len(lowered.item_lines) else line
                new = self.value(a, b, at, (where[0], where[1], f"{where[2]}[{i}]"))
                if new is not _NO:
                    lowered[i] = new
        return _NO

    def convert(self, v: Any, line: int, template: str) -> Any:
        """A synthesised value in the lowered template's terms (references to matched resources renamed), on
        `line`; `_NO` when it names something the lowered template has not (an asset parameter, an unmatched
        resource)."""
        if isinstance(v, (str, int, float, bool)):
            return v
        if isinstance(v, list):
            items = [self.convert(x, line, template) for x in v]
            if any(x is _NO for x in items):
                return _NO
            lst = LList(line)
            lst.extend(items)
            lst.item_lines.extend([line] * len(items))
            return lst
        if not isinstance(v, dict) or "Fn::ImportValue" in v:  # another stack's output: unknown here too
            return _NO
        if set(v) == {"Ref"}:
            target = v["Ref"]
            if isinstance(target, str) and target.startswith("AWS::"):
                return {"Ref": target}
            renamed = self.ids.get((template, target)) if isinstance(target, str) else None
            return {"Ref": renamed} if renamed is not None else _NO
        if set(v) == {"Fn::GetAtt"}:
            att = v["Fn::GetAtt"]
            parts = att.split(".", 1) if isinstance(att, str) else att
            if not isinstance(parts, list) or len(parts) != 2 or not isinstance(parts[0], str):
                return _NO
            renamed = self.ids.get((template, parts[0]))
            return {"Fn::GetAtt": [renamed, parts[1]]} if renamed is not None else _NO
        out = LDict(line)
        for key, item in v.items():
            new = self.convert(item, line, template)
            if new is _NO:
                return _NO
            out[key] = new
            out.key_lines[key] = line
        return out


def fill(resources: LDict, parameters: LDict, assembly: Assembly) -> list[Filled]:
    """Fill, in place, the unknown properties of the lowered resources the assembly has too (same construct
    path, same type); what was filled, in order. A parameter no longer named stays declared: harmless."""
    matched = {
        lid: syn
        for lid, syn in ((lid, assembly.by_path.get(lid)) for lid in resources)
        if syn is not None and isinstance(resources[lid], dict) and syn.body.get("Type") == resources[lid].get("Type")
    }
    ids = {(syn.template, syn.logical_id): lid for lid, syn in matched.items()}
    filler = _Filler(resources, parameters, ids)
    for lid, syn in matched.items():
        props, synth_props = resources[lid].get("Properties"), syn.body.get("Properties")
        if isinstance(props, LDict) and isinstance(synth_props, dict):
            filler.value(props, synth_props, props.line, (lid, syn.template, ""))
    return filler.filled


def note(f: Filled) -> str:
    """What an `errors` entry (loss `none`) says of a filled value; the value itself is not repeated (it may
    be a secret of an environment variable)."""
    return (
        f"`{f.prop}` of {f.resource} is taken from {f.template}: the source gives `{f.expression}`, "
        "known only by running the CDK app"
    )


def _unknown(v: Any, parameters: LDict, resources: LDict) -> str | None:
    if isinstance(v, dict) and set(v) == {"Ref"}:
        name = v["Ref"]
        if isinstance(name, str) and name in parameters and name not in resources:
            return name
    return None


def _agree(a: Any, b: Any) -> bool:
    """Whether two list items are the same item: every plain value the source knows is the synthesised one
    (a one-item list and its item are the same, as CDK writes a single action)."""
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return True
    for key in a.keys() & b.keys():
        x, y = _plain(a[key]), _plain(b[key])
        if x is not None and y is not None and x != y:
            return False
    return True


def _plain(v: Any) -> Any:
    if isinstance(v, list) and all(isinstance(x, (str, int, bool)) for x in v):
        return tuple(v) if len(v) != 1 else v[0]
    return v if isinstance(v, (str, int, bool)) else None


def _join(trail: str, key: str) -> str:
    return f"{trail}.{key}" if trail else key
