"""Dependencies as a lockfile scanner sees them: lockfiles no function ships (reported with no function),
manifests with no lockfile (exact pins matched, ranges matched as "every" or "some" versions affected)."""

from __future__ import annotations

from pathlib import Path

from fnaudit.config import Config
from fnaudit.engines.deps.ranges import match_range
from fnaudit.engines.osv.store import Store
from fnaudit.findings import Finding
from fnaudit.pipeline import scan
from tests.conftest import SCAN_DATE
from tests.deps.osvdata import record, write_folder

RECORDS = [
    record("GHSA-test-lodh-0001", "npm", "lodash", events=[{"introduced": "0"}, {"fixed": "4.17.19"}]),
    record("GHSA-test-axio-0001", "npm", "axios", events=[{"introduced": "1.0.0"}, {"fixed": "1.6.1"}]),
    record("GHSA-test-mini-0001", "npm", "minimist", events=[{"introduced": "0"}, {"fixed": "1.2.6"}]),
    record("PYSEC-2099-0101", "PyPI", "jinja2", events=[{"introduced": "0"}, {"fixed": "2.10.1"}]),
    record("PYSEC-2099-0102", "PyPI", "pyyaml", events=[{"introduced": "0"}, {"fixed": "5.4"}]),
]

SLS = """service: deps
provider:
  name: aws
  runtime: python3.12
functions:
  api:
    handler: handler.main
  web:
    handler: web/app.handler
    runtime: nodejs20.x
"""
PACKAGE_JSON = """{
  "name": "web",
  "dependencies": {
    "axios": "=1.6.0",
    "lodash": "^4.17.0",
    "minimist": "1.2.x",
    "left-pad": "1.3.0",
    "local": "file:../local"
  },
  "devDependencies": {
    "mocha": "^10.0.0"
  }
}
"""
LOCK = """{
  "name": "tools",
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "tools", "dependencies": {"lodash": "4.17.15"}},
    "node_modules/lodash": {
      "version": "4.17.15"
    }
  }
}
"""


def _scan(tmp_path: Path, files: dict[str, str], *rules: str) -> list[Finding]:
    app = tmp_path / "app"
    for rel, text in files.items():
        (app / rel).parent.mkdir(parents=True, exist_ok=True)
        (app / rel).write_text(text, encoding="utf-8")
    db = tmp_path / "db"
    with Store(db, create=True) as store:
        store.import_source(write_folder(tmp_path / "osv", RECORDS))
    result = scan(app, Config(select=rules, today=SCAN_DATE, db=str(db)))
    assert [e for e in result.errors if e.stage == "deps"] == []
    return sorted(result.findings, key=lambda f: (f.location.path, f.location.line, f.rule_id))


def _key(f: Finding) -> tuple[str, str, int, str | None]:
    return (f.rule_name, f.location.path, f.location.line, f.function)


BASE = {
    "serverless.yml": SLS,
    "handler.py": "def main(event, context):\n    return 1\n",
    "web/app.js": 'const axios = require("axios");\n\nexports.handler = async () => axios.get("https://example.com");\n',
}


def test_lockfiles_no_function_ships_are_reported_with_no_function(tmp_path: Path) -> None:
    files = {
        **BASE,
        "tools/package-lock.json": LOCK,  # build tooling: no function's code folder
        "scripts/requirements.txt": "jinja2==2.10\n",
        "requirements.txt": "pyyaml==5.3\n",  # the api function's own: attributed
        "node_modules/x/package-lock.json": LOCK,  # installed tree: never walked
        "other/serverless.yml": SLS.replace("service: deps", "service: other"),  # an app of its own
        "other/package-lock.json": LOCK,
    }
    found = _scan(tmp_path, files, "DEP001")
    # `other/` is an app of its own: its lockfile is its web function's (the root app does not walk into it)
    assert [_key(f) for f in found] == [
        ("vulnerable-dependency", "other/package-lock.json", 6, "web"),
        ("vulnerable-dependency", "requirements.txt", 1, "api"),
        ("vulnerable-dependency", "scripts/requirements.txt", 1, None),
        ("vulnerable-dependency", "tools/package-lock.json", 6, None),
    ]
    tools = found[3]
    assert tools.function_ids == () and tools.functions == ()
    assert tools.message.endswith("; no function ships it")
    assert "lodash 4.17.15 (npm) is affected by GHSA-test-lodh-0001" in tools.message
    assert found[1].message.endswith("; shipped by api")


def test_a_python_function_does_not_claim_the_npm_lockfile_beside_it(tmp_path: Path) -> None:
    sls = SLS.split("  web:")[0]  # a Python-only service: the api function's folder is the root
    files = {**BASE, "serverless.yml": sls, "package-lock.json": LOCK}
    found = _scan(tmp_path, files, "DEP001")
    assert [_key(f) for f in found] == [("vulnerable-dependency", "package-lock.json", 6, None)]


