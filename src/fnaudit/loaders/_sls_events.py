"""Serverless Framework `events:` entries → `Trigger`s.

Each entry is a one-key mapping (`- http: …`, `- sqs: …`). The Trigger's location is the line of
the entry, the authorizer's is the line of its `authorizer` (or `private`) key. Anything that
cannot be read becomes an error entry and the other events still load.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fnaudit.errors import ScanError
from fnaudit.loaders._iam import render
from fnaudit.loaders._sls_variables import Unresolved
from fnaudit.loaders._yaml import line_of
from fnaudit.model.app import AuthKind, Authorizer, Trigger, TriggerKind
from fnaudit.model.loc import Loc, Origin

REST_TIMEOUT = 29  # seconds API Gateway REST waits for the integration
HTTP_API_TIMEOUT = 30

# Event types the Framework knows that have no closer kind in the model.
_OTHER_KNOWN = frozenset({"websocket", "alexaSkill", "alexaSmartHome", "cloudFront", "sqsFifo"})


@dataclass(frozen=True, slots=True)
class EventContext:
    """What reading an event needs besides the entry itself."""

    path_of: Callable[[Any], str]  # the file a mapping or list was read from (`Variables.path_of`)
    private_endpoint: bool  # provider.endpointType: PRIVATE (REST APIs reachable only from a VPC)
    http_api_authorizers: Mapping[str, Any]  # provider.httpApi.authorizers
    function_names: frozenset[str]  # functions of this service (authorizer: someFunction)
    resource_type: Callable[[str], str | None] = field(default=lambda _lid: None)
    rel: str = ""  # the file of the events list being read (set by `triggers`)


def triggers(
    events: Any, fn_name: str, ctx: EventContext, line: int = 0
) -> tuple[tuple[Trigger, ...], list[ScanError]]:
    """The triggers of one function's `events` list (`line`: where its `events` key is written)."""
    out: list[Trigger] = []
    errors: list[ScanError] = []
    if events is None:
        return (), errors
    ctx = replace(ctx, rel=ctx.path_of(events))  # an events list may come from an included file
    if not isinstance(events, list):
        errors.append(ScanError(ctx.rel, f"line {line}: events of function {fn_name} is not a list; ignored", "load"))
        return (), errors
    for i, entry in enumerate(events):
        line = line_of(events, i)
        loc = Loc(ctx.rel, line)
        if not isinstance(entry, dict) or len(entry) != 1:
            errors.append(
                ScanError(
                    ctx.rel,
                    f"line {line}: event {i} of function {fn_name} is not a one-key mapping like `- http: …`; ignored",
                    "load",
                )
            )
            continue
        ((kind, body),) = entry.items()
        reader = _READERS.get(kind)
        if reader is None:
            if kind not in _OTHER_KNOWN:
                errors.append(
                    ScanError(
                        ctx.rel,
                        f"line {line}: unknown event type `{kind}` on function {fn_name}; kept as an `other` trigger",
                        "load",
                    )
                )
            out.append(Trigger(TriggerKind.OTHER, loc, Authorizer.none(loc), source=kind))
            continue
        out.append(reader(body, loc, ctx))
    return tuple(out), errors


# ---- HTTP ---------------------------------------------------------------------------------------


def _route(text: str) -> tuple[str | None, str | None]:
    """`GET /users` → (GET, /users); `*` → (ANY, *); a variable we could not resolve → unknown."""
    if isinstance(text, Unresolved):
        return None, None
    text = text.strip()
    if text == "*":
        return "ANY", "*"
    method, _, path = text.partition(" ")
    return _method(method), _path(path.strip()) if path.strip() else None


def _method(raw: Any) -> str | None:
    if raw is None:
        return None
    m = str(raw).strip().upper()
    return "ANY" if m in ("*", "ANY") else m


def _path(raw: Any) -> str | None:
    if raw is None:
        return None
    p = render(raw).strip()
    return p if p.startswith("/") or p == "*" else "/" + p


