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
