"""A Terraform plan in JSON (`terraform show -json plan.out`) as the module scope the lowering reads.

A plan has every value Terraform could know before apply already resolved (variables, `count` /
`for_each`, modules, functions), so each planned resource instance becomes a block of JSON values.
What stays unknown until apply (an ARN AWS assigns) is absent from the plan's values; for those, the
plan's `configuration` section names the references the expression makes, and the reference stands in
for the value, as it does when the `.tf` files are read. Locations are taken from the `.tf` files next
to the plan when they are there (the same block, by module path, type and name); otherwise the plan
file itself, without a line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from fnaudit.errors import InputError
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders.terraform.hcl import _NESTED_JSON, Attr, Block, HclError, parse_file
from fnaudit.loaders.terraform.module import Instance, Loaded, ModuleScope, tf_files

MAX_MODULES = 500  # a plan with more module instances than this is read up to here


class PlanScope(ModuleScope):
    """A module instance of a plan: instances come from the plan, not from expanding blocks."""

    def __init__(
        self,
        root: ScanRoot,
        folder: Path,
        prefix: str,
        loaded: Loaded,
        planned: dict[tuple[str, str, str], list[tuple[str, Block]]],
        variables: dict[str, Any],
    ) -> None:
        blocks = [b for items in planned.values() for _, b in items]
        super().__init__(root, folder, prefix, {}, loaded, tfvars=variables, blocks=blocks)
        self.planned = planned
        self.plan_children: dict[str, list[PlanScope]] = {}

    def instances(self, kind: str, rtype: str, name: str) -> list[Instance]:
        return [
            Instance(addr, rtype, name, block, self, {}) for addr, block in self.planned.get((kind, rtype, name), [])
        ]

    def children(self, name: str) -> list[ModuleScope]:
        return list(self.plan_children.get(name, []))

    def all_instances(self) -> Iterator[Instance]:
        for kind, rtype, name in self.planned:
            yield from self.instances(kind, rtype, name)
        for scopes in self.plan_children.values():
            for child in scopes:
                yield from child.all_instances()


def plan_scope(plan: Mapping[str, Any], root: ScanRoot, folder: Path, loaded: Loaded, plan_rel: str) -> ModuleScope:
    variables = {
        k: v.get("value") for k, v in (plan.get("variables") or {}).items() if isinstance(v, Mapping) and "value" in v
    }
    config = (plan.get("configuration") or {}).get("root_module") or {}
    planned = ((plan.get("planned_values") or {}).get("root_module")) or {}
    hcl = _hcl_blocks(root, folder, config, "", loaded)
    return _scope(root, folder, "", planned, config, hcl, variables, loaded, plan_rel, [0])


def _scope(
    root: ScanRoot,
    folder: Path,
    prefix: str,
    module: Mapping[str, Any],
    config: Mapping[str, Any],
    hcl: dict[tuple[str, str, str, str], Block],
    variables: dict[str, Any],
    loaded: Loaded,
    plan_rel: str,
    count: list[int],
) -> PlanScope:
    expressions = {
        (r.get("mode", "managed"), r.get("type", ""), r.get("name", "")): r.get("expressions") or {}
        for r in config.get("resources") or []
        if isinstance(r, Mapping)
    }
    planned: dict[tuple[str, str, str], list[tuple[str, Block]]] = {}
    for res in module.get("resources") or []:
        if not isinstance(res, Mapping):
            continue
        mode = "data" if res.get("mode") == "data" else "resource"
        rtype, name = str(res.get("type", "")), str(res.get("name", ""))
        source = hcl.get((prefix, mode, rtype, name))
        exprs = expressions.get(("data" if mode == "data" else "managed", rtype, name), {})
        block = _block(mode, rtype, name, res.get("values") or {}, exprs, source, plan_rel)
        planned.setdefault((mode, rtype, name), []).append((str(res.get("address", "")), block))
    # data sources the plan does not list (read at apply, or not recorded): their blocks from the `.tf` files
    for (where, mode, rtype, name), block in hcl.items():
        if where == prefix and mode == "data" and ("data", rtype, name) not in planned:
            planned[("data", rtype, name)] = [(f"{prefix}data.{rtype}.{name}", block)]
    scope = PlanScope(root, folder, prefix, loaded, planned, variables if not prefix else {})
    calls = config.get("module_calls") or {}
    for child in module.get("child_modules") or []:
        if not isinstance(child, Mapping) or count[0] >= MAX_MODULES:
            continue
        count[0] += 1
        address = str(child.get("address", ""))
        name = address.rsplit("module.", 1)[-1].split("[", 1)[0]
        call = calls.get(name) or {}
        child_config = call.get("module") or {}
        child_folder = _module_folder(root, folder, call.get("source"))
        scope.plan_children.setdefault(name, []).append(
            _scope(root, child_folder, f"{address}.", child, child_config, hcl, {}, loaded, plan_rel, count)
        )
    return scope


def _block(
    mode: str,
    rtype: str,
    name: str,
    values: Mapping[str, Any],
    exprs: Mapping[str, Any],
    source: Block | None,
    plan_rel: str,
) -> Block:
    rel = source.rel if source is not None else plan_rel
    line = source.line if source is not None else 0
    return Block(mode, (rtype, name), rel, line, *_body(values, exprs, source, rel, line))


def _body(
    values: Mapping[str, Any], exprs: Mapping[str, Any], source: Block | None, rel: str, line: int
) -> tuple[dict[str, Attr], tuple[Block, ...]]:
    attrs: dict[str, Attr] = {}
    blocks: list[Block] = []
    for key, value in values.items():
        at = source.attrs[key].line if source is not None and key in source.attrs else line
        if key in _NESTED_JSON and isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
            nested_sources = source.nested(key) if source is not None else ()
            raw_exprs = exprs.get(key)
            nested_exprs: list[Any] = raw_exprs if isinstance(raw_exprs, list) else []
            for i, item in enumerate(value):
                src = nested_sources[i] if i < len(nested_sources) else None
                ex = nested_exprs[i] if i < len(nested_exprs) and isinstance(nested_exprs[i], Mapping) else {}
                nl = src.line if src is not None else at
                blocks.append(Block(key, (), rel, nl, *_body(item, ex, src, rel, nl)))
            continue
        if value is None:
            continue
        attrs[key] = Attr(key, None, at, json_value=_literal(value))
    # unknown until apply: the expression's first reference stands in for the value; a zip built by an
    # `archive_file` is better known by that reference (it names the code's folder) than by its path
    for key, expr in exprs.items():
        if not isinstance(expr, Mapping):
            continue
        refs = [r for r in expr.get("references") or [] if isinstance(r, str) and r.count(".") >= 2]
        if key in attrs and not any(r.startswith("data.archive_file.") for r in refs):
            continue
        if refs:
            at = source.attrs[key].line if source is not None and key in source.attrs else line
            attrs[key] = Attr(key, None, at, json_value="${" + refs[0] + "}")
    return attrs, tuple(blocks)


def _literal(value: Any) -> Any:
    """Plan values are final: a `${` in one is text, not a template (escaped so it is not evaluated)."""
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, list):
        return [_literal(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _literal(v) for k, v in value.items()}
    return value


def _module_folder(root: ScanRoot, folder: Path, source: Any) -> Path:
    if isinstance(source, str) and source.startswith(("./", "../")):
        try:
            return root.resolve_inside(folder, source)
        except InputError:
            return folder
    return folder


def _hcl_blocks(
    root: ScanRoot, folder: Path, config: Mapping[str, Any], prefix: str, loaded: Loaded, depth: int = 0
) -> dict[tuple[str, str, str, str], Block]:
    """(module prefix, mode, type, name) → the block in the `.tf` files beside the plan, for lines."""
    out: dict[tuple[str, str, str, str], Block] = {}
    if depth > 8 or not folder.is_dir():
        return out
    for path in tf_files(folder):
        rel = root.rel(path)
        try:
            blocks = parse_file(rel, read_text(path))
        except (HclError, InputError):
            continue
        loaded.files.append(rel)
        for b in blocks:
            if b.type in ("resource", "data") and len(b.labels) == 2:
                out[(prefix, b.type, b.labels[0], b.labels[1])] = b
    for name, call in (config.get("module_calls") or {}).items():
        if isinstance(call, Mapping):
            child = _module_folder(root, folder, call.get("source"))
            if child != folder:
                out.update(
                    _hcl_blocks(root, child, call.get("module") or {}, f"{prefix}module.{name}.", loaded, depth + 1)
                )
    return out
