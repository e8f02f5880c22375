"""`Fn::Transform: {Name: AWS::Include, Parameters: {Location: …}}`: local snippets inlined before reading.

CloudFormation replaces the transform by the YAML or JSON file at `Location`; a common use is to
keep an API's OpenAPI `DefinitionBody` in its own file. A location inside the scan root is read and
inlined (includes inside it too, a few levels deep), so the routes it declares are seen. Lines: the
model locates a value by line in the template it belongs to, so every inlined node carries the line
of the include's `Location` (the line a person edits to change what is included). A location that
is not local (s3://, https://, computed) is never fetched: the transform stays in place, the caller
decides what that leaves unknown, and an error entry says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fnaudit.errors import InputError, ScanError
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders._iam import render
from fnaudit.loaders._yaml import LDict, LList, line_of, load_any, own_line
from fnaudit.loaders.base import SourceDoc

TRANSFORM = "Fn::Transform"
_MAX_INCLUDE_DEPTH = 4  # includes inside included files; deeper (or a cycle) is left unresolved
_MAX_NODE_DEPTH = 200


@dataclass(slots=True)
class Included:
    data: Any  # the template with local includes inlined (line-aware)
    errors: list[ScanError] = field(default_factory=list)
    files: set[str] = field(default_factory=set)  # included files, relative to the scan root
    unresolved: set[tuple[str, str]] = field(default_factory=set)  # (resource logical id, property) left as is


def inline_includes(doc: SourceDoc, root: ScanRoot) -> Included:
    out = Included(doc.data)
    if not _has_transform(doc.text):
        return out  # the common case: nothing to copy
    out.data = _Inliner(doc, root, out).node(doc.data, (), own_line(doc.data, 1), 0, (doc.rel,))
    return out


def _has_transform(text: str) -> bool:
    return TRANSFORM in text or "!Transform" in text


class _Inliner:
    def __init__(self, doc: SourceDoc, root: ScanRoot, out: Included) -> None:
        self.doc = doc
        self.root = root
        self.out = out

    def node(self, value: Any, path: tuple[str, ...], line: int, depth: int, chain: tuple[str, ...]) -> Any:
        if depth > _MAX_NODE_DEPTH:
            return value
        if isinstance(value, Mapping):
            if len(value) == 1 and TRANSFORM in value and _is_include(value[TRANSFORM]):
                return self.include(value, path, line_of(value, TRANSFORM, line), depth, chain)
            copy = LDict(own_line(value, line))
            for key, item in value.items():
                k_line = line_of(value, key, copy.line)
                copy[key] = self.node(item, (*path, str(key)), k_line, depth + 1, chain)
                copy.key_lines[key] = k_line
            return copy
        if isinstance(value, list):
            seq = LList(own_line(value, line))
            for i, item in enumerate(value):
                i_line = line_of(value, i, seq.line)
                seq.append(self.node(item, (*path, str(i)), i_line, depth + 1, chain))
                seq.item_lines.append(i_line)
            return seq
        return value

    def include(
        self, value: Mapping[str, Any], path: tuple[str, ...], line: int, depth: int, chain: tuple[str, ...]
    ) -> Any:
        params = value[TRANSFORM].get("Parameters")
        location = params.get("Location") if isinstance(params, Mapping) else None
        where = line_of(params, "Location", line) if isinstance(params, Mapping) else line
        if not isinstance(location, str) or "://" in location:
            shown = "no Location" if location is None else location if isinstance(location, str) else render(location)
            return self.unresolved(value, path, where, f"AWS::Include of {shown} is not fetched")
        try:
            target = self.root.resolve_inside(self.doc.path.parent, location)
            rel = self.root.rel(target)
            if rel in chain or len(chain) > _MAX_INCLUDE_DEPTH:
                return self.unresolved(
                    value, path, where, f"AWS::Include of {location} includes itself or nests too deeply"
                )
            data = load_any(read_text(target), target.name)
        except (InputError, OSError) as exc:
            return self.unresolved(value, path, where, f"AWS::Include of {location} cannot be read ({exc})")
        self.out.files.add(rel)
        _relocate(data, where, 0)
        return self.node(data, path, where, depth + 1, (*chain, rel))

    def unresolved(self, value: Any, path: tuple[str, ...], line: int, why: str) -> Any:
        if len(path) >= 4 and path[0] == "Resources" and path[2] == "Properties":
            self.out.unresolved.add((path[1], path[3]))
        self.out.errors.append(ScanError(self.doc.rel, f"line {line}: {why}; what it holds is unknown", "load"))
        return value


def _is_include(spec: Any) -> bool:
    return isinstance(spec, Mapping) and spec.get("Name") == "AWS::Include"


def _relocate(node: Any, line: int, depth: int) -> None:
    """Every line of an included tree set to `line` (of the including template, see the module doc)."""
    if depth > _MAX_NODE_DEPTH:
        return
    if isinstance(node, LDict):
        node.line = line
        for key in node:
            node.key_lines[key] = line
            _relocate(node[key], line, depth + 1)
    elif isinstance(node, LList):
        node.line = line
        node.item_lines = [line] * len(node)
        for item in node:
            _relocate(item, line, depth + 1)
