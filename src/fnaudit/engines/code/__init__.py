"""The code engine: per-function taint analysis, SDK-call extraction and runtime-state checks.

`enrich(app, ctx)` runs before the other engines (the IAM engine reads the SDK calls; dependency
reachability reads the imports). For each function whose code is in the repository it picks the
analyser of the function's language (`ANALYSERS`), which fills `Function.code_facts` and
`Function.sdk_calls`. Files are read and parsed once (`files.FileCache`); a file that cannot be
analysed is one entry in `errors` and the other functions are still analysed. Scanned code is
never imported or executed.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from fnaudit.engines.code import patterns
from fnaudit.engines.code.files import FileCache
from fnaudit.errors import ScanError
from fnaudit.model.app import App, Function

if TYPE_CHECKING:
    from fnaudit.engines import EngineContext
    from fnaudit.engines.code.base import Analyser

# language (Code.language) → "module:Class" of its analyser.
ANALYSERS: dict[str, str] = {
    "python": "fnaudit.engines.code.python.analyse:PythonAnalyser",
    "node": "fnaudit.engines.code.javascript.analyse:JsAnalyser",
    "go": "fnaudit.engines.code.go.analyse:GoAnalyser",
    "java": "fnaudit.engines.code.java.analyse:JavaAnalyser",
    "kotlin": "fnaudit.engines.code.kotlin.analyse:KotlinAnalyser",
}


def _analyser(language: str, cache: FileCache, made: dict[str, Analyser | None]) -> Analyser | None:
    if language not in made:
        spec = ANALYSERS.get(language)
        if spec is None:
            made[language] = None
        else:
            module_name, _, cls_name = spec.partition(":")
            cls = getattr(importlib.import_module(module_name), cls_name)
            made[language] = cls(cache, cache.root)
    return made[language]


@dataclass(slots=True)
class CodeScan:
    """The code engine's part of one scan (`ScanState.code`): files read and parsed once, and one
    analyser per language, whose summary caches live as long as the scan. `enrich` runs once per app,
    and apps of one scan may share files."""

    cache: FileCache
    analysers: dict[str, Analyser | None] = field(default_factory=dict)


def _scan_state(ctx: EngineContext) -> tuple[FileCache, dict[str, Analyser | None]]:
    if ctx.state.code is None:
        ctx.state.code = CodeScan(FileCache(ctx.root, ctx.artifacts))
    return ctx.state.code.cache, ctx.state.code.analysers


def _inline_view(fn: Function, cache: FileCache) -> Function:
    """The function as the analysers see inline code: a code folder below the template file (no such
    folder can exist on disk, so no other module is ever found beside it) holding one virtual module
    whose text is laid out on the template's lines and which is named after the template. Only this
    view has `in_repo`; the function kept in the model stays as the loader made it."""
    src = fn.code.inline
    assert src is not None
    folder = f"{src.file}/inline/{fn.name}"
    handler_file = f"{folder}/{src.module}{src.extension}"
    cache.add_virtual(cache.artifacts.real_path(handler_file), src.file, src.text)
    return replace(fn, code=replace(fn.code, in_repo=True, root=folder, handler_file=handler_file))


def enrich(app: App, ctx: EngineContext) -> tuple[App, list[ScanError]]:
    cache, made = _scan_state(ctx)
    reported = set(cache.errors)
    functions = []
    changed = False
    for fn in app.functions:
        written = fn
        if fn.code.inline is not None:
            fn = _inline_view(fn, cache)
        code = fn.code
        if not code.in_repo or not code.handler_file:
            functions.append(written)
            continue
        mount = cache.artifacts.mount_of(code.handler_file)
        if mount is not None and mount.skipped:  # members of a zip artifact that were not extracted
            cache.errors.setdefault(
                mount.rel,
                ScanError(mount.rel, f"not analysed inside the zip: {'; '.join(mount.skipped)}", "code"),
            )
        shown = written.code.handler_file or code.handler_file  # inline code: the template, not the view
        analyser = _analyser(code.language, cache, made)
        try:
            result = analyser.analyse(fn, app) if analyser is not None else None
        except (RecursionError, MemoryError):
            cache.errors.setdefault(
                f"{shown}#{fn.name}",
                ScanError(
                    shown,
                    f"function {fn.name}: code too deeply nested to analyse; its code findings are missing",
                    "code",
                ),
            )
            result = None
        except Exception as exc:  # noqa: BLE001 - one function's analysis must not stop the others'
            cache.errors.setdefault(
                f"{shown}#{fn.name}",
                ScanError(
                    shown,
                    f"function {fn.name}: code engine failed ({type(exc).__name__}: {exc}); please report it",
                    "code",
                ),
            )
            result = None
        if result is None:
            functions.append(written)
            continue
        # the code's framework only fills what the loader left open (a loader's "chalice" or "zappa" stays)
        framework = written.framework or result.framework
        facts = patterns.with_patterns(result.facts, cache, code.language)
        functions.append(replace(written, code_facts=facts, sdk_calls=result.sdk_calls, framework=framework))
        changed = True
    new_app = replace(app, functions=tuple(functions)) if changed else app
    return new_app, sorted(e for k, e in cache.errors.items() if k not in reported)
