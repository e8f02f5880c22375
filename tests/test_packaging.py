"""The package is typed for its users (PEP 561): `py.typed` ships in the installed package and in wheels."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_installed_package_has_py_typed_marker() -> None:
    marker = resources.files("fnaudit").joinpath("py.typed")
    assert marker.is_file()
    # PEP 561: an empty marker (or "partial\n") — fnaudit is fully typed, so never partial
    assert marker.read_text(encoding="utf-8").strip() == ""


def test_package_data_ships_py_typed_in_wheels() -> None:
    # An editable install reads the source tree, so the check above would pass even if a wheel left the
    # marker out: the package-data patterns must match it too.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["fnaudit"]
    assert [p for p in patterns if fnmatch.fnmatch("py.typed", p)] == ["py.typed"]
