"""CloudFormation intrinsic functions, evaluated as far as the template alone allows.

`Resolver(template, rel, params)` evaluates `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`,
`Fn::Select`, `Fn::Split`, `Fn::If` (with `Conditions`), `Fn::FindInMap`, `Fn::ImportValue`,
`Fn::Base64` and dynamic references (`{{resolve:secretsmanager:…}}`, `{{resolve:ssm:…}}`,
`{{resolve:ssm-secure:…}}`) into a `Value`:

- fully known → `Origin.SET` (with `Ref(SECRET_ARN)` when the text is a secret / parameter ARN);
- not knowable from the template (a resource attribute, an import, a parameter without a value,
  a secret store) → `Origin.UNRESOLVED` with a `Ref` saying what it points at and its text.

`template` may be a whole template or just `{"Resources": …, "Outputs": …}` (a serverless
`resources:` block). Evaluation is bounded (depth, string size) so hostile templates with
self-referencing conditions or exploding joins end as UNRESOLVED, never as a hang.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fnaudit.loaders._iam import render
from fnaudit.model.loc import Loc, Origin, Ref, RefKind, Value

MAX_DEPTH = 64  # nested intrinsics (including conditions referring to conditions)
MAX_TEXT = 100_000  # characters of one evaluated string

SECRET_TYPES = frozenset({"AWS::SecretsManager::Secret", "AWS::SSM::Parameter"})

_PSEUDO_UNRESOLVED = ("AWS::AccountId", "AWS::StackName", "AWS::StackId", "AWS::NotificationARNs")
_DYNAMIC = re.compile(r"\{\{resolve:(secretsmanager|ssm-secure|ssm):.*?\}\}")
_DYNAMIC_KIND = {"secretsmanager": RefKind.SECRETS_MANAGER, "ssm-secure": RefKind.SSM_SECURE, "ssm": RefKind.SSM}
_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:(secretsmanager:[^:]*:[^:]*:secret:|ssm:[^:]*:[^:]*:parameter/)")
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


class Unresolved(Exception):
    """Raised inside evaluation: the value depends on something the template does not say."""

    def __init__(self, ref: Ref) -> None:
        super().__init__(ref.text)
        self.ref = ref


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """A `Ref` / `Fn::GetAtt` / `${X}` / `${X.Attr}` pointing at a resource of the template."""

    logical_id: str
    attribute: str | None  # None for Ref


def dynamic_reference(text: str) -> Ref | None:
    """The secret-store reference a string contains (`{{resolve:…}}`), if any."""
    m = _DYNAMIC.search(text)
    return Ref(_DYNAMIC_KIND[m.group(1)], text) if m else None


def is_secret_arn(text: str) -> bool:
    return bool(_SECRET_ARN.match(text))


class Resolver:
    """Evaluates intrinsic functions against one template (see the module docstring)."""

    def __init__(
        self, template: Mapping[str, Any], rel: str, params: Mapping[str, str] | None = None, region: str = "us-east-1"
    ) -> None:
        self.rel = rel
        self.region = region
        self.resources: Mapping[str, Any] = _mapping(template.get("Resources"))
        self.parameters: Mapping[str, Any] = _mapping(template.get("Parameters"))
        self.conditions: Mapping[str, Any] = _mapping(template.get("Conditions"))
        self.mappings: Mapping[str, Any] = _mapping(template.get("Mappings"))
        self.params = dict(params or {})
        self.resource_values: dict[str, str] = {}

    def with_resource_values(self, values: Mapping[str, str]) -> Resolver:
        """A copy in which `Ref <logical id>` of the given resources evaluates to the given text.

        Used to compare names built from resources, e.g. a log group `/aws/lambda/${Fn}`
        against the function's name, where the real physical name is only known at deploy time.
        """
        other = Resolver.__new__(Resolver)
        other.__dict__.update(self.__dict__)
        other.resource_values = {**self.resource_values, **values}
        return other

    # ---- public API -------------------------------------------------------------------------

    def resource_type(self, logical_id: str) -> str | None:
        res = self.resources.get(logical_id)
        t = res.get("Type") if isinstance(res, Mapping) else None
        return t if isinstance(t, str) else None

    def value(self, raw: Any, loc: Loc) -> Value[Any]:
        """`raw` evaluated: SET when known, UNRESOLVED (with its `Ref`) when not."""
        try:
            out = self.evaluate(raw)
        except Unresolved as exc:
            dyn = dynamic_reference(exc.ref.text)
            return Value.unresolved(loc, dyn or exc.ref)
        if isinstance(out, str):
            dyn = dynamic_reference(out)
            if dyn is not None:
                return Value.unresolved(loc, dyn)
            if is_secret_arn(out):
                return Value(out, loc, Origin.SET, Ref(RefKind.SECRET_ARN, out))
        return Value(out, loc, Origin.SET)

    def string(self, raw: Any, loc: Loc) -> Value[str]:
        """Like `value`, with scalars turned into their CloudFormation string form."""
        v = self.value(raw, loc)
        if v.origin is Origin.SET and isinstance(v.value, list | dict):
            # a list or mapping where a string belongs: keep the text, never pretend it is a value
            return Value.unresolved(loc, Ref(RefKind.OTHER, render(raw)))
        if v.origin is Origin.SET and not isinstance(v.value, str):
            return Value(_scalar_text(v.value), v.loc, v.origin, v.ref)
        return v  # Value[Any]: a set string, or unresolved

    def text(self, raw: Any) -> str | None:
        """The evaluated string, or None when it cannot be known."""
        try:
            out = self.evaluate(raw)
        except Unresolved:
            return None
        return _scalar_text(out) if out is not None and not isinstance(out, list | dict) else None

    def display(self, raw: Any) -> str:
        """The evaluated string when known, else the readable form as written (`!GetAtt Role.Arn`)."""
        try:
            out = self.evaluate(raw)
        except Unresolved as exc:
            # a Sub keeps what could be substituted (`!Sub arn:aws:…:${Api}/*/GET/items`)
            return exc.ref.text if exc.ref.text.startswith("!Sub ") else render(raw)
        return _scalar_text(out) if out is not None and not isinstance(out, list | dict) else render(raw)

    def evaluate_safe(self, raw: Any) -> Any:
        """`evaluate`, with None when the value cannot be known."""
        try:
            return self.evaluate(raw)
        except Unresolved:
            return None

    def condition(self, name: str) -> bool | None:
        """A named condition's truth, or None when it depends on unknown values."""
        return self._condition({"Condition": name}, 0)

    def resource_refs(self, raw: Any) -> list[ResourceRef]:
        """Every resource of the template that `raw` mentions (Ref, GetAtt, Sub variables), in order."""
        out: list[ResourceRef] = []
        self._collect_refs(raw, out, 0)
        return out

    def evaluate(self, raw: Any, depth: int = 0) -> Any:
        """Plain data with intrinsics evaluated; raises `Unresolved`."""
        if depth > MAX_DEPTH:
            raise Unresolved(Ref(RefKind.OTHER, "expression nests too deeply"))
        if isinstance(raw, Mapping):
            if len(raw) == 1:
                ((name, arg),) = raw.items()
                handler = _FUNCTIONS.get(name)
                if handler is not None:
                    return handler(self, arg, depth + 1)
                if name.startswith("Fn::"):
                    raise Unresolved(Ref(RefKind.OTHER, render(raw)))
            return {k: self.evaluate(v, depth + 1) for k, v in raw.items()}
        if isinstance(raw, list):
            return [self.evaluate(v, depth + 1) for v in raw]
        return raw

    # ---- intrinsic functions ----------------------------------------------------------------

    def _ref(self, arg: Any, depth: int) -> Any:
        name = arg if isinstance(arg, str) else self._str(arg, depth)
        if name in self.parameters:
            return self._parameter(name)
        if name == "AWS::Region":
            return self.region
        if name == "AWS::Partition":
            return "aws"
        if name == "AWS::URLSuffix":
            return "amazonaws.com"
        if name == "AWS::NoValue":
            return None
        if name in _PSEUDO_UNRESOLVED:
            raise Unresolved(Ref(RefKind.AWS, f"!Ref {name}"))
        if name in self.resource_values:
            return self.resource_values[name]
        if name in self.resources:
            raise Unresolved(Ref(self._resource_kind(name), f"!Ref {name}"))
        if name in self.params:  # a value given on the command line for a parameter we do not see
            return self.params[name]
        raise Unresolved(Ref(RefKind.OTHER, f"!Ref {name}"))

    def _parameter(self, name: str) -> Any:
        decl = self.parameters.get(name)
        decl = decl if isinstance(decl, Mapping) else {}
        ptype = str(decl.get("Type", ""))
        if name in self.params:
            value: Any = self.params[name]
        elif "Default" in decl:
            value = decl["Default"]
        else:
            raise Unresolved(Ref(RefKind.PARAMETER, f"!Ref {name}"))
        if ptype.startswith("AWS::SSM::Parameter::Value"):
            # the parameter holds an SSM parameter *name*; CloudFormation substitutes its value
            raise Unresolved(Ref(RefKind.SSM, f"ssm:{value}"))
        if ptype.startswith("List<") or ptype == "CommaDelimitedList":
            return [s.strip() for s in str(value).split(",")] if isinstance(value, str) else value
        return value

    def _getatt(self, arg: Any, depth: int) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not isinstance(arg, list) or len(arg) != 2:
            raise Unresolved(Ref(RefKind.OTHER, render({"Fn::GetAtt": arg})))
        lid = arg[0] if isinstance(arg[0], str) else self._str(arg[0], depth)
        attr = arg[1] if isinstance(arg[1], str) else self._str(arg[1], depth)
        kind = self._resource_kind(lid) if lid in self.resources else RefKind.CLOUDFORMATION
        raise Unresolved(Ref(kind, f"!GetAtt {lid}.{attr}"))

    def _sub(self, arg: Any, depth: int) -> Any:
        variables: Mapping[str, Any] = {}
        if isinstance(arg, list) and arg:
            template = arg[0]
            variables = arg[1] if len(arg) > 1 and isinstance(arg[1], Mapping) else {}
        else:
            template = arg
        if not isinstance(template, str):
            raise Unresolved(Ref(RefKind.OTHER, render({"Fn::Sub": arg})))
        pieces: list[str] = []
        missing: list[Ref] = []
        pos = 0
        for m in _SUB_VAR.finditer(template):
            pieces.append(template[pos : m.start()])
            pos = m.end()
            var = m.group(1)
            if var.startswith("!"):  # ${!Literal} is the text ${Literal}
                pieces.append("${" + var[1:] + "}")
                continue
            try:
                if var in variables:
                    val = self.evaluate(variables[var], depth + 1)
                elif "." in var and var.split(".", 1)[0] in self.resources:
                    val = self._getatt(var.split(".", 1), depth + 1)
                else:
                    val = self._ref(var, depth + 1)
                pieces.append(_scalar_text(val))
            except Unresolved as exc:
                missing.append(exc.ref)
                pieces.append(m.group(0))
        pieces.append(template[pos:])
        out = "".join(pieces)
        if missing:
            kinds = [r.kind for r in missing]
            kind = next((k for k in kinds if k.is_secret_store), kinds[0])
            raise Unresolved(Ref(kind, f"!Sub {out}"))
        return self._bounded(out)

    def _join(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            raise Unresolved(Ref(RefKind.OTHER, render({"Fn::Join": arg})))
        sep = self._str(arg[0], depth)
        items = self.evaluate(arg[1], depth + 1)
        if not isinstance(items, list):
            raise Unresolved(Ref(RefKind.OTHER, render({"Fn::Join": arg})))
        return self._bounded(sep.join(_scalar_text(i) for i in items if i is not None))

    def _select(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            raise Unresolved(Ref(RefKind.OTHER, render({"Fn::Select": arg})))
        index = self.evaluate(arg[0], depth + 1)
        items = self.evaluate(arg[1], depth + 1)
        try:
            return items[int(index)]
        except (TypeError, ValueError, IndexError, KeyError):
            raise Unresolved(Ref(RefKind.OTHER, render({"Fn::Select": arg}))) from None

    def _split(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            raise Unresolved(Ref(RefKind.OTHER, render({"Fn::Split": arg})))
        sep = self._str(arg[0], depth)
        if not sep:
            raise Unresolved(Ref(RefKind.OTHER, render({"Fn::Split": arg})))
        return self._str(arg[1], depth).split(sep)

    def _if(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
            raise Unresolved(Ref(RefKind.OTHER, render({"Fn::If": arg})))
        truth = self._condition({"Condition": arg[0]}, depth + 1)
        if truth is None:
            # both branches stay possible: say so rather than guess one
            raise Unresolved(Ref(RefKind.PARAMETER, render({"Fn::If": arg})))
        return self.evaluate(arg[1] if truth else arg[2], depth + 1)

    def _find_in_map(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) >= 3):
            raise Unresolved(Ref(RefKind.OTHER, render({"Fn::FindInMap": arg})))
        keys = [self._str(a, depth) for a in arg[:3]]
        try:
            found = self.mappings[keys[0]][keys[1]][keys[2]]
        except (KeyError, TypeError):
            if len(arg) > 3 and isinstance(arg[3], Mapping) and "DefaultValue" in arg[3]:
                return self.evaluate(arg[3]["DefaultValue"], depth + 1)
            raise Unresolved(Ref(RefKind.OTHER, render({"Fn::FindInMap": arg}))) from None
        return self.evaluate(found, depth + 1)

    def _import(self, arg: Any, depth: int) -> Any:
        try:
            name = self._str(arg, depth)
        except Unresolved:
            name = render(arg)
        raise Unresolved(Ref(RefKind.CLOUDFORMATION, f"!ImportValue {name}"))

    def _base64(self, arg: Any, depth: int) -> Any:
        return self.evaluate(arg, depth + 1)  # the plain text is what a reader cares about

    def _getazs(self, arg: Any, depth: int) -> Any:
        raise Unresolved(Ref(RefKind.AWS, render({"Fn::GetAZs": arg})))

    def _condition_fn(self, arg: Any, depth: int) -> Any:
        truth = self._condition({"Condition": arg}, depth)
        if truth is None:
            raise Unresolved(Ref(RefKind.PARAMETER, f"!Condition {render(arg)}"))
        return truth

    # ---- conditions -------------------------------------------------------------------------

    def _condition(self, raw: Any, depth: int) -> bool | None:
        if depth > MAX_DEPTH:
            return None  # also ends conditions that refer to themselves
        if isinstance(raw, bool):
            return raw
        if not (isinstance(raw, Mapping) and len(raw) == 1):
            return None
        ((name, arg),) = raw.items()
        if name == "Condition":
            body = self.conditions.get(arg) if isinstance(arg, str) else None
            return None if body is None else self._condition(body, depth + 1)
        if name == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            try:
                a, b = (self.evaluate(x, depth + 1) for x in arg)
            except Unresolved:
                return None
            return _scalar_text(a) == _scalar_text(b)
        if name == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            inner = self._condition(arg[0], depth + 1)
            return None if inner is None else not inner
        if name in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            values = [self._condition(a, depth + 1) for a in arg]
            decisive: bool = name == "Fn::Or"  # True decides an Or, False decides an And
            if decisive in values:
                return decisive
            return None if None in values else not decisive
        return None

    # ---- helpers ----------------------------------------------------------------------------

    def _str(self, raw: Any, depth: int) -> str:
        out = self.evaluate(raw, depth + 1)
        if isinstance(out, list | dict) or out is None:
            raise Unresolved(Ref(RefKind.OTHER, render(raw)))
        return _scalar_text(out)

    def _bounded(self, text: str) -> str:
        if len(text) > MAX_TEXT:
            raise Unresolved(Ref(RefKind.OTHER, f"string longer than {MAX_TEXT:,} characters"))
        return text

    def _resource_kind(self, logical_id: str) -> RefKind:
        return RefKind.SECRET_RESOURCE if self.resource_type(logical_id) in SECRET_TYPES else RefKind.CLOUDFORMATION

    def _collect_refs(self, raw: Any, out: list[ResourceRef], depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        if isinstance(raw, list):
            for item in raw:
                self._collect_refs(item, out, depth + 1)
            return
        if not isinstance(raw, Mapping):
            return
        if len(raw) == 1:
            ((name, arg),) = raw.items()
            if name == "Ref" and isinstance(arg, str) and arg in self.resources:
                out.append(ResourceRef(arg, None))
                return
            if name == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else arg
                if isinstance(parts, list) and parts and isinstance(parts[0], str) and parts[0] in self.resources:
                    attr = parts[1] if len(parts) > 1 and isinstance(parts[1], str) else None
                    out.append(ResourceRef(parts[0], attr))
                    return
            if name == "Fn::Sub":
                template = arg[0] if isinstance(arg, list) and arg else arg
                variables = arg[1] if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], Mapping) else {}
                if isinstance(template, str):
                    for m in _SUB_VAR.finditer(template):
                        var = m.group(1)
                        if var in variables:
                            self._collect_refs(variables[var], out, depth + 1)
                            continue
                        lid, _, attr = var.partition(".")
                        if lid in self.resources:
                            out.append(ResourceRef(lid, attr or None))
                return
        for v in raw.values():
            self._collect_refs(v, out, depth + 1)


_FUNCTIONS = {
    "Ref": Resolver._ref,
    "Fn::GetAtt": Resolver._getatt,
    "Fn::Sub": Resolver._sub,
    "Fn::Join": Resolver._join,
    "Fn::Select": Resolver._select,
    "Fn::Split": Resolver._split,
    "Fn::If": Resolver._if,
    "Fn::FindInMap": Resolver._find_in_map,
    "Fn::ImportValue": Resolver._import,
    "Fn::Base64": Resolver._base64,
    "Fn::GetAZs": Resolver._getazs,
    "Condition": Resolver._condition_fn,
}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _scalar_text(value: Any) -> str:
    """CloudFormation's string form of a scalar (booleans are `true`/`false`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
