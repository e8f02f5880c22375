"""Running a fleet: one target's scan (fleet.outcome), git targets (fleet.gitcache), and the Dask execution
(fleet.execute) on a local cluster with threads and, once, with processes.

A crashing target is one whose config file is invalid (the scan raises ConfigError), or a git URL that does not
exist; a slow one has a tiny timeout; a worker that dies is simulated by a task that ends its process.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fnaudit.fleet import gitcache
from fnaudit.fleet.execute import run_targets
from fnaudit.fleet.model import FleetSpec, Source, Status, TargetOutcome, TargetSpec
from fnaudit.fleet.outcome import scan_target
from fnaudit.fleet.spec import load
from tests.fleet.conftest import SAM_RULES, SERVERLESS2_RULES, SERVERLESS_RULES, FleetBuilder

TODAY = dt.date(2026, 11, 29)
BROKEN_CONFIG = {".fnaudit.toml": "bogus = 1\n"}


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _bare_repo(work: Path, bare: Path) -> str:
    """`work` committed into a new repository, pushed to the bare repository `bare`; its file:// URL."""
    _git(work, "init", "-q")
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "first")
    _git(work.parent, "clone", "-q", "--bare", str(work), str(bare))
    _git(work, "remote", "add", "origin", str(bare))
    return bare.as_uri()


def _rules(outcome: TargetOutcome) -> tuple[str, ...]:
    return tuple(sorted(f.rule_id for f in outcome.findings))


# --- one target ---------------------------------------------------------------------------------------------


def test_scan_target_records_findings_and_functions(fleet_builder: FleetBuilder, tmp_path: Path) -> None:
    app = fleet_builder.sam("sam-app")
    outcome = scan_target(TargetSpec("jobs", Source.PATH, str(app)), tmp_path / "cache", TODAY)
    assert (outcome.target, outcome.status, outcome.error, outcome.errors) == ("jobs", Status.OK, None, ())
    assert _rules(outcome) == SAM_RULES
    code = next(f for f in outcome.findings if f.rule_id == "CODE002")
    assert (code.severity, code.category, code.function, code.path, code.line, code.suppressed) == (
        "critical",
        "injection",
        "Ping",
        "src/app.py",
        6,
        False,
    )
    assert len(code.fingerprint) >= 8 and code.key == ""
    [fn] = outcome.functions
    assert (fn.name, fn.app, fn.runtime, fn.public) == ("Ping", "template.yaml", "python3.12", True)
    assert fn.risk > 0 and fn.blast_radius == 17.6
    assert outcome.revision is None and outcome.scanned_at.endswith("+00:00") and outcome.tool_version


def test_scan_target_applies_select_stage_and_params(fleet_builder: FleetBuilder, tmp_path: Path) -> None:
    app = fleet_builder.serverless("api")
    spec = TargetSpec("api", Source.PATH, str(app), stage="prod", params=(("x", "1"),), select=("CODE",))
    assert _rules(scan_target(spec, tmp_path / "cache", TODAY)) == ("CODE003",)


def test_scan_target_with_an_invalid_config_file_fails_with_the_error(
    fleet_builder: FleetBuilder, tmp_path: Path
) -> None:
    app = fleet_builder.serverless("api")
    fleet_builder.folder("api", BROKEN_CONFIG)
    outcome = scan_target(TargetSpec("api", Source.PATH, str(app)), tmp_path / "cache", TODAY)
    assert outcome.status is Status.FAILED and outcome.findings == ()
    assert outcome.error is not None and outcome.error.startswith("ConfigError: .fnaudit.toml: unknown key `bogus`")


def test_scan_target_of_a_missing_folder_or_no_app(fleet_builder: FleetBuilder, tmp_path: Path) -> None:
    missing = scan_target(TargetSpec("gone", Source.PATH, str(tmp_path / "gone")), tmp_path / "cache", TODAY)
    assert (missing.status, missing.error) == (Status.FAILED, f"FileNotFoundError: {tmp_path / 'gone'} is not a folder")
    docs = fleet_builder.folder("docs", {"README.md": "# docs\n", "tool.py": "print(1)\n"})
    empty = scan_target(TargetSpec("docs", Source.PATH, str(docs)), tmp_path / "cache", TODAY)
    assert (empty.status, empty.error, empty.findings, empty.functions) == (Status.NOT_AN_APP, None, (), ())


