"""Dependency matching benchmark: import the whole OSV snapshot, then match 10,000 packages.

Figures, not assertions (nothing here runs in the test suite):

    .venv/bin/python bench/deps.py                       # ../shared/data/osv, 10,000 packages
    .venv/bin/python bench/deps.py --packages 50000 --osv /path/to/osv --lockfiles /path/to/lockfiles

Import: wall time of `Store.import_source` on the snapshot folder, and the store's size on disk.
Matching: wall time and peak memory (tracemalloc, Python allocations) of `match_all` for N
packages, with a new store object and empty version caches. The packages are every package of
the real lockfiles (../shared/data/lockfiles), then each name the store knows once (realistic:
at a version that fixes one of its advisories; adversarial: at a version an advisory names), then
names no advisory mentions up to N (as in a real app, where most packages have no advisory).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from fnaudit.engines.osv import match  # noqa: E402
from fnaudit.engines.osv.store import Store  # noqa: E402
from fnaudit.loaders.lockfiles import parse_folder  # noqa: E402
from fnaudit.model import versions  # noqa: E402


def packages(
    store: Store, lockfiles: Path, n: int, seed: int = 7, mode: str = "realistic"
) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    if lockfiles.is_dir():
        for folder in sorted(p for p in lockfiles.iterdir() if p.is_dir()):
            for p in parse_folder(lockfiles, folder).packages:
                if p.version and p.source == "registry":
                    out.append((p.ecosystem, p.name, p.version))
    rng = random.Random(seed)
    rows = store.db.execute(
        "SELECT ecosystem, data FROM affected WHERE ecosystem IN ('npm','PyPI','Maven','Go','crates.io','RubyGems')"
    ).fetchall()
    rng.shuffle(rows)
    names = {(e, nm) for e, nm, _v in out}
    for eco, data in rows:
        if len(out) >= n:
            break
        entry = json.loads(data)
        if (eco, entry["name"]) in names:
            continue  # an app holds each name once or twice, not once per advisory
        names.add((eco, entry["name"]))
        if mode == "realistic":  # a package the database knows, at a version that fixes its advisory
            candidates = [e["fixed"] for r in entry.get("ranges") or () for e in r.get("events") or () if "fixed" in e]
        else:  # adversarial: at a version named by an event or listed as affected (most are hits)
            candidates = [
                v
                for r in entry.get("ranges") or ()
                for e in r.get("events") or ()
                for v in e.values()
                if isinstance(v, str) and v != "0"
            ] + list(entry.get("versions") or ())
        if not candidates:
            continue
        v = rng.choice(candidates)
        if eco == "Go" and not v.startswith("v"):
            v = "v" + v
        out.append((eco, entry["name"], v))
    ecos = ("npm", "PyPI", "Maven", "Go", "crates.io", "RubyGems")
    i = 0
    while len(out) < n:  # the rest: packages no advisory names (most of a real app's packages)
        eco = ecos[i % len(ecos)]
        name = {"Maven": f"org.bench:pkg-{i}", "Go": f"example.com/bench/pkg{i}"}.get(eco, f"bench-pkg-{i}")
        out.append((eco, name, f"v1.{i % 50}.0" if eco == "Go" else f"1.{i % 50}.0"))
        i += 1
    return out[:n]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--osv", type=Path, default=HERE.parent.parent / "shared" / "data" / "osv")
    ap.add_argument("--lockfiles", type=Path, default=HERE.parent.parent / "shared" / "data" / "lockfiles")
    ap.add_argument("--packages", type=int, default=10_000, help="packages to match (distinct names where possible)")
    ap.add_argument(
        "--mode",
        choices=("realistic", "adversarial", "both"),
        default="both",
        help="realistic: store names at fixed versions (few hits); adversarial: at affected versions",
    )
    args = ap.parse_args()
    if not args.osv.is_dir():
        print(f"no OSV folder at {args.osv}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="fnaudit-bench-") as tmp:
        t = time.perf_counter()
        with Store(Path(tmp), create=True) as store:
            report = store.import_source(args.osv)
        import_s = time.perf_counter() - t
        size = (Path(tmp) / "osv.sqlite3").stat().st_size
        print(
            f"import: {report.records} records ({report.skipped} skipped) in {import_s:.2f} s; "
            f"store {size / 1e6:.1f} MB on disk (source folder: "
            f"{sum(p.stat().st_size for p in args.osv.rglob('*.json')) / 1e6:.1f} MB of JSON)"
        )
        for mode in ("realistic", "adversarial") if args.mode == "both" else (args.mode,):
            _match(Path(tmp), args, mode)
    return 0


def _match(tmp: Path, args: argparse.Namespace, mode: str) -> None:
    if True:
        with Store(tmp) as store:
            pkgs = packages(store, args.lockfiles, args.packages, mode=mode)
        distinct = len(set(pkgs))
        # cold: a new store object (no decoded-record cache) and empty version caches
        versions.parse.cache_clear()
        versions.canonical.cache_clear()
        with Store(tmp) as store:
            t = time.perf_counter()
            match.match_all(store, pkgs)
            untraced_s = time.perf_counter() - t
        versions.parse.cache_clear()
        versions.canonical.cache_clear()
        with Store(tmp) as store:
            tracemalloc.start()
            t = time.perf_counter()
            results = match.match_all(store, pkgs)
            match_s = time.perf_counter() - t
            _cur, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        vulnerable = sum(1 for advs in results.values() if advs)
        total = sum(len(advs) for advs in results.values())
        print(
            f"match ({mode}): {len(pkgs)} packages ({distinct} distinct) in {untraced_s:.3f} s "
            f"({match_s:.3f} s under tracemalloc); "
            f"{vulnerable} affected, {total} advisories (aliases merged); "
            f"peak traced memory {peak / 1e6:.1f} MB; process max RSS "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )


if __name__ == "__main__":
    raise SystemExit(main())
