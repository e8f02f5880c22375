#!/usr/bin/env python3
"""Time fnaudit against checkov on the same synthetic apps, and print the figures side by side.

    .venv/bin/python bench/compare.py [--sizes 10,100,1000] [--dialects serverless,sam,cloudformation]
                                      [--repeat 3] [--checkov PATH] [--fnaudit PATH] [--no-checkov]

For each (dialect, N) it generates the app (bench/generate.py), then runs each tool `--repeat`
times on it, each run in a fresh measuring subprocess, and reports the median wall time and the
peak memory. These are figures for a person to read, not assertions: the script exits 0 whatever
the numbers are (non-zero only when it could not run at all).

Memory is reported two ways, because checkov forks worker processes:
- `maxrss`: `getrusage(RUSAGE_CHILDREN).ru_maxrss` of the measuring subprocess, i.e. the peak RSS of
  the largest single process in the tool's process tree;
- `tree`: the peak of the *sum* of RSS over the whole tree, sampled from /proc every 20 ms (Linux).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
from generate import DEFAULT_SEED, DIALECTS, generate  # noqa: E402 - sibling script, not a package

OUT = BENCH / "out"
CHECKOV_VENV = BENCH / ".venv-checkov"
# Issue 18's targets (cold = every cache off; warm = re-scan of the unchanged app; edit = re-scan after one
# handler changed): cold ≤ 0.3 × checkov and < 3 s at 1,000 functions, warm < 1 s, edit < 1.5 s,
# a 10-function app cold < 0.5 s, peak memory of the process tree ≤ 0.5 × checkov's.
TARGET_RATIO = 0.3
TARGET_1000_SECONDS = 3.0
TARGET_WARM_SECONDS = 1.0
TARGET_EDIT_SECONDS = 1.5
TARGET_SMALL_SECONDS = 0.5
TARGET_MEMORY_RATIO = 0.5

# checkov framework(s) that read each dialect: its `serverless` framework parses serverless.yml;
# SAM and plain CloudFormation templates are both handled by its `cloudformation` framework.
CHECKOV_FRAMEWORKS = {
    "serverless": ["serverless"],
    "sam": ["cloudformation"],
    "cloudformation": ["cloudformation"],
    "terraform": ["terraform"],
}


# --------------------------------------------------------------------------------------------
# Measuring one run (executed in a fresh subprocess: `compare.py _measure OUTFILE -- CMD…`)
# --------------------------------------------------------------------------------------------


def _tree_memory_kb(root_pid: int) -> tuple[int, int]:
    """Sums (kB) over `root_pid` and all its descendants, read from /proc: VmRSS, and Pss (proportional set
    size: a page shared by n processes counts 1/n in each). Forked workers share their parent's pages
    copy-on-write, so the RSS sum counts those pages once per process; the PSS sum is the memory the tree
    really holds. Both are reported."""
    total = pss = 0
    stack = [root_pid]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue  # the process ended while we looked: its memory is gone too
    return total, pss


def measure_main(argv: list[str]) -> int:
    """Run the command once with stdout sent to a file; print one JSON line with the measurements."""
    stdout_path, cmd = argv[0], argv[2:]  # argv[1] is the "--" separator
    sample_proc = Path("/proc/self/task").exists()
    # stderr goes to a temporary file, not a pipe: a chatty tool would fill a pipe and block while we poll.
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        tree_peak = pss_peak = 0
        while proc.poll() is None:
            if sample_proc:
                rss, pss = _tree_memory_kb(proc.pid)
                tree_peak, pss_peak = max(tree_peak, rss), max(pss_peak, pss)
            time.sleep(0.02)
        wall = time.perf_counter() - started
        err.seek(0)
        stderr = err.read()
    # This process is fresh, so RUSAGE_CHILDREN covers exactly this run's process tree.
    maxrss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kB on Linux
    print(
        json.dumps(
            {
                "wall": wall,
                "maxrss_kb": maxrss_kb,
                "tree_peak_kb": max(tree_peak, maxrss_kb),
                "pss_peak_kb": pss_peak or max(tree_peak, maxrss_kb),
                "rc": proc.returncode,
                "stderr_tail": stderr.decode("utf-8", "replace")[-2000:],
            }
        )
    )
    return 0


@dataclass(slots=True)
class Run:
    wall: float
    maxrss_kb: int
    tree_peak_kb: int
    pss_peak_kb: int
    rc: int
    stderr_tail: str


def run_measured(cmd: list[str], stdout_path: Path, env: dict[str, str] | None = None) -> Run:
    wrapper = [sys.executable, str(Path(__file__).resolve()), "_measure", str(stdout_path), "--", *cmd]
    done = subprocess.run(wrapper, capture_output=True, text=True, env=env, check=True)
    return Run(**json.loads(done.stdout.strip().splitlines()[-1]))


# --------------------------------------------------------------------------------------------
# The tools
# --------------------------------------------------------------------------------------------


def ensure_checkov(explicit: str | None) -> Path:
    """The checkov executable: `--checkov PATH`, else bench/.venv-checkov (created and filled on first use)."""
    if explicit:
        return Path(explicit)
    exe = CHECKOV_VENV / "bin" / "checkov"
    if not exe.exists():
        print(f"installing checkov into {CHECKOV_VENV} (first run only; it is large) …", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(CHECKOV_VENV)
        pip = [str(CHECKOV_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "checkov"], check=True)
    return exe


def find_fnaudit(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    exe = REPO / ".venv" / "bin" / "fnaudit"
    if not exe.exists():
        sys.exit(f"fnaudit not found at {exe}; create the repo's .venv (pip install -e .) or pass --fnaudit PATH")
    return exe


# `--scope iac` runs the rules that read only the IaC (the foundation's set), the scope closest to
# what checkov checks on these apps; `full` runs every analyzer (code, secrets, dependencies, IAM, paths).
IAC_RULES = "AUTH,DOS,RUNTIME,OBS,SECRET001,IAM001,IAM002,IAM003,IAM004"
FNAUDIT_SCOPE = {"full": [], "iac": ["--select", IAC_RULES]}
_scope: list[str] = []


def fnaudit_cmd(exe: Path, app: Path, output: str) -> list[str]:
    return [str(exe), "scan", str(app), "--format", "json", "--output", output, *_scope]


def checkov_cmd(exe: Path, app: Path, dialect: str) -> list[str]:
    # --skip-download: no call to the vendor's platform (fnaudit makes none either; this machine has no network).
    return [
        str(exe),
        "-d",
        str(app),
        "--framework",
        *CHECKOV_FRAMEWORKS[dialect],
        "--quiet",
        "--compact",
        "-o",
        "json",
        "--skip-download",
    ]


def checkov_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("BC_SKIP_MAPPING", "TRUE")  # do not fetch the guideline mapping from the network
    return env


def count_fnaudit(path: Path) -> str:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return "?"
    active = [f for f in doc.get("findings", []) if not f.get("suppressed")]
    fns = len(doc.get("functions", []))
    return f"{len(active)} findings, {fns} fns, {len(doc.get('errors', []))} errors"


def count_checkov(path: Path) -> str:
    """Failed checks in checkov's JSON (one report object, or a list of them with several frameworks)."""
    try:
        doc = json.loads(path.read_text() or "null")
    except (OSError, ValueError):
        return "?"
    reports = doc if isinstance(doc, list) else [doc]
    failed = sum(int((r or {}).get("summary", {}).get("failed", 0)) for r in reports if isinstance(r, dict))
    resources = sum(int((r or {}).get("summary", {}).get("resource_count", 0)) for r in reports if isinstance(r, dict))
    return f"{failed} failed checks, {resources} resources"


