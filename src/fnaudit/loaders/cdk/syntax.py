"""The part of a CDK program the loader reads, in one form for TypeScript and Python.

Both parsers (`parse_ts.py`, `parse_py.py`) write a file as these nodes: expressions that build
constructs and values, assignments, expression statements, classes with their constructor. Anything
else (loops, conditionals, functions) is not written out: what it computes stays unknown. Names of
properties and methods are in the TypeScript spelling (`grantReadWriteData`); Python's snake case is
converted when parsed, so one interpreter reads both.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Lit:
    value: str | int | float | bool | None
    line: int


@dataclass(frozen=True, slots=True)
class Name:
    id: str
    line: int


@dataclass(frozen=True, slots=True)
class Attr:
    obj: Expr
    name: str
    line: int


@dataclass(frozen=True, slots=True)
class Call:
    func: Expr
    args: tuple[Expr, ...]
    kwargs: tuple[tuple[str, Expr, int], ...]  # Python keyword arguments: (name, value, line)
    line: int


@dataclass(frozen=True, slots=True)
class Obj:
    items: tuple[tuple[str, Expr, int], ...]  # (key, value, line of the key)
    line: int


@dataclass(frozen=True, slots=True)
class Arr:
    items: tuple[Expr, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Tmpl:
    """A template string or f-string: text and expressions in order."""

    parts: tuple[str | Expr, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Other:
    """An expression the loader does not interpret: its source text names the unknown value."""

    text: str
    line: int


Expr = Lit | Name | Attr | Call | Obj | Arr | Tmpl | Other


@dataclass(frozen=True, slots=True)
class Assign:
    target: str  # `x`, or `this.x` for a field (`self.x` in Python is written `this.x`)
    value: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Stmt:
    value: Expr
    line: int


Statement = Assign | Stmt


@dataclass(frozen=True, slots=True)
class ClassDef:
    name: str
    base: Expr | None
    params: tuple[str, ...]  # constructor parameters, `self` left out
    body: tuple[Statement, ...]  # the constructor's statements
    line: int


@dataclass(frozen=True, slots=True)
class Import:
    module: str  # as written: 'aws-cdk-lib/aws-lambda', '../lib/stack', 'aws_cdk.aws_lambda', '.stack'
    member: str | None  # the imported name; None for the module itself (`import * as x`, `import x`)


@dataclass(slots=True)
class Module:
    rel: str
    imports: dict[str, Import] = field(default_factory=dict)  # local name → what it is
    classes: dict[str, ClassDef] = field(default_factory=dict)
    body: list[Statement] = field(default_factory=list)  # top-level statements
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, what): loops, conditionals not read


def camel(name: str) -> str:
    """`grant_read_write_data` → `grantReadWriteData`; names with capitals (`PYTHON_3_12`) are kept."""
    if name != name.lower() or "_" not in name.strip("_"):
        return name
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)
