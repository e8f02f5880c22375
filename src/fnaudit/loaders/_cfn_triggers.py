"""Event sources of in-template Lambda functions, read from CloudFormation resources.

One reader per resource type that can invoke a function (API Gateway v1/v2 — as resources or as an
inline OpenAPI `Body` —, function URLs, event source mappings, S3 notifications, SNS, EventBridge,
ALB target groups, Cognito triggers). Each returns (function logical id, Trigger) pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fnaudit.loaders._cfn_parts import function_names, target_function
from fnaudit.loaders._intrinsics import Resolver
from fnaudit.loaders._yaml import line_of, own_line
from fnaudit.model.app import AuthKind, Authorizer, FunctionUrl, Resource, Trigger, TriggerKind
from fnaudit.model.loc import Loc, Origin, Value

REST_TIMEOUT = 29  # seconds API Gateway REST waits for an integration
HTTP_TIMEOUT = 30  # seconds API Gateway HTTP waits for an integration
_HTTP_METHODS = frozenset(
    {"get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method"}
)


@dataclass(frozen=True, slots=True)
class Triggers:
    """Everything that points at functions, by function logical id."""

    triggers: dict[str, list[Trigger]]
    urls: dict[str, FunctionUrl]
    on_failure: dict[str, Value[str]]


@dataclass(frozen=True, slots=True)
class RouteAuthSource:
    """Where a route of an inline OpenAPI body got its auth from, when the dialect that generated the
    body knows it (SAM: an API's `Auth.DefaultAuthorizer` / `Auth.ApiKeyRequired`, own or from Globals).

    A line is that of the API setting the route inherits (the line to change); 0 means the route
    itself decides (its event's `Auth`, or nothing at all). `decided_line` is the line that decides the
    route's own authorization, as written (the event's `Auth.Authorizer`, the operation written in
    `DefinitionBody` or its `security`): the generated body cannot say which `security` the user wrote.
    """

    authorizer_line: int = 0
    api_key_line: int = 0
    decided_line: int = 0


# (API logical id, path as in the body, operation key lower-cased as in the body) → where its auth came from
RouteAuth = Mapping[tuple[str, str, str], RouteAuthSource]


class _Reader:
    def __init__(self, resources: Mapping[str, Resource], rel: str, resolver: Resolver, route_auth: RouteAuth) -> None:
        self.resources = resources
        self.rel = rel
        self.r = resolver
        self.names = function_names(resources, resolver)
        self.route_auth = route_auth

    def loc(self, container: Any, key: Any, default: int) -> Loc:
        return Loc(self.rel, line_of(container, key, default))

    def target(self, raw: Any) -> str | None:
        return target_function(raw, self.resources, self.r, self.names)

    def ref_of_type(self, raw: Any, *types: str) -> str | None:
        for ref in self.r.resource_refs(raw):
            res = self.resources.get(ref.logical_id)
            if res is not None and res.type in types:
                return ref.logical_id
        return None

    def of_type(self, rtype: str) -> Iterator[Resource]:
        return (res for res in self.resources.values() if res.type == rtype)


def read_triggers(
    resources: Mapping[str, Resource], rel: str, resolver: Resolver, route_auth: RouteAuth | None = None
) -> Triggers:
    rd = _Reader(resources, rel, resolver, route_auth or {})
    found: dict[str, list[Trigger]] = {}
    readers: tuple[Callable[[_Reader], Iterator[tuple[str, Trigger]]], ...] = (
        _rest_methods,
        _openapi_bodies,
        _http_routes,
        _event_source_mappings,
        _s3,
        _sns,
        _eventbridge,
        _alb,
        _cognito,
        _custom_resources,
        _state_machines,
        _destinations,
    )
    for reader in readers:
        for lid, trig in reader(rd):
            found.setdefault(lid, []).append(trig)
    urls: dict[str, FunctionUrl] = {}
    for lid, url, trig in _urls(rd):
        urls[lid] = url
        found.setdefault(lid, []).append(trig)
    return Triggers(found, urls, _on_failure(rd))


# ---- API Gateway REST (v1) as resources -----------------------------------------------------


def _rest_methods(rd: _Reader) -> Iterator[tuple[str, Trigger]]:
    for res in rd.of_type("AWS::ApiGateway::Method"):
        p = res.properties
        integration = p.get("Integration")
        uri = integration.get("Uri") if isinstance(integration, Mapping) else None
        fn = rd.target(uri) if uri is not None else None
        if fn is None:
            continue
        api = rd.ref_of_type(p.get("RestApiId"), "AWS::ApiGateway::RestApi")
        method = (rd.r.text(p.get("HttpMethod")) or "ANY").upper()
        yield (
            fn,
            Trigger(
                kind=TriggerKind.API_REST,
                loc=res.loc,
                authorizer=_rest_authorizer(rd, res),
                path=_rest_path(rd, p.get("ResourceId")),
                method=method,
                public=_rest_public(rd, api),
                api_key_required=rd.r.text(p.get("ApiKeyRequired")) == "true",
                api=api,
                integration_timeout=REST_TIMEOUT,
                decided_at=_written(rd, p, "AuthorizationType"),
            ),
        )


def _rest_path(rd: _Reader, resource_id: Any) -> str:
    parts: list[str] = []
    seen: set[str] = set()
    current = resource_id
    while True:
        lid = rd.ref_of_type(current, "AWS::ApiGateway::Resource")
        if lid is None or lid in seen:  # the root (GetAtt Api.RootResourceId) or a cycle
            break
        seen.add(lid)
        props = rd.resources[lid].properties
        parts.append(rd.r.display(props.get("PathPart", "")))
        current = props.get("ParentId")
    return "/" + "/".join(reversed(parts))


def _rest_public(rd: _Reader, api: str | None) -> bool:
    if api is None:
        return True
    cfg = rd.resources[api].properties.get("EndpointConfiguration")
    types = cfg.get("Types") if isinstance(cfg, Mapping) else None
    values = rd.r.evaluate_safe(types) if types is not None else None
    return not (isinstance(values, list) and "PRIVATE" in values)


def _rest_authorizer(rd: _Reader, res: Resource) -> Authorizer:
    p = res.properties
    auth_type = (rd.r.text(p.get("AuthorizationType")) or "NONE").upper()
    loc = rd.loc(p, "AuthorizationType", res.loc.line)
    origin = Origin.SET if "AuthorizationType" in p else Origin.DEFAULT
    if auth_type == "AWS_IAM":
        return Authorizer(AuthKind.IAM, loc, origin)
    if auth_type == "COGNITO_USER_POOLS":
        return Authorizer(AuthKind.COGNITO, loc, origin, _authorizer_name(rd, p.get("AuthorizerId")))
    if auth_type == "CUSTOM":
        name = _authorizer_name(rd, p.get("AuthorizerId"))
        kind = AuthKind.LAMBDA
        if name is not None:
            a_type = (rd.r.text(rd.resources[name].properties.get("Type")) or "").upper()
            kind = AuthKind.COGNITO if a_type == "COGNITO_USER_POOLS" else AuthKind.LAMBDA
        return Authorizer(kind, loc, origin, name)
    if rd.r.text(p.get("ApiKeyRequired")) == "true":
        return Authorizer(AuthKind.API_KEY, rd.loc(p, "ApiKeyRequired", res.loc.line), Origin.SET)
    return Authorizer(AuthKind.NONE, loc, origin)


def _written(rd: _Reader, container: Mapping[str, Any], key: str) -> Loc | None:
    """The line of `key` when it is written in `container` (the line that decides a route's auth), else None."""
    line = line_of(container, key, 0) if key in container else 0
    return Loc(rd.rel, line) if line else None


def _authorizer_name(rd: _Reader, raw: Any) -> str | None:
    return rd.ref_of_type(raw, "AWS::ApiGateway::Authorizer") if raw is not None else None


# ---- API Gateway HTTP (v2) as resources -----------------------------------------------------


def _http_routes(rd: _Reader) -> Iterator[tuple[str, Trigger]]:
    for res in rd.of_type("AWS::ApiGatewayV2::Route"):
        p = res.properties
        integ = rd.ref_of_type(p.get("Target"), "AWS::ApiGatewayV2::Integration")
        if integ is None:
            continue
        fn = rd.target(rd.resources[integ].properties.get("IntegrationUri"))
        if fn is None:
            continue
        route_key = rd.r.text(p.get("RouteKey")) or "$default"
        method, _, path = route_key.partition(" ")
        if not path:  # $default, or a WebSocket route key
            method, path = "ANY", route_key
        yield (
            fn,
            Trigger(
                kind=TriggerKind.API_HTTP,
                loc=res.loc,
                authorizer=_http_authorizer(rd, res),
                path=path,
                method=method.upper(),
                public=True,
                api=rd.ref_of_type(p.get("ApiId"), "AWS::ApiGatewayV2::Api"),
                integration_timeout=HTTP_TIMEOUT,
                decided_at=_written(rd, p, "AuthorizationType"),
            ),
        )


def _http_authorizer(rd: _Reader, res: Resource) -> Authorizer:
    p = res.properties
    auth_type = (rd.r.text(p.get("AuthorizationType")) or "NONE").upper()
    loc = rd.loc(p, "AuthorizationType", res.loc.line)
    origin = Origin.SET if "AuthorizationType" in p else Origin.DEFAULT
    name = rd.ref_of_type(p.get("AuthorizerId"), "AWS::ApiGatewayV2::Authorizer") if p.get("AuthorizerId") else None
    kind = {"AWS_IAM": AuthKind.IAM, "JWT": AuthKind.JWT, "CUSTOM": AuthKind.LAMBDA}.get(auth_type, AuthKind.NONE)
    return Authorizer(kind, loc, origin, name)


# ---- inline OpenAPI bodies (SAM's implicit and explicit APIs, hand-written Body) -----------


def _openapi_bodies(rd: _Reader) -> Iterator[tuple[str, Trigger]]:
    for api_type, kind in (
        ("AWS::ApiGateway::RestApi", TriggerKind.API_REST),
        ("AWS::ApiGatewayV2::Api", TriggerKind.API_HTTP),
    ):
        for res in rd.of_type(api_type):
            body = res.properties.get("Body")
            if isinstance(body, Mapping):
                yield from _openapi(rd, res, body, kind)


def _openapi(rd: _Reader, api: Resource, body: Mapping[str, Any], kind: TriggerKind) -> Iterator[tuple[str, Trigger]]:
    schemes = _security_schemes(body)
    default_security = body.get("security")
    paths = body.get("paths")
    if not isinstance(paths, Mapping):
        return
    public = _rest_public(rd, api.logical_id) if kind is TriggerKind.API_REST else True
    for path, ops in paths.items():
        if not isinstance(ops, Mapping):
            continue
        for verb, op in ops.items():
            if str(verb).lower() not in _HTTP_METHODS or not isinstance(op, Mapping):
                continue
            integration = op.get("x-amazon-apigateway-integration")
            uri = integration.get("uri") if isinstance(integration, Mapping) else None
            fn = rd.target(uri) if uri is not None else None
            if fn is None:
                continue
            loc = Loc(rd.rel, line_of(ops, verb, own_line(op, api.loc.line)))
            security = op.get("security", default_security)
            auth, api_key = _openapi_auth(security, schemes, loc)
            inherited = rd.route_auth.get((api.logical_id, str(path), str(verb).lower()))
            if inherited is not None:
                auth = _inherited_auth(rd, auth, inherited)
            decided = (
                Loc(rd.rel, inherited.decided_line)
                if inherited is not None and inherited.decided_line
                else _written(rd, op, "security")  # a body written as CloudFormation: its lines are the user's
            )
            method = "ANY" if str(verb).lower() == "x-amazon-apigateway-any-method" else str(verb).upper()
            yield (
                fn,
                Trigger(
                    kind=kind,
                    loc=loc,
                    authorizer=auth,
                    path=str(path),
                    method=method,
                    public=public,
                    api_key_required=api_key,
                    api=api.logical_id,
                    integration_timeout=REST_TIMEOUT if kind is TriggerKind.API_REST else HTTP_TIMEOUT,
                    decided_at=decided,
                ),
            )


def _security_schemes(body: Mapping[str, Any]) -> Mapping[str, Any]:
    defs = body.get("securityDefinitions")
    if isinstance(defs, Mapping):
        return defs
    components = body.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, Mapping) else None
    return schemes if isinstance(schemes, Mapping) else {}


def _openapi_auth(security: Any, schemes: Mapping[str, Any], loc: Loc) -> tuple[Authorizer, bool]:
    """The strongest authorizer among the operation's security requirements, and whether an API key is needed."""
    names: list[str] = []
    for req in security if isinstance(security, list) else []:
        if isinstance(req, Mapping):
            names.extend(str(k) for k in req)
    api_key = False
    best: Authorizer | None = None
    for name in names:
        kind = _scheme_kind(name, schemes.get(name))
        if kind is AuthKind.API_KEY:
            api_key = True
            continue
        if kind is AuthKind.NONE:
            continue
        if best is None:
            best = Authorizer(kind, loc, Origin.SET, name)
    if best is not None:
        return best, api_key
    if api_key:
        return Authorizer(AuthKind.API_KEY, loc, Origin.SET, "api_key"), True
    return Authorizer(AuthKind.NONE, loc, Origin.SET if "NONE" in names else Origin.DEFAULT), False


def _inherited_auth(rd: _Reader, auth: Authorizer, source: RouteAuthSource) -> Authorizer:
    """The route's authorizer as inherited from its API: at the API's line, with `Origin.INHERITED`."""
    if auth.kind is AuthKind.API_KEY:
        line = source.api_key_line
    elif auth.kind is not AuthKind.NONE:
        line = source.authorizer_line
    else:
        line = 0
    if not line:
        return auth
    return Authorizer(auth.kind, Loc(rd.rel, line), Origin.INHERITED, auth.name)


def _scheme_kind(name: str, scheme: Any) -> AuthKind:
    if name == "NONE":
        return AuthKind.NONE
    if not isinstance(scheme, Mapping):
        return AuthKind.UNKNOWN
    authtype = str(scheme.get("x-amazon-apigateway-authtype", "")).lower()
    authorizer = scheme.get("x-amazon-apigateway-authorizer")
    a_type = str(authorizer.get("type", "")).lower() if isinstance(authorizer, Mapping) else ""
    if authtype == "awssigv4" or name == "AWS_IAM":
        return AuthKind.IAM
    if authtype == "cognito_user_pools" or a_type == "cognito_user_pools":
        return AuthKind.COGNITO
    if a_type == "jwt" or scheme.get("type") in ("oauth2", "openIdConnect"):
        return AuthKind.JWT
    if authtype == "custom" or a_type in ("token", "request"):
        return AuthKind.LAMBDA
    if scheme.get("type") == "apiKey" and str(scheme.get("name", "")).lower() == "x-api-key":
        return AuthKind.API_KEY
    return AuthKind.UNKNOWN


# ---- function URLs and on-failure destinations ----------------------------------------------


def _urls(rd: _Reader) -> Iterator[tuple[str, FunctionUrl, Trigger]]:
    for res in rd.of_type("AWS::Lambda::Url"):
        p = res.properties
        fn = rd.target(p.get("TargetFunctionArn"))
        if fn is None:
            continue
        auth = (
            rd.r.string(p.get("AuthType"), rd.loc(p, "AuthType", res.loc.line))
            if "AuthType" in p
            else Value.unset(res.loc)
        )
        cors = p.get("Cors")
        origins: tuple[str, ...] = ()
        credentials = False
        if isinstance(cors, Mapping):
            raw = cors.get("AllowOrigins")
            origins = tuple(rd.r.display(o) for o in raw) if isinstance(raw, list) else ()
            credentials = rd.r.text(cors.get("AllowCredentials")) == "true"
        url = FunctionUrl(auth, res.loc, origins, credentials)
        kind = AuthKind.IAM if auth.value == "AWS_IAM" else AuthKind.NONE if auth.value == "NONE" else AuthKind.UNKNOWN
        trig = Trigger(TriggerKind.FUNCTION_URL, res.loc, Authorizer(kind, auth.loc, auth.origin), public=True)
        yield fn, url, trig


def _on_failure(rd: _Reader) -> dict[str, Value[str]]:
    out: dict[str, Value[str]] = {}
    for res in rd.of_type("AWS::Lambda::EventInvokeConfig"):
        p = res.properties
        fn = rd.target(p.get("FunctionName"))
        dest = p.get("DestinationConfig")
        on_failure = dest.get("OnFailure") if isinstance(dest, Mapping) else None
        if fn is None or not isinstance(on_failure, Mapping) or on_failure.get("Destination") is None:
            continue
        loc = rd.loc(dest, "OnFailure", res.loc.line)
        out[fn] = Value(rd.r.display(on_failure["Destination"]), loc, Origin.SET)
    return out


# ---- asynchronous and stream sources --------------------------------------------------------

_ESM_TYPES = {
    "AWS::SQS::Queue": TriggerKind.SQS,
    "AWS::Kinesis::Stream": TriggerKind.KINESIS,
    "AWS::DynamoDB::Table": TriggerKind.DYNAMODB_STREAM,
    "AWS::MSK::Cluster": TriggerKind.KAFKA,
    "AWS::AmazonMQ::Broker": TriggerKind.MQ,
}
_ESM_ARN = (
    (":sqs:", TriggerKind.SQS),
    (":kinesis:", TriggerKind.KINESIS),
    (":dynamodb:", TriggerKind.DYNAMODB_STREAM),
    (":kafka:", TriggerKind.KAFKA),
    (":mq:", TriggerKind.MQ),
)


def _none(loc: Loc) -> Authorizer:
    return Authorizer(AuthKind.NONE, loc, Origin.DEFAULT)


def _event_source_mappings(rd: _Reader) -> Iterator[tuple[str, Trigger]]:
    for res in rd.of_type("AWS::Lambda::EventSourceMapping"):
        p = res.properties
        fn = rd.target(p.get("FunctionName"))
        if fn is None:
            continue
        src = p.get("EventSourceArn")
        source_lid = rd.ref_of_type(src, *_ESM_TYPES) if src is not None else None
        kind = _ESM_TYPES[rd.resources[source_lid].type] if source_lid else TriggerKind.OTHER
        text = rd.r.display(src) if src is not None else ""
        if source_lid is None:
            kind = next((k for marker, k in _ESM_ARN if marker in text), TriggerKind.OTHER)
        if "SelfManagedEventSource" in p:
            kind = TriggerKind.KAFKA
        yield fn, Trigger(kind, res.loc, _none(res.loc), source=source_lid or text or None)


def _s3(rd: _Reader) -> Iterator[tuple[str, Trigger]]:
    for res in rd.of_type("AWS::S3::Bucket"):
        cfg = res.properties.get("NotificationConfiguration")
        items = cfg.get("LambdaConfigurations") if isinstance(cfg, Mapping) else None
        for i, item in enumerate(items if isinstance(items, list) else []):
            fn = rd.target(item.get("Function")) if isinstance(item, Mapping) else None
            if fn is not None:
                loc = rd.loc(items, i, res.loc.line)
                yield fn, Trigger(TriggerKind.S3, loc, _none(loc), source=res.logical_id)


def _sns(rd: _Reader) -> Iterator[tuple[str, Trigger]]:
    for res in rd.of_type("AWS::SNS::Subscription"):
        p = res.properties
        if (rd.r.text(p.get("Protocol")) or "").lower() != "lambda":
            continue
        fn = rd.target(p.get("Endpoint"))
        if fn is not None:
            topic = rd.ref_of_type(p.get("TopicArn"), "AWS::SNS::Topic") or rd.r.display(p.get("TopicArn", ""))
            yield fn, Trigger(TriggerKind.SNS, res.loc, _none(res.loc), source=topic or None)
    for res in rd.of_type("AWS::SNS::Topic"):
        subs = res.properties.get("Subscription")
        for i, sub in enumerate(subs if isinstance(subs, list) else []):
            if not isinstance(sub, Mapping) or (rd.r.text(sub.get("Protocol")) or "").lower() != "lambda":
                continue
            fn = rd.target(sub.get("Endpoint"))
            if fn is not None:
                loc = rd.loc(subs, i, res.loc.line)
                yield fn, Trigger(TriggerKind.SNS, loc, _none(loc), source=res.logical_id)


def _eventbridge(rd: _Reader) -> Iterator[tuple[str, Trigger]]:
    for res in rd.of_type("AWS::Events::Rule"):
        p = res.properties
        kind = TriggerKind.SCHEDULE if p.get("ScheduleExpression") is not None else TriggerKind.EVENTBRIDGE
        targets = p.get("Targets")
        for t in targets if isinstance(targets, list) else []:
            fn = rd.target(t.get("Arn")) if isinstance(t, Mapping) else None
            if fn is not None:
                yield fn, Trigger(kind, res.loc, _none(res.loc), source=res.logical_id)
    for res in rd.of_type("AWS::Scheduler::Schedule"):
        target = res.properties.get("Target")
        fn = rd.target(target.get("Arn")) if isinstance(target, Mapping) else None
        if fn is not None:
            yield fn, Trigger(TriggerKind.SCHEDULE, res.loc, _none(res.loc), source=res.logical_id)


def _alb(rd: _Reader) -> Iterator[tuple[str, Trigger]]:
    for res in rd.of_type("AWS::ElasticLoadBalancingV2::TargetGroup"):
        p = res.properties
        if (rd.r.text(p.get("TargetType")) or "").lower() != "lambda":
            continue
        targets = p.get("Targets")
        public = _alb_public(rd, res.logical_id)
        for t in targets if isinstance(targets, list) else []:
            fn = rd.target(t.get("Id")) if isinstance(t, Mapping) else None
            if fn is not None:
                yield fn, Trigger(TriggerKind.ALB, res.loc, _none(res.loc), public=public, source=res.logical_id)


def _alb_public(rd: _Reader, target_group: str) -> bool:
    """False only when every load balancer forwarding to the group is `internal`; unknown → public."""
    schemes: list[str] = []
    for kind in ("AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::ListenerRule"):
        for res in rd.of_type(kind):
            p = res.properties
            actions = p.get("DefaultActions") if kind.endswith("Listener") else p.get("Actions")
            if target_group not in {r.logical_id for r in rd.r.resource_refs(actions)}:
                continue
            listener = (
                res
                if kind.endswith("Listener")
                else rd.resources.get(
                    rd.ref_of_type(p.get("ListenerArn"), "AWS::ElasticLoadBalancingV2::Listener") or ""
                )
            )
            lb = (
                rd.ref_of_type(listener.properties.get("LoadBalancerArn"), "AWS::ElasticLoadBalancingV2::LoadBalancer")
                if listener
                else None
            )
            scheme = rd.r.text(rd.resources[lb].properties.get("Scheme")) if lb else None
            schemes.append(scheme or "internet-facing")
    return not schemes or any(s != "internal" for s in schemes)


def _cognito(rd: _Reader) -> Iterator[tuple[str, Trigger]]:
    for res in rd.of_type("AWS::Cognito::UserPool"):
        cfg = res.properties.get("LambdaConfig")
        if not isinstance(cfg, Mapping):
            continue
        for key, raw in cfg.items():
            arn = (
                raw["LambdaArn"] if isinstance(raw, Mapping) and "LambdaArn" in raw else raw
            )  # Custom*Sender: {LambdaArn}
            fn = rd.target(arn)
            if fn is not None:
                loc = rd.loc(cfg, key, res.loc.line)
                yield fn, Trigger(TriggerKind.COGNITO, loc, _none(loc), source=res.logical_id)


# ---- internal callers (trust model): CloudFormation, Step Functions, the app's own functions ---------


def is_custom_resource(rtype: str) -> bool:
    """`AWS::CloudFormation::CustomResource` or a `Custom::Name` type: CloudFormation invokes its ServiceToken."""
    return rtype == "AWS::CloudFormation::CustomResource" or rtype.startswith("Custom::")


def _custom_resources(rd: _Reader) -> Iterator[tuple[str, Trigger]]:
    """The function a custom resource's `ServiceToken` names is invoked by CloudFormation with the resource's
    properties and CloudFormation's protocol fields (`ResponseURL`, `RequestType`…), never by the public."""
    for res in rd.resources.values():
        if not is_custom_resource(res.type):
            continue
        fn = rd.target(res.properties.get("ServiceToken"))
        if fn is not None:
            loc = rd.loc(res.properties, "ServiceToken", res.loc.line)
            yield fn, Trigger(TriggerKind.CUSTOM_RESOURCE, loc, _none(loc), source=res.logical_id)


_STATE_MACHINE_DEFINITION = ("Definition", "DefinitionString", "DefinitionSubstitutions")


def _state_machines(rd: _Reader) -> Iterator[tuple[str, Trigger]]:
    """Functions a state machine's definition names (`Resource: !GetAtt Fn.Arn`, a `${FnArn}` substitution,
    `Parameters.FunctionName`): Step Functions invokes them with the state's input."""
    for res in rd.of_type("AWS::StepFunctions::StateMachine"):
        seen: set[str] = set()
        for key in _STATE_MACHINE_DEFINITION:
            raw = res.properties.get(key)
            if raw is None:
                continue
            for ref in rd.r.resource_refs(raw):
                fn = rd.target({"Ref": ref.logical_id})
                if fn is not None and fn not in seen:
                    seen.add(fn)
                    yield fn, Trigger(TriggerKind.STEP_FUNCTIONS, res.loc, _none(res.loc), source=res.logical_id)


def _destinations(rd: _Reader) -> Iterator[tuple[str, Trigger]]:
    """A function that is another function's on-success or on-failure destination is invoked by Lambda with
    that function's result (or its failed event): its caller is the app itself."""
    for res in rd.of_type("AWS::Lambda::EventInvokeConfig"):
        p = res.properties
        caller = rd.target(p.get("FunctionName"))
        dest = p.get("DestinationConfig")
        if caller is None or not isinstance(dest, Mapping):
            continue
        for key in ("OnSuccess", "OnFailure"):
            entry = dest.get(key)
            target = rd.target(entry.get("Destination")) if isinstance(entry, Mapping) else None
            if target is not None and target != caller:
                loc = rd.loc(dest, key, res.loc.line)
                yield target, Trigger(TriggerKind.LAMBDA_INVOKE, loc, _none(loc), source=caller)
