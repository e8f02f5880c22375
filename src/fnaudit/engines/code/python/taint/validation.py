"""Schema validation: fields a JSON schema or a pydantic model constrains to a non-free-text value."""

from __future__ import annotations

import ast

from fnaudit.engines.code.python.taint.walk import Walk

# -- schema validation -------------------------------------------------------------------------


def record_schema(w: Walk, node: ast.Call) -> None:
    inst = next((k.value for k in node.keywords if k.arg == "instance"), node.args[0] if node.args else None)
    schema = next((k.value for k in node.keywords if k.arg == "schema"), node.args[1] if len(node.args) > 1 else None)
    if isinstance(schema, ast.Name) and schema.id not in w.locals:
        schema = w.module.globals.get(schema.id)
    if not isinstance(inst, ast.Name) or not isinstance(schema, ast.Dict):
        return
    props = _dict_get(schema, "properties")
    if not isinstance(props, ast.Dict):
        return
    fields: dict[str, bool] = {}
    for k, v in zip(props.keys, props.values, strict=True):
        if isinstance(k, ast.Constant) and isinstance(k.value, str) and isinstance(v, ast.Dict):
            fields[k.value] = _schema_constrains(v)
    w.validated[inst.id] = fields


def model_fields(w: Walk, call: ast.Call) -> dict[str, bool] | None:
    """Fields of a pydantic model built from data (`M(**d)`, `M.model_validate(d)`, `M.parse_raw(s)`…)."""
    func = call.func
    cls_node: ast.expr | None = None
    if isinstance(func, ast.Name):
        cls_node = func
    elif isinstance(func, ast.Attribute) and func.attr in (
        "model_validate",
        "model_validate_json",
        "parse_obj",
        "parse_raw",
        "validate",
        "construct_validated",
    ):
        cls_node = func.value
    if not isinstance(cls_node, ast.Name):
        return None
    cls = w.module.classes.get(cls_node.id)
    if cls is None:
        imp = w.module.imports.get(cls_node.id)
        if imp is not None and imp[0] == "symbol":
            level = len(imp[1]) - len(imp[1].lstrip("."))
            mod = w.engine.graph.resolve(w.module, imp[1].lstrip("."), level, w.code_root)
            cls = mod.classes.get(imp[2]) if mod is not None else None
    if cls is None or not any(_base_name(b) in ("BaseModel", "RootModel", "BaseSettings") for b in cls.bases):
        return None
    fields: dict[str, bool] = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            fields[stmt.target.id] = _annotation_constrains(stmt.annotation)
    return fields


_CONSTRAINED_TYPES = frozenset(
    {
        "int",
        "float",
        "bool",
        "UUID",
        "UUID4",
        "UUID1",
        "date",
        "datetime",
        "time",
        "timedelta",
        "Decimal",
        "PositiveInt",
        "NegativeInt",
        "NonNegativeInt",
        "conint",
        "confloat",
        "condecimal",
        "StrictInt",
        "StrictBool",
        "StrictFloat",
        "Literal",
        "IPvAnyAddress",
        "EmailStr",
        "HttpUrl",
        "AnyHttpUrl",
    }
)


def _annotation_constrains(ann: ast.expr) -> bool:
    """Whether a pydantic field annotation leaves no room for free text (int, UUID, Literal[...], Enum…)."""
    if isinstance(ann, ast.Subscript):
        if _base_name(ann.value) == "Optional":
            return _annotation_constrains(ann.slice)
        if _base_name(ann.value) == "Annotated" and isinstance(ann.slice, ast.Tuple) and ann.slice.elts:
            return _annotation_constrains(ann.slice.elts[0])
        return _base_name(ann.value) == "Literal"
    if isinstance(ann, ast.Call):  # conint(...), constr(pattern=...)
        name = _base_name(ann.func)
        if name == "constr":
            return any(k.arg in ("pattern", "regex") for k in ann.keywords)
        return name in _CONSTRAINED_TYPES
    if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):  # int | None
        parts = [ann.left, ann.right]
        return all(_annotation_constrains(p) or (isinstance(p, ast.Constant) and p.value is None) for p in parts)
    return _base_name(ann) in _CONSTRAINED_TYPES


def _schema_constrains(prop: ast.Dict) -> bool:
    """Whether a JSON-schema property pins the value down (number, boolean, enum, const, pattern, uuid…)."""
    t = _dict_get(prop, "type")
    if isinstance(t, ast.Constant) and t.value in ("integer", "number", "boolean"):
        return True
    if (
        _dict_get(prop, "enum") is not None
        or _dict_get(prop, "const") is not None
        or _dict_get(prop, "pattern") is not None
    ):
        return True
    fmt = _dict_get(prop, "format")
    return isinstance(fmt, ast.Constant) and fmt.value in ("uuid", "date", "date-time", "email", "ipv4", "ipv6")


def _dict_get(d: ast.Dict, key: str) -> ast.expr | None:
    for k, v in zip(d.keys, d.values, strict=True):
        if isinstance(k, ast.Constant) and k.value == key:
            return v
    return None


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
