"""The HTML report without a browser: self-contained, escaped, no secret values, one card per function."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import pytest

from fnaudit import cli
from fnaudit.findings import Finding, TraceStep
from fnaudit.model.loc import Loc
from fnaudit.report import Format, render
from fnaudit.report.html import reach
from fnaudit.scan import ScanResult
from tests.report.builders import make_app, make_result, sample_findings


def to_html(result: ScanResult) -> str:
    out = io.StringIO()
    render(result, Format.HTML, out)
    return out.getvalue()


def test_self_contained() -> None:
    page = to_html(make_result())
    assert page.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in page  # the CSP forbids any fetch
    # no external resource of any kind: no src/href to a URL, no @import, no url() in the CSS
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert "<script src" not in page and "<link" not in page


def test_one_card_per_function_with_graph() -> None:
    page = to_html(make_result())
    assert page.count('<article class="card') == 2
    assert page.count('<svg class="graph"') == 2
    assert 'data-fn="api"' in page and 'data-fn="worker"' in page
    # api: public GET /items without authorizer → an "open" trigger node; role reaches everything
    assert 'class="node trigger open"' in page
    assert "* · * (every resource)" in page
    assert "App-level findings" in page  # OBS001 has no function


def test_environment_values_never_rendered() -> None:
    page = to_html(make_result())
    assert "hunter2hunter2hunter2" not in page  # DB_PASSWORD's value in the App model


def test_values_are_escaped() -> None:
    evil = "<script>alert(1)</script>"
    findings = tuple(replace(f, message=f.message + evil, evidence=evil) for f in sample_findings())
    page = to_html(make_result(findings=findings, target="<img src=x onerror=alert(1)>"))
    assert evil not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert page.count("<script>") == 1  # ours


def test_excerpt_and_trace_rendered() -> None:
    f = sample_findings()[0]
    f = replace(
        f,
        excerpt=((7, "statements:"), (8, "  - Action: '*'"), (9, "    Resource: '*'")),
        trace=(TraceStep(Loc("handler.py", 3), "event['body'] read"), TraceStep(Loc("handler.py", 9), "reaches eval()")),
    )
    page = to_html(make_result(findings=(f, *sample_findings()[1:])))
    assert '<span class="ln hit"><span class="no">8</span>' in page
    assert "reaches eval()" in page and "data flow (2 steps)" in page


def test_suppressed_findings_marked() -> None:
    page = to_html(make_result())
    assert 'data-suppressed="true"' in page
    assert "worker role is reviewed by the platform team" in page


def test_reach_groups_by_service_and_level() -> None:
    role = make_app().functions[0].role
    assert reach(role) == [("*", "* (every resource)", ["Permissions management"])]
    assert reach(None) == []


def test_deterministic() -> None:
    assert to_html(make_result()) == to_html(make_result())


@pytest.mark.usefixtures("fake_loader")
def test_cli_writes_html(capsys: pytest.CaptureFixture[str], app_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code = cli.main(["scan", str(app_dir), "--format", "html", "--output", str(target)])
    _, err = capsys.readouterr()
    assert code == 1
    assert "wrote html report" in err
    assert target.read_text(encoding="utf-8").count('<article class="card') == 2


def test_no_unclosed_template_syntax() -> None:
    page = to_html(make_result())
    assert "{{" not in page and "{%" not in page
    assert isinstance(sample_findings()[0], Finding)


def test_attack_path_highlighted_in_the_graph() -> None:
    from fnaudit.findings import Category

    assert 'class="edge hl"' not in to_html(make_result())
    first, *rest = sample_findings()
    path = replace(first, category=Category.ATTACK_PATH, rule_id="PATH001", rule_name="public-injection-admin")
    page = to_html(make_result(findings=(path, *rest)))
    assert 'class="edge hl"' in page  # public trigger → api, api → role
    assert 'lvl-perm hl' in page  # role → everything it reaches with permissions management


def test_blast_radius_shown_when_computed() -> None:
    from fnaudit.model.permissions import BlastRadius

    result = make_result()
    app = result.apps[0]
    api = replace(app.functions[0], blast_radius=BlastRadius(score=87.5))
    result = replace(result, apps=(replace(app, functions=(api, app.functions[1])),))
    page = to_html(result)
    assert "<b>87.5</b>" in page and "blast 87.5" in page
    assert "not computed" in page  # worker has none
