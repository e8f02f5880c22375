"""The HTML report: one self-contained page (no network, no CDN, assets inlined) per scan.

A summary (findings by severity and by family, the riskiest functions first), then one card per
function: runtime, triggers and whether each is public / authenticated, role and blast-radius
score, the findings with their code excerpts (already redacted by the scan), and a graph
trigger → function → role → the services and access levels the role reaches
(`fnaudit.report.html_graph`). In-page filters by severity, function and text. The page is
readable offline and can be attached to a ticket; its Content-Security-Policy forbids every
network fetch.

Real apps have dozens of functions, so cards are native `<details>`: collapsed by default (the
summary line keeps the name, risk and counts), the riskiest ones open (`OPEN_CARDS`), and they
open on click, from the ranking table, with "expand all", and when a search or the function
filter matches inside them (`report.js`). `<details>` needs no script, is keyboard accessible and
is opened for printing.

Every string from the scan is untrusted: Jinja autoescapes it, and the environment's `finalize`
hook replaces control and bidi characters (`safe_text.clean`) in every value the templates print.
Remediation text is Markdown, rendered by `safe_text.markdown` (a safe subset, raw HTML off).
Environment values are never rendered (names only, and not even those).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any, TextIO

from markupsafe import Markup

from fnaudit import __version__
from fnaudit.findings import Category, Finding, Severity
from fnaudit.merge import displayed
from fnaudit.report.html_graph import blast_score, graph, reach, trigger_view
from fnaudit.report.options import RenderOptions
from fnaudit.report.safe_text import clean, markdown

if TYPE_CHECKING:
    from jinja2 import Environment

    from fnaudit.model.app import App, Function
    from fnaudit.pipeline import ScanResult

__all__ = ["OPEN_CARDS", "document", "reach", "render", "view"]

# Weights that rank functions: one critical outweighs a handful of lows.
_WEIGHT = {Severity.CRITICAL: 40, Severity.HIGH: 10, Severity.MEDIUM: 3, Severity.LOW: 1, Severity.INFO: 0}
# Cards open when the page loads: the riskiest function, and the next ones with a critical finding,
# this many at most; in an app of more than SMALL_APP functions only the riskiest (an open card of
# a real function is ~2,000 px: three of them are a long page again). The rest are one summary line
# each; a 26-function app was ~100,000 px tall with every card open.
OPEN_CARDS = 3
SMALL_APP = 10
# Findings per card whose code excerpt and data flow are shown open (the card's worst own findings).
LEAD_FINDINGS = 3


def render(result: ScanResult, out: TextIO, options: RenderOptions | None = None) -> None:
    out.write(document(result))


def document(result: ScanResult) -> str:
    template = environment().get_template("report.html.j2")
    return template.render(**view(result), css=asset("report.css"), js=asset("report.js"))


def environment() -> Environment:
    """The Jinja environment of fnaudit's HTML pages (the scan report, the fleet report): templates from the
    package, every value escaped and cleaned of control characters, undefined names an error."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("fnaudit.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )


def _finalize(value: object) -> object:
    """Every `{{ … }}` value: untrusted strings lose their control / bidi characters before
    autoescape; our own markup (assets, the graph, rendered Markdown) is already clean."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean(value)
    return value


def asset(name: str) -> Markup:
    """Our own stylesheet / script, inlined verbatim (they are not user data)."""
    text = resources.files("fnaudit.report").joinpath("templates", name).read_text(encoding="utf-8")
    if "</style" in text.lower() or "</script" in text.lower():
        raise ValueError(f"{name} must not close its own element")
    return Markup(text)


# --- view model -----------------------------------------------------------------------------


@dataclass
class Card:
    anchor: str
    fn: Function
    app: App
    findings: list[dict[str, Any]] = field(default_factory=list)
    score: int = 0
    worst: Severity | None = None
    counts: dict[Severity, int] = field(default_factory=dict)
    open: bool = False  # expanded when the page loads

    @property
    def own(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if not f["shared"]]

    @property
    def shared(self) -> list[dict[str, Any]]:
        """Findings about what the function shares (its role, a package): the same rows on every
        card that shares it, so they sit in one collapsed group below the function's own."""
        return [f for f in self.findings if f["shared"]]

    @property
    def shared_counts(self) -> list[tuple[str, int]]:
        return [
            (s.value, n)
            for s in Severity
            if (n := sum(1 for f in self.shared if f["severity"] == s.value and not f["suppressed"]))
        ]


