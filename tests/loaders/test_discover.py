"""Discovery: which files are apps, which folders are skipped, and what is reported."""

from __future__ import annotations

from pathlib import Path

from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders.discover import discover
from fnaudit.model.app import Dialect

SLS = "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions: {f: {handler: h.handler}}\n"
CFN = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
SAM = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"


def _write(root: Path, rel: str, text: str) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def _found(root: Path, target: Path | None = None) -> list[tuple[str, Dialect]]:
    out = discover(target or root, ScanRoot.of(root))
    return [(d.rel, d.dialect) for d in out.docs]


def test_monorepo_finds_every_app_and_skips_build_and_dependency_folders(tmp_path: Path) -> None:
    _write(tmp_path, "services/orders/serverless.yml", SLS)
    _write(tmp_path, "services/users/template.yaml", SAM)
    _write(tmp_path, "infra/stack.yaml", CFN)
    _write(tmp_path, "infra/data.json", '{"a": 1}')
    _write(tmp_path, "docker-compose.yml", "services: {web: {image: nginx}}\n")
    for skipped in (
        "node_modules/x",
        ".serverless",
        ".aws-sam/build",
        "cdk.out",
        ".git",
        "venv",
        "services/orders/.venv",
    ):
        _write(tmp_path, f"{skipped}/template.yaml", SAM)
    _write(tmp_path, "envdir/pyvenv.cfg", "home = /usr\n")
    _write(tmp_path, "envdir/template.yaml", SAM)
    assert _found(tmp_path) == [
        ("infra/stack.yaml", Dialect.CLOUDFORMATION),
        ("services/orders/serverless.yml", Dialect.SERVERLESS),
        ("services/users/template.yaml", Dialect.SAM),
    ]


def test_a_skipped_folder_is_scanned_when_pointed_at_directly(tmp_path: Path) -> None:
    _write(tmp_path, "cdk.out/App.template.json", '{"Resources": {"Fn": {"Type": "AWS::Lambda::Function"}}}')
    assert _found(tmp_path / "cdk.out", tmp_path / "cdk.out") == [("App.template.json", Dialect.CLOUDFORMATION)]


def test_serverless_file_that_is_not_a_service_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "serverless.yml", "foo: bar\n")
    out = discover(tmp_path, ScanRoot.of(tmp_path))
    assert out.docs == []
    assert [(e.path, e.message) for e in out.errors] == [
        (
            "serverless.yml",
            "not a Serverless Framework service: expected a mapping with `service`, `provider` and `functions`",
        )
    ]


def test_a_file_named_directly_must_be_a_template(tmp_path: Path) -> None:
    _write(tmp_path, "config.yaml", "logging: {level: info}\n")
    out = discover(tmp_path / "config.yaml", ScanRoot.of(tmp_path))
    assert [(e.path, e.message) for e in out.errors] == [
        ("config.yaml", "not a CloudFormation or SAM template: no `Resources` with AWS:: resource types")
    ]


def test_symlinked_folders_are_not_followed(tmp_path: Path) -> None:
    _write(tmp_path, "app/serverless.yml", SLS)
    (tmp_path / "app" / "loop").symlink_to(tmp_path)
    assert _found(tmp_path) == [("app/serverless.yml", Dialect.SERVERLESS)]


def test_excluded_globs(tmp_path: Path) -> None:
    _write(tmp_path, "a/serverless.yml", SLS)
    _write(tmp_path, "examples/b/serverless.yml", SLS)
    out = discover(tmp_path, ScanRoot.of(tmp_path), exclude=("examples",))
    assert [d.rel for d in out.docs] == ["a/serverless.yml"]
