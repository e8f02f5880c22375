"""Attack paths (PATH001–PATH004), risk per function, and `fnaudit explain-path`.

The fixture harness (test_rules.py) checks where each PATH rule fires; here: that breaking one link
removes the path while the individual findings stay, severities, the cross-function path, stable
fingerprints, risk ordering in every report, and the step-by-step explanation.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from fnaudit.cli import main
from fnaudit.config import Config
from fnaudit.findings import Category, Severity
from fnaudit.pipeline import ScanResult, scan
from fnaudit.report import Format, render
from tests.conftest import REPO, SCAN_DATE

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = REPO / "examples" / "shop-api"


def _scan(folder: Path) -> ScanResult:
    return scan(folder, Config(today=SCAN_DATE))


def _rules(result: ScanResult) -> set[str]:
    return {f.rule_id for f in result.findings}


def _paths(result: ScanResult) -> list:
    return [f for f in result.findings if f.category is Category.ATTACK_PATH]


# (fixture, the individual findings that must fire in bad/ and still fire in good/, the link broken)
BROKEN_LINKS = [
    ("PATH001/{}/sls", {"CODE002", "IAM002"}, "authorizer added: the URL needs IAM auth"),
    ("PATH001/{}/sam", {"AUTH001", "IAM006"}, "sink fixed"),
    ("PATH001/{}/cfn", {"AUTH003", "CODE004"}, "role scoped down to one secret"),
    ("PATH002/{}/sls", {"AUTH001"}, "parameterised query"),
    ("PATH002/{}/sam", {"CODE007"}, "authorizer added"),
    ("PATH002/{}/cfn", {"AUTH001", "IAM003"}, "filter built with expression attribute values"),
    ("PATH003/{}/sls", {"AUTH002", "CODE005"}, "secret moved to SSM"),
    ("PATH003/{}/sam", {"AUTH001", "CODE005"}, "secret resolved from Secrets Manager"),
    ("PATH003/{}/cfn", {"CODE008", "SECRET002"}, "authorizer added: the URL needs IAM auth"),
    ("PATH004/{}/sls", {"AUTH001", "CODE002", "IAM001"}, "first function's role scoped down"),
    ("PATH004/{}/sam", {"AUTH002", "CODE002", "IAM001"}, "invoke instead of update"),
    ("PATH004/{}/cfn", {"AUTH003", "CODE002", "CODE003"}, "second function's role scoped down"),
]


@pytest.mark.parametrize(("pattern", "kept", "why"), BROKEN_LINKS, ids=[b[0].replace("/{}", "") for b in BROKEN_LINKS])
def test_breaking_one_link_removes_the_path_but_not_the_findings(pattern: str, kept: set[str], why: str) -> None:
    bad, good = _scan(FIXTURES / pattern.format("bad")), _scan(FIXTURES / pattern.format("good"))
    assert _paths(bad), f"no path in {pattern.format('bad')}"
    assert _paths(good) == [], f"{why}: the path must disappear"
    assert kept <= _rules(bad)
    assert kept <= _rules(good), f"{why}: the individual findings must remain"


@pytest.mark.parametrize("code", ["PATH001", "PATH002", "PATH003", "PATH004"])
def test_every_dialect_has_a_path_and_its_broken_twin(code: str) -> None:
    dialects = {p.split("/")[-1] for p, _, _ in BROKEN_LINKS if p.startswith(code)}
    assert dialects == {"sls", "sam", "cfn"}
    for dialect in dialects:
        assert (FIXTURES / code / "bad" / dialect).is_dir() and (FIXTURES / code / "good" / dialect).is_dir()


@pytest.mark.parametrize(
    ("fixture", "severity"),
    [
        ("PATH001/bad/sls", Severity.CRITICAL),  # function URL + command injection + s3:* on *
        ("PATH001/bad/sam", Severity.CRITICAL),  # public route + eval + escalation to admin
        ("PATH001/bad/cfn", Severity.CRITICAL),  # public invoke + pickle + every secret
        ("PATH002/bad/sls", Severity.CRITICAL),  # public route + SQL injection
        ("PATH002/bad/sam", Severity.HIGH),  # NoSQL injection: a weaker foothold
        ("PATH002/bad/cfn", Severity.HIGH),  # HTTP API route + NoSQL injection
        ("PATH003/bad/sam", Severity.CRITICAL),  # public route + path traversal + key in the environment
        ("PATH003/bad/cfn", Severity.CRITICAL),  # function URL + template injection + token in the code
        ("PATH004/bad/sam", Severity.CRITICAL),
        ("PATH004/bad/sls", Severity.CRITICAL),  # public route + command injection + takes over an admin function
    ],
)
def test_critical_only_when_all_three_links_are_strong(fixture: str, severity: Severity) -> None:
    paths = _paths(_scan(FIXTURES / fixture))
    assert [p.severity for p in paths] == [severity]


def test_a_path_names_every_step_and_what_the_attacker_controls() -> None:
    (path,) = _paths(_scan(FIXTURES / "PATH001/bad/sls"))
    assert path.rule_id == "PATH001" and path.function == "report"
    assert (path.location.path, path.location.line) == ("report.py", 8)  # the foothold: the line to fix first
    notes = [(str(s.loc), s.note.split(":")[0]) for s in path.trace]
    assert notes[0] == ("serverless.yml:16", "entry")
    assert ("report.py:8", "foothold") in notes
    assert notes[-1] == ("serverless.yml:10", "reach")
    assert "read and write every object in every bucket" in path.message
    # IAM010 says the code never uses s3:*: dropping it is the smallest change
    assert path.remediation.startswith("Remove s3:* at serverless.yml:10")
    assert "Otherwise: Fix the sink at report.py:8" in path.remediation


def test_escalation_reach_says_how_the_attacker_becomes_admin() -> None:
    (path,) = _paths(_scan(FIXTURES / "PATH001/bad/sam"))
    assert "become administrator through iam:PutRolePolicy" in path.message


def test_the_path_through_a_second_function_is_found() -> None:
    (update,) = _paths(_scan(FIXTURES / "PATH004/bad/sam"))
    assert update.rule_id == "PATH004" and update.function == "Front"
    assert "through function Admin" in update.message and "control the whole AWS account" in update.message
    assert any(s.note == "pivot: replaces the code of function Admin" for s in update.trace)
    (invoke,) = _paths(_scan(FIXTURES / "PATH004/bad/cfn"))
    assert "through function Worker" in invoke.message
    steps = [s.note.split(":")[0] for s in invoke.trace]
    assert steps.count("foothold") == 2  # Front's command injection, then Worker's eval
    assert any(s.note == "pivot: invokes function Worker" for s in invoke.trace)
    # serverless: the grant names the deployed function as `${self:service}-${sls:stage}-deploy`, the
    # account left as written (`${aws:accountId}`): its `:` are not a version qualifier
    (sls,) = _paths(_scan(FIXTURES / "PATH004/bad/sls"))
    assert sls.function == "preview" and "through function deploy" in sls.message
    assert any(s.note == "pivot: replaces the code of function deploy" for s in sls.trace)


def test_an_authorizer_keeps_only_paths_that_end_in_the_account(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        """service: calc
provider:
  name: aws
  runtime: python3.12
  httpApi:
    authorizers:
      jwt:
        type: jwt
        identitySource: $request.header.Authorization
        issuerUrl: https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc
        audience: [client]
  iam:
    role:
      statements:
        - Effect: Allow
          Action: iam:PutRolePolicy
          Resource: "*"
