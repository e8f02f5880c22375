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


@pytest.fixture
def scan_date() -> dt.date:
    return SCAN_DATE
