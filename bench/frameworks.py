"""fnaudit side by side with bandit, njsscan and detect-secrets on the framework fixture apps (issue 13).

    /work/venv/bin/python bench/frameworks.py            # prints a Markdown report
    /work/venv/bin/python bench/frameworks.py --no-peers # fnaudit only
    /work/venv/bin/python bench/frameworks.py --generated 5 --seed 20261205   # on generated apps instead

With `--generated N`, gen_frameworks.py first writes N apps per framework into bench/out/gen-frameworks (or
`--out`), each with its ground truth beside it (<app>.truth.json: planted vulnerable lines and their safe twins),
and every tool is scored per category: true positives, false positives (results on a safe twin's lines), false
negatives, recall and precision, wall time per framework, then fnaudit by shape / construction / twin and every
line fnaudit misses or wrongly reports. Those apps are written by the generator, not with the rules.

The first run creates bench/.venv-peers (`python -m venv` + `pip install bandit njsscan detect-secrets`);
a peer that cannot be installed or run is reported as such and the others still run.

Ground truth: the `expect:` annotations of each app (tests/rules/expectations.py), each mapped to a
category from its rule code. Every tool's result is mapped to (file, line, category); a result counts
for an expected line when the file and category match and the line lies in the result's line range
(bandit and njsscan report a range for multi-line matches). Figures only: nothing here is asserted.
Each app is copied to a temporary folder first, so no tool writes into the tests tree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(REPO / "bench"))

from tests.rules import expectations  # noqa: E402

from fnaudit.rules.registry import all_rules  # noqa: E402
from gen_frameworks import DEFAULT_SEED, FAMILY, FRAMEWORKS, generate  # noqa: E402 - sibling script, not a package
from gen_weaknesses import KINDS, WEAK_FAMILY  # noqa: E402
from gen_weaknesses import generate as generate_weak  # noqa: E402

# expectations.py names its reader `annotations` and also has `from __future__ import annotations`;
# mypy sees the __future__ feature under that name, so the function is fetched from the module's dict.
read_annotations: Callable[[Path], list[expectations.Annotation]] = vars(expectations)["annotations"]

PEER_VENV = REPO / "bench" / ".venv-peers"
GEN_OUT = REPO / "bench" / "out" / "gen-frameworks"
WEAK_OUT = REPO / "bench" / "out" / "gen-weaknesses"
FIXTURES = REPO / "tests" / "rules" / "fixtures"
APPS = (
    "flask-shop",
    "fastapi-ops",
    "zappa-blog",
    "express-app",
    "express-fastify",
    "chalice-inventory",
    "powertools-orders",
    "inline-cfn",
    "inline-sam",
    "sls-ts",
)
CATEGORIES = ("injection", "xss", "redirect", "secret")
PEERS = ("bandit", "njsscan", "detect-secrets")
TOOLS = ("fnaudit", *PEERS)


@dataclass(frozen=True, slots=True)
class Hit:
    """One result of one tool: a file, an inclusive line range and a category."""

    file: str
    first: int
    last: int
    category: str
    label: str  # the tool's own rule id, shown in the miss list

    def covers(self, file: str, line: int, category: str) -> bool:
        return self.file == file and self.category == category and self.first <= line <= self.last


def category_of_code(code: str) -> str:
    if code.startswith("SECRET"):
        return "secret"
    if code == "CODE010":
        return "xss"
    if code == "CODE011":
        return "redirect"
    if code.startswith("CODE") and code[4:].isdigit() and 1 <= int(code[4:]) <= 9:
        return "injection"
    return "other"


# bandit test ids by category; anything else is "other". B105-B107: hard-coded passwords;
# B701-B703: template autoescape / mark_safe (XSS); the rest are injection-class sinks
# (SQL, shell, eval/exec, deserialisation, XML, SSRF-ish urlopen).
_BANDIT = {
    "secret": {"B105", "B106", "B107"},
    "xss": {"B701", "B702", "B703", "B704"},
    "injection": {
        "B102",
        "B301",
        "B302",
        "B307",
        "B310",
        "B506",
        "B602",
        "B603",
        "B604",
        "B605",
        "B606",
        "B607",
        "B608",
        "B609",
        *(f"B{n}" for n in range(313, 321)),
    },
}


def category_of_bandit(test_id: str) -> str:
    return next((cat for cat, ids in _BANDIT.items() if test_id in ids), "other")


def category_of_njsscan(rule_id: str) -> str:
    # njsscan rule ids are descriptive (`express_xss`, `node_sqli_injection`, `express_open_redirect`,
    # `node_secret`, `generic_os_command_exec`); map by the words they contain.
    r = rule_id.lower()
    if "xss" in r:
        return "xss"
    if "redirect" in r:
        return "redirect"
    if any(w in r for w in ("secret", "password", "hardcoded", "jwt_exposed", "api_key")):
        return "secret"
    words = ("sqli", "injection", "exec", "eval", "command", "ssrf", "traversal", "deserializ", "xxe", "template")
    if any(w in r for w in words):
        return "injection"
    return "other"


def rel(path: str) -> str:
    return Path(path).as_posix().removeprefix("./")


def parse_fnaudit(out: str) -> list[Hit]:
    data = json.loads(out)
    hits = []
    for f in data.get("findings", []):
        loc = f.get("location") or {}
        if loc.get("path") and loc.get("line"):
            line = int(loc["line"])
            hits.append(Hit(rel(loc["path"]), line, line, category_of_code(f["rule_id"]), f["rule_id"]))
    return hits


def parse_bandit(out: str) -> list[Hit]:
    hits = []
    for r in json.loads(out).get("results", []):
        lines = r.get("line_range") or [r["line_number"]]
        tid = r["test_id"]
        hits.append(Hit(rel(r["filename"]), min(lines), max(lines), category_of_bandit(tid), f"bandit {tid}"))
    return hits


def parse_njsscan(out: str) -> list[Hit]:
    data = json.loads(out)
    hits = []
    for section in ("nodejs", "templates"):
        for rule_id, body in (data.get(section) or {}).items():
            for f in body.get("files", []):
                first, last = f.get("match_lines", [0, 0])
                hits.append(Hit(rel(f["file_path"]), first, last, category_of_njsscan(rule_id), f"njsscan {rule_id}"))
    return hits


def parse_detect_secrets(out: str) -> list[Hit]:
    hits = []
    for filename, results in json.loads(out).get("results", {}).items():
        for r in results:
            n = int(r["line_number"])
            hits.append(Hit(rel(filename), n, n, "secret", f"detect-secrets {r['type']}"))
    return hits


def ensure_peers() -> dict[str, Path | str]:
    """Each peer's executable, or the reason it is not available."""
    bin_dir = PEER_VENV / "bin"
    exes = {"bandit": bin_dir / "bandit", "njsscan": bin_dir / "njsscan", "detect-secrets": bin_dir / "detect-secrets"}
    out: dict[str, Path | str] = {}
    if not (bin_dir / "pip").exists():
        print(f"creating {PEER_VENV} …", file=sys.stderr)
        venv.create(PEER_VENV, with_pip=True)
    for name, exe in exes.items():
        if not exe.exists() or (name == "njsscan" and not (bin_dir / "semgrep").exists()):
            # One pip call per tool, so one that fails (njsscan pulls semgrep) does not take the others with it.
            print(f"installing {name} into {PEER_VENV} …", file=sys.stderr)
            # njsscan runs semgrep as a program found on PATH but does not depend on it: install both.
            pkgs = [name, "semgrep"] if name == "njsscan" else [name]
            proc = subprocess.run([str(bin_dir / "pip"), "install", "-q", *pkgs], capture_output=True, text=True)
            if proc.returncode != 0:
                out[name] = f"pip install failed: {proc.stderr.strip().splitlines()[-1:]}"
                continue
        out[name] = exe
    return out