def test_scan_target_with_an_unloadable_app_fails(fleet_builder: FleetBuilder, tmp_path: Path) -> None:
    bad = fleet_builder.folder("bad", {"serverless.yml": "service: x\nfunctions: [unclosed\n"})
    outcome = scan_target(TargetSpec("bad", Source.PATH, str(bad)), tmp_path / "cache", TODAY)
    assert outcome.status is Status.FAILED
    assert outcome.error is not None and outcome.error.startswith("ScanError: serverless.yml: ")


def test_aws_target_with_a_role_fails_with_a_clear_message(tmp_path: Path) -> None:
    spec = TargetSpec("prod", Source.AWS, "aws:eu-west-1", role_arn="arn:aws:iam::123456789012:role/audit")
    outcome = scan_target(spec, tmp_path / "cache", TODAY)
    assert outcome.status is Status.FAILED
    assert outcome.error is not None and outcome.error.startswith("NotImplementedError: role_arn: ")


# --- git targets ----------------------------------------------------------------------------------------------


def test_git_target_clones_then_follows_new_commits_refs_and_subdirs(
    fleet_builder: FleetBuilder, tmp_path: Path
) -> None:
    work = fleet_builder.serverless("work/services/api")
    url = _bare_repo(tmp_path / "work", tmp_path / "bare.git")
    first = _git(work, "rev-parse", "HEAD")
    _git(work, "tag", "v1")
    cache = tmp_path / "cache"
    spec = TargetSpec("api", Source.GIT, url, subdir="services/api")
    outcome = scan_target(spec, cache, TODAY)
    assert (outcome.status, outcome.revision, _rules(outcome)) == (Status.OK, first, SERVERLESS_RULES)
    assert (gitcache.cache_folder(url, cache) / "services/api/serverless.yml").is_file()

    fleet_builder.serverless("work/services/api", functions=2)  # a second function, committed and pushed
    _git(work, "commit", "-qam", "second")
    _git(work, "push", "-q", "--tags", "origin", "main")
    second = _git(work, "rev-parse", "HEAD")
    again = scan_target(spec, cache, TODAY)
    assert (again.status, again.revision, _rules(again)) == (Status.OK, second, SERVERLESS2_RULES)
    for ref in ("v1", first):  # a tag, then a commit: back to one function
        pinned = scan_target(TargetSpec("api", Source.GIT, url, ref=ref, subdir="services/api"), cache, TODAY)
        assert (pinned.status, pinned.revision, _rules(pinned)) == (Status.OK, first, SERVERLESS_RULES)
    branch = scan_target(TargetSpec("api", Source.GIT, url, ref="main", subdir="services/api"), cache, TODAY)
    assert branch.revision == second


def test_git_target_errors(fleet_builder: FleetBuilder, tmp_path: Path) -> None:
    fleet_builder.serverless("work/api")
    url = _bare_repo(tmp_path / "work", tmp_path / "bare.git")
    cache = tmp_path / "cache"
    missing = scan_target(TargetSpec("x", Source.GIT, (tmp_path / "nope.git").as_uri()), cache, TODAY)
    assert missing.status is Status.FAILED
    assert missing.error is not None and missing.error.startswith("GitError: git clone failed: ")
    no_ref = scan_target(TargetSpec("x", Source.GIT, url, ref="nope"), cache, TODAY)
    assert (no_ref.status, no_ref.error) == (
        Status.FAILED,
        "GitError: no branch, tag or commit 'nope' in the repository",
    )
    outside = scan_target(TargetSpec("x", Source.GIT, url, subdir="../.."), cache, TODAY)
    assert (outside.status, outside.error) == (Status.FAILED, "ValueError: subdir '../..' leaves the repository")


