#!/usr/bin/env python3
"""CDK apps read from source: timing against checkov, parity with the CloudFormation twin, and how much is read.

    .venv/bin/python bench/cdk.py time   [--sizes 10,100,1000] [--repeat 3] [--no-checkov]
    .venv/bin/python bench/cdk.py parity [--sizes 10,100]
    .venv/bin/python bench/cdk.py read   DIR... [--hand FILE]

`time`: fnaudit (its cache off) on the generator's `cdk-ts` and `cdk-py` apps, and checkov on the
`cloudformation` app of the same (N, seed): checkov cannot read CDK source, and the generator's
CloudFormation is laid out as `cdk synth` writes it, so it is the template the CDK app would give.
Same measuring subprocess as compare.py (median wall time, peak RSS of the largest process and of the
process tree).

`parity`: fnaudit's active findings per rule on the three twins, and every (rule, function) that one of
the CDK apps has and the CloudFormation app has not, or the reverse. Functions are compared by their
construct id (`Svc01/GetOrder3` → `GetOrder3`, the twin's logical id).

`read`: for each CDK app (a folder with `cdk.json`, searched below each DIR): constructs written in the
source (`new X(` in TypeScript/JavaScript; calls of a name imported from `aws_cdk` in Python), values
left unresolved (the template parameters the loader made, i.e. what only running the app would tell),
functions and triggers fnaudit found, its `errors` entries, and whether it crashed. `--hand` is a JSON
file `{app folder name: {"functions": N, "triggers": N}}` of counts made by reading the app, for recall.

Figures for a person to read; the script exits 0 whatever they are.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import statistics
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from compare import (  # noqa: E402 - sibling script, not a package
    Run,
    checkov_cmd,
    checkov_env,
    ensure_checkov,
    find_fnaudit,
    fnaudit_cmd,
    run_measured,
)
from generate import DEFAULT_SEED, Dialect, generate  # noqa: E402

OUT = BENCH / "out" / "cdk"


def _fnaudit(explicit: str | None) -> Path:
    """`--fnaudit PATH`, else the fnaudit beside the Python running this script (its venv), else compare.py's."""
    here = Path(sys.executable).parent / "fnaudit"
    return Path(explicit) if explicit else here if here.exists() else find_fnaudit(None)


CDK_DIALECTS: tuple[Dialect, ...] = ("cdk-ts", "cdk-py")
TWIN: Dialect = "cloudformation"


# --------------------------------------------------------------------------------------------
# time
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Cell:
    runs: list[Run] = field(default_factory=list)

    def text(self) -> str:
        ok = [r for r in self.runs if r.rc in (0, 1)]
        if not ok:
            return "failed" if self.runs else "-"
        wall = statistics.median(r.wall for r in ok)
        rss = max(r.maxrss_kb for r in ok) / 1024
        tree = max(r.tree_peak_kb for r in ok) / 1024
        return f"{wall:7.2f} s {rss:6.0f}/{tree:.0f} MB"

    @property
    def wall(self) -> float | None:
        ok = [r.wall for r in self.runs if r.rc in (0, 1)]
        return statistics.median(ok) if ok else None


def cmd_time(args: argparse.Namespace) -> int:
    fnaudit = _fnaudit(args.fnaudit)
    checkov = None if args.no_checkov else ensure_checkov(args.checkov)
    cold = {**os.environ, "FNAUDIT_CACHE_DIR": "off"}
    print(f"nproc {os.cpu_count()}; median of {args.repeat}; fnaudit cache off; seed {args.seed}")
    print(f"{'N':>6}  {'fnaudit cdk-ts':<26}{'fnaudit cdk-py':<26}{'checkov (CFN twin)':<26}ratio ts/py")
    for n in args.sizes:
        cells: dict[str, Cell] = {}
        for dialect in (*CDK_DIALECTS, TWIN):
            app = OUT / "apps" / f"{dialect}-{n}"
            generate(dialect, n, app, args.seed)
            if dialect in CDK_DIALECTS:
                run_measured(fnaudit_cmd(fnaudit, app, os.devnull), Path(os.devnull), cold)  # warm bytecode
                cells[dialect] = Cell(
                    [
                        run_measured(fnaudit_cmd(fnaudit, app, os.devnull), Path(os.devnull), cold)
                        for _ in range(args.repeat)
                    ]
                )
            elif checkov is not None:
                run_measured(checkov_cmd(checkov, app, TWIN), Path(os.devnull), checkov_env())
                cells[TWIN] = Cell(
                    [
                        run_measured(checkov_cmd(checkov, app, TWIN), Path(os.devnull), checkov_env())
                        for _ in range(args.repeat)
                    ]
                )
        ck = cells.get(TWIN, Cell())
        ratios = [f"{w / ck.wall:.3f}" if (w := cells[d].wall) is not None and ck.wall else "-" for d in CDK_DIALECTS]
        print(
            f"{n:>6}  {cells['cdk-ts'].text():<26}{cells['cdk-py'].text():<26}{ck.text():<26}{'/'.join(ratios)}",
            flush=True,
        )
    return 0


