"""IAM helpers: access levels, wildcards, unscopable actions, what counts as "every resource"; and the IAM
rules reading effective permissions (after Deny, NotAction and the permissions boundary)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.findings import Finding, Severity
from fnaudit.model import Effect, Loc, Statement
from fnaudit.pipeline import scan
from fnaudit.rules.iam._actions import (
    LIST,
    PERMISSIONS,
    READ,
    TAGGING,
    UNKNOWN,
    WRITE,
    access_level,
    all_actions,
    expand,
    is_all_actions,
    is_service_wildcard,
    unscopable,
    write_actions,
)
from fnaudit.rules.iam._policy import (
    SELF_GRANT,
    admin_equivalent_actions,
    any_resource,
    with_condition,
)
from tests.conftest import SCAN_DATE


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


# ---- rules read the effective permissions (after Deny, NotAction, NotResource and the boundary) -----

_SLS = """service: s
frameworkVersion: "3"
provider:
  name: aws
  runtime: python3.13
  iam:
    role:
{role}
functions:
  f:
    handler: handler.main
"""


def _scan(tmp_path: Path, role: str, rules: str) -> list[Finding]:
    (tmp_path / "serverless.yml").write_text(_SLS.format(role=role), encoding="utf-8")
    (tmp_path / "handler.py").write_text("def main(event, context):\n    return None\n", encoding="utf-8")
    result = scan(tmp_path, Config(select=tuple(rules.split(",")), today=SCAN_DATE))
    assert list(result.errors) == []
    return sorted(result.findings, key=lambda f: (f.rule_id, f.location.line))


def test_deny_notaction_removes_admin_and_the_rest_is_reported_at_the_allow_line(tmp_path: Path) -> None:
    found = _scan(
        tmp_path,
        """      statements:
        - Effect: Allow
          Action: "*"
          Resource: "*"
        - Effect: Deny
          NotAction: [s3:GetObject, s3:PutObject]
          Resource: "*\"""",
        "IAM001,IAM003,IAM005",
    )
    # one finding for the statement (issue 22), owned by IAM003, naming the data read as its second problem
    assert [(f.rule_id, f.location.path, f.location.line, f.severity) for f in found] == [
        ("IAM003", "serverless.yml", 9, Severity.MEDIUM),
    ]
    assert [(p.rule_id, p.location.line, p.severity) for p in found[0].problems] == [
        ("IAM003", 9, Severity.MEDIUM),
        ("IAM005", 9, Severity.MEDIUM),
    ]
    write, read = found[0].problems
    n = len(all_actions())
    assert write.message == (
        "function f: provider.iam.role.statements[0] of role IamRoleLambdaExecution allows `*` (Write) on every "
        f"resource (`*`) (2 of {n} actions remain after Deny statements): `s3:PutObject`"
    )
    assert read.message == (
        "function f: provider.iam.role.statements[0] of role IamRoleLambdaExecution allows reading `s3:GetObject` "
        f"(through `*`) on * (2 of {n} actions remain after Deny statements)"
    )


def test_aws_managed_boundary_by_arn_caps_admin_statements_and_policies(tmp_path: Path) -> None:
    found = _scan(
        tmp_path,
        """      permissionsBoundary: arn:aws:iam::aws:policy/ReadOnlyAccess
      managedPolicies:
        - arn:aws:iam::aws:policy/AdministratorAccess
      statements:
        - Effect: Allow
          Action: ["*", "iam:*"]
          Resource: "*\"""",
        "IAM001,IAM002",
    )
    assert found == []  # what is left (reads, and the few catalogued writes ReadOnlyAccess has) is IAM003/IAM005's


def test_unreadable_boundary_is_said_in_the_message_and_not_applied(tmp_path: Path) -> None:
    found = _scan(
        tmp_path,
        """      permissionsBoundary: arn:aws:iam::123456789012:policy/team-boundary
      statements:
        - Effect: Allow
          Action: "*"
          Resource: "*\"""",
        "IAM001",
    )
    assert [(f.rule_id, f.location.line, f.severity) for f in found] == [("IAM001", 10, Severity.CRITICAL)]
    assert found[0].message == (
        "function f: provider.iam.role.statements[0] of role IamRoleLambdaExecution allows every action (`*`) on * "
        "(the role has the permissions boundary arn:aws:iam::123456789012:policy/team-boundary, which is not in the "
        "app and could not be read: reported as if it did not limit anything)"
    )


