"""The part of a CDK program the loader reads, in one form for TypeScript and Python.

Both parsers (`parse_ts.py`, `parse_py.py`) write a file as these nodes: expressions that build
constructs and values, assignments, expression statements, loops, conditionals, the app's own functions
and methods, classes with their constructor. Anything else (`while`, `try`, `switch`) is a `Skip`: what
it computes stays unknown. Names of
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


@dataclass(frozen=True, slots=True)
class Op:
    """A comparison or a boolean operator, in one spelling for both languages: `==` (also `===`), `!=`,
    `&&`, `||`, `!`, `in`, `not in`."""

    op: str
    args: tuple[Expr, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Cond:
    """`test ? a : b`, `a if test else b`."""

    test: Expr
    then: Expr
    orelse: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Pattern:
    """What a loop or a parameter binds: a name (`x`), an array (`[k, v]`, Python `k, v`: keys are the
    positions) or an object (`{ name, memory: mem }`): (key, local name) pairs."""

    kind: str  # "name" | "array" | "object"
    names: tuple[tuple[str, str], ...]
    defaults: tuple[tuple[str, Expr], ...] = ()  # local name → its default (`{ memory = 128 }`)


@dataclass(frozen=True, slots=True)
class Param:
    pattern: Pattern
    default: Expr | None


@dataclass(frozen=True, slots=True)
class Lambda:
    """An arrow function, a `function` expression or a Python `lambda`: a function value made where it is
    written (it sees the names around it)."""

    params: tuple[Param, ...]
    body: tuple[Statement, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Comp:
    """A Python list comprehension: `[elt for target in source if cond]` (one `for`)."""

    elt: Expr
    target: Pattern
    source: Expr
    conds: tuple[Expr, ...]
    line: int


Expr = Lit | Name | Attr | Call | Obj | Arr | Tmpl | Other | Op | Cond | Lambda | Comp


@dataclass(frozen=True, slots=True)
class Assign:
    target: str  # `x`, or `this.x` for a field (`self.x` in Python is written `this.x`)
    value: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Stmt:
    value: Expr
    line: int


@dataclass(frozen=True, slots=True)
class For:
    """`for (const x of items)`, `for (const [k, v] of Object.entries(o))`, `for x in items:`."""

    target: Pattern
    source: Expr
    body: tuple[Statement, ...]
    line: int


@dataclass(frozen=True, slots=True)
class If:
    test: Expr
    body: tuple[Statement, ...]
    orelse: tuple[Statement, ...]  # `else if` / `elif` is an `If` here
    line: int


@dataclass(frozen=True, slots=True)
class Return:
    value: Expr | None
    line: int


@dataclass(frozen=True, slots=True)
class Skip:
    """A statement not interpreted (`while`, `try`, `switch`, `with`): said when met, never guessed."""

    what: str
    line: int


@dataclass(frozen=True, slots=True)
class FuncDef:
    """A function or method the app defines (`function createFn(...)`, `def _make_fn(self, ...)`; `self`
    left out). Method names are in the TypeScript spelling, as calls to them are."""

    name: str
    params: tuple[Param, ...]
    body: tuple[Statement, ...]
    line: int


Statement = Assign | Stmt | For | If | Return | Skip


@dataclass(frozen=True, slots=True)
class ClassDef:
    name: str
    base: Expr | None
    params: tuple[str, ...]  # constructor parameters, `self` left out
    body: tuple[Statement, ...]  # the constructor's statements
    line: int
    methods: tuple[FuncDef, ...] = ()
    defaults: tuple[Expr | None, ...] = ()  # the constructor parameters' default values, when written


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
    functions: dict[str, FuncDef] = field(default_factory=dict)  # module-level functions
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, what): loops, conditionals not read


def camel(name: str) -> str:
    """`grant_read_write_data` → `grantReadWriteData`; names with capitals (`PYTHON_3_12`) are kept."""
    if name != name.lower() or "_" not in name.strip("_"):
        return name
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)