# --------------------------------------------------------------------------------------------
# parity
# --------------------------------------------------------------------------------------------


def _scan(app: Path, report: Path) -> dict[str, Any]:
    env = {**os.environ, "FNAUDIT_CACHE_DIR": "off"}
    exe = _fnaudit(None)
    subprocess.run(fnaudit_cmd(exe, app, str(report)), env=env, capture_output=True, check=False)
    data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return data


def _pairs(report: dict[str, Any]) -> Counter[tuple[str, str]]:
    """(rule, function construct id) of every active finding; a finding on several functions counts once each."""
    out: Counter[tuple[str, str]] = Counter()
    for f in report.get("findings", []):
        if f.get("suppressed"):
            continue
        names = f.get("functions") or ([f["function"]] if f.get("function") else [""])
        for name in names:
            out[(f["rule_id"], str(name).rsplit("/", 1)[-1])] += 1
    return out


def cmd_parity(args: argparse.Namespace) -> int:
    for n in args.sizes:
        reports: dict[str, dict[str, Any]] = {}
        for dialect in (*CDK_DIALECTS, TWIN):
            app = OUT / "apps" / f"{dialect}-{n}"
            generate(dialect, n, app, args.seed)
            reports[dialect] = _scan(app, OUT / f"parity-{dialect}-{n}.json")
        rules = {d: Counter(f["rule_id"] for f in r.get("findings", [])) for d, r in reports.items()}
        print(f"N={n}: functions " + ", ".join(f"{d} {len(r.get('functions', []))}" for d, r in reports.items()))
        print(f"  {'rule':<10}{'cdk-ts':>8}{'cdk-py':>8}{'cfn':>8}")
        for rule in sorted(set().union(*rules.values())):
            counts = [rules[d][rule] for d in (*CDK_DIALECTS, TWIN)]
            mark = "" if len(set(counts)) == 1 else "   <- differs"
            print(f"  {rule:<10}" + "".join(f"{c:>8}" for c in counts) + mark)
        twin = _pairs(reports[TWIN])
        for d in CDK_DIALECTS:
            mine = _pairs(reports[d])
            extra, missing = sorted((mine - twin).elements()), sorted((twin - mine).elements())
            print(f"  {d}: {len(extra)} (rule, function) only in CDK, {len(missing)} only in the CFN twin")
            for sign, pairs in (("+", extra), ("-", missing)):
                by_rule: dict[str, Counter[str]] = {}
                for rule, fn in pairs:
                    by_rule.setdefault(rule, Counter())[fn or "(app)"] += 1
                for rule, fns in sorted(by_rule.items()):
                    some = ", ".join(f"{fn}×{k}" if k > 1 else fn for fn, k in fns.most_common(args.show))
                    print(f"    {sign} {rule}: {sum(fns.values())} on {len(fns)} function(s): {some}")
        for name, r in reports.items():
            errs = [e for e in r.get("errors", []) if "advisory store" not in str(e.get("message", ""))]
            if errs:
                print(
                    f"  {name} errors: "
                    + "; ".join(f"{e.get('path')}: {str(e.get('message'))[:100]}" for e in errs[:5])
                )
    return 0


# --------------------------------------------------------------------------------------------
# read
# --------------------------------------------------------------------------------------------

_TS_NEW = re.compile(r"\bnew\s+([A-Za-z_$][\w$.]*)\s*[(<]")
_SKIP_DIRS = {"node_modules", "cdk.out", ".git", ".venv", "venv", "__pycache__", "dist", "build"}


