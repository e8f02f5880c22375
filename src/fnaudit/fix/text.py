"""Small, format-aware text operations for edits that keep the rest of a file as written.

Fixers change a value where it is written, or insert a key into a block, without re-serialising the file:
YAML, JSON and HCL are all edited line by line, using the indentation the file already uses.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Format(StrEnum):
    YAML = "yaml"
    JSON = "json"
    HCL = "hcl"
    TEXT = "text"


def format_of(path: str) -> Format:
    name = path.lower()
    if name.endswith((".yml", ".yaml")):
        return Format.YAML
    if name.endswith((".json", ".template")):
        return Format.JSON
    if name.endswith(".tf"):
        return Format.HCL
    return Format.TEXT


def replace_token(line: str, old: str, new: str) -> str | None:
    """`line` with the value `old` (a whole token, quoted or not, after the key) replaced by `new`; None when
    `old` is not on the line exactly once, or the value is computed (a variable, a tag, a dynamic reference): then
    it is decided elsewhere, and changing a default written inside it would be a guess."""
    head, sep, tail = _split_key(line)
    if "${" in tail or tail.lstrip().startswith(("!", "{{")):
        return None  # a variable, a tag (`!Ref`, `!Sub`) or a dynamic reference: the value is decided elsewhere
    pattern = re.compile(r"(?<![\w./-])" + re.escape(old) + r"(?![\w./-])")
    found = pattern.findall(tail)
    if len(found) != 1:
        return None
    return head + sep + pattern.sub(new.replace("\\", "\\\\"), tail, count=1)


def value_of(line: str) -> str:
    """The value written on a `key: value` / `"key": value,` / `key = value` line, unquoted, without a trailing
    comment or comma ("" when there is none)."""
    _, sep, tail = _split_key(line)
    value = tail if sep else line
    value = re.sub(r"\s+(#|//).*$", "", value).strip().rstrip(",;").strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"`":
        value = value[1:-1]
    return value


def _split_key(line: str) -> tuple[str, str, str]:
    """The key part, the separator and the value part of `key: value`, `"key": value`, `key = value`."""
    m = re.match(r'^(\s*(?:-\s+)?(?:"[^"]*"|\'[^\']*\'|[^:=\s]+)\s*)(:|=)(.*)$', line)
    if m is None:
        return "", "", line
    return m.group(1), m.group(2), m.group(3)


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith(("#", "//"))


def yaml_block_end(lines: list[str], index: int) -> int:
    """The index after the last line of the block that starts at `lines[index]` (its more-indented lines)."""
    base = indent_of(lines[index])
    end = index + 1
    last = index + 1
    while end < len(lines):
        line = lines[end]
        if is_blank_or_comment(line):
            end += 1
            continue
        if indent_of(line) <= base:
            break
        end += 1
        last = end
    return last


def yaml_child_indent(lines: list[str], index: int, default_step: int = 2) -> int:
    """The indentation of the keys under `lines[index]` (a `key:` line), from the first child, else the
    file's usual step."""
    base = indent_of(lines[index])
    for line in lines[index + 1 :]:
        if is_blank_or_comment(line):
            continue
        indent = indent_of(line)
        return indent if indent > base else base + default_step
    return base + default_step


def find_key(lines: list[str], start: int, end: int, key: str, indent: int | None = None) -> int | None:
    """The index of the line holding `key:` (YAML) or `"key":` (JSON) or `key =` (HCL) among
    `lines[start:end]`, at `indent` when given."""
    pattern = re.compile(r'^\s*(?:"' + re.escape(key) + r'"|' + re.escape(key) + r")\s*[:=]")
    for i in range(start, min(end, len(lines))):
        if pattern.match(lines[i]) and (indent is None or indent_of(lines[i]) == indent):
            return i
    return None


def brace_block_end(lines: list[str], index: int) -> int:
    """The index of the line closing the `{` (or `[`) opened on `lines[index]` (JSON objects, HCL blocks).
    Braces inside strings are skipped; comments (`#`, `//`) are ignored in HCL."""
    depth = 0
    for i in range(index, len(lines)):
        in_string = False
        escaped = False
        for ch in lines[i]:
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
                continue
            if ch == '"':
                in_string = True
            elif ch in "{[":
                depth += 1
            elif ch in "}]":
                depth -= 1
                if depth == 0:
                    return i
            elif ch == "#":
                break
    return len(lines) - 1


# ---- inserting a key into a block ------------------------------------------------------------------------------
# A new key goes where a person would type it: YAML and HCL at the end of the block, in the indentation of its
# other keys; JSON as the object's first member, ending with a comma, so that no existing line changes (two
# insertions into one object then never collide, and the diff shows only the new lines).


def yaml_insert_point(lines: list[str], index: int, default_step: int = 2) -> tuple[int, int] | None:
    """Where a new key goes in the block mapping opened by `lines[index]` (a `key:` line, value on the next
    lines): (the index to insert before, the indentation of the block's keys). None when the value is written
    on the line itself (a scalar, a flow mapping, an alias) or the block is a sequence."""
    _, sep, tail = _split_key(lines[index])
    value = _strip_yaml_comment(tail).strip()
    if sep != ":" or (value and not re.fullmatch(r"(?:&[\w-]+|![\w!:-]+)(?:\s+(?:&[\w-]+|![\w!:-]+))*", value)):
        return None
    indent = yaml_child_indent(lines, index, default_step)
    end = yaml_block_end(lines, index)
    first = next((ln for ln in lines[index + 1 : end] if not is_blank_or_comment(ln)), None)
    if first is not None and first.lstrip().startswith("- "):
        return None
    return end, indent