def commands(peers: dict[str, Path | str]) -> dict[str, list[str] | str]:
    cmds: dict[str, list[str] | str] = {
        "fnaudit": [sys.executable, "-m", "fnaudit", "scan", ".", "-f", "json", "--errors", "warn"]
    }
    extra = {
        "bandit": ["-r", ".", "-f", "json", "-q"],
        "njsscan": ["--json", "."],
        # Without --all-files detect-secrets only scans what `git ls-files` lists: nothing in a temp copy.
        "detect-secrets": ["scan", "--all-files", "."],
    }
    for name in PEERS:
        exe = peers.get(name, "not requested")
        cmds[name] = [str(exe), *extra[name]] if isinstance(exe, Path) else exe
    return cmds


PARSERS: dict[str, Callable[[str], list[Hit]]] = {
    "fnaudit": parse_fnaudit,
    "bandit": parse_bandit,
    "njsscan": parse_njsscan,
    "detect-secrets": parse_detect_secrets,
}


def apps() -> dict[str, Path]:
    """One folder per app name: the shared apps (written once for several rules), then the rule folders' own;
    identical copies under several rule folders are scanned once."""
    seen: dict[str, Path] = {}
    digests: dict[str, str] = {}
    for folder in [*sorted(FIXTURES.glob("_shared/*")), *sorted(FIXTURES.glob("*/bad/*"))]:
        if folder.name not in APPS or not folder.is_dir():
            continue
        h = hashlib.sha256()
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
        digest = h.hexdigest()
        if digest in digests.values():
            continue
        key = folder.name if folder.name not in seen else f"{folder.parts[-3]}/{folder.name}"
        seen[key] = folder
        digests[key] = digest
    return seen


