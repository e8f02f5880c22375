"""Redaction of secret values: at most the first 4 characters and the length are ever shown."""

from __future__ import annotations


def redact(secret: str) -> str:
    """`AKIA…(20 chars)`: enough to recognise the value, not enough to use it."""
    shown = secret[:4] if len(secret) >= 12 else secret[:1] if len(secret) >= 4 else ""
    return f"{shown}…({len(secret)} chars)"
