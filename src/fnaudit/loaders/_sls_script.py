"""`serverless.ts` / `serverless.js` / `.mjs` / `.cjs`: the exported configuration read statically.

The Framework runs these files and uses the object they export. fnaudit never runs scanned code, so it
parses the file with tree-sitter and evaluates only what is plain data: object literals, arrays,
strings, numbers, booleans, `null`/`undefined`, template strings, `+` of strings, `as const`, type
assertions, shorthand properties, spreads, and identifiers naming a top-level `const` of the same file
or one imported from a relative module (`import x from './y'`, `import {a} from './y'`, `require('./y')`,
`export {default as a} from './y'`). Anything else (a function call, `process.env.X`, a computed
import) becomes an `Unresolved` value, as a `${ssm:}` does in YAML, plus an error entry naming its line.

One idiom is resolved because every serverless-typescript-template app relies on it:
`${handlerPath(__dirname)}` in a template string is the folder of the file where it is written,
relative to the service folder (what the template's `handlerPath` helper computes at deploy time).

The result is line-aware data like `_yaml`'s (`LDict` / `LList`); mappings and lists written in an
imported module are `_FileDict` / `_FileList` that carry that module's path, so that the serverless
loader locates their values (and findings) in the file that holds them (see `origins`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tree_sitter import Language, Node, Parser

from fnaudit.errors import InputError, Loss, ScanError
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders._sls_variables import Unresolved
from fnaudit.loaders._yaml import LDict, LList
from fnaudit.model.loc import Ref, RefKind

SCRIPT_NAMES = ("serverless.js", "serverless.cjs", "serverless.mjs", "serverless.ts")
_MODULE_SUFFIXES = (".ts", ".js", ".mjs", ".cjs", ".mts", ".cts")
MAX_DEPTH = 100  # nested values / identifier hops: deeper means generated or hostile input
MAX_MODULES = 200  # imported modules read for one configuration
_SHOWN = 80  # characters of an unreadable expression quoted in messages
_TRANSPARENT = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "type_assertion"}
)


@cache
def _language(grammar: str) -> Language:
    """The grammar, loaded once per process. The code engine has its own set-up
    (`engines/code/javascript/parse.py`), but loaders never import engines (tests/test_layering.py)."""
    if grammar == "javascript":
        import tree_sitter_javascript as tsj

        return Language(tsj.language())
    import tree_sitter_typescript as tst

    return Language(tst.language_typescript())


class _FileDict(LDict):
    """A mapping written in an imported module (`file`: its path relative to the scan root)."""

    __slots__ = ("file",)

    def __init__(self, line: int, file: str) -> None:
        super().__init__(line)
        self.file = file


class _Root(LDict):
    """The exported configuration, with every imported module read for it (their paths)."""

    __slots__ = ("modules",)

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.modules: tuple[str, ...] = ()


class _FileList(LList):
    __slots__ = ("file",)

    def __init__(self, line: int, file: str) -> None:
        super().__init__(line)
        self.file = file


@dataclass(slots=True)
class ScriptConfig:
    """What reading a script configuration gave: the data (None: no exported object) and the errors."""

    data: Any
    errors: list[ScanError] = field(default_factory=list)


class _NotStatic(Exception):
    """A value that only running the file would give."""

    def __init__(self, node: Node, why: str, kind: RefKind = RefKind.OTHER) -> None:
        super().__init__(why)
        self.node = node
        self.why = why
        self.kind = kind


@dataclass(slots=True)
class _Module:
    path: Path
    rel: str
    data: bytes
    root: Node
    consts: dict[str, Node] = field(default_factory=dict)  # top-level `const x = …`
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)  # local name -> (specifier, imported name)
    exports: dict[str, Node | tuple[str, str]] = field(default_factory=dict)  # name ("default") -> value / re-export
    values: dict[str, Any] = field(default_factory=dict)  # evaluated consts, memoised


def read(path: Path, text: str, rel: str, service_dir: Path, root: ScanRoot) -> ScriptConfig:
    """The configuration `path` exports, as line-aware data (see the module docstring). Never raises for bad input."""
    reader = _Reader(root, service_dir, rel)
    module = reader.module_from_text(path, rel, text)
    if module.root.has_error:
        reader.error(rel, _first_error_line(module.root), "syntax error; the configuration may be read incompletely")
    main = module.exports.get("default")
    if main is None:
        reader.errors.append(
            ScanError(
                rel,
                "no configuration object exported (`module.exports = {…}`, `export default {…}` or `export = …`) "
                "that can be read without running the file; the service is not analysed",
                "load",
                Loss.APP,
            )
        )
        return ScriptConfig(None, reader.errors)
    try:
        data = reader.export_value(module, "default", 0, whole=True)
    except _NotStatic as exc:
        reader.errors.append(
            ScanError(
                rel,
                f"line {_line(exc.node)}: the exported configuration is not read: {exc.why} (fnaudit reads this "
                "file without running it); the service is not analysed",
                "load",
                Loss.APP,
            )
        )
        return ScriptConfig(None, reader.errors)
    except RecursionError:
        reader.errors.append(ScanError(rel, "the configuration nests too deeply to be read", "load", Loss.APP))
        return ScriptConfig(None, reader.errors)
    if not isinstance(data, dict):
        reader.errors.append(
            ScanError(rel, "the exported configuration is not an object literal; not analysed", "load", Loss.APP)
        )
        return ScriptConfig(None, reader.errors)
    top = _Root(data.line if isinstance(data, LDict) else 1)
    top.update(data)
    top.key_lines.update(data.key_lines if isinstance(data, LDict) else {})
    top.modules = tuple(sorted(mod.rel for mod in reader.modules.values() if mod is not None))
    return ScriptConfig(top, reader.errors)


def modules_read(data: Any) -> tuple[str, ...]:
    """The modules (paths relative to the scan root) a configuration returned by `read` imported."""
    return data.modules if isinstance(data, _Root) else ()


def origins(data: Any) -> Iterator[tuple[Any, str]]:
    """Every mapping / list of `data` written in an imported module, with that module's path."""
    seen: set[int] = set()
    todo = [data]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, _FileDict | _FileList):
            yield node, node.file
        if isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)


