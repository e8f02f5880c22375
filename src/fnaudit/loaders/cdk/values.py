"""What evaluating a CDK expression gives: a plain value, a library symbol, a construct, or an unknown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fnaudit.loaders.cdk.syntax import ClassDef, Module
from fnaudit.loaders.lowered import Cfn as Cfn  # re-exported: the value type every lowered dialect shares


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value only running the app would give (a computed name, a context lookup): never guessed; it
    becomes a template parameter named by the expression."""

    text: str
    why: str = "not known without running the CDK app"


@dataclass(frozen=True, slots=True)
class Sym:
    """A name of the CDK library: `aws-lambda.Runtime.PYTHON_3_12`, `Duration.seconds`, `aws-iam.Role`."""

    path: str

    def attr(self, name: str) -> Sym:
        if "." not in self.path and name.startswith("aws_"):  # `cdk.aws_lambda`: a service namespace
            return Sym(name.replace("_", "-"))
        return Sym(f"{self.path}.{name}" if self.path else name)

    @property
    def last(self) -> str:
        return self.path.rsplit(".", 1)[-1]


@dataclass(frozen=True, slots=True)
class PathV:
    """A file system path built with `path.join(__dirname, ...)`: relative to the scan root."""

    rel: str


@dataclass(slots=True)
class ObjV:
    """An object literal or keyword arguments: key → (value, line of the key)."""

    items: dict[str, tuple[Any, int]]
    line: int

    def get(self, key: str) -> Any:
        found = self.items.get(key)
        return found[0] if found is not None else None

    def line_of(self, key: str) -> int:
        found = self.items.get(key)
        return found[1] if found is not None else self.line


@dataclass(frozen=True, slots=True)
class Made:
    """A helper object of the library that is not a resource: `Duration.seconds(30)`, `Code.fromAsset(p)`,
    `new PolicyStatement({...})`, `new LambdaIntegration(fn)`: its symbol, arguments and line."""

    sym: str
    args: tuple[Any, ...]
    line: int
    rel: str


@dataclass(eq=False, slots=True)
class Construct:
    """A construct made by the app: its kind (`function`, `table`, `role`, `stack`...), construct path
    (the logical id of the resource it is), where it is written, and what later calls need to know."""

    kind: str
    path: str
    rel: str
    line: int
    fields: dict[str, Any] = field(default_factory=dict)  # `this.x = ...` of a user construct
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Klass:
    """A class written in the app (a stack or a construct), with the module it is in."""

    cls: ClassDef
    module: Module


@dataclass(frozen=True, slots=True)
class ModuleV:
    """An app module imported whole (`import * as stacks from './stacks'`)."""

    module: Module
