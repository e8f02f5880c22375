"""The terminal report: findings grouped by function, worst first, then a one-line summary.

Each finding is a header line (severity, rule code and name, path:line) with its message on the
indented line(s) below, wrapped at the terminal width; on a narrow terminal long paths are shortened
from the left ("…/handlers/x.py:12") and rule names cut, never the rule code, file name or line. A
deployed resource of a live-account scan shows its ARN and configuration key where the line would go
(`arn:aws:lambda:…:function:orders Environment.Variables.DB_PASSWORD`), shortened in the ARN, never the key.

Function groups come in the order of their risk (`fnaudit.risk`: exposure × exploitability × blast
radius), then groups shared by several functions (by their riskiest function), then the findings
about files no function claims ("Not attributed to a function"), then app-level findings (no
function); ties keep the order of their worst finding (the result is sorted by
severity, then function), so the function that needs attention first is at the top. When the
output is not a terminal the text is plain and never cut: paths are what a person copies into an
editor. Text from the scanned repository is printed through `fnaudit.textsafe` and as rich `Text`
(never markup), so neither an escape sequence nor "[red]" in a message can style the terminal.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, TextIO

from fnaudit.findings import Category, Finding, Severity
from fnaudit.merge import displayed
from fnaudit.model.coverage import Kind
from fnaudit.report import info_summary
from fnaudit.report.options import RenderOptions
from fnaudit.textsafe import one_line

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from fnaudit.model.app import App, Function
    from fnaudit.model.loc import Loc
    from fnaudit.pipeline import ScanResult

STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
# Heading of the group of findings about files no function claims (`Finding.attribution`), in every reporter.
UNATTRIBUTED = "Not attributed to a function"
_UNCUT = 10_000  # "width" of a pipe: wide enough that rich never wraps or truncates a row


def render(result: ScanResult, out: TextIO, options: RenderOptions | None = None) -> None:
    # rich is imported by the functions that draw (here and below), not with the module: every other format
    # imports this one for `summary` and `groups` alone, and rich costs tens of milliseconds at start-up.
    from rich.console import Console
    from rich.text import Text

    opts = options or RenderOptions()
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=_UNCUT,  # lines are laid out to opts.width here; rich must never wrap them again
        force_terminal=opts.color,
        no_color=not opts.color,
        color_system="standard" if opts.color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    if not opts.quiet:
        _findings(console, result, opts)
        if result.errors and opts.verbose:
            _errors(console, result, _width(opts))
        if not opts.show_info:  # info findings left out of the rows above: counted, one line per app
            for text in info_summary.lines(result):
                for line in _wrap(Text(one_line(text), style="dim"), _width(opts)):
                    console.print(line)
    for line in _wrap(
        Text(one_line(summary(result)), style="bold" if result.active_findings else "green"), _width(opts)
    ):
        console.print(line)
    if result.errors and not opts.verbose and not opts.quiet:
        console.print(f"(details of the {_plural(len(result.errors), 'error')} with --verbose)", style="dim")
    if (note := coverage_note(result)) and not opts.quiet:
        for line in _wrap(Text(note), _width(opts)):
            console.print(line)
    # padding of aligned columns and wrapped lines leaves trailing blanks; they only make diffs noisy.
    out.write("\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n")


def groups(
    result: ScanResult, include_suppressed: bool = False, include_info: bool = True, include_shown: bool = False
) -> list[tuple[str, list[Finding]]]:
    """(heading, findings) per function, in order of each group's worst finding. `include_info=False`: info
    findings are left out (the reader's reports count them in a summary line), and so is a group they alone made.
    An attack path's foothold is shown inside the path (`Finding.shown_with`), not again, unless `include_shown`."""
    owners = _owners(result.apps)
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for f in result.findings:
        if f.suppressed and not include_suppressed:
            continue
        if f.shown_with is not None and not include_shown:
            continue
        if info_summary.is_hidden(f, include_info):
            continue
        if f.function_id:
            key = ("fn", f.function_id)
        elif f.functions:
            key = ("shared", ", ".join(f.functions))
        elif f.attribution:  # code, a secret or a lockfile in a file no function claims: one group for all
            key = ("unattributed", "")
        else:
            key = ("app", f.location.path)
        grouped.setdefault(key, []).append(f)
    out = []
    ranks: list[tuple[int, float]] = []
    by_name = {fn.name: fn.id for _, fn in owners.values()}
    for (kind, ident), findings in grouped.items():
        if kind == "fn":
            ranks.append((0, -_risk(result, ident)))
        elif kind == "shared":
            ranks.append((1, -max((_risk(result, by_name.get(n, "")) for n in ident.split(", ")), default=0.0)))
        else:
            ranks.append((2 if kind == "unattributed" else 3, 0.0))
        if kind == "unattributed":
            heading = UNATTRIBUTED
        elif kind == "app":
            heading = f"{ident or result.target} (app-level)"
        elif kind == "shared":
            heading = f"shared by {ident} ({findings[0].location.path})"
        elif ident in owners:
            app, fn = owners[ident]
            heading = f"{fn.name} ({app.source})"
            if fn.blast_radius is not None:  # the IAM engine's score (fnaudit.engines.iam.blast), for ranking
                heading += f" · blast radius {fn.blast_radius.score:g}"
            if ident in result.risk:
                heading += f" · risk {result.risk[ident].score:g}"
        else:
            heading = findings[0].function or ident
        out.append((one_line(heading), findings))  # names come from the scanned IaC
    if not result.risk:
        return out
    # functions by risk, then the groups shared by several functions, then app-level findings; stable,
    # so ties keep the worst-finding order
    order = sorted(range(len(out)), key=lambda i: ranks[i])
    return [out[i] for i in order]


def _risk(result: ScanResult, function_id: str) -> float:
    r = result.risk.get(function_id)
    return r.score if r is not None else 0.0


def summary(result: ScanResult) -> str:
    """`12 findings (2 critical, 5 high, …) in 5 functions across 1 app; 3 suppressed; 1 error`. A foothold
    shown inside its attack path is counted once, as that path (fnaudit.merge)."""
    active = displayed(result.active_findings)
    scope = f"in {_plural(len(result.functions), 'function')} across {_plural(len(result.apps), 'app')}"
    if active:
        counts = [f"{n} {s.value}" for s in Severity if (n := sum(1 for f in active if f.severity is s))]
        text = f"{_plural(len(active), 'finding')} ({', '.join(counts)}) {scope}"
    else:
        text = f"No findings {scope}"
    suppressed = sum(1 for f in result.findings if f.suppressed)
    if suppressed:
        text += f"; {suppressed} suppressed"
    if result.errors:
        text += f"; {_plural(len(result.errors), 'error')}"
    return text


def coverage_note(result: ScanResult) -> str | None:
    """One line when files belong to no function, or were not analysed for a problem (too large, failed);
    an ordinary skip (README.md, an image, node_modules) is no news."""
    c = result.coverage
    counts = [
        _plural(n, word)
        for n, word in (
            (c.unattributed(Kind.CODE), "code file"),
            (c.unattributed(Kind.LOCKFILE), "lockfile"),
            (c.unattributed(Kind.MANIFEST), "manifest"),
        )
        if n
    ]
    parts = []
    if counts:
        total = sum(c.unattributed(k) for k in (Kind.CODE, Kind.LOCKFILE, Kind.MANIFEST))
        joined = ", ".join(counts[:-1]) + " and " + counts[-1] if len(counts) > 1 else counts[0]
        parts.append(f"{joined} {'belongs' if total == 1 else 'belong'} to no function")
    if problems := c.problems:
        parts.append(f"{_plural(len(problems), 'file')} could not be analysed")
    return "; ".join(parts) + ": see --format json coverage" if parts else None


def _findings(console: Console, result: ScanResult, opts: RenderOptions) -> None:
    """One header line per finding (severity, rule, path:line) and its message indented below, as linters
    print them: the message gets the whole width instead of a narrow last column, and a long path is
    shortened from the left rather than pushing the message off the screen."""
    from rich.text import Text

    shown = groups(result, include_suppressed=opts.verbose, include_info=opts.show_info)
    rows = [f for _, findings in shown for f in findings]
    width = _width(opts)
    rule_col = max((len(_rule(f)) for f in rows), default=0)
    loc_col = max((len(_where(f)) for f in rows), default=0)
    # Columns line up when every row fits; on a narrow terminal each row is laid out on its own.
    aligned = width is None or _PREFIX + rule_col + 2 + loc_col <= width
    # A terminal shows at most two lines of each message (the JSON, SARIF and --verbose have it all),
    # four of an attack path's, whose end says what the attacker gets; a pipe or a file gets every
    # word: that text is what people grep and copy.
    cap = width is not None and not opts.verbose
    for heading, findings in shown:
        for line in _wrap(Text(one_line(heading), style="bold underline"), width):
            console.print(line)
        for f in sorted(findings, key=Finding.sort_key):
            console.print(_header(f, width, rule_col if aligned else None))
            message = Text(one_line(f.message))
            if f.suppression is not None:
                message.append(f"  [suppressed ({f.suppression.kind}): {one_line(f.suppression.reason)}]", style="dim")
            max_lines = (_PATH_LINES if f.category is Category.ATTACK_PATH else _MESSAGE_LINES) if cap else None
            for line in _wrap(message, width, _INDENT, max_lines):
                console.print(Text(" " * _INDENT) + line)
            for extra in shown_with_lines(f):  # merged rules, an attack path's foothold: never cut
                for line in _wrap(Text(one_line(extra), style="dim"), width, _INDENT):
                    console.print(Text(" " * _INDENT) + line)
        console.print()


def shown_with_lines(f: Finding) -> list[str]:
    """What a reader's report adds under a finding (fnaudit.merge): the rules merged into it, and an attack
    path's foothold, shown there instead of on its own."""
    out = [f"{r.role}: {r.rule_id} {r.rule_name} at {r.location}".replace("  ", " ") for r in f.related]
    if f.merged:
        out.append("merged: " + ", ".join(f"{m.rule_id} {m.rule_name}" for m in f.merged))
    return out


_PREFIX = 12  # "  " + severity padded to 8 + "  "
_INDENT = 6  # message lines sit under the rule code
_MESSAGE_LINES = 2
_PATH_LINES = 4
_LOCATION_MIN = 32
_MIN_WIDTH = 40  # below this nothing useful fits; lay out as if the terminal were this wide


def _width(opts: RenderOptions) -> int | None:
    return None if opts.width is None else max(opts.width, _MIN_WIDTH)


def _rule(f: Finding) -> str:
    return f"{f.rule_id} {f.rule_name}"


def _where(f: Finding) -> str:
    return one_line(str(f.location))


def _header(f: Finding, width: int | None, rule_col: int | None) -> Text:
    """`  critical  CODE002 command-injection  src/handler.py:12`, fitted into `width`.

    Aligned (`rule_col` given): the rule column padded so locations line up. Otherwise the rule code
    is kept whole, the location gets what the rule name leaves (at least `_LOCATION_MIN` characters),
    shortened from the left ("…/handlers/x.py:12"), and the name is cut with "…" when even that is
    too much."""
    from rich.text import Text

    severity = (f.severity.value.ljust(8), STYLE[f.severity])
    where = _where(f)
    if rule_col is not None:
        return Text.assemble(
            "  ",
            severity,
            "  ",
            (f.rule_id, "bold"),
            " ",
            f.rule_name.ljust(rule_col - len(f.rule_id) - 1),
            "  ",
            where,
        )
    assert width is not None
    room = width - _PREFIX - len(f.rule_id) - 2  # for " name" and the location
    if len(f.rule_name) + 1 + len(where) > room:
        # the location keeps what the whole name leaves, and never less than enough for "…/dir/file.py:12"
        where = shorten_loc(f.location, max(room - len(f.rule_name) - 1, min(len(where), _LOCATION_MIN)))
    left = room - len(where) - 1
    name = f.rule_name if len(f.rule_name) <= left else f.rule_name[: left - 1] + "…" if left >= 6 else ""
    return Text.assemble("  ", severity, "  ", (f.rule_id, "bold"), (" " + name) if name else "", "  ", where)


def shorten_loc(loc: Loc, room: int) -> str:
    """`str(loc)` in at most `room` characters. A file: as `shorten_path`. A deployed resource or a file in a
    downloaded package (an ARN, `fnaudit scan aws:`): the configuration key, or the package path and line, kept
    whole, and the ARN shortened from the left at its `:` and `/` separators ("…:function:orders AuthType"), so
    the resource's name stays next to the key."""
    where = one_line(str(loc))
    if len(where) <= room or not loc.path.startswith("arn:"):
        return shorten_path(where, room)
    room = max(room, 8)
    suffix = f":{loc.line}" if loc.line else f" {one_line(loc.key)}" if loc.key else ""
    arn = one_line(loc.path)
    cuts = [i for i, c in enumerate(arn) if c in ":/" and i > 0]
    for i in cuts:
        candidate = "…" + arn[i:] + suffix
        if len(candidate) <= room:
            return candidate
    tail = (arn[cuts[-1] + 1 :] if cuts else arn) + suffix
    return "…" + tail[-(room - 1) :]


def shorten_path(location: str, room: int) -> str:
    """`location` (path[:line]) in at most `room` characters: whole path segments dropped from the left
    behind "…/", so the file name and line, the part a reader needs, survive."""
    if len(location) <= room:
        return location
    room = max(room, 8)
    path, sep, line = location.rpartition(":")
    if not (sep and line.isdigit()):
        path, line = location, ""
    suffix = f":{line}" if line else ""
    parts = path.split("/")
    for i in range(1, len(parts)):
        candidate = "…/" + "/".join(parts[i:]) + suffix
        if len(candidate) <= room:
            return candidate
    tail = (parts[-1] + suffix)[-(room - 1) :]
    return "…" + tail


def _wrap(text: Text, width: int | None, indent: int = 0, max_lines: int | None = None) -> list[Text]:
    """`text` wrapped into `width - indent` cells (rich measures wide characters), at most `max_lines`
    lines with "…" closing the last one when some was left out. No width: one line, never cut."""
    if width is None:
        return [text]
    room = width - indent
    lines = list(text.wrap(_measure(), room, overflow="fold"))
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        last.rstrip()
        last.truncate(room - 1)
        last.append("…")
    return lines


@cache
def _measure() -> Console:
    """The console `_wrap` measures cells with (made on first use, like rich itself)."""
    from rich.console import Console

    return Console(width=_UNCUT, no_color=True, color_system=None, highlight=False, emoji=False, markup=False)


def _errors(console: Console, result: ScanResult, width: int | None) -> None:
    from rich.text import Text

    console.print(Text("Errors", style="bold underline"))
    for e in result.errors:
        text = Text(one_line(f"{e.path or result.target}: {e.message} [{e.stage}]"), style="red")
        for line in _wrap(text, width, 2):
            console.print(Text("  ") + line)
    console.print()


def _owners(apps: Iterable[App]) -> dict[str, tuple[App, Function]]:
    return {fn.id: (app, fn) for app in apps for fn in app.functions}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
