"""The loader layer's public door for engines that must look at a document as written.

Some facts are only in the text an engine reads after loading (a serverless file's `package`
patterns, a template's `Parameters` defaults, an IAM policy document the catalogue ships). Engines
reach the loaders' line-aware parser and IAM statement reader through these functions only, never
through the private modules (`_yaml`, `_files`, `_iam`), so those can change without breaking an
engine. Everything here is pure: it reads the file it is given and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fnaudit.loaders import _iam, _yaml
from fnaudit.loaders._files import MAX_IAC_BYTES, Unreadable, read_text, unreadable_link
from fnaudit.model.app import Statement


def parse_document(text: str, filename: str) -> Any:
    """A YAML (short-form tags) or JSON document as line-aware plain data (`line_of` finds the lines).
    Raises `InputError` / `ValueError` for text that is not a usable document."""
    return _yaml.load_any(text, filename)


def read_document(path: Path, limit: int = MAX_IAC_BYTES) -> Any:
    """The document in `path` as written (variables unresolved); raises `InputError` / `OSError` when it
    cannot be read or parsed. The caller has already confined `path` to the scan root."""
    return parse_document(read_text(path, limit), path.name)


def line_of(container: Any, key: Any, default: int = 0) -> int:
    """The line of `key` in a mapping (or index in a list) read by `parse_document`; `default` when unknown."""
    return _yaml.line_of(container, key, default)


def policy_statements(document: Any, path: str, line: int, source: str) -> tuple[Statement, ...]:
    """The statements of an IAM policy document (`{"Statement": [...]}`), located at `path:line`."""
    return _iam.document_statements(document, path, line, source)


def why_unreadable(path: Path) -> Unreadable:
    """What a link or special file is and what to do about it, for an error entry."""
    return unreadable_link(path)


__all__ = ["Unreadable", "line_of", "parse_document", "policy_statements", "read_document", "why_unreadable"]
