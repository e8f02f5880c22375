"""How much a reviewer has to read: findings per function, findings sharing a location, and counts by rule (issue 22).

    /work/venv/bin/python bench/precision.py                      # the realistic fixture apps and the example
    /work/venv/bin/python bench/precision.py --generated 100      # plus a generated app per dialect (bench/generate.py)
    /work/venv/bin/python bench/precision.py --json out.json      # the figures as JSON too (for before/after diffs)

"Realistic apps" are the multi-function apps this repository holds: the bundled example (examples/), the shared
framework apps (tests/rules/fixtures/_shared/) and every rule fixture app with at least three functions. They were
written with the rules (in-sample): the figures say how loud fnaudit is on apps shaped like real ones, not how
right it is. Figures only: nothing here is asserted. Active findings only (suppressed ones are not read by anyone),
at the default threshold, hygiene (`info`) findings counted apart as the table does.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from fnaudit.config import Config  # noqa: E402
from fnaudit.pipeline import scan  # noqa: E402

FIXTURES = REPO / "tests" / "rules" / "fixtures"
MIN_FUNCTIONS = 3


@dataclass(frozen=True, slots=True)
class AppFigures:
    name: str
    functions: int
    findings: int  # active, not info
    info: int
    shared_location: int  # active findings whose (file, line) another active finding also has
    per_function: tuple[int, ...]  # active findings attributed to each function (0 for a quiet one)
    by_rule: tuple[tuple[str, int], ...]


def measure(name: str, root: Path) -> AppFigures | None:
    result = scan(root, Config())
    if not result.functions:
        return None
    active = [f for f in result.findings if not f.suppressed]
    loud = [f for f in active if f.severity.value != "info"]
    places = Counter((f.location.path, f.location.line) for f in loud)
    per_fn = Counter(fid for f in loud for fid in (f.function_ids or ((f.function_id,) if f.function_id else ())))
    return AppFigures(
        name,
        len(result.functions),
        len(loud),
        len(active) - len(loud),
        sum(1 for f in loud if places[(f.location.path, f.location.line)] > 1),
        tuple(per_fn.get(fn.id, 0) for fn in result.functions),
        tuple(sorted(Counter(f.rule_id for f in loud).items())),
    )


def realistic_apps() -> list[tuple[str, Path]]:
    apps: list[tuple[str, Path]] = [("examples/shop-api", REPO / "examples" / "shop-api")]
    apps += [(f"_shared/{p.name}", p) for p in sorted((FIXTURES / "_shared").iterdir()) if p.is_dir()]
    for iac in sorted(FIXTURES.glob("*/*/*/*")):
        if iac.name not in ("serverless.yml", "template.yaml", "template.yml", "template.json"):
            continue
        text = iac.read_text(encoding="utf-8", errors="replace")
        if text.count("handler:") + text.count("Handler:") >= MIN_FUNCTIONS:
            apps.append((str(iac.parent.relative_to(FIXTURES)), iac.parent))
    return apps


def generated_apps(size: int, work: Path) -> list[tuple[str, Path]]:
    out = []
    for dialect in ("serverless", "sam", "cloudformation"):
        folder = work / f"{dialect}-{size}"
        command = [sys.executable, str(REPO / "bench" / "generate.py"), "--dialect", dialect]
        subprocess.run([*command, "--functions", str(size), "--out", str(folder)], check=True, capture_output=True)
        out.append((f"generated {dialect} ×{size}", folder))
    return out


def report(rows: list[AppFigures], title: str) -> str:
    per_fn = [n for r in rows for n in r.per_function]
    findings = sum(r.findings for r in rows)
    shared = sum(r.shared_location for r in rows)
    rules: Counter[str] = Counter()
    for r in rows:
        rules.update(dict(r.by_rule))
    lines = [
        f"### {title}",
        "",
        f"{len(rows)} apps, {len(per_fn)} functions, {findings} findings (+{sum(r.info for r in rows)} info)",
        "",
        "| findings per function | mean | median | max |",
        "| --- | ---: | ---: | ---: |",
        f"| all apps | {statistics.fmean(per_fn) if per_fn else 0:.2f} | {statistics.median(per_fn) if per_fn else 0:g} "
        f"| {max(per_fn, default=0)} |",
        "",
        f"Findings sharing their file and line with another finding: {shared} of {findings}"
        + (f" ({100 * shared / findings:.0f} %)" if findings else ""),
        "",
        "| rule | findings | share |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {rule} | {n} | {100 * n / findings:.0f} % |" for rule, n in rules.most_common()]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--generated", type=int, default=0, help="also a generated app of N functions per dialect")
    ap.add_argument("--json", type=Path, help="write the per-app figures as JSON")
    ap.add_argument(
        "--same-apps-as", type=Path, help="only the realistic apps named in an earlier --json output (before/after)"
    )
    args = ap.parse_args()
    sections: dict[str, list[AppFigures]] = {"Realistic apps (in-sample)": []}
    only: set[str] | None = None
    if args.same_apps_as:
        earlier = json.loads(args.same_apps_as.read_text(encoding="utf-8"))
        only = {row["name"] for row in earlier.get("Realistic apps (in-sample)", [])}
    for name, root in realistic_apps():
        if only is not None and name not in only:
            continue
        fig = measure(name, root)
        if fig is not None:
            sections["Realistic apps (in-sample)"].append(fig)
    if args.generated:
        with tempfile.TemporaryDirectory() as tmp:
            title = f"Generated apps ({args.generated} functions per dialect)"
            sections[title] = [f for n, p in generated_apps(args.generated, Path(tmp)) if (f := measure(n, p))]
    for title, rows in sections.items():
        print(report(rows, title))
    if args.json:
        doc = {t: [_as_dict(r) for r in rows] for t, rows in sections.items()}
        args.json.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return 0


def _as_dict(r: AppFigures) -> dict[str, object]:
    return {
        "name": r.name,
        "functions": r.functions,
        "findings": r.findings,
        "info": r.info,
        "shared_location": r.shared_location,
        "per_function": list(r.per_function),
        "by_rule": dict(r.by_rule),
    }


if __name__ == "__main__":
    raise SystemExit(main())
