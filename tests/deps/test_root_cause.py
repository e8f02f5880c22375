"""One dependency finding per root cause (issue 22): per vulnerable package version, listing every advisory,
the worst one deciding the severity and the single lowest version fixing all of them; and dev-only packages
(reached only from devDependencies / dev groups, walked through the lockfile's graph) are not shipped."""

from __future__ import annotations

import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from fnaudit.config import Config
from fnaudit.engines.osv.match import advisories, fix_for_all
from fnaudit.engines.osv.records import Normalised, normalise
from fnaudit.engines.osv.store import Store
from fnaudit.findings import Finding
from fnaudit.pipeline import ScanResult, scan
from fnaudit.report import Format, render
from tests.conftest import SCAN_DATE
from tests.deps.osvdata import record, write_folder

CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8
HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"  # 7.5


def _entries(*records: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    for rec in records:
        norm = normalise(rec["id"], rec)
        assert isinstance(norm, Normalised), norm
        out.extend((norm.doc, data) for _eco, _name, data in norm.rows)
    return out


def _line(text: str, needle: str) -> int:
    (line,) = [i for i, t in enumerate(text.splitlines(), start=1) if needle in t]
    return line


def _scan(tmp_path: Path, files: dict[str, str], records: list[dict[str, Any]], **kw: Any) -> ScanResult:
    app = tmp_path / "app"
    for rel, text in files.items():
        (app / rel).parent.mkdir(parents=True, exist_ok=True)
        (app / rel).write_text(text, encoding="utf-8")
    db = tmp_path / "db"
    osv = tmp_path / "osv"
    if db.exists():  # a second scan with other records: a fresh store
        import shutil

        shutil.rmtree(db)
        shutil.rmtree(osv)
    with Store(db, create=True) as store:
        store.import_source(write_folder(osv, records))
    result = scan(app, Config(select=("DEP",), today=SCAN_DATE, db=str(db), **kw))
    assert [e for e in result.errors if e.stage == "deps"] == []
    return result


def _deps(result: ScanResult) -> list[Finding]:
    return sorted(
        (f for f in result.findings if f.rule_id in ("DEP001", "DEP002", "DEP005")),
        key=lambda f: (f.location.path, f.location.line, f.rule_id),
    )


# --- npm v3: two advisories on one package, shipped by two functions ---------------------------------------

SLS_NODE = """service: shop
provider:
  name: aws
  runtime: nodejs20.x
functions:
  orders:
    handler: web/app.handler
  users:
    handler: web/app.users
"""
NPM_MANIFEST = '{"name": "web", "dependencies": {"lodash": "^4.17.0"}, "devDependencies": {"mocha": "^10.0.0"}}\n'
NPM_LOCK = """{
  "name": "web",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "web",
      "dependencies": {"lodash": "^4.17.0"},
      "devDependencies": {"mocha": "^10.0.0"}
    },
    "node_modules/lodash": {
      "version": "4.17.15"
    },
    "node_modules/mocha": {
      "version": "10.0.0",
      "dev": true
    }
  }
}
"""
NPM_APP = {
    "serverless.yml": SLS_NODE,
    "web/package.json": NPM_MANIFEST,
    "web/package-lock.json": NPM_LOCK,
    "web/app.js": 'const _ = require("lodash");\nexports.handler = async (e) => _.merge({}, e);\n'
    "exports.users = async () => 1;\n",
}
LODASH = [
    record(
        "GHSA-test-lodh-0001",
        "npm",
        "lodash",
        aliases=["CVE-2099-1001"],
        events=[{"introduced": "0"}, {"fixed": "4.17.19"}],
        db_severity="MODERATE",
        summary="ReDoS in toNumber",
    ),
    record(
        "GHSA-test-lodh-0002",
        "npm",
        "lodash",
        events=[{"introduced": "0"}, {"fixed": "4.17.21"}],
        severity=CRITICAL,
        summary="Prototype pollution in merge",
    ),
    record("GHSA-test-moch-0001", "npm", "mocha", events=[{"introduced": "0"}, {"fixed": "10.1.0"}]),
]


def test_two_advisories_on_one_package_are_one_finding_naming_both_functions(tmp_path: Path) -> None:
    result = _scan(tmp_path, NPM_APP, LODASH)
    (f,) = _deps(result)  # not one per advisory; mocha is dev-only
    assert (f.rule_id, f.location.path, f.location.line) == ("DEP001", "web/package-lock.json", 11)
    assert (f.function, f.functions) == (None, ("orders", "users"))
    assert f.severity.value == "critical"  # the worst advisory decides (the handler imports lodash)
    assert f.message == (
        "lodash 4.17.15 (npm) is affected by 2 advisories: GHSA-test-lodh-0002 (CVSS 9.8): Prototype pollution "
        "in merge; GHSA-test-lodh-0001, CVE-2099-1001 (medium): ReDoS in toNumber; all fixed in 4.17.21; "
        "the handler's code imports it; shipped by orders, users"
    )
    assert f.remediation == (
        "Upgrade lodash to 4.17.21 or later (the lowest version that fixes all 2 advisories) "
        "and regenerate the lockfile."
    )
    assert f.evidence == "pkg:npm/lodash@4.17.15 GHSA-test-lodh-0002 GHSA-test-lodh-0001"
    assert [(a.id, a.aliases, a.severity, a.fixed) for a in f.advisories] == [
        ("GHSA-test-lodh-0002", (), "critical", "4.17.21"),
        ("GHSA-test-lodh-0001", ("CVE-2099-1001",), "medium", "4.17.19"),
    ]


def test_the_fingerprint_is_the_package_version_and_file_not_its_advisories(tmp_path: Path) -> None:
    (before,) = _deps(_scan(tmp_path, NPM_APP, LODASH))
    third = record("GHSA-test-lodh-0003", "npm", "lodash", events=[{"introduced": "4.0.0"}, {"fixed": "4.17.16"}])
    (after,) = _deps(_scan(tmp_path, NPM_APP, [*LODASH, third]))
    assert [a.id for a in after.advisories] == ["GHSA-test-lodh-0002", "GHSA-test-lodh-0001", "GHSA-test-lodh-0003"]
    assert after.fingerprint == before.fingerprint


def test_json_and_sarif_carry_the_advisory_list(tmp_path: Path) -> None:
    result = _scan(tmp_path, NPM_APP, LODASH)
    out = io.StringIO()
    render(result, Format.JSON, out)
    doc = json.loads(out.getvalue())
    schema = json.loads(resources.files("fnaudit").joinpath("schema/findings-v1.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    (f,) = [f for f in doc["findings"] if f["rule_id"] == "DEP001"]
    assert f["advisories"] == [
        {
            "id": "GHSA-test-lodh-0002",
            "aliases": [],
            "summary": "Prototype pollution in merge",
            "severity": "critical",
            "cvss": CRITICAL,
            "score": 9.8,
            "fixed": "4.17.21",
            "malicious": False,
        },
        {
            "id": "GHSA-test-lodh-0001",
            "aliases": ["CVE-2099-1001"],
            "summary": "ReDoS in toNumber",
            "severity": "medium",
            "cvss": None,
            "score": None,
            "fixed": "4.17.19",
            "malicious": False,
        },
    ]
    assert not any("advisories" in g for g in doc["findings"] if g["rule_id"] != "DEP001")  # additive only
    out = io.StringIO()
    render(result, Format.SARIF, out)
    (res,) = [r for r in json.loads(out.getvalue())["runs"][0]["results"] if r["ruleId"] == "DEP001"]
    assert [a["id"] for a in res["properties"]["advisories"]] == ["GHSA-test-lodh-0002", "GHSA-test-lodh-0001"]


def test_an_advisory_without_a_fix_means_no_version_fixes_them_all(tmp_path: Path) -> None:
    unfixed = record("GHSA-test-lodh-0009", "npm", "lodash", events=[{"introduced": "0"}], db_severity="LOW")
    (f,) = _deps(_scan(tmp_path, NPM_APP, [*LODASH, unfixed]))
    assert "; no fixed version known for GHSA-test-lodh-0009; the handler's code imports it;" in f.message
    assert f.remediation.startswith("No fixed version of lodash is known:")
    assert f.severity.value == "critical"


def test_a_malicious_version_named_by_two_reports_is_one_dep002(tmp_path: Path) -> None:
    mal = [
        record("MAL-2099-0001", "npm", "lodash", versions=["4.17.15"], summary="Malicious code in lodash"),
        record("MAL-2099-0002", "npm", "lodash", versions=["4.17.15"], summary="Credential stealer"),
    ]
    (f,) = _deps(_scan(tmp_path, NPM_APP, mal))
    assert (f.rule_id, f.location.line, f.severity.value) == ("DEP002", 11, "critical")
    assert f.message == (
        "lodash 4.17.15 (npm) is a malicious package version (MAL-2099-0001, MAL-2099-0002): "
        "Malicious code in lodash; shipped by orders, users"
    )
    assert [a.id for a in f.advisories] == ["MAL-2099-0001", "MAL-2099-0002"]


def test_a_range_with_two_partly_affecting_advisories_is_one_dep005(tmp_path: Path) -> None:
    files = {
        "serverless.yml": SLS_NODE,
        "web/package.json": '{"name": "web",\n "dependencies": {\n  "axios": "^1.0.0"\n }\n}\n',
        "web/app.js": "exports.handler = async () => 1;\nexports.users = async () => 1;\n",
    }
    records = [
        record("GHSA-test-axio-0001", "npm", "axios", events=[{"introduced": "1.5.0"}, {"fixed": "1.6.0"}]),
        record("GHSA-test-axio-0002", "npm", "axios", events=[{"introduced": "1.2.0"}, {"fixed": "1.3.0"}]),
    ]
    (f,) = _deps(_scan(tmp_path, files, records))
    assert (f.rule_id, f.location.path, f.location.line) == ("DEP005", "web/package.json", 3)
    assert "some of the versions the range allows are affected by 2 advisories: GHSA-test-axio-0001" in f.message
    assert "; all fixed in 1.6.0; shipped by orders, users" in f.message
    # 1.3.0 fixes both but `^1.3.0` still allows 1.5.0: the new lower bound is above every affected version.
    assert f.remediation == "Raise the lower bound of axios to 1.6.0 and commit a lockfile."


# --- the single lowest version that fixes every advisory ----------------------------------------------------


def test_the_fix_for_all_is_not_the_highest_of_each_advisorys_own_fix() -> None:
    # A is fixed on two release lines (1.2.5, 2.0.1); B only in 2.0.0. Each one's own fix is 1.2.5 and 2.0.0,
    # but 1.2.5 is still affected by B and 2.0.0 by A: 2.0.1 is the first version neither affects.
    a = record(
        "GHSA-test-fxa-0001",
        "npm",
        "x",
        events=[{"introduced": "0"}, {"fixed": "1.2.5"}, {"introduced": "2.0.0"}, {"fixed": "2.0.1"}],
    )
    b = record("GHSA-test-fxb-0001", "npm", "x", events=[{"introduced": "0"}, {"fixed": "2.0.0"}])
    entries = _entries(a, b)
    advs = advisories("npm", "1.2.0", entries)
    assert [(x.id, x.fixed) for x in advs] == [("GHSA-test-fxa-0001", "1.2.5"), ("GHSA-test-fxb-0001", "2.0.0")]
    assert fix_for_all("npm", "1.2.0", advs, entries) == "2.0.1"


def test_the_fix_for_all_avoids_a_version_another_advisory_affects() -> None:
    # Only A affects 1.0.0 (fixed in 1.1.0), but C affects 1.1.0 (fixed in 1.1.2): upgrading to 1.1.0 would
    # trade one advisory for another, so the answer is 1.1.2.
    a = record("GHSA-test-trd-0001", "PyPI", "y", events=[{"introduced": "0"}, {"fixed": "1.1.0"}])
    c = record("GHSA-test-trd-0002", "PyPI", "y", events=[{"introduced": "1.1.0"}, {"fixed": "1.1.2"}])
    entries = _entries(a, c)
    advs = advisories("PyPI", "1.0.0", entries)
    assert [x.id for x in advs] == ["GHSA-test-trd-0001"]
    assert fix_for_all("PyPI", "1.0.0", advs, entries) == "1.1.2"


def test_no_single_version_when_a_later_release_line_is_affected_again_without_a_fix() -> None:
    # A: fixed in 2.0.0, affected again from 3.0.0 with no fix; B: fixed in 3.0.0 only. Each has a fix of its
    # own, but no version clears both.
    a = record(
        "GHSA-test-nsv-0001", "npm", "z", events=[{"introduced": "0"}, {"fixed": "2.0.0"}, {"introduced": "3.0.0"}]
    )
    b = record("GHSA-test-nsv-0002", "npm", "z", events=[{"introduced": "0"}, {"fixed": "3.0.0"}])
    entries = _entries(a, b)
    advs = advisories("npm", "1.0.0", entries)
    assert [(x.id, x.fixed) for x in advs] == [("GHSA-test-nsv-0001", "2.0.0"), ("GHSA-test-nsv-0002", "3.0.0")]
    assert fix_for_all("npm", "1.0.0", advs, entries) is None


def test_go_fixes_keep_the_v_modules_are_tagged_with() -> None:
    a = record(
        "GO-2099-0101", "Go", "example.com/m", range_type="SEMVER", events=[{"introduced": "0"}, {"fixed": "1.2.0"}]
    )
    b = record(
        "GO-2099-0102", "Go", "example.com/m", range_type="SEMVER", events=[{"introduced": "0"}, {"fixed": "1.3.1"}]
    )
    entries = _entries(a, b)
    advs = advisories("Go", "v1.1.0", entries)
    assert fix_for_all("Go", "v1.1.0", advs, entries) == "v1.3.1"


# --- dev-only packages: yarn v1 (no dev flag in the lockfile) and Poetry dev groups --------------------------

SAM_NODE = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {code}
      Handler: index.handler
      Runtime: nodejs20.x
"""
YARN_MANIFEST = '{"name": "api", "dependencies": {"express": "^4.17.0"}, "devDependencies": {"jest": "^29.0.0"}}\n'
YARN_LOCK = """# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


debug@2.6.9:
  version "2.6.9"
  resolved "https://registry.yarnpkg.com/debug/-/debug-2.6.9.tgz"

express@^4.17.0:
  version "4.17.1"
  resolved "https://registry.yarnpkg.com/express/-/express-4.17.1.tgz"
  dependencies:
    debug "2.6.9"

jest@^29.0.0:
  version "29.7.0"
  resolved "https://registry.yarnpkg.com/jest/-/jest-29.7.0.tgz"
  dependencies:
    debug "2.6.9"
    minimatch "^3.0.4"

left-pad@^1.0.0:
  version "1.1.0"
  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.1.0.tgz"

minimatch@^3.0.4:
  version "3.0.4"
  resolved "https://registry.yarnpkg.com/minimatch/-/minimatch-3.0.4.tgz"
"""
YARN_RECORDS = [
    record("GHSA-test-mmch-0001", "npm", "minimatch", events=[{"introduced": "0"}, {"fixed": "3.0.5"}]),
    record("GHSA-test-dbug-0001", "npm", "debug", events=[{"introduced": "0"}, {"fixed": "2.6.10"}]),
    record("GHSA-test-lpad-0001", "npm", "left-pad", events=[{"introduced": "0"}, {"fixed": "1.3.0"}]),
]


def _yarn_app() -> dict[str, str]:
    return {
        "template.yaml": SAM_NODE.format(code="api/"),
        "api/package.json": YARN_MANIFEST,
        "api/yarn.lock": YARN_LOCK,
        "api/index.js": "exports.handler = async () => 1;\n",
    }


def test_yarn_v1_a_vulnerable_package_only_devdependencies_reach_is_not_shipped(tmp_path: Path) -> None:
    found = [
        (f.rule_id, f.location.path, f.location.line, f.evidence)
        for f in _deps(_scan(tmp_path, _yarn_app(), YARN_RECORDS))
    ]
    # debug: express (production) and jest (dev) both reach it; minimatch only through jest; left-pad is an
    # entry no root reaches at all (a production install skips it).
    assert found == [
        ("DEP001", "api/yarn.lock", _line(YARN_LOCK, "debug@2.6.9:"), "pkg:npm/debug@2.6.9 GHSA-test-dbug-0001")
    ]


def test_yarn_v1_dev_only_packages_are_reported_with_include_dev(tmp_path: Path) -> None:
    result = _scan(tmp_path, _yarn_app(), YARN_RECORDS, include_dev=True)
    assert [(f.location.line, f.evidence.split()[1]) for f in _deps(result)] == [
        (_line(YARN_LOCK, "debug@2.6.9:"), "GHSA-test-dbug-0001"),
        (_line(YARN_LOCK, "left-pad@^1.0.0:"), "GHSA-test-lpad-0001"),
        (_line(YARN_LOCK, "minimatch@^3.0.4:"), "GHSA-test-mmch-0001"),
    ]


def test_yarn_v1_without_a_manifest_reports_everything(tmp_path: Path) -> None:
    # No package.json: no roots to walk from, so nothing can be shown to be dev-only.
    files = _yarn_app()
    del files["api/package.json"]
    assert [f.evidence.split()[1] for f in _deps(_scan(tmp_path, files, YARN_RECORDS))] == [
        "GHSA-test-dbug-0001",
        "GHSA-test-lpad-0001",
        "GHSA-test-mmch-0001",
    ]


def test_yarn_v1_an_unresolved_edge_keeps_orphans_shipped(tmp_path: Path) -> None:
    # express names a dependency the lockfile has no entry for: the graph is incomplete, so left-pad (which
    # no root reaches) may hang off it and stays shipped; minimatch is still reached only from jest.
    files = _yarn_app()
    files["api/yarn.lock"] = YARN_LOCK.replace(
        '    debug "2.6.9"\n\njest', '    debug "2.6.9"\n    mystery "^1.0.0"\n\njest', 1
    )
    assert [f.evidence.split()[1] for f in _deps(_scan(tmp_path, files, YARN_RECORDS))] == [
        "GHSA-test-dbug-0001",
        "GHSA-test-lpad-0001",
    ]


WS_LOCK = """# yarn lockfile v1


jest@^29.0.0:
  version "29.7.0"
  dependencies:
    lodash "^4.17.0"

lodash@^4.17.0:
  version "4.17.15"
"""


def test_yarn_v1_workspace_members_dependencies_are_production_roots(tmp_path: Path) -> None:
    # Regression: the root manifest of a workspace only has devDependencies (jest, which also uses lodash);
    # lodash is a production dependency of the member the function deploys, so it ships.
    files = {
        "template.yaml": SAM_NODE.format(code="packages/api/"),
        "package.json": '{"name": "mono", "private": true, "workspaces": ["packages/*"], '
        '"devDependencies": {"jest": "^29.0.0"}}\n',
        "yarn.lock": WS_LOCK,
        "packages/api/package.json": '{"name": "api", "dependencies": {"lodash": "^4.17.0"}}\n',
        "packages/api/index.js": 'const _ = require("lodash");\nexports.handler = async () => _.isEmpty({});\n',
    }
    records = [record("GHSA-test-wslo-0001", "npm", "lodash", events=[{"introduced": "0"}, {"fixed": "4.17.19"}])]
    (f,) = _deps(_scan(tmp_path, files, records))
    assert (f.rule_id, f.location.path, f.location.line, f.function) == ("DEP001", "yarn.lock", 9, "Api")
    assert "the handler's code imports it" in f.message


SAM_PY = SAM_NODE.replace("index.handler", "app.handler").replace("nodejs20.x", "python3.12")
PYPROJECT = """[tool.poetry]
name = "svc"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.12"
requests = "^2.31"

[tool.poetry.group.dev.dependencies]
pytest = "^8.0"
"""
POETRY_LOCK = """[[package]]
name = "iniconfig"
version = "2.0.0"

[[package]]
name = "pluggy"
version = "1.4.0"

[[package]]
name = "pytest"
version = "8.0.0"

[package.dependencies]
iniconfig = "*"
pluggy = ">=1.3.0,<2.0"

[[package]]
name = "requests"
version = "2.31.0"

[package.dependencies]
urllib3 = ">=1.21.1,<3"

[[package]]
name = "urllib3"
version = "2.0.6"

[metadata]
lock-version = "2.0"
python-versions = "^3.12"
"""
POETRY_RECORDS = [
    record("PYSEC-2099-0201", "PyPI", "urllib3", events=[{"introduced": "2.0.0"}, {"fixed": "2.0.7"}]),
    record("PYSEC-2099-0202", "PyPI", "urllib3", events=[{"introduced": "0"}, {"fixed": "2.2.2"}], db_severity="HIGH"),
    record("PYSEC-2099-0203", "PyPI", "pluggy", events=[{"introduced": "0"}, {"fixed": "1.5.0"}]),
]


def _table(lock: str, name: str) -> int:
    """The line of the package's `[[package]]` table (the one above its name), where poetry findings point."""
    return _line(lock, f'name = "{name}"') - 1


def _poetry_app() -> dict[str, str]:
    return {
        "template.yaml": SAM_PY.format(code="svc/"),
        "svc/pyproject.toml": PYPROJECT,
        "svc/poetry.lock": POETRY_LOCK,
        "svc/app.py": "def handler(event, context):\n    return 1\n",
    }


def test_poetry_a_dev_group_package_is_not_shipped_and_its_production_peer_is_one_finding(tmp_path: Path) -> None:
    (f,) = _deps(_scan(tmp_path, _poetry_app(), POETRY_RECORDS))
    assert (f.rule_id, f.location.path, f.location.line) == (
        "DEP001",
        "svc/poetry.lock",
        _table(POETRY_LOCK, "urllib3"),
    )
    assert f.message.startswith("urllib3 2.0.6 (PyPI) is affected by 2 advisories: PYSEC-2099-0202 (high)")
    assert "; all fixed in 2.2.2; " in f.message  # 2.0.7 fixes one, 2.2.2 both
    assert f.severity.value == "high"  # a transitive package the handler does not import: not lowered
    with_dev = _deps(_scan(tmp_path, _poetry_app(), POETRY_RECORDS, include_dev=True))
    assert [(g.location.line, g.evidence) for g in with_dev] == [
        (_table(POETRY_LOCK, "pluggy"), "pkg:pypi/pluggy@1.4.0 PYSEC-2099-0203"),
        (f.location.line, "pkg:pypi/urllib3@2.0.6 PYSEC-2099-0202 PYSEC-2099-0201"),
    ]


def test_the_message_says_when_no_single_version_fixes_them_all(tmp_path: Path) -> None:
    records = [
        record(
            "GHSA-test-nsv-0101",
            "npm",
            "lodash",
            events=[{"introduced": "0"}, {"fixed": "4.17.19"}, {"introduced": "4.17.20"}],
        ),
        record("GHSA-test-nsv-0102", "npm", "lodash", events=[{"introduced": "0"}, {"fixed": "4.17.20"}]),
    ]
    (f,) = _deps(_scan(tmp_path, NPM_APP, records))
    assert "; no single known version fixes them all; the handler's code imports it;" in f.message
    assert f.remediation == (
        "No single fixed version of lodash is known for all of its advisories: replace or remove it, "
        "or keep it out of reach of event data."
    )


BERRY_LOCK = """# This file is generated by running "yarn install" inside your project.

__metadata:
  version: 6
  cacheKey: 8

"api@workspace:packages/api":
  version: 0.0.0-use.local
  resolution: "api@workspace:packages/api"
  dependencies:
    jest: ^29.0.0
    lodash: ^4.17.0
  languageName: unknown
  linkType: soft

"jest@npm:^29.0.0":
  version: 29.7.0
  resolution: "jest@npm:29.7.0"
  dependencies:
    minimatch: ^3.0.4
  languageName: node
  linkType: hard

"lodash@npm:^4.17.0":
  version: 4.17.15
  resolution: "lodash@npm:4.17.15"
  languageName: node
  linkType: hard

"minimatch@npm:^3.0.4":
  version: 3.0.4
  resolution: "minimatch@npm:3.0.4"
  languageName: node
  linkType: hard

"mono@workspace:.":
  version: 0.0.0-use.local
  resolution: "mono@workspace:."
  languageName: unknown
  linkType: soft
"""


def test_yarn_berry_a_members_dev_dependencies_are_split_by_its_own_manifest(tmp_path: Path) -> None:
    # Regression: Berry lists a member's devDependencies with its dependencies; they were all taken as
    # production roots, so minimatch (reached only through the member's jest) was reported as shipped.
    files = {
        "template.yaml": SAM_NODE.format(code="packages/api/"),
        "package.json": '{"name": "mono", "private": true, "workspaces": ["packages/*"]}\n',
        "yarn.lock": BERRY_LOCK,
        "packages/api/package.json": '{"name": "api", "dependencies": {"lodash": "^4.17.0"}, '
        '"devDependencies": {"jest": "^29.0.0"}}\n',
        "packages/api/index.js": "exports.handler = async () => 1;\n",
    }
    records = [
        record("GHSA-test-brlo-0001", "npm", "lodash", events=[{"introduced": "0"}, {"fixed": "4.17.19"}]),
        record("GHSA-test-brmm-0001", "npm", "minimatch", events=[{"introduced": "0"}, {"fixed": "3.0.5"}]),
    ]
    found = [(f.rule_id, f.location.path, f.location.line, f.evidence) for f in _deps(_scan(tmp_path, files, records))]
    assert found == [
        (
            "DEP001",
            "yarn.lock",
            _line(BERRY_LOCK, '"lodash@npm:^4.17.0":'),
            "pkg:npm/lodash@4.17.15 GHSA-test-brlo-0001",
        )
    ]