def _out(cmd: list[str], env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"? ({exc})"
    return (done.stdout or done.stderr).strip().splitlines()[-1] if (done.stdout or done.stderr).strip() else "?"


# --------------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Side:
    runs: list[Run] = field(default_factory=list)
    counts: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.rc in (0, 1) for r in self.runs)  # 1 = findings, for both tools

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def rss_mb(self) -> float:
        return max(r.maxrss_kb for r in self.runs) / 1024

    @property
    def tree_mb(self) -> float:
        return max(r.tree_peak_kb for r in self.runs) / 1024

    @property
    def pss_mb(self) -> float:
        return max(r.pss_peak_kb for r in self.runs) / 1024

    def cell(self) -> str:
        if not self.runs:
            return "-"
        if not self.ok:
            return f"FAILED rc={self.runs[-1].rc}"
        return f"{self.wall:6.2f} s {self.rss_mb:4.0f}/{self.tree_mb:.0f}/{self.pss_mb:<4.0f}MB"


@dataclass(slots=True)
class Row:
    dialect: str
    n: int
    fnaudit: Side  # cold: fnaudit's on-disk cache disabled, every template translated again
    checkov: Side
    fnaudit_warm: Side = field(default_factory=Side)  # re-scan of an unchanged app (cache filled)
    fnaudit_edit: Side = field(default_factory=Side)  # re-scan after one handler changed (cache filled)

    @property
    def ratio(self) -> float | None:
        if self.fnaudit.ok and self.checkov.ok and self.checkov.wall > 0:
            return self.fnaudit.wall / self.checkov.wall
        return None


