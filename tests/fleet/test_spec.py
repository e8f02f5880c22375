"""FLEET.toml → FleetSpec (fnaudit.fleet.spec): targets, globs, defaults, derived names, and every error."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.errors import ConfigError
from fnaudit.fleet.model import Source, TargetSpec
from fnaudit.fleet.spec import DEFAULT_TIMEOUT, load
from tests.fleet.conftest import FleetBuilder


def test_every_kind_of_target_with_defaults(fleet_builder: FleetBuilder, tmp_path: Path) -> None:
    for name in ("repos/b", "repos/a", "repos/c"):
        fleet_builder.serverless(name)
    (tmp_path / "repos" / "notes.txt").write_text("not a folder")  # a glob expands into folders only
    path = fleet_builder.fleet(
        """
[defaults]
stage = "prod"
timeout = 120
params = { region = "eu-west-1", debug = true }
select = ["CODE", "AUTH001"]

[[target]]
path = "repos/*"

[[target]]
path = "elsewhere/app"
name = "other"
stage = "dev"
params = { debug = false, size = 3 }
config = "policy/.fnaudit.toml"
timeout = 1.5

[[target]]
git = "https://github.com/org/payments.git"
ref = "main"
subdir = "services/api"

[[target]]
git = "git@github.com:org/billing"

