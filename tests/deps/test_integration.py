"""End to end on real-shaped lockfiles (../shared/data/lockfiles): a small OSV folder built here is
imported, a SAM app gives each lockfile its own function, and the DEP rules find what they should."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.engines.osv.store import Store
from fnaudit.pipeline import scan
from fnaudit.report import Format, render
from tests.conftest import REPO, SCAN_DATE
from tests.deps.osvdata import record, write_folder

LOCKFILES = (REPO / ".." / "shared" / "data" / "lockfiles").resolve()
pytestmark = pytest.mark.skipif(not LOCKFILES.is_dir(), reason=f"real lockfiles not found at {LOCKFILES}")

# function → (lockfile folder, files to copy as name → new name, runtime, handler)
FUNCTIONS = {
    "NpmV2": (
        "npm-v2-santatracker",
        {"package-lock.json": "package-lock.json", "package.json": "package.json"},
        "nodejs20.x",
    ),
    "NpmV3": (
        "npm-v3-serverless-webpack",
        {"package-lock.json": "package-lock.json", "package.json": "package.json"},
        "nodejs20.x",
    ),
    "YarnV1": (
        "yarn-v1-serverless-webpack-example",
        {"yarn.lock": "yarn.lock", "package.json": "package.json"},
        "nodejs20.x",
    ),
    "YarnBerry": (
        "yarn-berry-serverless-nextjs-plugin",
        {"yarn.lock": "yarn.lock", "package.json": "package.json"},
        "nodejs20.x",
    ),
    "Poetry": ("poetry-powertools", {"poetry.lock": "poetry.lock", "pyproject.toml": "pyproject.toml"}, "python3.12"),
    "Requirements": ("requirements-detect-secrets", {"requirements.txt": "requirements.txt"}, "python3.12"),
    "Maven": (
        "pom-aws-serverless-java-container-core",
        {"pom.xml": "core/pom.xml", "parent-pom.xml": "pom.xml"},
        "java21",
    ),
    "GoMod": ("gosum-serverless-prey-cheetah", {"go.mod": "go.mod", "go.sum": "go.sum"}, "go1.x"),
}
CODE_URI = {"Maven": "fn-Maven/core"}

RECORDS = [
    record(
        "GHSA-test-npm2-0001",
        "npm",
        "@babel/core",
        range_type="SEMVER",
        events=[{"introduced": "0"}, {"fixed": "7.6.1"}],
        db_severity="HIGH",
    ),
    record("MAL-2099-0001", "npm", "ansi-regex", versions=["6.0.1"]),
    record("GHSA-test-yrn1-0001", "npm", "ajv", events=[{"introduced": "6.0.0"}, {"fixed": "6.12.4"}]),
    record("GHSA-test-yrn2-0001", "npm", "@mapbox/s3urls", events=[{"introduced": "0"}, {"last_affected": "2.0.0"}]),
    record("PYSEC-2099-0001", "PyPI", "Boto3", events=[{"introduced": "0"}, {"fixed": "1.20.18"}]),
    record(
        "GHSA-test-attr-0001",
        "PyPI",
        "attrs",
        aliases=["CVE-2099-0001"],
        events=[{"introduced": "0"}, {"fixed": "21.0.0"}],
        severity="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
    ),
    record(
        "PYSEC-2099-0002",
        "PyPI",
        "attrs",
        aliases=["CVE-2099-0001", "GHSA-test-attr-0001"],
        events=[{"introduced": "0"}, {"fixed": "21.1.0"}],
    ),
    record(
        "GHSA-test-mvn1-0001",
        "Maven",
        "com.amazonaws:aws-lambda-java-core",
        events=[{"introduced": "0"}, {"fixed": "1.2.1"}],
    ),
    record(
        "GHSA-test-mvn2-0001",
        "Maven",
        "com.fasterxml.jackson.core:jackson-databind",
        events=[{"introduced": "2.0.0"}, {"fixed": "2.99.0"}],
    ),
    record(
        "GO-2099-0001",
        "Go",
        "cloud.google.com/go/logging",
        range_type="SEMVER",
        events=[{"introduced": "0"}, {"fixed": "1.5.1"}],
    ),
    record("GHSA-test-wdrn-0001", "npm", "lodash", events=[{"introduced": "0"}], withdrawn="2026-01-01T00:00:00Z"),
    record("GHSA-test-devo-0001", "npm", "webpack", events=[{"introduced": "0"}]),  # dev-only in every lock here
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    base = tmp_path_factory.mktemp("real")
    resources = []
    for fn, (folder, files, runtime) in FUNCTIONS.items():
        for src, dst in files.items():
            target = base / f"fn-{fn}" / dst
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(LOCKFILES / folder / src, target)
        handler = {
            "nodejs20.x": "index.handler",
            "python3.12": "app.handler",
            "java21": "x.Handler::handle",
            "go1.x": "bootstrap",
        }[runtime]
        code = CODE_URI.get(fn, f"fn-{fn}")
        if runtime == "nodejs20.x":
            (base / code / "index.js").write_text("exports.handler = async () => 1;\n")
        if runtime == "python3.12":
            imports = "import attr\n" if fn == "Requirements" else ""  # attrs is imported as `attr`
            (base / code / "app.py").write_text(f"{imports}def handler(event, context):\n    return 1\n")
        resources.append(
            f"  {fn}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            f"      CodeUri: {code}/\n      Handler: {handler}\n      Runtime: {runtime}\n"
        )
    (base / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"
        + "".join(resources)
    )
    db = tmp_path_factory.mktemp("db")
    with Store(db, create=True) as store:
        store.import_source(write_folder(tmp_path_factory.mktemp("osv"), RECORDS))
    return base, str(db)


def _findings(base: Path, db: str, **kw: object):
    result = scan(base, Config(select=("DEP",), today=SCAN_DATE, db=db, **kw))  # type: ignore[arg-type]
    return result


def test_each_ecosystem_finds_its_advisory(app: tuple[Path, str]) -> None:
    base, db = app
    result = _findings(base, db)
    got = {
        (f.rule_id, f.function, f.location.path, f.evidence.split()[1])
        for f in result.findings
        if f.rule_id in ("DEP001", "DEP002")
    }
    assert got == {
        ("DEP001", "NpmV2", "fn-NpmV2/package-lock.json", "GHSA-test-npm2-0001"),
        ("DEP002", "NpmV3", "fn-NpmV3/package-lock.json", "MAL-2099-0001"),
        ("DEP001", "YarnV1", "fn-YarnV1/yarn.lock", "GHSA-test-yrn1-0001"),
        ("DEP001", "YarnBerry", "fn-YarnBerry/yarn.lock", "GHSA-test-yrn2-0001"),
        ("DEP001", "Poetry", "fn-Poetry/poetry.lock", "PYSEC-2099-0001"),
        ("DEP001", "Requirements", "fn-Requirements/requirements.txt", "GHSA-test-attr-0001"),  # aliases merged
        ("DEP001", "Maven", "fn-Maven/core/pom.xml", "GHSA-test-mvn1-0001"),
        ("DEP001", "Maven", "fn-Maven/core/pom.xml", "GHSA-test-mvn2-0001"),  # version from the parent POM
        ("DEP001", "GoMod", "fn-GoMod/go.mod", "GO-2099-0001"),
    }
    assert not [e for e in result.errors if e.stage == "deps" and "advisory store" in e.message]


def test_lines_aliases_severity_and_remediation(app: tuple[Path, str]) -> None:
    base, db = app
    by_id = {f.evidence.split()[1]: f for f in _findings(base, db).findings if f.rule_id in ("DEP001", "DEP002")}
    attrs = by_id["GHSA-test-attr-0001"]
    assert attrs.location.line == 2
    assert "GHSA-test-attr-0001, PYSEC-2099-0002, CVE-2099-0001" in attrs.message
    # CVSS 7.5; the fix is the lowest version every record of the alias group clears: at 21.0.0 (the GHSA's
    # fix) the PYSEC record still matches and the scan would report it again.
    assert attrs.severity.value == "high" and "attrs to 21.1.0" in attrs.remediation
    assert "the handler's code imports it" in attrs.message
    boto3 = by_id["PYSEC-2099-0001"]  # a direct dependency the handler does not import: ranked lower
    assert "does not import it" in boto3.message and boto3.severity.value == "low"  # unrated (medium) - 1
    assert by_id["GHSA-test-npm2-0001"].location.line == 84
    assert by_id["MAL-2099-0001"].severity.value == "critical"
    assert by_id["GO-2099-0001"].location.line == 6 and "v1.5.1" in by_id["GO-2099-0001"].remediation
    assert by_id["GHSA-test-yrn2-0001"].location.line == 26


def test_dev_only_packages_need_include_dev(app: tuple[Path, str]) -> None:
    base, db = app
    assert not any("GHSA-test-devo-0001" in f.evidence for f in _findings(base, db).findings)
    with_dev = _findings(base, db, include_dev=True).findings
    assert {f.function for f in with_dev if "GHSA-test-devo-0001" in f.evidence} >= {"NpmV3", "YarnV1"}


def test_json_counts_packages_and_cyclonedx_lists_components_and_vulnerabilities(app: tuple[Path, str]) -> None:
    import io

    base, db = app
    result = _findings(base, db)
    out = io.StringIO()
    render(result, Format.JSON, out)
    counts = {f["name"]: f["packages"] for f in json.loads(out.getvalue())["functions"]}
    assert counts["Requirements"] == 42 and counts["GoMod"] == 21 and counts["NpmV2"] > 500
    out = io.StringIO()
    render(result, Format.CYCLONEDX, out)
    bom = json.loads(out.getvalue())
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(out.getvalue()) is None
    apps = {c["name"] for c in bom["components"] if c["type"] == "application"}
    assert apps == set(FUNCTIONS)
    vulns = {v["id"]: v for v in bom["vulnerabilities"]}
    assert vulns["GHSA-test-attr-0001"]["affects"] == [{"ref": "pkg:pypi/attrs@20.3.0"}]
    assert {r["id"] for r in vulns["GHSA-test-attr-0001"]["references"]} == {"PYSEC-2099-0002", "CVE-2099-0001"}
    deps = {d["ref"]: d.get("dependsOn", []) for d in bom["dependencies"]}
    assert "pkg:pypi/attrs@20.3.0" in deps[next(c["bom-ref"] for c in bom["components"] if c["name"] == "Requirements")]