def run_tools(
    cmds: dict[str, list[str] | str],
    folder: Path,
    name: str,
    env: dict[str, str],
    found: dict[str, list[tuple[str, Hit]]],
    failures: list[str],
) -> dict[str, float]:
    """Run every available tool in `folder`, adding its results under the app `name`; seconds per tool."""
    seconds: dict[str, float] = {}
    for tool, cmd in cmds.items():
        if isinstance(cmd, str):
            continue
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, env=env)
        seconds[tool] = time.perf_counter() - start
        try:
            found[tool].extend((name, h) for h in PARSERS[tool](proc.stdout))
            if tool == "njsscan":  # njsscan reports a missing or failing semgrep here, with no results
                failures.extend(f"njsscan on {name}: {e}" for e in json.loads(proc.stdout).get("errors", []))
            if tool == "fnaudit":  # a file it could not analyse explains misses; the advisory store is not needed
                errors = json.loads(proc.stdout).get("errors", [])
                failures.extend(
                    f"fnaudit on {name}: {e.get('path')}: {str(e.get('message'))[:160]}"
                    for e in errors
                    if e.get("stage") != "deps"
                )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            failures.append(f"{tool} on {name}: exit {proc.returncode}, {type(exc).__name__}; {err[:160]}")
    return seconds


def peer_env() -> dict[str, str]:
    # The peers' venv first on PATH, so njsscan finds the semgrep installed beside it.
    return {**os.environ, "PATH": f"{PEER_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-peers", action="store_true", help="run fnaudit only")
    parser.add_argument(
        "--generated", type=int, metavar="N", help="score on N generated apps per framework (gen_frameworks.py)"
    )
    parser.add_argument(
        "--weaknesses", type=int, metavar="N", help="score issue 14's categories on N apps per kind (gen_weaknesses.py)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the generated apps")
    parser.add_argument("--out", type=Path, help="where the generated apps are written")
    args = parser.parse_args()

    peers = {} if args.no_peers else ensure_peers()
    cmds = commands(peers)
    if args.weaknesses:
        return run_weaknesses(args.weaknesses, args.seed, args.out or WEAK_OUT, cmds)
    if args.generated:
        return run_generated(args.generated, args.seed, args.out or GEN_OUT, cmds)
    expected: list[tuple[str, str, int, str]] = []  # (app, file, line, category)
    found: dict[str, list[tuple[str, Hit]]] = {t: [] for t in TOOLS}
    seconds = dict.fromkeys(TOOLS, 0.0)
    failures: list[str] = []

    env = peer_env()
    with tempfile.TemporaryDirectory(prefix="fnaudit-frameworks-") as tmp:
        for name, src in apps().items():
            dest = Path(tmp) / name.replace("/", "__")
            shutil.copytree(src, dest)
            codes = {r.name: r.code for r in all_rules()}
            for a in read_annotations(src):
                cat = category_of_code(codes[a.name])
                if cat != "other":
                    expected.append((name, a.path, a.line, cat))
            for tool, secs in run_tools(cmds, dest, name, env, found, failures).items():
                seconds[tool] += secs

    report(expected, found, seconds, cmds, failures)
    return 0


