"""Shared test helpers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

# Fixed scan date for every test: rules that depend on the date (runtime deprecation) stay reproducible.
SCAN_DATE = dt.date(2026, 11, 29)
TESTS = Path(__file__).parent
REPO = TESTS.parent


@pytest.fixture
def scan_date() -> dt.date:
    return SCAN_DATE
