"""IAM statements written into the user's file in its own style: YAML (block or flow), CloudFormation JSON,
Terraform `statement {}` blocks of an `aws_iam_policy_document`.

`Block` is where an over-broad statement is written (its first and last line, and what the rewrite must copy
from it: its indentation, how it lists actions and resources, its Condition); `render` writes the needed
statements in place of it. Resources come as the least-privilege engine names them, rendered by the
`fnaudit permissions` reporter's own helpers, so the fix and `fnaudit permissions` never disagree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from fnaudit.fix.text import brace_block_end, indent_of, is_blank_or_comment, yaml_block_end
from fnaudit.model.app import App
from fnaudit.report.permissions import iac_resource, tf_resource

# (actions, ((ARN pattern, app logical id or None), …)): one statement to write, as `used.group_statements` makes.
Needed = tuple[tuple[str, ...], tuple[tuple[str, str | None], ...]]


@dataclass(frozen=True, slots=True)
class Block:
    """An Allow statement as written: lines `start` … `end - 1` (0-based, `end` exclusive)."""

    kind: str  # yaml | yaml-flow | json | hcl (a `statement {}` block) | hcl-object (an object in `jsonencode`)
    start: int
    end: int
    indent: str  # of the statement's first line (YAML: up to its `- `)
    keys: tuple[str, ...]  # the statement's keys in their written order (lower case)
    list_style: dict[str, str]  # "action" / "resource" → block | flow | scalar (JSON: expanded, an object)
    quote: str  # the quote the statement's action is written with ("" for plain YAML)
    condition: tuple[str, ...]  # the Condition's lines, verbatim (no trailing comma in JSON)
    seq_offset: int  # YAML: how far a block list's `- ` sits under its key
    step: int  # JSON / HCL: the file's indentation step
    comma: bool  # JSON: the statement is followed by a comma in its list
    sid: str = ""  # the Sid's value as written (kept on the first statement written in its place)
    dash: str = "- "  # YAML: the item's `-` and the spaces after it, as written
    expanded: bool = False  # JSON: the file writes every object over several lines (json.dump's indent)


_ALIAS = re.compile(r"(?:^|[\s\[{,])[&*][A-Za-z_]|<<\s*:")
_YAML_KEY = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z]+)\s*:(.*)$")


def yaml_block(lines: list[str], index: int) -> Block | str:
    """The YAML statement whose list item starts on `lines[index]`, or why it cannot be rewritten."""
    line = lines[index]
    m = re.match(r"^(\s*)-\s+(.*)$", line)
    if m is None:
        return f"line {index + 1} does not start the statement's list item"
    indent, rest = m.group(1), m.group(2)
    end = yaml_block_end(lines, index)
    body = lines[index:end]
    if any(_ALIAS.search(ln.split(" #", 1)[0]) for ln in body):
        # an anchor, alias or merge key: the statement is shared with another place; rewriting it here is a guess
        return "the statement uses a YAML anchor, alias or merge key; rewrite it by hand"
    if rest.startswith("{"):
        return _flow_block(rest, index, end, indent)
    key_indent = m.start(2)  # `-   Sid:` puts the keys where its first key starts
    keys: list[str] = []
    style: dict[str, str] = {}
    quote = ""
    condition: list[str] = []
    seq_offset: int | None = None
    sid = ""
    i = index
    while i < end:
        km = _YAML_KEY.match(lines[i]) if i == index or indent_of(lines[i]) == key_indent else None
        if km is None:
            i += 1
            continue
        key, value = km.group(2).lower(), km.group(3).split(" #", 1)[0].strip()
        keys.append(key)
        if key == "sid":
            sid = value
        child_end = i + 1
        while child_end < end and (is_blank_or_comment(lines[child_end]) or indent_of(lines[child_end]) > key_indent):
            child_end += 1
        if key in ("action", "resource"):
            style[key] = "flow" if value.startswith("[") else "scalar" if value else "block"
            if not value:
                first = next((ln for ln in lines[i + 1 : child_end] if ln.strip().startswith("- ")), None)
                if first is not None:
                    seq_offset = indent_of(first) - key_indent
            # the user's quotes, unless YAML needed them (`"*"` must be quoted; `"s3:*"` is a choice)
            if key == "action" and value[:1] in ("'", '"') and value[1:2] != "*":
                quote = value[0]
            elif key == "action" and value.startswith("[") and value[1:2] in ("'", '"') and value[2:3] != "*":
                quote = value[1]
        if key == "condition":
            condition = [" " * key_indent + lines[i][key_indent:] if i == index else lines[i]]
            condition.extend(lines[i + 1 : child_end])
            while condition and is_blank_or_comment(condition[-1]):
                condition.pop()
        i = child_end
    if seq_offset is None:
        seq_offset = _parent_offset(lines, index)
    dash = line[len(indent) : key_indent]
    return Block(
        "yaml", index, end, indent, tuple(keys), style, quote, tuple(condition), seq_offset, 2, False, sid, dash
    )


_KNOWN = ("sid", "effect", "action", "resource", "condition")


def _flow_block(text: str, index: int, end: int, indent: str) -> Block | str:
    """A statement written as a flow mapping on its item's line: `- {Effect: Allow, Action: "s3:*", …}`."""
    if "Condition" in text or "Sid" in text:
        return "the statement is a flow mapping with a Condition or Sid; rewrite it by hand"
    keys = tuple(dict.fromkeys(k.lower() for k in re.findall(r"\b([A-Za-z]+)\s*:", text) if k.lower() in _KNOWN))
    action = re.search(r"\bAction\s*:\s*\[?\s*(['\"])([^'\"]?)", text)
    quote = action.group(1) if action and action.group(2) != "*" else ""
    return Block("yaml-flow", index, end, indent, keys, {}, quote, (), 0, 2, False)


