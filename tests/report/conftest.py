"""Fixtures for reporter tests: a registry of hand-built rules and a loader stand-in (see builders.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.builders import copy_fixture, install_fake_loader, install_fake_rules


@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    install_fake_rules(monkeypatch)


@pytest.fixture
def fake_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    install_fake_loader(monkeypatch)


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path / "app")
