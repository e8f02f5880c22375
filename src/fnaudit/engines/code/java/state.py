"""The state of one Java method's walk, and how the walk reaches the rest of the project."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from tree_sitter import Node

from fnaudit.engines.code.files import SourceFile
from fnaudit.engines.code.java.parse import ClassDecl
from fnaudit.engines.code.taint.values import Env, Summary, Val
from fnaudit.model.loc import Loc


class Calls(Protocol):
    """How the walk reaches the rest of the project (implemented by the analyser)."""

    def call(self, w: Walk, owner: str | None, name: str, args: list[Val], node: Node) -> Val | None:
        """The value of a call of method `name` of project class `owner` (None: the walked class and its
        superclasses), its events applied to `w.summary`; None when no such project method exists."""
        ...

    def is_class(self, w: Walk, simple: str) -> bool:
        """Whether `simple` names a class of the project's source root (seen from the walked file)."""
        ...


@dataclass(slots=True)
class Walk:
    """The state of one method's walk."""

    file: SourceFile
    cls: ClassDecl
    calls: Calls
    summary: Summary
    fields: dict[str, Val]  # the class's fields, shared by the walks of its methods (see `_store_field`)
    event_index: int | None  # the handler's event parameter (its reads stored in a field become `EVENT`)
    env: Env = field(default_factory=dict)
    ended: bool = False
    types: dict[str, str] = field(default_factory=dict)  # local or field name → declared simple type
    tags: dict[str, str] = field(default_factory=dict)  # local name → configuration tag (see `tag`)
    hosts: dict[str, str] = field(default_factory=dict)  # `host` local → the URL local it is the host of
    loops: int = 0  # loops the walk is inside

    def loc(self, node: Node) -> Loc:
        return Loc(self.file.rel, node.start_point[0] + 1)
