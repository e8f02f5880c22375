"""The per-function graph of the HTML report: inline SVG, laid out here, in four columns.

    triggers  →  function  →  execution role  →  services the role reaches (access levels)

A role may reach hundreds of resources (an administrator reaches 400+ services), so the last
column has one node per *service*, not per resource: its visible label is short (`s3 · 5
resources`), its colour the worst access level, its subtitle the levels; the full resource names
and each one's levels are in the node's `<title>` (shown on hover and read by screen readers).
Grants of every action (`*`, `NotAction`) are one "every action" node rather than a node per
service. Each column is capped (`MAX_TRIGGERS`, `MAX_SERVICES`); what is left over becomes one
"+N more" node whose `<title>` lists it, so the graph stays readable and bounded for any role.

The reporter reads the `ScanResult` only: services, resources and access levels are the IAM engine's
(`EffectivePermissions.access`, computed before reporting); when no selected rule needed the IAM
engine, the last column says the reach was not computed rather than guessing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from fnaudit.model.permissions import EVERY_SERVICE, ResourceAccess
from fnaudit.report.safe_text import clean

if TYPE_CHECKING:
    from fnaudit.model.app import Function, Trigger

LEVEL_RANK = {"Permissions management": 5, "Write": 4, "Tagging": 3, "Read": 2, "List": 1, "Unknown": 0}
LEVEL_CLASS = {
    "Permissions management": "perm",
    "Write": "write",
    "Tagging": "tag",
    "Read": "read",
    "List": "list",
    "Unknown": "unknown",
}
MAX_TRIGGERS = 8  # trigger nodes; more are summarised in one node
MAX_SERVICES = 10  # service nodes in the last column; more are summarised in one node
MAX_ESCALATIONS = 3

NODE_W, NODE_H, ROW, GAP, PAD = 196, 46, 58, 74, 14


@dataclass(frozen=True, slots=True)
class ServiceReach:
    """What the role reaches in one service: each resource (as written) with its access levels."""

    service: str
    levels: tuple[str, ...]  # worst first, over every resource
    resources: tuple[tuple[str, tuple[str, ...]], ...]  # (full resource text, levels worst first)


# --- what the role reaches ------------------------------------------------------------------


def _granted(fn: Function) -> list[ResourceAccess]:
    """The IAM engine's access per resource; empty when it did not run (`computed` tells which)."""
    return list(fn.permissions.access) if fn.permissions is not None else []


def computed(fn: Function) -> bool:
    """Whether the IAM engine computed the function's reach (it runs when a selected rule needs it)."""
    return fn.role is None or fn.permissions is not None


def _worst_first(levels: set[str] | Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(set(levels), key=lambda lv: (-LEVEL_RANK.get(lv, 0), lv)))


def reach(fn: Function) -> list[tuple[str, str, list[str]]]:
    """(service, short resource, access levels worst first) the function can reach, worst first."""
    short: dict[tuple[str, str], set[str]] = {}
    for a in _granted(fn):
        short.setdefault((a.service, short_resource(a.resource)), set()).update(a.levels)
    out = [(svc, r, list(_worst_first(levels))) for (svc, r), levels in short.items()]
    out.sort(key=lambda x: (-LEVEL_RANK.get(x[2][0], 0), x[0], x[1]))
    return out


def services(fn: Function) -> list[ServiceReach]:
    """The role's reach grouped by service, worst access level first, then by name."""
    by_service: dict[str, dict[str, set[str]]] = {}
    for a in _granted(fn):
        by_service.setdefault(a.service, {}).setdefault(a.resource, set()).update(a.levels)
    out = []
    for svc, resources in by_service.items():
        every = set().union(*resources.values())
        rows = tuple(
            sorted(
                ((r, _worst_first(lv)) for r, lv in resources.items()),
                key=lambda x: (-LEVEL_RANK.get(x[1][0], 0), x[0]),
            )
        )
        out.append(ServiceReach(svc, _worst_first(every), rows))
    out.sort(key=lambda s: (-LEVEL_RANK.get(s.levels[0], 0), s.service != EVERY_SERVICE, s.service))
    return out