functions:
  calc:
    handler: calc.handler
    events:
      - httpApi: {method: POST, path: /calc, authorizer: {name: jwt}}
""",
        encoding="utf-8",
    )
    (tmp_path / "calc.py").write_text(
        "import json\n\n\ndef handler(event, context):\n    return eval(json.loads(event['body'])['x'])\n",
        encoding="utf-8",
    )
    (path,) = _paths(_scan(tmp_path))
    assert path.severity is Severity.HIGH  # weak entry (any user who signs in), strong foothold and reach
    assert "jwt authorizer" in path.message


def test_fingerprints_survive_line_moves(tmp_path: Path) -> None:
    before = {p.fingerprint for p in _paths(_scan(FIXTURES / "PATH001/bad/sls"))}
    moved = tmp_path / "app"
    shutil.copytree(FIXTURES / "PATH001/bad/sls", moved)
    for name in ("report.py", "serverless.yml"):
        f = moved / name
        f.write_text("# moved\n\n" + f.read_text(encoding="utf-8"), encoding="utf-8")
    after = _paths(_scan(moved))
    assert {p.fingerprint for p in after} == before
    assert after[0].location.line == 10


def test_paths_run_when_only_they_are_selected() -> None:
    result = scan(FIXTURES / "PATH001/bad/sls", Config(select=("PATH",), today=SCAN_DATE))
    assert _rules(result) == {"PATH001"}


def test_example_app_has_the_admin_report_path() -> None:
    result = _scan(EXAMPLE)
    by_fn = {(p.rule_id, p.function) for p in _paths(result)}
    assert ("PATH001", "adminReport") in by_fn
    (admin,) = [p for p in _paths(result) if p.function == "adminReport"]
    assert admin.severity is Severity.CRITICAL
    assert "read and write every object in every bucket" in admin.message


# --- risk --------------------------------------------------------------------------------------------


def test_risk_orders_functions_in_every_report() -> None:
    result = _scan(EXAMPLE)
    ids = {fn.name: fn.id for fn in result.functions}
    risk = {name: result.risk[i].score for name, i in ids.items()}
    assert max(risk, key=risk.get) == "adminReport"  # public URL, command injection, writes data
    assert risk["adminReport"] > risk["getOrder"] > risk["listOrders"]

    out = io.StringIO()
    render(result, Format.JSON, out)
    names = [f["name"] for f in json.loads(out.getvalue())["functions"]]
    assert names == sorted(names, key=lambda n: -risk[n])
    assert json.loads(out.getvalue())["functions"][0]["risk"]["score"] == risk["adminReport"]

    out = io.StringIO()
    render(result, Format.TABLE, out)
    headings = [line for line in out.getvalue().splitlines() if line and not line.startswith((" ", "shared"))][:-2]
    headings = [h for h in headings if not h.endswith(": --show info")]  # the info line (issue 22)
    shown = [h.split()[0] for h in headings]  # functions with findings of their own
    assert shown == sorted(shown, key=lambda n: -risk[n]) and shown[0] == "adminReport"
    assert headings[0].endswith(f"· risk {risk['adminReport']:g}")

    out = io.StringIO()
    render(result, Format.HTML, out)
    html = out.getvalue()
    ranking = html[html.index('id="ranking"') :]
    assert (
        ranking.index('data-fn="adminReport"')
        < ranking.index('data-fn="getOrder"')
        < ranking.index('data-fn="listOrders"')
    )


def test_risk_formula() -> None:
    result = _scan(FIXTURES / "PATH001/bad/sls")
    (fn,) = result.functions
    r = result.risk[fn.id]
    assert (r.exposure, r.exploitability) == (1.0, 1.0)
    assert fn.blast_radius is not None
    assert r.score == round(100 * fn.blast_radius.score / 100, 1)
    good = _scan(FIXTURES / "PATH001/good/sls")
    assert good.risk[good.functions[0].id].score < r.score  # behind IAM auth


def test_risk_keeps_apps_apart_when_their_functions_share_a_name(tmp_path: Path) -> None:
    # two apps, each with a function `report` (and one with a role shared by two functions): the risk
    # of each `report` is the one it has when its app is scanned alone
    shutil.copytree(FIXTURES / "PATH001/bad/sls", tmp_path / "public")  # function URL, command injection, s3:*
    quiet = tmp_path / "internal"
    quiet.mkdir()
    (quiet / "serverless.yml").write_text(
        """service: internal
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements:
        - {Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::internal-reports/*}
functions:
  report:
    handler: report.handler
    events:
      - schedule: rate(1 day)
  archive:
    handler: report.handler
""",
        encoding="utf-8",
    )
    (quiet / "report.py").write_text("def handler(event, context):\n    return {'ok': True}\n", encoding="utf-8")
    both = _scan(tmp_path)
    reports = {fn.id: both.risk[fn.id] for fn in both.functions if fn.name == "report"}
    assert len(reports) == 2
    for folder in (tmp_path / "public", quiet):
        alone = _scan(folder)
        (fn,) = [f for f in alone.functions if f.name == "report"]
        mixed = reports[f"{folder.name}/{fn.id}"]
        r = alone.risk[fn.id]
        assert (mixed.score, mixed.exposure, mixed.exploitability, mixed.blast) == (
            r.score,
            r.exposure,
            r.exploitability,
            r.blast,
        ), folder.name
    finding = next(f for f in both.findings if f.function == "report" and f.rule_id == "CODE002")
    assert finding.function_ids == (finding.function_id,) and finding.function_id.startswith("public/")


def test_cross_function_path_raises_risk_to_the_reached_function() -> None:
    result = _scan(FIXTURES / "PATH004/bad/cfn")
    by_name = {fn.name: fn for fn in result.functions}
    front = result.risk[by_name["Front"].id]
    assert by_name["Worker"].blast_radius is not None
    assert front.blast == pytest.approx(by_name["Worker"].blast_radius.score / 100)
    assert "Worker" in front.reasons[2]


def test_html_graph_highlights_the_path_steps() -> None:
    out = io.StringIO()
    render(_scan(EXAMPLE), Format.HTML, out)
    html = out.getvalue()
    start = html.index('aria-label="graph of adminReport"')
    svg = html[start : html.index("</svg>", start)]
    # the reach of the path is s3 on *: its edge is highlighted, the dynamodb table's is not
    edges = svg.split("<path ")[1:]
    titles = svg.split("<title>")[1:]
    assert sum(" hl" in e.split(">")[0] for e in edges) == 3  # url → function → role → s3
    assert any(t.startswith("s3 on *") for t in titles)


# --- explain-path --------------------------------------------------------------------------------------


def test_explain_path_prints_the_chain(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["explain-path", "adminReport", str(EXAMPLE), "--date", SCAN_DATE.isoformat()])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("adminReport (serverless.yml) · risk ")
    assert "Attack path 1 of 1 · critical · PATH001 public-code-execution-path" in out
    assert "entry    serverless.yml:98" in out and "foothold src/reports/admin.py:9" in out
    assert "reach    serverless.yml:32" in out
    assert '>    9 |     out = subprocess.run(f"grep {day} /tmp/orders.csv"' in out  # the foothold's code
    assert ">   98 |     url: true" in out  # the entry's line
    assert "Smallest change that breaks it:" in out and "Other ways to break it:" in out


def test_explain_path_without_a_path_and_with_an_unknown_function(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain-path", "listOrders", str(EXAMPLE)]) == 0
    assert "No attack path found for listOrders" in capsys.readouterr().out
    assert main(["explain-path", "nope", str(EXAMPLE)]) == 2
    assert "no function 'nope'" in capsys.readouterr().err


def test_a_bucket_anyone_can_write_to_is_an_entry(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "template.yaml").write_text(
        """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  UploadsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Uploads
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: "*", Action: s3:PutObject, Resource: !Sub "${Uploads.Arn}/*"}
  Thumb:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - {Effect: Allow, Action: "dynamodb:*", Resource: "*"}
      Events:
        Up:
          Type: S3
          Properties: {Bucket: !Ref Uploads, Events: "s3:ObjectCreated:*"}
""",
        encoding="utf-8",
    )
    (tmp_path / "src" / "app.py").write_text(
        "import subprocess\n\n\ndef handler(event, context):\n"
        "    key = event['Records'][0]['s3']['object']['key']\n"
        "    subprocess.run('convert /tmp/' + key + ' /tmp/out.png', shell=True)\n",
        encoding="utf-8",
    )
    (path,) = _paths(_scan(tmp_path))
    assert path.severity is Severity.CRITICAL
    assert path.evidence.startswith("public-bucket →")
    assert "bucket Uploads that anyone can write to" in path.message
    assert "read and write every item in every table" in path.message


# --- suppressed links (issue 11) -------------------------------------------------------------------


def _copy(tmp_path: Path, fixture: str = "PATH001/bad/sls") -> Path:
    app = tmp_path / "app"
    shutil.copytree(FIXTURES / fixture, app)
    return app


def _ignore_inline(path: Path, line: int, comment: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = lines[line - 1].split("  # expect:")[0] + "  " + comment
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_an_inline_ignore_on_the_foothold_suppresses_the_path_with_its_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = _copy(tmp_path)
    _ignore_inline(app / "report.py", 8, "# fnaudit: ignore[CODE002] day is checked by the API's request validator")
    (path,) = _paths(_scan(app))
    assert (path.rule_id, path.location.path, path.location.line) == ("PATH001", "report.py", 8)
    assert path.suppression is not None and path.suppression.kind == "inline"
    assert path.suppression.reason == "via CODE002 at report.py:8: day is checked by the API's request validator"
    # the CI gate: nothing unsuppressed among the paths, and the JSON still shows the path, marked
    assert (
        main(
            [
                "scan",
                str(app),
                "--select",
                "PATH",
                "--fail-on",
                "low",
                "--format",
                "json",
                "--date",
                SCAN_DATE.isoformat(),
            ]
        )
        == 0
    )
    (shown,) = json.loads(capsys.readouterr().out)["findings"]
    assert (shown["rule_id"], shown["suppressed"]) == ("PATH001", True)


def test_a_config_ignore_on_the_entry_or_the_whole_reach_suppresses_the_path(tmp_path: Path) -> None:
    from fnaudit.config import IgnoreEntry

    app = _copy(tmp_path)
    entry = IgnoreEntry("AUTH002", "public report page, by design")
    result = scan(app, Config(today=SCAN_DATE, ignores=(entry,)))
    (path,) = _paths(result)
    assert path.suppression is not None and path.suppression.kind == "config"
    assert path.suppression.reason == "via AUTH002 at serverless.yml:16: public report page, by design"
    assert [e.message for e in result.errors if e.stage == "config"] == []  # the ignore was used

    reach = IgnoreEntry("IAM002", "reports bucket names are random")
    (path,) = _paths(scan(app, Config(today=SCAN_DATE, ignores=(reach,))))
    assert path.suppression is not None
    assert path.suppression.reason == "via IAM002 at serverless.yml:10: reports bucket names are random"


def test_a_baselined_foothold_does_not_hide_a_new_path(tmp_path: Path) -> None:
    """A baseline says a finding is old, not that it is acceptable: a path that is not itself in the
    baseline (here: the entry was added after the baseline was written) is reported."""
    from fnaudit.suppress import baseline_document

    app = _copy(tmp_path)
    code = [f for f in _scan(app).findings if f.rule_id == "CODE002"]
    (app / "baseline.json").write_text(json.dumps(baseline_document(code)), encoding="utf-8")
    result = scan(app, Config(today=SCAN_DATE, baseline=str(app / "baseline.json")))
    assert [
        (f.rule_id, f.suppression.kind if f.suppression else None)
        for f in result.findings
        if f.rule_id in ("CODE002", "PATH001")
    ] == [("CODE002", "baseline"), ("PATH001", None)]


def test_an_unsuppressed_entry_of_the_same_kind_keeps_the_path_active(tmp_path: Path) -> None:
    """Two public routes on one function, one of them ignored: the path goes through the other."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "  iam:\n    role:\n      statements:\n        - {Effect: Allow, Action: 's3:*', Resource: '*'}\n"
        "functions:\n  run:\n    handler: h.handler\n    events:\n"
        "      - httpApi: GET /status  # fnaudit: ignore[AUTH001] status page\n"
        "      - httpApi: GET /run\n",
        encoding="utf-8",
    )
    (app / "h.py").write_text(
        "import subprocess\n\n\ndef handler(event, context):\n"
        "    subprocess.run('grep ' + event['queryStringParameters']['q'], shell=True)\n",
        encoding="utf-8",
    )
    result = _scan(app)
    assert [(f.rule_id, f.location.line, f.suppressed) for f in result.findings if f.rule_id == "AUTH001"] == [
        ("AUTH001", 13, True),
        ("AUTH001", 14, False),
    ]
    (path,) = _paths(result)
    assert path.suppression is None
    assert path.trace[0].note == "entry: public route httpApi GET /run with no authorizer"


def test_a_route_protected_only_by_an_api_key_is_still_an_entry(tmp_path: Path) -> None:
    """AUTH004 (not AUTH001) reports an API-key-only route; the attack path still goes through it, and
    says why: anyone with a key, which ships in every client, reaches the injection."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "  iam:\n    role:\n      statements:\n        - {Effect: Allow, Action: 's3:*', Resource: '*'}\n"
        "functions:\n  run:\n    handler: h.handler\n    events:\n"
        "      - http: {path: run, method: get, private: true}\n",
        encoding="utf-8",
    )
    (app / "h.py").write_text(
        "import subprocess\n\n\ndef handler(event, context):\n"
        "    subprocess.run('grep ' + event['queryStringParameters']['q'], shell=True)\n",
        encoding="utf-8",
    )
    result = _scan(app)
    assert [(f.rule_id, f.location.line, f.severity) for f in result.findings if f.rule_id.startswith("AUTH")] == [
        ("AUTH004", 13, Severity.MEDIUM)
    ]
    (path,) = _paths(result)
    assert path.rule_id == "PATH001"
    assert path.trace[0].loc.line == 13
    assert path.trace[0].note == "entry: public route api GET /run with no authorizer (API key only)"


_BUCKET_APP = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
{bucket}
  Thumb:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - {{Effect: Allow, Action: "dynamodb:*", Resource: "*"}}
      Events:
        Up:
          Type: S3
          Properties: {{Bucket: !Ref Uploads, Events: "s3:ObjectCreated:*"}}
{policy}"""
_REFERER_POLICY = """  UploadsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Uploads
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:PutObject
            Resource: !Sub "${Uploads.Arn}/*"
            Condition: {StringLike: {"aws:Referer": "https://example.com/*"}}
"""


@pytest.mark.parametrize(
    ("bucket", "policy", "entry"),
    [
        # a public-read-write ACL is a door too (the paths read only policies before DATA001)
        ("      AccessControl: PublicReadWrite", "", (7, "(AccessControl: PublicReadWrite)")),
        # a Referer condition restricts nothing: the caller sets the header
        ("      BucketName: uploads-bucket", _REFERER_POLICY, (28, "(statement 1 of UploadsPolicy)")),
        # the public access block neutralises the policy: no door, no path
        ("      PublicAccessBlockConfiguration: {BlockPublicPolicy: true}", _REFERER_POLICY, None),
    ],
)
def test_bucket_entries_agree_with_public_bucket_findings(
    tmp_path: Path, bucket: str, policy: str, entry: tuple[int, str] | None
) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "template.yaml").write_text(_BUCKET_APP.format(bucket=bucket, policy=policy), encoding="utf-8")
    (tmp_path / "src" / "app.py").write_text(
        "import subprocess\n\n\ndef handler(event, context):\n"
        "    key = event['Records'][0]['s3']['object']['key']\n"
        "    subprocess.run('convert /tmp/' + key + ' /tmp/out.png', shell=True)\n",
        encoding="utf-8",
    )
    result = _scan(tmp_path)
    data = [(f.location.line, f.severity) for f in result.findings if f.rule_id == "DATA001"]
    paths = _paths(result)
    if entry is None:
        assert data == [] and paths == []
        return
    line, what = entry
    assert data == [(line, Severity.CRITICAL)]
    (path,) = paths
    assert path.evidence.startswith("public-bucket →")
    assert path.trace[0].loc.line == line
    assert path.trace[0].note == f"entry: bucket Uploads that anyone can write to {what} triggers it"
