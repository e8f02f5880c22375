"""Reporters: a `ScanResult` in, text out. They read the result value and nothing else.

Adding a format = one module with `render(result, out, options)`, one `Format` member and one
`case` below; `assert_never` makes a type checker flag a member without a branch.

Every string of the result that came from the scanned repository or an advisory feed (messages,
evidence, paths, names, error messages) is passed through `fnaudit.textsafe` here, once, before any
reporter sees it, so no format can print a terminal escape sequence or a bidi override. Reporters
that show values straight from the App model (function names, app sources) clean those themselves.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING, TextIO, assert_never

from fnaudit.report.options import RenderOptions
from fnaudit.textsafe import clean, is_safe

if TYPE_CHECKING:
    from fnaudit.errors import ScanError
    from fnaudit.findings import Finding
    from fnaudit.model.loc import Loc
    from fnaudit.pipeline import ScanResult


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    HTML = "html"
    CYCLONEDX = "cyclonedx"
    JUNIT = "junit"
    GITLAB = "gitlab"
    MARKDOWN = "markdown"


def render(result: ScanResult, format: Format, out: TextIO, options: RenderOptions | None = None) -> None:
    """Write `result` to `out` in `format`. Modules are imported on use: `rich` only for tables."""
    opts = options or RenderOptions()
    result = safe_result(result)
    match format:
        case Format.TABLE:
            from fnaudit.report import table

            table.render(result, out, opts)
        case Format.JSON:
            from fnaudit.report import json

            json.render(result, out, opts)
        case Format.SARIF:
            from fnaudit.report import sarif

            sarif.render(result, out, opts)
        case Format.HTML:
            from fnaudit.report import html

            html.render(result, out, opts)
        case Format.CYCLONEDX:
            from fnaudit.report import cyclonedx

            cyclonedx.render(result, out, opts)
        case Format.JUNIT:
            from fnaudit.report import junit

            junit.render(result, out, opts)
        case Format.GITLAB:
            from fnaudit.report import gitlab

            gitlab.render(result, out, opts)
        case Format.MARKDOWN:
            from fnaudit.report import markdown

            markdown.render(result, out, opts)
        case _:
            assert_never(format)


def safe_result(result: ScanResult) -> ScanResult:
    """`result` with the untrusted text of its findings, errors and target cleaned (a copy only when needed).

    Function ids are left alone: they are keys that must keep matching `Function.id`; reporters that
    print one clean it."""
    findings = tuple(_safe_finding(f) for f in result.findings)
    errors = tuple(_safe_error(e) for e in result.errors)
    target = clean(result.target)
    if (
        target == result.target
        and all(a is b for a, b in zip(findings, result.findings, strict=True))
        and all(a is b for a, b in zip(errors, result.errors, strict=True))
    ):
        return result
    return replace(result, findings=findings, errors=errors, target=target)


def _safe_loc(loc: Loc) -> Loc:
    """`loc` with its path and configuration key cleaned (a live-account key comes from the account, as
    untrusted as a path from the repository)."""
    if is_safe(loc.path) and is_safe(loc.key):
        return loc
    return replace(loc, path=clean(loc.path), key=clean(loc.key))


def _safe_finding(f: Finding) -> Finding:
    texts = [f.message, f.evidence, f.remediation, f.title, f.function or "", *f.functions]
    locs = [f.location, *(s.loc for s in f.trace), *(p.location for p in f.problems)]
    locs += [r.location for r in f.related] + [m.location for m in f.merged]
    texts += [loc.path + loc.key for loc in locs]
    texts += [s.note for s in f.trace] + [line for _, line in f.excerpt]
    texts += [p.message + p.evidence + p.remediation for p in f.problems]  # IAM, per statement
    if f.suppression is not None:
        texts.append(f.suppression.reason)
    if all(is_safe(t) for t in texts):
        return f
    return replace(
        f,
        message=clean(f.message),
        evidence=clean(f.evidence),
        remediation=clean(f.remediation),
        title=clean(f.title),
        function=clean(f.function) if f.function is not None else None,
        functions=tuple(clean(n) for n in f.functions),
        location=_safe_loc(f.location),
        trace=tuple(replace(s, note=clean(s.note), loc=_safe_loc(s.loc)) for s in f.trace),
        excerpt=tuple((n, clean(line)) for n, line in f.excerpt),
        suppression=replace(f.suppression, reason=clean(f.suppression.reason)) if f.suppression else None,
        problems=tuple(
            replace(
                p,
                message=clean(p.message),
                evidence=clean(p.evidence),
                remediation=clean(p.remediation),
                location=_safe_loc(p.location),
            )
            for p in f.problems
        ),
        related=tuple(replace(r, location=_safe_loc(r.location)) for r in f.related),
        merged=tuple(replace(m, location=_safe_loc(m.location)) for m in f.merged),
    )


def _safe_error(e: ScanError) -> ScanError:
    if is_safe(e.path) and is_safe(e.message):
        return e
    return replace(e, path=clean(e.path), message=clean(e.message))


__all__ = ["Format", "RenderOptions", "render", "safe_result"]
