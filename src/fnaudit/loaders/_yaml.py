"""Line-aware YAML/JSON loading with CloudFormation short-form tags, and limits against hostile input.

The result is plain data: `LDict` (a dict that knows the line of each key), `LList` (a list that
knows the line of each item), str/int/float/bool/None. Short-form intrinsics (`!Ref x`,
`!GetAtt a.b`, `!Sub …`) become their long form (`{"Ref": "x"}`, …). Dates stay strings, as
CloudFormation reads them (`Version: 2012-10-17`).

Limits: nesting deeper than `MAX_DEPTH` and alias expansion beyond `MAX_NODES` values are refused
with a clear message instead of exhausting memory (the "billion laughs" document).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from typing import Any

import yaml

from fnaudit.errors import InputError

MAX_DEPTH = 200
MAX_NODES = 1_000_000
JSON_LINES_LIMIT = 4 * 1024 * 1024

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# What the safe resolver gives every mapping and sequence: it has no path resolvers.
_MAP_TAG = yaml.resolver.Resolver.DEFAULT_MAPPING_TAG
_SEQ_TAG = yaml.resolver.Resolver.DEFAULT_SEQUENCE_TAG


_MEMO_TEXT = 200  # texts up to this length are remembered (keys, names, short values)


@functools.lru_cache(maxsize=65536)
def _scalar_tag(value: str, implicit: tuple[bool, bool]) -> str:
    """The tag the safe schema gives a scalar (what `Resolver.resolve` returns), remembered.

    The composer asks for every scalar, and templates repeat the same few thousand texts (`Type`,
    `Properties`, `!Ref` names); the safe resolver has no path resolvers, so the answer depends on the
    text and its implicit flags only."""
    resolver: Any = yaml.resolver.Resolver()
    tag: str = resolver.resolve(yaml.ScalarNode, value, implicit)
    return tag


class _FastResolve:
    """Mixed into the loaders: `resolve` for scalars through `_scalar_tag`, the rest as PyYAML does."""

    yaml_path_resolvers: dict[Any, Any]

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if self.yaml_path_resolvers:  # nobody registers one; if someone did, the answer depends on the path
            tag: str = super().resolve(kind, value, implicit)  # type: ignore[misc]
            return tag
        if kind is yaml.ScalarNode:
            if len(value) > _MEMO_TEXT:  # long text rarely repeats: not worth keeping alive in the memo
                return _scalar_tag.__wrapped__(value, implicit)
            return _scalar_tag(value, implicit)
        return _MAP_TAG if kind is yaml.MappingNode else _SEQ_TAG


class _PyLoader(_FastResolve, yaml.SafeLoader):
    """The pure-Python parser: the fallback when PyYAML was built without libyaml."""


if yaml.__with_libyaml__:

    class _CLoader(_FastResolve, yaml.CSafeLoader):
        """libyaml's parser and composer (C); nodes carry the same marks and tags as the pure-Python ones."""

    _Loader: type = _CLoader
else:  # pragma: no cover - PyYAML without libyaml
    _Loader = _PyLoader

# short tag -> (long name, how to shape the argument)
_INTRINSICS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!FindInMap": "Fn::FindInMap",
    "!GetAtt": "Fn::GetAtt",
    "!GetAZs": "Fn::GetAZs",
    "!ImportValue": "Fn::ImportValue",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!Sub": "Fn::Sub",
    "!Transform": "Fn::Transform",
    "!And": "Fn::And",
    "!Equals": "Fn::Equals",
    "!If": "Fn::If",
    "!Not": "Fn::Not",
    "!Or": "Fn::Or",
    "!Length": "Fn::Length",
    "!ToJsonString": "Fn::ToJsonString",
}


