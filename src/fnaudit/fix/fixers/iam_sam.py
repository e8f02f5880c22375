"""SAM policy templates for least-privilege statements, when one fits exactly.

A template fits a needed statement when its actions (as `aws-sam-translator`'s own policy_templates.json
defines them, expanded by the IAM catalogue) are exactly the statement's actions, and its one resource is the
one app resource the statement names, of the type the template's parameter names. Templates that also grant
other actions or resources (`DynamoDBCrudPolicy`, `S3ReadPolicy`: an index ARN, ListBucket) never fit: the
rewrite would be reported by IAM010 again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fnaudit.engines.iam import catalogue
from fnaudit.model.app import App


@dataclass(frozen=True, slots=True)
class Template:
    name: str  # SQSSendMessagePolicy
    parameter: str  # QueueName
    types: tuple[str, ...]  # resource types whose logical id it takes
    value: str  # how the parameter is written for logical id {0}, in YAML short form


# Single-resource templates, with how the parameter names the app's resource (the translator Subs it into an ARN).
_TEMPLATES = (
    Template("SQSSendMessagePolicy", "QueueName", ("AWS::SQS::Queue",), "!GetAtt {0}.QueueName"),
    Template("SNSPublishMessagePolicy", "TopicName", ("AWS::SNS::Topic",), "!GetAtt {0}.TopicName"),
    Template("LambdaInvokePolicy", "FunctionName", ("AWS::Lambda::Function", "AWS::Serverless::Function"), "!Ref {0}"),
    Template("AWSSecretsManagerGetSecretValuePolicy", "SecretArn", ("AWS::SecretsManager::Secret",), "!Ref {0}"),
    Template("EventBridgePutEventsPolicy", "EventBusName", ("AWS::Events::EventBus",), "!Ref {0}"),
    Template(
        "StepFunctionsExecutionPolicy", "StateMachineName", ("AWS::StepFunctions::StateMachine",), "!GetAtt {0}.Name"
    ),
)


@lru_cache(maxsize=1)
def _template_actions() -> dict[str, frozenset[str]]:
    """The actions each known template grants, from the translator's own definitions."""
    import samtranslator

    path = Path(samtranslator.__file__).parent / "policy_templates_data" / "policy_templates.json"
    data = json.loads(path.read_text("utf-8"))["Templates"]
    cat = catalogue.load()
    out: dict[str, frozenset[str]] = {}
    for t in _TEMPLATES:
        statements = data.get(t.name, {}).get("Definition", {}).get("Statement", [])
        if len(statements) != 1:
            continue
        raw = statements[0].get("Action", [])
        patterns = [raw] if isinstance(raw, str) else list(raw)
        out[t.name] = frozenset(a for p in patterns for a in cat.expand(p))
    return out


def template_for(
    actions: tuple[str, ...], resources: tuple[tuple[str, str | None], ...], app: App
) -> tuple[str, str, str] | None:
    """(template, parameter, value in YAML short form) when a template fits the statement exactly, else None."""
    if len(resources) != 1 or resources[0][1] is None:
        return None
    ref = resources[0][1]
    res = app.resources.get(ref)
    if res is None:
        return None
    known = _template_actions()
    for t in _TEMPLATES:
        if res.type in t.types and known.get(t.name) == frozenset(actions):
            return t.name, t.parameter, t.value.format(ref)
    return None
