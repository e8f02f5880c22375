"""IAM action classification for the rules, backed by the IAM action catalogue.

Every access-level question goes through `access_level(action)`, which reads AWS's service
authorization reference (`fnaudit.engines.iam.catalogue`, a pure lookup in a cached index): "Read",
"List", "Write", "Permissions management", "Tagging", or "Unknown" for actions the catalogue does
not list. A wildcard pattern (`s3:Put*`, `dynamodb:*Item`) takes the worst level of the actions it
matches.

The curated sets below are judgements the catalogue cannot make: which reads return data worth
stealing, which actions hand out credentials, which ones share data outside the account, and which
actions Lambda's own execution policies grant on `*`. Each is checked against the catalogue in the
tests (every name must exist there).
"""

from __future__ import annotations

import re
from functools import lru_cache

from fnaudit.engines.iam import catalogue as _cat

READ = _cat.READ
LIST = _cat.LIST
WRITE = _cat.WRITE
PERMISSIONS = _cat.PERMISSIONS
TAGGING = _cat.TAGGING
UNKNOWN = _cat.UNKNOWN
RANK = _cat.RANK

# VPC networking: Lambda creates and deletes the function's network interfaces in subnets chosen at
# deploy time, and AWS documents (and AWSLambdaVPCAccessExecutionRole grants) these on `*`.
_NEEDS_STAR = frozenset(
    a.lower()
    for a in (
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    )
)

