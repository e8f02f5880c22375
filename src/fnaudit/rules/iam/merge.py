"""One finding per IAM policy statement (issue 22, "one finding per root cause").

Each IAM rule still judges its own problem and yields its own hit: IAM001 the administrator grant,
IAM002 the service wildcard, IAM003 the unscoped write, IAM005 the data read on `*`, IAM006 an
escalation method one statement grants alone, IAM007 credentials, IAM008 exfiltration, IAM010 the
unused actions. Every such hit carries the statement as its `cause` (`statement:<role>|<sid or path>`,
or `policy:<role>|<name>` for an AWS managed policy, judged as a whole at the line attaching it; a SAM
policy template's statements are one, `_policy.cause`) and as its fingerprint key. The scan then folds
the findings of one cause into one (`merge_causes`):

- the owner is the highest-ranked rule in `RANK` that reported a problem there (admin before
  escalation before credentials…); the finding keeps its code, title and fingerprint (rule + statement,
  not the list of problems, so adding or fixing a lower problem keeps it), the worst severity decides;
- the message is the owner's, followed by every other problem in one sentence; `problems` lists each
  problem as its rule reported it (JSON `problems`; the attack paths read them one by one);
- only the findings of the rules that ran are folded, so `--select IAM005` shows the data read alone
  and `--ignore IAM002` leaves the statement's other problems, owned by the next rule;
- each problem is marked (inline / config / metadata ignores, baseline) before the fold: an ignore
  naming a rule drops that problem and the rest stays reported; a baseline entry for the statement's
  finding (any of its problems' fingerprints) accepts the statement as a whole.

Role-level findings (IAM004 shared role, IAM009 trust policy) have no cause and stay findings of their
own; escalations that need several statements together (IAM006) are one finding per set of statements
(`statements:<cause>+<cause>`), apart from each statement's own finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from fnaudit.findings import Finding, Problem

# Which rule owns a statement's finding: the worst meaning first. Not by severity, so a Condition that
# lowers one problem does not move the finding (and its fingerprint) to another rule.
RANK: tuple[str, ...] = ("IAM001", "IAM006", "IAM007", "IAM008", "IAM002", "IAM003", "IAM005", "IAM010")
_CONFIDENCE = {"high": 2, "medium": 1, "low": 0}
_SHOWN = 4  # problems of one rule named in the message; the JSON lists them all

Mark = Callable[[Iterable[Finding]], list[Finding]]


def statement_cause(role_id: str, sid: str | None, source: str) -> str:
    """The identity of a statement, line-free: its Sid, else where it sits in the IaC."""
    return f"statement:{role_id}|{sid or source}"


def policy_cause(role_id: str, policy: str) -> str:
    """An AWS managed policy attached to a role, reported as one statement at the line attaching it."""
    return f"policy:{role_id}|{policy}"


def statements_cause(causes: list[str]) -> str:
    """Several statements together (an escalation that needs each of them): one finding per set."""
    return "statements:" + "+".join(sorted(causes))


def merge_causes(findings: Iterable[Finding], mark: Mark | None = None) -> list[Finding]:
    """Fold findings that share a cause (and the functions they concern) into one; the others pass
    unchanged, in order. `mark` applies suppressions to each problem before the fold."""
    items = list(findings)
    groups: dict[tuple[str, tuple[str, ...]], list[Finding]] = {}
    for f in items:
        if f.cause is not None:
            groups.setdefault((f.cause, f.function_ids), []).append(f)
    out: list[Finding] = []
    done: set[tuple[str, tuple[str, ...]]] = set()
    for f in items:
        if f.cause is None:
            out.append(f)
            continue
        key = (f.cause, f.function_ids)
        if key in done:
            continue
        done.add(key)
        out.extend(_fold(groups[key], mark))
    return out


def _fold(members: list[Finding], mark: Mark | None) -> list[Finding]:
    if mark is not None:
        members = mark(members)
    baseline = next((m.suppression for m in members if m.suppression and m.suppression.kind == "baseline"), None)
    if baseline is not None:  # the statement's finding was accepted as a whole
        return [replace(_merged(members), suppression=baseline)]
    active = [m for m in members if not m.suppressed]
    muted = [m for m in members if m.suppressed]
    return [_merged(group) for group in (active, muted) if group]


def _rank(f: Finding) -> int:
    return RANK.index(f.rule_id) if f.rule_id in RANK else len(RANK)


def _merged(members: list[Finding]) -> Finding:
    ordered = sorted(members, key=_rank)  # stable: a rule's problems keep the order the rule gave them
    owner = ordered[0]
    problems = tuple(
        Problem(m.rule_id, m.rule_name, m.severity, m.location, m.message, m.evidence, m.remediation) for m in ordered
    )
    return replace(
        owner,
        severity=max((m.severity for m in ordered), key=lambda s: s.rank),
        message=_message(owner, ordered[1:]),
        evidence="; ".join(dict.fromkeys(m.evidence for m in ordered if m.evidence)),
        remediation=" ".join(dict.fromkeys(m.remediation for m in ordered if m.remediation)),
        confidence=max((m.confidence for m in ordered), key=lambda c: _CONFIDENCE.get(c, 0)),
        problems=problems,
    )


def _message(owner: Finding, others: list[Finding]) -> str:
    """The owner's message, then `Also in this statement: <problem> (CODE): a; b; …` for the rest."""
    if not others:
        return owner.message
    by_rule: dict[str, list[Finding]] = {}
    for m in others:
        by_rule.setdefault(m.rule_id, []).append(m)
    parts = []
    for code, group in by_rule.items():
        shown = [_short(owner.message, m) for m in group[:_SHOWN]]
        more = f" and {len(group) - _SHOWN} more" if len(group) > _SHOWN else ""
        label = group[0].rule_name.removeprefix("iam-").replace("-", " ")
        parts.append(f"{label} ({code}): {', '.join(shown)}{more}")
    kind = (owner.cause or "").split(":", 1)[0]
    where = {"policy": "this policy", "statements": "these statements"}.get(kind, "this statement")
    head = owner.message if owner.message.endswith(".") else owner.message + "."
    return f"{head} Also in {where}: {'; '.join(parts)}."


def _short(head: str, m: Finding) -> str:
    """What `m` says beyond the subject it shares with the owner's message (`function f: statement S of
    role R allows …`): the part after their common prefix, cut at a word. An escalation by its method."""
    if m.rule_id == "IAM006":
        start = m.message.find("can escalate privileges (")
        if start >= 0:
            name = m.message[start + len("can escalate privileges (") :].split("):", 1)[0]
            return name
    n = 0
    for a, b in zip(head, m.message, strict=False):
        if a != b:
            break
        n += 1
    # a word ends before a space or `: ` (not at the colon inside `lambda:CreateFunction`)
    if 0 < n < len(m.message) and m.message[n - 1] != " " and m.message[n] != " " and m.message[n : n + 2] != ": ":
        n = m.message.rfind(" ", 0, n) + 1
    tail = m.message[n:].lstrip(" :").rstrip(".")
    return tail or m.message
