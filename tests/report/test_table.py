"""The terminal table: grouping order, the summary line, plain text when not a terminal."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from fnaudit.errors import ScanError
from fnaudit.findings import Finding, Severity
from fnaudit.model.loc import Loc
from fnaudit.pipeline import ScanResult
from fnaudit.report import Format, render
from fnaudit.report.options import RenderOptions
from fnaudit.report.table import groups, shorten_path, summary
from tests.conftest import REPO, SCAN_DATE
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
    # a header line per finding (columns aligned when they fit), the message indented on the next line
    assert lines[1:7] == [
        "  critical  IAM001 iam-admin-access         serverless.yml:8",
        "      the role of api allows every action on every resource",
        "  high      AUTH001 http-no-authorizer      serverless.yml:18",
        "      api GET /items has no authorizer",
        "  low       DOS001 no-reserved-concurrency  serverless.yml:12",
        "      api has no reserved concurrency",
    ]
    # the app-level finding is info: counted in one line above the summary, not listed (issue 22)
    assert "serverless.yml (app-level)" not in lines
    assert lines[-2:] == [
        "1 info finding: --show info",
        "4 findings (1 critical, 1 high, 1 low, 1 info) in 2 functions across 1 app; 1 suppressed",
    ]
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
    f = replace(finding("AUTH001", "api", 8, "x " * 150 + "end", "f1"), location=Loc(long_path, 8))
    out = text(make_result(findings=(f,)))
    assert f"{long_path}:8" in out
    assert "      " + "x " * 150 + "end" in out.splitlines()  # the whole message, on one line
    assert "\x1b[" not in out
    assert all(line == line.rstrip() for line in out.splitlines())


def test_colour_when_asked() -> None:
    assert "\x1b[" in text(make_result(), color=True, width=100)


def test_secret_values_not_printed() -> None:
    assert "hunter2" not in text(make_result(), verbose=True)


# --- narrow terminals (issue 11): a header line per finding, the message below, paths shortened ------


@pytest.fixture(scope="module")
def example() -> ScanResult:
    from fnaudit.config import Config
    from fnaudit.pipeline import scan

    return scan(REPO / "examples" / "shop-api", Config(today=SCAN_DATE))


@pytest.mark.parametrize("width", [80, 100, 160])
def test_the_example_fits_the_terminal(example: ScanResult, width: int) -> None:
    out = text(example, width=width)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    for f in example.active_findings:
        if f.severity is Severity.INFO:
            continue  # counted in the summary line of its app (report.info_summary), not listed
        if f.shown_with is not None:
            continue  # an attack path's foothold: named under its path (fnaudit.merge), not listed again
        # its header line: severity, rule code, the path's file name and the line, all on one line
        header = next(
            (
                i
                for i, line in enumerate(lines)
                if line.split()[:2] == [f.severity.value, f.rule_id]
                and line.endswith(_tail(f))
                and lines[i + 1].strip().startswith(f.message[:20].strip())
            ),
            None,
        )
        assert header is not None, f"{f.rule_id} {f.location} not shown at width {width}"
    headings = [h for h, _ in groups(example, include_info=False)]
    listed = [f for f in example.active_findings if f.severity is not Severity.INFO and f.shown_with is None]
    # at most 3 lines per finding (header and two lines of message), plus a heading (that may wrap
    # once) and a blank line per group, the info line (that may wrap once) and the summary; and
    # under an attack path, the line naming its foothold (which may wrap once)
    extra = 2 * sum(len(f.related) + bool(f.merged) for f in listed)
    assert len(lines) <= 3 * len(listed) + 3 * len(headings) + 2 + 2 + extra


def _tail(f: Finding) -> str:
    return f"{f.location.path.rsplit('/', 1)[-1]}:{f.location.line}"


def test_at_80_columns_the_message_has_its_own_lines() -> None:
    msg = (
        "event.queryStringParameters.day (from function URL, public with no authorizer) reaches subprocess.run at "
        "line 9: OS command injection lets anyone on the internet run commands as the function, with its role"
    )
    f = finding("AUTH001", "api", 12, msg, "f1")
    lines = text(make_result(findings=(f,)), width=80).splitlines()
    assert lines[1] == "  high      AUTH001 http-no-authorizer  serverless.yml:12"
    assert lines[2] == "      event.queryStringParameters.day (from function URL, public with no"
    assert lines[3] == "      authorizer) reaches subprocess.run at line 9: OS command injection lets…"
    assert lines[4] == ""
    # --verbose (and a pipe) show the whole message
    verbose = text(make_result(findings=(f,)), width=80, verbose=True).splitlines()
    assert verbose[4] == "      anyone on the internet run commands as the function, with its role"


def test_long_paths_are_shortened_from_the_left_with_an_ellipsis() -> None:
    path = "services/orders/src/very/deeply/nested/package/of/the/team/handlers/create_order_handler.py"
    f = replace(finding("AUTH001", "api", 123, "open route", "f1"), location=Loc(path, 123))
    header = text(make_result(findings=(f,)), width=80).splitlines()[1]
    assert header == "  high      AUTH001 http-no-authorizer  …/handlers/create_order_handler.py:123"
    assert len(header) <= 80
    assert shorten_path(f"{path}:123", 30) == "…/create_order_handler.py:123"
    assert shorten_path(f"{path}:123", 20) == "…rder_handler.py:123"  # not even the file name fits
    assert shorten_path("a/b.py:1", 30) == "a/b.py:1"
    assert shorten_path("a/" * 30 + "b.py", 12) == "…/a/a/a/b.py"


def test_a_long_rule_name_gives_way_to_the_location() -> None:
    path = "functions/" + "x" * 40 + "/handler.py"
    f = replace(
        finding("DOS001", "api", 7, "no limit", "f1"),
        location=Loc(path, 7),
        rule_name="public-function-without-concurrency-limit",
    )
    header = text(make_result(findings=(f,)), width=80).splitlines()[1]
    assert header == "  low       DOS001 public-function-without-concurrency-limit  …/handler.py:7"
    f = replace(f, location=Loc("functions/" + "y" * 40 + "_handler.py", 7))
    header = text(make_result(findings=(f,)), width=80).splitlines()[1]
    assert header == "  low       DOS001 public-function-without-co…  …" + ("y" * 40 + "_handler.py:7")[-31:]
    assert len(header) == 80


def test_headings_and_summary_wrap_at_the_width() -> None:
    result = make_result(errors=(ScanError("broken.yml", "not valid YAML " * 10, "load"),))
    for width in (40, 60):
        out = text(result, width=width, verbose=True)
        assert max(len(line) for line in out.splitlines()) <= width, out
    assert "4 findings (1 critical, 1 high, 1 low, 1 info) in 2" in text(result, width=60)
