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
from fnaudit.model.app import App, Function
from fnaudit.model.code import CodeFacts, SdkCall


@dataclass(frozen=True, slots=True)
class Analysis:
    facts: CodeFacts
    sdk_calls: tuple[SdkCall, ...] = ()
    framework: str | None = None  # the web framework the code's routes come from ("express", "flask"), None: plain


class Analyser(Protocol):
    def __init__(self, cache: FileCache, root: Path) -> None: ...

    # `in_app`: the function's app, for facts that depend on its other resources (a public-writable bucket)
    def analyse(self, fn: Function, in_app: App | None = None) -> Analysis | None: ...
