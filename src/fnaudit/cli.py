"""The command line: parse flags → config → scan → reporter → exit code. No analysis happens here.

Exit codes (the convention CI expects): 0 = nothing unsuppressed at or above `--fail-on`,
1 = findings, 2 = usage, configuration or fatal error (one line on stderr; traceback with --verbose).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from fnaudit import __version__

if TYPE_CHECKING:
    from fnaudit.config import Config
    from fnaudit.report.options import RenderOptions
    from fnaudit.scan import ScanResult

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SEVERITIES = ("critical", "high", "medium", "low", "info")
DEFAULT_BASELINE = ".fnaudit-baseline.json"

EPILOG = """\
exit codes:
  0  nothing unsuppressed at or above --fail-on
  1  findings at or above --fail-on (without --fail-on: any unsuppressed finding)
  2  usage, configuration or fatal error
"""


class UsageError(Exception):
    """A problem with what the user asked for, reported in one line with exit code 2."""


# --- argument parsing ----------------------------------------------------------------------


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _codes(values: list[str] | None) -> list[str]:
    """`--select A --select B,C` → [A, B, C]: repeated flags and comma lists both work."""
    return [c.strip() for v in values or () for c in v.split(",") if c.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fnaudit",
        description="Security analyzer for serverless applications (AWS Lambda): IaC, code, secrets, "
        "dependencies and IAM, per function.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fnaudit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    display = argparse.ArgumentParser(add_help=False)
    display.add_argument("--no-color", action="store_true", help="never colour the output (NO_COLOR is honoured too)")
    display.add_argument("-v", "--verbose", action="store_true", help="show every error, timings, and tracebacks")

    scanning = argparse.ArgumentParser(add_help=False)
    scanning.add_argument("path", nargs="?", default=".", metavar="PATH",
                          help="folder or IaC file to scan (default: .)")
    scanning.add_argument("--config", type=Path, metavar="FILE", help="config file (default: .fnaudit.toml or "
                          "[tool.fnaudit] in pyproject.toml of the scanned folder)")
    scanning.add_argument("--stage", metavar="S", help="serverless stage to resolve ${sls:stage} and ${opt:stage}")
    scanning.add_argument("--param", type=_pair, action="append", default=[], metavar="K=V",
                          help="serverless --param / template parameter value (repeatable)")
    scanning.add_argument("--env", type=_pair, action="append", default=[], metavar="K=V",
                          help="value for ${env:K}; the shell's environment is never read (repeatable)")
    scanning.add_argument("--select", action="append", metavar="CODE",
                          help="run only these rules: code, prefix (IAM) or name; replaces the config's list")
    scanning.add_argument("--ignore", action="append", metavar="CODE",
                          help="do not run these rules; adds to the config's list")
    scanning.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                          help="paths not to scan (repeatable)")
    scanning.add_argument("--no-inline-ignores", action="store_true",
                          help="disregard `fnaudit: ignore[...]` comments (enforce central policy)")
    scanning.add_argument("--date", type=_date, metavar="YYYY-MM-DD",
                          help="scan date for date-dependent checks such as runtime deprecation (default: today)")

    scan_p = sub.add_parser("scan", parents=[scanning, display], help="scan an app and report findings",
                            epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    scan_p.add_argument("-f", "--format", choices=("table", "json", "sarif"), default="table",
                        help="report format (default: table)")
    scan_p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report here (default: stdout)")
    scan_p.add_argument("--fail-on", choices=(*SEVERITIES, "none"), metavar="SEVERITY",
                        help="exit 1 only for unsuppressed findings at or above this severity "
                        f"({'|'.join(SEVERITIES)}|none); default: any unsuppressed finding exits 1")
    scan_p.add_argument("--baseline", metavar="FILE", help="suppress the findings listed in this baseline file")
    scan_p.add_argument("-q", "--quiet", action="store_true",
                        help="print only the report (json/sarif) or only the summary line (table)")

    rules_p = sub.add_parser("rules", parents=[display], help="list every rule")
    rules_p.add_argument("-f", "--format", choices=("table", "json"), default="table")

    explain_p = sub.add_parser("explain", parents=[display], help="show one rule's documentation")
    explain_p.add_argument("rule", metavar="CODE|NAME")

    base_p = sub.add_parser("baseline", parents=[scanning, display],
                            help="write a baseline of the current findings (they are then suppressed)")
    base_p.add_argument("-o", "--output", default=DEFAULT_BASELINE, metavar="FILE",
                        help=f"baseline file to write, '-' for stdout (default: {DEFAULT_BASELINE})")
    return parser


# --- entry point ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error it already printed (2)
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "scan": _scan,
        "rules": _rules,
        "explain": _explain,
        "baseline": _baseline,
    }
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return commands[args.command](args)
    except KeyboardInterrupt:
        print("fnaudit: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        from fnaudit.errors import FnauditError

        if args.verbose:
            traceback.print_exc()
        if isinstance(exc, FnauditError):
            print(f"fnaudit: error: {exc.diagnostics()}", file=sys.stderr)
        elif isinstance(exc, UsageError):
            print(f"fnaudit: error: {exc}", file=sys.stderr)
        else:
            hint = "" if args.verbose else " (run with --verbose for the traceback)"
            print(f"fnaudit: internal error: {type(exc).__name__}: {exc}{hint}; please report it", file=sys.stderr)
        return EXIT_ERROR


# --- commands ------------------------------------------------------------------------------


def _scan(args: argparse.Namespace) -> int:
    from fnaudit.report import Format, render

    result = _run_scan(args, _config(args))
    with _output(args.output) as out:
        render(result, Format(args.format), out, _render_options(args, out, quiet=args.quiet))
    if args.format != "table" and not args.quiet:
        from fnaudit.report.table import summary

        where = f" to {args.output}" if args.output else ""
        print(f"fnaudit: wrote {args.format} report{where}: {summary(result)}", file=sys.stderr)
    _diagnose(args, result, errors_on_stderr=args.format != "table")
    if not Path(args.path).exists():
        print(f"fnaudit: error: {args.path}: no such file or folder", file=sys.stderr)
        return EXIT_ERROR
    return exit_code(result, args.fail_on)


def _baseline(args: argparse.Namespace) -> int:
    import json

    from fnaudit import suppress

    # Ignore any baseline the config names: a new baseline must list every current finding,
    # including those the old one already hides.
    result = _run_scan(args, replace(_config(args), baseline=None))
    _diagnose(args, result, errors_on_stderr=True)
    if not Path(args.path).exists():
        print(f"fnaudit: error: {args.path}: no such file or folder", file=sys.stderr)
        return EXIT_ERROR
    document = suppress.baseline_document(result.findings)
    target = None if args.output == "-" else Path(args.output)
    with _output(target) as out:
        json.dump(document, out, indent=2, sort_keys=False)
        out.write("\n")
    if target is not None:
        count = len(document["findings"])  # type: ignore[arg-type]
        print(f"fnaudit: wrote {count} finding(s) to {target}", file=sys.stderr)
    return EXIT_OK


def _rules(args: argparse.Namespace) -> int:
    from fnaudit.report import catalogue
    from fnaudit.rules.registry import all_rules

    if args.format == "json":
        catalogue.rules_json(all_rules(), sys.stdout)
    else:
        catalogue.rules_table(all_rules(), sys.stdout, _render_options(args, sys.stdout))
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from fnaudit.report import catalogue
    from fnaudit.rules.registry import find_rule

    rule = find_rule(args.rule)
    if rule is None:
        raise UsageError(f"unknown rule {args.rule}; run `fnaudit rules`")
    catalogue.explain(rule, sys.stdout, _render_options(args, sys.stdout))
    return EXIT_OK


# --- wiring helpers ------------------------------------------------------------------------


def _config(args: argparse.Namespace) -> Config:
    """Config file values first, then the flags over them."""
    from fnaudit import config_file

    target = Path(args.path)
    folder = target if target.is_dir() else target.parent
    base = config_file.load(folder, args.config)
    return config_file.with_flags(
        base,
        select=_codes(args.select) if args.select else None,
        ignore=_codes(args.ignore),
        stage=args.stage,
        params=dict(args.param),
        env=dict(args.env),
        exclude=args.exclude,
        baseline=getattr(args, "baseline", None),
        inline_ignores=not args.no_inline_ignores,
        today=args.date,
    )


def _run_scan(args: argparse.Namespace, config: Config) -> ScanResult:
    from fnaudit.scan import scan

    return scan(args.path, config)


def exit_code(result: ScanResult, fail_on: str | None) -> int:
    """1 when an unsuppressed finding is at or above `fail_on` (any, when None; never for 'none')."""
    from fnaudit.findings import Severity

    if fail_on == "none":
        return EXIT_OK
    floor = Severity.parse(fail_on).rank if fail_on else Severity.INFO.rank
    return EXIT_FINDINGS if any(f.severity.rank >= floor for f in result.active_findings) else EXIT_OK


def _diagnose(args: argparse.Namespace, result: ScanResult, errors_on_stderr: bool) -> None:
    """--verbose: errors (when the report itself does not list them) and where the time went."""
    if not args.verbose:
        return
    if errors_on_stderr:
        for e in result.errors:
            print(f"fnaudit: {e.stage}: {e.path or result.target}: {e.message}", file=sys.stderr)
    for stage, seconds in result.stats.stages.items():
        print(f"fnaudit: timing: {stage} {seconds:.3f}s", file=sys.stderr)
    print(f"fnaudit: timing: total {result.stats.seconds:.3f}s", file=sys.stderr)


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            yield fh
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _render_options(args: argparse.Namespace, out: TextIO, quiet: bool = False) -> RenderOptions:
    from fnaudit.report.options import RenderOptions

    tty = out.isatty()
    color = tty and not args.no_color and not os.environ.get("NO_COLOR")
    width = shutil.get_terminal_size().columns if tty else None
    return RenderOptions(color=color, verbose=args.verbose, quiet=quiet, width=width)
