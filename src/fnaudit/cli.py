"""The command line: parse flags → config → scan → reporter → exit code. No analysis happens here.

Exit codes (the convention CI expects): 0 = nothing unsuppressed at or above `--fail-on`,
1 = findings, 2 = usage, configuration or fatal error (one line on stderr; traceback with --verbose).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
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
from fnaudit.account.target import is_account_target

if TYPE_CHECKING:
    from fnaudit.config import Config
    from fnaudit.model.app import App, Function
    from fnaudit.pipeline import ScanResult
    from fnaudit.report.options import RenderOptions

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SEVERITIES = ("critical", "high", "medium", "low", "info")
DEFAULT_BASELINE = ".fnaudit-baseline.json"

EPILOG = """\
exit codes:
  0  nothing unsuppressed at or above --fail-on
  1  findings at or above --fail-on (without --fail-on: any unsuppressed finding above info;
     info findings fail a run only with --fail-on info)
  2  usage, configuration or fatal error; or an app or function could not be loaded
     (an input error with loss "app" or "function"), unless --errors=warn
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
    scanning.add_argument(
        "path", nargs="?", default=".", metavar="PATH", help="folder or IaC file to scan (default: .)"
    )
    scanning.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="config file (default: .fnaudit.toml or [tool.fnaudit] in pyproject.toml of the scanned folder)",
    )
    scanning.add_argument("--stage", metavar="S", help="serverless stage to resolve ${sls:stage} and ${opt:stage}")
    scanning.add_argument(
        "--param",
        type=_pair,
        action="append",
        default=[],
        metavar="K=V",
        help="serverless --param / template parameter value (repeatable)",
    )
    scanning.add_argument(
        "--env",
        type=_pair,
        action="append",
        default=[],
        metavar="K=V",
        help="value for ${env:K}; the shell's environment is never read (repeatable)",
    )
    scanning.add_argument(
        "--var",
        type=_pair,
        action="append",
        default=[],
        metavar="K=V",
        help="Terraform variable value, as `terraform plan -var` (repeatable)",
    )
    scanning.add_argument(
        "--var-file",
        action="append",
        default=[],
        metavar="FILE",
        help="Terraform variables file, as `terraform plan -var-file` (repeatable)",
    )
    scanning.add_argument(
        "--select",
        action="append",
        metavar="CODE",
        help="run only these rules: code, prefix (IAM) or name; replaces the config's list",
    )
    scanning.add_argument(
        "--ignore", action="append", metavar="CODE", help="do not run these rules; adds to the config's list"
    )
    scanning.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="paths not to scan, as .gitignore patterns (`**/legacy/`, `/examples`, `!keep/`; repeatable, in order)",
    )
    scanning.add_argument(
        "--no-inline-ignores",
        action="store_true",
        help="disregard `fnaudit: ignore[...]` comments (enforce central policy)",
    )
    scanning.add_argument(
        "--date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="scan date for date-dependent checks such as runtime deprecation (default: today)",
    )
    scanning.add_argument(
        "--db",
        metavar="DIR",
        help="advisory store folder (default: $FNAUDIT_DB, else the user "
        "cache dir); fill it with `fnaudit db update` or `fnaudit db import`",
    )
    scanning.add_argument(
        "--include-dev",
        action="store_true",
        help="also check development-only packages (not deployed, so skipped by default)",
    )

    scan_p = sub.add_parser(
        "scan",
        parents=[scanning, display],
        help="scan an app and report findings",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scan_p.add_argument(
        "-f",
        "--format",
        choices=("table", "json", "sarif", "html", "cyclonedx", "junit", "gitlab", "markdown"),
        default="table",
        help="report format (default: table); junit, gitlab (SAST report) and markdown (pull-request comment) for CI",
    )
    scan_p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report here (default: stdout)")
    live = scan_p.add_argument_group(
        "live AWS account (PATH = aws:, aws:REGION[,REGION…] or aws:* for every enabled region; docs/aws.md)"
    )
    live.add_argument("--profile", metavar="NAME", help="AWS profile (credentials come from boto3's standard chain)")
    live.add_argument(
        "--function",
        action="append",
        default=[],
        metavar="NAME|GLOB",
        help="only the deployed functions with this name or glob (repeatable)",
    )
    live.add_argument("--endpoint-url", metavar="URL", help="a local AWS emulator (moto, LocalStack) instead of AWS")
    live.add_argument(
        "--with-s3", action="store_true", help="also read every bucket's notifications (slow with many buckets)"
    )
    live.add_argument(
        "--compare",
        metavar="PATH",
        help="also scan the repository at PATH and report drift per function (DRIFT rules): deployed but not "
        "declared, declared but not deployed, settings that differ",
    )
    scan_p.add_argument(
        "--fail-on",
        choices=(*SEVERITIES, "none"),
        metavar="SEVERITY",
        help="exit 1 only for unsuppressed findings at or above this severity "
        f"({'|'.join(SEVERITIES)}|none); default: any unsuppressed finding above info exits 1",
    )
    scan_p.add_argument(
        "--errors",
        choices=("fail", "warn"),
        default="fail",
        help="fail (default): exit 2 when an app or a function could not be loaded (after writing "
        "the report); warn: report such errors and exit on findings alone. Errors that lose "
        "nothing or only part of a function's analysis never fail the run",
    )
    scan_p.add_argument("--baseline", metavar="FILE", help="suppress the findings listed in this baseline file")
    scan_p.add_argument(
        "--new-only",
        action="store_true",
        help="report only findings that are not in the baseline (--baseline, the config's "
        f"`baseline`, or {DEFAULT_BASELINE}); baseline findings are left out of the report",
    )
    scan_p.add_argument(
        "--changed-since",
        metavar="GIT_REF",
        help="report only the functions whose IaC, code or lockfiles changed since GIT_REF "
        "(git diff --name-only GIT_REF, plus untracked files)",
    )
    scan_p.add_argument(
        "-q", "--quiet", action="store_true", help="print only the report (json/sarif) or only the summary line (table)"
    )
    scan_p.add_argument(
        "--show",
        action="append",
        choices=("info",),
        metavar="info",
        help="table and markdown: list info findings (monitoring and hygiene checks) one by one instead of one "
        "summary line per app; json, sarif and html always list them. Adds to the config's `show`",
    )

    rules_p = sub.add_parser("rules", parents=[display], help="list every rule")
    rules_p.add_argument("-f", "--format", choices=("table", "json"), default="table")
    rules_p.add_argument(
        "--write-docs",
        metavar="DIR",
        type=Path,
        help="write one Markdown page per rule and an index (README.md) into DIR",
    )
    rules_p.add_argument(
        "--check", action="store_true", help="with --write-docs: write nothing, exit 1 when the pages in DIR are stale"
    )

    explain_p = sub.add_parser("explain", parents=[display], help="show one rule's documentation")
    explain_p.add_argument("rule", metavar="CODE|NAME")

    _add_db_parser(sub, display)
    _add_fleet_parser(sub, display)

    base_p = sub.add_parser(
        "baseline",
        parents=[scanning, display],
        help="write a baseline of the current findings (they are then suppressed)",
    )
    base_p.add_argument(
        "-o",
        "--output",
        default=DEFAULT_BASELINE,
        metavar="FILE",
        help=f"baseline file to write, '-' for stdout (default: {DEFAULT_BASELINE})",
    )

    fix_p = sub.add_parser(
        "fix",
        parents=[scanning, display],
        help="print (or --write) a patch that fixes what can be fixed: least privilege, secrets, dependencies, "
        "runtimes, concurrency, logging, auth",
    )
    fix_p.add_argument(
        "--function", action="append", default=[], metavar="NAME|GLOB", help="only the findings of these functions"
    )
    fix_mode = fix_p.add_mutually_exclusive_group()
    fix_mode.add_argument(
        "--write",
        action="store_true",
        help="apply the patch, scan again, and roll back any fix the scan does not confirm",
    )
    fix_mode.add_argument("--interactive", action="store_true", help="ask before each fix, then write as --write does")
    fix_p.add_argument(
        "--fail-on",
        choices=(*SEVERITIES, "none"),
        metavar="SEVERITY",
        help="as for scan, over the findings that remain unfixed",
    )
    fix_p.add_argument("--errors", choices=("fail", "warn"), default="fail", help="as for scan")

    perm_p = sub.add_parser(
        "permissions", parents=[display], help="print the least-privilege IAM statements a function's code needs"
    )
    perm_p.add_argument("function", metavar="FUNCTION", help="function name (as written in the IaC) or id")
    perm_p.add_argument("path", nargs="?", default=".", metavar="PATH", help="folder or IaC file (default: .)")
    perm_p.add_argument(
        "-f",
        "--format",
        choices=("serverless", "sam", "cloudformation", "terraform", "json", "table"),
        help="serverless | sam | cloudformation | terraform | json (least privilege, default: the app's "
        "dialect), or table (effective permissions and blast radius)",
    )
    for action in scanning._actions:  # every scanning option (but its PATH, which comes after FUNCTION here)
        if action.option_strings and action.dest != "help":
            perm_p._add_action(action)

    path_p = sub.add_parser(
        "explain-path",
        parents=[display],
        help="print a function's attack paths step by step, with the change that breaks each",
    )
    path_p.add_argument("function", metavar="FUNCTION", help="function name (as written in the IaC) or id")
    path_p.add_argument("path", nargs="?", default=".", metavar="PATH", help="folder or IaC file (default: .)")
    for action in scanning._actions:
        if action.option_strings and action.dest != "help":
            path_p._add_action(action)
    return parser


# --- entry point ---------------------------------------------------------------------------


# The cyclic garbage collector's thresholds for the fnaudit program: a scan allocates millions of small objects
# that form almost no cycles (syntax trees, model records, findings), and with the default gen-0 threshold (700)
# the collector walks the growing heap again and again for almost nothing to free: 10-15 % of a 1,000-function
# scan's time, measured, for no change in peak memory. Only when fnaudit is the program (not a library call).
GC_THRESHOLDS = (100_000, 20, 20)


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # run as the program (a caller passing its own arguments keeps its collector as it is)
        gc.set_threshold(*GC_THRESHOLDS)
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
        "fix": _fix,
        "permissions": _permissions,
        "explain-path": _explain_path,
        "db": _db,
        "fleet": _fleet,
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
        from fnaudit.textsafe import clean

        # Messages quote paths, names and values from the scanned files: no escape sequence reaches stderr.
        if isinstance(exc, FnauditError):
            print(f"fnaudit: error: {clean(exc.diagnostics())}", file=sys.stderr)
        elif isinstance(exc, UsageError):
            print(f"fnaudit: error: {clean(str(exc))}", file=sys.stderr)
        else:
            hint = "" if args.verbose else " (run with --verbose for the traceback)"
            print(
                f"fnaudit: internal error: {type(exc).__name__}: {clean(str(exc))}{hint}; please report it",
                file=sys.stderr,
            )
        return EXIT_ERROR


# --- commands ------------------------------------------------------------------------------


def _scan(args: argparse.Namespace) -> int:
    from fnaudit.report import Format, render

    config = _config(args)
    if args.new_only:
        config = _new_only_baseline(args, config)
    # Only the HTML report shows code excerpts; the other formats need not pay for reading and redacting them.
    config = replace(config, excerpts=args.format == "html")
    result = _run_scan(args, config)
    if args.new_only:
        result = _drop_baselined(result, args.quiet)
    if args.changed_since:
        from fnaudit import changes

        result = changes.only_changed(result, changes.changed_files(Path(args.path), args.changed_since))
    with _output(args.output) as out:
        options = replace(_render_options(args, out, quiet=args.quiet), show_info="info" in config.show)
        render(result, Format(args.format), out, options)
    if args.format != "table" and not args.quiet:
        from fnaudit.report.table import summary

        where = f" to {args.output}" if args.output else ""
        print(f"fnaudit: wrote {args.format} report{where}: {summary(result)}", file=sys.stderr)
    _diagnose(args, result, errors_on_stderr=args.format != "table")
    if not args.quiet and not args.verbose:
        # Config problems (expired or unused ignores) are the user's to fix: say so even without --verbose.
        for e in result.errors:
            if e.stage == "config":
                print(f"fnaudit: warning: {_clean(e.path)}: {_clean(e.message)}", file=sys.stderr)
    if not _is_account(args) and not Path(args.path).exists():
        print(f"fnaudit: error: {_clean(args.path)}: no such file or folder", file=sys.stderr)
        return EXIT_ERROR
    code = exit_code(result, args.fail_on, args.errors)
    if code == EXIT_ERROR and not args.quiet:
        lost = [e for e in result.errors if e.loss.fails]
        print(
            f"fnaudit: error: {len(lost)} error(s) lost an app or a function (first: {_clean(lost[0].path or result.target)}: "
            f"{_clean(lost[0].message)}); exit 2 (--errors=warn to tolerate)",
            file=sys.stderr,
        )
    return code


def _baseline(args: argparse.Namespace) -> int:
    import json

    from fnaudit import suppress

    # Ignore any baseline the config names: a new baseline must list every current finding,
    # including those the old one already hides.
    result = _run_scan(args, replace(_config(args), baseline=None))
    _diagnose(args, result, errors_on_stderr=True)
    if not Path(args.path).exists():
        print(f"fnaudit: error: {_clean(args.path)}: no such file or folder", file=sys.stderr)
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


def _fix(args: argparse.Namespace) -> int:
    from fnaudit.fix.command import run_fix

    if is_account_target(str(args.path)):
        raise UsageError(
            "fix changes a repository's files: give the folder of the IaC (scan aws: --compare shows drift)"
        )
    if not Path(args.path).exists():
        print(f"fnaudit: error: {_clean(args.path)}: no such file or folder", file=sys.stderr)
        return EXIT_ERROR
    config = replace(_config(args), excerpts=False)
    result = _run_scan(args, config)
    target = Path(args.path)
    remaining = run_fix(
        result,
        target if target.is_dir() else target.parent,
        functions=tuple(args.function),
        write=args.write or args.interactive,
        interactive=args.interactive,
        rescan=lambda: _run_scan(args, config),
    )
    return exit_code(remaining, args.fail_on, args.errors)


def _permissions(args: argparse.Namespace) -> int:
    """Least-privilege statements from the function's SDK calls (or its effective permissions)."""
    from fnaudit.engines.iam.least import least_privilege
    from fnaudit.report.permissions import render_effective, render_least

    config = replace(_config(args), select=("IAM",))
    result = _run_scan(args, config)
    if not Path(args.path).exists():
        raise UsageError(f"{args.path}: no such file or folder")
    app, fn = _one_function(result, args.function, args.path)
    if args.format == "table":
        with _cleaned_stdout() as out:
            render_effective(fn, out)
        return EXIT_OK
    lp = least_privilege(fn, app)
    if not lp.analysed:
        why = fn.code.note or f"its {fn.code.language} code could not be analysed"
        print(
            f"fnaudit: the code of {fn.name} was not analysed ({why}); these are its effective permissions, "
            "not what its code needs",
            file=sys.stderr,
        )
        with _cleaned_stdout() as out:
            render_effective(fn, out)
        return EXIT_OK
    with _cleaned_stdout() as out:
        render_least(lp, fn, app, args.format or app.dialect.value, out)
    return EXIT_OK


def _one_function(result: ScanResult, name: str, path: str) -> tuple[App, Function]:
    """The function a command names (by name or id), or a usage error listing what there is."""
    found = [(app, fn) for app in result.apps for fn in app.functions if name in (fn.name, fn.id)]
    if not found:
        names = ", ".join(sorted(fn.name for app in result.apps for fn in app.functions)) or "none"
        raise UsageError(f"no function {name!r} in {path} (functions: {names})")
    if len(found) > 1:
        ids = ", ".join(fn.id for _, fn in found)
        raise UsageError(f"{name!r} names several functions; use its id: {ids}")
    return found[0]


def _explain_path(args: argparse.Namespace) -> int:
    """A function's attack paths (PATH findings), step by step, from a full scan."""
    from fnaudit.report import explain_path

    if not Path(args.path).exists():
        raise UsageError(f"{args.path}: no such file or folder")
    config = replace(_config(args), select=(), ignore=())  # every rule: the paths join them all
    result = _run_scan(args, config)
    app, fn = _one_function(result, args.function, args.path)
    with _cleaned_stdout() as out:
        explain_path.render(result, app, fn, out)
    return EXIT_OK


def _rules(args: argparse.Namespace) -> int:
    from fnaudit.report import catalogue
    from fnaudit.rules.registry import all_rules

    if args.check and not args.write_docs:
        raise UsageError("--check goes with --write-docs DIR")
    if args.write_docs:
        from fnaudit import docs

        if args.check:
            problems = docs.check(args.write_docs)
            for problem in problems:
                print(f"fnaudit: {problem}", file=sys.stderr)
            if problems:
                print(
                    f"fnaudit: the rule docs in {args.write_docs} are stale; run "
                    f"`{docs.regenerate_command(args.write_docs)}`",
                    file=sys.stderr,
                )
                return EXIT_FINDINGS
            return EXIT_OK
        written = docs.write(args.write_docs)
        print(f"fnaudit: wrote {len(written)} page(s) to {args.write_docs}", file=sys.stderr)
        return EXIT_OK
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
    config = config_file.with_flags(
        base,
        select=_codes(args.select) if args.select else None,
        ignore=_codes(args.ignore),
        stage=args.stage,
        params=dict(args.param),
        env=dict(args.env),
        tf_vars=dict(getattr(args, "var", []) or []),
        tf_var_files=getattr(args, "var_file", []) or [],
        exclude=args.exclude,
        baseline=getattr(args, "baseline", None),
        inline_ignores=not args.no_inline_ignores,
        today=args.date,
        show=getattr(args, "show", None) or (),
    )
    if args.db or args.include_dev:  # advisory store and dev packages (issue 6)
        config = replace(config, db=args.db or config.db, include_dev=args.include_dev or config.include_dev)
    return config


def _run_scan(args: argparse.Namespace, config: Config) -> ScanResult:
    from fnaudit.pipeline import scan

    run: Callable[..., ScanResult] = scan
    target: object = args.path
    if _is_account(args):
        from fnaudit.account import target as account_target
        from fnaudit.account.scan import scan_account

        target = account_target.parse(args.path, args.profile, tuple(args.function), args.endpoint_url, args.with_s3)
        run = scan_account
        if args.compare:
            from fnaudit.account.compare import scan_and_compare

            run = functools.partial(scan_and_compare, repository=Path(args.compare))
    elif args.command == "scan" and (args.function or args.compare or args.profile or args.endpoint_url):
        raise UsageError("--profile, --function, --endpoint-url and --compare apply to aws: targets only")
    if not _show_progress(args, sys.stderr):
        return run(target, config)
    from fnaudit.progress import DelayedProgress

    with DelayedProgress(sys.stderr, delay=1.0) as progress:
        return run(target, config, progress=progress)


def _is_account(args: argparse.Namespace) -> bool:
    return args.command == "scan" and is_account_target(str(args.path))


def _show_progress(args: argparse.Namespace, stderr: TextIO) -> bool:
    """Progress goes to stderr only when a person watches it: stderr is a terminal, not --quiet, and
    no machine-readable report is being written to stdout (its reader is a program, or a pipe)."""
    if getattr(args, "quiet", False) or not stderr.isatty():
        return False
    machine_to_stdout = getattr(args, "format", "table") != "table" and getattr(args, "output", None) is None
    return not machine_to_stdout


def _new_only_baseline(args: argparse.Namespace, config: Config) -> Config:
    """--new-only needs a baseline: the flag's, the config's, or the default file beside the scan."""
    if config.baseline:
        if not Path(config.baseline).is_file():
            raise UsageError(
                f"--new-only: baseline file {config.baseline} not found; write one with `fnaudit baseline`"
            )
        return config
    target = Path(args.path)
    default = (target if target.is_dir() else target.parent) / DEFAULT_BASELINE
    if not default.is_file():
        raise UsageError(
            f"--new-only needs a baseline: pass --baseline FILE, set `baseline` in the config, "
            f"or write {default} with `fnaudit baseline {args.path}`"
        )
    return replace(config, baseline=str(default))


def _drop_baselined(result: ScanResult, quiet: bool) -> ScanResult:
    """The result without the findings the baseline suppressed: --new-only reports what is new."""
    kept = tuple(f for f in result.findings if f.suppression is None or f.suppression.kind != "baseline")
    hidden = len(result.findings) - len(kept)
    if hidden and not quiet:
        print(f"fnaudit: --new-only: {hidden} finding(s) already in the baseline not reported", file=sys.stderr)
    return replace(result, findings=kept)


def exit_code(result: ScanResult, fail_on: str | None, errors: str = "fail") -> int:
    """2 when an error lost an app or a function (unless `errors` is "warn"): a gate must not pass on
    input it could not read. Otherwise 1 when an unsuppressed finding is at or above `fail_on` (any but
    info when None: monitoring and hygiene checks inform, they do not gate unless asked; never for 'none')."""
    from fnaudit.findings import Severity

    if errors != "warn" and any(e.loss.fails for e in result.errors):
        return EXIT_ERROR
    if fail_on == "none":
        return EXIT_OK
    floor = Severity.parse(fail_on).rank if fail_on else Severity.LOW.rank
    return EXIT_FINDINGS if any(f.severity.rank >= floor for f in result.active_findings) else EXIT_OK


@contextmanager
def _cleaned_stdout() -> Iterator[TextIO]:
    """stdout for reporters that print names, notes and code lines of the scanned files as they are
    (explain-path, permissions): their text goes through `fnaudit.textsafe` on its way out."""
    import io

    from fnaudit.textsafe import clean

    buffer = io.StringIO()
    yield buffer
    sys.stdout.write(clean(buffer.getvalue()))


def _clean(text: str) -> str:
    """Untrusted text (paths, names, messages quoting file content) made safe for the terminal."""
    from fnaudit.textsafe import clean

    return clean(text)


def _diagnose(args: argparse.Namespace, result: ScanResult, errors_on_stderr: bool) -> None:
    """--verbose: errors (when the report itself does not list them) and where the time went."""
    if not args.verbose:
        return
    if errors_on_stderr:
        for e in result.errors:
            print(f"fnaudit: {e.stage}: {_clean(e.path or result.target)}: {_clean(e.message)}", file=sys.stderr)
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


# --- fnaudit db: the advisory store ----------------------------------------------------------


def _add_db_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], display: argparse.ArgumentParser) -> None:
    db_p = sub.add_parser("db", parents=[display], help="manage the local vulnerability advisory store (OSV)")
    db_sub = db_p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--db", metavar="DIR", help="store folder (default: $FNAUDIT_DB, else the user cache dir)")
    imp = db_sub.add_parser(
        "import",
        parents=[store, display],
        help="import OSV records: a folder (<Ecosystem>/<ID>.json) or an osv.dev all.zip",
    )
    imp.add_argument("source", type=Path, metavar="SOURCE")
    upd = db_sub.add_parser("update", parents=[store, display], help="download osv.dev's per-ecosystem archives")
    upd.add_argument(
        "--ecosystem",
        action="append",
        metavar="NAME",
        help="ecosystem to download (repeatable; default: npm, PyPI, Maven, Go, crates.io, RubyGems, Packagist)",
    )
    upd.add_argument(
        "--base-url",
        metavar="URL",
        help="where <Ecosystem>/all.zip are served (default: $FNAUDIT_OSV_URL, else osv.dev's bucket)",
    )
    db_sub.add_parser("status", parents=[store, display], help="what the store holds and how old it is")