def _hit(tool_hits: list[tuple[str, Hit]], app: str, file: str, line: int, cat: str) -> bool:
    return any(a == app and h.covers(file, line, cat) for a, h in tool_hits)


def report(
    expected: list[tuple[str, str, int, str]],
    found: dict[str, list[tuple[str, Hit]]],
    seconds: dict[str, float],
    cmds: dict[str, list[str] | str],
    failures: list[str],
) -> None:
    ran = [t for t in TOOLS if not isinstance(cmds[t], str)]
    print("| category | expected | " + " | ".join(f"{t} TP (recall)" for t in ran) + " | peers' union TP |")
    print("| --- | ---: | " + " | ".join("---:" for _ in ran) + " | ---: |")
    rows = [*CATEGORIES, "all"]
    for cat in rows:
        exp = [e for e in expected if cat in ("all", e[3])]
        cells = []
        for t in ran:
            tp = sum(_hit(found[t], *e) for e in exp)
            cells.append(f"{tp} ({tp / len(exp):.0%})" if exp else "0 (–)")
        union = sum(any(_hit(found[t], *e) for t in ran if t != "fnaudit") for e in exp)
        print(f"| {cat} | {len(exp)} | " + " | ".join(cells) + f" | {union} |")
    print()
    print("| tool | wall time, all apps (s) | results in a category | status |")
    print("| --- | ---: | ---: | --- |")
    for t in TOOLS:
        cmd = cmds[t]
        if isinstance(cmd, str):
            print(f"| {t} | – | – | not run: {cmd} |")
            continue
        n = sum(h.category != "other" for _, h in found[t])
        print(f"| {t} | {seconds[t]:.2f} | {n} | ran |")
    print()
    print("Peer results (category != other) on lines where fnaudit has no finding of that category:")
    print()
    fn = found["fnaudit"]
    missed = set()
    for t in TOOLS[1:]:
        for app, h in found[t]:
            if h.category == "other":
                continue
            if any(
                a == app and f.file == h.file and f.category == h.category and h.first <= f.first <= h.last
                for a, f in fn
            ):
                continue
            is_expected = any(e[0] == app and h.covers(e[1], e[2], e[3]) for e in expected)
            missed.add((app, h.file, h.first, h.category, h.label, "expected" if is_expected else "not annotated"))
    if not missed:
        print("- none")
    for app, file, line, cat, label, why in sorted(missed):
        print(f"- `{app}/{file}:{line}` {cat} ({label}; {why})")
    if failures:
        print()
        print("Tool runs whose output could not be read:")
        for f in failures:
            print(f"- {f}")


# ------------------------------------------------------------------------------------------------
# generated apps (gen_frameworks.py): ground truth in <app>.truth.json beside each app
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Planted:
    """One line of the ground truth: a vulnerable line or its safe twin."""

    app: str
    file: str
    first: int
    last: int
    category: str  # sql, command, eval, path, ssrf, xss, redirect, provider-key, signing-key
    family: str  # injection, xss, redirect, secret: what a tool's result is matched on
    vulnerable: bool
    language: str
    shape: str
    construct: str
    twin: str
    how: str  # shape / construction / twin, for the miss list

    def found_by(self, hits: list[tuple[str, Hit]]) -> bool:
        """A result of the same family whose line range overlaps the planted line(s)."""
        return any(
            a == self.app
            and h.file == self.file
            and h.category == self.family
            and h.first <= self.last
            and self.first <= h.last
            for a, h in hits
        )


