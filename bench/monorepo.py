#!/usr/bin/env python3
"""A generated monorepo of 10,000 functions: does fnaudit's cost grow linearly, and stay under 30 s and 1 GB?

    /work/venv/bin/python bench/monorepo.py [--dialect serverless] [--sizes 1000,10000] [--repeat 1]
                                            [--fnaudit PATH]

For each size it generates the app (bench/generate.py: services of 50 functions each), scans it cold
(`FNAUDIT_CACHE_DIR=off`), warm (the cache the first run filled) and reports the median wall time,
the peak memory of the process tree, and the ratio of the largest size to the smallest against the
ratio of their function counts (1.0 = linear). Figures for a person to read; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from compare import OUT, Run, find_fnaudit, fnaudit_cmd, run_measured  # noqa: E402 - sibling script
from generate import DEFAULT_SEED, generate  # noqa: E402

TARGET_SECONDS = 30.0
TARGET_MB = 1024.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dialect", default="serverless")
    parser.add_argument("--sizes", default="1000,10000", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--fnaudit", metavar="PATH")
    args = parser.parse_args(argv)
    fnaudit = find_fnaudit(args.fnaudit)
    print(f"fnaudit: {fnaudit}; nproc={len(os.sched_getaffinity(0))}; dialect {args.dialect}; seed {DEFAULT_SEED}")
    rows: list[tuple[int, list[Run], list[Run]]] = []
    for n in args.sizes:
        app = OUT / "apps" / f"{args.dialect}-{n}"
        generate(args.dialect, n, app, DEFAULT_SEED)
        cache = OUT / "cache" / f"monorepo-{args.dialect}-{n}"
        shutil.rmtree(cache, ignore_errors=True)
        cold_env = {**os.environ, "FNAUDIT_CACHE_DIR": "off"}
        warm_env = {**os.environ, "FNAUDIT_CACHE_DIR": str(cache)}
        cold = [
            run_measured(fnaudit_cmd(fnaudit, app, os.devnull), Path(os.devnull), cold_env) for _ in range(args.repeat)
        ]
        run_measured(fnaudit_cmd(fnaudit, app, os.devnull), Path(os.devnull), warm_env)  # fills the cache
        warm = [
            run_measured(fnaudit_cmd(fnaudit, app, os.devnull), Path(os.devnull), warm_env) for _ in range(args.repeat)
        ]
        rows.append((n, cold, warm))
        print(f"  done N={n}", flush=True)
    print()
    print("memory: peak summed over the process tree, RSS / PSS (PSS counts pages forked workers share once)")
    print(f"{'N':>7}  {'cold wall':>10} {'cold MB':>13}  {'warm wall':>10} {'warm MB':>13}  targets")
    for n, cold, warm in rows:
        wall, mb = statistics.median(r.wall for r in cold), max(r.tree_peak_kb for r in cold) / 1024
        pss = max(r.pss_peak_kb for r in cold) / 1024
        warm_wall, warm_mb = statistics.median(r.wall for r in warm), max(r.tree_peak_kb for r in warm) / 1024
        checks = ""
        if n >= 10000:
            checks = (
                f"<{TARGET_SECONDS:.0f}s {'PASS' if wall < TARGET_SECONDS else 'FAIL'}, "
                f"<{TARGET_MB:.0f}MB RSS {'PASS' if mb < TARGET_MB else 'FAIL'} / PSS {'PASS' if pss < TARGET_MB else 'FAIL'}"
            )
        failed = [r.rc for r in cold + warm if r.rc not in (0, 1)]
        note = f"  FAILED rc={failed[0]}" if failed else ""
        memory = f"{mb:.0f}/{pss:.0f}"
        print(f"{n:>7}  {wall:>9.2f}s {memory:>13}  {warm_wall:>9.2f}s {warm_mb:>13.0f}  {checks}{note}")
    if len(rows) > 1:
        (n0, c0, _), (n1, c1, _) = rows[0], rows[-1]
        ratio = statistics.median(r.wall for r in c1) / statistics.median(r.wall for r in c0)
        print(f"\ncold {n0} → {n1}: ×{ratio:.2f} time for ×{n1 / n0:.0f} functions ({ratio / (n1 / n0):.2f} of linear)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
