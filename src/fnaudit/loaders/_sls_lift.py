"""serverless-lift `constructs:` → the functions and resources the plugin adds to a service.

Lift turns each construct into CloudFormation at package time. What matters for the analysis:

- `type: queue` creates an SQS queue, a dead-letter queue (always: messages failing `maxRetries`
  times, 3 by default, move there) and, with `worker:`, a Lambda function named `<id>Worker` whose
  definition is the `worker` block itself (handler, timeout, environment, … as under `functions`),
  triggered by the queue (`batchSize`, 1 by default). The worker is read like any other function by
  the serverless loader, so it gets the provider's defaults and role.
- `type: webhook` creates an HTTP API route forwarding requests to an EventBridge bus (no function
  of the service; an `authorizer` block protects it, `insecure: true` leaves it open).
- `type: storage` creates an encrypted, versioned S3 bucket that blocks public access;
  `static-website` / `single-page-app` an S3 bucket served by CloudFront;
  `database/dynamodb-single-table` a DynamoDB table.

These are recorded as resources with the properties lift gives them, at the construct's line.
Nothing from the plugin is executed: the constructs are read as data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fnaudit.errors import ScanError
from fnaudit.model.app import Authorizer, Resource, Trigger, TriggerKind
from fnaudit.model.loc import Loc

At = Callable[[Any, Any], Loc]  # where `container[key]` is written: `Variables.loc`

DEFAULT_MAX_RETRIES = 3  # lift's default before a message moves to the dead-letter queue
DEFAULT_BATCH_SIZE = 1


@dataclass(frozen=True, slots=True)
class Worker:
    """The function a `queue` construct adds: its definition and its SQS trigger."""

    name: str  # `<construct id>Worker`, as lift names it
    raw: Mapping[str, Any]  # the `worker` block: a function definition
    loc: Loc  # where `worker:` is written
    trigger: Trigger


@dataclass(frozen=True, slots=True)
class Constructs:
    workers: tuple[Worker, ...] = ()
    resources: Mapping[str, Resource] = field(default_factory=dict)
    errors: tuple[ScanError, ...] = ()


def read(raw: Any, at: At, rel: str, line: int) -> Constructs:
    """The constructs of a service (`raw`: the resolved `constructs` value; `line`: its key's line)."""
    if raw is None:
        return Constructs()
    if not isinstance(raw, dict):
        err = ScanError(rel, f"line {line}: `constructs` must be a mapping of construct names; ignored", "load")
        return Constructs(errors=(err,))
    workers: list[Worker] = []
    resources: dict[str, Resource] = {}
    errors: list[ScanError] = []
    for cid, body in raw.items():
        loc = at(raw, cid)
        name = str(cid)
        if not isinstance(body, dict):
            errors.append(ScanError(loc.path, f"line {loc.line}: construct {name} is not a mapping; ignored", "load"))
            continue
        kind = str(body.get("type", ""))
        reader = _READERS.get(kind)
        if reader is None:
            errors.append(
                ScanError(
                    loc.path,
                    f"line {loc.line}: construct {name} has type `{kind}`, which fnaudit does not know; ignored",
                    "load",
                )
            )
            continue
        worker, made = reader(name, body, loc, at)
        if worker is not None:
            workers.append(worker)
        resources.update({r.logical_id: r for r in made})
    return Constructs(tuple(workers), resources, tuple(errors))


def _logical(cid: str) -> str:
    """The logical-id prefix lift derives from a construct id (`jobs-queue` → `JobsQueue`)."""
    words = [w for w in cid.replace("_", "-").split("-") if w]
    return "".join(w[:1].upper() + w[1:] for w in words) or "Construct"


_Reader = Callable[[str, Mapping[str, Any], Loc, At], tuple[Worker | None, list[Resource]]]


def _queue(cid: str, body: Mapping[str, Any], loc: Loc, at: At) -> tuple[Worker | None, list[Resource]]:
    base = _logical(cid)
    retries = body.get("maxRetries", DEFAULT_MAX_RETRIES)
    queue_props: dict[str, Any] = {
        "RedrivePolicy": {
            "deadLetterTargetArn": {"Fn::GetAtt": [f"{base}Dlq", "Arn"]},
            "maxReceiveCount": retries if isinstance(retries, int) and not isinstance(retries, bool) else 3,
        }
    }
    if body.get("fifo") is True:
        queue_props["FifoQueue"] = True
    made = [
        Resource(f"{base}Queue", "AWS::SQS::Queue", loc, queue_props),
        Resource(f"{base}Dlq", "AWS::SQS::Queue", loc, {"MessageRetentionPeriod": 1209600}),
    ]
    worker_raw = body.get("worker")
    if not isinstance(worker_raw, dict):
        return None, made  # a queue other services consume: no function here
    wloc = at(body, "worker")
    batch = body.get("batchSize", DEFAULT_BATCH_SIZE)
    trigger = Trigger(TriggerKind.SQS, wloc, Authorizer.none(wloc), source=f"{base}Queue")
    made.append(
        Resource(
            f"{base}EventSourceMapping",
            "AWS::Lambda::EventSourceMapping",
            wloc,
            {"EventSourceArn": {"Fn::GetAtt": [f"{base}Queue", "Arn"]}, "BatchSize": batch},
        )
    )
    return Worker(f"{cid}Worker", worker_raw, wloc, trigger), made


def _webhook(cid: str, body: Mapping[str, Any], loc: Loc, at: At) -> tuple[Worker | None, list[Resource]]:
    base = _logical(cid)
    authorizer = body.get("authorizer")
    route: dict[str, Any] = {
        "ApiId": {"Ref": f"{base}HttpApi"},
        "RouteKey": str(body.get("path", "")),
        "AuthorizationType": "CUSTOM" if isinstance(authorizer, dict) else "NONE",
    }
    if isinstance(authorizer, dict) and authorizer.get("handler") is not None:
        route["AuthorizerHandler"] = str(authorizer["handler"])  # lift's own Lambda authorizer
    bus: dict[str, Any] = {"Name": str(body["eventBus"])} if body.get("eventBus") is not None else {}
    return None, [
        Resource(f"{base}HttpApi", "AWS::ApiGatewayV2::Api", loc, {"ProtocolType": "HTTP"}),
        Resource(f"{base}Route", "AWS::ApiGatewayV2::Route", at(body, "path") if "path" in body else loc, route),
        Resource(f"{base}Bus", "AWS::Events::EventBus", loc, bus),
    ]


def _storage(cid: str, body: Mapping[str, Any], loc: Loc, at: At) -> tuple[Worker | None, list[Resource]]:
    algorithm = "aws:kms" if str(body.get("encryption", "s3")).lower() == "kms" else "AES256"
    props = {
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm}}]
        },
        "VersioningConfiguration": {"Status": "Enabled"},
        "PublicAccessBlockConfiguration": _BLOCK_ALL,
    }
    return None, [Resource(f"{_logical(cid)}Bucket", "AWS::S3::Bucket", loc, props)]


def _website(cid: str, body: Mapping[str, Any], loc: Loc, at: At) -> tuple[Worker | None, list[Resource]]:
    base = _logical(cid)
    # the bucket is private to CloudFront (an origin access identity), the distribution is public
    return None, [
        Resource(f"{base}Bucket", "AWS::S3::Bucket", loc, {"PublicAccessBlockConfiguration": _BLOCK_ALL}),
        Resource(f"{base}CDN", "AWS::CloudFront::Distribution", loc, {"Origin": {"Ref": f"{base}Bucket"}}),
    ]


def _table(cid: str, body: Mapping[str, Any], loc: Loc, at: At) -> tuple[Worker | None, list[Resource]]:
    props = {"BillingMode": "PAY_PER_REQUEST", "SSESpecification": {"SSEEnabled": True}}
    return None, [Resource(f"{_logical(cid)}Table", "AWS::DynamoDB::Table", loc, props)]


_BLOCK_ALL = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}

_READERS: dict[str, _Reader] = {
    "queue": _queue,
    "webhook": _webhook,
    "storage": _storage,
    "static-website": _website,
    "single-page-app": _website,
    "database/dynamodb-single-table": _table,
}
