"""Everything one function's analysis knows while it walks the function, declared in one place.

`FunctionState` is the only mutable object of a walk: the collaborators (`Statements`,
`Bindings`, `Expressions`, `Calls`, `Checks`, `Callees`) read and change it and keep nothing of
their own. The values it holds that describe something found in the code (`Callee`, `Instance`,
`PendingSchema`, `PendingObject`) are frozen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fnaudit.engines.code.javascript.modules import JsModule, Node, text
from fnaudit.engines.code.javascript.taint.syntax import param_name
from fnaudit.engines.code.taint.values import Event, Summary, Val
from fnaudit.model.loc import Loc

if TYPE_CHECKING:
    from fnaudit.engines.code.javascript.taint.engine import JsTaintEngine

# a module-level name found by the module graph: the module that defines it and its value node
Found = tuple[JsModule, Node]

_PATTERN_TYPES = frozenset(
    {
        "pair_pattern",
        "object_pattern",
        "array_pattern",
        "assignment_pattern",
        "rest_pattern",
        "object_assignment_pattern",
    }
)


@dataclass(frozen=True, slots=True)
class Callee:
    """A function of the analysed package that a call reaches (found by `Callees.internal_target`)."""

    module: JsModule
    node: Node  # the function (or, when `is_class`, the class) node
    cls: Node | None = None  # the class whose method it is, when called with a receiver (`this` is parameter 0)
    bound: bool = False  # the call's receiver is the `this` of the method
    is_class: bool = False  # a class called without `new`: nothing flows


@dataclass(frozen=True, slots=True)
class Instance:
    """A variable holding `new Class(...)` of a class of the package: its method calls are followed."""

    module: JsModule
    cls: Node


@dataclass(frozen=True, slots=True)
class Partial:
    """`f.bind(thisArg, a, b)`: calling it calls `f` with `a, b` before its own arguments.

    The bound values are taken when `bind` runs (as JavaScript does), so later assignments to `a` do not
    change them; `func` is the expression bound (`runQ`, `repo.find`, a function literal, another bind).
    """

    func: Node
    args: tuple[Val, ...]
    this: Val


@dataclass(frozen=True, slots=True)
class PendingSchema:
    """A schema validation just evaluated (`schema.parse(x)`), consumed by the assignment that takes its result.

    `fields` maps each field of the schema to whether the schema pins its value down; `field` is the key of
    the result that holds the validated object (`data` of `safeParse`), None when the result is the object.
    """

    fields: dict[str, bool]
    field: str | None = None


@dataclass(frozen=True, slots=True)
class PendingObject:
    """A `new Class(...)` just evaluated, consumed by the assignment that names the instance."""

    module: JsModule
    cls: Node
    attrs: dict[str, Val]  # `this.x` after the constructor, in terms of the call's arguments


@dataclass(slots=True)
class FunctionState:
    """The state of one function's walk. Every field the analysis reads or writes is declared here."""

    engine: JsTaintEngine  # summaries of the other functions of the scan
    module: JsModule
    node: Node  # the function analysed
    code_root: Path
    cls: Node | None  # the class of a method analysed with `this` as parameter 0
    summary: Summary  # what the walk produces: return value, events, returns, `this` attributes
    env: dict[str, Val] = field(default_factory=dict)  # variable or access path (`a.b.c`) → value
    types: dict[str, str] = field(default_factory=dict)  # variable → what it is (`axios`), when known
    local_funcs: dict[str, Node] = field(default_factory=dict)  # functions declared inside: inlined at calls
    objects: dict[str, Instance] = field(default_factory=dict)  # variable → instance of a class of the package
    validated: dict[str, dict[str, bool]] = field(default_factory=dict)  # variable → schema fields it passed
    locals: set[str] = field(default_factory=set)  # names declared in the function (they shadow module names)
    callback_names: set[str] = field(default_factory=set)  # `callback(null, response)` parameters
    ret_stack: list[list[Val]] = field(default_factory=list)  # return values of the inline functions being walked
    inline_depth: int = 0
    inlining: set[int] = field(default_factory=set)  # ids of the inline functions being walked (no recursion)
    # `f.bind(...)` calls evaluated, by their span (a callback argument is found by its node), and the variables
    # holding one: a later call of either calls the bound function
    bound: dict[tuple[int, int], Partial] = field(default_factory=dict)
    partials: dict[str, Partial] = field(default_factory=dict)
    # `resolve` parameters of `new Promise((resolve) => …)` executors being walked → what they were called with
    resolvers: dict[str, Val] = field(default_factory=dict)
    assigned: dict[str, Node] = field(default_factory=dict)  # variable → the expression it was last assigned
    # parameter index → the argument values of each call of that parameter (`fn(x)`, `callback(null, data)`), in
    # terms of the parameters: a caller handing a function literal in that slot walks it with them
    param_calls: dict[int, list[list[Val]]] = field(default_factory=dict)
    pending_schema: PendingSchema | None = None
    pending_object: PendingObject | None = None

    def loc(self, node: Node) -> Loc:
        return Loc(self.module.rel, node.start_point[0] + 1)

    def event(self, kind: str, call: str, node: Node, val: Val) -> None:
        # a value cleared for this kind of event is not part of it (a number cast from the event, logged)
        val = {r: s for r, s in val.items() if kind not in r.cleared} if any(r.cleared for r in val) else val
        if val:
            self.summary.events.append(Event(kind, call, self.loc(node), tuple(val.items())))

    def is_module_mutable(self, name: str) -> bool:
        return name not in self.locals and name in self.module.mutable

    def pattern_locals(self, pat: Node) -> None:
        if pat.type == "identifier":
            self.locals.add(text(pat))
            return
        for c in pat.named_children:
            if c.type in ("identifier", "shorthand_property_identifier_pattern"):
                self.locals.add(text(c))
            elif c.type in _PATTERN_TYPES:
                self.pattern_locals(c)

    def collect_locals(self, body: Node | None) -> None:
        if body is None:
            return
        for n in self.module.subtree(body):  # sets only: the order of the walk does not matter
            t = n.type
            if t == "variable_declarator":
                name = n.child_by_field_name("name")
                if name is not None:
                    self.pattern_locals(name)
            elif t in ("function_declaration", "generator_function_declaration"):
                name = n.child_by_field_name("name")
                if name is not None:
                    self.locals.add(text(name))
            elif t == "catch_clause":
                p = n.child_by_field_name("parameter")
                if p is not None:
                    self.pattern_locals(p)
            elif t == "formal_parameters":
                for p in n.named_children:
                    self.locals.add(param_name(p, 0))
