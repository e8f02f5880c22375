"""The HTML report: one self-contained page (no network, no CDN, assets inlined) per scan.

A summary (findings by severity and by family, the riskiest functions first), then one card per
function: runtime, triggers and whether each is public / authenticated, role and blast-radius
score, the findings with their code excerpts (already redacted by the scan), and a graph
trigger → function → role → the resources and access levels the role reaches. In-page filters
by severity, function and text. The page is readable offline and can be attached to a ticket;
its Content-Security-Policy forbids every network fetch.

The graph is inline SVG laid out here, in four layers. The reporter reads the `ScanResult` only:
resources and access levels come from the role's statements in the App model (classified with
the same action table the IAM rules use), the score from `Function.blast_radius` when the IAM
engine computed it. Environment values are never rendered (names only, and not even those).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any, TextIO

from markupsafe import Markup, escape

from fnaudit import __version__
from fnaudit.findings import Category, Finding, Severity
from fnaudit.report.options import RenderOptions

if TYPE_CHECKING:
    from fnaudit.model.app import App, Function, Role, Trigger
    from fnaudit.scan import ScanResult

# Weights that rank functions: one critical outweighs a handful of lows.
_WEIGHT = {Severity.CRITICAL: 40, Severity.HIGH: 10, Severity.MEDIUM: 3, Severity.LOW: 1, Severity.INFO: 0}
_LEVEL_RANK = {"Permissions management": 5, "Write": 4, "Tagging": 3, "Read": 2, "List": 1, "Unknown": 0}
_LEVEL_CLASS = {
    "Permissions management": "perm",
    "Write": "write",
    "Tagging": "tag",
    "Read": "read",
    "List": "list",
    "Unknown": "unknown",
}
MAX_RESOURCES = 9  # graph nodes in the last layer; more are summarised in one node


def render(result: ScanResult, out: TextIO, options: RenderOptions | None = None) -> None:
    out.write(document(result))


def document(result: ScanResult) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("fnaudit.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = env.get_template("report.html.j2")
    return template.render(**view(result), css=_asset("report.css"), js=_asset("report.js"))


def _asset(name: str) -> Markup:
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


def view(result: ScanResult) -> dict[str, Any]:
    active = result.active_findings
    cards = _cards(result)
    shown = {id(c.fn) for c in cards}
    app_level = [_finding(f) for f in result.findings if not f.function_id and not f.functions]
    card_ids = {c.fn.id for c in cards}
    orphans = [_finding(f) for f in result.findings if f.function_id and f.function_id not in card_ids]
    sev_counts = [(s, sum(1 for f in active if f.severity is s)) for s in Severity]
    categories = []
    for cat in Category:
        row = [sum(1 for f in active if f.category is cat and f.severity is s) for s in Severity]
        if any(row):
            categories.append((cat.value, row, sum(row)))
    categories.sort(key=lambda c: (-max((i for i, n in enumerate(reversed(c[1])) if n), default=0), -c[2], c[0]))
    return {
        "version": __version__,
        "target": result.target,
        "date": result.today.isoformat(),
        "stats": result.stats,
        "severities": [s.value for s in Severity],
        "sev_counts": [(s.value, n) for s, n in sev_counts],
        "total_active": len(active),
        "total_suppressed": len(result.findings) - len(active),
        "categories": categories,
        "cards": cards,
        "functions_count": len(shown),
        "apps": [a.source for a in result.apps],
        "app_level": app_level + orphans,
        "errors": [(e.stage, e.path or result.target, e.message) for e in result.errors],
        "rules_count": len(result.rules),
        "describe_trigger": _trigger_view,
        "blast": _blast,
        "risk": lambda fn: result.risk.get(fn.id),  # fnaudit.risk: exposure × exploitability × blast radius
        "graph": graph,
        "worst_of": worst_of,
        "sev_enum": Severity,
    }


def _cards(result: ScanResult) -> list[Card]:
    cards: list[Card] = []
    by_id: dict[str, Card] = {}
    by_name: dict[str, list[Card]] = {}
    for app in result.apps:
        for fn in app.functions:
            card = Card(anchor="", fn=fn, app=app)
            cards.append(card)
            by_id[fn.id] = card
            by_name.setdefault(fn.name, []).append(card)
    for f in result.findings:
        targets: list[Card]
        if f.function_id and f.function_id in by_id:
            targets = [by_id[f.function_id]]
        elif not f.function_id and f.function_ids:
            # A finding about a shared role (or package): shown on every function it concerns.
            targets = [by_id[i] for i in f.function_ids if i in by_id]
        elif not f.function_id and f.functions:  # built without ids (by hand): match names in the same file
            targets = [c for name in f.functions for c in by_name.get(name, []) if c.app.source == f.location.path]
            targets = targets or [c for name in f.functions for c in by_name.get(name, [])]
        else:
            continue
        for card in targets:
            card.findings.append(_finding(f, shared=not f.function_id))
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
            -(_blast(c.fn) or 0.0),
            c.app.source,
            c.fn.name,
        )
    )
    for i, card in enumerate(cards, 1):
        card.anchor = f"fn-{i}"
        card.findings.sort(key=lambda d: (d["suppressed"], -d["rank"], d["location"], d["rule_id"]))
    return cards


def _finding(f: Finding, shared: bool = False) -> dict[str, Any]:
    return {
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
        "excerpt": list(f.excerpt),
        "trace": [(str(step.loc), step.note) for step in f.trace],
        "confidence": f.confidence,
        "suppressed": f.suppressed,
        "suppression": (f.suppression.kind, f.suppression.reason) if f.suppression else None,
        "shared": shared,
        "functions": list(f.functions),
        "fingerprint": f.fingerprint,
        "attack_path": f.category is Category.ATTACK_PATH,
    }


def _blast(fn: Function) -> float | None:
    """The IAM engine's blast-radius score; None while it is not computed."""
    br = getattr(fn, "blast_radius", None)
    score = getattr(br, "score", None) if br is not None else None
    return float(score) if isinstance(score, int | float) else None


