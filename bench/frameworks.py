"""fnaudit side by side with bandit, njsscan and detect-secrets on the framework fixture apps (issue 13).

    /work/venv/bin/python bench/frameworks.py            # prints a Markdown report
    /work/venv/bin/python bench/frameworks.py --no-peers # fnaudit only

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

from tests.rules import expectations  # noqa: E402

from fnaudit.rules.registry import all_rules  # noqa: E402

# expectations.py names its reader `annotations` and also has `from __future__ import annotations`;
# mypy sees the __future__ feature under that name, so the function is fetched from the module's dict.
read_annotations: Callable[[Path], list[expectations.Annotation]] = vars(expectations)["annotations"]

PEER_VENV = REPO / "bench" / ".venv-peers"
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-peers", action="store_true", help="run fnaudit only")
    args = parser.parse_args()

    peers = {} if args.no_peers else ensure_peers()
    cmds = commands(peers)
    expected: list[tuple[str, str, int, str]] = []  # (app, file, line, category)
    found: dict[str, list[tuple[str, Hit]]] = {t: [] for t in TOOLS}
    seconds = dict.fromkeys(TOOLS, 0.0)
    failures: list[str] = []

    # The peers' venv first on PATH, so njsscan finds the semgrep installed beside it.
    env = {**os.environ, "PATH": f"{PEER_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    with tempfile.TemporaryDirectory(prefix="fnaudit-frameworks-") as tmp:
        for name, src in apps().items():
            dest = Path(tmp) / name.replace("/", "__")
            shutil.copytree(src, dest)
            codes = {r.name: r.code for r in all_rules()}
            for a in read_annotations(src):
                cat = category_of_code(codes[a.name])
                if cat != "other":
                    expected.append((name, a.path, a.line, cat))
            for tool, cmd in cmds.items():
                if isinstance(cmd, str):
                    continue
                start = time.perf_counter()
                proc = subprocess.run(cmd, cwd=dest, capture_output=True, text=True, env=env)
                seconds[tool] += time.perf_counter() - start
                try:
                    found[tool].extend((name, h) for h in PARSERS[tool](proc.stdout))
                    if tool == "njsscan":  # njsscan reports a missing or failing semgrep here, with no results
                        failures.extend(f"njsscan on {name}: {e}" for e in json.loads(proc.stdout).get("errors", []))
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                    err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
                    failures.append(f"{tool} on {name}: exit {proc.returncode}, {type(exc).__name__}; {err[:160]}")

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


if __name__ == "__main__":
    raise SystemExit(main())