def _parent_offset(lines: list[str], index: int) -> int:
    """How far the statement's `- ` sits under its list's key: the file's way of indenting sequences."""
    base = indent_of(lines[index])
    for j in range(index - 1, -1, -1):
        if is_blank_or_comment(lines[j]):
            continue
        if indent_of(lines[j]) < base or (indent_of(lines[j]) == base and not lines[j].lstrip().startswith("-")):
            return base - indent_of(lines[j])
    return 2


def yaml_lines(block: Block, needed: list[Needed], app: App) -> list[str]:
    """The statements in the YAML style of `block`, at its indentation."""
    out: list[str] = []
    for n, (actions, resources) in enumerate(needed):
        refs = [iac_resource(arn, ref, app) for arn, ref in resources]
        acts = [_quoted(a, block.quote) for a in actions]
        if block.kind == "yaml-flow":
            out.append(f"{block.indent}- {{{', '.join(_flow_pairs(block, acts, refs))}}}")
            continue
        key_indent = " " * (len(block.indent) + len(block.dash))
        first = True
        for key in _order(block):
            prefix = f"{block.indent}{block.dash}" if first else key_indent
            first = False
            if key == "sid":
                if n == 0 and block.sid:
                    out.append(f"{prefix}Sid: {block.sid}")
                else:
                    first = prefix != key_indent
                continue
            if key == "effect":
                out.append(f"{prefix}Effect: Allow")
            elif key in ("action", "resource"):
                values = acts if key == "action" else refs
                label = "Action" if key == "action" else "Resource"
                style = block.list_style.get(key, "block")
                if style == "scalar" and len(values) == 1:
                    out.append(f"{prefix}{label}: {values[0]}")
                elif style == "flow":
                    out.append(f"{prefix}{label}: [{', '.join(values)}]")
                else:
                    out.append(f"{prefix}{label}:")
                    out.extend(f"{key_indent}{' ' * block.seq_offset}- {v}" for v in values)
            elif key == "condition":
                out.extend(block.condition)
    return out


def _order(block: Block) -> list[str]:
    keys = [k for k in block.keys if k in _KNOWN]
    for k in ("effect", "action", "resource"):
        if k not in keys:
            keys.append(k)
    if block.condition and "condition" not in keys:
        keys.append("condition")
    return keys