def machine_lines(fnaudit: Path, checkov: Path | None) -> list[str]:
    cpu = "?"
    mem = "?"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        cpu = next(ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name"))
        mem = f"{int(next(ln.split()[1] for ln in meminfo if ln.startswith('MemTotal'))) / 1048576:.1f} GiB"
    except (OSError, StopIteration):
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    fn_py = fnaudit.parent / "python"
    fn_version = _out([str(fn_py), "-c", "import fnaudit; print(fnaudit.__version__)"]) if fn_py.exists() else "?"
    commit = _out(["git", "-C", str(REPO), "describe", "--always", "--dirty"])
    lines = [
        f"command : {shlex.join([sys.executable, *sys.argv])}  (cwd {Path.cwd()})",
        f"machine : {platform.node()} {platform.system()} {platform.release()}; nproc={nproc}; {cpu}; {mem}",
        f"python  : harness {platform.python_version()}; fnaudit's {_out([str(fn_py), '--version']) if fn_py.exists() else '?'}",
        f"fnaudit : {fn_version} ({fnaudit}; repo {commit})",
    ]
    if checkov:
        lines.append(f"checkov : {_out([str(checkov), '--version'], checkov_env())} ({checkov})")
    return lines


def compare(args: argparse.Namespace) -> list[Row]:
    fnaudit = find_fnaudit(args.fnaudit)
    checkov = None if args.no_checkov else ensure_checkov(args.checkov)
    for line in machine_lines(fnaudit, checkov):
        print(line)
    print(
        f"runs    : median of {args.repeat}; one untimed warm-up per tool first; apps from generate.py seed {args.seed}"
    )
    print(flush=True)

    rows: list[Row] = []
    warmed: set[str] = set()
    for dialect in args.dialects:
        for n in args.sizes:
            app = OUT / "apps" / f"{dialect}-{n}"
            generate(dialect, n, app, args.seed)
            row = Row(dialect, n, Side(), Side())
            results = OUT / "results"
            results.mkdir(parents=True, exist_ok=True)

            # Untimed run that keeps fnaudit's JSON (for the finding counts) and warms bytecode and the
            # on-disk cache. Timed runs: cold (cache off: what a first scan or CI without a cache pays)
            # and warm (the cache this run filled: a developer re-scanning an unchanged app).
            cache = OUT / "cache" / f"{dialect}-{n}"
            shutil.rmtree(cache, ignore_errors=True)
            cold_env = {**os.environ, "FNAUDIT_CACHE_DIR": "off"}
            warm_env = {**os.environ, "FNAUDIT_CACHE_DIR": str(cache)}
            json_out = results / f"fnaudit-{dialect}-{n}.json"
            run_measured(fnaudit_cmd(fnaudit, app, str(json_out)), Path(os.devnull), warm_env)
            row.fnaudit.counts = count_fnaudit(json_out)
            for _ in range(args.repeat):
                row.fnaudit.runs.append(run_measured(fnaudit_cmd(fnaudit, app, os.devnull), Path(os.devnull), cold_env))
            for _ in range(args.repeat):
                row.fnaudit_warm.runs.append(
                    run_measured(fnaudit_cmd(fnaudit, app, os.devnull), Path(os.devnull), warm_env)
                )
            handler = _a_handler(app)
            if handler is not None:
                original = handler.read_bytes()
                for i in range(args.repeat):  # a new line each time: one unit's inputs changed since the last scan
                    handler.write_bytes(original + f"\n# edited {i}\n".encode())
                    row.fnaudit_edit.runs.append(
                        run_measured(fnaudit_cmd(fnaudit, app, os.devnull), Path(os.devnull), warm_env)
                    )
                handler.write_bytes(original)
            if not row.fnaudit.ok:
                print(f"  fnaudit failed on {app}: {row.fnaudit.runs[-1].stderr_tail.strip()[-800:]}", file=sys.stderr)

            if checkov is not None and dialect in CHECKOV_FRAMEWORKS:
                ck_out = results / f"checkov-{dialect}-{n}.json"
                if dialect not in warmed:  # warm checkov's bytecode once per framework, on this app
                    run_measured(checkov_cmd(checkov, app, dialect), Path(os.devnull), checkov_env())
                    warmed.add(dialect)
                for _ in range(args.repeat):
                    # checkov writes its report to stdout; it goes to a file (as cheap as /dev/null) for the counts.
                    row.checkov.runs.append(run_measured(checkov_cmd(checkov, app, dialect), ck_out, checkov_env()))
                row.checkov.counts = count_checkov(ck_out)
                if not row.checkov.ok:
                    print(
                        f"  checkov failed on {app}: {row.checkov.runs[-1].stderr_tail.strip()[-800:]}", file=sys.stderr
                    )
            rows.append(row)
            print(f"  done {dialect} N={n}: fnaudit {row.fnaudit.cell()} | checkov {row.checkov.cell()}", flush=True)
    return rows


def _checks(row: Row) -> list[str]:
    """Each of issue 18's targets that applies to the row, PASS or FAIL."""

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    out = []
    if row.ratio is not None:
        out.append(f"cold≤{TARGET_RATIO}× {verdict(row.ratio <= TARGET_RATIO)}")
    if row.n >= 1000 and row.fnaudit.ok:
        out.append(f"cold<{TARGET_1000_SECONDS:.0f}s {verdict(row.fnaudit.wall < TARGET_1000_SECONDS)}")
    if row.n >= 1000 and row.fnaudit_warm.ok:
        out.append(f"warm<{TARGET_WARM_SECONDS:.0f}s {verdict(row.fnaudit_warm.wall < TARGET_WARM_SECONDS)}")
    if row.n >= 1000 and row.fnaudit_edit.ok:
        out.append(f"edit<{TARGET_EDIT_SECONDS}s {verdict(row.fnaudit_edit.wall < TARGET_EDIT_SECONDS)}")
    if row.n <= 10 and row.fnaudit.ok:
        out.append(f"cold<{TARGET_SMALL_SECONDS}s {verdict(row.fnaudit.wall < TARGET_SMALL_SECONDS)}")
    if row.fnaudit.ok and row.checkov.ok and row.checkov.pss_mb > 0:  # the tree's PSS: shared pages once
        share = row.fnaudit.pss_mb / row.checkov.pss_mb
        out.append(f"mem {share:.2f}×≤{TARGET_MEMORY_RATIO} {verdict(share <= TARGET_MEMORY_RATIO)}")
    return out


def _a_handler(app: Path) -> Path | None:
    """The first Python handler of the app (sorted), the file the edit runs change."""
    found = sorted(p for p in app.rglob("*.py") if "node_modules" not in p.parts and "cdk.out" not in p.parts)
    handlers = [p for p in found if "def handler" in p.read_text(encoding="utf-8", errors="replace")]
    return handlers[0] if handlers else None


def print_table(rows: list[Row]) -> None:
    print()
    print(
        "wall = median; memory = peak RSS of the largest process / peak RSS summed over the process tree /"
        " peak PSS summed over the process tree (pages shared by forked workers counted once)"
    )
    print("fnaudit cold = its on-disk cache off (first scan, CI); warm = re-scan of the unchanged app;")
    print("edit = re-scan after one handler changed (one template's apps computed again)")
    header = (
        f"{'dialect':<15}{'N':>6}  {'fnaudit cold':<28}{'fnaudit warm':<28}{'fnaudit edit':<28}{'checkov':<28}"
        f"{'ratio':>7}  targets"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = row.ratio
        ratio_text = f"{ratio:6.3f}×" if ratio is not None else "      -"
        print(
            f"{row.dialect:<15}{row.n:>6}  {row.fnaudit.cell():<28}{row.fnaudit_warm.cell():<28}"
            f"{row.fnaudit_edit.cell():<28}{row.checkov.cell():<28}{ratio_text}  {', '.join(_checks(row))}"
        )
    print()
    print("finding counts (for information; the tools look for different things):")
    for row in rows:
        print(
            f"  {row.dialect:<15}{row.n:>6}  fnaudit: {row.fnaudit.counts or '-'}; checkov: {row.checkov.counts or '-'}"
        )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_measure"]:
        return measure_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", type=lambda s: [int(x) for x in s.split(",")])
    # CDK source is not something checkov reads: bench/cdk.py times it against the CloudFormation twin
    parser.add_argument("--dialects", default=",".join(CHECKOV_FRAMEWORKS), type=lambda s: s.split(","))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--checkov", metavar="PATH", help="checkov executable (default: bench/.venv-checkov, installed on first run)"
    )
    parser.add_argument("--fnaudit", metavar="PATH", help="fnaudit executable (default: the repo's .venv)")
    parser.add_argument("--no-checkov", action="store_true", help="time fnaudit only")
    parser.add_argument(
        "--scope",
        choices=sorted(FNAUDIT_SCOPE),
        default="full",
        help=f"fnaudit rules to run: full (every analyzer) or iac ({IAC_RULES})",
    )
    args = parser.parse_args(argv)
    unknown = [d for d in args.dialects if d not in DIALECTS]
    if unknown:
        parser.error(f"unknown dialect(s) {unknown}; choose from {', '.join(DIALECTS)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    _scope[:] = FNAUDIT_SCOPE[args.scope]
    print(f"scope   : {args.scope} ({' '.join(_scope) or 'every rule and analyzer'})")
    rows = compare(args)
    print_table(rows)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(
        json.dumps(
            [
                {
                    "dialect": r.dialect,
                    "n": r.n,
                    "ratio": r.ratio,
                    "fnaudit": asdict(r.fnaudit),
                    "checkov": asdict(r.checkov),
                }
                for r in rows
            ],
            indent=2,
        )
    )
    print(f"\nraw runs: {OUT / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