def _http(body: Any, loc: Loc, ctx: EventContext) -> Trigger:
    public = not ctx.private_endpoint
    if isinstance(body, str):
        method, path = _route(body)
        return Trigger(
            TriggerKind.API_REST,
            loc,
            Authorizer.none(loc),
            path,
            method,
            public=public,
            integration_timeout=REST_TIMEOUT,
        )
    body = body if isinstance(body, dict) else {}
    private = body.get("private") is True
    auth = _rest_authorizer(body, loc, ctx)
    if auth.kind is AuthKind.NONE and private:
        auth = Authorizer(AuthKind.API_KEY, Loc(ctx.rel, line_of(body, "private", loc.line)), Origin.SET)
    return Trigger(
        TriggerKind.API_REST,
        loc,
        auth,
        _path(body.get("path")),
        _method(body.get("method")),
        public=public,
        api_key_required=private,
        integration_timeout=REST_TIMEOUT,
        decided_at=_empty_authorizer(body, ctx),
    )


def _empty_authorizer(body: Mapping[str, Any], ctx: EventContext) -> Loc | None:
    """The `authorizer:` line when one is written but says "none": no value, `''` (often a variable's
    default on the stages that have no authorizer), `NONE` or `{type: NONE}`. That line decides that the
    route is open, so it is the line to change; without it, the event's line is."""
    if "authorizer" not in body:
        return None
    raw = body["authorizer"]
    if isinstance(raw, Unresolved):
        return None
    if isinstance(raw, dict):
        raw = raw.get("type", "") if set(raw) <= {"type"} else "-"
    if raw is None or (isinstance(raw, str) and raw.strip().upper() in ("", "NONE")):
        line = line_of(body, "authorizer", 0)
        return Loc(ctx.rel, line) if line else None
    return None


def _rest_authorizer(body: Mapping[str, Any], loc: Loc, ctx: EventContext) -> Authorizer:
    if "authorizer" not in body or body["authorizer"] is None:
        return Authorizer.none(loc)
    raw = body["authorizer"]
    aloc = Loc(ctx.rel, line_of(body, "authorizer", loc.line))
    if _empty_authorizer(body, ctx) is not None:
        return Authorizer(AuthKind.NONE, aloc, Origin.SET)  # written as "none": not an authorizer of unknown kind
    if isinstance(raw, Unresolved):
        return Authorizer(AuthKind.UNKNOWN, aloc, Origin.UNRESOLVED, str(raw))
    if isinstance(raw, str):
        return Authorizer(_rest_kind_of_text(raw, ctx), aloc, Origin.SET, raw)
    if isinstance(raw, dict):
        name = raw.get("name") if isinstance(raw.get("name"), str) else None
        kind_text = str(raw.get("type", "")).upper()
        if kind_text == "COGNITO_USER_POOLS":
            return Authorizer(AuthKind.COGNITO, aloc, Origin.SET, name)
        if kind_text in ("TOKEN", "REQUEST", "CUSTOM"):
            return Authorizer(AuthKind.LAMBDA, aloc, Origin.SET, name or _text(raw.get("arn")))
        if kind_text == "AWS_IAM":
            return Authorizer(AuthKind.IAM, aloc, Origin.SET, name)
        if raw.get("arn") is not None:
            arn = render(raw["arn"])
            return Authorizer(_rest_kind_of_text(arn, ctx), aloc, Origin.SET, name or arn)
        if name:
            return Authorizer(_rest_kind_of_text(name, ctx), aloc, Origin.SET, name)
    return Authorizer(AuthKind.UNKNOWN, aloc, Origin.SET, render(raw))


