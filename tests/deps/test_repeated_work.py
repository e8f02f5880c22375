"""The dependency engine and the lockfile parsers do per-scan work once (issue 18) and say exactly what they
said before: a template is parsed for its bundler only when its text can name one, a folder is listed once
to rule out the names it does not hold, a lockfile is resolved once per parse, and a requirement line or a
Package URL met again is not rebuilt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.engines.deps import _may_name_bundler
from fnaudit.engines.osv.store import Store
from fnaudit.loaders.archives import Artifacts
from fnaudit.loaders.lockfiles import parse_file, parse_folder, present_files, vendored_in, workspace_lock
from fnaudit.loaders.lockfiles._common import ParseContext, purl
from fnaudit.loaders.lockfiles.requirements import _requirement
from fnaudit.model.loc import Loc
from fnaudit.pipeline import ScanResult, scan
from tests.conftest import SCAN_DATE
from tests.deps.osvdata import record, write_folder

LOCK = {
    "lockfileVersion": 3,
    "packages": {
        "": {"dependencies": {"express": "^4", "lodash": "^4"}},
        "node_modules/express": {"version": "4.0.0"},
        "node_modules/lodash": {"version": "4.17.15"},
    },
}
SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: handler.handler
      Runtime: nodejs20.x
    Metadata:
      BuildMethod: {method}
"""
BUNDLED = "bundled by sam-esbuild: only imported packages ship"


def _sam_scan(tmp_path: Path, method: str) -> ScanResult:
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / "template.yaml").write_text(SAM.format(method=method), encoding="utf-8")
    (app / "src" / "handler.js").write_text("const e = require('express');\nexports.handler = e;\n", encoding="utf-8")
    (app / "src" / "package-lock.json").write_text(json.dumps(LOCK), encoding="utf-8")
    db = tmp_path / "db"
    with Store(db, create=True) as store:
        store.import_source(
            write_folder(
                tmp_path / "osv",
                [
                    record("GHSA-expr", "npm", "express", versions=["4.0.0"]),
                    record("GHSA-loda", "npm", "lodash", versions=["4.17.15"]),
                ],
            )
        )
    return scan(app, Config(select=("DEP001",), today=SCAN_DATE, db=str(db)))


@pytest.mark.parametrize("method", ["esbuild", "ESBuild", '"\\x65sbuild"', '"es\\u0062uild"'])
def test_a_sam_esbuild_build_however_written_still_ships_only_what_the_handler_imports(
    tmp_path: Path, method: str
) -> None:
    result = _sam_scan(tmp_path, method)
    (fn,) = result.functions
    assert [(p.name, p.version) for p in fn.packages] == [("express", "4.0.0")]
    assert result.coverage.functions[0].lockfile_note == BUNDLED
    assert [(f.rule_id, f.function, f.location.path) for f in result.findings] == [
        ("DEP001", "Api", "src/package-lock.json")
    ]


def test_a_sam_template_that_cannot_name_a_bundler_ships_the_whole_lockfile(tmp_path: Path) -> None:
    result = _sam_scan(tmp_path, "makefile")
    (fn,) = result.functions
    assert [(p.name, p.version) for p in fn.packages] == [("express", "4.0.0"), ("lodash", "4.17.15")]
    assert result.coverage.functions[0].lockfile_note is None


def test_the_bundler_hint_is_read_once_per_template_and_an_unreadable_one_is_left_to_the_parser(
    tmp_path: Path,
) -> None:
    hints: dict[str, bool] = {}
    plain = tmp_path / "plain.yaml"
    plain.write_text("Resources: {}\n", encoding="utf-8")
    assert _may_name_bundler(plain, hints) is False
    plain.write_text("BuildMethod: esbuild\n", encoding="utf-8")
    assert _may_name_bundler(plain, hints) is False  # remembered for the scan: the file does not change in one
    assert _may_name_bundler(tmp_path / "missing.yaml", hints) is True
    escaped = tmp_path / "escaped.json"
    escaped.write_text('{"BuildMethod": "\\u0065sbuild"}', encoding="utf-8")
    assert _may_name_bundler(escaped, hints) is True


def test_present_files_lists_once_and_checks_only_what_the_folder_holds(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{}", encoding="utf-8")
    (tmp_path / "yarn.lock").mkdir()  # a folder named like a lockfile is not a file
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text("{}", encoding="utf-8")
    (tmp_path / "go.sum").symlink_to(tmp_path / "nowhere")  # a dangling link is not a file either
    names = ("yarn.lock", "package.json", "go.sum", ".chalice/config.json", "template.yaml")
    assert present_files(tmp_path, names) == ["package.json", ".chalice/config.json"]
    assert present_files(tmp_path / "absent", names) == []  # not listable: each name checked, none there


def test_workspace_lock_finds_the_workspace_root_of_a_member_without_a_lockfile(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"workspaces": ["packages/*"]}), encoding="utf-8")
    (tmp_path / "package-lock.json").write_text(json.dumps(LOCK), encoding="utf-8")
    member = tmp_path / "packages" / "api"
    member.mkdir(parents=True)
    (member / "package.json").write_text(json.dumps({"dependencies": {"express": "^4"}}), encoding="utf-8")
    assert workspace_lock(tmp_path, member) == tmp_path.resolve()
    (member / "package-lock.json").write_text(json.dumps(LOCK), encoding="utf-8")
    assert workspace_lock(tmp_path, member) is None  # a lockfile of its own is what installs it


