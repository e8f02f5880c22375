"""IAM action classification: access levels, wildcards, and actions that cannot be scoped.

A small curated stand-in for the IAM action catalogue (a later issue brings AWS's full service
authorization reference): every caller goes through `access_level(action)`, so swapping the
table for the catalogue changes one function. Levels use AWS's names: "Read", "List", "Write",
"Permissions management", "Tagging"; "Unknown" when neither table nor verb tells.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

READ = "Read"
LIST = "List"
WRITE = "Write"
PERMISSIONS = "Permissions management"
TAGGING = "Tagging"
UNKNOWN = "Unknown"

# Worst first: a wildcard that can match several levels takes the worst one.
_RANK = {PERMISSIONS: 5, WRITE: 4, TAGGING: 3, READ: 2, LIST: 1, UNKNOWN: 0}

# Actions whose level the verb does not tell, or tells wrongly (keys are lower case).
_EXPLICIT: dict[str, str] = {
    # permissions management: they change who may do what
    "iam:passrole": PERMISSIONS,  # catalogue says Write; what matters is that it grants a role to a service
    "iam:createpolicyversion": PERMISSIONS,
    "iam:setdefaultpolicyversion": PERMISSIONS,
    "iam:updateassumerolepolicy": PERMISSIONS,
    "iam:createaccesskey": PERMISSIONS,
    "iam:createloginprofile": PERMISSIONS,
    "iam:updateloginprofile": PERMISSIONS,
    "s3:putbucketpolicy": PERMISSIONS,
    "s3:deletebucketpolicy": PERMISSIONS,
    "s3:putbucketacl": PERMISSIONS,
    "s3:putobjectacl": PERMISSIONS,
    "s3:putbucketpublicaccessblock": PERMISSIONS,
    "lambda:addpermission": PERMISSIONS,
    "lambda:removepermission": PERMISSIONS,
    "lambda:addlayerversionpermission": PERMISSIONS,
    "kms:creategrant": PERMISSIONS,
    "kms:putkeypolicy": PERMISSIONS,
    "sqs:addpermission": PERMISSIONS,
    "sqs:setqueueattributes": PERMISSIONS,
    "sns:addpermission": PERMISSIONS,
    "sns:settopicattributes": PERMISSIONS,
    "secretsmanager:putresourcepolicy": PERMISSIONS,
    "dynamodb:putresourcepolicy": PERMISSIONS,
    "ecr:setrepositorypolicy": PERMISSIONS,
    "logs:putresourcepolicy": PERMISSIONS,
    "events:putpermission": PERMISSIONS,
    # write actions a read-looking verb would misfile
    "kms:decrypt": WRITE,
    "kms:encrypt": WRITE,
    "kms:generatedatakey": WRITE,
    "kms:reencryptfrom": WRITE,
    "kms:reencryptto": WRITE,
    "lambda:invokefunction": WRITE,
    "lambda:invokeasync": WRITE,
    "execute-api:invoke": WRITE,
    "sqs:receivemessage": WRITE,  # the catalogue files it as Read, but receiving hides a message from others
    "sts:assumerole": WRITE,
    # reads a write-looking verb would misfile
    "dynamodb:batchgetitem": READ,
    "s3:listbucket": LIST,
    "logs:filterlogevents": READ,
    "logs:startquery": READ,
}

# Curated actions per service, for expanding wildcards such as `s3:Put*` or `dynamodb:*Item`.
_KNOWN: dict[str, tuple[str, ...]] = {
    "s3": (
        "GetObject", "GetObjectVersion", "PutObject", "DeleteObject", "DeleteObjectVersion", "ListBucket",
        "PutObjectAcl", "GetObjectAcl", "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl", "GetBucketPolicy",
        "PutBucketPublicAccessBlock", "CreateBucket", "DeleteBucket", "RestoreObject", "PutObjectTagging",
    ),
    "dynamodb": (
        "GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
        "DescribeTable", "CreateTable", "DeleteTable", "UpdateTable", "PutResourcePolicy", "TagResource",
    ),
    "sqs": ("SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl", "PurgeQueue",
            "SetQueueAttributes", "AddPermission", "ChangeMessageVisibility", "CreateQueue", "DeleteQueue"),
    "sns": ("Publish", "Subscribe", "Unsubscribe", "CreateTopic", "DeleteTopic", "SetTopicAttributes",
            "GetTopicAttributes", "AddPermission", "ListTopics"),
    "lambda": ("InvokeFunction", "InvokeAsync", "GetFunction", "ListFunctions", "CreateFunction", "DeleteFunction",
               "UpdateFunctionCode", "UpdateFunctionConfiguration", "AddPermission", "RemovePermission",
               "PublishVersion", "CreateEventSourceMapping"),
    "iam": ("PassRole", "GetRole", "ListRoles", "CreateRole", "DeleteRole", "AttachRolePolicy", "DetachRolePolicy",
            "PutRolePolicy", "DeleteRolePolicy", "CreatePolicy", "CreatePolicyVersion", "SetDefaultPolicyVersion",
            "UpdateAssumeRolePolicy", "CreateUser", "CreateAccessKey", "AttachUserPolicy", "PutUserPolicy",
            "CreateLoginProfile", "UpdateLoginProfile", "GetPolicy", "ListPolicies"),
    "kms": ("Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey", "CreateGrant", "PutKeyPolicy", "ScheduleKeyDeletion",
            "ListKeys"),
    "secretsmanager": ("GetSecretValue", "DescribeSecret", "ListSecrets", "PutSecretValue", "UpdateSecret",
                       "CreateSecret", "DeleteSecret", "PutResourcePolicy", "RotateSecret"),
    "ssm": ("GetParameter", "GetParameters", "GetParametersByPath", "PutParameter", "DeleteParameter",
            "DescribeParameters", "SendCommand"),
    "logs": ("CreateLogGroup", "CreateLogStream", "PutLogEvents", "DescribeLogGroups", "DeleteLogGroup",
             "FilterLogEvents", "PutRetentionPolicy", "PutResourcePolicy"),
    "xray": ("PutTraceSegments", "PutTelemetryRecords", "GetSamplingRules", "GetSamplingTargets",
             "GetSamplingStatisticSummaries"),
    "cloudwatch": ("PutMetricData", "GetMetricData", "PutMetricAlarm", "DeleteAlarms", "ListMetrics"),
    "ec2": ("CreateNetworkInterface", "DescribeNetworkInterfaces", "DeleteNetworkInterface",
            "AssignPrivateIpAddresses", "UnassignPrivateIpAddresses", "DescribeInstances", "RunInstances",
            "TerminateInstances"),
    "events": ("PutEvents", "PutRule", "PutTargets", "DeleteRule", "PutPermission"),
    "states": ("StartExecution", "StartSyncExecution", "DescribeExecution", "StopExecution"),
}

# Actions that do not support resource-level permissions (or whose only resource is `*`):
# `Resource: "*"` is the only way to grant them, so it is not a finding.
_UNSCOPABLE = frozenset(
    a.lower()
    for a in (
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
        "cloudwatch:PutMetricData",
        "cloudwatch:GetMetricData",
        "cloudwatch:ListMetrics",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
        "sts:GetCallerIdentity",
        "s3:ListAllMyBuckets",
        "sqs:ListQueues",
        "sns:ListTopics",
        "lambda:ListFunctions",
        "kms:ListKeys",
        "secretsmanager:ListSecrets",
        "ssm:DescribeParameters",
        "logs:DescribeLogGroups",
        "iam:ListRoles",
        "iam:ListPolicies",
        "events:PutEvents",  # the default event bus can be scoped, but `*` is the documented grant for it
    )
)

# Verbs (the start of the action name) and the level they usually mean.
_VERBS: tuple[tuple[str, str], ...] = (
    ("List", LIST),
    ("Get", READ), ("Describe", READ), ("Query", READ), ("Scan", READ), ("Select", READ), ("Search", READ),
    ("Lookup", READ), ("BatchGet", READ), ("Head", READ), ("View", READ),
    ("Tag", TAGGING), ("Untag", TAGGING),
    ("AttachRolePolicy", PERMISSIONS), ("AttachUserPolicy", PERMISSIONS), ("AttachGroupPolicy", PERMISSIONS),
    ("PutRolePolicy", PERMISSIONS), ("PutUserPolicy", PERMISSIONS), ("PutGroupPolicy", PERMISSIONS),
    ("DetachRolePolicy", PERMISSIONS), ("DeleteRolePolicy", PERMISSIONS), ("CreatePolicy", PERMISSIONS),
    ("PutRolePermissionsBoundary", PERMISSIONS), ("DeleteRolePermissionsBoundary", PERMISSIONS),
    ("Put", WRITE), ("Create", WRITE), ("Delete", WRITE), ("Update", WRITE), ("Modify", WRITE), ("Attach", WRITE),
    ("Detach", WRITE), ("Add", WRITE), ("Remove", WRITE), ("Set", WRITE), ("Start", WRITE), ("Stop", WRITE),
    ("Send", WRITE), ("Publish", WRITE), ("Invoke", WRITE), ("Write", WRITE), ("BatchWrite", WRITE),
    ("Upload", WRITE), ("Restore", WRITE), ("Copy", WRITE), ("Import", WRITE), ("Export", WRITE), ("Run", WRITE),
    ("Terminate", WRITE), ("Reboot", WRITE), ("Enable", WRITE), ("Disable", WRITE), ("Register", WRITE),
    ("Deregister", WRITE), ("Associate", WRITE), ("Disassociate", WRITE), ("Change", WRITE), ("Reset", WRITE),
    ("Rotate", WRITE), ("Cancel", WRITE), ("Submit", WRITE), ("Replace", WRITE), ("Purge", WRITE),
    ("Execute", WRITE), ("Assume", WRITE), ("Subscribe", WRITE), ("Unsubscribe", WRITE), ("Schedule", WRITE),
    ("Encrypt", WRITE), ("Decrypt", WRITE), ("Generate", WRITE), ("Receive", WRITE), ("Revoke", PERMISSIONS),
    ("Grant", PERMISSIONS),
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


def expand(action: str) -> tuple[str, ...]:
    """The curated actions a wildcard pattern matches (`s3:Put*` → `s3:PutObject`, …); the action itself
    when it has no wildcard. Matching is case-insensitive, as IAM's."""
    service, name = split(action)
    if "*" not in name and "?" not in name:
        return (f"{service}:{name}",)
    pattern = name.lower()
    return tuple(f"{service}:{a}" for a in _KNOWN.get(service, ()) if fnmatchcase(a.lower(), pattern))