def _rest_kind_of_text(text: str, ctx: EventContext) -> AuthKind:
    """`aws_iam`, a Cognito user pool ARN, a Lambda ARN, or the name of a function of the service."""
    if text.lower() == "aws_iam":
        return AuthKind.IAM
    if ":cognito-idp:" in text:
        return AuthKind.COGNITO
    if ":lambda:" in text or text in ctx.function_names:
        return AuthKind.LAMBDA
    return AuthKind.UNKNOWN


def _http_api(body: Any, loc: Loc, ctx: EventContext) -> Trigger:
    if isinstance(body, str):
        method, path = _route(body)
        return Trigger(
            TriggerKind.API_HTTP,
            loc,
            Authorizer.none(loc),
            path,
            method,
            public=True,
            integration_timeout=HTTP_API_TIMEOUT,
        )
    body = body if isinstance(body, dict) else {}
    method = _method(body.get("method")) or ("ANY" if body.get("path") == "*" else None)
    return Trigger(
        TriggerKind.API_HTTP,
        loc,
        _http_api_authorizer(body, loc, ctx),
        _path(body.get("path")),
        method,
        public=True,  # HTTP APIs have no private endpoint type
        integration_timeout=HTTP_API_TIMEOUT,
        decided_at=_empty_authorizer(body, ctx),
    )


def _http_api_authorizer(body: Mapping[str, Any], loc: Loc, ctx: EventContext) -> Authorizer:
    raw = body.get("authorizer")
    if raw is None:
        return Authorizer.none(loc)
    aloc = Loc(ctx.rel, line_of(body, "authorizer", loc.line))
    if _empty_authorizer(body, ctx) is not None:
        return Authorizer(AuthKind.NONE, aloc, Origin.SET)  # written as "none": not an authorizer of unknown kind
    if isinstance(raw, Unresolved):
        return Authorizer(AuthKind.UNKNOWN, aloc, Origin.UNRESOLVED, str(raw))
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, dict):
        return Authorizer(AuthKind.UNKNOWN, aloc, Origin.SET, render(raw))
    kind = _http_api_kind(raw.get("type"))
    name = raw.get("name") if isinstance(raw.get("name"), str) else None
    if kind is None and name is not None:
        # the kind is declared once under provider.httpApi.authorizers.<name>; JWT when no type
        defined = ctx.http_api_authorizers.get(name)
        if isinstance(defined, dict):
            kind = _http_api_kind(defined.get("type")) or AuthKind.JWT
    return Authorizer(kind or AuthKind.UNKNOWN, aloc, Origin.SET, name)


def _http_api_kind(raw: Any) -> AuthKind | None:
    t = str(raw or "").lower()
    return {"aws_iam": AuthKind.IAM, "jwt": AuthKind.JWT, "request": AuthKind.LAMBDA}.get(t)


def _alb(body: Any, loc: Loc, ctx: EventContext) -> Trigger:
    body = body if isinstance(body, dict) else {}
    conditions = body.get("conditions") if isinstance(body.get("conditions"), dict) else {}
    path = conditions.get("path")
    path = path[0] if isinstance(path, list) and path else path
    method = conditions.get("method")
    method = (
        method[0] if isinstance(method, list) and len(method) == 1 else None if isinstance(method, list) else method
    )
    return Trigger(
        TriggerKind.ALB,
        loc,
        Authorizer.none(loc),
        _path(path) if path is not None else None,
        _method(method),
        public=True,  # the listener's scheme is not in the event; assume internet-facing
        source=_text(body.get("listenerArn")),
    )


# ---- other event sources ------------------------------------------------------------------------


def _text(raw: Any) -> str | None:
    return None if raw is None else render(raw)


_INTRINSICS = frozenset({"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::ImportValue", "Fn::If"})


def _field(body: Any, *keys: str) -> str | None:
    """The event's source: the body itself when it is a string, else the first key present."""
    if isinstance(body, str):
        return body
    if isinstance(body, dict) and len(body) == 1 and next(iter(body)) in _INTRINSICS:
        return render(body)  # `sqs: !GetAtt Jobs.Arn`: the body is the ARN itself
    if isinstance(body, dict):
        for k in keys:
            v = body.get(k)
            if isinstance(v, list) and len(v) == 1:
                v = v[0]  # `rate: [rate(5 minutes)]`
            if v is not None:
                return render(v)
    return None


