"""What a language analyser provides to the code engine (Python now; JavaScript/TypeScript next).

A language module registered in `fnaudit.engines.code.ANALYSERS` exposes a class built with the
scan's `FileCache` and root, whose `analyse(fn)` returns an `Analysis` (or None when the function's
code cannot be analysed: the reason is then an entry in the cache's errors). It uses `sources.py`
for what the trigger makes attacker controlled and produces the `ir` facts; the rules do the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from fnaudit.engines.code.files import FileCache
from fnaudit.model.app import Function
from fnaudit.model.code import CodeFacts, SdkCall


@dataclass(frozen=True, slots=True)
class Analysis:
    facts: CodeFacts
    sdk_calls: tuple[SdkCall, ...] = ()


class Analyser(Protocol):
    def __init__(self, cache: FileCache, root: Path) -> None: ...

    def analyse(self, fn: Function) -> Analysis | None: ...
