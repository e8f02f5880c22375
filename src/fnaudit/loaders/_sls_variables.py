"""Serverless Framework variables (`${self:…}`, `${opt:…}`, `${file(…)}`, …), resolved statically.

`Variables` is a small resolver over the parsed serverless document. It resolves lazily (only the
parts the loader reads) and memoises what it resolved. What only AWS or the deploying machine
knows (`${ssm:…}`, `${cf:…}`, `${aws:accountId}`, an `${env:…}` nobody passed) stays symbolic: the
string becomes an `Unresolved` (a `str` holding the text as written, plus the `Ref` saying what it
points at), so secret rules can tell a reference to a secret store from a plaintext secret.

Nothing is executed: `${file(./x.js)}` (a JavaScript resolver) stays unresolved, and `${file()}` is
confined to the scan root. Cycles (`a: ${self:b}`, `b: ${self:a}`) and runaway nesting end as an
error entry and an unresolved value, never as a hang.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

from fnaudit.errors import InputError, ScanError
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders._sls_syntax import is_variable, scan, split_path, split_top
from fnaudit.loaders._yaml import LDict, LList, line_of, load_any
from fnaudit.loaders.base import LoadOptions
from fnaudit.model.loc import Loc, Ref, RefKind

MAX_DEPTH = 64  # steps of variables nested in variables (a `${self:}` chain counts two per link)
MAX_TEXT = 100_000  # characters of one resolved string (`a: ${self:b}${self:b}` doubling)

# Sources whose value only exists at deploy time, with the kind of reference they make.
_REMOTE: dict[str, RefKind] = {"ssm": RefKind.SSM, "cf": RefKind.CLOUDFORMATION, "aws": RefKind.AWS, "s3": RefKind.S3}
_DEPLOY_TIME = frozenset({*_REMOTE.values(), RefKind.SECRETS_MANAGER})
_SOURCE = re.compile(r"^([A-Za-z][A-Za-z0-9]*)(?:\((.*)\))?:(.*)$", re.DOTALL)
_FILE_ONLY = re.compile(r"^file\((.*)\)$", re.DOTALL)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_SECRETS_PREFIX = "/aws/reference/secretsmanager/"


class Unresolved(str):
    """A value we could not resolve: its text as written, and what it refers to."""

    ref: Ref

    def __new__(cls, ref: Ref) -> Self:
        obj = super().__new__(cls, ref.text)
        obj.ref = ref
        return obj

    def __reduce__(self) -> tuple[type[Unresolved], tuple[Ref]]:
        # str's own pickling would call Unresolved(text); rebuild from the Ref instead
        # (apps cross process boundaries when large scans are enriched in parallel).
        return (Unresolved, (self.ref,))


class _Missing:
    """A variable that resolved to nothing (missing key, option not given): the default applies."""


MISSING = _Missing()


class _Abort(Exception):
    """A cycle or a depth blow-up: the outermost value being resolved becomes unresolved."""


class Variables:
    """Resolves variables of one serverless document (see the module docstring)."""

    def __init__(self, data: Any, rel: str, service_dir: Path, root: ScanRoot, options: LoadOptions) -> None:
        self.data = data
        self.rel = rel
        self.service_dir = service_dir
        self.root = root
        self.options = options
        self.errors: list[ScanError] = []
        self.consumed: set[str] = set()
        self._memo: dict[tuple[str, ...], Any] = {}
        self._deep_memo: dict[int, Any] = {}
        self._active: list[object] = []  # paths / node ids being resolved, for cycle detection
        self._files: dict[str, Any] = {}
        self._file_of: dict[int, str] = {}  # id of data read from an included file -> its rel path
        self._keep: list[Any] = []  # keeps objects in _file_of alive so ids stay unique
        self._busy: set[str] = set()  # provider settings being resolved (stage, region)
        self._line = 0  # line of the value being resolved, for error messages

    # ---- public API -------------------------------------------------------------------------

    def resolve(self, value: Any, where: str = "", line: int = 0) -> tuple[Any, tuple[Ref, ...]]:
        """`value` with every variable resolved, and the references that stayed symbolic."""
        self._line = line or self._line
        try:
            out = self._deep(value, 0)
        except _Abort as exc:
            self._error(where, str(exc))
            out = Unresolved(Ref(RefKind.OTHER, _text(value)))
        return out, tuple(_refs(out))

    def get(self, *path: str | int) -> Any:
        """The fully resolved value at `path` in the document (MISSING when absent)."""
        try:
            node = self._at(tuple(str(p) for p in path), 0)
            return self._deep(node, 0) if node is not MISSING else MISSING
        except _Abort as exc:
            self._error(".".join(str(p) for p in path), str(exc))
            return Unresolved(Ref(RefKind.OTHER, "${self:" + ".".join(str(p) for p in path) + "}"))

    def file_of(self, value: Any) -> str | None:
        """The included file (rel path) a mapping or list was read from, or None for the document."""
        return self._file_of.get(id(value))

    def path_of(self, container: Any) -> str:
        """The file a resolved mapping or list was read from: an included file, else the document."""
        return self._file_of.get(id(container)) or self.rel

    def loc(self, container: Any, key: Any, default_line: int = 0) -> Loc:
        """Where `container[key]` is written (its file and line)."""
        return Loc(self.path_of(container), line_of(container, key, default_line))

    @property
    def stage(self) -> str:
        """--stage, else provider.stage, else "dev" (what the Framework deploys to)."""
        return self.options.stage or self._provider_text("stage") or "dev"

    @property
    def region(self) -> str:
        """provider.region, else the scan's region."""
        return self._provider_text("region") or self.options.region

    def _provider_text(self, key: str) -> str | None:
        """provider.<key> as plain text. While it is being resolved, a variable inside it that asks
        for the stage or region again (`stage: ${opt:stage, 'dev'}`) gets the fallback, not a cycle."""
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            raw = self._at(("provider", key), 0, special=False)
            value = self._deep(raw, 0) if raw is not MISSING else MISSING
        except _Abort:
            value = MISSING
        finally:
            self._busy.discard(key)
        return value if isinstance(value, str) and not isinstance(value, Unresolved) and value else None

    # ---- tree walking -----------------------------------------------------------------------

    def _at(self, path: tuple[str, ...], depth: int, special: bool = True) -> Any:
        """The value at a `self:` path, each step resolved shallowly (a step may be a variable)."""
        if special and path == ("provider", "stage"):
            return self.stage  # --stage overrides what the file says, as in the Framework
        if special and path == ("provider", "region"):
            return self.region
        if path in self._memo:
            return self._memo[path]
        if path in self._active:
            raise _Abort(f"`${{self:{'.'.join(path)}}}` refers to itself (a cycle of variables)")
        self._active.append(path)
        try:
            node: Any = self.data
            for i, key in enumerate(path):
                node = self._shallow(node, depth)
                parent, node = node, _step(node, key)
                if node is MISSING:
                    break
                if i == len(path) - 1:
                    node = self._located(parent, key, node, depth)
            if path == ("service",) and isinstance(node, dict) and "name" in node:
                node = self._shallow(node["name"], depth)  # the old `service: {name: x}` form
        finally:
            self._active.pop()
        self._memo[path] = node
        return node

    def _located(self, parent: Any, key: str, node: Any, depth: int) -> Any:
        """`node` resolved shallowly; errors name its line when it is in the serverless file itself."""
        saved = self._line
        if isinstance(parent, LDict) and id(parent) not in self._file_of:
            self._line = parent.line_of(key)
        try:
            return self._shallow(node, depth)
        finally:
            self._line = saved

    def _shallow(self, node: Any, depth: int) -> Any:
        return self._string(node, depth) if isinstance(node, str) and not isinstance(node, Unresolved) else node

    def _deep(self, node: Any, depth: int) -> Any:
        if isinstance(node, str):
            if isinstance(node, Unresolved):
                return node
            value = self._string(node, depth)
            # `${file()}` and `${self:}` hand back their node as written (lazily, as the Framework
            # does): resolve its contents now that the whole value is wanted.
            return self._deep(value, depth) if isinstance(value, dict | list) else value
        if not isinstance(node, dict | list):
            return node
        key = id(node)
        if key in self._deep_memo:
            return self._deep_memo[key]
        if key in self._active:
            raise _Abort("a variable includes the value that contains it (a cycle of variables)")
        self._active.append(key)
        try:
            out = self._copy(node, depth)
        finally:
            self._active.pop()
        self._deep_memo[key] = out
        self._keep.append(node)
        return out

    def _copy(self, node: dict[str, Any] | list[Any], depth: int) -> Any:
        origin = self._file_of.get(id(node))
        if isinstance(node, dict):
            d = LDict(getattr(node, "line", 0))
            for k, v in node.items():
                d.key_lines[k] = node.line_of(k) if isinstance(node, LDict) else d.line
                d[k] = self._child(v, depth, d.key_lines[k], origin)
            out: Any = d
        else:
            lst = LList(getattr(node, "line", 0))
            for i, v in enumerate(node):
                lst.item_lines.append(node.line_of(i) if isinstance(node, LList) else lst.line)
                lst.append(self._child(v, depth, lst.item_lines[-1], origin))
            out = lst
        if origin is not None:
            self._remember(out, origin)
        return out

    def _child(self, value: Any, depth: int, line: int, origin: str | None) -> Any:
        """One member resolved; a cycle inside it makes only this member unresolved."""
        saved = self._line
        if origin is None:
            self._line = line  # errors name the line of the serverless file where the value is
        try:
            return self._deep(value, depth)
        except _Abort as exc:
            if not isinstance(value, str):
                raise
            self._error("", str(exc))
            return Unresolved(Ref(RefKind.OTHER, value))
        finally:
            self._line = saved

    def _remember(self, obj: Any, rel: str) -> None:
        if isinstance(obj, dict | list):
            self._file_of[id(obj)] = rel
            self._keep.append(obj)

    # ---- strings ----------------------------------------------------------------------------

    def _string(self, text: str, depth: int) -> Any:
        """A string with its variables resolved: the value itself when the string is one variable."""
        if "${" not in text:
            return text
        if depth > MAX_DEPTH:
            raise _Abort(f"variables nest more than {MAX_DEPTH} levels deep")
        variables = [v for v in scan(text) if is_variable(v.body)]
        if not variables:
            return text
        if len(variables) == 1 and variables[0].start == 0 and variables[0].end == len(text):
            return self._variable(variables[0].body, text, depth + 1)
        parts: list[str] = []
        pos = 0
        first_unresolved: Ref | None = None
        for v in variables:
            parts.append(text[pos : v.start])
            value = self._variable(v.body, text[v.start : v.end], depth + 1)
            if isinstance(value, dict | list):
                value = self._deep(value, depth + 1)  # embedded in text: needed whole
            if isinstance(value, Unresolved):
                first_unresolved = first_unresolved or value.ref
            parts.append(_scalar_text(value) if value is not MISSING else "")
            pos = v.end
        parts.append(text[pos:])
        if first_unresolved is not None:
            return Unresolved(Ref(first_unresolved.kind, text))  # the whole string, as written
        out = "".join(parts)
        if len(out) > MAX_TEXT:
            raise _Abort(f"a variable expands to more than {MAX_TEXT:,} characters")
        return out

    def _variable(self, body: str, written: str, depth: int) -> Any:
        """One `${…}`: the first of its alternatives (`primary, default, …`) that has a value."""
        alternatives = split_top(body, ",")
        last: Any = MISSING
        for alt in alternatives:
            value = self._alternative(alt.strip(), written, depth)
            if isinstance(value, Unresolved) and value.ref.kind in _DEPLOY_TIME:
                return value  # known at deploy time: a default would only apply if the store lacks it
            if value is not MISSING and value is not None and not isinstance(value, Unresolved):
                return value
            if value is not MISSING and value is not None:
                last = value
        if last is not MISSING:
            return last
        primary = alternatives[0].strip()
        if primary == "opt:stage":
            return self.stage  # no --stage and no default: provider.stage, else "dev"
        if primary == "opt:region":
            return self.region
        return Unresolved(Ref(self._kind_of(alternatives[0].strip()), written))

    def _alternative(self, alt: str, written: str, depth: int) -> Any:
        if len(alt) >= 2 and alt[0] == alt[-1] and alt[0] in "'\"":
            return alt[1:-1]  # a quoted default
        if _NUMBER.match(alt):
            return float(alt) if "." in alt else int(alt)
        if alt in ("true", "false"):
            return alt == "true"
        if alt == "null":
            return None
        if alt.startswith("${") and alt.endswith("}"):
            return self._string(alt, depth)
        # `${self:custom.${sls:stage}.table}`: inner variables first
        if "${" in alt:
            inner = self._string(alt, depth)
            if isinstance(inner, Unresolved):
                return Unresolved(Ref(inner.ref.kind, written))
            alt = _scalar_text(inner)
        file_only = _FILE_ONLY.match(alt)
        if file_only:
            return self._file(file_only.group(1), "", written, depth)
        m = _SOURCE.match(alt)
        if not m:
            return MISSING
        source, param, address = m.group(1), m.group(2), m.group(3).strip()
        return self._source(source, param, address, written, depth)

    def _source(self, source: str, param: str | None, address: str, written: str, depth: int) -> Any:
        if source == "self":
            path = tuple(split_path(address))
            # The node as written: a caller stepping through it (`${self:custom.a}` where `custom`
            # is itself `${self:…}` or `${file()}`) resolves only the steps it takes, so members
            # that refer back into the same section are no cycle; `_deep` resolves the rest.
            return self._at(path, depth + 1) if path else self.data
        if source == "sls":
            return self.stage if address == "stage" else Unresolved(Ref(RefKind.OTHER, written))
        if source == "opt":
            return self._option(address)
        if source == "env":
            return self.options.env.get(address, MISSING)  # never the scanning machine's environment
        if source == "param":
            return self.options.params.get(address, MISSING)
        if source == "file" and param is not None:
            return self._file(param, address, written, depth)
        if source == "aws" and address == "region":
            return self.region
        if source == "ssm" and address.startswith(_SECRETS_PREFIX):
            return Unresolved(Ref(RefKind.SECRETS_MANAGER, written))
        return Unresolved(Ref(_REMOTE.get(source, RefKind.OTHER), written))

    def _option(self, name: str) -> Any:
        """--stage when given; no other option is known at scan time (the written default applies,
        then provider.stage / provider.region, see `_variable`)."""
        return self.options.stage or MISSING if name == "stage" else MISSING

    def _kind_of(self, primary: str) -> RefKind:
        m = _SOURCE.match(primary) or _FILE_ONLY.match(primary)
        source = m.group(1) if m and m.re is _SOURCE else "file"
        return {
            "opt": RefKind.OPTION,
            "env": RefKind.ENVIRONMENT,
            "param": RefKind.PARAMETER,
            "file": RefKind.FILE,
        }.get(source, _REMOTE.get(source, RefKind.OTHER))

    # ---- files ------------------------------------------------------------------------------

    def _file(self, raw_path: str, address: str, written: str, depth: int) -> Any:
        path_text = raw_path.strip().strip("'\"")
        if "${" in path_text:
            inner = self._string(path_text, depth)
            if isinstance(inner, Unresolved):
                return Unresolved(Ref(RefKind.FILE, written))
            path_text = _scalar_text(inner)
        data = self._read(path_text, written)
        if isinstance(data, Unresolved) or data is MISSING:
            return data
        node = data
        for key in split_path(address):
            node = _step(self._shallow(node, depth), key)
            if node is MISSING:
                return MISSING
        return self._shallow(node, depth + 1)  # the rest lazily, see `_source`

    def _read(self, path_text: str, written: str) -> Any:
        if path_text in self._files:
            return self._files[path_text]
        try:
            target = self.root.resolve_inside(self.service_dir, path_text)
        except InputError as exc:
            # outside the root, or a symlink loop: say which (the resolver's message names the path)
            why = "points outside the scanned folder; fnaudit never reads there" if "outside" in str(exc) else str(exc)
            self._error("", f"`{written}` {why}")
            result: Any = Unresolved(Ref(RefKind.FILE, written))
        else:
            result = self._parse(target, written)
        self._files[path_text] = result
        return result

    def _parse(self, target: Path, written: str) -> Any:
        rel = self.root.rel(target)
        if target.suffix.lower() in (".js", ".cjs", ".mjs", ".ts"):
            return Unresolved(Ref(RefKind.FILE, written))  # a JavaScript resolver: never executed
        if not target.is_file():
            self._error("", f"`{written}`: file {rel} not found")
            return MISSING
        try:
            data = load_any(read_text(target), target.name)
        except InputError as exc:
            self._error("", f"`{written}`: {rel}: {exc}")
            return Unresolved(Ref(RefKind.FILE, written))
        self.consumed.add(rel)
        for obj in _containers(data):
            self._remember(obj, rel)
        return data

    def _error(self, where: str, message: str) -> None:
        prefix = f"line {self._line}: " if self._line else ""
        place = f"{where}: " if where else ""
        err = ScanError(self.rel, f"{prefix}{place}{message}", "load")
        if err not in self.errors:
            self.errors.append(err)


# ---- helpers ------------------------------------------------------------------------------------


def _step(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        return node.get(key, MISSING)
    if isinstance(node, list) and key.lstrip("-").isdigit():
        i = int(key)
        return node[i] if -len(node) <= i < len(node) else MISSING
    return MISSING


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or value is MISSING:
        return ""
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, default=str)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else _scalar_text(value)


def _refs(value: Any) -> Iterator[Ref]:
    if isinstance(value, Unresolved):
        yield value.ref
    elif isinstance(value, dict):
        for v in value.values():
            yield from _refs(v)
    elif isinstance(value, list):
        for v in value:
            yield from _refs(v)


def _containers(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _containers(v)
    elif isinstance(value, list):
        yield value
        for v in value:
            yield from _containers(v)


def is_missing(value: Any) -> bool:
    return value is MISSING