def _flow_pairs(block: Block, acts: list[str], refs: list[str]) -> list[str]:
    pairs: list[str] = []
    for key in _order(block):
        if key == "effect":
            pairs.append("Effect: Allow")
        elif key == "action":
            pairs.append(f"Action: {acts[0]}" if len(acts) == 1 else f"Action: [{', '.join(acts)}]")
        elif key == "resource":
            pairs.append(f"Resource: {refs[0]}" if len(refs) == 1 else f"Resource: [{', '.join(refs)}]")
    return pairs


def _quoted(text: str, quote: str) -> str:
    return f"{quote}{text}{quote}" if quote else text


# ---- CloudFormation JSON ---------------------------------------------------------------------------------


def json_block(lines: list[str], index: int) -> Block | str:
    line = lines[index]
    if not line.strip().startswith("{"):
        return f"line {index + 1} does not open the statement's object"
    close = brace_block_end(lines, index)
    if close == index and '"Condition"' in line:
        return "the statement is written on one line with a Condition; rewrite it by hand"
    indent = line[: indent_of(line)]
    step = 2
    keys: list[str] = []
    style: dict[str, str] = {}
    condition: list[str] = []
    quote = '"'
    sid = ""
    i = index + 1
    key_indent: int | None = None
    while i < close:
        m = re.match(r'^(\s*)"([A-Za-z]+)"\s*:\s*(.*)$', lines[i])
        if m is None or (key_indent is not None and len(m.group(1)) != key_indent):
            i += 1
            continue
        key_indent = len(m.group(1))
        step = key_indent - len(indent)
        key, value = m.group(2).lower(), m.group(3).rstrip(",").strip()
        keys.append(key)
        if key == "sid":
            sid = value
        span_end = i
        if value.endswith(("{", "[")):
            span_end = brace_block_end(lines, i)
        if key in ("action", "resource"):
            if value == "[":
                style[key] = "block"
            elif value == "{":
                style[key] = "expanded"
            elif value.startswith("["):
                style[key] = "flow"
            else:
                style[key] = "scalar"
        if key == "condition":
            condition = list(lines[i : span_end + 1])
            condition[-1] = condition[-1].rstrip().removesuffix(",")
        i = span_end + 1
    comma = lines[close].rstrip().endswith(",")
    expanded = not any(re.search(r'\{\s*"', ln) for ln in lines)  # no object opened and filled on one line
    return Block(
        "json",
        index,
        close + 1,
        indent,
        tuple(keys),
        style,
        quote,
        tuple(condition),
        0,
        step,
        comma,
        sid,
        "- ",
        expanded,
    )


def json_lines(block: Block, needed: list[Needed], app: App, last_comma: bool) -> list[str]:
    out: list[str] = []
    inner = block.indent + " " * block.step
    item = inner + " " * block.step
    expanded = block.expanded  # a file that writes objects over several lines gets its intrinsics so too
    for n, (actions, resources) in enumerate(needed):
        refs = [_json_resource(iac_resource(arn, ref, app)) for arn, ref in resources]
        fields: list[list[str]] = []
        for key in _order(block):
            if key == "sid" and n == 0 and block.sid:
                fields.append([f'{inner}"Sid": {block.sid}'])
            elif key == "effect":
                fields.append([f'{inner}"Effect": "Allow"'])
            elif key in ("action", "resource"):
                values: list[object] = list(actions) if key == "action" else refs
                label = "Action" if key == "action" else "Resource"
                style = block.list_style.get(key, "block")
                if style in ("scalar", "expanded") and len(values) == 1:
                    fields.append(_json_value(f'{inner}"{label}": ', values[0], inner, block.step, expanded))
                elif style == "flow":
                    fields.append([f'{inner}"{label}": [{", ".join(json.dumps(v) for v in values)}]'])
                else:
                    body: list[str] = []
                    for v in values:
                        body.extend(_json_value(item, v, item, block.step, expanded))
                        body[-1] += ","
                    body[-1] = body[-1].removesuffix(",")
                    fields.append([f'{inner}"{label}": [', *body, f"{inner}]"])
            elif key == "condition":
                fields.append(list(block.condition))
        out.append(f"{block.indent}{{")
        for j, f in enumerate(fields):
            out.extend(f[:-1])
            out.append(f[-1] + ("," if j < len(fields) - 1 else ""))
        more = n < len(needed) - 1
        out.append(f"{block.indent}}}" + ("," if more or last_comma else ""))
    return out