def short_resource(r: str) -> str:
    r = r.strip()
    if r in ("*", "arn:aws:*:*:*:*"):
        return "* (every resource)"
    for prefix in ("!GetAtt ", "!Ref ", "!Sub "):
        if r.startswith(prefix):
            r = r[len(prefix) :]
            return r.removesuffix(".Arn")
    if r.startswith("arn:"):
        tail = r.split(":", 5)[-1]
        return tail or r
    return r


# --- layout ---------------------------------------------------------------------------------


@dataclass
class _Node:
    col: int
    label: str
    sub: str
    cls: str
    title: str
    service: str = ""  # last column: the service it stands for ("escalation" for escalation nodes)
    y: float = 0.0

    @property
    def x(self) -> float:
        return PAD + self.col * (NODE_W + GAP)

    @property
    def level(self) -> str:
        return self.cls.split()[-1]


_SHORT_LEVEL = {
    "Permissions management": "perm",
    "Write": "write",
    "Tagging": "tag",
    "Read": "read",
    "List": "list",
    "Unknown": "?",
}


def trigger_view(t: Trigger) -> dict[str, Any]:
    auth = t.authorizer.kind.value
    if t.public and not t.is_authenticated:
        exposure, cls = "public · no auth" + (" (API key only)" if auth == "api_key" else ""), "open"
    elif t.public:
        exposure, cls = f"public · {auth}", "authn"
    else:
        exposure, cls = "private", "private"
    return {"label": t.describe, "kind": t.kind.value, "exposure": exposure, "cls": cls, "location": str(t.loc)}


def blast_score(fn: Function) -> float | None:
    """The IAM engine's blast-radius score; None while it is not computed."""
    br = getattr(fn, "blast_radius", None)
    score = getattr(br, "score", None) if br is not None else None
    return float(score) if isinstance(score, int | float) else None


def _service_node(s: ServiceReach) -> _Node:
    name = "every action" if s.service == EVERY_SERVICE else s.service
    if len(s.resources) == 1 and s.service == EVERY_SERVICE and s.resources[0][0].strip() in ("*", "arn:aws:*:*:*:*"):
        label = "every action on *"
    elif len(s.resources) == 1:
        label = f"{name} · {short_resource(s.resources[0][0])}"
    else:
        label = f"{name} · {len(s.resources)} resources"
    sub = "/".join(_SHORT_LEVEL.get(lv, lv) for lv in s.levels)  # "perm/write/tag/read/list" fits a node
    if len(s.resources) == 1:
        lines = [f"{name} on {s.resources[0][0]}: {', '.join(s.levels)}"]
    else:
        lines = [f"{name} on {len(s.resources)} resources: {', '.join(s.levels)}"]
        lines += [f"  {res} — {', '.join(levels)}" for res, levels in s.resources]
    return _Node(3, label, sub, f"res {LEVEL_CLASS.get(s.levels[0], 'unknown')}", "\n".join(lines), s.service)


def _trigger_column(fn: Function) -> list[_Node]:
    views = [trigger_view(t) for t in fn.triggers]
    # the label starts with the trigger kind (`httpApi GET /x`, `sqs arn:…`); the colour is its exposure
    col = [
        _Node(0, v["label"], v["exposure"], f"trigger {v['cls']}", f"{v['label']} ({v['exposure']}) at {v['location']}")
        for v in views[:MAX_TRIGGERS]
    ]
    if len(views) > MAX_TRIGGERS:
        rest = views[MAX_TRIGGERS:]
        worst = next((c for c in ("open", "authn") if any(v["cls"] == c for v in rest)), "private")
        col.append(
            _Node(
                0,
                f"+{len(rest)} more triggers",
                "listed in the card",
                f"trigger {worst}",
                "\n".join(f"{v['label']} ({v['exposure']})" for v in rest),
            )
        )
    return col or [_Node(0, "no trigger", "invoked directly only", "trigger private", "no event source in the IaC")]