def access_level(action: str) -> str:
    """AWS access level of an action, or the worst level a wildcard pattern can reach."""
    service, name = split(action)
    if "*" in name or "?" in name:
        levels = [access_level(a) for a in expand(action)]
        prefix = re.split(r"[*?]", name, maxsplit=1)[0]
        if prefix:
            levels.append(_verb_level(prefix))  # `s3:Put*` means writes even for actions we do not list
        return max(levels, key=_RANK.__getitem__, default=UNKNOWN)
    explicit = _EXPLICIT.get(f"{service}:{name.lower()}")
    return explicit or _verb_level(name)


def _verb_level(name: str) -> str:
    for verb, level in sorted(_VERBS, key=lambda v: -len(v[0])):  # longest verb first: BatchGet before Batch…
        if name.lower().startswith(verb.lower()):
            return level
    return UNKNOWN


def is_write_or_permissions(action: str) -> bool:
    return access_level(action) in (WRITE, PERMISSIONS)


def unscopable(action: str) -> bool:
    """True when `Resource: "*"` is the only way to grant the action (or every action a wildcard reaches)."""
    service, name = split(action)
    if "*" in name or "?" in name:
        matched = expand(action)
        return bool(matched) and all(a.lower() in _UNSCOPABLE for a in matched)
    return f"{service}:{name.lower()}" in _UNSCOPABLE
