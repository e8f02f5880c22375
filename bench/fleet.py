#!/usr/bin/env python3
"""Time `fnaudit fleet` on a generated fleet of repositories, with the history in SQLite and in PostgreSQL.

    /work/venv/bin/python bench/fleet.py [--repos 1000] [--workers 1,2] [--runs 10] [--subset K]
                                         [--backends sqlite,postgresql] [--repeat 3] [--glob] [--fnaudit PATH]
    /work/venv/bin/python bench/fleet.py --repos 20            # quick mode

1. Write the fleet into bench/out/fleet/repos/ (kept between runs; a repository already written with the same
   plan is not written again): `--repos` repositories of 5-50 functions each, in mixed dialects (serverless, SAM,
   CloudFormation, Terraform, CDK TypeScript and Python), each one app of bench/generate.py. Repository *i* depends
   only on (i, `--seed`), so the first 20 of a 1,000-repository fleet are the 20 of the quick mode. Then write
   FLEET.toml: one `[[target]]` with `path` per repository, or with `--glob` one target `path = "repos/*"`.
2. For each backend (`sqlite:///bench/out/fleet/<label>.db`; PostgreSQL 15 started by this script in a temporary
   folder on a free port, from the `initdb`/`pg_ctl` found in PATH or /usr/lib/postgresql/*/bin):
   - `fnaudit fleet scan FLEET.toml --history URL --workers N` for each N of `--workers`, each into an empty
     database and with an empty fnaudit cache (`FNAUDIT_CACHE_DIR`), timed by compare.py's measuring subprocess
     (whole-process wall time; peak RSS and PSS summed over the process tree, the Dask workers included); the
     ratio of the first to the last; the database's size after each run;
   - stored runs: the database of the last of those scans gets `--runs` - 1 more scans (same workers), so it
     holds `--runs` runs. Before each, `--changes` repositories get a hard-coded AWS key pair appended to one
     handler and the previous run's edits are undone, so every run has new and fixed findings as a real week
     would. With `--subset K` those extra scans cover the first K repositories only (a FLEET-subset.toml): the
     database still holds the first, full run. These runs share one fnaudit cache, as a fleet machine's
     nightly scans do. Their wall times are printed, and the database size after them;
   - `fnaudit fleet report --format json` and `--format html` on that history, `--repeat` times each (median),
     with the size of what they wrote and, from the JSON, the targets, active findings, new and fixed.
3. Print a table of the figures; bench/out/fleet/results.json keeps every run.

Edits are journalled (bench/out/fleet/edits.json) and undone at the end, or at the start of the next run when a
run was interrupted. Figures for a person to read, not assertions: the exit code is 0 whatever they are
(non-zero only when the harness could not run at all).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
from compare import Run, machine_lines, run_measured  # noqa: E402 - sibling script, not a package
from generate import Dialect, generate  # noqa: E402

OUT = BENCH / "out" / "fleet"
SEED = 20261206
MIN_FUNCTIONS, MAX_FUNCTIONS = 5, 50
# The dialects of a real organisation's repositories, weighted: mostly Serverless Framework and SAM, then
# Terraform, some CDK and a few hand-written CloudFormation templates.
DIALECT_WEIGHTS: dict[Dialect, int] = {
    "serverless": 35,
    "sam": 25,
    "terraform": 20,
    "cloudformation": 8,
    "cdk-ts": 6,
    "cdk-py": 6,
}
DB_NAME = "fleet"
PG_USER = "fleet"
EDIT_MARK = "fleet bench edit"  # appended lines carry it, so a reader of a repository sees where they came from


# --------------------------------------------------------------------------------------------
# The fleet
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Repo:
    name: str
    dialect: Dialect
    functions: int
    seed: int


def plan_fleet(repos: int, seed: int) -> list[Repo]:
    """Repository i from its own seeded generator: the plan of N repositories is a prefix of any larger one."""
    dialects = list(DIALECT_WEIGHTS)
    weights = list(DIALECT_WEIGHTS.values())
    plan = []
    for i in range(repos):
        rng = random.Random(f"{seed}:{i}")  # a string seed is hashed deterministically (no PYTHONHASHSEED)
        dialect = rng.choices(dialects, weights)[0]
        plan.append(Repo(f"repo-{i:04d}", dialect, rng.randint(MIN_FUNCTIONS, MAX_FUNCTIONS), seed + i))
    return plan


def _written(repo: Repo, folder: Path) -> bool:
    """generate.py's README names the dialect, size and seed it wrote: the repository is already there."""
    try:
        readme = (folder / "README.md").read_text()
    except OSError:
        return False
    return readme.startswith(f"Synthetic {repo.dialect} app: {repo.functions} functions ") and (
        f"seed {repo.seed}." in readme
    )


