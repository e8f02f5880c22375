"""Issue 22: who may invoke a function decides what in its event is attacker controlled, and how loudly to say so.

- Internal callers (a CloudFormation custom resource's ServiceToken, a Step Functions task, another function's
  destination) are triggers of their own kinds; their events are not the public's: findings from them are low,
  with low confidence, and the message says who sends the event. `ResponseURL` is CloudFormation's protocol.
- DOS001 speaks only for functions reachable without authentication (an API key is not authentication).
"""

from __future__ import annotations

from pathlib import Path

from fnaudit import Config, scan
from fnaudit.engines.code.sources import classify, specs_for
from fnaudit.model.app import Authorizer, Trigger, TriggerKind
from fnaudit.model.loc import Loc
from fnaudit.pipeline import ScanResult
from tests.conftest import SCAN_DATE

FIXTURES = Path(__file__).parent / "fixtures"


def _scan(folder: Path, *rules: str) -> ScanResult:
    return scan(folder, Config(select=rules, today=SCAN_DATE, db=str(folder / "no-advisories")))


def _triggers(result: ScanResult) -> dict[str, list[tuple[str, str | None, int]]]:
    return {fn.name: [(t.kind.value, t.source, t.loc.line) for t in fn.triggers] for fn in result.functions}


def test_sources_of_internal_callers() -> None:
    loc = Loc("template.yaml", 1)
    custom = specs_for([Trigger(TriggerKind.CUSTOM_RESOURCE, loc, Authorizer.none(loc), source="Seed")])
    # CloudFormation's protocol fields are never a source; the template author's properties are, at low confidence
    for path in (("ResponseURL",), ("RequestType",), ("StackId",), ("LogicalResourceId",)):
        assert classify(path, False, custom) is None, path
    hit = classify(("ResourceProperties", "Url"), False, custom)
    assert hit is not None and (hit.text, hit.triggers, hit.confidence) == (
        "event.ResourceProperties",
        ("customResource",),
        "low",
    )
    task = specs_for([Trigger(TriggerKind.STEP_FUNCTIONS, loc, Authorizer.none(loc), source="Flow")])
    hit = classify(("callbackUrl",), False, task)
    assert hit is not None and (hit.triggers, hit.confidence) == (("stepFunctions",), "low")


def test_cloudformation_internal_callers_are_triggers() -> None:
    result = _scan(FIXTURES / "CODE006" / "bad" / "internal-callers", "CODE006")
    assert _triggers(result) == {
        "Provisioner": [("customResource", "HealthCheck", 16)],
        "Task": [("stepFunctions", "Workflow", 26)],
        "Worker": [],
        "Notifier": [("lambdaInvoke", "Worker", 39)],  # the SAM `EventInvokeConfig` the translator expanded
    }


def test_findings_from_internal_callers_are_low_and_say_why() -> None:
    result = _scan(FIXTURES / "CODE006" / "bad" / "internal-callers", "CODE006")
    got = sorted(
        (f.location.line, f.severity.value, f.confidence, f.function, f.message) for f in result.active_findings
    )
    assert got == [
        (
            7,
            "low",
            "low",
            "Provisioner",
            "function Provisioner: event.ResourceProperties.HealthUrl (from CloudFormation custom resource "
            "HealthCheck: CloudFormation sends the event, not the public (internal trigger)) reaches requests.get "
            "at line 7: server-side request forgery",
        ),
        (
            13,
            "low",
            "low",
            "Task",
            "function Task: event.callbackUrl (from Step Functions state machine Workflow: the workflow sends the "
            "event, not the public (internal trigger)) reaches requests.get at line 13: server-side request forgery",
        ),
        (
            22,
            "low",
            "low",
            "Notifier",
            "function Notifier: event.responsePayload.url (from function Worker of this app: it sends the event, "
            "not the public (internal trigger)) reaches requests.post at line 22: server-side request forgery",
        ),
    ]


def test_a_custom_resource_answering_at_response_url_is_quiet() -> None:
    """Before the trust model, a function with no trigger had its whole event as the source: the PUT to
    `event["ResponseURL"]` was an SSRF finding in every custom resource provider."""
    for app in ("custom-resource", "custom-resource-sls"):
        result = _scan(FIXTURES / "CODE006" / "good" / app, "CODE006")
        assert [t.kind for fn in result.functions for t in fn.triggers] == [TriggerKind.CUSTOM_RESOURCE] * (
            2 if app == "custom-resource" else 1
        ), app
        assert result.active_findings == (), app