def _trigger_view(t: Trigger) -> dict[str, Any]:
    auth = t.authorizer.kind.value
    if t.public and not t.is_authenticated:
        exposure, cls = "public · no auth" + (" (API key only)" if auth == "api_key" else ""), "open"
    elif t.public:
        exposure, cls = f"public · {auth}", "authn"
    else:
        exposure, cls = "private", "private"
    return {"label": t.describe, "exposure": exposure, "cls": cls, "location": str(t.loc)}


# --- the graph ------------------------------------------------------------------------------

NODE_W, NODE_H, ROW, GAP, PAD = 196, 46, 58, 74, 14


@dataclass
class _Node:
    col: int
    label: str
    sub: str
    cls: str
    title: str
    y: float = 0.0

    @property
    def x(self) -> float:
        return PAD + self.col * (NODE_W + GAP)


def reach(role: Role | None, fn: Function | None = None) -> list[tuple[str, str, list[str]]]:
    """(service, resource, access levels worst first) pairs the function can reach: from the IAM
    engine's effective grants when it computed them, else from the role's Allow statements."""
    if role is None:
        return []
    try:
        from fnaudit.rules.iam._actions import access_level, split
    except ImportError:  # the action table moved: show the services without levels

        def access_level(action: str) -> str:
            return "Unknown"

        def split(action: str) -> tuple[str, str]:
            service, _, name = action.partition(":")
            return service.lower(), name or service

    granted: dict[tuple[str, str], set[str]] = {}
    grants = getattr(getattr(fn, "permissions", None), "grants", None)
    if grants:
        for g in grants:
            target = g.resource_ref or _short_resource(g.resource_text or g.resource)
            for action in sorted(g.actions):
                service = split(action)[0]
                granted.setdefault((service, target), set()).add(access_level(action))
        return _sorted_reach(granted)
    for st in role.allow_statements():
        # NotAction grants every action but a few: shown as the worst case, on every service.
        actions = st.actions or (("*",) if st.not_actions else ())
        if st.resources:
            res: tuple[str, ...] = st.resources
        elif st.not_resources:
            res = ("everything but " + ", ".join(st.not_resources),)
        else:
            res = ("*",)
        for action in actions:
            if action.strip() in ("*", "*:*"):
                service, level = "*", "Permissions management"
            else:
                service, level = split(action)[0], access_level(action)
            for r in res or ("*",):
                granted.setdefault((service, _short_resource(r)), set()).add(level)
    for mp in role.managed_policies:
        if not mp.statements:
            granted.setdefault(("managed policy", mp.name), set()).add("Unknown")
    return _sorted_reach(granted)