def _simple(kind: TriggerKind, *keys: str) -> Callable[[Any, Loc, EventContext], Trigger]:
    def read(body: Any, loc: Loc, ctx: EventContext) -> Trigger:
        return Trigger(kind, loc, Authorizer.none(loc), source=_field(body, *keys))

    return read


def _stream(body: Any, loc: Loc, ctx: EventContext) -> Trigger:
    intrinsic = isinstance(body, dict) and len(body) == 1 and next(iter(body)) in _INTRINSICS
    arn = body.get("arn") if isinstance(body, dict) and not intrinsic else body
    declared = str(body.get("type", "")).lower() if isinstance(body, dict) else ""
    kind = {"dynamodb": TriggerKind.DYNAMODB_STREAM, "kinesis": TriggerKind.KINESIS}.get(declared)
    if kind is None:
        kind = _stream_kind(arn, ctx)
    return Trigger(kind, loc, Authorizer.none(loc), source=_text(arn))


def _stream_kind(arn: Any, ctx: EventContext) -> TriggerKind:
    """From the ARN (`arn:aws:dynamodb:…/stream/…`, `arn:aws:kinesis:…`) or the resource it points at."""
    text = render(arn) if arn is not None else ""
    if ":dynamodb:" in text:
        return TriggerKind.DYNAMODB_STREAM
    if ":kinesis:" in text:
        return TriggerKind.KINESIS
    if isinstance(arn, dict) and "Fn::GetAtt" in arn and isinstance(arn["Fn::GetAtt"], list) and arn["Fn::GetAtt"]:
        rtype = ctx.resource_type(str(arn["Fn::GetAtt"][0]))
        if rtype == "AWS::DynamoDB::Table" or arn["Fn::GetAtt"][-1] == "StreamArn":
            return TriggerKind.DYNAMODB_STREAM
        if rtype == "AWS::Kinesis::Stream":
            return TriggerKind.KINESIS
    return TriggerKind.OTHER


def _event_bridge(body: Any, loc: Loc, ctx: EventContext) -> Trigger:
    if isinstance(body, dict) and body.get("schedule") is not None:
        return Trigger(TriggerKind.SCHEDULE, loc, Authorizer.none(loc), source=render(body["schedule"]))
    return Trigger(TriggerKind.EVENTBRIDGE, loc, Authorizer.none(loc), source=_field(body, "eventBus") or "default")


_READERS: dict[str, Callable[[Any, Loc, EventContext], Trigger]] = {
    "http": _http,
    "httpApi": _http_api,
    "alb": _alb,
    "s3": _simple(TriggerKind.S3, "bucket"),
    "sqs": _simple(TriggerKind.SQS, "arn", "queueName"),
    "sns": _simple(TriggerKind.SNS, "arn", "topicName"),
    "stream": _stream,
    "kafka": _simple(TriggerKind.KAFKA, "topic"),
    "msk": _simple(TriggerKind.KAFKA, "topic"),
    "activemq": _simple(TriggerKind.MQ, "arn"),
    "rabbitmq": _simple(TriggerKind.MQ, "arn"),
    "schedule": _simple(TriggerKind.SCHEDULE, "rate", "name"),
    "eventBridge": _event_bridge,
    "cloudwatchEvent": _simple(TriggerKind.EVENTBRIDGE, "name"),
    "cognitoUserPool": _simple(TriggerKind.COGNITO, "pool"),
    "iot": _simple(TriggerKind.IOT, "sql", "name"),
    "iotFleetProvisioning": _simple(TriggerKind.IOT, "templateName"),
    "cloudwatchLog": _simple(TriggerKind.CLOUDWATCH_LOGS, "logGroup"),
}