def test_package_json_without_lockfile_pins_and_ranges(tmp_path: Path) -> None:
    files = {**BASE, "web/package.json": PACKAGE_JSON}
    found = _scan(tmp_path, files, "DEP001", "DEP003", "DEP005")
    assert [_key(f) for f in found] == [
        ("no-lockfile", "web/package.json", 3, "web"),  # the manifest once, not each of its ranges
        ("vulnerable-dependency", "web/package.json", 4, "web"),  # `=1.6.0`: an exact pin, matched as locked
        ("vulnerable-dependency-range", "web/package.json", 5, "web"),  # `^4.17.0`: 4.17.19 and later are fixed
        ("vulnerable-dependency-range", "web/package.json", 6, "web"),  # `1.2.x`: 1.2.6 and later are fixed
    ]
    axios, lodash, minimist = found[1], found[2], found[3]
    assert axios.message.startswith("axios 1.6.0 (npm) is affected by GHSA-test-axio-0001")
    assert axios.confidence == "high"
    assert lodash.message.startswith(
        "lodash ^4.17.0 (npm): no lockfile pins it and some of the versions the range allows are affected by "
        "GHSA-test-lodh-0001"
    )
    assert "fixed in 4.17.19" in lodash.message
    assert lodash.confidence == "low" and lodash.severity.value == "medium"
    assert minimist.message.startswith("minimist 1.2.x (npm): no lockfile pins it")


def test_a_range_whose_every_version_is_affected_is_dep001(tmp_path: Path) -> None:
    files = {**BASE, "requirements.txt": "# deps\njinja2>=2.8,<2.10.1\npyyaml>=5.1\n"}
    found = _scan(tmp_path, files, "DEP001", "DEP005")
    assert [_key(f) for f in found] == [
        ("vulnerable-dependency", "requirements.txt", 2, "api"),
        ("vulnerable-dependency-range", "requirements.txt", 3, "api"),
    ]
    assert found[0].message.startswith(
        "jinja2 jinja2>=2.8,<2.10.1 (PyPI), no lockfile pins it: every version the range allows is affected by "
        "PYSEC-2099-0101"
    )


def test_match_range_every_some_none() -> None:
    doc = {"id": "GHSA-x", "summary": "s"}
    fixed = {"ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "2.0.12"}]}]}
    last = {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"last_affected": "1.4"}]}]}
    listed = {"versions": ["2.0.10"]}

    def ids(eco: str, req: str, entry: dict[str, object]) -> tuple[list[str], list[str]]:
        m = match_range(eco, req, [(doc, entry)])
        assert m is not None
        return [a.id for a in m.every], [a.id for a in m.some]

    assert ids("npm", "^2.0.10", fixed) == ([], ["GHSA-x"])
    assert ids("npm", "~1.2.0", fixed) == (["GHSA-x"], [])
    assert ids("npm", "<2.0.5", fixed) == ([], ["GHSA-x"])  # below 1.0.0 is not affected
    assert ids("npm", ">=3", fixed) == ([], [])
    assert ids("PyPI", "x>=1.1,<=1.4", last) == (["GHSA-x"], [])
    assert ids("PyPI", "x~=1.2", last) == ([], ["GHSA-x"])  # 1.5 and later are allowed and not affected
    assert ids("npm", "^2.0.0", listed) == ([], ["GHSA-x"])  # listed versions alone never make "every"
    assert match_range("npm", "latest", [(doc, fixed)]) is None


METADATA = "Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\nSummary: x\n\nVersion: 9.9 (description)\n"


def test_vendored_packages_are_matched_at_the_version_that_ships(tmp_path: Path) -> None:
    files = {
        **BASE,
        "vendored/Jinja2-2.10.dist-info/METADATA": METADATA,
        "PyYAML-5.3.dist-info/METADATA": "Name: PyYAML\nVersion: 5.3\n",  # `pip install -t .`
        "web/node_modules/lodash/package.json": '{\n  "name": "lodash",\n  "version": "4.17.15"\n}\n',
        "web/node_modules/@acme/axios/package.json": '{"name": "@acme/axios", "version": "1.6.0"}',
        "web/node_modules/axios/package.json": '{"name": "axios",\n "version": "1.6.0"}',
        "web/node_modules/minimist/package.json": '{"name": "minimist", "version": "1.2.6"}',  # fixed
    }
    found = _scan(tmp_path, files, "DEP001")
    assert [_key(f) for f in found] == [
        ("vulnerable-dependency", "PyYAML-5.3.dist-info/METADATA", 2, "api"),
        ("vulnerable-dependency", "vendored/Jinja2-2.10.dist-info/METADATA", 3, "api"),
        ("vulnerable-dependency", "web/node_modules/axios/package.json", 2, "web"),
        ("vulnerable-dependency", "web/node_modules/lodash/package.json", 3, "web"),
    ]
    assert [f.confidence for f in found] == ["high"] * 4
    assert found[1].message.startswith("Jinja2 2.10 (PyPI) is affected by PYSEC-2099-0101")


