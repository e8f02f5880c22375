"""API Gateway APIs of a CloudFormation (or translated SAM) template → `Api` records (model/api.py).

Reads each `AWS::ApiGateway::RestApi` and HTTP `AWS::ApiGatewayV2::Api` with what configures it
elsewhere in the template: stages (`MethodSettings`, `DefaultRouteSettings`, `RouteSettings`, a
deployment's `StageDescription`), usage plans, request validators and the methods that use them,
authorizers (whether one reads a cookie), CORS (`CorsConfiguration`, `OPTIONS` mock integrations),
and inline OpenAPI bodies (`x-amazon-apigateway-request-validator(s)`, `x-amazon-apigateway-cors`).

SAM needs nothing of its own: the translator turns `Cors`, `MethodSettings`, `Auth.UsagePlan`,
`DefaultRouteSettings`, `RouteSettings` and `RequestModel`/`RequestParameters` into exactly these
resources. Only the lines differ: generated nodes carry the API's line, so for SAM the line of the
setting as written (on the API or in `Globals`) is looked up in the original template.
The Serverless Framework's implicit APIs are built by `_sls_apis`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from fnaudit.loaders._cfn_parts import function_names, target_function
from fnaudit.loaders._intrinsics import Resolver
from fnaudit.loaders._yaml import line_of, own_line
from fnaudit.model.api import Api, ApiKind, Cors, Method, Throttle, UsagePlan
from fnaudit.model.app import Resource
from fnaudit.model.loc import Loc

_OPERATIONS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method"})
_ALLOW_ORIGIN = "method.response.header.access-control-allow-origin"
_ALLOW_CREDENTIALS = "method.response.header.access-control-allow-credentials"
_SAM_IMPLICIT = {"ServerlessRestApi": "Api", "ServerlessHttpApi": "HttpApi"}  # implicit API → its Globals section
_SAM_SECTION = {ApiKind.REST: "Api", ApiKind.HTTP: "HttpApi"}


def cfn_apis(
    resources: Mapping[str, Resource], rel: str, resolver: Resolver, sam: Mapping[str, Any] | None = None
) -> tuple[Api, ...]:
    """Every REST and HTTP API of the template. `sam`: the SAM template as written, for its lines."""
    return tuple(_Builder(resources, rel, resolver, sam).apis())


class _Builder:
    def __init__(
        self, resources: Mapping[str, Resource], rel: str, resolver: Resolver, sam: Mapping[str, Any] | None
    ) -> None:
        self.resources = resources
        self.rel = rel
        self.r = resolver
        self.names = function_names(resources, resolver)
        self.sam = sam

    # ---- helpers ------------------------------------------------------------------------------

    def loc(self, container: Any, key: Any, default: int) -> Loc:
        return Loc(self.rel, line_of(container, key, default))

    def of_type(self, rtype: str) -> Iterator[Resource]:
        return (res for res in self.resources.values() if res.type == rtype)

    def refers(self, raw: Any, lid: str) -> bool:
        return any(ref.logical_id == lid for ref in self.r.resource_refs(raw))

    def ref_of_type(self, raw: Any, rtype: str) -> str | None:
        for ref in self.r.resource_refs(raw):
            res = self.resources.get(ref.logical_id)
            if res is not None and res.type == rtype:
                return ref.logical_id
        return None

    def flag(self, raw: Any) -> bool:
        return (self.r.text(raw) or "").strip().strip("'").lower() == "true"

    def number(self, raw: Any) -> tuple[float | None, bool]:
        """(value, unknown): a limit written as a reference we cannot read is unknown, not absent."""
        if raw is None:
            return None, False
        text = self.r.text(raw)
        if text is None:
            return None, True
        try:
            return float(text), False
        except ValueError:
            return None, True

    def throttle(self, raw: Mapping[str, Any], loc: Loc, target: str, burst_key: str, rate_key: str) -> Throttle:
        burst, unknown_b = self.number(raw.get(burst_key))
        rate, unknown_r = self.number(raw.get(rate_key))
        return Throttle(loc, target, burst, rate, unknown_b or unknown_r)

    def sam_line(self, api: str, kind: ApiKind, *keys: str) -> int:
        """The line of a SAM setting (`Cors`, `MethodSettings`, `Auth.UsagePlan`, …) the API has or
        inherits from `Globals`; 0 when not a SAM template or not written."""
        if self.sam is None:
            return 0
        resources = self.sam.get("Resources")
        body = resources.get(api) if isinstance(resources, Mapping) else None
        props = body.get("Properties") if isinstance(body, Mapping) else None
        globals_ = self.sam.get("Globals")
        section = globals_.get(_SAM_IMPLICIT.get(api, _SAM_SECTION[kind])) if isinstance(globals_, Mapping) else None
        for container in (props, section):
            line = _nested_line(container, keys)
            if line:
                return line
        return 0

    def at_sam(self, loc: Loc, api: str, kind: ApiKind, *keys: str) -> Loc:
        line = self.sam_line(api, kind, *keys)
        return Loc(self.rel, line) if line else loc

    # ---- APIs ---------------------------------------------------------------------------------

    def apis(self) -> Iterator[Api]:
        for res in self.of_type("AWS::ApiGateway::RestApi"):
            yield self.rest(res)
        for res in self.of_type("AWS::ApiGatewayV2::Api"):
            protocol = (self.r.text(res.properties.get("ProtocolType")) or "HTTP").upper()
            if protocol == "HTTP":
                yield self.http(res)

    def rest(self, res: Resource) -> Api:
        lid = res.logical_id
        body = res.properties.get("Body")
        body = body if isinstance(body, Mapping) else {}
        methods = [*self.rest_methods(lid), *self.openapi_methods(lid, body, ApiKind.REST)]
        cors = [*self.rest_options_cors(lid), *self.openapi_options_cors(lid, body)]
        return Api(
            id=lid,
            kind=ApiKind.REST,
            loc=res.loc,
            public=self.rest_public(res),
            implicit=lid in _SAM_IMPLICIT,
            throttles=tuple(self.rest_throttles(lid)),
            usage_plans=tuple(self.usage_plans(lid)),
            methods=tuple(methods),
            cors=tuple(cors),
            cookie_auth=self.rest_cookie_auth(lid, body),
        )

    def http(self, res: Resource) -> Api:
        lid = res.logical_id
        p = res.properties
        body = p.get("Body")
        body = body if isinstance(body, Mapping) else {}
        cors: list[Cors] = []
        for container, key, names in (
            (p, "CorsConfiguration", ("AllowOrigins", "AllowCredentials")),
            (body, "x-amazon-apigateway-cors", ("allowOrigins", "allowCredentials")),
        ):
            cfg = container.get(key)
            if isinstance(cfg, Mapping):
                loc = self.at_sam(self.loc(container, key, res.loc.line), lid, ApiKind.HTTP, "CorsConfiguration")
                origins = cfg.get(names[0])
                texts = tuple(self.r.display(o) for o in origins) if isinstance(origins, list) else ()
                cors.append(Cors(loc, texts, self.flag(cfg.get(names[1]))))
        return Api(
            id=lid,
            kind=ApiKind.HTTP,
            loc=res.loc,
            public=True,  # HTTP APIs have no private endpoint type
            implicit=lid in _SAM_IMPLICIT,
            throttles=tuple(self.http_throttles(lid)),
            methods=tuple([*self.http_routes(lid), *self.openapi_methods(lid, body, ApiKind.HTTP)]),
            cors=tuple(cors),
            cookie_auth=self.http_cookie_auth(lid, body),
        )

    def rest_public(self, res: Resource) -> bool:
        cfg = res.properties.get("EndpointConfiguration")
        types = self.r.evaluate_safe(cfg.get("Types")) if isinstance(cfg, Mapping) else None
        return not (isinstance(types, list) and "PRIVATE" in types)

    # ---- throttling and usage plans -------------------------------------------------------------

    def rest_throttles(self, api: str) -> Iterator[Throttle]:
        for res in self.of_type("AWS::ApiGateway::Stage"):
            if self.refers(res.properties.get("RestApiId"), api):
                yield from self.method_settings(api, res.properties, res.loc.line)
        for res in self.of_type("AWS::ApiGateway::Deployment"):
            desc = res.properties.get("StageDescription")
            if self.refers(res.properties.get("RestApiId"), api) and isinstance(desc, Mapping):
                loc = self.loc(res.properties, "StageDescription", res.loc.line)
                yield self.throttle(desc, loc, "*", "ThrottlingBurstLimit", "ThrottlingRateLimit")
                yield from self.method_settings(api, desc, loc.line)

    def method_settings(self, api: str, props: Mapping[str, Any], default_line: int) -> Iterator[Throttle]:
        settings = props.get("MethodSettings")
        for i, item in enumerate(settings if isinstance(settings, list) else []):
            if not isinstance(item, Mapping):
                continue
            loc = self.at_sam(self.loc(settings, i, default_line), api, ApiKind.REST, "MethodSettings")
            target = _method_setting_target(self.r.text(item.get("HttpMethod")), self.r.text(item.get("ResourcePath")))
            yield self.throttle(item, loc, target, "ThrottlingBurstLimit", "ThrottlingRateLimit")

    def usage_plans(self, api: str) -> Iterator[UsagePlan]:
        for res in self.of_type("AWS::ApiGateway::UsagePlan"):
            p = res.properties
            stages = p.get("ApiStages")
            stages = stages if isinstance(stages, list) else []
            if not any(isinstance(s, Mapping) and self.refers(s.get("ApiId"), api) for s in stages):
                continue
            loc = self.at_sam(res.loc, api, ApiKind.REST, "Auth", "UsagePlan")
            raw_throttle = p.get("Throttle")
            throttle = (
                self.throttle(raw_throttle, self.loc(p, "Throttle", loc.line), "*", "BurstLimit", "RateLimit")
                if isinstance(raw_throttle, Mapping)
                else None
            )
            quota = p.get("Quota")
            limit, _ = self.number(quota.get("Limit")) if isinstance(quota, Mapping) else (None, False)
            period = self.r.text(quota.get("Period")) if isinstance(quota, Mapping) else None
            yield UsagePlan(res.logical_id, loc, throttle, int(limit) if limit is not None else None, period)

    def http_throttles(self, api: str) -> Iterator[Throttle]:
        for res in self.of_type("AWS::ApiGatewayV2::Stage"):
            p = res.properties
            if not self.refers(p.get("ApiId"), api):
                continue
            default = p.get("DefaultRouteSettings")
            if isinstance(default, Mapping):
                loc = self.at_sam(
                    self.loc(p, "DefaultRouteSettings", res.loc.line), api, ApiKind.HTTP, "DefaultRouteSettings"
                )
                yield self.throttle(default, loc, "*", "ThrottlingBurstLimit", "ThrottlingRateLimit")
            routes = p.get("RouteSettings")
            for key, item in routes.items() if isinstance(routes, Mapping) else ():
                if isinstance(item, Mapping):
                    loc = self.at_sam(self.loc(routes, key, res.loc.line), api, ApiKind.HTTP, "RouteSettings", key)
                    yield self.throttle(item, loc, _route_key(str(key)), "ThrottlingBurstLimit", "ThrottlingRateLimit")

    # ---- methods and request validation ---------------------------------------------------------

    def rest_methods(self, api: str) -> Iterator[Method]:
        for res in self.of_type("AWS::ApiGateway::Method"):
            p = res.properties
            if not self.refers(p.get("RestApiId"), api):
                continue
            integration = p.get("Integration")
            uri = integration.get("Uri") if isinstance(integration, Mapping) else None
            fn = target_function(uri, self.resources, self.r, self.names) if uri is not None else None
            if fn is None:
                continue
            validator, body, params = None, False, False
            vid = self.ref_of_type(p.get("RequestValidatorId"), "AWS::ApiGateway::RequestValidator")
            if vid is not None:
                vp = self.resources[vid].properties
                validator, body, params = (
                    vid,
                    self.flag(vp.get("ValidateRequestBody")),
                    self.flag(vp.get("ValidateRequestParameters")),
                )
            elif p.get("RequestValidatorId") is not None:  # a validator of another stack: present, contents unknown
                validator, body, params = self.r.display(p["RequestValidatorId"]), True, True
            required = p.get("RequestParameters")
            models = p.get("RequestModels")
            yield Method(
                method=(self.r.text(p.get("HttpMethod")) or "ANY").upper(),
                path=self.rest_path(p.get("ResourceId")),
                loc=res.loc,
                function=fn,
                validator=validator,
                validates_body=body,
                validates_parameters=params,
                required_parameters=tuple(
                    str(k).removeprefix("method.request.")
                    for k, v in (required.items() if isinstance(required, Mapping) else ())
                    if self.flag(v)
                ),
                body_model=_first_model(self.model_name(v) for v in (models or {}).values())
                if isinstance(models, Mapping)
                else None,
            )

    def model_name(self, raw: Any) -> str:
        """A request model's name: the logical id of an `AWS::ApiGateway::Model` it refers to, else as written."""
        return self.ref_of_type(raw, "AWS::ApiGateway::Model") or self.r.display(raw)

    def rest_path(self, resource_id: Any) -> str:
        parts: list[str] = []
        seen: set[str] = set()
        current = resource_id
        while True:
            lid = self.ref_of_type(current, "AWS::ApiGateway::Resource")
            if lid is None or lid in seen:
                break
            seen.add(lid)
            props = self.resources[lid].properties
            parts.append(self.r.display(props.get("PathPart", "")))
            current = props.get("ParentId")
        return "/" + "/".join(reversed(parts))

    def http_routes(self, api: str) -> Iterator[Method]:
        for res in self.of_type("AWS::ApiGatewayV2::Route"):
            p = res.properties
            if not self.refers(p.get("ApiId"), api):
                continue
            integ = self.ref_of_type(p.get("Target"), "AWS::ApiGatewayV2::Integration")
            uri = self.resources[integ].properties.get("IntegrationUri") if integ else None
            fn = target_function(uri, self.resources, self.r, self.names) if uri is not None else None
            if fn is None:
                continue
            method, path = _split_route(self.r.text(p.get("RouteKey")) or "$default")
            yield Method(method, path, res.loc, fn)

    def openapi_methods(self, api: str, body: Mapping[str, Any], kind: ApiKind) -> Iterator[Method]:
        paths = body.get("paths")
        validators = body.get("x-amazon-apigateway-request-validators")
        validators = validators if isinstance(validators, Mapping) else {}
        default_validator = body.get("x-amazon-apigateway-request-validator")
        for path, ops in paths.items() if isinstance(paths, Mapping) else ():
            if not isinstance(ops, Mapping):
                continue
            shared = ops.get("parameters")
            for verb, op in ops.items():
                if str(verb).lower() not in _OPERATIONS or not isinstance(op, Mapping):
                    continue
                integration = op.get("x-amazon-apigateway-integration")
                uri = integration.get("uri") if isinstance(integration, Mapping) else None
                fn = target_function(uri, self.resources, self.r, self.names) if uri is not None else None
                if fn is None:
                    continue
                loc = Loc(self.rel, line_of(ops, verb, own_line(op)))
                method = "ANY" if str(verb).lower() == "x-amazon-apigateway-any-method" else str(verb).upper()
                if kind is ApiKind.HTTP:  # HTTP APIs do not validate requests
                    yield Method(method, str(path), loc, fn)
                    continue
                name = op.get("x-amazon-apigateway-request-validator", default_validator)
                spec = validators.get(name) if isinstance(name, str) else None
                own = op.get("parameters")
                params = [*(shared if isinstance(shared, list) else []), *(own if isinstance(own, list) else [])]
                yield Method(
                    method=method,
                    path=str(path),
                    loc=loc,
                    function=fn,
                    validator=name if isinstance(name, str) else None,
                    validates_body=isinstance(spec, Mapping) and spec.get("validateRequestBody") is True,
                    validates_parameters=isinstance(spec, Mapping) and spec.get("validateRequestParameters") is True,
                    required_parameters=tuple(
                        f"{q.get('in')}.{q.get('name')}"
                        for q in params
                        if isinstance(q, Mapping) and q.get("required") is True and q.get("in") != "body"
                    ),
                    body_model=_openapi_model(op, params),
                )

    # ---- CORS ----------------------------------------------------------------------------------

    def rest_options_cors(self, api: str) -> Iterator[Cors]:
        """`OPTIONS` methods whose mock integration answers the preflight with CORS headers."""
        for res in self.of_type("AWS::ApiGateway::Method"):
            p = res.properties
            if (self.r.text(p.get("HttpMethod")) or "").upper() != "OPTIONS" or not self.refers(
                p.get("RestApiId"), api
            ):
                continue
            integration = p.get("Integration")
            responses = integration.get("IntegrationResponses") if isinstance(integration, Mapping) else None
            for resp in responses if isinstance(responses, list) else []:
                params = resp.get("ResponseParameters") if isinstance(resp, Mapping) else None
                if isinstance(params, Mapping):
                    # the line that names the allowed origin is the one to change
                    key = next((k for k in params if str(k).lower() == _ALLOW_ORIGIN), None)
                    loc = self.loc(params, key, res.loc.line)
                    found = self.preflight(params, self.rest_path(p.get("ResourceId")), loc)
                    if found is not None:
                        yield found

    def openapi_options_cors(self, api: str, body: Mapping[str, Any]) -> Iterator[Cors]:
        paths = body.get("paths")
        for path, ops in paths.items() if isinstance(paths, Mapping) else ():
            op = ops.get("options") if isinstance(ops, Mapping) else None
            integration = op.get("x-amazon-apigateway-integration") if isinstance(op, Mapping) else None
            responses = integration.get("responses") if isinstance(integration, Mapping) else None
            for resp in responses.values() if isinstance(responses, Mapping) else ():
                params = resp.get("responseParameters") if isinstance(resp, Mapping) else None
                if isinstance(params, Mapping):
                    loc = self.at_sam(Loc(self.rel, line_of(ops, "options", own_line(op))), api, ApiKind.REST, "Cors")
                    found = self.preflight(params, str(path), loc)
                    if found is not None:
                        yield found

    def preflight(self, params: Mapping[str, Any], target: str, loc: Loc) -> Cors | None:
        lowered = {str(k).lower(): v for k, v in params.items()}
        if _ALLOW_ORIGIN not in lowered:
            return None
        origin = self.r.display(lowered[_ALLOW_ORIGIN]).strip()
        echo = origin.lower() == "method.request.header.origin"
        origins = () if echo else (origin.strip("'"),)
        credentials = self.r.display(lowered.get(_ALLOW_CREDENTIALS, "")).strip().strip("'").lower() == "true"
        return Cors(loc, origins, credentials, echo, target)

    # ---- authorizers reading cookies ------------------------------------------------------------

    def rest_cookie_auth(self, api: str, body: Mapping[str, Any]) -> bool:
        for res in self.of_type("AWS::ApiGateway::Authorizer"):
            p = res.properties
            if self.refers(p.get("RestApiId"), api) and "cookie" in self.r.display(p.get("IdentitySource", "")).lower():
                return True
        return _openapi_cookie_auth(body)

    def http_cookie_auth(self, api: str, body: Mapping[str, Any]) -> bool:
        for res in self.of_type("AWS::ApiGatewayV2::Authorizer"):
            p = res.properties
            sources = p.get("IdentitySource")
            texts = [self.r.display(s) for s in sources] if isinstance(sources, list) else []
            if self.refers(p.get("ApiId"), api) and any("cookie" in t.lower() for t in texts):
                return True
        return _openapi_cookie_auth(body)