def test_iam_star_with_its_policy_writes_denied_is_no_longer_admin_but_still_a_service_wildcard(tmp_path: Path) -> None:
    found = _scan(
        tmp_path,
        """      statements:
        - Effect: Allow
          Action: iam:*
          Resource: "*"
        - Effect: Deny
          Action: [iam:Attach*, iam:Put*, iam:CreatePolicyVersion, iam:SetDefaultPolicyVersion, iam:UpdateAssumeRolePolicy, iam:DeleteRolePermissionsBoundary]
          Resource: "*\"""",
        "IAM001,IAM002",
    )
    assert [(f.rule_id, f.location.line, f.severity) for f in found] == [("IAM002", 9, Severity.HIGH)]
    assert "allows `iam:*` on * (" in found[0].message and "actions remain after Deny statements)" in found[0].message


def test_admin_equivalence_of_what_survives() -> None:
    writes = write_actions()
    assert admin_equivalent_actions(frozenset({"iam:PutRolePolicy"}))  # can write its own policy
    assert {a.lower() for a in SELF_GRANT} <= {a.lower() for a in expand("iam:*")}
    assert not admin_equivalent_actions(frozenset({"s3:GetObject", "s3:PutObject"}))
    everything_but_iam = frozenset(a for a in writes if not a.startswith("iam:"))
    assert admin_equivalent_actions(everything_but_iam)
    assert not admin_equivalent_actions(frozenset(a for a in expand("*") if access_level(a) in (READ, LIST)))


def test_escalation_under_an_unreadable_boundary_says_so(tmp_path: Path) -> None:
    found = _scan(
        tmp_path,
        """      permissionsBoundary: arn:aws:iam::111122223333:policy/central-boundary
      statements:
        - Effect: Allow
          Action: [iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction]
          Resource: "*\"""",
        "IAM006",
    )
    assert [(f.rule_id, f.location.line, f.severity) for f in found] == [("IAM006", 10, Severity.CRITICAL)]
    assert found[0].message.endswith(
        "It reaches: any role. (the role has the permissions boundary arn:aws:iam::111122223333:policy/central-boundary, "
        "which is not in the app and could not be read: reported as if it did not limit anything)"
    )


def test_deny_everything_outside_one_bucket_leaves_that_bucket_only(tmp_path: Path) -> None:
    found = _scan(
        tmp_path,
        """      statements:
        - Effect: Allow
          Action: "*"
          Resource: "*"
        - Effect: Deny
          Action: "*"
          NotResource: ["arn:aws:s3:::mine", "arn:aws:s3:::mine/*"]""",
        "IAM001,IAM006,IAM008",
    )
    # IAM actions cannot apply to a bucket's ARN: no administrator access, no IAM escalation; what is left
    # is reported on the bucket, not on `*`
    # one finding for the statement (issue 22): the escalation it grants alone owns it, the exfiltration folded in
    assert [(f.rule_id, f.location.line, f.severity) for f in found] == [("IAM006", 9, Severity.HIGH)]
    assert [(p.rule_id, p.location.line, p.severity) for p in found[0].problems] == [
        ("IAM006", 9, Severity.HIGH),  # ssm:SendCommand takes an S3 bucket (its output) as a resource
        ("IAM008", 9, Severity.MEDIUM),
    ]
    escalation, exfiltration = found[0].problems
    assert escalation.message.startswith(
        "function f can escalate privileges (Run commands on instances through Systems Manager)"
    )
    assert " on arn:aws:s3:::mine, arn:aws:s3:::mine/* (" in exfiltration.message
    assert " Also in this statement: data exfiltration (IAM008): " in found[0].message
