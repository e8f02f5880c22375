"""A function's effective permissions and blast radius (owned by the IAM engine; rules read them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BlastRadius:
    score: float  # documented in the IAM engine; higher reaches more