def write_fleet(plan: list[Repo], root: Path, prune: bool) -> tuple[int, float]:
    """Write the repositories not already there; with `prune`, remove folders the plan does not have (a glob
    target would scan them). Returns (repositories written, seconds)."""
    started = time.perf_counter()
    repos = root / "repos"
    repos.mkdir(parents=True, exist_ok=True)
    written = 0
    for repo in plan:
        folder = repos / repo.name
        if not _written(repo, folder):
            generate(repo.dialect, repo.functions, folder, repo.seed)
            written += 1
    if prune:
        wanted = {r.name for r in plan}
        for folder in repos.iterdir():
            if folder.name not in wanted:
                shutil.rmtree(folder)
    return written, time.perf_counter() - started


def _toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of these names and paths is a valid TOML basic string


def write_fleet_toml(plan: list[Repo], path: Path, glob: bool) -> None:
    """FLEET.toml beside the `repos/` folder: paths are relative to the file's folder."""
    lines = [f"# {len(plan)} generated repositories (bench/fleet.py); do not edit, it is rewritten each run", ""]
    if glob:
        lines += ["[[target]]", f"path = {_toml_string('repos/*')}", ""]
    else:
        for repo in plan:
            lines += ["[[target]]", f"name = {_toml_string(repo.name)}", f"path = {_toml_string('repos/' + repo.name)}"]
            lines.append("")
    path.write_text("\n".join(lines))


# --------------------------------------------------------------------------------------------
# Changes between stored runs
# --------------------------------------------------------------------------------------------


def _handler(folder: Path) -> Path | None:
    """The first handler file of the repository (sorted), Python or JavaScript: the file an edit changes."""
    for pattern, marker in (("*.py", "def handler"), ("*.js", "handler")):
        for path in sorted(folder.rglob(pattern)):
            if {"node_modules", "cdk.out"} & set(path.parts):
                continue
            if marker in path.read_text(encoding="utf-8", errors="replace"):
                return path
    return None


def _key_pair(rng: random.Random) -> tuple[str, str]:
    key_id = "AKIA" + "".join(rng.choices(string.ascii_uppercase + "234567", k=16))
    secret = "".join(rng.choices(string.ascii_letters + string.digits + "+/", k=40))
    return key_id, secret


@dataclass(slots=True)
class Edits:
    """Appended lines, journalled in `journal` ({file: original text}) so that an interrupted run is undone."""

    journal: Path
    originals: dict[str, str] = field(default_factory=dict)

    def undo(self) -> None:
        if not self.originals and self.journal.exists():
            self.originals = json.loads(self.journal.read_text())
        for name, text in self.originals.items():
            Path(name).write_text(text, encoding="utf-8")
        self.originals = {}
        self.journal.unlink(missing_ok=True)

    def apply(self, repos: list[Path], rng: random.Random, run: int) -> int:
        """Undo the last edits (their findings become fixed), then add a key pair to one handler of each repository
        (new findings). Returns the number of files changed."""
        self.undo()
        for folder in repos:
            path = _handler(folder)
            if path is None:
                continue
            original = path.read_text(encoding="utf-8")
            key_id, secret = _key_pair(rng)
            if path.suffix == ".py":
                added = f'\n# {EDIT_MARK} {run}\nAWS_ACCESS_KEY_ID = "{key_id}"\nAWS_SECRET_ACCESS_KEY = "{secret}"\n'
            else:
                added = f"\n// {EDIT_MARK} {run}\nconst AWS_ACCESS_KEY_ID = '{key_id}';\n"
                added += f"const AWS_SECRET_ACCESS_KEY = '{secret}';\n"
            self.originals[str(path)] = original
            self.journal.write_text(json.dumps(self.originals))  # before the write: a crash can always be undone
            path.write_text(original + added, encoding="utf-8")
        return len(self.originals)


# --------------------------------------------------------------------------------------------
# PostgreSQL, started here
# --------------------------------------------------------------------------------------------


