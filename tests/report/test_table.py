"""The terminal table: grouping order, the summary line, plain text when not a terminal."""

from __future__ import annotations

import io
from dataclasses import replace

from fnaudit.errors import ScanError
from fnaudit.model.loc import Loc
from fnaudit.report import Format, render
from fnaudit.report.options import RenderOptions
from fnaudit.report.table import groups, summary
from fnaudit.scan import ScanResult
from tests.report.builders import finding, make_result


def text(result: ScanResult, **options: object) -> str:
    out = io.StringIO()
    render(result, Format.TABLE, out, RenderOptions(**options))  # type: ignore[arg-type]
    return out.getvalue()


def test_groups_in_order_of_their_worst_finding() -> None:
    result = make_result()
    assert [(h, [f.rule_id for f in fs]) for h, fs in groups(result)] == [
        ("api (serverless.yml)", ["IAM001", "AUTH001", "DOS001"]),
        ("serverless.yml (app-level)", ["OBS001"]),
    ]
    with_suppressed = [h for h, _ in groups(result, include_suppressed=True)]
    assert with_suppressed == ["api (serverless.yml)", "worker (serverless.yml)", "serverless.yml (app-level)"]


def test_a_group_with_a_worse_finding_comes_first() -> None:
    findings = (
        finding("AUTH001", "worker", 25, "worker route open", "f1"),
        finding("DOS001", "api", 12, "api has no reserved concurrency", "f2"),
        finding("DOS001", "worker", 21, "worker has no reserved concurrency", "f3"),
    )
    assert [h for h, _ in groups(make_result(findings=findings))] == ["worker (serverless.yml)", "api (serverless.yml)"]


def test_rows_and_summary() -> None:
    lines = text(make_result()).splitlines()
    assert lines[0] == "api (serverless.yml)"
    assert lines[1].split() == ["critical", "IAM001", "iam-admin-access", "serverless.yml:8",
                                "the", "role", "of", "api", "allows", "every", "action", "on", "every", "resource"]
    assert lines[2].split()[:4] == ["high", "AUTH001", "http-no-authorizer", "serverless.yml:18"]
    assert lines[3].split()[:4] == ["low", "DOS001", "no-reserved-concurrency", "serverless.yml:12"]
    assert lines[5] == "serverless.yml (app-level)"
    assert lines[-1] == "4 findings (1 critical, 1 high, 1 low, 1 info) in 2 functions across 1 app; 1 suppressed"
    assert "worker" not in "\n".join(lines)  # its only finding is suppressed


def test_summary_line_variants() -> None:
    assert summary(make_result(findings=())) == "No findings in 2 functions across 1 app"
    one = (finding("AUTH001", "api", 18, "open", "f1"),)
    errors = (ScanError("a.yml", "bad", "load"), ScanError("b.yml", "bad", "load"))
    assert summary(make_result(findings=one, errors=errors)) == (
        "1 finding (1 high) in 2 functions across 1 app; 2 errors"
    )


def test_errors_counted_and_listed_with_verbose() -> None:
    result = make_result(errors=(ScanError("broken.yml", "not valid YAML (line 3)", "load"),))
    plain = text(result)
    assert plain.splitlines()[-2].endswith("; 1 suppressed; 1 error")
    assert "not valid YAML" not in plain
    verbose = text(result, verbose=True)
    assert "broken.yml: not valid YAML (line 3) [load]" in verbose
    assert "[suppressed (config): worker role is reviewed by the platform team]" in verbose


def test_quiet_prints_only_the_summary() -> None:
    assert text(make_result(), quiet=True) == (
        "4 findings (1 critical, 1 high, 1 low, 1 info) in 2 functions across 1 app; 1 suppressed\n"
    )


def test_plain_text_is_never_cut_and_has_no_colour() -> None:
    long_path = "services/" + "very-long-folder-name/" * 12 + "serverless.yml"
    f = replace(finding("AUTH001", "api", 8, "x " * 150, "f1"), location=Loc(long_path, 8))
    out = text(make_result(findings=(f,)))
    assert f"{long_path}:8" in out
    assert "\x1b[" not in out
    assert all(line == line.rstrip() for line in out.splitlines())


def test_colour_when_asked() -> None:
    assert "\x1b[" in text(make_result(), color=True, width=100)


def test_secret_values_not_printed() -> None:
    assert "hunter2" not in text(make_result(), verbose=True)
