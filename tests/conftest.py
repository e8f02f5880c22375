"""Shared test helpers."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

# Fixed scan date for every test: rules that depend on the date (runtime deprecation) stay reproducible.
SCAN_DATE = dt.date(2026, 11, 29)
TESTS = Path(__file__).parent
REPO = TESTS.parent


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the user's cache: each session gets its own folder."""
    os.environ.setdefault("FNAUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("fnaudit-cache")))
    os.environ.pop("FNAUDIT_DB", None)  # the advisory store then lives in that cache folder: empty


@pytest.fixture
def scan_date() -> dt.date:
    return SCAN_DATE


# Fixtures of the reporter and CLI tests: a stand-in rule set and loader over tests/report/fixtures/app.
@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.report.builders import install_fake_rules

    install_fake_rules(monkeypatch)


@pytest.fixture
def fake_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.report.builders import install_fake_loader

    install_fake_loader(monkeypatch)


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    from tests.report.builders import copy_fixture

    return copy_fixture(tmp_path / "app")
