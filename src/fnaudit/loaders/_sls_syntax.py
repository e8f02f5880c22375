"""The text syntax of Serverless Framework variables: finding `${…}` in a string (nested braces,
quoted defaults), splitting defaults and paths, and telling a Framework variable from a
CloudFormation `Fn::Sub` one. Pure string functions; `_sls_variables` gives them meaning."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Sources the Framework knows; `${AWS::Region}` (a CloudFormation Fn::Sub variable) is not one of them.
KNOWN = frozenset({"self", "sls", "opt", "env", "file", "param", "ssm", "cf", "aws", "s3", "strToBool", "git"})


@dataclass(frozen=True, slots=True)
class Var:
    start: int
    end: int  # index after the closing brace
    body: str  # text between `${` and `}`


def split_path(address: str) -> Iterator[str]:
    """`custom.list[0].name` / `custom.list.0.name` → custom, list, 0, name."""
    for part in re.sub(r"\[(-?\d+)\]", r".\1", address).split("."):
        if part.strip():
            yield part.strip()


def scan(text: str) -> list[Var]:
    """Top-level `${…}` occurrences, matching nested braces and skipping quoted text inside them."""
    out: list[Var] = []
    i = 0
    while True:
        start = text.find("${", i)
        if start < 0:
            return out
        end = closing(text, start + 2)
        if end < 0:
            return out
        out.append(Var(start, end + 1, text[start + 2 : end]))
        i = end + 1


def closing(text: str, i: int) -> int:
    depth, quote = 1, ""
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside quotes and nested `${…}`."""
    parts: list[str] = []
    buf: list[str] = []
    depth, quote = 0, ""
    for c in text:
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(c)
    parts.append("".join(buf))
    return parts


def is_variable(body: str) -> bool:
    """A Serverless variable, not a CloudFormation `Fn::Sub` one (`${AWS::Region}`, `${Bucket.Arn}`)."""
    head = split_top(body, ",")[0].strip()
    if head.startswith("${"):
        return True
    m = re.match(r"^([A-Za-z][A-Za-z0-9]*)(\(|:(?!:))", head)
    return m is not None and m.group(1) in KNOWN
