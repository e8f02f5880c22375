"""What a Terraform expression evaluates to, when it is not a plain JSON-like value.

Evaluation never guesses: a value that needs `terraform apply` (an ID AWS assigns, a variable nobody
set) is `Unknown`, carrying the expression as written so reports can show it. A reference to another
resource's attribute stays a reference (`Cfn`, already in the CloudFormation form the shared builder
resolves), and text built from such parts is a `Concat`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fnaudit.loaders.lowered import Cfn as Cfn  # re-exported: the value type every lowered dialect shares


@dataclass(frozen=True, slots=True)
class Unknown:
    text: str  # the expression as written (`var.table_name`, `aws_instance.x.id`…)
    why: str = "unknown until apply"


@dataclass(frozen=True, slots=True)
class Concat:
    """Text made of literal strings and references (`"${aws_s3_bucket.b.arn}/*"`)."""

    parts: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Encoded:
    """`jsonencode(x)`: kept as the value, so a policy written with jsonencode is read as the document it is."""

    value: Any


@dataclass(frozen=True, slots=True)
class Archive:
    """`data.archive_file.x.output_path`: the zip `terraform` would build from `source` (a folder or a file)."""

    source: str  # folder or file, relative to the scan root
    is_dir: bool


@dataclass(frozen=True, slots=True)
class ArchiveHash(Unknown):
    """`data.archive_file.x.output_base64sha256`: unknown until the zip is built, but it says which archive a
    function's `source_code_hash` is the hash of, even when it reaches the function through a module input."""

    archive: Archive | None = None


class SrcDict(dict[str, Any]):
    """A mapping built from a Terraform block (a policy statement), remembering the block's file and line
    and each key's line, so the lowered template can point findings at the HCL line."""

    __slots__ = ("key_lines", "line", "rel")

    def __init__(self, rel: str, line: int) -> None:
        super().__init__()
        self.rel = rel
        self.line = line
        self.key_lines: dict[str, int] = {}


def is_known(value: Any) -> bool:
    """True when the value holds no Unknown anywhere."""
    if isinstance(value, Unknown):
        return False
    if isinstance(value, (list, tuple)):
        return all(is_known(v) for v in value)
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    if isinstance(value, Concat):
        return all(is_known(v) for v in value.parts)
    if isinstance(value, Encoded):
        return is_known(value.value)
    return True


def as_text(value: Any) -> str | None:
    """The value as a plain string when it is one (numbers and booleans as Terraform prints them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value) if not isinstance(value, float) or not value.is_integer() else str(int(value))
    return None
