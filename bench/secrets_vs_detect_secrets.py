"""fnaudit's secret detection against detect-secrets on the labelled corpus (tests/secrets/corpus.txt).

Figures, not assertions. Both tools scan the same files: each corpus section becomes a file (the
annotations stripped), inside one function's package of a small serverless app. A corpus line is
"flagged" by a tool when the tool reports anything on that line; `# expect:` lines are positives,
`# ok:` lines are negatives (false-positive traps).

    .venv/bin/python bench/secrets_vs_detect_secrets.py            # 5 timed runs each
    .venv/bin/python bench/secrets_vs_detect_secrets.py --repeat 9 --show-misses

The first run creates bench/.venv-detect-secrets (`python -m venv` + `pip install detect-secrets`).
Commands timed (wall clock of the whole process, median of --repeat runs after one warm-up):

    fnaudit scan APP --format json --select SECRET --fail-on none
    detect-secrets scan --all-files APP
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.secrets.corpus import Line, files, load  # noqa: E402

DS_VENV = REPO / "bench" / ".venv-detect-secrets"
FUNCTION_DIR = "functions/orders"
TARGET_RECALL = "recall >= detect-secrets'"
TARGET_FP = "at least 5x fewer false positives"


def ensure_detect_secrets() -> Path:
    exe = DS_VENV / "bin" / "detect-secrets"
    if not exe.exists():
        print(f"creating {DS_VENV} and installing detect-secrets …", file=sys.stderr)
        venv.create(DS_VENV, with_pip=True)
        subprocess.run([str(DS_VENV / "bin" / "pip"), "install", "-q", "detect-secrets"], check=True)
    return exe


def fnaudit_exe() -> Path:
    exe = Path(sys.executable).with_name("fnaudit")
    return exe if exe.exists() else Path(shutil.which("fnaudit") or "fnaudit")


def write_app(root: Path, lines: list[Line]) -> dict[str, str]:
    """The corpus as an app; returns file path (relative to root) → corpus file name."""
    (root / "serverless.yml").write_text(
        "service: corpus\nprovider:\n  name: aws\n  runtime: python3.13\n"
        "functions:\n  orders:\n    handler: functions/orders/app/handler.main\n"
        "  payments:\n    handler: functions/payments/app/handler.main\n",
        encoding="utf-8",
    )
    mapping = {}
    for name, text in files(lines).items():
        rel = name
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        mapping[rel] = name
    return mapping


def timed(cmd: list[str], cwd: Path, repeat: int) -> tuple[str, float]:
    subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)  # warm-up (imports, caches)
    times, out = [], ""
    for _ in range(repeat):
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        out = proc.stdout
    return out, statistics.median(times)


def fnaudit_hits(out: str, mapping: dict[str, str]) -> set[tuple[str, int]]:
    data = json.loads(out)
    return {
        (mapping[f["location"]["path"]], f["location"]["line"])
        for f in data["findings"]
        if f["rule_id"].startswith("SECRET") and f["location"]["path"] in mapping
    }


def ds_hits(out: str, mapping: dict[str, str]) -> tuple[set[tuple[str, int]], dict[tuple[str, int], list[str]]]:
    data = json.loads(out)
    hits, types = set(), {}
    for filename, results in data.get("results", {}).items():
        rel = Path(filename).as_posix().removeprefix("./")
        if rel not in mapping:
            continue
        for r in results:
            k = (mapping[rel], int(r["line_number"]))
            hits.add(k)
            types.setdefault(k, []).append(r["type"])
    return hits, types


@dataclass
class Score:
    tp: int
    fp: int
    fn: int
    tn: int
    seconds: float

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


def score(lines: list[Line], hits: set[tuple[str, int]], seconds: float) -> Score:
    tp = fp = fn = tn = 0
    for ln in lines:
        flagged = (ln.file, ln.number) in hits
        if ln.expect:
            tp, fn = tp + flagged, fn + (not flagged)
        else:
            fp, tn = fp + flagged, tn + (not flagged)
    return Score(tp, fp, fn, tn, seconds)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--show-misses", action="store_true", help="list each tool's false positives and misses")
    args = ap.parse_args()

    lines = load()
    ds = ensure_detect_secrets()
    version = subprocess.run([str(ds), "--version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="fnaudit-secrets-bench-") as tmp:
        root = Path(tmp)
        mapping = write_app(root, lines)
        fn_out, fn_t = timed(
            [
                str(fnaudit_exe()),
                "scan",
                ".",
                "--format",
                "json",
                "--select",
                "SECRET",
                "--fail-on",
                "none",
                "--no-inline-ignores",
            ],
            root,
            args.repeat,
        )
        ds_out, ds_t = timed([str(ds), "scan", "--all-files", "."], root, args.repeat)
    fn_hits = fnaudit_hits(fn_out, mapping)
    ds_found, ds_types = ds_hits(ds_out, mapping)
    fn_s, ds_s = score(lines, fn_hits, fn_t), score(lines, ds_found, ds_t)
    positives = sum(1 for ln in lines if ln.expect)

    print(
        f"corpus: {len(lines)} lines ({positives} secrets, {len(lines) - positives} traps), "
        f"{len(files(lines))} files; detect-secrets {version}; median of {args.repeat} runs\n"
    )
    print(f"{'':24}{'fnaudit':>12}{'detect-secrets':>16}")
    for label, a, b in (
        ("true positives", fn_s.tp, ds_s.tp),
        ("false negatives", fn_s.fn, ds_s.fn),
        ("false positives", fn_s.fp, ds_s.fp),
        ("true negatives", fn_s.tn, ds_s.tn),
    ):
        print(f"{label:24}{a:>12}{b:>16}")
    print(f"{'precision':24}{fn_s.precision:>12.3f}{ds_s.precision:>16.3f}")
    print(f"{'recall':24}{fn_s.recall:>12.3f}{ds_s.recall:>16.3f}")
    print(f"{'wall time (s)':24}{fn_s.seconds:>12.3f}{ds_s.seconds:>16.3f}")
    print()
    recall_ok = fn_s.recall >= ds_s.recall
    fp_ok = ds_s.fp >= 5 * fn_s.fp
    ratio = "∞" if fn_s.fp == 0 else f"{ds_s.fp / fn_s.fp:.1f}"
    print(f"target {TARGET_RECALL}: {'met' if recall_ok else 'NOT met'} ({fn_s.recall:.3f} vs {ds_s.recall:.3f})")
    print(f"target {TARGET_FP}: {'met' if fp_ok else 'NOT met'} ({fn_s.fp} vs {ds_s.fp}, ratio {ratio})")
    if args.show_misses:
        for name, hits in (("fnaudit", fn_hits), ("detect-secrets", ds_found)):
            print(f"\n{name}: false positives")
            for ln in lines:
                if not ln.expect and (ln.file, ln.number) in hits:
                    extra = (
                        f" [{', '.join(ds_types.get((ln.file, ln.number), []))}]" if name == "detect-secrets" else ""
                    )
                    print(f"  {ln.file}:{ln.number}  ({ln.reason}){extra}  {ln.content[:70]}")
            print(f"{name}: missed secrets")
            for ln in lines:
                if ln.expect and (ln.file, ln.number) not in hits:
                    print(f"  {ln.file}:{ln.number}  {ln.expect}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