# The function's own logs: what AWSLambdaBasicExecutionRole grants on `*`. Scopable, but granting them
# on `*` is AWS's own default and the risk (writing log lines) is small: not reported.
LAMBDA_BASELINE = frozenset(a.lower() for a in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"))

# Reads that return data or secrets (IAM005): worth reporting on every resource.
DATA_READ = frozenset(
    a.lower()
    for a in (
        "s3:GetObject",
        "s3:GetObjectVersion",
        "secretsmanager:GetSecretValue",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
        "ssm:GetParameterHistory",
        "kms:Decrypt",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:GetRecords",
        "dynamodb:PartiQLSelect",
        "sqs:ReceiveMessage",
        "kinesis:GetRecords",
        "logs:GetLogEvents",
        "logs:FilterLogEvents",
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "glue:GetConnection",
        "glue:GetConnections",
        "codecommit:GitPull",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "athena:GetQueryResults",
        "rds-data:ExecuteStatement",
        "rds-data:BatchExecuteStatement",
    )
)

# Actions whose result is a credential (IAM007).
CREDENTIALS = frozenset(
    a.lower()
    for a in (
        "iam:CreateAccessKey",
        "iam:UpdateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "iam:CreateServiceSpecificCredential",
        "iam:ResetServiceSpecificCredential",
        "iam:UploadSSHPublicKey",
        "sts:GetSessionToken",
        "sts:GetFederationToken",
        "ecr:GetAuthorizationToken",
        "redshift:GetClusterCredentials",
        "redshift:GetClusterCredentialsWithIAM",
        "redshift-serverless:GetCredentials",
        "ec2:GetPasswordData",
        "lightsail:GetInstanceAccessDetails",
        "lightsail:DownloadDefaultKeyPair",
        "cognito-identity:GetCredentialsForIdentity",
        "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
        "gamelift:GetInstanceAccess",
        "codepipeline:PollForJobs",
        "appsync:ListApiKeys",
    )
)

# Actions that share data or resources outside the account, or stream data elsewhere (IAM008).
EXFILTRATION = frozenset(
    a.lower()
    for a in (
        "s3:PutBucketPolicy",
        "s3:PutBucketAcl",
        "s3:PutObjectAcl",
        "s3:PutObjectVersionAcl",
        "s3:PutAccessPointPolicy",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutAccountPublicAccessBlock",
        "s3:PutReplicationConfiguration",
        "ec2:ModifySnapshotAttribute",
        "ec2:ModifyImageAttribute",
        "rds:ModifyDBSnapshotAttribute",
        "rds:ModifyDBClusterSnapshotAttribute",
        "rds:StartExportTask",
        "lambda:AddPermission",
        "lambda:AddLayerVersionPermission",
        "lambda:CreateFunctionUrlConfig",
        "lambda:UpdateFunctionUrlConfig",
        "kms:CreateGrant",
        "kms:PutKeyPolicy",
        "secretsmanager:PutResourcePolicy",
        "sqs:AddPermission",
        "sns:AddPermission",
        "sns:Subscribe",
        "ecr:SetRepositoryPolicy",
        "glacier:SetVaultAccessPolicy",
        "logs:PutSubscriptionFilter",
        "logs:CreateExportTask",
        "logs:PutResourcePolicy",
        "dynamodb:ExportTableToPointInTime",
        "dynamodb:PutResourcePolicy",
        "events:PutPermission",
        "backup:PutBackupVaultAccessPolicy",
        "ram:CreateResourceShare",
        "glue:PutResourcePolicy",
        "apigateway:UpdateRestApiPolicy",
    )
)

_SERVICE_WILDCARD = re.compile(r"^[a-z0-9-]+:\*$")


def split(action: str) -> tuple[str, str]:
    """`s3:GetObject` → (`s3`, `GetObject`); a bare `*` → (`*`, `*`)."""
    service, _, name = action.strip().partition(":")
    return service.lower(), name if name else service


def is_all_actions(action: str) -> bool:
    return action.strip() in ("*", "*:*")


def is_service_wildcard(action: str) -> bool:
    """`s3:*`: every action of one service."""
    return bool(_SERVICE_WILDCARD.match(action.strip().lower()))


def is_pattern(action: str) -> bool:
    return "*" in action or "?" in action


def expand(action: str) -> tuple[str, ...]:
    """The catalogued actions a pattern matches (`s3:put*` → `s3:PutObject`, …), canonical names; the
    action itself (canonical when known) when it has no wildcard."""
    return _cat.load().expand(action)


def access_level(action: str) -> str:
    """AWS access level of an action, or the worst level a wildcard pattern can reach."""
    return _cat.access_level(action)


def is_write_or_permissions(action: str) -> bool:
    return access_level(action) in (WRITE, PERMISSIONS)


@lru_cache(maxsize=65536)
def _scopable(action_lower: str) -> bool:
    if action_lower in _NEEDS_STAR:
        return False
    return _cat.load().scopable(action_lower)


def unscopable(action: str) -> bool:
    """True when `Resource: "*"` is the only way to grant the action (or every action a pattern reaches):
    the catalogue lists no resource type for it, or it is one of Lambda's VPC networking actions."""
    matched = expand(action)
    if not matched:
        return False
    return all(not _scopable(a.lower()) for a in matched)


def quiet_on_star(action: str) -> bool:
    """Actions not worth reporting on `*`: unscopable ones, and the function's own logging."""
    a = action.lower()
    return a in LAMBDA_BASELINE or not _scopable(a)


def members(action: str, group: frozenset[str]) -> tuple[str, ...]:
    """The actions of `group` a pattern (or an action) reaches, canonical names."""
    return tuple(a for a in expand(action) if a.lower() in group)


def all_actions() -> tuple[str, ...]:
    """Every catalogued action, canonical names."""
    return _cat.load().all_actions()


@lru_cache(maxsize=1)
def write_actions() -> frozenset[str]:
    """The catalogue's Write and Permissions-management actions (the yardstick for "most of the account")."""
    return frozenset(a for a in all_actions() if access_level(a) in (WRITE, PERMISSIONS))


# AWS managed policies that SAM and the Serverless Framework attach for an event source: Lambda uses
# them to poll the source for the function (event source mappings), not the function's code. Their
# grants on `*` are AWS's documented default for that trigger, so the IAM rules report them at
# `info` with this explanation when the function has the trigger, at `low` when it does not (a policy
# left behind when the trigger was removed). Policy name → (trigger kinds, what Lambda does with it).
EVENT_SOURCE_POLICIES: dict[str, tuple[frozenset[str], str]] = {
    "AWSLambdaSQSQueueExecutionRole": (frozenset({"sqs"}), "poll and delete the SQS messages that trigger it"),
    "AWSLambdaKinesisExecutionRole": (frozenset({"kinesis"}), "read the Kinesis stream that triggers it"),
    "AWSLambdaDynamoDBExecutionRole": (frozenset({"dynamodb"}), "read the DynamoDB stream that triggers it"),
    "AWSLambdaMSKExecutionRole": (frozenset({"kafka"}), "reach the MSK cluster that triggers it"),
    "AWSLambdaVPCAccessExecutionRole": (frozenset(), "create the function's network interfaces in its VPC"),
}


def event_source_note(policy: str, trigger_kinds: set[str]) -> tuple[str, bool] | None:
    """(the explanation, whether the function has the trigger the policy is for) for an event-source
    managed policy; None for any other policy."""
    entry = EVENT_SOURCE_POLICIES.get(policy)
    if entry is None:
        return None
    kinds, what = entry
    used = not kinds or bool(kinds & trigger_kinds)
    if used:
        return f"the policy AWS provides for Lambda to {what}; Lambda uses it, not the code", True
    return f"the policy AWS provides for Lambda to {what}, but no function of this role has that trigger", False