def yaml_anchor(line: str) -> str | None:
    """The anchor (`&name`) a `key: &name` line defines: edits under it change every alias of it too."""
    _, sep, tail = _split_key(line)
    m = re.match(r"\s*(?:![\w!:-]+\s+)?&([\w-]+)", _strip_yaml_comment(tail)) if sep == ":" else None
    return m.group(1) if m else None


def yaml_flow_insert(line: str, member: str) -> str | None:
    """`key: {a: 1}` (a flow mapping that closes on the same line) with `member` (`b: 2`) added last, the rest
    of the line (a comment) kept; None when the line holds no such mapping."""
    head, sep, tail = _split_key(line)
    start = tail.find("{")
    if sep != ":" or start < 0 or tail[:start].strip():
        return None
    close = _closing(tail, start)
    if close is None:
        return None
    inside = tail[start + 1 : close]
    joined = f"{inside.rstrip()}, {member}" if inside.strip() else member
    if inside.strip() and inside.startswith(" ") and inside.endswith(" "):
        joined += " "  # `{ a: 1 }` stays spaced inside its braces
    return head + sep + tail[: start + 1] + joined + tail[close:]


def _closing(text: str, start: int) -> int | None:
    depth, quote = 0, ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i
        elif ch == "#" and text[i - 1 : i].isspace():
            return None
    return None


def has_yaml_comment(line: str) -> bool:
    """Whether the YAML line ends with a `# comment` (a `#` inside quotes or a word is not one)."""
    return _strip_yaml_comment(line) != line


def _strip_yaml_comment(text: str) -> str:
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i]
    return text


YamlTree = dict[str, "str | YamlTree"]


def yaml_lines(tree: YamlTree, indent: int, step: int, comments: dict[str, str] | None = None) -> tuple[str, ...]:
    """`tree` (values are YAML text as it should appear: `10`, `Active`, `!GetAtt Queue.Arn`) in block style,
    `step` spaces per level; `comments` puts `# text` after the line of a (top-level) key."""
    out: list[str] = []
    for key, value in tree.items():
        note = f"  # {comments[key]}" if comments and key in comments else ""
        if isinstance(value, dict):
            out.append(f"{' ' * indent}{key}:{note}")
            out.extend(yaml_lines(value, indent + step, step))
        else:
            out.append(f"{' ' * indent}{key}: {value}{note}")
    return tuple(out)


def json_insert_point(lines: list[str], index: int) -> tuple[int, int] | None:
    """Where a new first member goes in the JSON object opened at the end of `lines[index]` (`"Properties": {`)
    and the indentation of its members: (the index to insert before, indent). None when the object is empty or
    its first member is on the same line (then a new member would have to change an existing line)."""
    if not lines[index].rstrip().endswith("{"):
        return None
    for line in lines[index + 1 :]:
        if not line.strip():
            continue
        if line.strip().startswith("}"):
            return None
        return index + 1, indent_of(line)
    return None


def json_lines(key: str, value: object, indent: int, step: int, comma: bool = True) -> tuple[str, ...]:
    """`"key": value` as members are written in the file: objects one member a line, `step` spaces deeper;
    an intrinsic function (`{"Fn::GetAtt": [...]}`, `{"Ref": ...}`) and lists of scalars on one line."""
    import json

    pad = " " * indent
    end = "," if comma else ""
    if isinstance(value, dict) and not _inline(value):
        out = [f"{pad}{json.dumps(key)}: {{"]
        items = list(value.items())
        for i, (k, v) in enumerate(items):
            out.extend(json_lines(k, v, indent + step, step, comma=i < len(items) - 1))
        out.append(f"{pad}}}{end}")
        return tuple(out)
    return (f"{pad}{json.dumps(key)}: {json.dumps(value, separators=(', ', ': '))}{end}",)


def _inline(value: dict[object, object]) -> bool:
    return len(value) == 1 and any(str(k) == "Ref" or str(k).startswith("Fn::") for k in value)


def hcl_insert_point(lines: list[str], index: int, default_step: int = 2) -> tuple[int, int] | None:
    """Where a new attribute or nested block goes in the HCL block opened on `lines[index]`: (the index of its
    closing `}` line, the indentation of its attributes). None when the block closes on its opening line."""
    close = brace_block_end(lines, index)
    if close <= index or lines[close].strip() != "}":
        return None
    body = [ln for ln in lines[index + 1 : close] if ln.strip()]
    indent = min((indent_of(ln) for ln in body), default=indent_of(lines[index]) + default_step)
    return close, indent


def hcl_lines(close: int, lines: list[str], body: list[str], indent: int) -> tuple[str, ...]:
    """`body` (lines relative to the block's indentation) to insert before the `}` at `lines[close]`: after a
    blank line, so `terraform fmt` aligns the new attribute on its own and leaves the others as they are."""
    pad = " " * indent
    before = lines[close - 1] if close > 0 else ""
    blank = () if not before.strip() or before.rstrip().endswith("{") else ("",)
    return (*blank, *(pad + ln if ln else "" for ln in body))
