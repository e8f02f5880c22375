"""The HTML report without a browser: self-contained, escaped, no secret values, one card per function."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import pytest

from fnaudit import cli
from fnaudit.findings import Finding, TraceStep
from fnaudit.model.app import Effect, Role, Statement
from fnaudit.model.loc import Loc
from fnaudit.pipeline import ScanResult
from fnaudit.report import Format, render
from fnaudit.report.html import reach
from fnaudit.report.html_graph import graph
from tests.report.builders import (
    SOURCE,
    finding,
    make_app,
    make_result,
    sample_findings,
    with_reach,
)


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
    assert ">every action on *</text>" in page
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
        trace=(
            TraceStep(Loc("handler.py", 3), "event['body'] read"),
            TraceStep(Loc("handler.py", 9), "reaches eval()"),
        ),
    )
    page = to_html(make_result(findings=(f, *sample_findings()[1:])))
    assert '<span class="ln hit"><span class="no">8</span>' in page
    assert "reaches eval()" in page and "data flow (2 steps)" in page


def test_suppressed_findings_marked() -> None:
    page = to_html(make_result())
    assert 'data-suppressed="true"' in page
    assert "worker role is reviewed by the platform team" in page


def test_reach_groups_by_service_and_level() -> None:
    api = make_app().functions[0]
    assert reach(api) == [("*", "* (every resource)", ["Permissions management"])]
    assert reach(replace(api, role=None, permissions=None)) == []


def test_graph_reads_the_engines_access_and_never_classifies_actions() -> None:
    # The levels drawn are the IAM engine's (EffectivePermissions.access), even where an action's name
    # would suggest another: the reporter has no action table of its own (issue 12).
    from fnaudit.model.permissions import EffectivePermissions, ResourceAccess

    api = make_app().functions[0]
    access = (ResourceAccess("s3", "arn:aws:s3:::reports/*", ("Read",)),)
    fn = replace(api, permissions=EffectivePermissions(access=access))
    assert reach(fn) == [("s3", "reports/*", ["Read"])]
    svg = str(graph(fn, []))
    assert re.findall(r'<g class="node res ([a-z]+)"[^>]*data-service="([^"]+)"', svg) == [("read", "s3")]


def test_graph_says_reach_not_computed_when_the_iam_engine_did_not_run() -> None:
    api = replace(make_app().functions[0], permissions=None)  # `--select AUTH`: no IAM rule, no IAM engine
    svg = str(graph(api, []))
    node = svg.split('data-service="not-computed"', 1)[1].split("</g>", 1)[0]
    assert '<text class="label" x="12" y="19">reach not computed</text>' in node
    assert '<text class="sub" x="12" y="35">no IAM rule selected</text>' in node
    assert svg.count('<g class="node res') == 1


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
    assert "lvl-perm hl" in page  # role → everything it reaches with permissions management


def test_blast_radius_shown_when_computed() -> None:
    from fnaudit.model.permissions import BlastRadius

    result = make_result()
    app = result.apps[0]
    api = replace(app.functions[0], blast_radius=BlastRadius(score=87.5))
    result = replace(result, apps=(replace(app, functions=(api, app.functions[1])),))
    page = to_html(result)
    assert "<b>87.5</b>" in page and "blast 87.5" in page
    assert "not computed" in page  # worker has none


# --- issue 11: a report for real-size apps ------------------------------------------------------

CARD_OPEN = re.compile(
    r'<article class="card[^"]*" id="(fn-\d+)" data-fn="([^"]*)"[^>]*>\s*<details class="card-details"( open)?'
)


def _functions_result(n: int, critical: int = 0) -> ScanResult:
    """An app of `n` copies of the fixture's api function (fn00, fn01, …), each with an AUTH001
    finding, the first `critical` of them with an IAM001 one too."""
    app = make_app()
    api = app.functions[0]
    fns = tuple(replace(api, id=f"{SOURCE}#fn{i:02d}", name=f"fn{i:02d}", role_shared_with=()) for i in range(n))
    found = []
    for i, fn in enumerate(fns):
        found.append(
            replace(
                finding("AUTH001", None, 18, f"{fn.name} GET /items has no authorizer", f"b{i:015d}"),
                function=fn.name,
                function_id=fn.id,
                functions=(fn.name,),
            )
        )
        if i < critical:
            found.append(
                replace(
                    finding("IAM001", None, 8, f"the role of {fn.name} allows everything", f"a{i:015d}"),
                    function=fn.name,
                    function_id=fn.id,
                    functions=(fn.name,),
                )
            )
    result = make_result(findings=tuple(sorted(found, key=Finding.sort_key)))
    return replace(result, apps=(replace(app, functions=fns),), stats=replace(result.stats, functions=n))


def test_cards_are_collapsed_but_the_riskiest() -> None:
    # small app: the riskiest card and the next critical ones, up to OPEN_CARDS, are open
    cards = CARD_OPEN.findall(to_html(_functions_result(6, critical=4)))
    assert [(name, bool(is_open)) for _, name, is_open in cards] == [
        ("fn00", True),
        ("fn01", True),
        ("fn02", True),
        ("fn03", False),
        ("fn04", False),
        ("fn05", False),
    ]
    # large app: only the riskiest, every other card is its summary line
    page = to_html(_functions_result(26, critical=4))
    cards = CARD_OPEN.findall(page)
    assert len(cards) == 26
    assert [name for _, name, is_open in cards if is_open] == ["fn00"]
    assert "1 of 26 functions expanded; click a function to open it." in page
    # the summary line keeps what ranks a card: its name and severity counts
    summary = page.split('id="fn-2"', 1)[1].split("</summary>", 1)[0]
    assert "<h2>fn01</h2>" in summary
    assert '<span class="badge sev-critical">1 critical</span>' in summary
    assert '<span class="badge sev-high">1 high</span>' in summary
    # expand / collapse all (shown by the script: they do nothing without it)
    assert '<button type="button" id="f-expand">expand all</button>' in page
    assert '<button type="button" id="f-collapse">collapse all</button>' in page


def test_clean_cards_stay_collapsed() -> None:
    # the fixture app: api has a critical finding (open), worker only a suppressed one (closed)
    cards = CARD_OPEN.findall(to_html(make_result()))
    assert [(name, bool(is_open)) for _, name, is_open in cards] == [("api", True), ("worker", False)]
    quiet = (replace(sample_findings()[1]),)  # worker's suppressed IAM001 only: no card has an active finding
    assert [bool(o) for _, _, o in CARD_OPEN.findall(to_html(make_result(findings=quiet)))] == [False, False]


def test_remediation_markdown_is_rendered_safely() -> None:
    fix = (
        "Use `subprocess.run([cmd])` and **never** _eval_; see [the docs](https://example.com/a?b=1&c=2).\n\n"
        "- one `x<y>`\n- two\n\n"
        "[click](javascript:alert(1)) [rel](../../etc) <script>alert(1)</script> <img src=x onerror=alert(1)>"
    )
    first, *rest = sample_findings()
    page = to_html(make_result(findings=(replace(first, remediation=fix), *rest)))
    block = page.split('<div class="md">', 1)[1].split("</div>", 1)[0]
    assert block.startswith(
        "<p>Use <code>subprocess.run([cmd])</code> and <strong>never</strong> <em>eval</em>; see "
        '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">the docs</a>.</p>'
    )
    assert "<ul>\n<li>one <code>x&lt;y&gt;</code></li>\n<li>two</li>\n</ul>" in block
    # links only to http(s); raw HTML is text
    assert (
        "[click](javascript:alert(1)) [rel](../../etc) &lt;script&gt;alert(1)&lt;/script&gt; "
        "&lt;img src=x onerror=alert(1)&gt;</p>" in block
    )
    assert "javascript:" not in block.replace("[click](javascript:", "")
    assert "<img" not in page and page.count("<script>") == 1
    assert "`" not in block  # no raw backticks left


def test_markdown_subset() -> None:
    from fnaudit.report.safe_text import markdown

    assert markdown("") == ""
    assert markdown("Set `a: 1`") == "<p>Set <code>a: 1</code></p>"
    assert markdown("# not a heading") == "<p># not a heading</p>"
    assert markdown("![x](https://example.com/p.png)") == (
        '<p>!<a href="https://example.com/p.png" rel="noopener noreferrer">x</a></p>'
    )  # no image: nothing fetched
    assert markdown("[a](JavaScript:alert(1)) [b](data:text/html,x) [c](mailto:a@b.c)") == (
        "<p>[a](JavaScript:alert(1)) [b](data:text/html,x) [c](mailto:a@b.c)</p>"
    )
    assert markdown("<https://example.com>") == (
        '<p><a href="https://example.com" rel="noopener noreferrer">https://example.com</a></p>'
    )
    assert markdown("a\x1b[2J\u202eb") == "<p>a\\x1b[2J\\u202eb</p>"


def test_control_and_bidi_characters_are_made_visible() -> None:
    evil = "\x1b[2J\u202e\x00"
    app = make_app()
    api, worker = app.functions
    role = replace(api.role, id=f"Role{evil}") if api.role else None
    api = replace(api, name=f"api{evil}", role=role, triggers=(replace(api.triggers[0], path=f"/items{evil}"),))
    first, *rest = sample_findings()
    findings = (
        replace(
            first,
            message=f"msg{evil}",
            evidence=f"ev{evil}",
            excerpt=((8, f"code{evil}"),),
            remediation=f"fix `{evil}`",
        ),
        *rest,
    )
    result = replace(
        make_result(findings=findings, target=f"demo{evil}"), apps=(replace(app, functions=(api, worker)),)
    )
    page = to_html(result)
    for ch in "\x1b\u202e\x00":
        assert ch not in page
    shown = "\\x1b[2J\\u202e\\x00"
    assert f"<title>fnaudit report · demo{shown}</title>" in page
    assert f'data-fn="api{shown}"' in page and f"<h2>api{shown}</h2>" in page
    assert f'<p class="msg">msg{shown}</p>' in page and f"<code>ev{shown}</code>" in page
    assert f'<span class="no">8</span>code{shown}' in page
    assert f"<code>{shown}</code>" in page  # in the rendered remediation
    assert f"<title>Role{shown}\nshared with worker</title>" in page  # the graph's role node
    assert f"GET /items{shown}" in page


def test_every_finding_is_shown_once_per_count() -> None:
    """The header counts findings; the page shows each one and the filters count each one once,
    even when two distinct findings share a fingerprint or a finding names an unknown function."""
    first, second, third, *rest = sample_findings()  # api IAM001, worker IAM001 (suppressed), api AUTH001
    twin = replace(third, location=Loc(SOURCE, 19), message="api GET /items/{id} has no authorizer")
    ghost = replace(
        first,
        function=None,
        function_id=None,
        functions=("ghost",),
        fingerprint="eeee000000000001",
        message="the role of ghost allows everything",
    )
    page = to_html(make_result(findings=(first, second, third, twin, ghost, *rest)))
    active = 7 - 1  # five sample findings, the twin and the ghost; one is suppressed
    assert f'<div class="big" id="total-active">{active}</div>' in page
    rows = re.findall(r'<li class="finding[^"]*" [^>]*data-suppressed="(true|false)"[^>]*data-fid="(f\d+)"', page)
    assert len({fid for sup, fid in rows if sup == "false"}) == active
    assert len({fid for _, fid in rows}) == 7
    assert third.fingerprint == twin.fingerprint and page.count(f'data-fp="{third.fingerprint}"') == 2
    app_level = page.split('id="app-level"', 1)[1]
    assert "the role of ghost allows everything" in app_level  # not lost because no card matches


def test_header_counts_files_from_stats() -> None:
    result = make_result()
    assert "· 3 files ·" in to_html(result)
    assert "· 12 files ·" in to_html(replace(result, stats=replace(result.stats, files=12)))
    page = to_html(replace(result, stats=replace(result.stats, files=1, functions=1)))
    assert "1 function in 1 app" in page and "· 1 file ·" in page and "· 4 rules ·" in page


def _role_reaching(resources: dict[str, list[str]]) -> Role:
    """A role with one statement per service, each on its resources (full ARNs)."""
    statements = tuple(
        Statement(Effect.ALLOW, Loc(SOURCE, 30 + i), actions=(f"{svc}:{action}",), resources=tuple(arns))
        for i, (svc, arns) in enumerate(resources.items())
        for action in (["PutObject", "GetObject"] if svc == "s3" else ["*"])
    )
    return Role("WideRole", Loc(SOURCE, 29), statements=statements)


WIDE = {
    "s3": [f"arn:aws:s3:::company-data-lake-bucket-number-{i}/very/long/prefix/*" for i in range(6)],
    "dynamodb": [f"arn:aws:dynamodb:us-east-1:123456789012:table/OrdersTableWithALongName{i}" for i in range(5)],
    "sqs": [f"arn:aws:sqs:us-east-1:123456789012:jobs-{i}" for i in range(4)],
    "sns": [f"arn:aws:sns:us-east-1:123456789012:alerts-{i}" for i in range(4)],
    "secretsmanager": [f"arn:aws:secretsmanager:us-east-1:123456789012:secret:app/{i}-AbCdEf" for i in range(3)],
    "kms": [f"arn:aws:kms:us-east-1:123456789012:key/{i}" for i in range(3)],
    "lambda": [f"arn:aws:lambda:us-east-1:123456789012:function:worker-{i}" for i in range(3)],
    "events": [
        "arn:aws:events:us-east-1:123456789012:event-bus/default",
        "arn:aws:events:us-east-1:123456789012:rule/r",
    ],
}


def _graph_of(role: Role, triggers: int = 1) -> str:
    from fnaudit.report.html_graph import graph

    api = make_app().functions[0]
    fn = replace(
        api,
        role=role,
        permissions=None,
        triggers=tuple(replace(api.triggers[0], path=f"/items/{i}") for i in range(triggers)),
    )
    return str(graph(with_reach(fn), []))


def test_graph_groups_thirty_resources_by_service() -> None:
    assert sum(len(v) for v in WIDE.values()) == 30
    svg = _graph_of(_role_reaching(WIDE))
    services = re.findall(r'<g class="node res [a-z]+"[^>]*data-service="([^"]+)"', svg)
    assert sorted(services) == sorted(WIDE)  # one node per service, every service present
    assert svg.count('<g class="node') == 1 + 1 + 1 + 8  # trigger, function, role, 8 services
    s3 = svg.split('data-service="s3"', 1)[1].split("</g>", 1)[0]
    assert '<text class="label" x="12" y="19">s3 · 6 resources</text>' in s3
    assert '<text class="sub" x="12" y="35">write/read</text>' in s3
    assert re.findall(r'<g class="node res ([a-z]+)"[^>]*data-service="s3"', svg) == ["write"]  # worst level
    # full names on hover, visible labels short
    for arns in WIDE.values():
        for arn in arns:
            assert f"  {arn} — " in svg
    labels = re.findall(r'<text class="(?:label|sub)"[^>]*>([^<]*)</text>', svg)
    assert max(len(t) for t in labels) <= 31
    one = svg.split('data-service="events"', 1)[1].split("</g>", 1)[0]
    assert "events · 2 resources" in one


def test_graph_caps_services_and_triggers() -> None:
    from fnaudit.report.html_graph import MAX_SERVICES, MAX_TRIGGERS

    many = {f"svc{i:02d}": [f"arn:aws:svc{i:02d}:us-east-1:1:thing/{i}"] for i in range(MAX_SERVICES + 4)}
    svg = _graph_of(_role_reaching(many), triggers=MAX_TRIGGERS + 3)
    assert svg.count('<g class="node res') == MAX_SERVICES + 1
    rest = svg.split('data-service="+more"', 1)[1].split("</g>", 1)[0]
    assert "+4 more services" in rest and all(f"svc{i:02d}" in rest for i in range(MAX_SERVICES, MAX_SERVICES + 4))
    assert svg.count('<g class="node trigger') == MAX_TRIGGERS + 1
    assert "+3 more triggers" in svg and "GET /items/10 (public · no auth)" in svg


def test_graph_every_action_is_one_node() -> None:
    from fnaudit.model.permissions import EffectivePermissions, Grant
    from fnaudit.report.html_graph import graph

    api = make_app().functions[0]
    everything = frozenset({"s3:GetObject", "iam:PassRole", "ec2:RunInstances", "kms:Decrypt", "sqs:SendMessage"})
    grant = Grant(everything, ("*",), "*", "*", Loc(SOURCE, 8), "provider.iam.role.statements[0]")
    fn = with_reach(replace(api, permissions=EffectivePermissions(grants=(grant,))))
    svg = str(graph(fn, []))
    assert re.findall(r'<g class="node res ([a-z]+)"[^>]*data-service="([^"]+)"', svg) == [("perm", "*")]
    assert ">every action on *</text>" in svg


def test_graph_legend() -> None:
    page = to_html(make_result())
    legend = page.split('<figcaption class="legend">', 1)[1].split("</figcaption>", 1)[0]
    for item in (
        "public, no auth",
        "public, authenticated",
        "private",
        "permissions / every action",
        "write",
        "tagging",
        "read / list",
        "attack path",
        "private trigger",
        "hover a node",
    ):
        assert item in legend
    assert "httpApi, url, sqs, s3" in legend  # the trigger kinds the labels start with