def read_truth(path: Path) -> list[Planted]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for t in data["truth"]:
        how = "/".join(x for x in (t["shape"], t["construct"], f"safe: {t['twin']}" if t["twin"] else "") if x)
        if t["route"]:
            how += f", route {t['route']}"
        out.append(
            Planted(
                data["app"],
                t["file"],
                t["line"],
                t["end"],
                t["category"],
                t["family"],
                t["vulnerable"],
                t["language"],
                t["shape"],
                t["construct"],
                t["twin"],
                how,
            )
        )
    return out


def run_generated(n: int, seed: int, out: Path, cmds: dict[str, list[str] | str]) -> int:
    roots = generate(out, n, seed)
    env = peer_env()
    planted: list[Planted] = []
    found: dict[str, list[tuple[str, Hit]]] = {t: [] for t in TOOLS}
    seconds: dict[tuple[str, str], float] = {(t, fw): 0.0 for t in TOOLS for fw in FRAMEWORKS}
    failures: list[str] = []
    for root in roots:
        planted.extend(read_truth(root.parent / f"{root.name}.truth.json"))
        framework = root.name.rsplit("-", 1)[0]
        # The apps live in bench/out (git-ignored) and the truth file is beside, not inside: scanned in place.
        for tool, secs in run_tools(cmds, root, root.name, env, found, failures).items():
            seconds[tool, framework] += secs
    print(f"`bench/frameworks.py --generated {n} --seed {seed}`: {len(roots)} apps ({n} per framework) in {out}")
    print()
    report_generated(planted, found, seconds, cmds, failures)
    return 0


def _cell(tp: int, fp: int, fn: int) -> str:
    recall = f"{tp / (tp + fn):.0%}" if tp + fn else "–"
    precision = f"{tp / (tp + fp):.0%}" if tp + fp else "–"
    return f"{tp} / {fp} / {fn} (R {recall}, P {precision})"


def _score(rows: list[Planted], hits: list[tuple[str, Hit]]) -> tuple[int, int, int]:
    tp = sum(p.vulnerable and p.found_by(hits) for p in rows)
    fp = sum(not p.vulnerable and p.found_by(hits) for p in rows)
    fn = sum(p.vulnerable and not p.found_by(hits) for p in rows)
    return tp, fp, fn