def _role_node(fn: Function) -> _Node:
    role = fn.role
    if role is None:
        return _Node(2, "no role known", "", "role unknown", "the IaC names no execution role")
    shared = f"shared with {len(fn.role_shared_with)}" if fn.role_shared_with else "own role"
    score = blast_score(fn)
    sub = shared + (f" · blast {score:g}" if score is not None else "")
    title = role.id + (f"\nshared with {', '.join(fn.role_shared_with)}" if fn.role_shared_with else "")
    return _Node(2, role.id, sub, "role" + (" external" if role.external else ""), title)


def _reach_column(fn: Function) -> list[_Node]:
    if not computed(fn):
        return [
            _Node(
                3,
                "reach not computed",
                "no IAM rule selected",
                "res unknown",
                "what the role reaches is computed by the IAM engine, which runs when an IAM rule is selected",
                "not-computed",
            )
        ]
    reached = services(fn)
    col = [_service_node(s) for s in reached[:MAX_SERVICES]]
    methods = tuple(getattr(getattr(fn, "blast_radius", None), "escalation", ()))
    for method in methods[:MAX_ESCALATIONS]:
        col.append(
            _Node(
                3,
                f"escalation · {method}",
                "permissions management",
                "res perm",
                f"privilege escalation: {method}",
                "escalation",
            )
        )
    if len(methods) > MAX_ESCALATIONS:
        more = methods[MAX_ESCALATIONS:]
        col.append(
            _Node(
                3,
                f"+{len(more)} more escalations",
                "permissions management",
                "res perm",
                "privilege escalation:\n" + "\n".join(f"  {m}" for m in more),
                "escalation",
            )
        )
    if len(reached) > MAX_SERVICES:
        rest = reached[MAX_SERVICES:]
        title = "\n".join(f"{s.service}: {', '.join(s.levels)} on {len(s.resources)} resource(s)" for s in rest)
        col.append(
            _Node(
                3,
                f"+{len(rest)} more services",
                "see the role's statements",
                f"res {LEVEL_CLASS.get(rest[0].levels[0], 'unknown')}",
                title,
                "+more",
            )
        )
    if fn.role is not None and fn.role.external and not col:
        col = [_Node(3, "unknown", "role defined outside the app", "res unknown", "external role: statements unknown")]
    return col


