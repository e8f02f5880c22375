"""Discovery: which files are apps, which folders are skipped, and what is reported."""

from __future__ import annotations

from pathlib import Path

from fnaudit.errors import Loss
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders.discover import NOT_A_TEMPLATE, Skipped, discover
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


def test_files_only_named_like_templates_are_skipped_quietly_with_a_record(tmp_path: Path) -> None:
    # Regression (issue 13, section 3): these were "not a CloudFormation or SAM template" errors,
    # which failed the scan (loss: app) on example repositories.
    _write(tmp_path, "app/serverless.yml", SLS)
    _write(tmp_path, "app/serverless.template.yml", "name: aws-python-http\norg: serverlessinc\ndescription: demo\n")
    _write(tmp_path, "docs/template.yaml", "title: a page template\nsections: [intro]\n")
    _write(tmp_path, "infra/cloudformation.json", "{}")
    _write(tmp_path, "broken/template.yaml", "Resources:\n  Fn: {Type: AWS::Lambda::Function\n")
    out = discover(tmp_path, ScanRoot.of(tmp_path))
    assert [(d.rel, d.dialect) for d in out.docs] == [("app/serverless.yml", Dialect.SERVERLESS)]
    # one that does not parse is still a lost app (it may be a broken template: tests/test_bad_input.py)
    assert [(e.path, e.message.split(":")[0], e.loss) for e in out.errors] == [
        ("broken/template.yaml", "YAML syntax error", Loss.APP)
    ]
    assert out.skipped == [
        Skipped("app/serverless.template.yml", NOT_A_TEMPLATE),
        Skipped("docs/template.yaml", NOT_A_TEMPLATE),
        Skipped("infra/cloudformation.json", NOT_A_TEMPLATE),
    ]
    # named on the command line, the same file is still an error: the user asked for it
    direct = discover(tmp_path / "app" / "serverless.template.yml", ScanRoot.of(tmp_path))
    assert [(e.path, e.message, e.loss) for e in direct.errors] == [
        (
            "app/serverless.template.yml",
            "not a CloudFormation or SAM template: no `Resources` with AWS:: resource types",
            Loss.APP,
        )
    ]
