"""Local zip artifacts are read in place, safely, and analysed as if they were folders (issue 11).

`CodeUri: code.zip` (SAM), `Code: ./dist/fn.zip` (CloudFormation), `package.artifact` (Serverless):
findings point into the zip as `code.zip!/app.py`; a zip that cannot be read safely (zip-slip, a
bomb, too many entries, not a zip) is one `errors` entry and nothing of it is written anywhere.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest

from fnaudit.config import Config
from fnaudit.engines.osv.store import Store
from fnaudit.errors import Loss
from fnaudit.loaders import archives
from fnaudit.pipeline import scan
from fnaudit.report.sarif import document as sarif_document
from tests.conftest import SCAN_DATE
from tests.deps.osvdata import record, write_folder

PY_HANDLER = "import os\n\n\ndef main(event, context):\n    os.system('ls ' + event['body'])\n"
JS_HANDLER = "const { exec } = require('child_process');\nexports.handler = async (event) => {\n  exec('ls ' + event.body);\n};\n"
TOKEN_LINE = 'TOKEN = "ghp_auaq0jqMPz7bos6hidQnWzN5xDm3e2JU4ZAL"\n'
SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: code.zip
      Handler: app.main
      Runtime: python3.12
      Events:
        Api:
          Type: HttpApi
  Other:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: other/
      Handler: app.main
      Runtime: python3.12
"""


def _zip(path: Path, members: dict[str, str | bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _sam_app(root: Path, members: dict[str, str | bytes] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "template.yaml").write_text(SAM, encoding="utf-8")
    (root / "other").mkdir(parents=True)
    (root / "other" / "app.py").write_text(PY_HANDLER, encoding="utf-8")
    if members is not None:
        _zip(root / "code.zip", members)
    return root


@pytest.fixture(autouse=True)
def _own_temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Private folders are made in a temporary folder of this test's own: other tests running at the same
    time (pytest-xdist) unpack zips too, and their folders must not count as this test's."""
    own = tmp_path / "system-tmp"
    own.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own))


def _private_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("fnaudit-zip-*")}


def test_sam_code_uri_zip_is_analysed_for_code_secrets_and_dependencies(tmp_path: Path) -> None:
    root = _sam_app(
        tmp_path / "app",
        {
            "app.py": PY_HANDLER,
            "config.py": TOKEN_LINE,
            "requirements.txt": "PyYAML==5.3\n",
            "lib/": b"",  # a folder entry
        },
    )
    db = tmp_path / "db"
    with Store(db, create=True) as store:
        store.import_source(
            write_folder(
                tmp_path / "osv", [record("PYSEC-1", "PyPI", "pyyaml", events=[{"introduced": "0"}, {"fixed": "5.4"}])]
            )
        )
    before = _private_folders()
    result = scan(root, Config(select=("CODE002", "SECRET003", "DEP001"), today=SCAN_DATE, db=str(db)))
    assert result.errors == ()
    got = sorted((f.rule_id, f.function, f.location.path, f.location.line) for f in result.findings)
    assert got == [
        ("CODE002", "Fn", "code.zip!/app.py", 5),
        ("CODE002", "Other", "other/app.py", 5),
        ("DEP001", "Fn", "code.zip!/requirements.txt", 1),
        ("SECRET003", "Fn", "code.zip!/config.py", 1),
    ]
    fn = next(f for f in result.functions if f.name == "Fn")
    assert (fn.code.in_repo, fn.code.root, fn.code.handler_file) == (True, "code.zip!", "code.zip!/app.py")
    assert _private_folders() == before, "the zip's private folder is removed when the scan ends"