def _json_value(head: str, value: object, indent: str, step: int, expanded: bool) -> list[str]:
    """`head` + the value as JSON: objects over several lines (at `indent`) when the file writes them so."""
    if not expanded or not isinstance(value, dict):
        return [head + json.dumps(value)]
    text = json.dumps(value, indent=step).splitlines()
    return [head + text[0], *(indent + t for t in text[1:])]


def _json_resource(text: str) -> object:
    """A resource as `iac_resource` writes it in YAML short form, as a CloudFormation JSON value."""
    if text.startswith("!GetAtt "):
        name, _, attr = text[len("!GetAtt ") :].partition(".")
        return {"Fn::GetAtt": [name, attr]}
    if text.startswith("!Ref "):
        return {"Ref": text[len("!Ref ") :]}
    if text.startswith("!Sub "):
        return {"Fn::Sub": json.loads(text[len("!Sub ") :])}
    return json.loads(text)  # a quoted ARN


# ---- Terraform --------------------------------------------------------------------------------------------


def hcl_block(lines: list[str], index: int) -> Block | str:
    line = lines[index]
    if line.strip() == "{":
        return _hcl_object_block(lines, index)
    if not re.match(r"^\s*statement\s*\{\s*$", line):
        return f"line {index + 1} is not a `statement {{` block of an aws_iam_policy_document"
    close = brace_block_end(lines, index)
    indent = line[: indent_of(line)]
    keys: list[str] = []
    style: dict[str, str] = {}
    condition: list[str] = []
    step = 2
    sid = ""
    i = index + 1
    while i < close:
        text = lines[i]
        m = re.match(r"^(\s*)([a-z_]+)\s*(=|\{)\s*(.*)$", text)
        if m is None:
            i += 1
            continue
        step = len(m.group(1)) - len(indent)
        key, sep, value = m.group(2), m.group(3), m.group(4).strip()
        span_end = brace_block_end(lines, i) if sep == "{" or value.endswith(("[", "{")) else i
        if key in ("actions", "resources"):
            style[key[:-1]] = "block" if value == "[" else "flow"
            keys.append(key[:-1])
        elif key == "effect":
            keys.append("effect")
        elif key == "condition":
            if not condition and not lines[i - 1].strip():
                condition.append("")  # the blank line that sets the conditions apart stays
            condition.extend(lines[i : span_end + 1])
            keys.append("condition")
        elif key in ("not_actions", "not_resources", "principals", "not_principals"):
            return f"the statement has `{key}`; rewrite it by hand"
        elif key == "sid":
            keys.append("sid")
            sid = value
        i = span_end + 1
    return Block(
        "hcl", index, close + 1, indent, tuple(dict.fromkeys(keys)), style, '"', tuple(condition), 0, step, False, sid
    )


def hcl_lines(block: Block, needed: list[Needed], app: App) -> list[str]:
    out: list[str] = []
    inner = block.indent + " " * block.step
    for n, (actions, resources) in enumerate(needed):
        if n:
            out.append("")
        refs = [tf_resource(arn, ref, app) for arn, ref in resources]
        acts = [json.dumps(a) for a in actions]
        out.append(f"{block.indent}statement {{")
        attrs: list[tuple[str, list[str]]] = []
        for key in _order(block):
            if key == "sid" and n == 0 and block.sid:
                attrs.append(("sid", [block.sid]))
            elif key == "effect":
                attrs.append(("effect", ['"Allow"']))
            elif key in ("action", "resource"):
                values = acts if key == "action" else refs
                if block.list_style.get(key, "flow") == "block":
                    value = ["[", *(f"{inner}{' ' * block.step}{v}," for v in values), f"{inner}]"]
                else:
                    value = [f"[{', '.join(values)}]"]
                attrs.append((f"{key}s", value))
        out.extend(_aligned(inner, attrs))
        out.extend(block.condition)
        out.append(f"{block.indent}}}")
    return out


