"""Risk per function: one number to rank functions by, from exposure, exploitable findings and blast radius.

    risk = 100 × exposure × exploitability × blast          (0–100, one decimal)

- **exposure** (how an attacker reaches the function), the highest that applies:
  1.0 public with no authentication (a public trigger without authorizer, an AUTH001 / AUTH002 /
  AUTH003 finding, or a bucket or topic anyone can write to, as the attack paths see it); 0.6 a public route behind an authorizer; 0.4 an internal
  trigger whose data someone else may write (S3, SQS, SNS, streams, EventBridge, IoT, Kafka, MQ,
  Cognito, logs, any other); 0.1 nothing but a schedule, or no trigger (invoked by the app itself).
- **exploitability** (what a bug in the function gives), the highest of its unsuppressed findings:
  1.0 code execution or file read (command, code, deserialization, template injection, path
  traversal, XXE: CODE002/003/004/005/008/009); 0.9 SQL injection (CODE001); 0.7 NoSQL injection, SSRF,
  a known-malicious package (CODE006/007, DEP002); 0.6 a plain-text secret (SECRET001–005) or a
  vulnerable dependency the code imports (DEP001 high or critical); 0.4 another code weakness
  (XSS, open redirect, runtime state, verbose errors, sensitive logs, other DEP001); 0.15 none
  known (bugs we cannot see).
- **blast**: the IAM engine's blast-radius score / 100 (`fnaudit.engines.iam.blast`; through
  escalation and functions it takes over included; 1.0 for an administrator), 0.5 when unknown
  (no role in the app), and at least 0.05 (the function still runs code with its event); when an
  attack path goes through another function (PATH004, e.g. it invokes a function that has its own
  injection), that function's blast radius if larger.

A function on an attack path (an unsuppressed PATH finding) therefore ranks by the product of three
strong factors: a public URL with command injection and `s3:*` on `*` scores ~64, the same function
behind an authorizer ~38, and with no bug at all ~10. Suppressed findings do not count: a suppression
is a judgement that the finding is acceptable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fnaudit.findings import Finding, Severity
from fnaudit.model.app import App, Function, TriggerKind

_EXEC = frozenset({"CODE002", "CODE003", "CODE004", "CODE005", "CODE008", "CODE009"})
_EXPLOIT: dict[str, float] = {
    **{c: 1.0 for c in _EXEC},
    "CODE001": 0.9,
    "CODE006": 0.7,
    "CODE007": 0.7,
    "DEP002": 0.7,
    **{f"SECRET00{i}": 0.6 for i in range(1, 6)},
    "CODE010": 0.4,
    "CODE011": 0.4,
    "CODE012": 0.4,
    "CODE013": 0.4,
    "CODE014": 0.4,
}
_NO_BUG = 0.15
_PUBLIC_ENTRY = frozenset({"AUTH001", "AUTH002", "AUTH003"})


@dataclass(frozen=True, slots=True)
class Risk:
    score: float
    exposure: float
    exploitability: float
    blast: float
    reasons: tuple[str, ...] = ()  # one phrase per factor, for reports


def function_risk(app: App, fn: Function, findings: Iterable[Finding]) -> Risk:
    mine = [f for f in findings if not f.suppressed and (f.function_id == fn.id or fn.name in f.functions)]
    exposure, why_exposed = _exposure(fn, mine)
    exploit, why_exploit = _exploitability(mine)
    b = fn.blast_radius
    blast = 0.5 if b is None else max(0.05, 1.0 if b.admin else b.score / 100.0)
    why_blast = "blast radius unknown" if b is None else f"blast radius {b.score:g}"
    for other in _pivots(app, mine):  # an attack path through another function: its reach counts
        ob = other.blast_radius
        theirs = 1.0 if ob is not None and ob.admin else (ob.score / 100.0 if ob is not None else 0.0)
        if theirs > blast:
            blast, why_blast = (
                theirs,
                f"blast radius {ob.score:g} of {other.name}, through an attack path" if ob else why_blast,
            )
    score = round(100.0 * exposure * exploit * blast, 1)
    return Risk(score, exposure, exploit, round(blast, 3), (why_exposed, why_exploit, why_blast))


def _pivots(app: App, mine: list[Finding]) -> list[Function]:
    """Functions an unsuppressed cross-function attack path goes through (its evidence ends with
    `→ function:<name>`; a path that names several reaches of one sink joins them with `; `, fnaudit.merge)."""
    out = []
    for f in mine:
        if f.category.value != "attack-path":
            continue
        for part in f.evidence.split("; "):
            if "→ function:" in part:
                other = app.function(part.rsplit("→ function:", 1)[1].strip())
                if other is not None:
                    out.append(other)
    return out


def _exposure(fn: Function, mine: list[Finding]) -> tuple[float, str]:
    if any(t.public and not t.is_authenticated for t in fn.triggers) or any(
        f.rule_id in _PUBLIC_ENTRY and f.function_id == fn.id for f in mine
    ):
        return 1.0, "public without authentication"
    if any(
        f.category.value == "attack-path" and ("public-bucket" in f.evidence or "public-topic" in f.evidence)
        for f in mine
    ):
        return 1.0, "triggered by a bucket or topic anyone can write to"
    if any(t.kind.is_http and t.public for t in fn.triggers):
        return 0.6, "public behind an authorizer"
    # CloudFormation, Step Functions and the app's own functions are callers, not exposure (trust model)
    internal = [
        t
        for t in fn.triggers
        if t.kind is not TriggerKind.SCHEDULE and not t.kind.is_http and not t.kind.is_trusted_caller
    ]
    if internal:
        return 0.4, f"internal trigger ({internal[0].kind.value})"
    if any(t.kind.is_http for t in fn.triggers):
        return 0.4, "private HTTP route"
    return 0.1, "no external trigger"


def _exploitability(mine: list[Finding]) -> tuple[float, str]:
    best, why = _NO_BUG, "no exploitable finding"
    for f in mine:
        value = _EXPLOIT.get(f.rule_id)
        if f.rule_id == "DEP001":
            value = 0.6 if f.severity.rank >= Severity.HIGH.rank and "code imports it;" in f.message else 0.4
        if value is not None and value > best:
            best, why = value, f"{f.rule_name} at {f.location}"
    return best, why


def compute(apps: Iterable[App], findings: Iterable[Finding]) -> Mapping[str, Risk]:
    """Risk of every function, keyed by Function.id (findings grouped once: linear in their number).

    Findings are grouped by function id: two apps may each have a function of the same name. Only a
    finding built without ids (by hand, not by the scan) falls back to the names it concerns."""
    by_id: dict[str, list[Finding]] = {}
    by_name: dict[str, list[Finding]] = {}
    for f in findings:
        for fid in dict.fromkeys((*((f.function_id,) if f.function_id else ()), *f.function_ids)):
            by_id.setdefault(fid, []).append(f)
        if not f.function_ids:
            for name in f.functions:
                by_name.setdefault(name, []).append(f)
    out: dict[str, Risk] = {}
    for app in apps:
        for fn in app.functions:
            mine = {id(f): f for f in (*by_id.get(fn.id, ()), *by_name.get(fn.name, ()))}
            out[fn.id] = function_risk(app, fn, mine.values())
    return out


def ranked(functions: Iterable[Function], risk: Mapping[str, Risk]) -> list[Function]:
    """Functions by descending risk, then name (stable for reports)."""
    return sorted(functions, key=lambda f: (-(risk[f.id].score if f.id in risk else 0.0), f.name, f.id))
