"""One finding per location and cause, and an attack path shown with its foothold (issue 22).

A pure step of the scan, after the rules (and the suppressions they were marked with) and before
anything reports: `pipeline._scan` calls `merge_findings` once on the scan's findings. Every
reporter then reads the merged form. docs/design-notes.md ("One finding per location and cause")
states the rules; in short:

- Two findings share a **location and a cause** when they concern the same function(s), sit on the
  same file and line (a real line: line > 0), and belong to the same **family**, a set of rules whose
  findings on one line are removed by one change to that line:
  `secret` (SECRET001–SECRET006: one line handling one secret, its value written there and leaked
  there; the value moves to a secret store and the line stops leaking it), `tainted-call` (the CODE
  rules of category injection, CODE001–CODE011, CODE020, CODE023: event data reaching one call; that
  data must not reach that call unchecked), `attack-path` (PATH001–PATH004 at one foothold of one
  function: one sink reached through several path kinds). Findings of different families on one line (a route's AUTH001 and DOS005)
  have different fixes and stay apart. IAM statements are folded earlier, per app
  (`rules.iam.merge`, `Finding.cause`), and are left alone here.
- The merged finding is the owner's, with the worst severity: the owner is the most severe member
  (ties by rule code), and for attack paths the highest-ranked path rule (`PATH_RANK`: not by
  severity, so a weaker entry does not move the finding and its fingerprint to another rule). Its
  message names every other member's rule with what it adds; `merged` keeps every member (owner
  first) with its fingerprint, so baselines and reports can still name each.
- Suppressions were marked on each member by the rules' pass. A member suppressed on purpose (inline,
  config, metadata) is not folded into the active finding: the suppressed members fold into one
  suppressed finding of their own, so an ignore naming one rule drops that rule's part and leaves the
  rest reported. A baseline entry for any member accepts the whole group (a baseline written before
  the merge lists each member; one written after lists the owner, and `merged` fingerprints too).
- An attack path and its **foothold** (the CODE finding at its sink, `Hit.related`) are shown
  together: the active path's `related` names the foothold finding as the report has it, and the
  foothold gets `shown_with` = the path's fingerprint. Table, Markdown and HTML show it inside the
  path only; JSON and SARIF keep it as a finding of its own, so `--select CODE` and baselines see it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from fnaudit.findings import Category, Finding, Merged, Related, TraceStep

SECRET = "secret"
TAINTED_CALL = "tainted-call"
ATTACK_PATH = "attack-path"
# Which path rule owns a sink reached through several kinds of path: code execution with the function's own
# role first, then through a second function, then the database, then the secrets it holds.
PATH_RANK: tuple[str, ...] = ("PATH001", "PATH004", "PATH002", "PATH003")
_CONFIDENCE = {"high": 2, "medium": 1, "low": 0}

_Key = tuple[str, str, tuple[str, ...], tuple[str, ...], str, str, int]


def family(f: Finding) -> str | None:
    """The cause family of a finding, or None when it is never merged with another one here."""
    if f.cause is not None or f.problems:
        return None  # an IAM statement's finding: folded per statement by rules.iam.merge
    if f.category is Category.ATTACK_PATH and f.rule_id.startswith("PATH"):
        return ATTACK_PATH
    if f.category is Category.SECRETS and f.rule_id.startswith("SECRET"):
        return SECRET
    if f.category is Category.INJECTION and f.rule_id.startswith("CODE"):
        return TAINTED_CALL
    return None


def _key(f: Finding) -> _Key | None:
    fam = family(f)
    if fam is None or not f.location.path or f.location.line <= 0:
        return None  # without a line two findings are not known to be about one thing
    return (
        fam,
        f.function_id or "",
        f.function_ids,
        f.functions,
        f.attribution or "",
        f.location.path,
        f.location.line,
    )


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Fold the findings of one location and cause into one, then link attack paths to their footholds.
    The input order is kept (a group sits where its first member was); nothing else changes."""
    items = list(findings)
    groups: dict[_Key, list[tuple[int, Finding]]] = {}
    for i, f in enumerate(items):
        k = _key(f)
        if k is not None:
            groups.setdefault(k, []).append((i, f))
    out: list[Finding] = []
    done: set[_Key] = set()
    for f in items:
        k = _key(f)
        if k is None:
            out.append(f)
        elif k not in done:
            done.add(k)
            out.extend(_fold(groups[k], k[0]))
    return _link_footholds(out)


def _fold(members: list[tuple[int, Finding]], fam: str) -> list[Finding]:
    if len(members) == 1:
        return [members[0][1]]
    baseline = next(
        (f.suppression for _, f in members if f.suppression is not None and f.suppression.kind == "baseline"), None
    )
    if baseline is not None:  # the group was accepted: a baseline names one of its members
        return [replace(_combine(members, fam), suppression=baseline)]
    active = [(i, f) for i, f in members if not f.suppressed]
    muted = [(i, f) for i, f in members if f.suppressed]
    return [_combine(group, fam) for group in (active, muted) if group]


