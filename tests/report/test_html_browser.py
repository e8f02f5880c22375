"""The HTML report of the example app in a real browser: headless Chromium driven by Playwright.

Checks that every function has a card, that the graphs render as SVG with their nodes, that the
filters hide what they should, that the page logs no console error and makes no network request,
and saves a screenshot to `test-artifacts/html-report.png` for people to look at.

Runs against Debian's `/usr/bin/chromium` (Playwright's own browser download does not work on
these machines). Skips only when that browser is absent outside CI; in CI (`CI` set) a missing
browser is a failure, since `.ci/run` installs it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fnaudit.config import Config
from fnaudit.report import Format, render
from fnaudit.scan import ScanResult, scan

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "shop-api"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(
        f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it) and CI is unset",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def result() -> ScanResult:
    import datetime as dt

    return scan(EXAMPLE, Config(today=dt.date(2026, 11, 29)))


@pytest.fixture(scope="module")
def report(result: ScanResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    with path.open("w", encoding="utf-8") as out:
        render(result, Format.HTML, out)
    return path


@pytest.fixture(scope="module")
def page(report: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package"
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        # Playwright passes the empty profile folder as --user-data-dir itself.
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=FLAGS, viewport={"width": 1280, "height": 1000}
        )
        pg = context.new_page()
        pg.problems = []  # type: ignore[attr-defined]
        pg.requests = []  # type: ignore[attr-defined]
        pg.on("console", lambda m: m.type in ("error", "warning") and pg.problems.append(f"{m.type}: {m.text}"))
        pg.on("pageerror", lambda e: pg.problems.append(f"pageerror: {e}"))
        pg.on("request", lambda r: pg.requests.append(r.url))
        pg.goto(report.as_uri())
        pg.wait_for_load_state("load")
        yield pg
        context.close()


def test_cards_and_graphs_render(page: Any, result: ScanResult) -> None:
    names = sorted(fn.name for fn in result.functions)
    cards = page.locator("article.card")
    assert cards.count() == len(names) == 6
    assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.fn)")) == names
    for i in range(cards.count()):
        card = cards.nth(i)
        svg = card.locator("svg.graph")
        assert svg.count() == 1
        box = svg.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 60
        assert card.locator("svg.graph g.node.function").count() == 1
        assert card.locator("svg.graph g.node.trigger").count() >= 1
        assert card.locator("svg.graph g.node.role").count() == 1
        assert card.locator("svg.graph path.edge").count() >= 2
    admin = page.locator("article.card[data-fn=adminReport]")
    assert admin.locator("svg.graph g.node.trigger.open").count() == 1  # its URL is public with no auth
    assert admin.locator("svg.graph g.node.res").count() >= 3  # dynamodb, s3, sqs
    # the riskiest function comes first (fnaudit.risk: exposure × exploitability × blast radius)
    risks = [float(r) for r in cards.evaluate_all("els => els.map(e => e.dataset.risk)")]
    assert risks == sorted(risks, reverse=True)
    ranks = cards.evaluate_all("els => els.map(e => e.dataset.worst)")
    assert ranks[0] in ("critical", "high")
    assert cards.nth(0).get_attribute("data-fn") == "adminReport"


def test_secret_is_not_in_the_page(page: Any) -> None:
    html = page.content()
    assert "sk_live_51HxQ7wR2nT5vYb8KcPzL0aMd3GfJ9uXe4Rk2" not in html
    assert "sk_l…(45 chars)" in html


def test_filters(page: Any) -> None:
    visible = "els => els.filter(e => e.offsetParent !== null).length"
    all_rows = page.locator("li.finding").evaluate_all(visible)
    page.select_option("#f-sev", "high")
    rows = page.locator("li.finding")
    shown = rows.evaluate_all("els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.sev)")
    assert shown and set(shown) <= {"critical", "high"} and "high" in shown
    hidden = rows.evaluate_all("els => els.filter(e => e.offsetParent === null).map(e => e.dataset.sev)")
    assert {"medium", "low"} <= set(hidden)
    cards = page.locator("article.card")
    shown_cards = cards.evaluate_all("els => els.filter(e => !e.hidden).map(e => e.dataset.worst)")
    assert shown_cards and set(shown_cards) <= {"critical", "high"}
    assert len(shown_cards) < cards.count()  # listOrders and createOrder have nothing high
    ranking = page.locator("#ranking .rank-row").evaluate_all("els => els.filter(e => !e.hidden).length")
    assert ranking == len(shown_cards)

    page.select_option("#f-sev", "all")
    page.select_option("#f-fn", "getOrder")
    shown_cards = cards.evaluate_all("els => els.filter(e => !e.hidden).map(e => e.dataset.fn)")
    assert shown_cards == ["getOrder"]

    page.select_option("#f-fn", "")
    page.fill("#f-q", "AUTH001")
    assert page.locator("li.finding").evaluate_all(visible) == 1
    page.fill("#f-q", "")
    assert page.locator("li.finding").evaluate_all(visible) == all_rows


def test_no_console_errors_no_network_and_screenshot(page: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "html-report.png"), full_page=True)
    assert (ARTIFACTS / "html-report.png").stat().st_size > 10_000
    assert page.problems == []
    assert all(url.startswith("file://") for url in page.requests), page.requests