def test_cloudformation_local_zip_and_serverless_artifact_use_the_same_convention(tmp_path: Path) -> None:
    _zip(tmp_path / "dist" / "fn.zip", {"src/index.js": JS_HANDLER})
    (tmp_path / "template.json").write_text(
        json.dumps(
            {
                "AWSTemplateFormatVersion": "2010-09-09",
                "Resources": {
                    "Fn": {
                        "Type": "AWS::Lambda::Function",
                        "Properties": {
                            "Code": "./dist/fn.zip",
                            "Handler": "src/index.handler",
                            "Runtime": "nodejs20.x",
                            "Role": "arn:aws:iam::123456789012:role/x",
                        },
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\npackage:\n  artifact: dist/fn.zip\n"
        "functions:\n  web:\n    handler: src/index.handler\n    url: true\n",
        encoding="utf-8",
    )
    result = scan(tmp_path, Config(select=("CODE002",), today=SCAN_DATE))
    assert result.errors == ()
    assert sorted((f.function, f.location.path, f.location.line) for f in result.findings) == [
        ("Fn", "dist/fn.zip!/src/index.js", 3),
        ("web", "dist/fn.zip!/src/index.js", 3),
    ]
    sarif = sarif_document(result)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert {unquote(u) for u in uris} == {"dist/fn.zip!/src/index.js"}  # SARIF may percent-encode the `!`


@pytest.mark.parametrize(
    ("members", "why"),
    [
        ({"../../evil.py": PY_HANDLER}, "entry '../../evil.py' would be written outside the artifact's folder"),
        ({"/etc/evil.py": PY_HANDLER}, "entry '/etc/evil.py' would be written outside the artifact's folder"),
        ({"app.py": PY_HANDLER, "bomb.txt": "0" * (8 * 1024 * 1024)}, "entry 'bomb.txt' expands"),
    ],
    ids=["dotdot", "absolute", "bomb"],
)
def test_unsafe_zip_is_one_error_and_nothing_is_written(tmp_path: Path, members: dict[str, str], why: str) -> None:
    root = _sam_app(tmp_path / "app", members)
    before = _private_folders()
    result = scan(root, Config(select=("CODE002",), today=SCAN_DATE))
    (err,) = result.errors
    assert (err.path, err.stage, err.loss) == ("template.yaml", "load", Loss.PARTIAL)
    assert err.message.startswith("line 7: function Fn: zip artifact code.zip: ")
    assert why in err.message and "not analysed" in err.message
    assert [(f.function, f.location.path) for f in result.findings] == [("Other", "other/app.py")]
    assert not (tmp_path / "evil.py").exists() and not (tmp_path / "app" / "evil.py").exists()
    assert _private_folders() == before


def test_not_a_zip_and_too_many_entries_are_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _sam_app(tmp_path / "a")
    (root / "code.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    (err,) = scan(root, Config(select=("CODE002",), today=SCAN_DATE)).errors
    assert err.message.startswith("line 7: function Fn: zip artifact code.zip is not a readable zip")

    monkeypatch.setattr(archives, "MAX_MEMBERS", 3)
    root = _sam_app(tmp_path / "b", {f"m{i}.py": "x = 1\n" for i in range(5)})
    (err,) = scan(root, Config(select=("CODE002",), today=SCAN_DATE)).errors
    assert "zip artifact code.zip has 5 entries, over the 3 fnaudit reads" in err.message


def test_zip_symlinked_out_of_the_root_is_refused(tmp_path: Path) -> None:
    outside = _zip(tmp_path / "outside" / "code.zip", {"app.py": PY_HANDLER})
    root = _sam_app(tmp_path / "app")
    (root / "code.zip").symlink_to(outside)
    result = scan(root, Config(select=("CODE002",), today=SCAN_DATE))
    (err,) = result.errors
    assert err.path == "template.yaml" and "outside the scanned folder" in err.message
    assert [f.function for f in result.findings] == ["Other"]


def test_links_inside_a_zip_are_not_extracted() -> None:
    info = zipfile.ZipInfo("link.py")
    info.external_attr = 0o120777 << 16  # a symbolic link entry
    with tempfile.TemporaryDirectory() as d:
        zpath = Path(d) / "root" / "c.zip"
        zpath.parent.mkdir()
        with zipfile.ZipFile(zpath, "w") as zf:
            zf.writestr(info, "/etc/passwd")
            zf.writestr("app.py", "x = 1\n")
        with archives.Artifacts(zpath.parent) as artifacts:
            mount = artifacts.open_zip(zpath)
            assert sorted(p.name for p in mount.folder.iterdir()) == ["app.py"]
            assert mount.skipped == ("link.py (a symbolic link; not followed)",)
        assert not mount.folder.exists()


def test_members_left_out_of_a_zip_are_one_error_entry(tmp_path: Path) -> None:
    root = _sam_app(tmp_path / "app")
    info = zipfile.ZipInfo("secrets.py")
    info.external_attr = 0o120777 << 16
    with zipfile.ZipFile(root / "code.zip", "w") as zf:
        zf.writestr("app.py", PY_HANDLER)
        zf.writestr(info, "/etc/passwd")
    result = scan(root, Config(select=("CODE002",), today=SCAN_DATE))
    assert [(e.path, e.stage, e.message) for e in result.errors] == [
        ("code.zip", "code", "not analysed inside the zip: secrets.py (a symbolic link; not followed)")
    ]
    assert sorted(f.location.path for f in result.findings) == ["code.zip!/app.py", "other/app.py"]