def test_parse_folder_reads_links_and_names_a_dangling_one(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.0.0\n", encoding="utf-8")
    (tmp_path / "Pipfile.lock").symlink_to(tmp_path / "nowhere")
    out = parse_folder(tmp_path, tmp_path)
    assert out.lockfiles == ["requirements.txt"]
    assert [(p.name, p.version, p.loc) for p in out.packages] == [("requests", "2.0.0", Loc("requirements.txt", 1))]
    assert [(e.path, e.message.split(":")[0]) for e in out.errors] == [("Pipfile.lock", "lockfile not read")]


def test_the_same_requirement_line_in_two_files_gives_each_its_own_location(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "requirements.txt").write_text("# pinned\nFlask==2.0.1 ; sys_platform == 'linux'\n")
    found = [parse_file(tmp_path, tmp_path / n / "requirements.txt") for n in ("a", "b")]
    assert [[(p.purl, p.loc) for p in parsed.packages] for parsed, _ in found if parsed is not None] == [
        [("pkg:pypi/flask@2.0.1", Loc("a/requirements.txt", 2))],
        [("pkg:pypi/flask@2.0.1", Loc("b/requirements.txt", 2))],
    ]
    assert _requirement("Flask==2.0.1") is _requirement("Flask==2.0.1")
    assert purl("PyPI", "Foo_Bar", "1.0") == "pkg:pypi/foo-bar@1.0"


def test_parse_context_resolves_its_own_file_once_and_others_each_time(tmp_path: Path) -> None:
    lock = tmp_path / "real.lock"
    lock.write_text("x", encoding="utf-8")
    link = tmp_path / "requirements.txt"
    link.symlink_to(lock)
    ctx = ParseContext(tmp_path, link, "requirements.txt")
    assert ctx.resolved(link) == lock.resolve()
    assert ctx.real_path == lock.resolve()
    assert ctx.rel_of(link) == "real.lock"
    assert ctx.read(link) == "x"
    other = tmp_path / "other.txt"
    other.write_text("y", encoding="utf-8")
    assert ctx.resolved(other) == other.resolve()
    assert ctx.real_path == lock.resolve()


def test_vendored_packages_are_found_in_the_folders_that_exist_and_a_missing_folder_has_none(
    tmp_path: Path,
) -> None:
    info = tmp_path / "lib" / "requests-2.0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Name: requests\nVersion: 2.0.0\n", encoding="utf-8")
    found = vendored_in(tmp_path, Artifacts(tmp_path))
    assert [(p.name, p.version, p.loc) for p in found] == [
        ("requests", "2.0.0", Loc("lib/requests-2.0.0.dist-info/METADATA", 2))
    ]
    assert vendored_in(tmp_path / "missing", Artifacts(tmp_path)) == []


def test_a_folder_the_caller_resolved_gives_what_resolving_it_again_gives(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "lib" / "six-1.16.0.dist-info").mkdir(parents=True)
    (real / "lib" / "six-1.16.0.dist-info" / "METADATA").write_text("Name: six\nVersion: 1.16.0\n", encoding="utf-8")
    (real / "requirements.txt").write_text("requests==2.0.0\n", encoding="utf-8")
    (real / "poetry.lock").symlink_to(tmp_path / "outside.lock")
    (tmp_path / "outside.lock").write_text("", encoding="utf-8")
    link = tmp_path / "code"
    link.symlink_to(real)
    artifacts = Artifacts(tmp_path)
    for folder in (real, link):
        plain = parse_folder(tmp_path, folder, artifacts)
        given = parse_folder(tmp_path, folder, artifacts, real=folder.resolve())
        assert (given.packages, given.lockfiles, given.errors) == (plain.packages, plain.lockfiles, plain.errors)
        assert vendored_in(folder, artifacts, real=folder.resolve()) == vendored_in(folder, artifacts)
    named = parse_folder(tmp_path, link, artifacts, real=real)
    assert named.lockfiles == ["code/poetry.lock", "code/requirements.txt"]
    # a package is located where its file really is (as before), the lockfile named where it sits
    assert [(p.name, p.loc) for p in named.packages] == [("requests", Loc("real/requirements.txt", 1))]
    assert [(p.name, p.loc) for p in vendored_in(link, artifacts, real=real)] == [
        ("six", Loc("code/lib/six-1.16.0.dist-info/METADATA", 2))
    ]
