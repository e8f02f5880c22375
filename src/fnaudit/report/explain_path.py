"""`fnaudit explain-path FUNCTION`: a function's attack paths, step by step.

Reads only the ScanResult: the PATH findings of the function (their `trace` holds the steps, their
`excerpt` the foothold's code, their remediation the smallest breaking change first and the others
after `Otherwise:`), the excerpts of the findings that sit on the entry and reach lines (AUTH and IAM
findings: the IaC lines that open the door and grant the reach), and the function's risk.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, TextIO

from fnaudit.findings import Category, Finding

if TYPE_CHECKING:
    from fnaudit.model.app import App, Function
    from fnaudit.model.loc import Loc
    from fnaudit.pipeline import ScanResult

_WIDTH = 100


def paths_of(result: ScanResult, fn: Function) -> list[Finding]:
    """The function's attack-path findings, unsuppressed first, worst first."""
    found = [f for f in result.findings if f.category is Category.ATTACK_PATH and f.function_id == fn.id]
    return sorted(found, key=lambda f: (f.suppressed, -f.severity.rank, f.rule_id, f.location, f.fingerprint))


def render(result: ScanResult, app: App, fn: Function, out: TextIO) -> None:
    paths = paths_of(result, fn)
    heading = f"{fn.name} ({app.source})"
    risk = result.risk.get(fn.id)
    if risk is not None:
        heading += f" · risk {risk.score:g}"
    out.write(heading + "\n")
    if risk is not None:
        out.write(
            f"  risk = 100 × exposure {risk.exposure:g} ({risk.reasons[0]}) × exploitability "
            f"{risk.exploitability:g} ({risk.reasons[1]}) × blast {risk.blast:g} ({risk.reasons[2]})\n"
        )
    if not paths:
        out.write(
            f"\nNo attack path found for {fn.name}: no chain of an entry an attacker can use, a foothold in its "
            "code, and a reach in its role.\n"
        )
        return
    by_loc: dict[Loc, list[Finding]] = {}
    for f in result.findings:
        by_loc.setdefault(f.location, []).append(f)
    for n, f in enumerate(paths, 1):
        out.write("\n")
        flag = f"  [suppressed ({f.suppression.kind}): {f.suppression.reason}]" if f.suppression else ""
        out.write(f"Attack path {n} of {len(paths)} · {f.severity.value} · {f.rule_id} {f.rule_name}{flag}\n")
        gain = f.message.split("the attacker can ", 1)[-1] if "the attacker can " in f.message else f.message
        out.write(_wrap(f"The attacker can {gain}.", "  ") + "\n\n")
        for i, step in enumerate(f.trace, 1):
            label, _, note = step.note.partition(": ") if step.note.split(":", 1)[0] in _LABELS else ("", "", step.note)
            label = label or "flow"
            out.write(f"  {i:>2}. {label:<8} {step.loc}  {note}\n")
            excerpt = _excerpt_for(f, step.loc, label, by_loc)
            for line_no, text in excerpt:
                mark = ">" if line_no == step.loc.line else " "
                out.write(f"      {mark} {line_no:>4} | {text}\n")
        first, *others = [p.strip() for p in f.remediation.split(" Otherwise: ")]
        out.write("\n  Smallest change that breaks it:\n")
        out.write(_wrap(first, "    ") + "\n")
        if others:
            out.write("  Other ways to break it:\n")
            for o in others:
                out.write(_wrap(o, "    - ", "      ") + "\n")


_LABELS = ("entry", "foothold", "pivot", "reach")


def _excerpt_for(path: Finding, loc: Loc, label: str, by_loc: dict[Loc, list[Finding]]) -> tuple[tuple[int, str], ...]:
    """The foothold's code from the path finding itself; entry and reach lines from the findings there."""
    if label == "foothold" and loc == path.location and path.excerpt:
        return path.excerpt
    if label not in ("entry", "reach", "foothold", "pivot"):
        return ()
    for other in by_loc.get(loc, ()):
        if other.excerpt and other.category is not Category.ATTACK_PATH:
            return other.excerpt
    return ()


def _wrap(text: str, indent: str, subsequent: str | None = None) -> str:
    return textwrap.fill(
        text,
        _WIDTH,
        initial_indent=indent,
        subsequent_indent=subsequent or indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