def _aligned(inner: str, attrs: list[tuple[str, list[str]]]) -> list[str]:
    """`key = value` lines with the `=` aligned as `terraform fmt` does: over a run of attributes, a run ending
    with the first one whose value spans several lines."""
    out: list[str] = []
    group: list[tuple[str, list[str]]] = []
    for i, attr in enumerate(attrs):
        group.append(attr)
        if len(attr[1]) > 1 or i == len(attrs) - 1:
            width = max(len(k) for k, _ in group)
            for key, value in group:
                out.append(f"{inner}{key.ljust(width)} = {value[0]}")
                out.extend(value[1:])
            group = []
    return out


# ---- Terraform `jsonencode({ Statement = [ { Effect = "Allow", … } ] })` ----------------------------------------


def _hcl_object_block(lines: list[str], index: int) -> Block | str:
    """A statement written as an HCL object inside `jsonencode(...)`: `Effect = "Allow"` lines."""
    close = brace_block_end(lines, index)
    if close == index:
        return "the statement is written on one line; rewrite it by hand"
    indent = lines[index][: indent_of(lines[index])]
    keys: list[str] = []
    style: dict[str, str] = {}
    condition: list[str] = []
    sid = ""
    step = 2
    key_indent: int | None = None
    i = index + 1
    while i < close:
        m = re.match(r'^(\s*)"?([A-Za-z]+)"?\s*[=:]\s*(.*)$', lines[i])
        if m is None or (key_indent is not None and len(m.group(1)) != key_indent):
            i += 1
            continue
        key_indent = len(m.group(1))
        step = key_indent - len(indent)
        key, value = m.group(2).lower(), m.group(3).rstrip(",").strip()
        span_end = brace_block_end(lines, i) if value.endswith(("{", "[")) else i
        if key in ("notaction", "notresource", "principal", "notprincipal"):
            return f"the statement has `{m.group(2)}`; rewrite it by hand"
        keys.append(key)
        if key == "sid":
            sid = value
        if key in ("action", "resource"):
            style[key] = "block" if value == "[" else "flow" if value.startswith("[") else "scalar"
        if key == "condition":
            condition = list(lines[i : span_end + 1])
        i = span_end + 1
    comma = lines[close].rstrip().endswith(",")
    return Block("hcl-object", index, close + 1, indent, tuple(keys), style, '"', tuple(condition), 0, step, comma, sid)


def hcl_object_lines(block: Block, needed: list[Needed], app: App) -> list[str]:
    out: list[str] = []
    inner = block.indent + " " * block.step
    for n, (actions, resources) in enumerate(needed):
        refs = [tf_resource(arn, ref, app) for arn, ref in resources]
        acts = [json.dumps(a) for a in actions]
        attrs: list[tuple[str, list[str]]] = []
        for key in _order(block):
            if key == "sid" and n == 0 and block.sid:
                attrs.append(("Sid", [block.sid]))
            elif key == "effect":
                attrs.append(("Effect", ['"Allow"']))
            elif key in ("action", "resource"):
                values = acts if key == "action" else refs
                style = block.list_style.get(key, "flow")
                label = "Action" if key == "action" else "Resource"
                if style == "scalar" and len(values) == 1:
                    attrs.append((label, values))
                elif style == "block":
                    attrs.append((label, ["[", *(f"{inner}{' ' * block.step}{v}," for v in values), f"{inner}]"]))
                else:
                    attrs.append((label, [f"[{', '.join(values)}]"]))
        out.append(f"{block.indent}{{")
        out.extend(_aligned(inner, attrs))
        out.extend(block.condition)
        more = n < len(needed) - 1
        out.append(f"{block.indent}}}" + ("," if more or block.comma else ""))
    return out
