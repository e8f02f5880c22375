"""IAM helpers: access levels, wildcards, unscopable actions, what counts as "every resource"."""

from __future__ import annotations

import pytest

from fnaudit.findings import Severity
from fnaudit.model import Effect, Loc, Statement
from fnaudit.rules.iam._actions import (
    LIST,
    PERMISSIONS,
    READ,
    TAGGING,
    UNKNOWN,
    WRITE,
    access_level,
    expand,
    is_all_actions,
    is_service_wildcard,
    unscopable,
)
from fnaudit.rules.iam._policy import any_resource, with_condition


@pytest.mark.parametrize(
    ("action", "level"),
    [
        ("s3:PutObject", WRITE),
        ("s3:GetObject", READ),
        ("S3:getobject", READ),
        ("s3:ListBucket", LIST),
        ("dynamodb:DeleteItem", WRITE),
        ("dynamodb:BatchGetItem", READ),
        ("dynamodb:BatchWriteItem", WRITE),
        ("dynamodb:*Item", WRITE),
        ("dynamodb:Get*", READ),
        ("s3:Put*", PERMISSIONS),  # includes s3:PutBucketPolicy
        ("iam:PassRole", PERMISSIONS),
        ("iam:AttachRolePolicy", PERMISSIONS),
        ("lambda:UpdateFunctionCode", WRITE),
        ("lambda:InvokeFunction", WRITE),
        ("kms:Decrypt", WRITE),
        ("s3:PutObjectTagging", TAGGING),  # the catalogue files it as Tagging
        ("dynamodb:TagResource", TAGGING),
        ("someservice:Frobnicate", UNKNOWN),
    ],
)
def test_access_level(action: str, level: str) -> None:
    assert access_level(action) == level


def test_wildcards() -> None:
    assert is_all_actions("*") and is_all_actions("*:*") and not is_all_actions("s3:*")
    assert is_service_wildcard("s3:*") and is_service_wildcard("DynamoDB:*") and not is_service_wildcard("s3:Put*")
    assert "s3:PutObject" in expand("s3:put*")
    assert expand("s3:GetObject") == ("s3:GetObject",)


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("xray:PutTraceSegments", True),
        ("xray:Put*", True),
        ("cloudwatch:PutMetricData", True),
        ("ec2:CreateNetworkInterface", True),
        ("sts:GetCallerIdentity", True),
        ("logs:CreateLogGroup", False),
        ("s3:PutObject", False),
        ("ec2:*", False),
    ],
)
def test_unscopable(action: str, expected: bool) -> None:
    assert unscopable(action) is expected


def _st(*resources: str, not_resources: tuple[str, ...] = (), conditional: bool = False) -> Statement:
    return Statement(Effect.ALLOW, Loc("t.yml", 1), ("s3:PutObject",), (), resources, not_resources, conditional)


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        (("*",), True),
        (("arn:aws:s3:::*",), True),
        (("arn:aws:*:*:*:*",), True),
        (("arn:aws:dynamodb:*:*:table/*",), True),
        (("arn:aws:lambda:eu-west-1:123456789012:function:*",), True),
        (("arn:aws:s3:::reports/*",), False),
        (("arn:aws:dynamodb:eu-west-1:123456789012:table/orders",), False),
        (("!GetAtt Table.Arn",), False),
    ],
)
def test_any_resource(resources: tuple[str, ...], expected: bool) -> None:
    assert any_resource(_st(*resources)) is expected


def test_not_resource_counts_as_every_resource_and_a_condition_lowers_severity() -> None:
    assert any_resource(_st(not_resources=("arn:aws:s3:::secret/*",)))
    assert with_condition(Severity.CRITICAL, _st("*", conditional=True)) is Severity.HIGH
    assert with_condition(Severity.MEDIUM, _st("*")) is Severity.MEDIUM
