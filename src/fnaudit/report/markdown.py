"""Markdown for a pull-request comment (GitHub, GitLab): summary, counts, then findings by function.

Layout: a heading with the summary line, a table of counts by severity, then one section per function
group (the order of the terminal table) with one collapsible `<details>` per finding: its `<summary>`
reads like a table row (severity, rule, location, message), the body holds the evidence and the fix.
Suppressed findings are counted, not listed: a comment is about what needs attention.

Escaping: every untrusted string (message, evidence, path, names) is cleaned by `fnaudit.textsafe`,
then escaped for where it goes: inside HTML tags with `html.escape`; in Markdown text every ASCII
punctuation character Markdown reads gets a backslash (CommonMark allows it for all), so a message cannot
open a link, an image, a heading, a table cell or a raw HTML tag. Evidence goes in `<pre>`. The fix
text keeps its `code spans`, whose content Markdown never interprets.

GitHub rejects comments longer than 65,536 characters: past `LIMIT` the remaining findings are left
out, with a line saying how many.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, TextIO

from fnaudit.findings import Finding, Severity
from fnaudit.merge import displayed
from fnaudit.report import info_summary
from fnaudit.report.options import RenderOptions
from fnaudit.report.table import groups, shown_with_lines, summary
from fnaudit.textsafe import clean, one_line

if TYPE_CHECKING:
    from fnaudit.pipeline import ScanResult

LIMIT = 60_000  # characters; leaves room under GitHub's 65,536 for the closing lines and a bot's own text
# The ASCII punctuation Markdown (CommonMark, GFM, GitHub's $math$ and autolinks) gives a meaning to;
# commas, semicolons, quotes and the like are left alone so the comment's source stays readable.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~:/@=$])")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def render(result: ScanResult, out: TextIO, options: RenderOptions | None = None) -> None:
    out.write(document(result, show_info=options is not None and options.show_info))


def document(result: ScanResult, limit: int = LIMIT, show_info: bool = False) -> str:
    head = [f"### fnaudit: {md(summary(result))}", "", *_counts(result), ""]
    # Info findings are counted, one line per app, rather than listed (fnaudit.report.info_summary).
    info_lines = [] if show_info else info_summary.lines(result)
    if info_lines:
        hint = info_summary.HINT
        head += [*(f"{md(line.removesuffix(hint))}`{hint}`  " for line in info_lines), ""]
    parts: list[str] = []
    size = sum(len(line) + 1 for line in head)
    shown = total = 0
    full = False
    for heading, findings in groups(result, include_info=show_info):
        section = [f"#### {md(heading)}", ""]  # written with the group's first finding that fits
        for f in sorted(findings, key=Finding.sort_key):
            total += 1
            if full:
                continue
            block = _finding(f)
            cost = len(block) + 1 + sum(len(s) + 1 for s in section)
            if size + cost > limit:
                full = True  # stop here: later findings are less severe, none may jump ahead of this one
                continue
            parts.extend(section)
            parts.append(block)
            size += cost
            section = []
            shown += 1
    tail: list[str] = []
    if shown < total:
        left = total - shown
        note = (
            f"**{left} more finding{'s' if left != 1 else ''} not shown** (the comment size limit); "
            "the full report: `fnaudit scan --format json` or `--format sarif`."
        )
        tail = ["", note]
    if result.errors:
        tail += ["", _errors(result)]
    return "\n".join([*head, *parts, *tail]).rstrip("\n") + "\n"


def md(text: str) -> str:
    """`text` as literal Markdown on one line: every meaningful punctuation character backslash-escaped."""
    return _PUNCTUATION.sub(r"\\\1", one_line(text))


def _md_with_code(text: str) -> str:
    """Like `md`, keeping `code spans` (their content is literal in Markdown) and line breaks."""
    out = []
    for line in clean(text).split("\n"):
        pieces, last = [], 0
        for m in _CODE_SPAN.finditer(line):
            pieces.append(md(line[last : m.start()]))
            code = m.group(1).replace("|", "\\|")  # a | would still split a table cell
            pieces.append(f"`{code}`")
            last = m.end()
        pieces.append(md(line[last:]))
        out.append("".join(pieces))
    return "\n".join(out)


def _h(text: str) -> str:
    return html.escape(one_line(text), quote=True)


def _counts(result: ScanResult) -> list[str]:
    active = displayed(result.active_findings)  # a foothold counts once, as its attack path (fnaudit.merge)
    rows = ["| severity | findings |", "|---|---:|"]
    rows += [f"| {s.value} | {sum(1 for f in active if f.severity is s)} |" for s in Severity]
    suppressed = sum(1 for f in result.findings if f.suppressed)
    if suppressed:
        rows.append(f"| suppressed | {suppressed} |")
    return rows


def _finding(f: Finding) -> str:
    summary_line = (
        f"<b>{_h(f.severity.value)}</b> <code>{_h(f.rule_id)}</code> {_h(f.rule_name)} · "
        f"<code>{_h(str(f.location))}</code> — {_h(f.message)}"
    )
    body = []
    if f.evidence:
        body += ["<b>Evidence</b>", "", f"<pre>{html.escape(clean(f.evidence), quote=True)}</pre>", ""]
    if f.remediation:
        body += ["<b>How to fix</b>", "", _md_with_code(f.remediation), ""]
    body += [f"{md(line)}  " for line in shown_with_lines(f)] + ([""] if shown_with_lines(f) else [])
    if not body:
        body = [md(f.title), ""]
    # A blank line after <summary> and before </details> lets GitHub render the body as Markdown.
    return "\n".join([f"<details><summary>{summary_line}</summary>", "", *body, "</details>", ""])


def _errors(result: ScanResult) -> str:
    items = "\n".join(f"- {md(e.path or result.target)}: {md(e.message)} \\({md(e.stage)}\\)" for e in result.errors)
    n = len(result.errors)
    return f"<details><summary>{n} scan error{'s' if n != 1 else ''}</summary>\n\n{items}\n\n</details>"
