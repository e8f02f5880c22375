"""The rule catalogue as text: `fnaudit rules` (table or JSON) and `fnaudit explain` (one rule's docs)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from fnaudit.report.options import RenderOptions
from fnaudit.rules.registry import Rule


def rules_json(rules: Iterable[Rule], out: TextIO) -> None:
    doc = [
        {
            "code": r.code,
            "name": r.name,
            "category": r.category.value,
            "severity": r.severity.value,
            "title": r.title,
            "cwe": list(r.cwe),
            "owasp": list(r.owasp),
        }
        for r in rules
    ]
    json.dump(doc, out, indent=2)
    out.write("\n")


def rules_table(rules: Iterable[Rule], out: TextIO, options: RenderOptions) -> None:
    from rich.table import Table

    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
    for name in ("CODE", "NAME", "CATEGORY", "SEVERITY", "TITLE"):
        table.add_column(name, no_wrap=name != "TITLE", overflow="fold")
    for r in rules:
        table.add_row(r.code, r.name, r.category.value, r.severity.value, r.title)
    _print(out, options, table)


def explain(rule: Rule, out: TextIO, options: RenderOptions) -> None:
    """The rule's metadata, then its docs: rendered Markdown on a terminal, the source text otherwise
    (plain Markdown reads fine in a pipe and can be pasted into a ticket)."""
    facts = [
        f"{rule.code} {rule.name}: {rule.title}",
        f"category: {rule.category.value}",
        f"default severity: {rule.severity.value}",
    ]
    if rule.cwe:
        facts.append("CWE: " + ", ".join(f"CWE-{n}" for n in rule.cwe))
    if rule.owasp:
        facts.append("OWASP Serverless Top 10: " + ", ".join(rule.owasp))
    if rule.references:
        facts.append("references:" + "".join(f"\n  {ref}" for ref in rule.references))
    doc = rule.doc or rule.title
    if not options.color:
        out.write("\n".join(facts) + "\n\n" + doc.rstrip() + "\n")
        return
    from rich.markdown import Markdown
    from rich.text import Text

    _print(out, options, Text(facts[0], style="bold"), Text("\n".join(facts[1:]), style="dim"), Text(), Markdown(doc))


def _print(out: TextIO, options: RenderOptions, *renderables: object) -> None:
    import io

    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=options.width or (None if options.color else 10_000),
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        highlight=False,
    )
    for renderable in renderables:
        console.print(renderable)
    # rich pads cells to the column width; trailing blanks only make diffs noisy.
    out.write("\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n")