def _add_fleet_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], display: argparse.ArgumentParser
) -> None:
    fleet_p = sub.add_parser(
        "fleet", parents=[display], help="scan every repository and account of a fleet; report across runs"
    )
    fleet_sub = fleet_p.add_subparsers(dest="fleet_command", metavar="ACTION", required=True)
    history = argparse.ArgumentParser(add_help=False)
    history.add_argument(
        "--history",
        metavar="URL",
        help="the runs' database: sqlite:///PATH or postgresql://USER@HOST/DB (default: a SQLite file in the user "
        "data folder)",
    )
    scan_p = fleet_sub.add_parser("scan", parents=[history, display], help="scan every target of FLEET.toml")
    scan_p.add_argument("fleet_file", type=Path, metavar="FLEET.toml")
    scan_p.add_argument("--scheduler", metavar="URL", help="an existing Dask scheduler (tcp://host:8786)")
    scan_p.add_argument("--workers", type=int, metavar="N", help="local workers (default: one per core)")
    scan_p.add_argument(
        "--threads", action="store_true", help="local workers are threads of this process, not processes"
    )
    scan_p.add_argument(
        "--errors",
        choices=("fail", "warn"),
        default="fail",
        help="fail (default): exit 2 when a target failed or timed out (after recording the run); warn: do not",
    )
    scan_p.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    report_p = fleet_sub.add_parser("report", parents=[history, display], help="report the fleet from its history")
    report_p.add_argument(
        "--since", metavar="RUN|DATE", help="new and fixed relative to this run (default: the previous)"
    )
    report_p.add_argument("-f", "--format", choices=("table", "json", "html", "sarif"), default="table")
    report_p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report here (default: stdout)")
    diff_p = fleet_sub.add_parser(
        "diff", parents=[history, display], help="findings new in RUN_B and fixed since RUN_A (exit 1 when new)"
    )
    diff_p.add_argument("run_a", type=int, metavar="RUN_A")
    diff_p.add_argument("run_b", type=int, metavar="RUN_B")
    diff_p.add_argument("-f", "--format", choices=("table", "json"), default="table")


