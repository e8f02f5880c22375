"""Configuration files: every key, the errors users will meet, and flags over file values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fnaudit import config_file
from fnaudit.config import Config, IgnoreEntry
from fnaudit.errors import ConfigError
from fnaudit.findings import Severity
from fnaudit.pipeline import scan

pytestmark = pytest.mark.usefixtures("fake_rules")


FULL = """\
select = ["IAM", "AUTH001", "no-reserved-concurrency"]
ignore = ["OBS001"]
stage = "prod"
exclude = ["legacy/**", "*.bak.yml"]
baseline = "ci/baseline.json"

[severity]
AUTH001 = "critical"
no-reserved-concurrency = "info"

[params]
domain = "example.com"
replicas = 3
debug = false

[[ignores]]
rule = "AUTH001"
reason = "public status page"
path = "status/*"
function = "status"
until = 2027-01-31

[[ignores]]
rule = "iam-admin-access"
reason = "sandbox account"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_file_gives_defaults(tmp_path: Path) -> None:
    assert config_file.load(tmp_path) == Config()


def test_every_key_of_dot_file(tmp_path: Path) -> None:
    write(tmp_path, ".fnaudit.toml", FULL)
    c = config_file.load(tmp_path)
    assert c.select == ("IAM", "AUTH001", "no-reserved-concurrency")
    assert c.ignore == ("OBS001",)
    assert c.stage == "prod"
    assert c.exclude == ("legacy/**", "*.bak.yml")
    assert c.baseline == str(tmp_path / "ci/baseline.json")  # relative to the config file, not the cwd
    assert c.severity_overrides == {"AUTH001": Severity.CRITICAL, "DOS001": Severity.INFO}
    assert c.params == {"domain": "example.com", "replicas": "3", "debug": "false"}
    assert c.ignores == (
        IgnoreEntry("AUTH001", "public status page", "status/*", "status", dt.date(2027, 1, 31), ".fnaudit.toml:16"),
        IgnoreEntry("iam-admin-access", "sandbox account", source=".fnaudit.toml:23"),
    )


def test_pyproject_tool_table(tmp_path: Path) -> None:
    text = "[project]\nname = 'x'\n\n" + FULL.replace("[severity]", "[tool.fnaudit.severity]").replace(
        "[params]", "[tool.fnaudit.params]"
    ).replace("[[ignores]]", "[[tool.fnaudit.ignores]]")
    text = text.replace('select = ["IAM"', '[tool.fnaudit]\nselect = ["IAM"')
    write(tmp_path, "pyproject.toml", text)
    c = config_file.load(tmp_path)
    assert c.select == ("IAM", "AUTH001", "no-reserved-concurrency")
    assert [e.source for e in c.ignores] == ["pyproject.toml:20", "pyproject.toml:27"]


def test_dot_file_wins_and_pyproject_without_table_is_ignored(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.fnaudit]\nstage = 'from-pyproject'\n")
    write(tmp_path, ".fnaudit.toml", "stage = 'from-dot-file'\n")
    assert config_file.load(tmp_path).stage == "from-dot-file"
    other = tmp_path / "other"
    other.mkdir()
    write(other, "pyproject.toml", "[tool.black]\nline-length = 100\n")
    assert config_file.find(other) is None


def test_explicit_config_file(tmp_path: Path) -> None:
    cfg = write(tmp_path, "custom.toml", "stage = 'ci'\n")
    assert config_file.load(tmp_path / "elsewhere", cfg).stage == "ci"


def test_unknown_key_names_file_and_suggests(tmp_path: Path) -> None:
    write(tmp_path, ".fnaudit.toml", "selct = ['IAM']\n")
    with pytest.raises(ConfigError) as exc:
        config_file.load(tmp_path)
    message = str(exc.value)
    assert "unknown key `selct`" in message
    assert ".fnaudit.toml" in message
    assert "did you mean `select`?" in message
    assert (
        "known keys: advisories, baseline, exclude, ignore, ignores, params, select, severity, show, stage" in message
    )


def test_unknown_key_in_ignore_entry(tmp_path: Path) -> None:
    write(tmp_path, ".fnaudit.toml", "[[ignores]]\nrule = 'IAM001'\nreason = 'x'\nexpires = 2026-01-01\n")
    with pytest.raises(ConfigError, match=r"\.fnaudit\.toml:1: unknown key `expires`.*known keys: function, path"):
        config_file.load(tmp_path)


def test_missing_reason_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, ".fnaudit.toml", "\n[[ignores]]\nrule = 'IAM001'\n")
    with pytest.raises(ConfigError, match=r"\.fnaudit\.toml:2: ignore of `IAM001` needs a `reason`"):
        config_file.load(tmp_path)


