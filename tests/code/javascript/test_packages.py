"""Installed package versions the JavaScript analyser reads (js-yaml before 4 runs `!!js/function` in `load`).

The versions come from the nearest package.json and the npm lockfile beside it, read by the lockfile
loader: v1 and v2/v3 lockfiles and `npm-shrinkwrap.json` alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.code.helpers import flows, run
from tests.code.javascript.helpers import node_app

HANDLER = (
    "const yaml = require('js-yaml');\nexports.handler = async (event) => {\n  return yaml.load(event.body);\n};\n"
)
UNSAFE = [("deserialization", 3)]


def manifest(spec: str | None) -> str:
    deps = {"js-yaml": spec} if spec is not None else {"other": "^1.0.0"}
    return json.dumps({"name": "app", "version": "1.0.0", "dependencies": deps})


def lock_v2(entries: dict[str, str], declared: dict[str, str]) -> str:
    packages: dict[str, object] = {"": {"name": "app", "version": "1.0.0", "dependencies": declared}}
    for path, version in entries.items():
        packages[path] = {"version": version, "resolved": f"https://registry.npmjs.org/x/-/x-{version}.tgz"}
    return json.dumps({"name": "app", "lockfileVersion": 3, "requires": True, "packages": packages})


def lock_v1(version: str) -> str:
    return json.dumps(
        {
            "name": "app",
            "lockfileVersion": 1,
            "requires": True,
            "dependencies": {
                "js-yaml": {
                    "version": version,
                    "resolved": f"https://registry.npmjs.org/js-yaml/-/js-yaml-{version}.tgz",
                }
            },
        }
    )


def test_manifest_range_alone_decides(tmp_path: Path) -> None:
    node_app(tmp_path, {"app.js": HANDLER, "package.json": manifest("^3.14.1")})
    assert flows(run(tmp_path), "h") == UNSAFE


def test_safe_manifest_range_without_lockfile(tmp_path: Path) -> None:
    node_app(tmp_path, {"app.js": HANDLER, "package.json": manifest("^4.1.0")})
    assert flows(run(tmp_path), "h") == []


def test_v2_lockfile_version_wins_over_the_range(tmp_path: Path) -> None:
    lock = lock_v2({"node_modules/js-yaml": "3.14.1"}, {"js-yaml": "^4.0.0"})
    node_app(tmp_path, {"app.js": HANDLER, "package.json": manifest("^4.0.0"), "package-lock.json": lock})
    assert flows(run(tmp_path), "h") == UNSAFE


def test_v2_lockfile_safe_version_wins_over_an_old_range(tmp_path: Path) -> None:
    lock = lock_v2({"node_modules/js-yaml": "4.1.0"}, {"js-yaml": "^3.0.0 || ^4.0.0"})
    node_app(tmp_path, {"app.js": HANDLER, "package.json": manifest("3 || 4"), "package-lock.json": lock})
    assert flows(run(tmp_path), "h") == []


def test_v1_lockfile_is_read(tmp_path: Path) -> None:
    # the engine used to read only the v2 `packages` map: a v1 lockfile's 3.x was missed
    node_app(tmp_path, {"app.js": HANDLER, "package.json": manifest("^4.0.0"), "package-lock.json": lock_v1("3.13.1")})
    assert flows(run(tmp_path), "h") == UNSAFE


def test_shrinkwrap_is_what_npm_installs(tmp_path: Path) -> None:
    # npm installs from npm-shrinkwrap.json when present; the engine used to ignore it
    lock = lock_v2({"node_modules/js-yaml": "3.14.1"}, {"js-yaml": "^4.0.0"})
    node_app(tmp_path, {"app.js": HANDLER, "package.json": manifest("^4.0.0"), "npm-shrinkwrap.json": lock})
    assert flows(run(tmp_path), "h") == UNSAFE


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ({"node_modules/js-yaml": "3.14.1"}, UNSAFE),  # locked only as another package's dependency
        ({"node_modules/js-yaml": "4.1.0"}, []),
        # two installed versions, the project declares neither: the older one counts
        ({"node_modules/js-yaml": "4.1.0", "node_modules/other/node_modules/js-yaml": "3.14.1"}, UNSAFE),
    ],
)
def test_undeclared_package_takes_its_locked_version(
    tmp_path: Path, entries: dict[str, str], expected: list[tuple[str, int]]
) -> None:
    lock = lock_v2({"node_modules/other": "1.0.0", **entries}, {"other": "^1.0.0"})
    node_app(tmp_path, {"app.js": HANDLER, "package.json": manifest(None), "package-lock.json": lock})
    assert flows(run(tmp_path), "h") == expected


def test_declared_version_wins_over_nested_older_copies(tmp_path: Path) -> None:
    lock = lock_v2(
        {
            "node_modules/js-yaml": "4.1.0",
            "node_modules/other": "1.0.0",
            "node_modules/other/node_modules/js-yaml": "3.14.1",
        },
        {"js-yaml": "^4.1.0", "other": "^1.0.0"},
    )
    node_app(tmp_path, {"app.js": HANDLER, "package.json": manifest("^4.1.0"), "package-lock.json": lock})
    assert flows(run(tmp_path), "h") == []


def test_broken_lockfile_falls_back_to_the_manifest(tmp_path: Path) -> None:
    node_app(tmp_path, {"app.js": HANDLER, "package.json": manifest("^3.14.1"), "package-lock.json": "{not json"})
    assert flows(run(tmp_path), "h") == UNSAFE
