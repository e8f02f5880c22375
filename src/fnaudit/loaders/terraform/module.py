"""One Terraform module instance: its variables, locals, resources, data sources and child modules,
and the references between them (`ModuleScope.reference` answers what `expr.Evaluator` asks).

Resources are expanded by `count` / `for_each` when the collection is known; when it is not, one
instance stands for them all, with `each.*` / `count.index` unknown. Local modules are read
recursively (never outside the scan root); registry and other remote modules are not downloaded:
`registry.py` interprets the well-known Lambda modules, the rest are listed as components.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fnaudit.errors import InputError, ScanError
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders.terraform.expr import Evaluator, Step, apply_steps
from fnaudit.loaders.terraform.hcl import Attr, Block, HclError, parse_file
from fnaudit.loaders.terraform.values import Archive, Cfn, Unknown, as_text, is_known

MAX_MODULE_DEPTH = 8  # module calls nested deeper than this are a loop or generated: not followed
MAX_INSTANCES = 200  # a count / for_each larger than this stands as one instance
# Attributes of a `module` block that are not inputs of the module.
_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})

# Terraform attribute → the CloudFormation attribute a reference to it means (Ref when absent).
_REF_ATTRS = frozenset({"id", "name", "function_name", "bucket", "url", "role", "table_name"})


def tf_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith((".tf", ".tf.json")))


@dataclass(slots=True)
class Loaded:
    """What reading a root module gave: every file read, and the errors met (paths relative to the root)."""

    files: list[str] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    remote_modules: list[tuple[str, str, int, str]] = field(default_factory=list)  # (address, source, line, rel)
    registry: list[tuple[str, Instance]] = field(default_factory=list)  # interpreted registry modules: (source, call)


@dataclass(frozen=True, slots=True)
class Instance:
    """One resource or data source instance: its address, block and the module scope it lives in."""

    address: str  # module.api.aws_lambda_function.this["orders"]
    type: str
    name: str
    block: Block
    scope: ModuleScope
    names: dict[str, Any]  # each / count for this instance

    def evaluator(self, extra: dict[str, Any] | None = None) -> Evaluator:
        source = next(iter(self.block.attrs.values())).source if self.block.attrs else b""
        return Evaluator(self.scope, source, {**self.names, **(extra or {})})

    def value(self, attr: Attr | None) -> Any:
        if attr is None:
            return None
        if attr.expr is None:
            return self.scope.json_value(attr.json_value, self.names)
        return Evaluator(self.scope, attr.source, dict(self.names)).eval(attr.expr)

    def get(self, name: str, block: Block | None = None) -> Any:
        return self.value((block or self.block).attrs.get(name))


class ModuleScope:
    def __init__(
        self,
        root: ScanRoot,
        folder: Path,
        prefix: str,
        inputs: dict[str, Callable[[], Any]],
        loaded: Loaded,
        depth: int = 0,
        root_folder: Path | None = None,
        tfvars: dict[str, Any] | None = None,
    ) -> None:
        self.root = root
        self.folder = folder
        self.rel_folder = root.rel(folder)
        self.prefix = prefix
        self.loaded = loaded
        self.depth = depth
        self.root_folder = root_folder or folder
        self.inputs = inputs
        self.tfvars = tfvars or {}
        self.blocks: list[Block] = []
        for path in tf_files(folder):
            rel = root.rel(path)
            try:
                text = read_text(path)
                self.blocks.extend(parse_file(rel, text))
                loaded.files.append(rel)
            except HclError as exc:
                loaded.errors.append(ScanError(rel, str(exc), "load"))
                loaded.files.append(rel)
            except InputError as exc:
                loaded.errors.append(ScanError(rel, str(exc), "load"))
        self.variables = {b.labels[0]: b for b in self.blocks if b.type == "variable" and b.labels}
        self.locals: dict[str, Attr] = {}
        for b in self.blocks:
            if b.type == "locals":
                self.locals.update(b.attrs)
        self.resources = {
            (b.labels[0], b.labels[1]): b for b in self.blocks if b.type == "resource" and len(b.labels) == 2
        }
        self.data = {(b.labels[0], b.labels[1]): b for b in self.blocks if b.type == "data" and len(b.labels) == 2}
        self.module_blocks = {b.labels[0]: b for b in self.blocks if b.type == "module" and b.labels}
        self.outputs = {b.labels[0]: b for b in self.blocks if b.type == "output" and b.labels}
        self._var_cache: dict[str, Any] = {}
        self._local_cache: dict[str, Any] = {}
        self._busy: set[str] = set()
        self._children: dict[str, list[ModuleScope]] = {}
        self._registry: dict[str, list[tuple[str, str]]] = {}  # module name → (address, source) of its instances
        self._instances: dict[tuple[str, str, str], list[Instance]] = {}

    # ---- values ---------------------------------------------------------------------------------

    def variable(self, name: str) -> Any:
        if name in self._var_cache:
            return self._var_cache[name]
        if f"var.{name}" in self._busy:
            return Unknown(f"var.{name}", "defined in terms of itself")
        self._busy.add(f"var.{name}")
        try:
            if name in self.inputs:
                value = self.inputs[name]()
            elif name in self.tfvars:
                value = self.tfvars[name]
            else:
                block = self.variables.get(name)
                default = block.attrs.get("default") if block is not None else None
                if default is not None:
                    value = Instance("", "variable", name, block, self, {}).value(default)  # type: ignore[arg-type]
                else:
                    value = Unknown(f"var.{name}", "variable without a default and no value given")
        finally:
            self._busy.discard(f"var.{name}")
        self._var_cache[name] = value
        return value

    def local(self, name: str) -> Any:
        if name in self._local_cache:
            return self._local_cache[name]
        attr = self.locals.get(name)
        if attr is None:
            return Unknown(f"local.{name}", "no such local value")
        if f"local.{name}" in self._busy:
            return Unknown(f"local.{name}", "defined in terms of itself")
        self._busy.add(f"local.{name}")
        try:
            value = (
                self.json_value(attr.json_value, {})
                if attr.expr is None
                else Evaluator(self, attr.source).eval(attr.expr)
            )
        finally:
            self._busy.discard(f"local.{name}")
        self._local_cache[name] = value
        return value

    def json_value(self, value: Any, names: dict[str, Any]) -> Any:
        """`.tf.json` values: strings are templates (`"${var.x}"`), evaluated by parsing them as HCL."""
        if isinstance(value, str) and "${" in value:
            from fnaudit.loaders.terraform.hcl import _parser  # the same grammar reads the template

            src = f"x = {_quote(value)}\n".encode()
            tree = _parser().parse(src)
            body = tree.root_node.named_children[0] if tree.root_node.named_children else None
            attr = body.named_children[0] if body is not None and body.named_children else None
            expr = next((c for c in attr.named_children if c.type == "expression"), None) if attr else None
            return Evaluator(self, src, names).eval(expr) if expr is not None else value
        if isinstance(value, list):
            return [self.json_value(v, names) for v in value]
        if isinstance(value, dict):
            return {k: self.json_value(v, names) for k, v in value.items()}
        return value

    def read_file(self, path: Any) -> str | None:
        text = as_text(path)
        if text is None:
            return None
        try:
            target = self.root.resolve_inside(self.folder, text) if not Path(text).is_absolute() else Path(text)
            if not self.root.contains(target):
                return None
            rel = self.root.rel(target)
            content = read_text(target)
        except InputError:
            return None
        self.loaded.files.append(rel)
        return content

    def path_of(self, value: Any) -> str | None:
        """A path written in this module (`"${path.module}/src"`), relative to the scan root."""
        text = as_text(value)
        if text is None:
            return None
        try:
            target = self.root.resolve_inside(self.folder, text)
        except InputError:
            return None
        return self.root.rel(target)

    # ---- references -------------------------------------------------------------------------------

    def reference(self, root: str, steps: list[Step], text: str) -> Any:
        first = steps[0][1] if steps and steps[0][0] == "attr" else None
        rest = steps[1:]
        if root == "var" and first is not None:
            return apply_steps(self.variable(first), rest, text)
        if root == "local" and first is not None:
            return apply_steps(self.local(first), rest, text)
        if root == "path":
            where = {"module": self.folder, "root": self.root_folder, "cwd": self.root_folder}.get(first or "")
            return apply_steps(str(where), rest, text) if where is not None else Unknown(text)
        if root == "terraform" and first == "workspace":
            return "default"
        if root == "module" and first is not None:
            return self._module_output(first, rest, text)
        if root == "data" and first is not None and rest and rest[0][0] == "attr":
            return self._resource_ref("data", first, rest[0][1], rest[1:], text)
        if first is not None and "_" in root:
            return self._resource_ref("resource", root, first, rest, text)
        return Unknown(text, "not known")

    def _resource_ref(self, kind: str, rtype: str, name: str, steps: list[Step], text: str) -> Any:
        instances = self.instances(kind, rtype, name)
        if not instances:
            return Unknown(text, f"no {rtype}.{name} in this module")
        if steps and steps[0][0] == "index":
            key = as_text(steps[0][1])
            chosen = [i for i in instances if i.address.endswith(f"[{key}]") or i.address.endswith(f'["{key}"]')]
            inst = chosen[0] if chosen else instances[0]
            steps = steps[1:]
        elif steps and steps[0][0] == "splat":
            return [self._instance_attr(i, steps[0][1], text) for i in instances]
        else:
            inst = instances[0]
        return self._instance_attr(inst, steps, text)

    def _instance_attr(self, inst: Instance, steps: list[Step], text: str) -> Any:
        if not steps or steps[0][0] != "attr":
            return Cfn({"Ref": inst.address})
        attr, rest = steps[0][1], steps[1:]
        if inst.block.type == "data":
            from fnaudit.loaders.terraform.datasources import data_value

            return apply_steps(data_value(inst, attr), rest, text)
        written = inst.block.attrs.get(attr)
        # identity attributes stay references, as CloudFormation's Ref / GetAtt would be, so that an
        # environment variable naming a table is tied to that table, not to a string that looks like it
        if written is not None and attr not in _REF_ATTRS and attr != "arn":
            value = inst.value(written)
            if is_known(value) and not rest:
                return value
        if rest:
            return Unknown(text)
        if attr in _REF_ATTRS:
            return Cfn({"Ref": inst.address})
        if attr == "invoke_arn":
            return Cfn(
                {
                    "Fn::Join": [
                        "",
                        [
                            "arn:aws:apigateway:",
                            {"Ref": "AWS::Region"},
                            ":lambda:path/2015-03-31/functions/",
                            {"Fn::GetAtt": [inst.address, "Arn"]},
                            "/invocations",
                        ],
                    ]
                }
            )
        if attr == "arn" and inst.type in ("aws_sns_topic", "aws_iam_policy"):
            return Cfn({"Ref": inst.address})
        return Cfn({"Fn::GetAtt": [inst.address, _camel(attr)]})

    def _module_output(self, name: str, steps: list[Step], text: str) -> Any:
        children = self.children(name)
        if name in self._registry:
            return self._registry_output(name, steps, text)
        if not children:
            return Unknown(text, f"module {name} is not read (remote or missing)")
        child = children[0]
        if steps and steps[0][0] == "index" and len(children) > 1:
            key = as_text(steps[0][1])
            child = next(
                (c for c in children if c.prefix.endswith(f"[{key}].") or c.prefix.endswith(f'["{key}"].')), child
            )
            steps = steps[1:]
        if not steps or steps[0][0] != "attr":
            return Unknown(text)
        out = child.outputs.get(steps[0][1])
        if out is None:
            return Unknown(text, f"module {name} has no output {steps[0][1]}")
        value = Instance("", "output", steps[0][1], out, child, {}).get("value")
        return apply_steps(value, steps[1:], text)

    def _registry_output(self, name: str, steps: list[Step], text: str) -> Any:
        from fnaudit.loaders.terraform import registry

        calls = self._registry[name]
        address, source = calls[0]
        if steps and steps[0][0] == "index":
            key = as_text(steps[0][1])
            address, source = next(
                ((a, s) for a, s in calls if a.endswith(f"[{key}]") or a.endswith(f'["{key}"]')), calls[0]
            )
            steps = steps[1:]
        if not steps or steps[0][0] != "attr":
            return Unknown(text)
        return apply_steps(registry.output(source, address, steps[0][1]), steps[1:], text)

    # ---- expansion --------------------------------------------------------------------------------

    def instances(self, kind: str, rtype: str, name: str) -> list[Instance]:
        key = (kind, rtype, name)
        if key in self._instances:
            return self._instances[key]
        block = (self.data if kind == "data" else self.resources).get((rtype, name))
        if block is None:
            return []
        self._instances[key] = []  # a resource whose count refers to itself sees no instance
        base = f"{self.prefix}{'data.' if kind == 'data' else ''}{rtype}.{name}"
        out = [Instance(base + suffix, rtype, name, block, self, names) for suffix, names in self.expand(block, base)]
        self._instances[key] = out
        return out

    def expand(self, block: Block, base: str) -> Iterator[tuple[str, dict[str, Any]]]:
        probe = Instance(base, block.type, base, block, self, {})
        if "count" in block.attrs:
            count = probe.get("count")
            if isinstance(count, (int, float)) and not isinstance(count, bool):
                n = int(count)
                if n <= MAX_INSTANCES:
                    for i in range(n):
                        yield f"[{i}]", {"count": {"index": i}}
                    return
            yield "", {"count": {"index": Unknown("count.index")}}
            return
        if "for_each" in block.attrs:
            coll = probe.get("for_each")
            items: list[tuple[str, Any]] | None = None
            if isinstance(coll, dict):
                items = list(coll.items())
            elif isinstance(coll, list) and all(as_text(x) is not None for x in coll):
                items = [(as_text(x) or "", x) for x in coll]
            if items is not None and len(items) <= MAX_INSTANCES:
                for k, v in items:
                    yield f'["{k}"]', {"each": {"key": k, "value": v}}
                return
            yield "", {"each": {"key": Unknown("each.key"), "value": Unknown("each.value")}}
            return
        yield "", {}

    def children(self, name: str) -> list[ModuleScope]:
        if name in self._children:
            return self._children[name]
        self._children[name] = []
        block = self.module_blocks.get(name)
        if block is None:
            return []
        probe = Instance(f"{self.prefix}module.{name}", "module", name, block, self, {})
        source = as_text(probe.get("source")) or ""
        out: list[ModuleScope] = []
        from fnaudit.loaders.terraform import registry

        if registry.is_interpreted(source):
            calls = []
            for suffix, names in self.expand(block, f"{self.prefix}module.{name}"):
                inst = Instance(f"{self.prefix}module.{name}{suffix}", "module", name, block, self, names)
                self.loaded.registry.append((source, inst))
                calls.append((inst.address, source))
            self._registry[name] = calls
            return out
        if not source.startswith(("./", "../")):
            self.loaded.remote_modules.append((f"{self.prefix}module.{name}", source, block.line, block.rel))
            self._children[name] = out
            return out
        if self.depth >= MAX_MODULE_DEPTH:
            self.loaded.errors.append(
                ScanError(block.rel, f"line {block.line}: modules nest too deeply; not read", "load")
            )
            return out
        try:
            folder = self.root.resolve_inside(self.folder, source)
        except InputError as exc:
            self.loaded.errors.append(ScanError(block.rel, f"line {block.line}: module {name}: {exc}", "load"))
            return out
        if not folder.is_dir():
            self.loaded.errors.append(
                ScanError(block.rel, f"line {block.line}: module {name}: folder {source} not found", "load")
            )
            return out
        for suffix, names in self.expand(block, f"{self.prefix}module.{name}"):
            inst = Instance(f"{self.prefix}module.{name}{suffix}", "module", name, block, self, names)
            inputs = {k: _lazy(inst, a) for k, a in block.attrs.items() if k not in _META}
            out.append(
                ModuleScope(
                    self.root, folder, f"{inst.address}.", inputs, self.loaded, self.depth + 1, self.root_folder
                )
            )
        self._children[name] = out
        return out

    def all_instances(self) -> Iterator[Instance]:
        """Every resource and data source instance of this module and its local child modules."""
        for rtype, name in self.resources:
            yield from self.instances("resource", rtype, name)
        for rtype, name in self.data:
            yield from self.instances("data", rtype, name)
        for name in self.module_blocks:
            for child in self.children(name):
                yield from child.all_instances()


def _lazy(inst: Instance, attr: Attr) -> Callable[[], Any]:
    return lambda: inst.value(attr)


def _camel(attr: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in attr.split("_"))


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


__all__ = ["Archive", "Instance", "Loaded", "ModuleScope", "tf_files"]
