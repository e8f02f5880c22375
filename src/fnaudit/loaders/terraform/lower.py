"""Terraform resources → the CloudFormation resources they are, so the shared template builder
(`cloudformation.build_app`) makes the App, as it does for SAM after translation.

Every lowered mapping is an `LDict` whose lines are *virtual*: an index into `LineTable`, which maps
each back to the `.tf` file and line it came from; `remap.py` rewrites the App's locations afterwards.
Values that stay unknown until `terraform apply` become template parameters without a default, named
by the expression (`var.table_name`), which is how the builder already treats a value it cannot know.
One lowering function per resource type, in the `lower_*` modules; `LOWERERS` collects them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fnaudit.loaders._yaml import LDict, LList
from fnaudit.loaders.lowered import LineTable, add_resource, unknown_parameter
from fnaudit.loaders.terraform.hcl import Block
from fnaudit.loaders.terraform.module import Instance
from fnaudit.loaders.terraform.values import Archive, Cfn, Concat, Encoded, SrcDict, Unknown

LOCAL_BUCKET = "fnaudit-local"  # the placeholder bucket cloudformation.build_app reads local code folders from


@dataclass(slots=True)
class Lowering:
    lines: LineTable = field(default_factory=LineTable)
    resources: LDict = field(default_factory=LDict)
    parameters: LDict = field(default_factory=LDict)
    local_code: dict[str, str] = field(default_factory=dict)  # placeholder S3 key → folder (relative to root)
    base: str = ""  # the root module's folder relative to the scan root (local_code is relative to it)
    notes: list[tuple[Instance, str]] = field(default_factory=list)
    # Work that needs every resource lowered first (attachments add to a role lowered elsewhere).
    after: list[Callable[[], None]] = field(default_factory=list)

    def add(self, inst: Instance, cfn_type: str, props: LDict) -> LDict:
        return self.add_at(inst.address, cfn_type, props, inst.block.rel, inst.block.line)

    def add_at(self, address: str, cfn_type: str, props: LDict, rel: str, line: int) -> LDict:
        """A resource under its Terraform address, located at `rel:line` (a registry module's resources are
        at the line of the module input that makes them)."""
        return add_resource(self.resources, self.lines, address, cfn_type, props, rel, line, "terraform")

    def props(self, inst: Instance, mapping: dict[str, str], block: Block | None = None) -> LDict:
        """`{tf_attribute: CfnProperty}` → the lowered properties that are set, each on its own line."""
        b = block or inst.block
        out = LDict(self.lines.line(b.rel, b.line))
        for tf, cfn in mapping.items():
            attr = b.attrs.get(tf)
            if attr is None:
                continue
            value = inst.value(attr)
            if value is None:
                continue
            out[cfn] = self.cfn(value, b.rel, attr.line)
            out.key_lines[cfn] = self.lines.line(b.rel, attr.line)
        return out

    def set(self, props: LDict, key: str, value: Any, rel: str, line: int) -> None:
        props[key] = self.cfn(value, rel, line)
        props.key_lines[key] = self.lines.line(rel, line)

    def cfn(self, value: Any, rel: str, line: int) -> Any:
        """A Terraform value in CloudFormation form, with lines where the value knows them."""
        if type(value) is str:
            return value  # the commonest value, and none of the types below
        if isinstance(value, Cfn):
            return value.value
        if isinstance(value, Encoded):
            return self.cfn(value.value, rel, line)
        if isinstance(value, Unknown):
            return {"Ref": self.parameter(value)}
        if isinstance(value, Concat):
            parts = [self.cfn(p, rel, line) for p in value.parts]
            # text with only pseudo parameters in it (`arn:aws:sqs:${region}:${account}:*`) is written as the
            # Fn::Sub CloudFormation authors write, which the IAM engine reads as an ARN pattern
            if all(isinstance(p, str) or _pseudo(p) for p in parts):
                return {"Fn::Sub": "".join(p if isinstance(p, str) else "${" + p["Ref"] + "}" for p in parts)}
            return {"Fn::Join": ["", parts]}
        if isinstance(value, Archive):
            return value.source
        if isinstance(value, SrcDict):
            out = LDict(self.lines.line(value.rel, value.line))
            for k, v in value.items():
                out[k] = self.cfn(v, value.rel, value.key_lines.get(k, value.line))
                out.key_lines[k] = self.lines.line(value.rel, value.key_lines.get(k, value.line))
            return out
        if isinstance(value, dict):
            d = LDict(self.lines.line(rel, line))
            for k, v in value.items():
                d[k] = self.cfn(v, rel, line)
                d.key_lines[k] = d.line
            return d
        if isinstance(value, list):
            lst = LList(self.lines.line(rel, line))
            for v in value:
                lst.append(self.cfn(v, rel, line))
                lst.item_lines.append(lst.line)
            return lst
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    def document(self, value: Any, rel: str, line: int) -> Any:
        """A policy document: written with jsonencode, a data source, or JSON text (heredoc, file())."""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return {"Ref": self.parameter(Unknown(value[:60], "policy text is not JSON"))}
        elif isinstance(value, Concat):
            # JSON text with references in it (a heredoc policy whose Resource is `"${aws_sqs_queue.q.arn}"`):
            # read as the document it is, each reference kept where it was written
            parsed = _json_with_parts(value)
            if parsed is None:
                text = "".join(p if isinstance(p, str) else "${…}" for p in value.parts)
                return {"Ref": self.parameter(Unknown(text[:60], "policy text is not JSON"))}
            value = parsed
        return self.cfn(value, rel, line)

    def parameter(self, value: Unknown) -> str:
        return unknown_parameter(self.parameters, value.text, value.why)

    def code(self, inst: Instance, value: Any) -> dict[str, Any] | None:
        """`filename` / `source_path` → the local folder the function's code is in, through the placeholder
        bucket the template builder knows. A zip built elsewhere stays an artifact."""
        folder: str | None = None
        if isinstance(value, Archive):
            folder = value.source if value.is_dir else value.source.rsplit("/", 1)[0] if "/" in value.source else ""
        if folder is None:
            return None
        key = f"tf/{len(self.local_code)}"
        rel = _relative(folder, self.base)
        self.local_code[key] = rel
        return {"S3Bucket": LOCAL_BUCKET, "S3Key": key}


_PART = re.compile(r"@@fnaudit-part-(\d+)@@")


def _json_with_parts(value: Concat) -> Any:
    """Concatenated JSON text, parsed with each non-text part put back where it stood: a string that is only
    a part becomes that part, a string with parts in it a `Concat`. None when the text is not JSON."""
    parts = list(value.parts)
    text = "".join(p if isinstance(p, str) else f"@@fnaudit-part-{i}@@" for i, p in enumerate(parts))
    try:
        doc = json.loads(text)
    except ValueError:
        return None

    def restore(node: Any) -> Any:
        if isinstance(node, str):
            pieces = [parts[int(x)] if i % 2 else x for i, x in enumerate(_PART.split(node))]
            pieces = [p for p in pieces if p != ""]
            if len(pieces) == 1:
                return pieces[0]
            return Concat(tuple(pieces)) if pieces else ""
        if isinstance(node, list):
            return [restore(v) for v in node]
        if isinstance(node, dict):
            return {k: restore(v) for k, v in node.items()}
        return node

    return restore(doc)


def _pseudo(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("Ref"), str) and value["Ref"].startswith("AWS::")


def _relative(path: str, base: str) -> str:
    """`path` (relative to the scan root) relative to `base` (a folder relative to the scan root)."""
    if not base:
        return path or "."
    base_parts = base.split("/")
    parts = path.split("/") if path else []
    common = 0
    while common < min(len(base_parts), len(parts)) and base_parts[common] == parts[common]:
        common += 1
    rel = [".."] * (len(base_parts) - common) + parts[common:]
    return "/".join(rel) or "."


def object_lines(attr_expr: Any) -> dict[str, int]:
    """Key → line of an object expression written in HCL (`variables = { A = 1 }`), for per-key lines."""
    out: dict[str, int] = {}
    todo = [attr_expr] if attr_expr is not None else []
    while todo:
        node = todo.pop()
        if node.type == "object":
            for elem in node.named_children:
                if elem.type == "object_elem" and elem.named_children:
                    key = elem.named_children[0].text.decode("utf-8", "replace").strip('"')
                    out[key] = elem.start_point[0] + 1
            return out
        todo.extend(node.named_children[:1])
    return out


Lowerer = Callable[[Instance, Lowering], None]


def simple(
    cfn_type: str, mapping: dict[str, str], nested: dict[str, tuple[str, dict[str, str]]] | None = None
) -> Lowerer:
    """A resource whose attributes (and nested blocks) map one to one onto the CloudFormation properties."""

    def lower(inst: Instance, low: Lowering) -> None:
        props = low.props(inst, mapping)
        for name, (cfn, inner) in (nested or {}).items():
            for block, each in inst.nested(name):
                props[cfn] = low.props(each, inner, block)
                props.key_lines[cfn] = low.lines.line(block.rel, block.line)
        low.add(inst, cfn_type, props)

    return lower


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text.title())


def detach_unmodelled(resources: LDict, addresses: set[str], low: Lowering) -> None:
    """References to resources of the app that are not lowered (`random_string.x.id`, `aws_s3_object.o.key`,
    a `null_resource`) become unknown values (template parameters) instead of `Ref`s the template builder would
    report as references to a resource that does not exist: the resource does exist, fnaudit does not model it."""
    if not addresses:
        return

    def swap(node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            ref = node.get("Ref")
            if isinstance(ref, str) and ref in addresses:
                return {"Ref": low.parameter(Unknown(ref, "a resource fnaudit does not model"))}
            att = node.get("Fn::GetAtt")
            if isinstance(att, list) and len(att) == 2 and att[0] in addresses:
                return {"Ref": low.parameter(Unknown(f"{att[0]}.{att[1]}", "a resource fnaudit does not model"))}
        return None

    todo: list[Any] = [resources]
    seen: set[int] = set()
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        # only a one-key mapping can be a reference, and only mappings and lists are queued: a template's
        # scalars are most of its values
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, dict):
                    new = swap(v) if len(v) == 1 else None
                    if new is not None:
                        node[k] = new
                        continue
                    todo.append(v)
                elif isinstance(v, list):
                    todo.append(v)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, dict):
                    new = swap(v) if len(v) == 1 else None
                    if new is not None:
                        node[i] = new
                        continue
                    todo.append(v)
                elif isinstance(v, list):
                    todo.append(v)


def link_log_groups(resources: LDict) -> None:
    """A function whose name is not plain text (`"${var.name}-${random_string.s.id}"`) and a log group named
    `"/aws/lambda/${var.name}-${random_string.s.id}"`: the same parts, so the group is the function's, which
    the template builder cannot see by name. The function is pointed at its group, as `LoggingConfig` would."""
    groups: dict[tuple[Any, ...], str] = {}
    for address, res in resources.items():
        if isinstance(res, dict) and res.get("Type") == "AWS::Logs::LogGroup":
            name = res["Properties"].get("LogGroupName")
            key = _name_parts(name) if name is not None and not isinstance(name, str) else None
            if key is not None:
                groups.setdefault(key, address)
    if not groups:
        return
    for res in resources.values():
        if not isinstance(res, dict) or res.get("Type") != "AWS::Lambda::Function":
            continue
        props = res["Properties"]
        name = props.get("FunctionName")
        if "LoggingConfig" in props or name is None or isinstance(name, str):
            continue  # a plain name is matched by the builder itself
        key = _name_parts({"Fn::Join": ["", ["/aws/lambda/", name]]})
        group = groups.get(key) if key is not None else None
        if group is None:
            continue
        config = LDict(props.line)
        config["LogGroup"] = {"Ref": group}
        config.key_lines["LogGroup"] = props.line
        props["LoggingConfig"] = config
        props.key_lines["LoggingConfig"] = props.line


def _name_parts(value: Any) -> tuple[Any, ...] | None:
    """A name as its literal text and references, adjacent text merged; None for forms not compared."""
    out: list[Any] = []

    def add(v: Any) -> bool:
        if isinstance(v, str):
            if out and isinstance(out[-1], str):
                out[-1] += v
            else:
                out.append(v)
            return True
        if isinstance(v, dict) and len(v) == 1 and ("Ref" in v or "Fn::GetAtt" in v):
            out.append(("ref", json.dumps(v, sort_keys=True, default=str)))
            return True
        join = v.get("Fn::Join") if isinstance(v, dict) and len(v) == 1 else None
        if isinstance(join, list) and len(join) == 2 and join[0] == "" and isinstance(join[1], list):
            return all(add(p) for p in join[1])
        return False

    return tuple(out) if add(value) else None