def report_generated(
    planted: list[Planted],
    found: dict[str, list[tuple[str, Hit]]],
    seconds: dict[tuple[str, str], float],
    cmds: dict[str, list[str] | str],
    failures: list[str],
) -> None:
    ran = [t for t in TOOLS if not isinstance(cmds[t], str)]
    peers = [t for t in ran if t != "fnaudit"]
    print("TP / FP / FN per category: TP a planted vulnerable line the tool reports (same family), FP a safe twin's")
    print("line it reports, FN a planted vulnerable line it does not; R recall, P precision. bandit reads Python")
    print("only and njsscan JavaScript only: the per-language rows compare them on their own ground (iac: secrets")
    print("in serverless.yml / template.yaml / .chalice/config.json).")
    print()
    print("| category | vulnerable | safe twins | " + " | ".join(ran) + " | peers' union TP |")
    print("| --- | ---: | ---: | " + " | ".join("---" for _ in ran) + " | ---: |")
    groups: list[tuple[str, list[Planted]]] = [(c, [p for p in planted if p.category == c]) for c in FAMILY]
    languages = sorted({p.language for p in planted})
    groups += [(f"all {lang}", [p for p in planted if p.language == lang]) for lang in languages]
    groups.append(("**all**", planted))
    for label, rows in groups:
        cells = [_cell(*_score(rows, found[t])) for t in ran]
        union = sum(p.vulnerable and any(p.found_by(found[t]) for t in peers) for p in rows)
        vuln = sum(p.vulnerable for p in rows)
        print(f"| {label} | {vuln} | {len(rows) - vuln} | " + " | ".join(cells) + f" | {union} |")
    print()
    fws = sorted({fw for _, fw in seconds}, key=FRAMEWORKS.index)
    print("| tool | wall time, all apps (s) | " + " | ".join(fws) + " | results off the ground truth |")
    print("| --- | ---: | " + " | ".join("---:" for _ in fws) + " | ---: |")
    for t in TOOLS:
        if isinstance(cmds[t], str):
            print(f"| {t} | not run: {cmds[t]} | " + " | ".join("–" for _ in fws) + " | – |")
            continue
        total = sum(seconds[t, fw] for fw in fws)
        off = sum(
            h.category != "other"
            and not any(p.app == a and p.file == h.file and p.first <= h.last and h.first <= p.last for p in planted)
            for a, h in found[t]
        )
        print(f"| {t} | {total:.2f} | " + " | ".join(f"{seconds[t, fw]:.2f}" for fw in fws) + f" | {off} |")
    print()
    fn_hits = found["fnaudit"]
    if "fnaudit" in ran:
        print("fnaudit by how the line is written (TP / FP / FN):")
        print()
        print("| axis | value | vulnerable | safe | fnaudit |")
        print("| --- | --- | ---: | ---: | --- |")
        axes: list[tuple[str, Callable[[Planted], str]]] = [
            ("framework", lambda p: p.app.rsplit("-", 1)[0]),
            ("shape", lambda p: p.shape),
            ("construction", lambda p: p.construct),
            ("safe twin", lambda p: p.twin),
        ]
        for axis, key in axes:
            for value in sorted({key(p) for p in planted if key(p)}):
                rows = [p for p in planted if key(p) == value]
                vuln = sum(p.vulnerable for p in rows)
                print(f"| {axis} | {value} | {vuln} | {len(rows) - vuln} | {_cell(*_score(rows, fn_hits))} |")
        print()
    _print_misses(planted, peers, found, fn_hits, failures, with_language=False)


# ------------------------------------------------------------------------------------------------
# issue 14's categories on generated apps (gen_weaknesses.py): every tool's ids mapped to the same families
# ------------------------------------------------------------------------------------------------

# fnaudit rule code -> family of gen_weaknesses.WEAK_FAMILY. CODE006 (now also sockets) stays "injection".
_FNAUDIT_WEAK = {
    "CODE014": "logging",
    "CODE015": "jwt",
    "CODE016": "tls",
    "CODE017": "weak-hash",
    "CODE018": "authz",
    "CODE019": "cors",
    "CODE020": "reverse-shell",
    "CODE021": "redos",
    "CODE022": "amplification",
    "CODE023": "stored-xss",
    "DATA001": "public-bucket",
    "AUTH005": "cors",
    "DOS006": "concurrency",
}
# bandit test ids -> families. B501 requests/httpx verify=False, B502-B504 ssl/pyOpenSSL protocol versions,
# B323 ssl._create_unverified_context, B507 paramiko host keys: transport security. B303/B324 md5/sha1 (bandit
# flags the hash, not what is hashed). B105-B107 hard-coded password strings / arguments / defaults. B602-B607
# (subprocess / os shell calls) count both as injection and as the reverse shell's spawn, the only part of it
# bandit sees. B104 (bind to 0.0.0.0), B311 (random for security), B113 (no timeout), B404 (import subprocess)
# have no category here: "other".
_BANDIT_WEAK: dict[str, frozenset[str]] = {
    **{t: frozenset({"tls"}) for t in ("B501", "B502", "B503", "B504", "B323", "B507")},
    **{t: frozenset({"weak-hash"}) for t in ("B303", "B324")},
    **{t: frozenset({"secret"}) for t in ("B105", "B106", "B107")},
    **{t: frozenset({"injection", "reverse-shell"}) for t in ("B602", "B603", "B604", "B605", "B606", "B607")},
    "B310": frozenset({"injection"}),
}