SERVERLESS = """\
service: flows
frameworkVersion: "3"
provider:
  name: aws
  runtime: python3.13
functions:
  seed:
    handler: handler.seed
  start:
    handler: handler.start
    destinations:
      onSuccess: report
      onFailure:
        type: function
        arn: !GetAtt AlertLambdaFunction.Arn
  report:
    handler: handler.report
  alert:
    handler: handler.alert
  fetch:
    handler: handler.fetch
stepFunctions:
  stateMachines:
    pipeline:
      definition:
        StartAt: Fetch
        States:
          Fetch:
            Type: Task
            Resource:
              Fn::GetAtt: [fetch, Arn]
            End: true
resources:
  Resources:
    SeedData:
      Type: Custom::SeedData
      Properties:
        ServiceToken: !GetAtt SeedLambdaFunction.Arn
"""
HANDLER = """\
import requests


def seed(event, context):
    requests.put(event["ResponseURL"], data="{}", timeout=5)


def start(event, context):
    return {"url": "https://example.com"}


def report(event, context):
    requests.get(event["responsePayload"]["url"], timeout=5)


def alert(event, context):
    return None


def fetch(event, context):
    requests.get(event["url"], timeout=5)
"""


def test_serverless_internal_callers(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(SERVERLESS, encoding="utf-8")
    (tmp_path / "handler.py").write_text(HANDLER, encoding="utf-8")
    result = _scan(tmp_path, "CODE006")
    assert _triggers(result) == {
        "seed": [("customResource", "SeedData", 38)],
        "start": [],
        "report": [("lambdaInvoke", "start", 12)],
        "alert": [("lambdaInvoke", "start", 13)],
        "fetch": [("stepFunctions", "pipeline", 24)],
    }
    got = sorted((f.location.line, f.function, f.severity.value, f.confidence) for f in result.active_findings)
    assert got == [(13, "report", "low", "low"), (21, "fetch", "low", "low")]  # and nothing for seed's ResponseURL


def test_trusted_callers_are_no_exposure_for_risk() -> None:
    result = _scan(FIXTURES / "CODE006" / "bad" / "internal-callers", "CODE006")
    assert {fn.name: (result.risk[fn.id].exposure, result.risk[fn.id].reasons[0]) for fn in result.functions} == {
        "Provisioner": (0.1, "no external trigger"),
        "Task": (0.1, "no external trigger"),
        "Worker": (0.1, "no external trigger"),
        "Notifier": (0.1, "no external trigger"),
    }


# --- DOS001: reachable without authentication ----------------------------------------------


def test_dos001_names_how_strangers_get_in() -> None:
    sls = _scan(FIXTURES / "DOS001" / "bad", "DOS001")
    messages = {f.function: (f.location.line, f.severity.value, f.message) for f in sls.active_findings}
    assert messages["partnerFeed"] == (
        17,
        "medium",
        "function partnerFeed is reachable without authentication (api GET /feed, protected only by an API key) "
        "and has no reserved concurrency: a request flood scales it to the account limit",
    )
    assert messages["thumbnail"][2].startswith("function thumbnail is reachable without authentication (url) ")
    sam = _scan(FIXTURES / "DOS001" / "bad" / "sam", "DOS001")
    assert [(f.function, f.location.line, f.message) for f in sam.active_findings] == [
        (
            "Worker",
            6,
            "function Worker is reachable without authentication (invoke permission for any principal at "
            "template.yaml:18) and has no reserved concurrency: a request flood scales it to the account limit",
        )
    ]


def test_dos001_is_quiet_behind_any_authorizer() -> None:
    result = _scan(FIXTURES / "DOS001" / "good" / "authorizers", "DOS001")
    kinds = {fn.name: [t.authorizer.kind.value for t in fn.triggers] for fn in result.functions}
    assert kinds == {
        "profile": ["cognito"],
        "settings": ["jwt"],
        "billing": ["lambda"],
        "signed": ["aws_iam"],
        "checkToken": [],
    }
    assert all(t.public for fn in result.functions for t in fn.triggers)
    assert result.active_findings == ()


def test_internal_caller_kinds_are_in_the_json_schema() -> None:
    from tests.report.test_json import to_json, validate

    doc = to_json(_scan(FIXTURES / "CODE006" / "bad" / "internal-callers", "CODE006"))
    validate(doc)  # the trigger kinds customResource, stepFunctions and lambdaInvoke are in its enum
    assert sorted(t["kind"] for fn in doc["functions"] for t in fn["triggers"]) == [
        "customResource",
        "lambdaInvoke",
        "stepFunctions",
    ]