def pg_bin_dir() -> Path | None:
    """The folder of `pg_ctl` and `initdb`: PATH first, else the newest /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0
    )
    for folder in reversed(versions):
        if (folder / "pg_ctl").exists() and (folder / "initdb").exists():
            return folder
    return None


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(slots=True)
class Postgres:
    """A throw-away server: initdb into a temporary folder, `pg_ctl start` on 127.0.0.1 and a free port (its
    socket in that folder too, never the system's), trust authentication for the `fleet` role; `stop` removes it
    all. PostgreSQL refuses to run as root: then the server runs as the `postgres` user (or `nobody`)."""

    bin: Path
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="fnaudit-bench-pg-")))
    port: int = field(default_factory=free_port)
    user: str | None = None
    started: bool = False

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [str(self.bin / args[0]), *args[1:]], user=self.user, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-800:]}")

    def start(self) -> None:
        if os.geteuid() == 0:
            import pwd

            for name in ("postgres", "nobody"):
                try:
                    entry = pwd.getpwnam(name)
                except KeyError:
                    continue
                self.user = name
                for path in (self.folder,):
                    os.chown(path, entry.pw_uid, entry.pw_gid)
                break
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-U", PG_USER, "-A", "trust", "-E", "UTF8", "--no-sync")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder}"
        self._run("pg_ctl", "-D", str(data), "-l", str(self.folder / "server.log"), "-o", options, "-w", "start")
        self.started = True

    def url(self, database: str = DB_NAME) -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> Any:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description is not None else None

    def recreate(self, database: str = DB_NAME) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{database}"')
        self._admin(f'CREATE DATABASE "{database}"')

    def size(self, database: str = DB_NAME) -> int:
        rows = self._admin(f"SELECT pg_database_size('{database}')")
        return int(rows[0][0])

    def version(self) -> str:
        return str(self._admin("SELECT version()")[0][0]).split(",")[0]

    def stop(self) -> None:
        if self.started:
            try:
                self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
            except RuntimeError as exc:
                print(f"warning: {exc}", file=sys.stderr)
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass(slots=True)
class Backend:
    """One kind of history database: how to empty it, where it is, how large it is."""

    label: str
    pg: Postgres | None = None

    def url(self, name: str) -> str:
        if self.pg is not None:
            return self.pg.url(name)
        return f"sqlite:///{OUT / f'{name}.db'}"

    def reset(self, name: str) -> None:
        if self.pg is not None:
            self.pg.recreate(name)
            return
        for suffix in ("", "-wal", "-shm", "-journal"):
            (OUT / f"{name}.db{suffix}").unlink(missing_ok=True)

    def size(self, name: str) -> int:
        """Bytes: pg_database_size, or the SQLite file with its write-ahead log (WAL mode keeps pages there)."""
        if self.pg is not None:
            return self.pg.size(name)
        return sum(
            p.stat().st_size for suffix in ("", "-wal", "-journal") if (p := OUT / f"{name}.db{suffix}").exists()
        )


# --------------------------------------------------------------------------------------------
# The runs
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Step:
    backend: str
    what: str
    runs: list[Run]
    db_bytes: int | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(_completed(r) for r in self.runs)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs) if self.runs else 0.0

    @property
    def pss_mb(self) -> float:
        return max((r.pss_peak_kb for r in self.runs), default=0) / 1024


def scan_cmd(exe: Path, fleet_file: Path, url: str, workers: int) -> list[str]:
    return [str(exe), "fleet", "scan", str(fleet_file), "--history", url, "--workers", str(workers)]


def report_cmd(exe: Path, url: str, fmt: str) -> list[str]:
    return [str(exe), "fleet", "report", "--history", url, "--format", fmt]


def summary(report: Path) -> str:
    """What the JSON fleet report says: targets by status, active findings, new and fixed."""
    try:
        doc = json.loads(report.read_text())
    except (OSError, ValueError):
        return "no JSON report"
    statuses = Counter(str(t.get("status")) for t in doc.get("targets", []))
    latest = doc.get("latest_run") or {}
    by_status = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    return (
        f"run {latest.get('id', '?')}: {len(doc.get('targets', []))} targets ({by_status}); "
        f"{doc.get('total_findings', '?')} active, {len(doc.get('new', []))} new, {len(doc.get('fixed', []))} fixed; "
        f"{len(doc.get('runs', []))} runs stored"
    )


def _completed(run: Run) -> bool:
    """0, 1 (new findings), or 2 when a target failed (recorded: the run is complete) but not on a crash."""
    return run.rc in (0, 1) or (run.rc == 2 and "internal error" not in run.stderr_tail)


def _tail(run: Run) -> str:
    """fnaudit's last own message on stderr (an internal error's traceback ends with one), else its last line."""
    lines = [ln.strip() for ln in run.stderr_tail.splitlines() if ln.strip()]
    own = [ln for ln in lines if ln.startswith("fnaudit:")]
    return (own or lines or [""])[-1][:200]


def bench_backend(
    args: argparse.Namespace, exe: Path, backend: Backend, fleet_file: Path, plan: list[Repo]
) -> list[Step]:
    steps: list[Step] = []
    logs = OUT / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    label = backend.label
    last_name = ""
    for workers in args.workers:
        name = f"{label}-w{workers}"
        backend.reset(name)
        cache = OUT / "cache" / name
        shutil.rmtree(cache, ignore_errors=True)
        env = {**os.environ, "FNAUDIT_CACHE_DIR": str(cache)}
        run = run_measured(scan_cmd(exe, fleet_file, backend.url(name), workers), logs / f"{name}.out", env)
        report = OUT / f"{name}-report.json"
        run_measured(report_cmd(exe, backend.url(name), "json"), report)  # untimed: what the run recorded
        step = Step(label, f"scan, {workers} worker{'s' if workers > 1 else ''}", [run], backend.size(name))
        step.note = summary(report) + (f"; exit {run.rc}: {_tail(run)}" if run.rc not in (0, 1) else "")
        steps.append(step)
        print(f"  {label}: {step.what}: {run.wall:.1f} s, exit {run.rc}; {step.note}", flush=True)
        last_name = name
    # Stored runs: on the last scan's database, with one shared cache (a fleet machine's nightly runs).
    name, workers = last_name, args.workers[-1]
    url = backend.url(name)
    target_file = fleet_file
    if args.subset:
        target_file = OUT / "FLEET-subset.toml"
        write_fleet_toml(plan[: args.subset], target_file, glob=False)
    scanned = plan[: args.subset] if args.subset else plan
    edits = Edits(OUT / "edits.json")
    rng = random.Random(f"{args.seed}:edits:{label}")
    cache = OUT / "cache" / f"{label}-stored"
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "FNAUDIT_CACHE_DIR": str(cache)}
    stored: list[Run] = []
    try:
        for i in range(2, args.runs + 1):
            chosen = rng.sample(scanned, min(args.changes, len(scanned)))
            changed = edits.apply([OUT / "repos" / r.name for r in chosen], rng, i)
            run = run_measured(scan_cmd(exe, target_file, url, workers), logs / f"{name}-run{i}.out", env)
            stored.append(run)
            why = f": {_tail(run)}" if run.rc not in (0, 1) else ""
            print(
                f"  {label}: stored run {i}: {run.wall:.1f} s, exit {run.rc}{why} ({changed} files changed)", flush=True
            )
    finally:
        edits.undo()
    if stored:
        over = f"{len(scanned)} repos" + (f" (--subset {args.subset})" if args.subset else "")
        steps.append(
            Step(
                label, f"runs 2-{args.runs}, median", stored, backend.size(name), f"{over}, {args.changes} changed each"
            )
        )
    # The reports on the history of `--runs` runs.
    for fmt in ("json", "html"):
        output = OUT / f"{name}-report.{fmt}"
        runs = [run_measured(report_cmd(exe, url, fmt), output) for _ in range(args.repeat)]
        size = output.stat().st_size if output.exists() else 0
        note = f"{size / 1024:.0f} KiB written"
        if fmt == "json":
            note += "; " + summary(output)
        steps.append(Step(label, f"report --format {fmt}", runs, note=note))
        print(f"  {label}: report {fmt}: {statistics.median(r.wall for r in runs):.2f} s; {note}", flush=True)
    return steps


def print_table(steps: list[Step], workers: list[int]) -> None:
    print()
    print("wall = median of the runs in the row; PSS = peak proportional set size summed over the process tree")
    header = f"{'backend':<11}{'step':<24}{'runs':>5}{'wall':>10}{'tree PSS':>10}{'DB size':>10}  notes"
    print(header)
    print("-" * len(header))
    for s in steps:
        db = f"{s.db_bytes / 1048576:.1f} MB" if s.db_bytes is not None else "-"
        wall = f"{s.wall:.2f} s" if s.ok else f"exit {s.runs[-1].rc}" if s.runs else "-"
        print(f"{s.backend:<11}{s.what:<24}{len(s.runs):>5}{wall:>10}{s.pss_mb:>7.0f} MB{db:>10}  {s.note}")
    if len(workers) > 1:
        for backend in dict.fromkeys(s.backend for s in steps):
            scans = [s for s in steps if s.backend == backend and s.what.startswith("scan,") and s.ok]
            if len(scans) == len(workers) and scans[-1].wall > 0:
                print(
                    f"{backend}: {workers[0]} → {workers[-1]} workers: {scans[0].wall / scans[-1].wall:.2f}× faster "
                    f"({scans[0].wall:.1f} s → {scans[-1].wall:.1f} s)"
                )


@contextmanager
def backends(names: list[str]) -> Iterator[list[Backend]]:
    """The backends asked for, PostgreSQL started (and stopped at the end, whatever happens)."""
    made: list[Backend] = []
    try:
        for name in names:
            if name == "sqlite":
                made.append(Backend("sqlite"))
            elif name == "postgresql":
                folder = pg_bin_dir()
                if folder is None:
                    print("postgresql: no pg_ctl/initdb in PATH or /usr/lib/postgresql/*/bin; skipped", file=sys.stderr)
                    continue
                pg = Postgres(folder)
                made.append(Backend("postgresql", pg))  # before start: a failed start is still cleaned up
                pg.start()
                print(f"postgres: {pg.version()} from {folder}, port {pg.port}, data in {pg.folder}", flush=True)
        yield made
    finally:
        for b in made:
            if b.pg is not None:
                b.pg.stop()


def find_fnaudit(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    for candidate in (Path(sys.executable).parent / "fnaudit", REPO / ".venv" / "bin" / "fnaudit"):
        if candidate.exists():
            return candidate
    sys.exit("fnaudit not found beside this Python nor in the repo's .venv; pass --fnaudit PATH")


def _int_list(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=int, default=1000, help="repositories in the fleet (default 1,000)")
    parser.add_argument("--workers", type=_int_list, default=[1, 2], help="worker counts to time (default 1,2)")
    parser.add_argument("--runs", type=int, default=10, help="runs stored before the reports are timed (default 10)")
    parser.add_argument("--subset", type=int, default=0, help="runs 2.. scan only the first K repositories")
    parser.add_argument("--changes", type=int, default=0, help="repositories changed before each run (default: 2 %%)")
    parser.add_argument("--backends", default="sqlite,postgresql", type=lambda s: s.split(","))
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each report (median)")
    parser.add_argument("--glob", action="store_true", help='one `path = "repos/*"` target instead of one per repo')
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--fnaudit", metavar="PATH", help="fnaudit executable (default: the one beside this Python)")
    parser.add_argument("--setup-only", action="store_true", help="write the fleet and FLEET.toml, time nothing")
    args = parser.parse_args(argv)
    if args.repos < 1 or args.runs < 1 or not args.workers or min(args.workers) < 1 or args.repeat < 1:
        parser.error("--repos, --runs, --repeat and every --workers must be at least 1")
    if set(args.backends) - {"sqlite", "postgresql"}:
        parser.error("--backends: sqlite, postgresql")
    args.subset = min(args.subset, args.repos)
    args.changes = args.changes or max(1, (args.subset or args.repos) // 50)  # 2 % of what runs 2.. scan
    exe = find_fnaudit(args.fnaudit)

    OUT.mkdir(parents=True, exist_ok=True)
    Edits(OUT / "edits.json").undo()  # an interrupted run's edits
    plan = plan_fleet(args.repos, args.seed)
    written, seconds = write_fleet(plan, OUT, prune=args.glob)
    fleet_file = OUT / "FLEET.toml"
    write_fleet_toml(plan, fleet_file, args.glob)
    dialects = Counter(r.dialect for r in plan)
    functions = sum(r.functions for r in plan)
    for line in machine_lines(exe, None):
        print(line)
    load = os.getloadavg()
    print(f"load    : {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min) when the runs began")
    print(
        f"fleet   : {args.repos} repos, {functions} functions ("
        + ", ".join(f"{d} {n}" for d, n in dialects.most_common())
        + f"); seed {args.seed}; {written} written in {seconds:.1f} s, the rest reused; {fleet_file}"
        + (" (one glob target)" if args.glob else "")
    )
    if args.setup_only:
        return 0
    subset = f" over the first {args.subset} repos" if args.subset else ""
    print(
        f"runs    : scans once each with {', '.join(map(str, args.workers))} workers; {args.runs} runs stored{subset}; "
        f"reports median of {args.repeat}",
        flush=True,
    )
    steps: list[Step] = []
    with backends(args.backends) as made:
        for backend in made:
            steps += bench_backend(args, exe, backend, fleet_file, plan)
    print_table(steps, args.workers)
    results = OUT / "results.json"
    results.write_text(
        json.dumps(
            {"argv": sys.argv, "repos": args.repos, "functions": functions, "steps": [asdict(s) for s in steps]},
            indent=1,
        )
    )
    print(f"\nevery run: {results}; the scans' output: {OUT / 'logs'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
