"""What a language front end provides to the code engine (Python, JavaScript/TypeScript; Go next).

A language module registered in `fnaudit.engines.code.ANALYSERS` exposes a class built with the
scan's `FileCache` and root, whose `analyse(fn)` returns an `Analysis` (or None when the function's
code cannot be analysed: the reason is then an entry in the cache's errors). It translates its
syntax into the operations of the language-neutral taint core (`fnaudit.engines.code.taint`), which
computes the `ir` facts; the rules do the rest. The full contract: docs/language-interface.md.
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