[[target]]
aws = "aws:eu-west-1"
profile = "audit"
role_arn = "arn:aws:iam::123456789012:role/audit"
"""
    )
    spec = load(path)
    assert spec.source_file == str(path)
    common = {"stage": "prod", "select": ("CODE", "AUTH001"), "timeout_seconds": 120.0}
    params = (("debug", "true"), ("region", "eu-west-1"))
    root = tmp_path.resolve()
    assert spec.targets == (
        TargetSpec("repos/a", Source.PATH, str(root / "repos/a"), params=params, **common),  # type: ignore[arg-type]
        TargetSpec("repos/b", Source.PATH, str(root / "repos/b"), params=params, **common),  # type: ignore[arg-type]
        TargetSpec("repos/c", Source.PATH, str(root / "repos/c"), params=params, **common),  # type: ignore[arg-type]
        TargetSpec(
            "other",
            Source.PATH,
            str(root / "elsewhere/app"),  # need not exist yet: a missing folder fails its target at scan time
            stage="dev",
            params=(("debug", "false"), ("region", "eu-west-1"), ("size", "3")),
            config=str(root / "policy/.fnaudit.toml"),
            select=("CODE", "AUTH001"),
            timeout_seconds=1.5,
        ),
        TargetSpec(
            "payments/services/api@main",
            Source.GIT,
            "https://github.com/org/payments.git",
            ref="main",
            subdir="services/api",
            params=params,
            **common,  # type: ignore[arg-type]
        ),
        TargetSpec("billing", Source.GIT, "git@github.com:org/billing", params=params, **common),  # type: ignore[arg-type]
        TargetSpec(
            "aws:eu-west-1@audit",
            Source.AWS,
            "aws:eu-west-1",
            profile="audit",
            role_arn="arn:aws:iam::123456789012:role/audit",
            params=params,
            **common,  # type: ignore[arg-type]
        ),
    )


def test_minimal_target_takes_the_defaults(fleet_builder: FleetBuilder, tmp_path: Path) -> None:
    spec = load(fleet_builder.fleet('[[target]]\npath = "."\n'))
    assert spec.targets == (TargetSpec(tmp_path.resolve().name, Source.PATH, str(tmp_path.resolve())),)
    assert spec.targets[0].timeout_seconds == DEFAULT_TIMEOUT


def test_a_folder_outside_the_fleet_file_is_named_by_its_full_path(fleet_builder: FleetBuilder, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    spec = load(fleet_builder.fleet('[[target]]\npath = "../elsewhere"\n', name="sub/FLEET.toml"))
    assert spec.targets[0].name == (tmp_path / "elsewhere").resolve().as_posix()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[target]]\npath = "a"\nbranch = "x"\n', "target 1: unknown key `branch` in [[target]]"),
        ('[[target]]\npath = "a"\n[[target]]\ngti = "x"\n', "target 2: unknown key `gti` in [[target]]"),
        ('[defaults]\npath = "a"\n[[target]]\npath = "a"\n', "[defaults]: unknown key `path` in [defaults]"),
        ('targets = []\n[[target]]\npath = "a"\n', "unknown key `targets` in the top level"),
        ("[defaults]\n", "no [[target]] table: the fleet has nothing to scan"),
        ('target = "a"\n', "`target` must be an array of tables ([[target]])"),
        ('[[target]]\nname = "x"\n', "target 1: a target needs exactly one of `path`, `git` or `aws` (found none)"),
        ('[[target]]\npath = "a"\nref = "main"\n', "target 1: `ref` applies to `git` targets only"),
        ('[[target]]\ngit = "u"\nprofile = "p"\n', "target 1: `profile` applies to `aws` targets only"),
        ('[[target]]\npath = ""\n', "target 1: `path` must be a non-empty string, not ''"),
        ('[[target]]\npath = 3\n', "target 1: `path` must be a non-empty string, not 3"),
        ('[[target]]\npath = "a"\ntimeout = 0\n', "target 1: `timeout` must be a positive number of seconds, not 0"),
        ('[[target]]\npath = "a"\ntimeout = "5"\n', "target 1: `timeout` must be a positive number of seconds, not '"),
        ('[[target]]\npath = "a"\nselect = "CODE"\n', "target 1: `select` must be a list of rule codes or names, not"),
        ('[[target]]\npath = "a"\nselect = ["NOPE999"]\n', "target 1: `select` names unknown rule `NOPE999`"),
        ('[[target]]\npath = "a"\nparams = { a = [1] }\n', "target 1: `params.a` must be a string or number, not [1]"),
        ('[[target]]\npath = "a"\nparams = "x"\n', "target 1: `params` must be a table of name = value, not 'x'"),
        ('[[target]]\ngit = "u"\nsubdir = "../x"\n', "target 1: `subdir`: '../x' must be a relative folder inside"),
        ('[[target]]\ngit = "u"\nsubdir = "/etc"\n', "target 1: `subdir`: '/etc' must be a relative folder inside"),
        ('[[target]]\ngit = "--upload-pack=x"\n', "target 1: `git`: '--upload-pack=x' is not a repository URL"),
        ('[[target]]\ngit = "u"\nref = "-x"\n', "target 1: `ref`: '-x' is not a branch, tag or commit"),
        ('[[target]]\naws = "eu-west-1"\n', "target 1: `aws`: 'eu-west-1' is not an aws: target (like"),
        ('[[target]]\npath = "nothing/*"\n', "target 1: `path`: the glob 'nothing/*' matches no folder"),
        ('defaults = 1\n[[target]]\npath = "a"\n', "`defaults` must be a table ([defaults]), not 1"),
    ],
)  # fmt: skip
def test_errors_name_the_file_the_target_and_the_key(fleet_builder: FleetBuilder, text: str, message: str) -> None:
    path = fleet_builder.fleet(text)
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(info.value).startswith(f"{path}: {message}"), str(info.value)


def test_two_sources_and_a_boolean_timeout(fleet_builder: FleetBuilder) -> None:
    both = fleet_builder.fleet('[[target]]\npath = "a"\ngit = "b"\n')
    with pytest.raises(ConfigError) as info:
        load(both)
    assert (
        str(info.value)
        == f"{both}: target 1: a target needs exactly one of `path`, `git` or `aws` (found `path`, `git`)"
    )
    flag = fleet_builder.fleet('[[target]]\npath = "a"\ntimeout = true\n')
    with pytest.raises(ConfigError) as info:
        load(flag)
    assert str(info.value) == f"{flag}: target 1: `timeout` must be a positive number of seconds, not True"


def test_duplicate_names_are_an_error_naming_both_targets(fleet_builder: FleetBuilder) -> None:
    fleet_builder.serverless("repos/api")
    fleet_builder.serverless("repos/web")
    text = (
        '[[target]]\npath = "repos/*"\n[[target]]\ngit = "https://x/api.git"\n[[target]]\ngit = "https://y/api.git"\n'
    )
    path = fleet_builder.fleet(text)
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(info.value) == (
        f"{path}: target 2 and target 3 are both named 'api'; target names must be unique (set `name` on one of them)"
    )
    clash = fleet_builder.fleet('[[target]]\npath = "repos/*"\n[[target]]\npath = "x"\nname = "repos/web"\n')
    with pytest.raises(ConfigError, match="target 1 and target 2 are both named 'repos/web'"):
        load(clash)


def test_one_name_for_a_glob_of_several_folders_is_an_error(fleet_builder: FleetBuilder) -> None:
    fleet_builder.serverless("repos/api")
    fleet_builder.serverless("repos/web")
    path = fleet_builder.fleet('[[target]]\npath = "repos/*"\nname = "all"\n')
    with pytest.raises(ConfigError, match=r"target 1: `name`: the glob 'repos/\*' matches 2 folders; one name cannot"):
        load(path)


def test_unreadable_or_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read fleet file"):
        load(tmp_path / "missing.toml")
    bad = tmp_path / "FLEET.toml"
    bad.write_text("[[target]\n")
    with pytest.raises(ConfigError, match=f"{bad} is not valid TOML: "):
        load(bad)