def _print_misses(
    planted: list[Planted],
    peers: list[str],
    found: dict[str, list[tuple[str, Hit]]],
    fn_hits: list[tuple[str, Hit]],
    failures: list[str],
    with_language: bool,
) -> None:
    """The tail of a generated-app report: fnaudit's false negatives (with the peers that found the line),
    its false positives on safe twins, and the tool runs whose output could not be read."""

    def how(p: Planted) -> str:
        return f"{p.language} {p.how}" if with_language else p.how

    missed = [p for p in planted if p.vulnerable and not p.found_by(fn_hits)]
    print(f"fnaudit's false negatives ({len(missed)}; peers that found the line in brackets):")
    print()
    for p in missed:
        by = [t for t in peers if p.found_by(found[t])]
        print(f"- `{p.app}/{p.file}:{p.first}` {p.category} ({how(p)})" + (f" [{', '.join(by)}]" if by else ""))
    if not missed:
        print("- none")
    false = [p for p in planted if not p.vulnerable and p.found_by(fn_hits)]
    print()
    print(f"fnaudit's false positives on safe twins ({len(false)}):")
    print()
    for p in false:
        print(f"- `{p.app}/{p.file}:{p.first}` {p.category} ({how(p)})")
    if not false:
        print("- none")
    if failures:
        print()
        print("Tool runs whose output could not be read:")
        for f in failures:
            print(f"- {f}")


def _njsscan_weak(rule_id: str) -> frozenset[str]:
    # njsscan's ids are descriptive; matched on the words they contain (the ids its run reported are listed below
    # the tables, with the family each was given).
    r = rule_id.lower()
    words = {
        "jwt": ("jwt",),
        "tls": ("tls", "reject_unauth", "ssl", "certificate"),
        "weak-hash": ("md5", "sha1", "weak_hash", "hash"),
        "cors": ("cors",),
        "redos": ("regex", "redos"),
        "logging": ("log",),
        "secret": ("secret", "password", "hardcoded", "api_key"),
        "reverse-shell": ("shell", "exec", "spawn"),
        "injection": ("ssrf", "injection", "socket"),
        "stored-xss": ("xss",),
    }
    return frozenset(fam for fam, ws in words.items() if any(w in r for w in ws))


def weak_families(h: Hit) -> frozenset[str]:
    """The families of gen_weaknesses one tool result counts for (a result may count for several)."""
    tool, _, rid = h.label.partition(" ")
    if tool == "bandit":
        return _BANDIT_WEAK.get(rid, frozenset())
    if tool == "detect-secrets":
        return frozenset({"secret"})
    if tool == "njsscan":
        return _njsscan_weak(rid)
    code = h.label
    if code in _FNAUDIT_WEAK:
        return frozenset({_FNAUDIT_WEAK[code]})
    return frozenset({h.category}) - {"other"}  # SECRET* -> secret, CODE001-009 -> injection, ...


def run_weaknesses(n: int, seed: int, out: Path, cmds: dict[str, list[str] | str]) -> int:
    roots = generate_weak(out, n, seed)
    env = peer_env()
    planted: list[Planted] = []
    raw: dict[str, list[tuple[str, Hit]]] = {t: [] for t in TOOLS}
    seconds: dict[tuple[str, str], float] = {(t, k): 0.0 for t in TOOLS for k in KINDS}
    failures: list[str] = []
    for root in roots:
        planted.extend(read_truth(root.parent / f"{root.name}.truth.json"))
        kind = root.name.rsplit("-", 1)[0]
        for tool, secs in run_tools(cmds, root, root.name, env, found=raw, failures=failures).items():
            seconds[tool, kind] += secs
    # one Hit per family the result counts for, so Planted.found_by matches on the family
    found = {
        t: [(a, Hit(h.file, h.first, h.last, fam, h.label)) for a, h in hits for fam in sorted(weak_families(h))]
        for t, hits in raw.items()
    }
    print(f"`bench/frameworks.py --weaknesses {n} --seed {seed}`: {len(roots)} apps ({n} per kind) in {out}")
    print()
    report_weaknesses(planted, found, raw, seconds, cmds, failures)
    return 0