def _owner_order(fam: str, item: tuple[int, Finding]) -> tuple[int, int, str, int]:
    """Attack paths: the highest-ranked rule, then the worst; other families: the worst, then the rule code."""
    i, f = item
    if fam == ATTACK_PATH:
        rank = PATH_RANK.index(f.rule_id) if f.rule_id in PATH_RANK else len(PATH_RANK)
        return (rank, -f.severity.rank, "", i)
    return (0, -f.severity.rank, f.rule_id, i)


def _combine(members: list[tuple[int, Finding]], fam: str) -> Finding:
    if len(members) == 1:
        return members[0][1]
    ordered = [f for _, f in sorted(members, key=lambda item: _owner_order(fam, item))]
    owner, others = ordered[0], ordered[1:]
    merged = tuple(
        Merged(m.rule_id, m.rule_name, m.severity, m.fingerprint, m.location, m.message, m.suppression) for m in ordered
    )
    related = tuple(dict.fromkeys(r for m in ordered for r in m.related))
    if fam == ATTACK_PATH:
        trace = _path_trace(owner, others)
        evidence = "; ".join(dict.fromkeys(m.evidence for m in ordered if m.evidence))
        lead = "Also from this sink:"
    else:
        trace = next((m.trace for m in ordered if m.trace), ())
        evidence = owner.evidence
        lead = "Same line and cause, also reported by"
    return replace(
        owner,
        severity=max((m.severity for m in ordered), key=lambda s: s.rank),
        message=_message(owner, others, lead),
        evidence=evidence,
        trace=trace,
        confidence=max((m.confidence for m in ordered), key=lambda c: _CONFIDENCE.get(c, 0)),
        merged=merged,
        related=related,
    )


def _message(owner: Finding, others: list[Finding], lead: str) -> str:
    """`<owner's message>. <lead> CODE (name): <what it says beyond the owner>; … .`"""
    parts = [f"{m.rule_id} ({m.rule_name}): {_beyond(owner.message, m.message)}" for m in others]
    head = owner.message if owner.message.endswith(".") else owner.message + "."
    return f"{head} {lead} {'; '.join(parts)}."


def _beyond(head: str, message: str) -> str:
    """What `message` says beyond the start it shares with `head` (`function f: attack path: … →`), cut
    at a word so no word is split; the whole message when they share nothing worth cutting."""
    n = 0
    for a, b in zip(head, message, strict=False):
        if a != b:
            break
        n += 1
    if n < len(message) and n and message[n - 1] not in " :→":
        n = max(message.rfind(" ", 0, n), message.rfind(":", 0, n), message.rfind("→", 0, n)) + 1
    tail = message[n:].lstrip(" :→").rstrip(".")
    return tail if len(tail) >= 12 else message.rstrip(".")  # a few characters are no sentence


def _path_trace(owner: Finding, others: list[Finding]) -> tuple[TraceStep, ...]:
    """The owner's steps, then each other path's steps it does not share (its pivot, its reach, another
    entry), named by their rule: one sink's every reach, in one trace."""
    out = list(owner.trace)
    seen = {(s.loc, s.note) for s in out}
    for m in others:
        for s in m.trace:
            if (s.loc, s.note) not in seen:
                seen.add((s.loc, s.note))
                out.append(TraceStep(s.loc, f"{m.rule_id}: {s.note}"))
    return tuple(out)


def _link_footholds(findings: list[Finding]) -> list[Finding]:
    """Each active attack path names its foothold as the report has it (merged or not) in `related`, and
    the foothold names the path in `shown_with`; a suppressed path leaves its foothold shown on its own."""
    where: dict[str, int] = {}
    for i, f in enumerate(findings):
        for fp in (f.fingerprint, *(m.fingerprint for m in f.merged)):
            where.setdefault(fp, i)
    out = list(findings)
    for i, f in enumerate(findings):
        if f.category is not Category.ATTACK_PATH or not f.related:
            continue
        related: list[Related] = []
        for r in f.related:
            j = where.get(r.fingerprint)
            if j is None or out[j].category is Category.ATTACK_PATH:
                related.append(r)  # not in this report (`--select PATH`): named as the path saw it
                continue
            target = out[j]
            related.append(Related(target.rule_id, target.fingerprint, target.location, r.role, target.rule_name))
            if not f.suppressed and target.shown_with is None:
                out[j] = replace(target, shown_with=f.fingerprint)
        out[i] = replace(f, related=tuple(dict.fromkeys(related)))
    return out


def displayed(findings: Iterable[Finding]) -> list[Finding]:
    """The findings a reader's report lists: not a foothold shown inside its attack path."""
    return [f for f in findings if f.shown_with is None]
