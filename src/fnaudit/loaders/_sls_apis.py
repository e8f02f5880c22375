"""The Serverless Framework's implicit APIs → `Api` records (model/api.py).

`http` events share one REST API (`ApiGatewayRestApi`) and `httpApi` events one HTTP API
(`HttpApi`), configured in `provider.apiGateway` / `provider.httpApi` and on each event. Read as
the Framework documents them:

- usage plans: `provider.apiGateway.usagePlan` (one plan, or a list of named plans) with
  `throttle: {burstLimit, rateLimit}` and `quota: {limit, period}`;
- throttling: the Framework has no stage throttling of its own; the widely used
  `serverless-api-gateway-throttling` plugin's `custom.apiGatewayThrottling` (stage) and
  `http.throttling` (route) are read, since they are what such apps write;
- request validation: `http.request.schemas` (or the older `request.schema`) makes the Framework
  create a model and a request validator for the method; `http.request.parameters`
  (`querystrings` / `headers` / `paths`, `name: true` or `{required: true}`) marks parameters
  required, which API Gateway enforces only when a validator is attached;
- CORS: `http.cors` (`true`, or `origin` / `origins` and `allowCredentials`) per route and
  `provider.httpApi.cors` (`true`, or `allowedOrigins` and `allowCredentials`) for the HTTP API;
- the HTTP API's stage: the Framework has no setting for its throttling; `resources.extensions`
  patching the generated `HttpApiStage` (`DefaultRouteSettings`, `RouteSettings`) is how it is set;
- an API the service only references (`provider.apiGateway.restApiId`, `provider.httpApi.id`) is
  `external`: configured in another stack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from fnaudit.loaders._iam import render
from fnaudit.loaders._sls_variables import Unresolved, Variables
from fnaudit.loaders._yaml import line_of
from fnaudit.model.api import IMPLICIT_HTTP, IMPLICIT_REST, Api, ApiKind, Cors, Method, Throttle, UsagePlan
from fnaudit.model.loc import Loc

At = Callable[[Any, Any], Loc]  # where `container[key]` is written (`Variables.loc`)
PathOf = Callable[[Any], str]  # the file a mapping or list was read from (`Variables.path_of`)
_PARAMETER_KINDS = {"querystrings": "querystring", "headers": "header", "paths": "path"}


def sls_apis(
    provider: Mapping[str, Any], functions: Mapping[str, Any], variables: Variables, document: Any
) -> tuple[Api, ...]:
    """The service's REST and HTTP APIs, each only when some function has an event on it.

    `functions`: function name → its resolved mapping; `document`: the file as written, for the
    lines of `custom` settings. Only the values read here are resolved (`custom.apiGatewayThrottling`,
    `resources.extensions.HttpApiStage`): resolving the whole of `custom` would report its errors.
    """
    at, path_of = variables.loc, variables.path_of
    provider = provider if isinstance(provider, Mapping) else {}
    rest = _Collected()
    http = _Collected()
    for name, raw in functions.items():
        events = raw.get("events") if isinstance(raw, Mapping) else None
        for i, entry in enumerate(events if isinstance(events, list) else []):
            if not isinstance(entry, Mapping) or len(entry) != 1:
                continue
            ((kind, body),) = entry.items()
            loc = Loc(path_of(events), line_of(events, i))
            if kind == "http":
                rest.add_rest(name, body, loc, at)
            elif kind == "httpApi":
                http.add_http(name, body, loc)
    out: list[Api] = []
    if rest.methods:
        stage = variables.get("custom", "apiGatewayThrottling")
        if isinstance(stage, Mapping):
            custom = document.get("custom") if isinstance(document, Mapping) else None
            loc = Loc(variables.rel, line_of(custom, "apiGatewayThrottling", 0))
            rest.throttles.insert(0, _plugin_throttle(stage, loc, "*"))
        out.append(_rest_api(provider, rest, at))
    if http.methods:
        http.throttles.extend(_http_stage_throttles(variables.get("resources", "extensions", "HttpApiStage"), at))
        out.append(_http_api(provider, http, at))
    return tuple(out)


class _Collected:
    """What the events of one API say: its routes, their CORS and throttles, cookie authorizers."""

    def __init__(self) -> None:
        self.methods: list[Method] = []
        self.cors: list[Cors] = []
        self.throttles: list[Throttle] = []
        self.cookie_auth = False

    def add_rest(self, fn: str, body: Any, loc: Loc, at: At) -> None:
        if isinstance(body, str):
            method, path = _route(body)
            self.methods.append(Method(method, path, loc, fn))
            return
        if not isinstance(body, Mapping):
            return
        method = _text(body.get("method")).upper() or "ANY"
        method = "ANY" if method == "*" else method
        path = "/" + _text(body.get("path")).lstrip("/")
        route = f"{method} {path}"
        request = body.get("request")
        request = request if isinstance(request, Mapping) else {}
        schemas = request.get("schemas", request.get("schema"))
        model = next(iter(schemas), None) if isinstance(schemas, Mapping) and schemas else None
        self.methods.append(
            Method(
                method,
                path,
                loc,
                fn,
                # the Framework attaches a validator (body and parameters) to a method with schemas
                validator="serverless request schema" if model is not None else None,
                validates_body=model is not None,
                validates_parameters=model is not None,
                required_parameters=tuple(_required(request.get("parameters"))),
                body_model=str(model) if model is not None else None,
            )
        )
        cors = _rest_cors(body, at)
        if cors is not None:
            self.cors.append(Cors(cors.loc, cors.origins, cors.credentials, target=route))
        throttling = body.get("throttling")
        if isinstance(throttling, Mapping) and throttling.get("disabled") is not True:
            self.throttles.append(_plugin_throttle(throttling, at(body, "throttling"), route))
        authorizer = body.get("authorizer")
        if isinstance(authorizer, Mapping) and "cookie" in _text(authorizer.get("identitySource")).lower():
            self.cookie_auth = True

    def add_http(self, fn: str, body: Any, loc: Loc) -> None:
        if isinstance(body, str):
            method, path = _route(body)
        elif isinstance(body, Mapping):
            method = _text(body.get("method")).upper() or "ANY"
            method = "ANY" if method == "*" else method
            path = _text(body.get("path")) or "*"
        else:
            return
        self.methods.append(Method(method, path, loc, fn))


def _rest_api(provider: Mapping[str, Any], rest: _Collected, at: At) -> Api:
    settings = provider.get("apiGateway")
    settings = settings if isinstance(settings, Mapping) else {}
    return Api(
        id=IMPLICIT_REST,
        kind=ApiKind.REST,
        loc=rest.methods[0].loc,  # no API is written: its first route stands for it
        public=_text(provider.get("endpointType")).upper() != "PRIVATE",
        implicit=True,
        external=settings.get("restApiId") is not None,
        throttles=tuple(rest.throttles),
        usage_plans=tuple(_usage_plans(settings, at)),
        methods=tuple(rest.methods),
        cors=tuple(rest.cors),
        cookie_auth=rest.cookie_auth,
    )


def _http_api(provider: Mapping[str, Any], http: _Collected, at: At) -> Api:
    settings = provider.get("httpApi")
    settings = settings if isinstance(settings, Mapping) else {}
    cors: list[Cors] = []
    raw = settings.get("cors")
    if raw is True:
        cors.append(Cors(at(settings, "cors"), ("*",), False))  # `cors: true` allows every origin
    elif isinstance(raw, Mapping):
        origins = raw.get("allowedOrigins", ["*"])
        origins = origins if isinstance(origins, list) else [origins]
        cors.append(Cors(at(settings, "cors"), tuple(render(o) for o in origins), raw.get("allowCredentials") is True))
    authorizers = settings.get("authorizers")
    cookie = any(
        isinstance(a, Mapping) and "cookie" in _text(a.get("identitySource")).lower()
        for a in (authorizers.values() if isinstance(authorizers, Mapping) else ())
    )
    return Api(
        id=IMPLICIT_HTTP,
        kind=ApiKind.HTTP,
        loc=http.methods[0].loc,
        public=True,
        implicit=True,
        external=settings.get("id") is not None,
        throttles=tuple(http.throttles),
        methods=tuple(http.methods),
        cors=tuple(cors),
        cookie_auth=cookie,
    )


def _http_stage_throttles(stage: Any, at: At) -> Iterator[Throttle]:
    props = stage.get("Properties") if isinstance(stage, Mapping) else None
    if not isinstance(props, Mapping):
        return
    default = props.get("DefaultRouteSettings")
    if isinstance(default, Mapping):
        yield _stage_throttle(default, at(props, "DefaultRouteSettings"), "*")
    routes = props.get("RouteSettings")
    for key, item in routes.items() if isinstance(routes, Mapping) else ():
        if isinstance(item, Mapping):
            method, path = _route(str(key))
            yield _stage_throttle(item, at(routes, key), f"{method} {path}")


def _stage_throttle(raw: Mapping[str, Any], loc: Loc, target: str) -> Throttle:
    burst, rate = raw.get("ThrottlingBurstLimit"), raw.get("ThrottlingRateLimit")
    return Throttle(loc, target, _number(burst), _number(rate), _unknown(burst) or _unknown(rate))


def _rest_cors(body: Mapping[str, Any], at: At) -> Cors | None:
    raw = body.get("cors")
    if raw is None or raw is False:
        return None
    loc = at(body, "cors")
    if not isinstance(raw, Mapping):
        return Cors(loc, ("*",), False)  # `cors: true`: `Access-Control-Allow-Origin: *`
    origins = raw.get("origins", raw.get("origin", "*"))
    origins = origins if isinstance(origins, list) else [origins]
    return Cors(loc, tuple(render(o) for o in origins), raw.get("allowCredentials") is True)


def _usage_plans(settings: Mapping[str, Any], at: At) -> Iterator[UsagePlan]:
    raw = settings.get("usagePlan")
    if isinstance(raw, Mapping):
        yield _usage_plan("usagePlan", raw, at(settings, "usagePlan"), at)
    elif isinstance(raw, list):  # a list of one-key mappings: name → plan
        for i, item in enumerate(raw):
            for name, plan in item.items() if isinstance(item, Mapping) else ():
                if isinstance(plan, Mapping):
                    yield _usage_plan(str(name), plan, at(raw, i), at)


def _usage_plan(name: str, plan: Mapping[str, Any], loc: Loc, at: At) -> UsagePlan:
    raw_throttle = plan.get("throttle")
    throttle = None
    if isinstance(raw_throttle, Mapping):
        burst, rate = raw_throttle.get("burstLimit"), raw_throttle.get("rateLimit")
        throttle = Throttle(at(plan, "throttle"), "*", _number(burst), _number(rate), _unknown(burst) or _unknown(rate))
    quota = plan.get("quota")
    quota = quota if isinstance(quota, Mapping) else {}
    limit = _number(quota.get("limit"))
    if limit is None and _unknown(quota.get("limit")):
        limit = 0  # a variable we cannot read: a quota is set, its size unknown (it still limits)
    return UsagePlan(name, loc, throttle, int(limit) if limit is not None else None, _text(quota.get("period")) or None)


def _plugin_throttle(raw: Mapping[str, Any], loc: Loc, target: str) -> Throttle:
    rate, burst = raw.get("maxRequestsPerSecond"), raw.get("maxConcurrentRequests")
    return Throttle(loc, target, _number(burst), _number(rate), _unknown(rate) or _unknown(burst))


def _required(parameters: Any) -> Iterator[str]:
    for group, kind in _PARAMETER_KINDS.items():
        items = parameters.get(group) if isinstance(parameters, Mapping) else None
        for name, spec in items.items() if isinstance(items, Mapping) else ():
            if spec is True or (isinstance(spec, Mapping) and spec.get("required") is True):
                yield f"{kind}.{name}"


def _route(text: str) -> tuple[str, str]:
    text = _text(text).strip()
    if text == "*":
        return "ANY", "*"
    method, _, path = text.partition(" ")
    method = method.upper()
    return ("ANY" if method == "*" else method), ("/" + path.strip().lstrip("/"))


def _text(raw: Any) -> str:
    if raw is None or isinstance(raw, Unresolved):
        return ""
    return raw if isinstance(raw, str) else render(raw)


def _number(raw: Any) -> float | None:
    if raw is None or isinstance(raw, Unresolved | bool):
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def _unknown(raw: Any) -> bool:
    """A limit written as a variable we could not resolve: set, value unknown."""
    return isinstance(raw, Unresolved)
