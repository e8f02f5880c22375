"""Used versus granted: the IAM actions a function's code needs, from the SDK calls the code engine
found (`Function.sdk_calls`), and the least-privilege statements that grant exactly those.

An SDK call (`s3` `GetObject`) maps to IAM actions in three steps:

1. the IAM prefix of the botocore service: its model's `signingName`, else its `endpointPrefix`
   (`stepfunctions` → `states`, `sesv2` → `ses`, `apigatewaymanagementapi` → `execute-api`);
2. a small table of operations whose IAM action has another name or needs several actions
   (`ListObjectsV2` → `s3:ListBucket`, `Invoke` → `lambda:InvokeFunction`, `CopyObject` →
   `s3:GetObject` + `s3:PutObject`, `TransactWriteItems` → the item actions, …);
3. otherwise `<prefix>:<Operation>` when the catalogue lists it.

Calls that map to nothing are kept with `actions=()` (reported as unknown, never guessed).

The resource a call names (a literal, or an environment variable whose IaC value is known) is
matched to the app's resources by name or reference; otherwise an ARN is built from the literal
name with the catalogue's resource type for the action (`object` → `arn:aws:s3:::bucket/*`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fnaudit.engines.iam import arns
from fnaudit.engines.iam.catalogue import Catalogue
from fnaudit.model.app import App, Function, Resource, TriggerKind
from fnaudit.model.code import SdkCall

# (botocore service, operation) → IAM actions, where the action is not `<prefix>:<Operation>`.
MISMATCHES: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "CopyObject"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("s3", "CreateMultipartUpload"): ("s3:PutObject",),
    ("s3", "UploadPart"): ("s3:PutObject",),
    ("s3", "UploadPartCopy"): ("s3:PutObject", "s3:GetObject"),
    ("s3", "CompleteMultipartUpload"): ("s3:PutObject",),
    ("s3", "ListParts"): ("s3:ListMultipartUploadParts",),
    ("s3", "ListMultipartUploads"): ("s3:ListBucketMultipartUploads",),
    ("s3", "SelectObjectContent"): ("s3:GetObject",),
    ("s3", "GetObjectAttributes"): ("s3:GetObject", "s3:GetObjectAttributes"),
    ("lambda", "Invoke"): ("lambda:InvokeFunction",),
    ("lambda", "InvokeAsync"): ("lambda:InvokeFunction",),
    ("lambda", "InvokeWithResponseStream"): ("lambda:InvokeFunction",),
    ("dynamodb", "TransactWriteItems"): (
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    ),
    ("dynamodb", "TransactGetItems"): ("dynamodb:GetItem",),
    ("dynamodb", "ExecuteStatement"): (
        "dynamodb:PartiQLSelect",
        "dynamodb:PartiQLInsert",
        "dynamodb:PartiQLUpdate",
        "dynamodb:PartiQLDelete",
    ),
    ("dynamodb", "BatchExecuteStatement"): (
        "dynamodb:PartiQLSelect",
        "dynamodb:PartiQLInsert",
        "dynamodb:PartiQLUpdate",
        "dynamodb:PartiQLDelete",
    ),
    ("sqs", "SendMessageBatch"): ("sqs:SendMessage",),
    ("sqs", "DeleteMessageBatch"): ("sqs:DeleteMessage",),
    ("sqs", "ChangeMessageVisibilityBatch"): ("sqs:ChangeMessageVisibility",),
    ("sns", "PublishBatch"): ("sns:Publish",),
    ("secretsmanager", "BatchGetSecretValue"): ("secretsmanager:BatchGetSecretValue", "secretsmanager:GetSecretValue"),
    ("apigatewaymanagementapi", "PostToConnection"): ("execute-api:ManageConnections",),
    ("apigatewaymanagementapi", "GetConnection"): ("execute-api:ManageConnections",),
    ("apigatewaymanagementapi", "DeleteConnection"): ("execute-api:ManageConnections",),
    ("sesv2", "SendEmail"): ("ses:SendEmail", "ses:SendRawEmail"),
    ("kinesis", "SubscribeToShard"): ("kinesis:SubscribeToShard",),
    ("sts", "GetCallerIdentity"): (),  # needs no permission
    ("bedrock-runtime", "Converse"): ("bedrock:InvokeModel",),
    ("bedrock-runtime", "ConverseStream"): ("bedrock:InvokeModelWithResponseStream",),
}
_PREFIX_OVERRIDES = {"iotdata": "iot", "email": "ses"}

# Permissions Lambda itself uses for the function's triggers (event source mappings poll with the role).
_TRIGGER_ACTIONS: dict[TriggerKind, tuple[str, ...]] = {
    TriggerKind.SQS: (
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ChangeMessageVisibility",
    ),
    TriggerKind.DYNAMODB_STREAM: (
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:DescribeStream",
        "dynamodb:ListStreams",
    ),
    TriggerKind.KINESIS: (
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:ListShards",
        "kinesis:ListStreams",
        "kinesis:SubscribeToShard",
    ),
    TriggerKind.KAFKA: ("kafka:DescribeCluster", "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers"),
    TriggerKind.MQ: ("mq:DescribeBroker", "secretsmanager:GetSecretValue"),
}
# Actions the Lambda runtime uses for the function, not its code: the function's logs, traces and VPC network
# interfaces (AWSLambdaBasicExecutionRole, AWSXrayWriteOnlyAccess, AWSLambdaVPCAccessExecutionRole), as the
# catalogue spells them (the blast radius counts them as named) and lower-cased (for matching grants).
RUNTIME_NEEDS = frozenset(
    {
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    }
)
RUNTIME_ACTIONS = frozenset(a.lower() for a in RUNTIME_NEEDS)


@dataclass(frozen=True, slots=True)
class Need:
    """One IAM action a function needs, on one resource."""

    action: str  # canonical catalogue name
    resource: str  # ARN pattern (`*` when the code does not tell)
    ref: str | None  # logical id of the app resource, when the call names one
    call: SdkCall | None  # None for trigger-implied needs
    confidence: str = "high"


@lru_cache(maxsize=512)
def iam_prefix(service: str) -> str:
    """The IAM prefix of a botocore service name (`stepfunctions` → `states`)."""
    from fnaudit.engines.code import awsmodel

    # The SDK models' compact index, when it matches the installed botocore: no model is read.
    indexed = awsmodel.metadata(service)
    if indexed is not None:
        known, names = indexed
        if not known:
            return service
        prefix = names.get("signingName") or names.get("endpointPrefix") or service
        return _PREFIX_OVERRIDES.get(prefix, prefix)

    from importlib.metadata import version

    from fnaudit import cache

    # Cached on disk (keyed by botocore's version): the answer is one word, the model megabytes.
    entry = cache.key("botocore-iam-prefix", version("botocore"), service)
    cached = cache.read_json("botocore", entry)
    if isinstance(cached, str):
        return cached
    try:
        meta = _botocore_loader().load_service_model(service, "service-2").get("metadata", {})
    except Exception:
        return service
    prefix = meta.get("signingName") or meta.get("endpointPrefix") or service
    prefix = _PREFIX_OVERRIDES.get(prefix, prefix)
    cache.write_json("botocore", entry, prefix)
    return prefix


@lru_cache(maxsize=1)
def _botocore_loader() -> Any:  # botocore is untyped (no stubs are installed for it): its Loader is Any
    from botocore.loaders import create_loader

    return create_loader()


def actions_for(call: SdkCall, catalogue: Catalogue) -> tuple[str, ...]:
    """The IAM actions one SDK call needs (canonical names; () when unknown or needing none)."""
    mapped = MISMATCHES.get((call.service, call.operation))
    if mapped is not None:
        return tuple(catalogue.canonical(a) for a in mapped)
    for prefix in dict.fromkeys((iam_prefix(call.service), call.service)):
        info = catalogue.action(f"{prefix}:{call.operation}")
        if info is not None:
            return (info.full,)
    return ()


_QUEUE_URL = re.compile(r"^https://[^/]*sqs[^/]*/(\d+|\*)/([^/?#]+)")


def _match_resource(text: str, app: App) -> Resource | None:
    t = text.strip()
    _arn, ref = arns.resolve(t, app.resources)
    if ref is not None:
        return app.resources.get(ref)
    if t in app.resources:
        return app.resources[t]
    m = _QUEUE_URL.match(t)
    name = m.group(2) if m else t.rsplit(":", 1)[-1].rsplit("/", 1)[-1] if t.startswith("arn:") else t
    for res in app.resources.values():
        if arns.arn_of(res) is not None and arns.name_of(res) == name:
            return res
    return None


def resource_of(text: str, app: App) -> Resource | None:
    """The app resource a name, ARN, queue URL, `Ref` / `GetAtt` / `Sub` text or logical id points at, if any
    (shared with the rules that join what one function writes to what triggers another)."""
    return _match_resource(text, app)


def resource_for(action: str, text: str | None, app: App, catalogue: Catalogue) -> tuple[str, str | None]:
    """(ARN pattern, app logical id) of what an action is called on; (`*`, None) when unknown."""
    if not text or text.startswith("${env:") or ("${" in text and not text.startswith("!")):
        return "*", None
    info = catalogue.action(action)
    rtypes = info.resource_types if info else ()
    res = _match_resource(text, app)
    if res is not None:
        arn = arns.arn_of(res) or "*"
        if res.type == "AWS::S3::Bucket" and _object_level(rtypes):
            arn += "/*"
        return arn, res.logical_id
    if not rtypes:
        return "*", None  # the action takes no resource
    t = text.strip()
    service = action.split(":", 1)[0]
    if t.startswith("arn:"):
        if service == "s3" and _object_level(rtypes) and "/" not in t.split(":::", 1)[-1]:
            return t + "/*", None
        return t, None
    m = _QUEUE_URL.match(t)
    name = m.group(2) if m else t
    if service == "s3":
        return (f"arn:aws:s3:::{name}/*" if _object_level(rtypes) else f"arn:aws:s3:::{name}"), None
    built = _ARN_BY_SERVICE.get(service)
    if built is None:
        return "*", None
    return built.format(name=name.lstrip("/") if service == "ssm" else name), None


def _object_level(rtypes: Iterable[str]) -> bool:
    rt = set(rtypes)
    return "object" in rt and "bucket" not in rt


_ARN_BY_SERVICE = {
    "dynamodb": "arn:aws:dynamodb:*:*:table/{name}",
    "sqs": "arn:aws:sqs:*:*:{name}",
    "sns": "arn:aws:sns:*:*:{name}",
    "lambda": "arn:aws:lambda:*:*:function:{name}",
    "secretsmanager": "arn:aws:secretsmanager:*:*:secret:{name}-*",
    "ssm": "arn:aws:ssm:*:*:parameter/{name}",
    "kinesis": "arn:aws:kinesis:*:*:stream/{name}",
    "firehose": "arn:aws:firehose:*:*:deliverystream/{name}",
    "states": "arn:aws:states:*:*:stateMachine:{name}",
    "events": "arn:aws:events:*:*:event-bus/{name}",
}


def needs(fn: Function, app: App, catalogue: Catalogue) -> tuple[Need, ...]:
    """What the function needs: its SDK calls, plus what Lambda uses the role for (trigger polling)."""
    out: list[Need] = []
    for call in fn.sdk_calls:
        for action in actions_for(call, catalogue):
            arn, ref = resource_for(action, call.resource, app, catalogue)
            out.append(Need(action, arn, ref, call, call.confidence))
    for target in (fn.dead_letter, fn.on_failure):  # Lambda sends failed events with the role
        if target.is_set and target.value:
            dest = _destination_action(str(target.value), app)
            if dest:
                arn, ref = resource_for(dest, str(target.value), app, catalogue)
                out.append(Need(catalogue.canonical(dest), arn, ref, None))
    for trig in fn.triggers:
        for action in _TRIGGER_ACTIONS.get(trig.kind, ()):
            arn, ref = resource_for(action, trig.source, app, catalogue) if trig.source else ("*", None)
            out.append(Need(catalogue.canonical(action), arn, ref, None))
    return tuple(out)


def needed_actions(fns: Iterable[Function], app: App, catalogue: Catalogue) -> frozenset[str]:
    return frozenset(n.action for fn in fns for n in needs(fn, app, catalogue))


def unknown_calls(fn: Function, catalogue: Catalogue) -> tuple[SdkCall, ...]:
    return tuple(
        c for c in fn.sdk_calls if not actions_for(c, catalogue) and (c.service, c.operation) not in MISMATCHES
    )


def group_statements(items: Iterable[Need]) -> list[tuple[tuple[str, ...], tuple[tuple[str, str | None], ...]]]:
    """Needs → statements: (sorted actions, sorted (resource, ref)) with resources that share the same
    action set merged into one statement."""
    per_resource: dict[tuple[str, str | None], set[str]] = {}
    for n in items:
        per_resource.setdefault((n.resource, n.ref), set()).add(n.action)
    by_actions: dict[tuple[str, ...], list[tuple[str, str | None]]] = {}
    for res, acts in per_resource.items():
        by_actions.setdefault(tuple(sorted(acts)), []).append(res)
    return sorted((acts, tuple(sorted(res, key=lambda r: r[0]))) for acts, res in by_actions.items())


def resource_map(app: App) -> Mapping[str, Resource]:
    return app.resources


_CONFIDENCE = {"high": 2, "medium": 1, "low": 0}


def confidence(fn: Function, catalogue: Catalogue) -> str:
    """How sure we are that the SDK calls found are everything the code does with AWS."""
    if not fn.sdk_calls:
        return "medium"  # no call found: the code may use the SDK in ways we do not follow
    worst = min((c.confidence for c in fn.sdk_calls), key=lambda c: _CONFIDENCE.get(c, 0))
    if unknown_calls(fn, catalogue):
        return "low"
    return worst


_DESTINATION_BY_TYPE = {
    "AWS::SQS::Queue": "sqs:SendMessage",
    "AWS::SNS::Topic": "sns:Publish",
    "AWS::Lambda::Function": "lambda:InvokeFunction",
    "AWS::Events::EventBus": "events:PutEvents",
    "AWS::S3::Bucket": "s3:PutObject",
}
_DESTINATION_BY_SERVICE = {
    "sqs": "sqs:SendMessage",
    "sns": "sns:Publish",
    "lambda": "lambda:InvokeFunction",
    "events": "events:PutEvents",
    "s3": "s3:PutObject",
}


def _destination_action(text: str, app: App) -> str | None:
    res = _match_resource(text, app)
    if res is not None:
        return _DESTINATION_BY_TYPE.get(res.type)
    parts = text.split(":")
    return _DESTINATION_BY_SERVICE.get(parts[2]) if len(parts) > 2 and parts[0] == "arn" else None
