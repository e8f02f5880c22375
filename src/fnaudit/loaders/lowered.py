"""A dialect that is not CloudFormation but becomes it (Terraform, CDK source): its resources are written as
the CloudFormation they are, in a template whose lines are *virtual* (an index into `LineTable`, which
maps each to the file and line it came from), and the shared template builder (`cloudformation.build_app`)
makes the App, as it does for SAM after translation. `build_lowered` then moves every location of the App,
the template's own mappings (kept as resource properties) and the errors back to the real files and lines.

The App is a tree of frozen dataclasses, tuples and mappings; every `Loc` in it whose path is the
lowered template's is replaced by the real one. Objects are rebuilt only where something changed.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fnaudit.errors import ScanError
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders._yaml import LDict, LList
from fnaudit.loaders.base import LoadOptions, LoadOutcome, SourceDoc
from fnaudit.model.app import App, Dialect
from fnaudit.model.loc import Loc

_LINE = re.compile(r"^line (\d+): ")


@dataclass(slots=True)
class LineTable:
    """Virtual line → (file, line). Line 0 stays 0 (unknown)."""

    locs: list[Loc] = field(default_factory=lambda: [Loc("", 0)])
    index: dict[tuple[str, int], int] = field(default_factory=dict)

    def line(self, rel: str, line: int) -> int:
        key = (rel, line)
        found = self.index.get(key)
        if found is None:
            found = len(self.locs)
            self.locs.append(Loc(rel, line))
            self.index[key] = found
        return found

    def loc(self, virtual: int) -> Loc | None:
        return self.locs[virtual] if 0 < virtual < len(self.locs) else None


@dataclass(frozen=True, slots=True)
class Cfn:
    """A value already in CloudFormation form (`{"Ref": id}`, `{"Fn::GetAtt": [id, attr]}`, a pseudo
    parameter): what a reference between resources of a lowered dialect becomes."""

    value: Any


def add_resource(
    resources: LDict, lines: LineTable, key: str, cfn_type: str, props: LDict, rel: str, line: int, dialect: str
) -> LDict:
    """A lowered resource under `key` (its address in the dialect), located at `rel:line`; its metadata
    names the key as the dialect writes it."""
    res = LDict(lines.line(rel, line))
    res["Type"] = cfn_type
    res.key_lines["Type"] = res.line
    res["Properties"] = props
    res.key_lines["Properties"] = res.line
    res["Metadata"] = {"fnaudit": {dialect: key}}
    resources[key] = res
    resources.key_lines[key] = res.line
    return res


def unknown_parameter(parameters: LDict, text: str, why: str) -> str:
    """A value only deployment would tell, as a template parameter without a default named by the
    expression: the builder treats it as it treats any value it cannot know."""
    name = text or "unknown"
    if name not in parameters:
        parameters[name] = {"Type": "String", "Description": why}
    return name


def build_lowered(
    doc: SourceDoc,
    root: ScanRoot,
    options: LoadOptions,
    template: LDict,
    lines: LineTable,
    dialect: Dialect,
    local_code: Mapping[str, str],
) -> tuple[list[App], list[ScanError], set[str]]:
    """The apps of a lowered template, located in the real files: (apps, errors, files consumed).
    `doc.rel` names the app's source file; the template's locations are virtual lines of it."""
    from fnaudit.loaders.cloudformation import BuildHints, build_app

    virtual = SourceDoc(path=doc.path, rel=doc.rel, text="", data=template, dialect=dialect)
    outcome: LoadOutcome = build_app(
        virtual, root, options, template, BuildHints(dialect=dialect, local_code=local_code)
    )

    def fix(loc: Loc) -> Loc:
        if loc.path != doc.rel:
            return loc
        return lines.loc(loc.line) or Loc(doc.rel, 0)

    apps = [remap(app, fix) for app in outcome.apps]
    # the template's own mappings stay in the App (resource properties, read by rules for the line of a
    # key): their lines become the real lines too (of the file the resource is in, in all but rare cases)
    real_lines(template, lines)
    errors = [remap_error(e, doc.rel, lines.loc, doc.rel) for e in outcome.errors]
    return apps, errors, set(outcome.consumed)


def remap(value: Any, fix: Callable[[Loc], Loc]) -> Any:
    memo: dict[int, Any] = {}

    def walk(v: Any) -> Any:
        t: Any = type(v)  # (typeshed does not call a class Hashable)
        kind, names = _kind(t)
        if kind is _Kind.LOC:
            return fix(v)
        if kind is _Kind.LEAF:
            return v
        key = id(v)
        if key in memo:
            return memo[key]
        out = v
        if kind is _Kind.DATACLASS:
            changes = {}
            for name in names:
                old = getattr(v, name)
                if old is None or type(old) in _PLAIN:
                    continue  # most fields are text or unset: no call for them
                new = walk(old)
                if new is not old:
                    changes[name] = new
            if changes:
                out = dataclasses.replace(v, **changes)
        elif kind is _Kind.TUPLE:
            items = tuple(walk(x) for x in v)
            out = items if any(a is not b for a, b in zip(items, v, strict=True)) else v
        elif kind is _Kind.COLLECTION:
            items2 = [walk(x) for x in v]
            if any(a is not b for a, b in zip(items2, v, strict=True)):
                out = type(v)(items2)
        elif kind is _Kind.DICT:
            new = {k: walk(x) for k, x in v.items()}
            out = new if any(new[k] is not x for k, x in v.items()) else v
        memo[key] = out
        return out

    return walk(value)


_PLAIN = frozenset({str, int, bool, float})  # exact types with no location inside (a subclass takes `_kind`)


class _Kind(enum.Enum):
    LOC = "loc"
    LEAF = "leaf"  # no location inside
    DATACLASS = "dataclass"
    TUPLE = "tuple"  # not a named tuple
    COLLECTION = "collection"  # list, set, frozenset
    DICT = "dict"  # a plain dict (a template mapping keeps its own lines: `real_lines`)
    OTHER = "other"


@functools.lru_cache(maxsize=512)
def _kind(t: type) -> tuple[_Kind, tuple[str, ...]]:
    """How `remap` walks a value of type `t` (and a dataclass's field names): decided once per type, as the
    checks and the field list cost more than the walk itself on an App of thousands of values."""
    if issubclass(t, Loc):
        return _Kind.LOC, ()
    if t is type(None) or issubclass(t, (str, int, float, bool, bytes)):
        return _Kind.LEAF, ()
    if dataclasses.is_dataclass(t) and not issubclass(t, type):
        return _Kind.DATACLASS, tuple(f.name for f in dataclasses.fields(t))
    if issubclass(t, tuple) and not hasattr(t, "_fields"):
        return _Kind.TUPLE, ()
    if issubclass(t, (list, frozenset, set)):
        return _Kind.COLLECTION, ()
    if t is dict:
        return _Kind.DICT, ()
    return _Kind.OTHER, ()


def remap_error(error: ScanError, virtual_rel: str, locate: Callable[[int], Loc | None], fallback: str) -> ScanError:
    if error.path != virtual_rel:
        return error
    m = _LINE.match(error.message)
    loc = locate(int(m.group(1))) if m else None
    if loc is None:
        return dataclasses.replace(error, path=fallback)
    message = f"line {loc.line}: {error.message[m.end() :]}" if m else error.message
    return dataclasses.replace(error, path=loc.path, message=message)


def real_lines(template: Any, lines: LineTable) -> None:
    """Rewrite the virtual lines of the lowered template's mappings and lists, in place, to `.tf` lines."""
    table = [loc.line for loc in lines.locs]  # virtual line → real line, looked up directly: lines are many

    def real(virtual: int) -> int:
        return table[virtual] if 0 < virtual < len(table) else 0

    seen: set[int] = set()
    todo = [template]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, LDict):
            node.line = real(node.line)
            node.key_lines = {k: real(v) for k, v in node.key_lines.items()}
        elif isinstance(node, LList):
            node.line = real(node.line)
            node.item_lines = [real(v) for v in node.item_lines]
        # only mappings and lists hold lines: scalars are not queued
        for v in node.values() if isinstance(node, dict) else node if isinstance(node, list) else ():
            if isinstance(v, (dict, list)):
                todo.append(v)