class LDict(dict[str, Any]):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    __slots__ = ("key_lines", "line")

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LList(list[Any]):
    """A sequence that remembers its own line and the line of each item (1-based)."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


def line_of(container: Any, key: Any, default: int = 0) -> int:
    """Line of `container[key]` when the container knows it, else `default`."""
    if isinstance(container, LDict) and isinstance(key, str):
        return container.line_of(key)
    if isinstance(container, LList) and isinstance(key, int):
        return container.line_of(key)
    return default


def own_line(value: Any, default: int = 0) -> int:
    return getattr(value, "line", default) or default


class _Builder:
    def __init__(self) -> None:
        self.count = 0
        self.scalars = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _too_many()
        if depth > MAX_DEPTH:
            raise InputError(f"nesting deeper than {MAX_DEPTH} levels; not a template fnaudit can read")
        tag = node.tag or ""
        line = node.start_mark.line + 1
        if tag in _INTRINSICS:
            return self._intrinsic(_INTRINSICS[tag], node, depth, line)
        if isinstance(node, yaml.MappingNode):
            out = LDict(line)
            for k_node, v_node in node.value:
                if k_node.tag == _MERGE_TAG:
                    merged = self.build(v_node, depth + 1)
                    for m in merged if isinstance(merged, list) else [merged]:
                        if isinstance(m, LDict):
                            for mk, mv in m.items():
                                if mk not in out:
                                    out[mk] = mv
                                    out.key_lines[mk] = m.line_of(mk)
                    continue
                key = _key_text(k_node) if isinstance(k_node, yaml.ScalarNode) else str(self.build(k_node, depth + 1))
                if v_node.tag == _STR_TAG and v_node.__class__ is yaml.ScalarNode and depth < MAX_DEPTH:
                    # a plain string, the commonest value: what `build` returns for it, without the call
                    self.count += 1
                    if self.count > MAX_NODES:
                        raise _too_many()
                    out[key] = v_node.value
                else:
                    out[key] = self.build(v_node, depth + 1)
                out.key_lines[key] = k_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            seq = LList(line)
            for item in node.value:
                if item.tag == _STR_TAG and item.__class__ is yaml.ScalarNode and depth < MAX_DEPTH:
                    self.count += 1  # as for a mapping's plain string value
                    if self.count > MAX_NODES:
                        raise _too_many()
                    seq.append(item.value)
                else:
                    seq.append(self.build(item, depth + 1))
                seq.item_lines.append(item.start_mark.line + 1)
            return seq
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        tag = node.tag or ""
        if tag == _STR_TAG:  # most scalars: the constructor would return the text as it is
            return node.value
        if tag.startswith("!"):  # an unknown local tag: keep the text
            return str(node.value)
        try:
            value = self.scalars.construct_object(node)
        except yaml.constructor.ConstructorError:
            return str(node.value)
        if isinstance(value, dt.date | dt.datetime):
            return str(node.value)
        if isinstance(value, bytes):
            return str(node.value)
        return value

    def _intrinsic(self, name: str, node: yaml.Node, depth: int, line: int) -> LDict:
        if isinstance(node, yaml.ScalarNode):
            arg: Any = str(node.value)
            if name == "Fn::GetAtt":
                arg = LList(line)
                arg.extend(str(node.value).split(".", 1))
                arg.item_lines.extend([line] * len(arg))
            elif name == "Fn::GetAZs" and arg == "":
                arg = ""
        else:
            node.tag = "tag:yaml.org,2002:map" if isinstance(node, yaml.MappingNode) else "tag:yaml.org,2002:seq"
            arg = self.build(node, depth + 1)
        out = LDict(line)
        out[name] = arg
        out.key_lines[name] = line
        return out


def _too_many() -> InputError:
    return InputError(f"document expands to more than {MAX_NODES:,} values (YAML alias bomb?); refusing to load it")


_NULL_KEYS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOL_KEYS = {"true": "true", "True": "true", "TRUE": "true", "false": "false", "False": "false", "FALSE": "false"}
_INT_KEY = re.compile(r"^[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$")
_FLOAT_KEY = re.compile(r"^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT_KEYS = {".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity", ".nan": "NaN"}


def _key_text(node: yaml.ScalarNode) -> str:
    """A mapping key as the Serverless Framework's parser (js-yaml, YAML 1.2 core schema) reads it.

    Keys are looked up by text (`${self:custom.stmts.${env:FLAG, 'false'}}`), so a key must be the
    string JavaScript makes of it: only `true`/`false` (any case form 1.2 allows) are booleans, so
    `yes:`/`on:` stay as written, where YAML 1.1 made `True` of all of them; numbers print as
    JavaScript prints them (`0x10:` is "16"). Quoted or explicitly tagged keys are their text.
    """
    text = str(node.value)
    if node.style or (node.tag or "").startswith("!"):  # plain style is None or "" (C loader)
        return text
    return _plain_key(text) if len(text) <= _MEMO_TEXT else _plain_key.__wrapped__(text)


@functools.lru_cache(maxsize=65536)
def _plain_key(text: str) -> str:
    """`_key_text` of a plain, untagged key (a function of its text alone: keys repeat across documents)."""
    if text in _NULL_KEYS:
        return "null"
    if text in _BOOL_KEYS:
        return _BOOL_KEYS[text]
    if _INT_KEY.match(text):
        digits = text.replace("_", "")
        sign = -1 if digits.startswith("-") else 1
        body = digits.lstrip("+-")
        base = {"0b": 2, "0o": 8, "0x": 16}.get(body[:2].lower(), 10)
        try:
            return str(sign * int(body[2:] if base != 10 else body, base))
        except ValueError:
            return text
    if text.lower() in _SPECIAL_FLOAT_KEYS:
        return _SPECIAL_FLOAT_KEYS[text.lower()]
    if _FLOAT_KEY.match(text) and any(c.isdigit() for c in text):
        try:
            number = float(text.replace("_", ""))
        except ValueError:
            return text
        return str(int(number)) if number.is_integer() and abs(number) < 1e21 else repr(number)
    return text


def load_yaml(text: str) -> Any:
    """Parse one YAML document (the first) into line-aware plain data. Raises InputError."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.composer.ComposerError as exc:
        raise InputError(f"YAML error: {_mark_text(exc)}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML syntax error: {_mark_text(exc)}") from None
    except RecursionError:
        raise InputError(f"nesting deeper than {MAX_DEPTH} levels; not a template fnaudit can read") from None
    if node is None:
        return None
    try:
        return _Builder().build(node)
    except RecursionError:
        raise InputError(f"nesting deeper than {MAX_DEPTH} levels; not a template fnaudit can read") from None


def load_json(text: str) -> Any:
    """Parse JSON strictly (errors as JSON reports them), then again with the YAML parser for lines.

    JSON is a subset of YAML 1.2, so the second parse gives the same data with line numbers; for very
    large documents (generated templates) the line-less result is kept, as the YAML parse costs more.
    """
    try:
        plain = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"nesting deeper than {MAX_DEPTH} levels; not a template fnaudit can read") from None
    if len(text) > JSON_LINES_LIMIT:
        return plain
    try:
        return load_yaml(text)
    except InputError as exc:
        if "nesting" in str(exc):
            raise
        return plain  # a YAML parser quirk on valid JSON: keep the data, lose the lines


def load_any(text: str, filename: str) -> Any:
    return load_json(text) if filename.lower().endswith(".json") else load_yaml(text)


def _mark_text(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return str(problem)