def test_git_retries_transient_failures_twice(
    fleet_builder: FleetBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fake `git` first on PATH fails `clone` with a network error the first N times, then runs the real one."""
    fleet_builder.serverless("work/api")
    url = _bare_repo(tmp_path / "work", tmp_path / "bare.git")
    real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout.strip()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    counter = tmp_path / "attempts"
    fake = bin_dir / "git"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = clone ]; then\n'
        f"  n=$(cat {counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {counter}\n"
        '  if [ "$n" -le "$FAILS" ]; then\n'
        '    echo "fatal: unable to access: Could not resolve host: example" >&2; exit 128\n'
        "  fi\n"
        "fi\n"
        f'exec {real} "$@"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    monkeypatch.setenv("FAILS", "2")
    with gitcache.checked_out(url, tmp_path / "c1", backoff=(0.01,)) as checkout:
        assert (checkout.folder / "api/serverless.yml").is_file()
    assert counter.read_text().strip() == "3"

    counter.unlink()
    monkeypatch.setenv("FAILS", "3")
    with (
        pytest.raises(gitcache.GitError, match="Could not resolve host") as info,
        gitcache.checked_out(url, tmp_path / "c2", backoff=(0.01,)),
    ):
        pass
    assert info.value.transient and counter.read_text().strip() == "3"
    assert not gitcache.cache_folder(url, tmp_path / "c2").exists()  # no half clone left behind


def test_git_credentials_in_urls_are_redacted() -> None:
    said = gitcache.redact("fatal: unable to access 'https://bob:s3cr3t@git.example.com/org/api.git/'")
    assert said == "fatal: unable to access 'https://***@git.example.com/org/api.git/'"


# --- the fleet on Dask ------------------------------------------------------------------------------------------


def test_fleet_on_a_threaded_local_cluster(fleet_builder: FleetBuilder, tmp_path: Path) -> None:
    fleet_builder.serverless("repos/api")
    fleet_builder.serverless("repos/billing", functions=2)
    fleet_builder.sam("repos/jobs")
    fleet_builder.folder("repos/docs", {"README.md": "# docs\n"})
    fleet_builder.serverless("repos/broken")
    fleet_builder.folder("repos/broken", BROKEN_CONFIG)
    fleet_builder.sam("slow")
    fleet_builder.serverless("work/api")
    url = _bare_repo(tmp_path / "work", tmp_path / "bare.git")
    path = fleet_builder.fleet(
        f"""
[[target]]
path = "repos/*"

[[target]]
path = "slow"
timeout = 0.001

[[target]]
git = "{url}"
name = "git-api"

[[target]]
git = "{(tmp_path / "missing.git").as_uri()}"
name = "git-missing"
"""
    )
    spec = load(path)
    done: list[TargetOutcome] = []
    ticks: list[tuple[int, int, int, int]] = []
    outcomes = run_targets(
        spec,
        scheduler=None,
        workers=3,
        processes=False,
        cache=tmp_path / "cache",
        on_done=done.append,
        progress=lambda *tick: ticks.append(tick),
        today=TODAY,
    )
    names = [t.name for t in spec.targets]
    assert names == ["repos/api", "repos/billing", "repos/broken", "repos/docs", "repos/jobs", "slow", "git-api",
                     "git-missing"]  # fmt: skip
    assert [o.target for o in outcomes] == names
    assert sorted(o.target for o in done) == sorted(names)  # each handed on exactly once
    got = {o.target: (o.status, _rules(o)) for o in outcomes}
    assert got == {
        "repos/api": (Status.OK, SERVERLESS_RULES),
        "repos/billing": (Status.OK, SERVERLESS2_RULES),
        "repos/broken": (Status.FAILED, ()),
        "repos/docs": (Status.NOT_AN_APP, ()),
        "repos/jobs": (Status.OK, SAM_RULES),
        "slow": (Status.TIMEOUT, ()),
        "git-api": (Status.OK, SERVERLESS_RULES),
        "git-missing": (Status.FAILED, ()),
    }
    by_name = {o.target: o for o in outcomes}
    assert by_name["slow"].error == "no result after 0.001 s; the scan was abandoned"
    assert str(by_name["repos/broken"].error).startswith("ConfigError: .fnaudit.toml: unknown key `bogus`")
    assert str(by_name["git-missing"].error).startswith("GitError: git clone failed: ")
    assert by_name["git-api"].revision == _git(tmp_path / "work", "rev-parse", "HEAD")
    assert ticks[0] == (0, 0, 3, 8) and ticks[-1] == (8, 3, 0, 8)
    assert [t[0] for t in ticks] == list(range(9)) and all(t[2] == min(3, 8 - t[0]) for t in ticks)


def test_an_exception_in_on_done_stops_the_run(fleet_builder: FleetBuilder, tmp_path: Path) -> None:
    fleet_builder.serverless("a")
    fleet_builder.serverless("b")
    spec = load(fleet_builder.fleet('[[target]]\npath = "a"\n[[target]]\npath = "b"\n'))

    def refuse(outcome: TargetOutcome) -> None:
        raise RuntimeError("history is down")

    with pytest.raises(RuntimeError, match="history is down"):
        run_targets(spec, scheduler=None, workers=1, processes=False, cache=tmp_path / "c", on_done=refuse)


def slow_task(spec: TargetSpec, cache: Path, today: dt.date | None) -> TargetOutcome:
    time.sleep(0.5)  # long enough for two runs to overlap on one cluster
    return scan_target(spec, cache, today)


def raising_task(spec: TargetSpec, cache: Path, today: dt.date | None) -> TargetOutcome:
    raise RuntimeError(f"bug scanning {spec.name}")


def test_fleet_on_an_existing_cluster_with_two_runs_at_once(fleet_builder: FleetBuilder, tmp_path: Path) -> None:
    """Two runs share the cluster at the same time and each gets its own results (task keys are per run), and the
    cluster is left running."""
    import distributed

    fleet_builder.serverless("one/app")
    fleet_builder.serverless("two/app", functions=2)
    one = load(fleet_builder.fleet('[[target]]\npath = "one/app"\nname = "app"\n', name="one.toml"))
    two = load(fleet_builder.fleet('[[target]]\npath = "two/app"\nname = "app"\n', name="two.toml"))
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", dashboard_address=":0"
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")

        def run(spec: FleetSpec) -> tuple[TargetOutcome, ...]:
            return run_targets(
                spec, scheduler=address, workers=None, processes=True, cache=tmp_path / "c", on_done=lambda o: None,
                task=slow_task,
            )  # fmt: skip

        with ThreadPoolExecutor(2) as pool:
            [first], [second] = pool.map(run, [one, two])
        assert (first.status, _rules(first)) == (Status.OK, SERVERLESS_RULES)
        assert (second.status, _rules(second)) == (Status.OK, SERVERLESS2_RULES)
        assert cluster.status.name == "running"


def test_a_task_that_raises_fails_its_target_at_once(fleet_builder: FleetBuilder, tmp_path: Path) -> None:
    fleet_builder.serverless("api")
    spec = load(fleet_builder.fleet('[[target]]\npath = "api"\ntimeout = 60\n'))
    started = time.monotonic()
    [outcome] = run_targets(
        spec, scheduler=None, workers=1, processes=False, cache=tmp_path / "c", on_done=lambda o: None,
        task=raising_task,
    )  # fmt: skip
    assert (outcome.status, outcome.error) == (Status.FAILED, "RuntimeError: bug scanning api")
    assert time.monotonic() - started < 30  # not held until the timeout


def dying_task(spec: TargetSpec, cache: Path, today: dt.date | None) -> TargetOutcome:
    """Runs on a worker process (imported by name there): ends the process for the target named `dies`."""
    if spec.name == "dies":
        os._exit(1)
    return scan_target(spec, cache, today)


def test_fleet_on_worker_processes(fleet_builder: FleetBuilder, tmp_path: Path) -> None:
    fleet_builder.serverless("api")
    fleet_builder.sam("jobs")
    fleet_builder.serverless("broken")
    fleet_builder.folder("broken", BROKEN_CONFIG)
    fleet_builder.folder("dies", {"README.md": "x\n"})
    spec = load(
        fleet_builder.fleet(
            '[[target]]\npath = "api"\n[[target]]\npath = "jobs"\n[[target]]\npath = "broken"\n'
            '[[target]]\npath = "dies"\n'
        )
    )
    done: list[str] = []
    outcomes = run_targets(
        spec,
        scheduler=None,
        workers=2,
        processes=True,
        cache=tmp_path / "cache",
        on_done=lambda o: done.append(o.target),
        today=TODAY,
        task=dying_task,
    )
    got = {o.target: (o.status, _rules(o)) for o in outcomes}
    assert got == {
        "api": (Status.OK, SERVERLESS_RULES),
        "jobs": (Status.OK, SAM_RULES),
        "broken": (Status.FAILED, ()),
        "dies": (Status.FAILED, ()),
    }
    assert Counter(done) == Counter(["api", "jobs", "broken", "dies"])
    assert str({o.target: o for o in outcomes}["dies"].error).startswith("KilledWorker: ")