def graph(fn: Function, findings: Sequence[Mapping[str, Any]]) -> Markup:
    """The function's SVG: triggers | function | role | services with their access levels."""
    highlight = any(f["attack_path"] and not f["suppressed"] for f in findings)
    hot_kinds, hot_services, hot_escalation = _path_steps(findings)
    col0 = _trigger_column(fn)
    runtime = fn.runtime.value if fn.runtime.is_set and fn.runtime.value else "runtime not set"
    col1 = [_Node(1, fn.name, str(runtime), "function", f"{fn.name} ({runtime}) at {fn.loc}")]
    col2 = [_role_node(fn)]
    col3 = _reach_column(fn)
    columns = [col0, col1, col2, col3]
    rows = max(len(c) for c in columns)
    height = PAD * 2 + (rows - 1) * ROW + NODE_H + 16
    for col in columns:
        top = PAD + 16 + ((rows - len(col)) * ROW) / 2
        for i, node in enumerate(col):
            node.y = top + i * ROW
    width = PAD * 2 + 4 * NODE_W + 3 * GAP
    parts: list[str] = [
        (
            f'<svg class="graph" viewBox="0 0 {width} {height:g}" width="{width}" height="{height:g}" '
            f'role="img" aria-label="{escape(clean("graph of " + fn.name))}" xmlns="http://www.w3.org/2000/svg">'
        )
    ]
    for i, heading in enumerate(("triggers", "function", "execution role", "reaches (access level)")):
        parts.append(f'<text class="col-head" x="{PAD + i * (NODE_W + GAP)}" y="{PAD}">{escape(heading)}</text>')
    # edges first, so nodes are drawn over their ends
    shown: list[Trigger | None] = list(fn.triggers[:MAX_TRIGGERS])
    for node, t in zip(col0, shown + [None] * (len(col0) - len(shown)), strict=True):  # None: "+N more" / "no trigger"
        hot = (
            highlight
            and t is not None
            and t.public
            and (not hot_kinds or t.kind.value in hot_kinds or "*" in hot_kinds)
        )
        parts.append(
            _edge(node, col1[0], "edge" + (" hl" if hot else "") + ("" if t is None or t.public else " quiet"))
        )
    parts.append(_edge(col1[0], col2[0], "edge" + (" hl" if highlight else "")))
    for node in col3:
        if hot_services or hot_escalation:  # follow the path's reach steps
            hot = highlight and (
                (
                    node.level in ("write", "perm", "read")
                    and (node.service in hot_services or node.service == EVERY_SERVICE)
                )
                or (node.service == "escalation" and hot_escalation)
            )
        else:
            hot = highlight and node.level in ("write", "perm")
        parts.append(_edge(col2[0], node, f"edge lvl-{node.level}" + (" hl" if hot else "")))
    for col in columns:
        for node in col:
            parts.append(_node(node))
    parts.append("</svg>")
    return Markup("".join(parts))


_ENTRY_KINDS = {
    "function-url": ("url",),
    "public-route": ("api", "httpApi", "alb"),
    "public-invoke": ("*",),
    "public-bucket": ("s3",),
    "public-topic": ("sns",),
    "authenticated-route": ("api", "httpApi", "alb", "url"),
}


def _path_steps(findings: Sequence[Mapping[str, Any]]) -> tuple[set[str], set[str], bool]:
    """From the card's unsuppressed attack-path findings: the trigger kinds of their entries, the
    services their reach steps name (`reach: … (Allow s3:PutObject on *)`), and whether one goes
    through escalation or administrator access. Empty when the findings carry no steps."""
    kinds: set[str] = set()
    found: set[str] = set()
    escalation = False
    for f in findings:
        if not f["attack_path"] or f["suppressed"] or f["shared"]:
            continue
        entry = f["evidence"].split(" → ", 1)[0].strip()
        kinds.update(_ENTRY_KINDS.get(entry, ()))
        for _, note in f["trace"]:
            if not note.startswith("reach: "):
                continue
            escalation = escalation or "administrator" in note or "escalat" in note or "more permissions" in note
            found.update(m.lower() for m in re.findall(r"\b([a-z0-9-]+):[A-Za-z*]", note.split("(", 1)[-1]))
    return kinds, found, escalation


def _edge(a: _Node, b: _Node, cls: str) -> str:
    x1, y1 = a.x + NODE_W, a.y + NODE_H / 2
    x2, y2 = b.x, b.y + NODE_H / 2
    mid = (x1 + x2) / 2
    return f'<path class="{escape(cls)}" d="M{x1:g},{y1:g} C{mid:g},{y1:g} {mid:g},{y2:g} {x2:g},{y2:g}"/>'


def _node(n: _Node) -> str:
    label, sub = _cut(clean(n.label), 27), _cut(clean(n.sub), 31)
    return (
        f'<g class="node {escape(n.cls)}" transform="translate({n.x:g},{n.y:g})"'
        + (f' data-service="{escape(clean(n.service))}"' if n.service else "")
        + f"><title>{escape(clean(n.title))}</title>"
        f'<rect width="{NODE_W}" height="{NODE_H}" rx="8"/>'
        f'<text class="label" x="12" y="19">{escape(label)}</text>'
        f'<text class="sub" x="12" y="35">{escape(sub)}</text>'
        "</g>"
    )


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
