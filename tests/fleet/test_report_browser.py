"""The HTML fleet report in a real browser (headless Chromium driven by Playwright), as tests/report does for the
scan report: the page loads with no console error and no network request, the three charts are drawn, a click on
a column heading sorts the targets table (and a second click reverses it), the filters hide what they should, and
a hostile target name stays text. A screenshot goes to `test-artifacts/` for people to look at.

Runs against Debian's `/usr/bin/chromium`; skips only when it is absent outside CI (`.ci/run` installs it)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fnaudit.fleet.report import render
from tests.fleet.test_report import HOSTILE, fleet_view

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
NAMES = "els => els.filter(e => !e.hidden).map(e => e.dataset.name)"
SHOWN_HOSTILE = '<script>alert("x")</script>&evil\\u202e[red]'  # as the page shows it: the override escaped

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is not installed (.ci/run installs it) and CI is unset", allow_module_level=True)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    path = tmp_path_factory.mktemp("fleet") / "fleet.html"
    with path.open("w", encoding="utf-8") as out:
        render(fleet_view(hostile=True), "html", out)
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=FLAGS, viewport={"width": 1280, "height": 1000}
        )
        pg = context.new_page()
        pg.problems = []
        pg.requests = []
        pg.dialogs = []
        pg.on("console", lambda m: m.type in ("error", "warning") and pg.problems.append(f"{m.type}: {m.text}"))
        pg.on("pageerror", lambda e: pg.problems.append(f"pageerror: {e}"))
        pg.on("request", lambda r: pg.requests.append(r.url))
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
        pg.goto(path.as_uri())
        pg.wait_for_load_state("load")
        yield pg
        context.close()


def test_page_loads_with_charts_and_no_errors(page: Any) -> None:
    assert page.locator("#total-active").inner_text() == "4"
    assert page.locator("#new-count").inner_text() == "3"
    assert page.locator("#fixed-count").inner_text() == "1"
    assert page.locator("#failed-count").inner_text() == "1"
    for kind, bars in (("trend", 4), ("risk", 10), ("rules", 3)):
        svg = page.locator(f"svg.chart.{kind}")
        assert svg.count() == 1
        box = svg.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 60
        assert svg.locator("rect.bar").count() == bars
    fixed = page.locator("svg.chart.trend rect.bar.fixed[data-run='2']")
    assert fixed.get_attribute("data-value") == "1" and float(fixed.get_attribute("height")) > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "fleet-report.png"), full_page=True)
    assert page.problems == [] and page.dialogs == []
    assert all(url.startswith("file://") for url in page.requests), page.requests


def test_hostile_target_name_is_text(page: Any) -> None:
    row = page.locator("#targets tbody tr").nth(3)
    assert row.locator("td.name").inner_text() == SHOWN_HOSTILE
    assert row.get_attribute("data-name") == SHOWN_HOSTILE
    assert HOSTILE not in page.content()
    assert page.locator("img").count() == 0  # the message's <img onerror> is text
    assert page.dialogs == []


def test_sorting_targets_on_click(page: Any) -> None:
    rows = page.locator("#targets tbody tr")
    assert rows.evaluate_all(NAMES) == ["shop-api", "billing", "legacy", SHOWN_HOSTILE]
    heads = page.locator("#targets thead th")
    risk = heads.nth(2)
    risk.locator("button").click()  # numbers: the largest first
    assert rows.evaluate_all(NAMES) == ["shop-api", "billing", SHOWN_HOSTILE, "legacy"]
    assert risk.get_attribute("aria-sort") == "descending"
    risk.locator("button").click()
    assert rows.evaluate_all(NAMES) == ["legacy", SHOWN_HOSTILE, "billing", "shop-api"]
    assert risk.get_attribute("aria-sort") == "ascending"
    name = heads.nth(0)
    name.locator("button").click()  # names: from A
    assert rows.evaluate_all(NAMES) == [SHOWN_HOSTILE, "billing", "legacy", "shop-api"]
    assert name.get_attribute("aria-sort") == "ascending" and risk.get_attribute("aria-sort") is None
    heads.nth(8).locator("button").click()  # Total: 2, 1, 1, 0 (ties by name)
    assert rows.evaluate_all(NAMES) == ["shop-api", SHOWN_HOSTILE, "billing", "legacy"]
    assert page.problems == []


def test_filtering_targets(page: Any) -> None:
    rows = page.locator("#targets tbody tr")
    page.fill("#t-q", "BILL")
    assert rows.evaluate_all(NAMES) == ["billing"]
    assert page.locator("#t-count").inner_text() == "1 of 4 targets shown"
    page.fill("#t-q", "")
    page.select_option("#t-status", "failed")
    assert rows.evaluate_all(NAMES) == ["legacy"]
    assert rows.evaluate_all("els => els.filter(e => e.offsetParent !== null).length") == 1
    page.fill("#t-q", "shop")
    assert rows.evaluate_all(NAMES) == []
    assert page.locator("#t-count").inner_text() == "0 of 4 targets shown"
    page.select_option("#t-status", "")
    page.fill("#t-q", "")
    assert len(rows.evaluate_all(NAMES)) == 4
    assert page.locator("#t-count").inner_text() == "4 of 4 targets shown"
    assert page.problems == []