class _Reader:
    def __init__(self, root: ScanRoot, service_dir: Path, rel: str) -> None:
        self.root = root
        self.service_dir = service_dir
        self.main_rel = rel
        self.errors: list[ScanError] = []
        self.modules: dict[Path, _Module | None] = {}
        self.active: set[tuple[str, str]] = set()  # (module, name) being evaluated: cycles
        self.parsers: dict[str, Parser] = {}
        self.tsconfigs: dict[Path, tuple[dict[str, Any], str] | None] = {}

    def error(self, rel: str, line: int, message: str, loss: Loss = Loss.PARTIAL) -> None:
        err = ScanError(rel, f"line {line}: {message}" if line else message, "load", loss)
        if err not in self.errors:
            self.errors.append(err)

    # ---- modules ----------------------------------------------------------------------------

    def module_from_text(self, path: Path, rel: str, text: str) -> _Module:
        grammar = "typescript" if path.suffix.lower() in (".ts", ".mts", ".cts") else "javascript"
        parser = self.parsers.get(grammar) or self.parsers.setdefault(grammar, Parser(_language(grammar)))
        data = text.encode("utf-8")
        module = _Module(path, rel, data, parser.parse(data).root_node)
        for stmt in module.root.named_children:
            self._statement(module, stmt)
        return module

    def _statement(self, m: _Module, stmt: Node) -> None:
        if stmt.type == "lexical_declaration" and _text(m, stmt).startswith("const"):
            self._consts(m, stmt)
        elif stmt.type == "import_statement":
            self._import(m, stmt)
        elif stmt.type == "export_statement":
            self._export(m, stmt)
        elif stmt.type == "expression_statement" and stmt.named_children:
            expr = stmt.named_children[0]
            if expr.type == "assignment_expression":
                left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
                if left is not None and right is not None and _text(m, left) in ("module.exports", "exports.default"):
                    m.exports["default"] = right
                elif left is not None and right is not None and _text(m, left).startswith("module.exports."):
                    m.exports[_text(m, left).removeprefix("module.exports.")] = right

    def _consts(self, m: _Module, decl: Node) -> None:
        for d in decl.named_children:
            name, value = d.child_by_field_name("name"), d.child_by_field_name("value")
            if d.type == "variable_declarator" and name is not None and value is not None and name.type == "identifier":
                spec = _require_of(m, value)
                if spec is not None:  # `const x = require('./y')`: y's whole export
                    m.imports[_text(m, name)] = (spec, "default")
                else:
                    m.consts[_text(m, name)] = value

    def _import(self, m: _Module, stmt: Node) -> None:
        source = stmt.child_by_field_name("source")
        clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
        if source is None or clause is None or _text(m, stmt).startswith("import type"):
            return
        spec = _string_text(m, source)
        for c in clause.named_children:
            if c.type == "identifier":  # default import
                m.imports[_text(m, c)] = (spec, "default")
            elif c.type == "named_imports":
                for s in c.named_children:
                    name, alias = s.child_by_field_name("name"), s.child_by_field_name("alias")
                    if s.type == "import_specifier" and name is not None:
                        m.imports[_text(m, alias or name)] = (spec, _text(m, name))

    def _export(self, m: _Module, stmt: Node) -> None:
        source = stmt.child_by_field_name("source")
        value = stmt.child_by_field_name("value")
        declaration = stmt.child_by_field_name("declaration")
        if value is not None:  # export default …
            m.exports["default"] = value
        elif declaration is not None:  # export const a = …
            if declaration.type == "lexical_declaration" and _text(m, declaration).startswith("const"):
                self._consts(m, declaration)
                for d in declaration.named_children:
                    name = d.child_by_field_name("name")
                    if name is not None:
                        m.exports[_text(m, name)] = name
        elif any(c.type == "=" for c in stmt.children) and stmt.named_children:  # TypeScript `export = x`
            m.exports["default"] = stmt.named_children[-1]
        else:  # export { a, b as c } [from './y']
            clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
            for s in clause.named_children if clause is not None else ():
                name, alias = s.child_by_field_name("name"), s.child_by_field_name("alias")
                if name is None:
                    continue
                exported = _text(m, alias or name)
                m.exports[exported] = (_string_text(m, source), _text(m, name)) if source is not None else name

    def imported(self, m: _Module, spec: str, at: Node) -> _Module:
        """The module `spec` names, relative to `m` or through a `tsconfig.json` path alias
        (`@functions/*`); only files inside the scan root are read."""
        base = m.path.parent
        if not spec.startswith("."):
            aliased = self._alias(m.path.parent, spec)
            if aliased is None:
                raise _NotStatic(at, f"`{spec}` is a package, not a relative module or a tsconfig path alias")
            base, spec = aliased
        for candidate in (spec, *(spec + s for s in _MODULE_SUFFIXES), *(f"{spec}/index{s}" for s in _MODULE_SUFFIXES)):
            try:
                target = self.root.resolve_inside(base, candidate)
            except InputError:
                raise _NotStatic(at, f"`{spec}` points outside the scanned folder; fnaudit never reads there") from None
            if target.is_file() and target.suffix.lower() in _MODULE_SUFFIXES:
                break
        else:
            raise _NotStatic(at, f"module `{spec}` not found")
        if target not in self.modules:
            if len(self.modules) >= MAX_MODULES:
                raise _NotStatic(at, f"more than {MAX_MODULES} modules imported")
            try:
                self.modules[target] = self.module_from_text(target, self.root.rel(target), read_text(target))
            except (InputError, OSError) as exc:
                self.modules[target] = None
                self.error(m.rel, _line(at), f"`{spec}` cannot be read: {exc}")
        found = self.modules[target]
        if found is None:
            raise _NotStatic(at, f"module `{spec}` cannot be read")
        return found

    def _alias(self, folder: Path, spec: str) -> tuple[Path, str] | None:
        """`spec` through the `compilerOptions.paths` of the nearest tsconfig.json (inside the root):
        the folder the target is relative to and the target, or None when no alias matches."""
        config = self._tsconfig(folder)
        if config is None:
            return None
        where, paths, base_url = config
        for pattern, targets in paths.items():
            if not isinstance(targets, list) or not targets or not isinstance(targets[0], str):
                continue
            prefix, star, suffix = pattern.partition("*")
            if star and spec.startswith(prefix) and spec.endswith(suffix) and len(spec) >= len(prefix + suffix):
                middle = spec[len(prefix) : len(spec) - len(suffix)]
                return where, "./" + str(Path(base_url) / targets[0].replace("*", middle, 1))
            if not star and spec == pattern:
                return where, "./" + str(Path(base_url) / targets[0])
        return None

    def _tsconfig(self, folder: Path) -> tuple[Path, dict[str, Any], str] | None:
        here = folder
        while True:
            candidate = here / "tsconfig.json"
            if candidate.is_file() and self.root.contains(candidate):
                if candidate not in self.tsconfigs:
                    self.tsconfigs[candidate] = _read_tsconfig(candidate)
                found = self.tsconfigs[candidate]
                return (here, *found) if found is not None else None
            if here == self.root.path or here.parent == here or not self.root.contains(here.parent):
                return None
            here = here.parent

    # ---- values -----------------------------------------------------------------------------

    def export_value(self, m: _Module, name: str, depth: int, whole: bool = False) -> Any:
        """The value `m` exports as `name`; `whole`: the configuration itself, whose failure is not a
        value left unknown but the service lost (raised to `read`)."""
        entry = m.exports.get(name)
        if entry is None:
            if name == "default" and m.exports:  # `require('./y')` of a module with named exports only
                out = self._container(LDict, m, 0)
                for key in m.exports:
                    out[key] = self.export_value(m, key, depth + 1)
                    out.key_lines[key] = 0
                return out
            raise _NotStatic(m.root, f"{m.rel} exports no `{name}`")
        if isinstance(entry, tuple):
            spec, inner = entry
            return self.export_value(self.imported(m, spec, m.root), inner, depth + 1, whole)
        return self._eval(m, entry, depth) if whole else self.value(m, entry, depth)

    def value(self, m: _Module, node: Node, depth: int) -> Any:
        """`node` evaluated, or an `Unresolved` (with an error entry) where it cannot be."""
        try:
            return self._eval(m, node, depth)
        except _NotStatic as exc:
            shown = _text(m, exc.node)
            shown = shown if len(shown) <= _SHOWN else shown[: _SHOWN - 1] + "…"
            self.error(
                m.rel,
                _line(exc.node),
                f"`{shown}` is not read: {exc.why} (fnaudit reads this file without running it); the value is unknown",
            )
            return Unresolved(Ref(exc.kind, shown))

    def _eval(self, m: _Module, node: Node, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _NotStatic(node, f"values nest more than {MAX_DEPTH} levels deep")
        kind = node.type
        if kind in _TRANSPARENT:
            inner = [c for c in node.named_children if c.type != "comment"]
            if not inner:
                raise _NotStatic(node, "an expression without a value")
            # `<T>x`: the type comes first; `x as T`, `x satisfies T`, `(x)`, `x!`: the expression does
            return self._eval(m, inner[-1] if kind == "type_assertion" else inner[0], depth + 1)
        if kind == "object":
            return self._object(m, node, depth)
        if kind == "array":
            return self._array(m, node, depth)
        if kind == "string":
            return _string_text(m, node)
        if kind == "template_string":
            return self._template(m, node, depth)
        if kind == "number":
            return _number(_text(m, node), node)
        if kind == "unary_expression" and _operator(node) in ("-", "+") and node.named_children:
            operand = self._eval(m, node.named_children[0], depth + 1)
            if isinstance(operand, int | float) and not isinstance(operand, bool):
                return -operand if _operator(node) == "-" else operand
            raise _NotStatic(node, "a part of it is unknown")
        if kind in ("true", "false"):
            return kind == "true"
        if kind in ("null", "undefined"):
            return None
        if kind in ("identifier", "shorthand_property_identifier"):
            return self._identifier(m, node, depth)
        if kind == "binary_expression" and _operator(node) == "+":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            parts = [self._eval(m, n, depth + 1) for n in (left, right) if n is not None]
            if all(isinstance(p, str | int | float) and not isinstance(p, bool | Unresolved) for p in parts):
                if any(isinstance(p, str) for p in parts):
                    return "".join(_js_text(p) for p in parts)
                return sum(parts)
            raise _NotStatic(node, "a part of it is unknown")
        if kind == "member_expression" and _text(m, node).startswith("process.env."):
            raise _NotStatic(node, "an environment variable of the deploying machine", RefKind.ENVIRONMENT)
        if kind == "call_expression":
            raise _NotStatic(node, "a function call")
        if kind in ("await_expression", "import", "new_expression"):
            raise _NotStatic(node, "computed when the file runs")
        raise _NotStatic(node, f"a {kind.replace('_', ' ')}")

    def _container(self, cls: type[LDict] | type[LList], m: _Module, line: int) -> Any:
        if m.rel == self.main_rel:
            return cls(line)
        return (_FileDict if cls is LDict else _FileList)(line, m.rel)

    def _object(self, m: _Module, node: Node, depth: int) -> LDict:
        out: LDict = self._container(LDict, m, _line(node))
        for member in node.named_children:
            if member.type == "pair":
                key_node, value_node = member.child_by_field_name("key"), member.child_by_field_name("value")
                if key_node is None or value_node is None:
                    continue
                key = self._key(m, key_node, depth)
                out[key] = self.value(m, value_node, depth + 1)
                out.key_lines[key] = _line(key_node)
            elif member.type == "shorthand_property_identifier":
                key = _text(m, member)
                out[key] = self.value(m, member, depth + 1)
                out.key_lines[key] = _line(member)
            elif member.type == "spread_element" and member.named_children:
                spread = self.value(m, member.named_children[0], depth + 1)
                if isinstance(spread, dict):
                    for k, v in spread.items():
                        out[k] = v
                        out.key_lines[k] = spread.line_of(k) if isinstance(spread, LDict) else _line(member)
            elif member.type == "method_definition":
                name = member.child_by_field_name("name")
                if name is not None:
                    self.error(m.rel, _line(member), f"`{_text(m, name)}` is a method; its value is unknown")
        return out

    def _key(self, m: _Module, key: Node, depth: int) -> str:
        if key.type == "string":
            return _string_text(m, key)
        if key.type == "computed_property_name" and key.named_children:
            value = self.value(m, key.named_children[0], depth + 1)
            return _js_text(value)
        return _text(m, key)

    def _array(self, m: _Module, node: Node, depth: int) -> LList:
        out: LList = self._container(LList, m, _line(node))
        for item in node.named_children:
            if item.type == "comment":
                continue
            if item.type == "spread_element" and item.named_children:
                spread = self.value(m, item.named_children[0], depth + 1)
                if isinstance(spread, list):
                    for i, v in enumerate(spread):
                        out.append(v)
                        out.item_lines.append(spread.line_of(i) if isinstance(spread, LList) else _line(item))
                    continue
                out.append(spread)
            else:
                out.append(self.value(m, item, depth + 1))
            # an object item is located at its first key, as `- http:` is in YAML (`{` often stands alone)
            first = item.named_children[0] if item.type == "object" and item.named_children else item
            out.item_lines.append(_line(first))
        return out

    def _template(self, m: _Module, node: Node, depth: int) -> str:
        parts: list[str] = []
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(_text(m, child))
            elif child.type == "escape_sequence":
                parts.append(_unescape(_text(m, child)))
            elif child.type == "template_substitution" and child.named_children:
                expr = child.named_children[0]
                if _text(m, expr).replace(" ", "") == "handlerPath(__dirname)":
                    parts.append(self._handler_path(m))
                    continue
                value = self._eval(m, expr, depth + 1)
                if isinstance(value, Unresolved | dict | list):
                    raise _NotStatic(expr, "a part of the template string is unknown")
                parts.append(_js_text(value))
        return "".join(parts)

    def _handler_path(self, m: _Module) -> str:
        """What the template's `handlerPath(__dirname)` gives: the module's folder, relative to the service."""
        try:
            return m.path.parent.resolve().relative_to(self.service_dir.resolve()).as_posix()
        except ValueError:
            return m.path.parent.as_posix()

    def _identifier(self, m: _Module, node: Node, depth: int) -> Any:
        name = _text(m, node)
        if name == "undefined":
            return None
        key = (m.rel, name)
        if name in m.values:
            return m.values[name]
        if key in self.active:
            raise _NotStatic(node, f"`{name}` refers to itself")
        self.active.add(key)
        try:
            if name in m.consts:
                value = self.value(m, m.consts[name], depth + 1)
            elif name in m.imports:
                spec, imported = m.imports[name]
                value = self.export_value(self.imported(m, spec, node), imported, depth + 1)
            else:
                raise _NotStatic(node, f"`{name}` is not a `const` of this file or a relative import")
        finally:
            self.active.discard(key)
        m.values[name] = value
        return value


# ---- node helpers ---------------------------------------------------------------------------------


def _text(m: _Module, node: Node) -> str:
    return m.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


def _line(node: Node) -> int:
    return int(node.start_point[0]) + 1


def _operator(node: Node) -> str:
    op = node.child_by_field_name("operator")
    return op.type if op is not None else ""


def _string_text(m: _Module, node: Node) -> str:
    parts = []
    for c in node.named_children:
        if c.type == "string_fragment":
            parts.append(_text(m, c))
        elif c.type == "escape_sequence":
            parts.append(_unescape(_text(m, c)))
    return "".join(parts)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _unescape(seq: str) -> str:
    body = seq[1:]
    if body[:1] in ("x", "u") and len(body) > 1:
        digits = body[1:].strip("{}")
        try:
            return chr(int(digits, 16))
        except ValueError:
            return seq
    if body.startswith(("\n", "\r")):  # a line continuation
        return ""
    return _ESCAPES.get(body, body)


def _number(text: str, node: Node) -> int | float:
    clean = text.replace("_", "").lower()
    try:
        if clean.startswith(("0x", "0o", "0b")):
            return int(clean, 0)
        value = float(clean)
    except ValueError:
        raise _NotStatic(node, "a number fnaudit cannot read") from None
    return int(value) if value.is_integer() and "." not in clean and "e" not in clean else value


def _js_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _require_of(m: _Module, node: Node) -> str | None:
    """The specifier of `require('./x')`, else None."""
    if node.type != "call_expression":
        return None
    fn, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
    if fn is None or args is None or _text(m, fn) != "require" or len(args.named_children) != 1:
        return None
    arg = args.named_children[0]
    return _string_text(m, arg) if arg.type == "string" else None


_JSONC_NOISE = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _read_tsconfig(path: Path) -> tuple[dict[str, Any], str] | None:
    """`compilerOptions.paths` and `baseUrl` of a tsconfig.json (JSON with comments and trailing commas)."""
    try:
        text = read_text(path)
        data = json.loads(_TRAILING_COMMA.sub(r"\1", _JSONC_NOISE.sub(lambda mt: mt.group(1) or "", text)))
    except (InputError, OSError, ValueError, RecursionError):
        return None
    options = data.get("compilerOptions") if isinstance(data, dict) else None
    paths = options.get("paths") if isinstance(options, dict) else None
    if not isinstance(paths, dict):
        return None
    base_url = options.get("baseUrl") if isinstance(options, dict) else None
    return paths, base_url if isinstance(base_url, str) else "."


def _first_error_line(root: Node) -> int:
    todo = [root]
    while todo:
        node = todo.pop()
        if node.type == "ERROR" or node.is_missing:
            return _line(node)
        if node.has_error:
            todo.extend(reversed(node.children))
    return 0


__all__ = ["SCRIPT_NAMES", "ScriptConfig", "modules_read", "origins", "read"]