def view(result: ScanResult) -> dict[str, Any]:
    active = displayed(result.active_findings)  # a foothold is counted once, as part of its attack path
    cards, placed = _cards(result)
    # Whatever no card shows (app-level findings, and any whose function the report does not
    # know) is listed once here, so the page shows every finding the header counts.
    app_level = [_finding(i, f) for i, f in enumerate(result.findings) if i not in placed and not f.attribution]
    # Findings about files no function claims (code, secrets, lockfiles): their own group, like the table's.
    unattributed = [_finding(i, f) for i, f in enumerate(result.findings) if i not in placed and f.attribution]
    sev_counts = [(s, sum(1 for f in active if f.severity is s)) for s in Severity]
    categories = []
    for cat in Category:
        row = [sum(1 for f in active if f.category is cat and f.severity is s) for s in Severity]
        if any(row):
            categories.append((cat.value, row, sum(row)))
    categories.sort(key=lambda c: (-max((i for i, n in enumerate(reversed(c[1])) if n), default=0), -c[2], c[0]))
    app_worst = worst_of(app_level)
    return {
        "version": __version__,
        "target": result.target,
        "date": result.today.isoformat(),
        "stats": result.stats,
        "severities": [s.value for s in Severity],
        "sev_counts": [(s.value, n) for s, n in sev_counts],
        "total_active": len(active),
        "total_suppressed": sum(1 for f in result.findings if f.suppressed),
        "categories": categories,
        "cards": cards,
        "open_cards": sum(1 for c in cards if c.open),
        "functions_count": len(cards),
        "apps": [a.source for a in result.apps],
        "app_level": app_level,
        "app_level_open": app_worst == Severity.CRITICAL.value,
        "app_level_counts": [
            (s.value, n)
            for s in Severity
            if (n := sum(1 for f in app_level if f["severity"] == s.value and not f["suppressed"]))
        ],
        "unattributed": unattributed,
        "unattributed_open": worst_of(unattributed) == Severity.CRITICAL.value,
        "unattributed_counts": [
            (s.value, n)
            for s in Severity
            if (n := sum(1 for f in unattributed if f["severity"] == s.value and not f["suppressed"]))
        ],
        "errors": [(e.stage, e.path or result.target, e.message) for e in result.errors],
        "rules_count": len(result.rules),
        "describe_trigger": trigger_view,
        "blast": blast_score,
        "risk": lambda fn: result.risk.get(fn.id),  # fnaudit.risk: exposure × exploitability × blast radius
        "graph": lambda card: graph(card.fn, card.findings),
        "worst_of": worst_of,
        "sev_enum": Severity,
        "plural": _plural,
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _cards(result: ScanResult) -> tuple[list[Card], set[int]]:
    """The cards, riskiest first, and the indexes (in `result.findings`) of the findings they show."""
    cards: list[Card] = []
    by_id: dict[str, Card] = {}
    by_name: dict[str, list[Card]] = {}
    placed: set[int] = set()
    for app in result.apps:
        for fn in app.functions:
            card = Card(anchor="", fn=fn, app=app)
            cards.append(card)
            by_id[fn.id] = card
            by_name.setdefault(fn.name, []).append(card)
    for i, f in enumerate(result.findings):
        targets: list[Card]
        if f.shown_with is not None:  # a foothold: shown inside its attack path (fnaudit.merge)
            placed.add(i)
            continue
        if f.function_id:
            targets = [by_id[f.function_id]] if f.function_id in by_id else []
        elif f.function_ids:
            # A finding about a shared role (or package): shown on every function it concerns.
            targets = [by_id[fid] for fid in f.function_ids if fid in by_id]
        elif f.functions:  # built without ids (by hand): match names in the same file
            targets = [c for name in f.functions for c in by_name.get(name, []) if c.app.source == f.location.path]
            targets = targets or [c for name in f.functions for c in by_name.get(name, [])]
        else:
            targets = []
        if targets:
            placed.add(i)
        for card in targets:
            card.findings.append(_finding(i, f, shared=not f.function_id))
            if not f.suppressed:
                card.score += _WEIGHT[f.severity]
                card.counts[f.severity] = card.counts.get(f.severity, 0) + 1
                if card.worst is None or f.severity.rank > card.worst.rank:
                    card.worst = f.severity
    cards.sort(
        key=lambda c: (
            -(result.risk[c.fn.id].score if c.fn.id in result.risk else 0.0),  # ranked by risk when computed
            -(c.worst.rank if c.worst else -1),
            -c.score,
            -(blast_score(c.fn) or 0.0),
            c.app.source,
            c.fn.name,
        )
    )
    for n, card in enumerate(cards, 1):
        card.anchor = f"fn-{n}"
        card.findings.sort(key=lambda d: (d["suppressed"], -d["rank"], d["location"], d["rule_id"]))
        _mark_leads(card.findings)
    _open_riskiest(cards)
    return cards, placed


def _mark_leads(findings: list[dict[str, Any]]) -> None:
    """The card's first few high or critical findings of its own show their code and data flow
    open; the others keep them one click away, so an open card stays a readable length."""
    leads = 0
    for f in findings:
        if leads < LEAD_FINDINGS and not f["suppressed"] and not f["shared"] and f["rank"] >= Severity.HIGH.rank:
            f["lead"] = True
            leads += 1


def _open_riskiest(cards: list[Card]) -> None:
    """Open the riskiest card (if it has an active finding) and the next critical ones, up to
    `OPEN_CARDS` (one in a large app): what a reader must see first, while the page stays a list
    of summary lines."""
    opened, limit = 0, OPEN_CARDS if len(cards) <= SMALL_APP else 1
    for n, card in enumerate(cards):
        if opened >= limit:
            break
        if (n == 0 and card.worst is not None) or card.worst is Severity.CRITICAL:
            card.open = True
            opened += 1


def _finding(index: int, f: Finding, shared: bool = False) -> dict[str, Any]:
    return {
        # one id per finding of the scan, the same on every card that shows it: the filters count
        # findings by it (two distinct findings may share a fingerprint, a shared-role one shows twice)
        "fid": f"f{index}",
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "title": f.title,
        "severity": f.severity.value,
        "rank": f.severity.rank,
        "category": f.category.value,
        "message": f.message,
        "location": str(f.location),
        "line": f.location.line,
        "evidence": f.evidence,
        "remediation": f.remediation,
        "remediation_html": markdown(f.remediation),
        "excerpt": list(f.excerpt),
        "trace": [(str(step.loc), step.note) for step in f.trace],
        "confidence": f.confidence,
        "suppressed": f.suppressed,
        "suppression": (f.suppression.kind, f.suppression.reason) if f.suppression else None,
        "shared": shared,
        "functions": list(f.functions),
        "fingerprint": f.fingerprint,
        "attack_path": f.category is Category.ATTACK_PATH,
        # fnaudit.merge: the rules folded into this finding, and an attack path's foothold (shown here only)
        "merged_rules": [(m.rule_id, m.rule_name) for m in f.merged],
        "related": [(r.role, f"{r.rule_id} {r.rule_name}".strip(), str(r.location)) for r in f.related],
        "lead": False,  # set by _mark_leads
    }


def severity_rank(value: str) -> int:
    return Severity(value).rank


def worst_of(findings: Iterable[dict[str, Any]]) -> str:
    ranks = [f["rank"] for f in findings if not f["suppressed"]]
    if not ranks:
        return "none"
    return next(s.value for s in Severity if s.rank == max(ranks))