def _nested_line(container: Any, keys: tuple[str, ...]) -> int:
    for key in keys[:-1]:
        container = container.get(key) if isinstance(container, Mapping) else None
    if isinstance(container, Mapping) and keys[-1] in container:
        return line_of(container, keys[-1], 0)
    return 0


def _method_setting_target(method: str | None, resource_path: str | None) -> str:
    """A `MethodSettings` item's target as `METHOD /path` (`~1` encodes `/` in `ResourcePath`)."""
    m = (method or "*").upper()
    path = resource_path or "/*"
    if path not in ("/*", "/"):
        path = "/" + path.lstrip("/").replace("~1", "/").lstrip("/")
    return "*" if m == "*" and path == "/*" else f"{m} {path}"


def _route_key(key: str) -> str:
    method, path = _split_route(key)
    return f"{method} {path}"


def _split_route(key: str) -> tuple[str, str]:
    method, _, path = key.partition(" ")
    if not path:  # `$default`
        return "ANY", key
    return method.upper(), path


def _first_model(names: Iterator[str]) -> str | None:
    """The first request model that describes something (`Empty` is API Gateway's any-body model)."""
    return next((n for n in names if n and n != "Empty"), None)


def _openapi_model(op: Mapping[str, Any], params: list[Any]) -> str | None:
    for q in params:
        if isinstance(q, Mapping) and q.get("in") == "body" and q.get("schema") is not None:
            return str(q.get("name") or "body")
    request_body = op.get("requestBody")  # OpenAPI 3
    content = request_body.get("content") if isinstance(request_body, Mapping) else None
    for media, spec in content.items() if isinstance(content, Mapping) else ():
        if isinstance(spec, Mapping) and spec.get("schema") is not None:
            return str(media)
    return None


def _openapi_cookie_auth(body: Mapping[str, Any]) -> bool:
    schemes = body.get("securityDefinitions")
    if not isinstance(schemes, Mapping):
        components = body.get("components")
        schemes = components.get("securitySchemes") if isinstance(components, Mapping) else None
    for scheme in schemes.values() if isinstance(schemes, Mapping) else ():
        authorizer = scheme.get("x-amazon-apigateway-authorizer") if isinstance(scheme, Mapping) else None
        source = authorizer.get("identitySource") if isinstance(authorizer, Mapping) else None
        if "cookie" in str(source or "").lower():
            return True
    return False