def report_weaknesses(
    planted: list[Planted],
    found: dict[str, list[tuple[str, Hit]]],
    raw: dict[str, list[tuple[str, Hit]]],
    seconds: dict[tuple[str, str], float],
    cmds: dict[str, list[str] | str],
    failures: list[str],
) -> None:
    ran = [t for t in TOOLS if not isinstance(cmds[t], str)]
    peers = [t for t in ran if t != "fnaudit"]
    print("TP / FP / FN per category (R recall, P precision); a result counts when its family matches and its line")
    print("range overlaps the planted range. IN-SAMPLE: the generator was written after the rules, by someone who")
    print("had read their fixtures. bandit reads Python only, njsscan JavaScript only: see the per-language rows.")
    print()
    print("| category | family | vulnerable | safe | " + " | ".join(ran) + " | peers' union TP |")
    print("| --- | --- | ---: | ---: | " + " | ".join("---" for _ in ran) + " | ---: |")
    groups: list[tuple[str, str, list[Planted]]] = [
        (c, f, [p for p in planted if p.category == c]) for c, f in WEAK_FAMILY.items()
    ]
    for lang in sorted({p.language for p in planted}):
        groups.append((f"all {lang}", "", [p for p in planted if p.language == lang]))
    groups.append(("**all**", "", planted))
    for label, fam, rows in groups:
        cells = [_cell(*_score(rows, found[t])) for t in ran]
        union = sum(p.vulnerable and any(p.found_by(found[t]) for t in peers) for p in rows)
        vuln = sum(p.vulnerable for p in rows)
        print(f"| {label} | {fam} | {vuln} | {len(rows) - vuln} | " + " | ".join(cells) + f" | {union} |")
    print()
    print("The same per language (where bandit, Python only, and njsscan, JavaScript only, compete):")
    print()
    print("| category | language | vulnerable | safe | " + " | ".join(ran) + " |")
    print("| --- | --- | ---: | ---: | " + " | ".join("---" for _ in ran) + " |")
    for cat in WEAK_FAMILY:
        for lang in sorted({p.language for p in planted}):
            rows = [p for p in planted if p.category == cat and p.language == lang]
            if not rows:
                continue
            vuln = sum(p.vulnerable for p in rows)
            cells = [_cell(*_score(rows, found[t])) for t in ran]
            print(f"| {cat} | {lang} | {vuln} | {len(rows) - vuln} | " + " | ".join(cells) + " |")
    print()
    print("| tool | wall time, all apps (s) | " + " | ".join(KINDS) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in KINDS) + " |")
    for t in TOOLS:
        if isinstance(cmds[t], str):
            print(f"| {t} | not run: {cmds[t]} | " + " | ".join("–" for _ in KINDS) + " |")
            continue
        total = sum(seconds[t, k] for k in KINDS)
        print(f"| {t} | {total:.2f} | " + " | ".join(f"{seconds[t, k]:.2f}" for k in KINDS) + " |")
    print()
    print("Peer ids seen and the families they were given (empty: no category here):")
    print()
    for t in peers:
        ids = sorted({h.label for _, h in raw[t]})
        print(
            f"- {t}: " + ", ".join(f"{i} → {'/'.join(sorted(weak_families(Hit('', 0, 0, '', i)))) or '–'}" for i in ids)
        )
    print()
    fn_hits = found["fnaudit"]
    print("fnaudit by context and variant (TP / FP / FN):")
    print()
    print("| category | context | variant | vulnerable | safe | fnaudit |")
    print("| --- | --- | --- | ---: | ---: | --- |")
    keys = sorted({(p.category, p.shape, p.language, p.construct) for p in planted})
    for cat, shape, lang, construct in keys:
        rows = [p for p in planted if (p.category, p.shape, p.language, p.construct) == (cat, shape, lang, construct)]
        vuln = sum(p.vulnerable for p in rows)
        print(
            f"| {cat} | {shape} {lang} | {construct} | {vuln} | {len(rows) - vuln} | {_cell(*_score(rows, fn_hits))} |"
        )
    print()
    _print_misses(planted, peers, found, fn_hits, failures, with_language=True)


if __name__ == "__main__":
    raise SystemExit(main())