def _source_files(app: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(app):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.suffix in (".ts", ".js", ".py") and not name.endswith(".d.ts"):
                out.append(p)
    return out


def _cdk_imports(tree: ast.AST) -> set[str]:
    """Local names bound to something of `aws_cdk` (modules, classes) in a Python module."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name.startswith("aws_cdk"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aws_cdk"):
            names.update(a.asname or a.name for a in node.names)
    return names


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def count_constructs(app: Path) -> Counter[str]:
    """Constructs (and other CDK classes) instantiated in the app's source, by class name."""
    found: Counter[str] = Counter()
    for p in _source_files(app):
        text = p.read_text(encoding="utf-8", errors="replace")
        if p.suffix == ".py":
            try:
                tree = ast.parse(text)
            except SyntaxError:
                continue
            cdk = _cdk_imports(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = _dotted(node.func)
                    last = name.rsplit(".", 1)[-1]
                    if name.split(".")[0] in cdk and last[:1].isupper():
                        found[last] += 1
        elif "aws-cdk" in text or "@aws-cdk" in text or "constructs" in text:
            for m in _TS_NEW.finditer(text):
                found[m.group(1).rsplit(".", 1)[-1]] += 1
    return found


def unresolved(app: Path) -> list[str] | str:
    """The template parameters the loader made for values it could not know (its own view, no report needed)."""
    try:
        from fnaudit.loaders._files import ScanRoot
        from fnaudit.loaders.cdk.entry import cdk_app
        from fnaudit.loaders.cdk.interp import Program

        root = ScanRoot.of(app)
        doc, _error = cdk_app(app / "cdk.json", root)
        if doc is None:
            return "no entry"
        program = Program(root, ".", os.path.dirname(doc.rel) or ".")
        entry = program.module(doc.rel)
        if entry is None:
            return "entry not parsed"
        program.run(entry)
        return sorted(program.out.parameters)
    except Exception as exc:  # a crash is a figure here, not a reason to stop
        return f"crash: {type(exc).__name__}: {exc}"


def _language(app: Path) -> str:
    """The app's language, from the command `cdk.json` runs (what the loader goes by too)."""
    try:
        command = str(json.loads((app / "cdk.json").read_text(encoding="utf-8")).get("app", ""))
    except (OSError, ValueError, AttributeError):
        return "?"
    if "python" in command or ".py" in command:
        return "py"
    return "ts" if any(k in command for k in ("node", "ts-node", "tsx", ".ts", ".js")) else "other"


def cmd_read(args: argparse.Namespace) -> int:
    hand: dict[str, dict[str, int]] = json.loads(Path(args.hand).read_text()) if args.hand else {}
    apps = sorted({p.parent for d in args.dirs for p in Path(d).rglob("cdk.json") if "node_modules" not in p.parts})
    exe = _fnaudit(None)
    env = {**os.environ, "FNAUDIT_CACHE_DIR": "off"}
    totals = Counter[str]()
    print(f"{'app':<44}{'lang':<5}{'cons':>5}{'unres':>6}{'fn':>4}{'/hand':>6}{'trg':>5}{'/hand':>6}{'err':>5}  crash")
    rows = []
    for app in apps:
        report_path = OUT / "read" / (app.name + ".json")
        report_path.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(fnaudit_cmd(exe, app, str(report_path)), env=env, capture_output=True, text=True)
        crash = "Traceback" in proc.stderr or proc.returncode not in (0, 1, 2)
        report: dict[str, Any] = json.loads(report_path.read_text()) if report_path.exists() else {}
        fns = report.get("functions", [])
        triggers = sum(len(f.get("triggers") or []) for f in fns)
        errors = [e for e in report.get("errors", []) if "advisory store" not in str(e.get("message", ""))]
        cons = count_constructs(app)
        unres = unresolved(app)
        lang = _language(app)
        h = hand.get(app.name, {})
        print(
            f"{app.name[:43]:<44}{lang:<5}{sum(cons.values()):>5}"
            f"{(len(unres) if isinstance(unres, list) else 'X'):>6}{len(fns):>4}{h.get('functions', '?'):>6}"
            f"{triggers:>5}{h.get('triggers', '?'):>6}{len(errors):>5}  {'CRASH' if crash else ''}",
            flush=True,
        )
        if args.verbose:
            for e in errors:
                print(f"      error {e.get('path')}: {str(e.get('message'))[:140]}")
            if isinstance(unres, str) or unres:
                print(f"      unresolved: {unres if isinstance(unres, str) else ', '.join(unres)[:300]}")
        rows.append(
            {
                "app": app.name,
                "constructs": dict(cons),
                "unresolved": unres,
                "functions": len(fns),
                "triggers": triggers,
                "errors": [str(e.get("message")) for e in errors],
                "crash": crash,
                "hand": h,
                "stderr": proc.stderr[-2000:] if crash else "",
            }
        )
        if h:
            totals["fn"] += min(len(fns), h["functions"])
            totals["fn_hand"] += h["functions"]
            totals["trg"] += min(triggers, h["triggers"])
            totals["trg_hand"] += h["triggers"]
    if totals["fn_hand"]:
        print(f"recall: functions {totals['fn']}/{totals['fn_hand']} = {totals['fn'] / totals['fn_hand']:.0%}", end="")
        if totals["trg_hand"]:
            print(f"; triggers {totals['trg']}/{totals['trg_hand']} = {totals['trg'] / totals['trg_hand']:.0%}")
    (OUT / "read.json").write_text(json.dumps(rows, indent=2) + "\n")
    return 0


def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("time")
    t.add_argument("--sizes", default=[10, 100, 1000], type=_sizes)
    t.add_argument("--repeat", type=int, default=3)
    t.add_argument("--seed", type=int, default=DEFAULT_SEED)
    t.add_argument("--no-checkov", action="store_true")
    t.add_argument("--checkov")
    t.add_argument("--fnaudit")
    p = sub.add_parser("parity")
    p.add_argument("--sizes", default=[10, 100], type=_sizes)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--show", type=int, default=4, help="functions named per differing rule")
    r = sub.add_parser("read")
    r.add_argument("dirs", nargs="+")
    r.add_argument("--hand")
    r.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    return {"time": cmd_time, "parity": cmd_parity, "read": cmd_read}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