def test_missing_rule_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, ".fnaudit.toml", "[[ignores]]\nreason = 'x'\n")
    with pytest.raises(ConfigError, match="needs `rule`"):
        config_file.load(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("select = ['IAM999']", "`select` names unknown rule `IAM999`"),
        ("ignore = ['iam-admin-acess']", "unknown rule `iam-admin-acess`; did you mean `iam-admin-access`?"),
        ("[severity]\nNOPE001 = 'high'", "`severity` names unknown rule `NOPE001`"),
        ("[severity]\nIAM001 = 'urgent'", "unknown severity 'urgent'"),
        ("[[ignores]]\nrule = 'XYZ'\nreason = 'r'", "`rule` names unknown rule `XYZ`"),
        ("[[ignores]]\nrule = 'IAM001'\nreason = 'r'\nuntil = 'soon'", "`until` must be a TOML date"),
        ("select = 'IAM001'", "`select` must be a list of strings"),
        ("stage = 3", "`stage` must be a non-empty string"),
        ("select = [", "not valid TOML"),
    ],
)
def test_invalid_values(tmp_path: Path, text: str, expected: str) -> None:
    write(tmp_path, ".fnaudit.toml", text + "\n")
    with pytest.raises(ConfigError) as exc:
        config_file.load(tmp_path)
    assert expected in str(exc.value)
    assert ".fnaudit.toml" in str(exc.value)


def test_flags_override_file_values(tmp_path: Path) -> None:
    write(tmp_path, ".fnaudit.toml", FULL)
    base = config_file.load(tmp_path)
    c = config_file.with_flags(
        base,
        select=["AUTH"],
        ignore=["DOS001"],
        stage="dev",
        params={"domain": "test.example", "extra": "1"},
        env={"HOME_REGION": "eu-west-1"},
        exclude=["tmp/**"],
        baseline="other.json",
        inline_ignores=False,
        today=dt.date(2026, 1, 2),
    )
    assert c.select == ("AUTH",)
    assert c.ignore == ("OBS001", "DOS001")
    assert c.stage == "dev"
    assert c.params == {"domain": "test.example", "replicas": "3", "debug": "false", "extra": "1"}
    assert c.env == {"HOME_REGION": "eu-west-1"}
    assert c.exclude == ("legacy/**", "*.bak.yml", "tmp/**")
    assert c.baseline == "other.json"
    assert c.inline_ignores is False
    assert c.today == dt.date(2026, 1, 2)
    assert config_file.with_flags(base) == base


def test_unknown_rule_in_flags(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="command line: `--select` names unknown rule `IMA001`"):
        config_file.with_flags(Config(), select=["IMA001"])


@pytest.mark.usefixtures("fake_loader")
def test_expired_and_unused_ignores_are_reported(app_dir: Path) -> None:
    write(
        app_dir,
        ".fnaudit.toml",
        """\
[[ignores]]
rule = "AUTH001"
reason = "temporary while the authorizer ships"
until = 2026-06-30

[[ignores]]
rule = "OBS001"
reason = "logs shipped elsewhere"
function = "no-such-function"
""",
    )
    config = config_file.with_flags(config_file.load(app_dir), today=dt.date(2026, 11, 29))
    result = scan(app_dir, config)
    warnings = {(e.path, e.stage, e.message) for e in result.errors}
    assert (
        ".fnaudit.toml:1",
        "config",
        "ignore of AUTH001 expired on 2026-06-30; fix the findings or extend `until`",
    ) in warnings
    assert (".fnaudit.toml:6", "config", "ignore of OBS001 matched no finding; remove it") in warnings
    auth = [f for f in result.findings if f.rule_id == "AUTH001"]
    assert auth and not any(f.suppressed for f in auth)  # expired: no longer suppresses


@pytest.mark.usefixtures("fake_loader")
def test_config_ignore_suppresses_with_reason(app_dir: Path) -> None:
    write(app_dir, ".fnaudit.toml", '[[ignores]]\nrule = "AUTH"\nreason = "internal API behind VPN"\n')
    result = scan(app_dir, config_file.load(app_dir))
    (auth,) = [f for f in result.findings if f.rule_id == "AUTH001"]
    assert auth.suppression is not None
    assert (auth.suppression.kind, auth.suppression.reason) == ("config", "internal API behind VPN")


@pytest.mark.usefixtures("fake_loader")
def test_expired_ignore_warns_on_stderr(app_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fnaudit import cli

    (app_dir / ".fnaudit.toml").write_text(
        '[[ignores]]\nrule = "AUTH001"\nreason = "temporary"\nuntil = 2026-06-30\n', encoding="utf-8"
    )
    cli.main(["scan", str(app_dir), "--date", "2026-11-29"])
    _, err = capsys.readouterr()
    assert "fnaudit: warning: .fnaudit.toml:1: ignore of AUTH001 expired on 2026-06-30" in err
    cli.main(["scan", str(app_dir), "--date", "2026-11-29", "--quiet"])
    assert capsys.readouterr()[1] == ""