def _fleet(args: argparse.Namespace) -> int:
    from fnaudit.fleet import command

    url = args.history or command.default_history()
    if args.fleet_command == "scan":
        options = command.ScanOptions(
            args.fleet_file, url, args.scheduler, args.workers, not args.threads, args.errors, args.quiet
        )
        return command.fleet_scan(options)
    if args.fleet_command == "diff":
        return command.fleet_diff(url, args.run_a, args.run_b, args.format, sys.stdout)
    with _output(args.output) as out:
        return command.fleet_report(url, args.since, args.format, out)


def _db(args: argparse.Namespace) -> int:
    """Import, update and status all count the same thing: OSV records stored, one per id, per ecosystem
    (a record naming packages of two ecosystems counts in both; withdrawn ones are counted apart)."""
    import datetime as _dt

    from fnaudit.engines.osv.store import (
        DEFAULT_ECOSYSTEMS,
        ImportReport,
        Store,
        StoreError,
        default_dir,
    )

    def _per_ecosystem(counts: dict[str, object]) -> str:
        return ", ".join(f"{eco} {n}" for eco, n in sorted(counts.items())) or "none"

    def _skipped(report: ImportReport) -> None:
        if report.duplicates:
            print(
                f"fnaudit: {report.duplicates} file(s) repeated an id already read; the newest copy was kept",
                file=sys.stderr,
            )
        if report.skipped:
            # Always named (not only with --verbose): a record that silently went missing is a missed advisory.
            print(f"fnaudit: skipped {report.skipped} file(s):", file=sys.stderr)
            for problem in report.problems:
                print(f"fnaudit:   {_clean(problem)}", file=sys.stderr)  # quotes file names and record text
            if report.skipped > len(report.problems):
                print(f"fnaudit:   … and {report.skipped - len(report.problems)} more", file=sys.stderr)

    directory = default_dir(args.db)
    try:
        if args.db_command == "import":
            if not args.source.exists():
                raise UsageError(f"{args.source}: no such file or folder")
            with Store(directory, create=True) as store:
                report = store.import_source(args.source)
                held = store.counts(report.ecosystems)
            _skipped(report)
            if report.records == 0:
                raise UsageError(f"{args.source}: no OSV record imported")
            print(
                f"fnaudit: imported {report.records} record(s) into {directory}: "
                f"{_per_ecosystem(dict(report.ecosystems))}",
                file=sys.stderr,
            )
            if held != report.ecosystems:  # the store held records of these ecosystems before
                print(f"fnaudit: the store now holds {_per_ecosystem(dict(held))} record(s)", file=sys.stderr)
            return EXIT_OK
        if args.db_command == "update":
            ecosystems = _codes(args.ecosystem) or list(DEFAULT_ECOSYSTEMS)
            with Store(directory, create=True) as store:
                reports = store.update(ecosystems, args.base_url)
                held = store.counts(reports)
            for eco, report in reports.items():
                _skipped(report)
                print(f"fnaudit: {eco}: {held.get(eco, 0)} record(s)", file=sys.stderr)
            return EXIT_OK
        opened = Store.open(directory)
        if opened is None:
            print(f"no advisory store at {directory}; run `fnaudit db update` or `fnaudit db import PATH`")
            return EXIT_FINDINGS
        now = _dt.datetime.now(_dt.UTC)
        with opened:
            print(
                f"advisory store: {opened.path} ({opened.path.stat().st_size / 1e6:.1f} MB); counts are OSV "
                "records stored, one per id (withdrawn ones are kept, never matched)"
            )
            for st in opened.status():
                age = (now - st.imported_at).days
                withdrawn = f" ({st.withdrawn} withdrawn)" if st.withdrawn else ""
                print(
                    f"  {st.ecosystem:<10} {st.records:>7} records{withdrawn}  imported "
                    f"{st.imported_at:%Y-%m-%d %H:%M} UTC ({age} day(s) ago)  newest record "
                    f"{st.newest_modified or '-'}  from {st.origin}"
                )
        return EXIT_OK
    except StoreError as exc:
        raise UsageError(str(exc)) from None
