"""Which event paths each trigger makes attacker controlled."""

from __future__ import annotations

from fnaudit.engines.code.sources import classify, specs_for
from fnaudit.model.app import Authorizer, Trigger, TriggerKind
from fnaudit.model.loc import Loc


def _t(kind: TriggerKind) -> Trigger:
    return Trigger(kind, Loc("serverless.yml", 1), Authorizer.none(Loc("serverless.yml", 1)), public=kind.is_http)


def _tainted(kind: TriggerKind | None, *path: str) -> str | None:
    specs = specs_for([_t(kind)] if kind is not None else [])
    spec = classify(tuple(path), False, specs)
    return spec.confidence if spec else None


def test_http_fields_are_sources() -> None:
    for kind in (TriggerKind.API_REST, TriggerKind.API_HTTP, TriggerKind.FUNCTION_URL, TriggerKind.ALB):
        for field in (
            "body",
            "queryStringParameters",
            "multiValueQueryStringParameters",
            "pathParameters",
            "headers",
            "cookies",
            "rawPath",
            "rawQueryString",
        ):
            assert _tainted(kind, field) == "high", (kind, field)
        assert _tainted(kind, "queryStringParameters", "q") == "high"


def test_authorizer_claims_are_not_sources() -> None:
    assert _tainted(TriggerKind.API_HTTP, "requestContext", "authorizer", "jwt", "claims", "sub") is None
    assert _tainted(TriggerKind.API_REST, "requestContext", "authorizer", "principalId") is None
    assert _tainted(TriggerKind.API_HTTP, "requestContext", "http", "method") is None


def test_record_sources_by_trigger() -> None:
    assert _tainted(TriggerKind.S3, "Records", "[]", "s3", "object", "key") == "medium"
    assert _tainted(TriggerKind.S3, "Records", "0", "s3", "object", "key") == "medium"
    assert _tainted(TriggerKind.S3, "Records", "[]", "s3", "bucket", "name") is None
    assert _tainted(TriggerKind.SQS, "Records", "[]", "body") == "medium"
    assert _tainted(TriggerKind.SQS, "Records", "[]", "messageId") is None
    assert _tainted(TriggerKind.SNS, "Records", "[]", "Sns", "Message") == "medium"
    assert _tainted(TriggerKind.DYNAMODB_STREAM, "Records", "[]", "dynamodb", "NewImage", "name", "S") == "medium"
    assert _tainted(TriggerKind.KINESIS, "Records", "[]", "kinesis", "data") == "medium"
    assert _tainted(TriggerKind.EVENTBRIDGE, "detail", "x") == "medium"
    assert _tainted(TriggerKind.EVENTBRIDGE, "source") is None
    assert _tainted(TriggerKind.COGNITO, "request", "userAttributes", "email") == "medium"
    assert _tainted(TriggerKind.SCHEDULE, "time") is None


def test_the_whole_event_contains_sources() -> None:
    assert _tainted(TriggerKind.API_HTTP) == "high"  # event itself holds the body
    assert _tainted(TriggerKind.SQS, "Records") == "medium"
    assert _tainted(TriggerKind.SCHEDULE) is None


def test_unknown_trigger_is_the_whole_event_at_low_confidence() -> None:
    assert _tainted(None, "anything") == "low"
    assert _tainted(TriggerKind.OTHER, "x", "y") == "low"