def test_a_vendored_package_its_lockfile_already_names_is_reported_once(tmp_path: Path) -> None:
    lock = LOCK.replace('"tools"', '"web"')
    files = {
        **BASE,
        "web/package-lock.json": lock,
        "web/node_modules/lodash/package.json": '{"name": "lodash", "version": "4.17.15"}',
    }
    found = _scan(tmp_path, files, "DEP001")
    assert [_key(f) for f in found] == [("vulnerable-dependency", "web/package-lock.json", 6, "web")]


def test_a_parent_lockfile_covers_a_subfolder_only_when_it_declares_a_workspace(tmp_path: Path) -> None:
    from fnaudit.loaders.lockfiles import parse_folder

    member = '{"name": "m", "dependencies": {"lodash": "^4.17.0"}}'
    files = {
        "mono/yarn.lock": "",
        "mono/package.json": '{"private": true, "workspaces": {"packages": ["apps/*", "!apps/legacy"]}}',
        "mono/apps/a/package.json": member,  # a member: the lock above pins it
        "mono/apps/legacy/package.json": member,  # excluded from the workspace
        "mono/tools/package.json": member,  # not listed
        "plain/package-lock.json": '{"lockfileVersion": 3, "packages": {}}',
        "plain/package.json": '{"name": "plain"}',  # no `workspaces`: the lock above is not its
        "plain/sub/package.json": member,
        "pnpm/pnpm-lock.yaml": "lockfileVersion: '6.0'\n",
        "pnpm/pnpm-workspace.yaml": "packages:\n  - 'services/**'\n",
        "pnpm/services/x/api/package.json": member,
        "uv/uv.lock": "version = 1\n",
        "uv/pyproject.toml": '[tool.uv.workspace]\nmembers = ["libs/*"]\nexclude = ["libs/old"]\n',
        "uv/libs/core/pyproject.toml": '[project]\nname = "core"\ndependencies = ["jinja2>=2"]\n',
        "uv/libs/old/pyproject.toml": '[project]\nname = "old"\ndependencies = ["jinja2>=2"]\n',
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")

    def unlocked(rel: str) -> list[tuple[str, str]]:
        return parse_folder(tmp_path, tmp_path / rel).unlocked

    assert unlocked("mono/apps/a") == []
    assert unlocked("mono/apps/legacy") == [("mono/apps/legacy/package.json", "npm")]
    assert unlocked("mono/tools") == [("mono/tools/package.json", "npm")]
    assert unlocked("plain/sub") == [("plain/sub/package.json", "npm")]
    assert unlocked("pnpm/services/x/api") == []
    assert unlocked("uv/libs/core") == []
    assert unlocked("uv/libs/old") == [("uv/libs/old/pyproject.toml", "PyPI")]


def test_a_workspace_member_function_is_credited_the_workspace_lockfile(tmp_path: Path) -> None:
    sls = "service: ws\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  web:\n    handler: app.handler\n"
    lock = LOCK.replace('"tools"', '"mono"')
    files = {
        "package.json": '{"private": true, "workspaces": ["svc"]}',
        "package-lock.json": lock,
        "svc/serverless.yml": sls,
        "svc/app.js": "exports.handler = async () => 1;\n",
        "svc/package.json": '{"name": "svc", "dependencies": {"lodash": "^4.17.0"}}',
    }
    found = _scan(tmp_path, files, "DEP001", "DEP003", "DEP005")
    assert [_key(f) for f in found] == [("vulnerable-dependency", "package-lock.json", 6, "web")]


def test_an_excluded_manifest_whose_packages_ship_vendored_is_still_the_functions(tmp_path: Path) -> None:
    sls = SLS.split("  web:")[0] + "package:\n  patterns:\n    - '!requirements.txt'\n"
    files = {
        **BASE,
        "serverless.yml": sls,
        "requirements.txt": "jinja2==2.10\n",
        "vendored/Jinja2-2.10.dist-info/METADATA": METADATA,
    }
    found = _scan(tmp_path, files, "DEP001")
    # the lockfile line, credited to api (the vendored copy of the same version is not a second finding)
    assert [_key(f) for f in found] == [("vulnerable-dependency", "requirements.txt", 1, "api")]


def test_an_excluded_manifest_with_nothing_vendored_is_no_functions(tmp_path: Path) -> None:
    sls = SLS.split("  web:")[0] + "package:\n  patterns:\n    - '!requirements.txt'\n"
    files = {**BASE, "serverless.yml": sls, "requirements.txt": "jinja2==2.10\n"}
    found = _scan(tmp_path, files, "DEP001")
    assert [_key(f) for f in found] == [("vulnerable-dependency", "requirements.txt", 1, None)]