def _sorted_reach(granted: dict[tuple[str, str], set[str]]) -> list[tuple[str, str, list[str]]]:
    out = [(svc, r, sorted(levels, key=lambda lv: -_LEVEL_RANK.get(lv, 0))) for (svc, r), levels in granted.items()]
    out.sort(key=lambda x: (-_LEVEL_RANK.get(x[2][0], 0), x[0], x[1]))
    return out


def _short_resource(r: str) -> str:
    r = r.strip()
    if r in ("*", "arn:aws:*:*:*:*"):
        return "* (every resource)"
    for prefix in ("!GetAtt ", "!Ref ", "!Sub "):
        if r.startswith(prefix):
            r = r[len(prefix):]
            return r[:-4] if r.endswith(".Arn") else r
    if r.startswith("arn:"):
        tail = r.split(":", 5)[-1]
        return tail or r
    return r


def graph(card: Card) -> Markup:
    """The card's SVG: triggers | function | role | resources with their access levels."""
    fn = card.fn
    highlight = any(f["attack_path"] and not f["suppressed"] for f in card.findings)
    hot_kinds, hot_services, hot_escalation = _path_steps(card, fn)
    triggers = [_trigger_view(t) for t in fn.triggers]
    col0 = [_Node(0, t["label"], t["exposure"], f"trigger {t['cls']}", f"{t['label']} ({t['exposure']})") for t in triggers]
    if not col0:
        col0 = [_Node(0, "no trigger", "invoked directly only", "trigger private", "no event source in the IaC")]
    runtime = fn.runtime.value if fn.runtime.is_set and fn.runtime.value else "runtime not set"
    col1 = [_Node(1, fn.name, str(runtime), "function", f"{fn.name} ({runtime})")]
    role = fn.role
    if role is None:
        col2 = [_Node(2, "no role known", "", "role unknown", "the IaC names no execution role")]
    else:
        shared = f"shared with {len(fn.role_shared_with)}" if fn.role_shared_with else "own role"
        score = _blast(fn)
        sub = shared + (f" · blast {score:g}" if score is not None else "")
        col2 = [_Node(2, role.id, sub, "role" + (" external" if role.external else ""), role.id)]
    granted = reach(role, fn)
    col3 = [
        _Node(3, f"{svc} · {res}", ", ".join(levels), f"res {_LEVEL_CLASS.get(levels[0], 'unknown')}", f"{svc} on {res}: {', '.join(levels)}")
        for svc, res, levels in granted[:MAX_RESOURCES]
    ]
    br = getattr(fn, "blast_radius", None)
    for method in getattr(br, "escalation", ())[:3]:
        col3.append(_Node(3, f"escalation · {method}", "Permissions management", "res perm", f"privilege escalation: {method}"))
    if len(granted) > MAX_RESOURCES:
        rest = len(granted) - MAX_RESOURCES
        col3.append(_Node(3, f"+{rest} more", "see the role's statements", "res unknown", f"{rest} more resources"))
    if role is not None and role.external and not col3:
        col3 = [_Node(3, "unknown", "role defined outside the app", "res unknown", "external role: statements unknown")]
    columns = [col0, col1, col2, col3]
    rows = max(len(c) for c in columns)
    height = PAD * 2 + (rows - 1) * ROW + NODE_H + 16
    for col in columns:
        top = PAD + 16 + ((rows - len(col)) * ROW) / 2
        for i, node in enumerate(col):
            node.y = top + i * ROW
    width = PAD * 2 + 4 * NODE_W + 3 * GAP
    parts: list[str] = [
        f'<svg class="graph" viewBox="0 0 {width} {height:g}" width="{width}" height="{height:g}" '
        f'role="img" aria-label="{escape("graph of " + fn.name)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, heading in enumerate(("triggers", "function", "execution role", "reaches (access level)")):
        parts.append(f'<text class="col-head" x="{PAD + i * (NODE_W + GAP)}" y="{PAD}">{escape(heading)}</text>')
    # edges first, so nodes are drawn over their ends
    for node, t in zip(col0, fn.triggers or [None] * len(col0)):
        hot = highlight and t is not None and t.public and (not hot_kinds or t.kind.value in hot_kinds or "*" in hot_kinds)
        parts.append(_edge(node, col1[0], "edge" + (" hl" if hot else "") + ("" if t is None or t.public else " quiet")))
    parts.append(_edge(col1[0], col2[0], "edge" + (" hl" if highlight else "")))
    for node in col3:
        level_cls = node.cls.split()[-1]
        svc = node.label.split(" · ", 1)[0]
        if hot_services or hot_escalation:  # follow the path's reach steps
            hot = highlight and ((svc in hot_services and level_cls in ("write", "perm", "read"))
                                 or (svc == "escalation" and hot_escalation))
        else:
            hot = highlight and level_cls in ("write", "perm")
        parts.append(_edge(col2[0], node, f"edge lvl-{level_cls}" + (" hl" if hot else "")))
    for col in columns:
        for node in col:
            parts.append(_node(node))
    parts.append("</svg>")
    return Markup("".join(parts))


_ENTRY_KINDS = {"function-url": ("url",), "public-route": ("api", "httpApi", "alb"), "public-invoke": ("*",),
                "public-bucket": ("s3",), "public-topic": ("sns",), "authenticated-route": ("api", "httpApi", "alb", "url")}


def _path_steps(card: Card, fn: Function) -> tuple[set[str], set[str], bool]:
    """From the card's unsuppressed attack-path findings: the trigger kinds of their entries, the
    services their reach steps name (`reach: … (Allow s3:PutObject on *)`), and whether one goes
    through escalation or administrator access. Empty when the findings carry no steps."""
    kinds: set[str] = set()
    services: set[str] = set()
    escalation = False
    for f in card.findings:
        if not f["attack_path"] or f["suppressed"] or f["shared"]:
            continue
        entry = f["evidence"].split(" → ", 1)[0].strip()
        kinds.update(_ENTRY_KINDS.get(entry, ()))
        for _, note in f["trace"]:
            if not note.startswith("reach: "):
                continue
            escalation = escalation or "administrator" in note or "escalat" in note or "more permissions" in note
            services.update(m.lower() for m in re.findall(r"\b([a-z0-9-]+):[A-Za-z*]", note.split("(", 1)[-1]))
    return kinds, services, escalation


def _edge(a: _Node, b: _Node, cls: str) -> str:
    x1, y1 = a.x + NODE_W, a.y + NODE_H / 2
    x2, y2 = b.x, b.y + NODE_H / 2
    mid = (x1 + x2) / 2
    return f'<path class="{escape(cls)}" d="M{x1:g},{y1:g} C{mid:g},{y1:g} {mid:g},{y2:g} {x2:g},{y2:g}"/>'


def _node(n: _Node) -> str:
    label, sub = _cut(n.label, 27), _cut(n.sub, 31)
    return (
        f'<g class="node {escape(n.cls)}" transform="translate({n.x:g},{n.y:g})">'
        f"<title>{escape(n.title)}</title>"
        f'<rect width="{NODE_W}" height="{NODE_H}" rx="8"/>'
        f'<text class="label" x="12" y="19">{escape(label)}</text>'
        f'<text class="sub" x="12" y="35">{escape(sub)}</text>'
        "</g>"
    )


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def severity_rank(value: str) -> int:
    return Severity(value).rank


def worst_of(findings: Iterable[dict[str, Any]]) -> str:
    ranks = [f["rank"] for f in findings if not f["suppressed"]]
    if not ranks:
        return "none"
    return next(s.value for s in Severity if s.rank == max(ranks))
