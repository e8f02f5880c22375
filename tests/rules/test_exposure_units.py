"""DATA001 (public buckets), AUTH004 (API key only) and DOS006 (concurrency exhaustion) on hand-built models:
the thresholds, the policy conditions that do and do not restrict, and the exact messages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from fnaudit.findings import Hit, Severity
from fnaudit.model import (
    App,
    AuthKind,
    Authorizer,
    Code,
    Dialect,
    Function,
    Loc,
    Trigger,
    TriggerKind,
    Value,
)
from fnaudit.model.app import Resource
from fnaudit.model.code import SdkCall
from fnaudit.rules.auth.api_key_only import api_key_only_route
from fnaudit.rules.auth.http_no_authorizer import http_route_without_authorizer
from fnaudit.rules.data._buckets import public_access
from fnaudit.rules.data.public_bucket import public_bucket
from fnaudit.rules.dos.concurrency_exhaustion import (
    LOW_CONCURRENCY,
    SLOW_TIMEOUT,
    TINY_CONCURRENCY,
    concurrency_exhaustion,
)
from fnaudit.rules.registry import Check, Context
from tests.conftest import SCAN_DATE

CTX = Context(today=SCAN_DATE)
ROUTE = Loc("serverless.yml", 14)


def _fn(**changes: Any) -> Function:
    base = Function(
        id="serverless.yml#api",
        name="api",
        loc=Loc("serverless.yml", 10),
        runtime=Value("python3.13", Loc("serverless.yml", 6)),
        handler=Value("handler.main", Loc("serverless.yml", 11)),
        code=Code("python", in_repo=True),
    )
    return replace(base, **changes)


def _http(auth: AuthKind = AuthKind.NONE, **kw: Any) -> Trigger:
    return Trigger(TriggerKind.API_REST, ROUTE, Authorizer(auth, ROUTE), "/x", "GET", public=True, **kw)


def _app(*functions: Function, **changes: Any) -> App:
    return replace(App("svc", Dialect.SERVERLESS, "", "serverless.yml", functions=functions), **changes)


def _hits(check: Check, app: App) -> list[Hit]:
    return list(check(app, CTX))


# ---- AUTH004 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", [_http(AuthKind.API_KEY), _http(api_key_required=True)])
def test_auth004_reports_an_api_key_only_route_and_auth001_does_not(trigger: Trigger) -> None:
    app = _app(_fn(triggers=(trigger,)))
    (hit,) = _hits(api_key_only_route, app)
    assert hit.loc == ROUTE and hit.severity is None  # the rule's default: medium
    assert hit.message == (
        "function api: public route api GET /x is protected only by an API key; an API key identifies a client, "
        "it does not authenticate a caller: anyone with the key can call it"
    )
    assert hit.evidence.startswith("api GET /x ")  # attack paths find the route by this prefix
    assert _hits(http_route_without_authorizer, app) == []


@pytest.mark.parametrize("auth", [AuthKind.COGNITO, AuthKind.IAM, AuthKind.JWT, AuthKind.LAMBDA, AuthKind.NONE])
def test_auth004_is_quiet_with_an_authorizer_or_without_a_key(auth: AuthKind) -> None:
    key = auth is not AuthKind.NONE  # a key plus an authorizer; or no key at all (AUTH001's)
    assert _hits(api_key_only_route, _app(_fn(triggers=(_http(auth, api_key_required=key),)))) == []


# ---- DOS006 -------------------------------------------------------------------------------------

RC = Loc("serverless.yml", 12)


def _limited(rc: int, timeout: int | None, *triggers: Trigger) -> App:
    t = Value(timeout, Loc("serverless.yml", 13)) if timeout is not None else Value.unset(Loc(""))
    return _app(_fn(reserved_concurrency=Value(rc, RC), timeout=t, triggers=triggers or (_http(),)))


@pytest.mark.parametrize(
    ("rc", "timeout", "fires"),
    [
        (TINY_CONCURRENCY, None, True),  # 5 slots, the Framework's 6 s default
        (TINY_CONCURRENCY + 1, SLOW_TIMEOUT - 1, False),
        (TINY_CONCURRENCY + 1, SLOW_TIMEOUT, True),
        (LOW_CONCURRENCY, 60, True),
        (LOW_CONCURRENCY + 1, 900, False),
        (100, 900, False),
        (0, 30, False),  # switched off on purpose
    ],
)
def test_dos006_thresholds(rc: int, timeout: int | None, fires: bool) -> None:
    hits = _hits(concurrency_exhaustion, _limited(rc, timeout))
    assert [h.loc for h in hits] == ([RC] if fires else [])


def test_dos006_message_says_how_many_slow_requests_block_the_function() -> None:
    (hit,) = _hits(concurrency_exhaustion, _limited(4, 20))
    assert hit.message == (
        "function api: reserved concurrency is 4 and the timeout 20 s, so 4 concurrent requests taking 20 s each "
        "block the function for every other caller; anyone can keep it saturated from api GET /x with about "
        "0.2 requests per second"
    )
    assert hit.severity is None


def test_dos006_auth_decides_whether_and_how_severe() -> None:
    for strong in (AuthKind.IAM, AuthKind.JWT, AuthKind.COGNITO):
        assert _hits(concurrency_exhaustion, _limited(1, 30, _http(strong))) == []
    (hit,) = _hits(concurrency_exhaustion, _limited(1, 30, _http(AuthKind.LAMBDA)))
    assert hit.severity is Severity.LOW and "any caller the custom authorizer lets through" in hit.message
    (hit,) = _hits(concurrency_exhaustion, _limited(1, 30, _http(api_key_required=True)))
    assert hit.severity is None and "anyone with an API key can keep it saturated" in hit.message
    queue = Trigger(TriggerKind.SQS, ROUTE, Authorizer.none(ROUTE), source="jobs")
    assert _hits(concurrency_exhaustion, _limited(1, 30, queue)) == []


# ---- DATA001 ------------------------------------------------------------------------------------


def _allow(**extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", **extra}


@pytest.mark.parametrize(
    ("statement", "access"),
    [
        (_allow(), {"read"}),
        (_allow(Principal={"AWS": ["*"]}, Action=["s3:PutObject", "s3:DeleteObject"]), {"write", "delete"}),
        (_allow(Action="s3:Put*"), {"write", "permissions"}),  # s3:PutBucketPolicy too
        (_allow(Action="s3:*"), {"read", "write", "delete", "permissions"}),
        (
            _allow(Action="*", Condition={"Bool": {"aws:SecureTransport": "true"}}),
            {"read", "write", "delete", "permissions"},
        ),
        (_allow(Condition={"StringLike": {"aws:Referer": "https://example.com/*"}}), {"read"}),
        # a negated or IfExists operator lets requests without the key (anonymous ones) through
        (_allow(Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}), {"read"}),
        (_allow(Condition={"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}), {"read"}),
        (_allow(Condition={"StringLike": {"aws:PrincipalOrgID": "*"}}), {"read"}),
        (_allow(NotAction="s3:Get*", Action=None), {"read", "write", "delete", "permissions"}),  # s3:ListBucket
        (_allow(NotAction=["s3:Get*", "s3:List*"], Action=None), {"write", "delete", "permissions"}),
        # restricted, or not a grant to anyone
        (_allow(Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}), set()),
        (_allow(Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}), set()),
        (_allow(Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}), set()),
        (_allow(Condition={"ArnLike": {"aws:SourceArn": "arn:aws:cloudfront::1:distribution/E1"}}), set()),
        (_allow(Effect="Deny"), set()),
        (_allow(Principal={"AWS": "arn:aws:iam::123456789012:root"}), set()),
        (_allow(Principal={"Service": "cloudfront.amazonaws.com"}), set()),
        (_allow(Action="s3:GetBucketLocation"), set()),
    ],
)
def test_data001_what_a_statement_lets_anyone_do(statement: dict[str, Any], access: set[str]) -> None:
    statement = {k: v for k, v in statement.items() if v is not None}
    assert public_access(statement) == access


def _buckets(*resources: Resource, functions: tuple[Function, ...] = ()) -> App:
    return _app(*functions, resources={r.logical_id: r for r in resources})


def test_data001_public_write_to_a_bucket_that_triggers_a_function_is_critical() -> None:
    bucket = Resource("Uploads", "AWS::S3::Bucket", Loc("template.yaml", 5), {"BucketName": "up-bucket"})
    policy = Resource(
        "UploadsPolicy",
        "AWS::S3::BucketPolicy",
        Loc("template.yaml", 9),
        {"Bucket": {"Ref": "Uploads"}, "PolicyDocument": {"Statement": [_allow(Action="s3:PutObject")]}},
    )
    s3 = Trigger(TriggerKind.S3, Loc("template.yaml", 30), Authorizer.none(ROUTE), source="up-bucket")
    (hit,) = _hits(public_bucket, _buckets(bucket, policy, functions=(_fn(triggers=(s3,)),)))
    assert hit.severity is Severity.CRITICAL and hit.loc == Loc("template.yaml", 9)  # no line: the policy
    assert hit.message == (
        "bucket Uploads: statement 1 of UploadsPolicy lets anyone on the internet write objects to it; "
        "it triggers function api, so attacker-chosen objects become event data"
    )
    assert hit.functions == ("serverless.yml#api",) and hit.function is None


@pytest.mark.parametrize(
    ("resource", "severity"),
    [
        ("!Ref Reports", Severity.CRITICAL),
        ("!GetAtt Reports.Arn", Severity.CRITICAL),
        ("arn:aws:s3:::reports-bucket/exports/*", Severity.CRITICAL),
        ("reports-bucket", Severity.CRITICAL),
        ("another-bucket", Severity.HIGH),
        ("${env:REPORTS}", Severity.HIGH),
    ],
)
def test_data001_a_function_writing_to_a_public_bucket_makes_it_critical(resource: str, severity: Severity) -> None:
    bucket = Resource(
        "Reports",
        "AWS::S3::Bucket",
        Loc("template.yaml", 5),
        {"BucketName": "reports-bucket", "AccessControl": "PublicRead"},
    )
    writer = _fn(sdk_calls=(SdkCall("s3", "PutObject", Loc("handler.py", 7), resource),))
    (hit,) = _hits(public_bucket, _buckets(bucket, functions=(writer,)))
    assert hit.severity is severity


def test_data001_website_and_public_access_block() -> None:
    site = Resource(
        "Site", "AWS::S3::Bucket", Loc("t.yaml", 1), {"AccessControl": "PublicRead", "WebsiteConfiguration": {}}
    )
    (hit,) = _hits(public_bucket, _buckets(site))
    assert hit.severity is Severity.LOW and hit.message == (
        "bucket Site is a website bucket and AccessControl: PublicRead lets anyone on the internet read it: "
        "intended for a website? make sure nothing private is written there"
    )
    for flag in ("BlockPublicAcls", "IgnorePublicAcls"):
        blocked = replace(
            site, properties={"AccessControl": "PublicRead", "PublicAccessBlockConfiguration": {flag: True}}
        )
        assert _hits(public_bucket, _buckets(blocked)) == []
    # the policy flags do not neutralise an ACL
    policy_only = {"BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    acl = replace(site, properties={"AccessControl": "PublicReadWrite", "PublicAccessBlockConfiguration": policy_only})
    (hit,) = _hits(public_bucket, _buckets(acl))
    assert hit.severity is Severity.HIGH
    assert "list its objects and write objects to it" in hit.message
