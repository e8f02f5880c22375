"""Tiny Node apps for the JavaScript analyser's unit tests (the shared helpers write a Python provider)."""

from __future__ import annotations

from pathlib import Path

from tests.code.helpers import write_app


def node_app(
    root: Path,
    files: dict[str, str | bytes],
    functions: str | None = None,
    handler: str = "app.handler",
    event: str = "httpApi: POST /x",
    environment: str = "",
) -> Path:
    """One function (or the given `functions` block), runtime nodejs22.x."""
    if functions is None:
        env = f"\n  environment:\n{environment}" if environment else ""
        functions = f"h:\n  handler: {handler}\n  runtime: nodejs22.x{env}\n  events:\n    - {event}\n"
    return write_app(root, functions, files)
