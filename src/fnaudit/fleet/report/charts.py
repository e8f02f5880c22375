"""The fleet page's charts, drawn here as inline SVG: no chart library, no script, nothing fetched.

Three charts: new vs fixed findings per run (paired bars, oldest run first), the distribution of target risk
(a histogram of ten bins over 0-100) and the rules with the most active findings (horizontal bars). Each bar has a
`<title>` with its exact numbers, for the tooltip and for screen readers. Labels may come from the scanned
repositories (rule codes do not, but nothing here relies on that): every text is cleaned and XML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from fnaudit.fleet.model import TargetState, TrendPoint
from fnaudit.textsafe import one_line

WIDTH = 560
HEIGHT = 220
_PAD_LEFT = 40
_PAD_BOTTOM = 36
_PAD_TOP = 16
RISK_BINS = 10  # 0-10, 10-20, ..., 90-100
TOP_RULES = 10
MAX_RUN_LABELS = 12  # run numbers under the trend chart


def _t(text: object) -> str:
    return str(escape(one_line(str(text))))


def _svg(kind: str, label: str, body: list[str], height: int = HEIGHT) -> Markup:
    head = (
        f'<svg class="chart {kind}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{_t(label)}"><title>{_t(label)}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _empty(kind: str, label: str) -> Markup:
    return _svg(
        kind, label, [f'<text class="empty" x="{WIDTH // 2}" y="{HEIGHT // 2}" text-anchor="middle">no data</text>']
    )


def _axis(top: int, plot_h: float) -> list[str]:
    """The y axis (0 and the maximum) and the baseline."""
    base = _PAD_TOP + plot_h
    return [
        f'<line class="axis" x1="{_PAD_LEFT}" y1="{base:.1f}" x2="{WIDTH - 8}" y2="{base:.1f}"/>',
        f'<text class="tick" x="{_PAD_LEFT - 6}" y="{base:.1f}" text-anchor="end">0</text>',
        f'<text class="tick" x="{_PAD_LEFT - 6}" y="{_PAD_TOP + 10}" text-anchor="end">{top}</text>',
    ]


def trend(points: Sequence[TrendPoint]) -> Markup:
    """New (red) and fixed (green) findings per run, side by side."""
    label = "New and fixed findings per run"
    if not points:
        return _empty("trend", label)
    top = max(1, *(max(p.new, p.fixed) for p in points))
    plot_h = HEIGHT - _PAD_TOP - _PAD_BOTTOM
    slot = (WIDTH - _PAD_LEFT - 8) / len(points)
    bar = max(2.0, min(24.0, slot * 0.35))
    body = _axis(top, plot_h)
    base = _PAD_TOP + plot_h
    every = -(-len(points) // MAX_RUN_LABELS)
    for i, p in enumerate(points):
        x = _PAD_LEFT + i * slot + slot / 2
        for kind, value, dx in (("new", p.new, -bar), ("fixed", p.fixed, 0.0)):
            h = plot_h * value / top
            body.append(
                f'<rect class="bar {kind}" data-run="{p.run_id}" data-value="{value}" x="{x + dx:.1f}" '
                f'y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}"><title>run #{p.run_id} '
                f"({_t(p.started_at)}): {value} {kind}</title></rect>"
            )
        if i % every == 0 or i == len(points) - 1:  # a year of daily runs: a label per run would overlap
            body.append(f'<text class="tick" x="{x:.1f}" y="{base + 14:.1f}" text-anchor="middle">#{p.run_id}</text>')
    body.append(f'<text class="legend new" x="{_PAD_LEFT}" y="{HEIGHT - 4}">■ new</text>')
    body.append(f'<text class="legend fixed" x="{_PAD_LEFT + 60}" y="{HEIGHT - 4}">■ fixed</text>')
    return _svg("trend", label, body)


def risk_bins(targets: Sequence[TargetState]) -> list[int]:
    """How many targets fall in each tenth of the 0-100 risk scale (100 in the last bin)."""
    bins = [0] * RISK_BINS
    for t in targets:
        i = min(RISK_BINS - 1, max(0, int(t.risk // (100 / RISK_BINS))))
        bins[i] += 1
    return bins


def risk_histogram(targets: Sequence[TargetState]) -> Markup:
    """Targets by their riskiest function's risk."""
    label = "Targets by risk (their riskiest function)"
    if not targets:
        return _empty("risk", label)
    bins = risk_bins(targets)
    top = max(1, *bins)
    plot_h = HEIGHT - _PAD_TOP - _PAD_BOTTOM
    slot = (WIDTH - _PAD_LEFT - 8) / RISK_BINS
    base = _PAD_TOP + plot_h
    body = _axis(top, plot_h)
    step = 100 // RISK_BINS
    for i, n in enumerate(bins):
        h = plot_h * n / top
        x = _PAD_LEFT + i * slot
        body.append(
            f'<rect class="bar bin" data-bin="{i * step}" data-value="{n}" x="{x + 2:.1f}" y="{base - h:.1f}" '
            f'width="{slot - 4:.1f}" height="{h:.1f}"><title>risk {i * step}-{(i + 1) * step}: '
            f"{n} target{'' if n == 1 else 's'}</title></rect>"
        )
        body.append(
            f'<text class="tick" x="{x + slot / 2:.1f}" y="{base + 14:.1f}" text-anchor="middle">{i * step}</text>'
        )
    body.append(f'<text class="legend" x="{_PAD_LEFT}" y="{HEIGHT - 4}">risk (0-100) →</text>')
    return _svg("risk", label, body)


def top_rules(by_rule: Sequence[tuple[str, int]]) -> Markup:
    """The rules with the most active findings, most first."""
    label = "Rules with the most active findings"
    rows = sorted(by_rule, key=lambda r: (-r[1], r[0]))[:TOP_RULES]
    if not rows:
        return _empty("rules", label)
    row_h = 20
    height = _PAD_TOP + row_h * len(rows) + 8
    left = 110
    top = max(1, *(n for _, n in rows))
    width = WIDTH - left - 50
    body: list[str] = []
    for i, (rule, n) in enumerate(rows):
        y = _PAD_TOP + i * row_h
        w = width * n / top
        body.append(
            f'<text class="tick" x="{left - 6}" y="{y + 13}" text-anchor="end">{_t(rule)}</text>'
            f'<rect class="bar rule" data-rule="{_t(rule)}" data-value="{n}" x="{left}" y="{y + 2}" '
            f'width="{w:.1f}" height="{row_h - 6}"><title>{_t(rule)}: {n} active</title></rect>'
            f'<text class="value" x="{left + w + 4:.1f}" y="{y + 13}">{n}</text>'
        )
    return _svg("rules", label, body, height)
