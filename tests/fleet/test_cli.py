"""`fnaudit fleet scan | report | diff` end to end: the history is exact across runs, failures are isolated."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from fnaudit.cli import main
from tests.fleet.conftest import SAM_RULES, SERVERLESS_RULES, FleetBuilder
from tests.fleet.postgres import PostgresServer, postgres_server

SCHEMA = json.loads((Path(__file__).parents[2] / "src" / "fnaudit" / "schema" / "fleet-v1.json").read_text("utf-8"))


def _scan(fleet: Path, history: str, *args: str) -> int:
    return main(["fleet", "scan", str(fleet), "--history", history, "--threads", "--workers", "2", "-q", *args])


def _report(history: str, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    capsys.readouterr()
    assert main(["fleet", "report", "--history", history, "-f", "json", *args]) == 0
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, SCHEMA)
    return report


@pytest.fixture(scope="module")
def pg_server() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def history(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The history database of a test: a SQLite file, or a new database of a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server.create_database(f"cli_{tmp_path.name.lower().replace('-', '_')[-40:]}")


def test_history_across_runs(
    fleet_builder: FleetBuilder, tmp_path: Path, history: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run twice with no change: 0 new, 0 fixed. Fix one app and break another: exactly those findings move. A
    failing target and a folder that is no app never stop the others, and a failed target's findings are kept."""
    fleet_builder.serverless("repos/api")
    fleet_builder.sam("repos/jobs")
    fleet_builder.folder("repos/docs", {"README.md": "docs only\n"})
    fleet = fleet_builder.fleet('[[target]]\npath = "repos/*"\n\n[[target]]\nname = "gone"\npath = "missing"\n')

    assert _scan(fleet, history) == 2  # "gone" failed: recorded, and the run says so
    first = _report(history, capsys)
    assert first["total_findings"] == len(SERVERLESS_RULES) + len(SAM_RULES)
    states = {t["name"]: t["status"] for t in first["targets"]}  # type: ignore[union-attr,index]
    assert states == {"repos/api": "ok", "repos/jobs": "ok", "repos/docs": "not-an-app", "gone": "failed"}

    assert _scan(fleet, history, "--errors", "warn") == 0  # nothing new
    second = _report(history, capsys)
    assert (second["new"], second["fixed"], second["total_findings"]) == ([], [], first["total_findings"])

    # the SAM app's command injection is fixed; the serverless app gets a second function (new findings)
    handler = fleet_builder.root / "repos" / "jobs" / "src" / "app.py"
    if not handler.exists():
        handler = next((fleet_builder.root / "repos" / "jobs").rglob("*.py"))
    handler.write_text("def handler(event, context):\n    return {'statusCode': 200}\n", encoding="utf-8")
    fleet_builder.serverless("repos/api", functions=2)
    assert _scan(fleet, history, "--errors", "warn") == 1  # new findings: a gate fails
    third = _report(history, capsys)
    fixed = sorted((f["target"], f["rule"]) for f in third["fixed"])  # type: ignore[union-attr,index]
    new = sorted((f["target"], f["rule"]) for f in third["new"])  # type: ignore[union-attr,index]
    # the route count in DOS005's message changes its identity: the old one is fixed, a new one appears
    assert fixed == [("repos/api", "DOS005"), ("repos/jobs", "CODE002")]
    assert new == [("repos/api", r) for r in ("AUTH001", "CODE003", "DOS001", "DOS005", "IAM004", "OBS001", "OBS002")]

    capsys.readouterr()
    assert main(["fleet", "diff", "2", "3", "--history", history, "-f", "json"]) == 1
    diff = json.loads(capsys.readouterr().out)
    assert sorted((f["target"], f["rule"]) for f in diff["new"]) == new
    assert main(["fleet", "diff", "1", "2", "--history", history]) == 0
    assert (
        main(["fleet", "report", "--history", history, "--since", "1", "-f", "html", "-o", str(tmp_path / "r.html")])
        == 0
    )
    assert "<svg" in (tmp_path / "r.html").read_text("utf-8")


def test_a_bad_fleet_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fleet = tmp_path / "FLEET.toml"
    fleet.write_text('[[target]]\npath = "a"\ncolour = "red"\n', encoding="utf-8")
    assert main(["fleet", "scan", str(fleet), "--history", f"sqlite:///{tmp_path / 'h.db'}"]) == 2
    err = capsys.readouterr().err
    assert "colour" in err and "Traceback" not in err


def test_an_unknown_run_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = f"sqlite:///{tmp_path / 'h.db'}"
    assert main(["fleet", "diff", "41", "42", "--history", history]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fnaudit: error: ") and "41" in err and "internal error" not in err
