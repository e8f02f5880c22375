"""An API Gateway API's own settings: throttling, usage plans, request validation, CORS.

Triggers (`model/app.py`) say which routes invoke which function; an `Api` says how the API in
front of them is configured, because throttling, CORS and request validators are properties of the
API (its stage, its usage plans, its methods), not of a function. Every dialect fills the same
record: the Serverless Framework's implicit APIs (`ApiGatewayRestApi`, `HttpApi`), SAM's implicit
and explicit APIs, and CloudFormation resources and inline OpenAPI bodies. Every setting keeps the
line it is written at, so a finding points at the line to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fnaudit.model.loc import Loc

IMPLICIT_REST = "ApiGatewayRestApi"  # the REST API the Serverless Framework creates for `http` events
IMPLICIT_HTTP = "HttpApi"  # the HTTP API it creates for `httpApi` events


class ApiKind(StrEnum):
    REST = "rest"  # API Gateway v1 (REST API)
    HTTP = "http"  # API Gateway v2 (HTTP API)


@dataclass(frozen=True, slots=True)
class Throttle:
    """A throttling setting: the stage default, one route/method, or a usage plan's.

    `target` is what it applies to: `*` for every route of the stage, else the route as
    `METHOD /path` (`ANY` for any method). A limit that is a reference we cannot read (a template
    parameter) is `unknown`: it is written, so it is not evidence of a missing limit.
    """

    loc: Loc
    target: str = "*"
    burst: float | None = None
    rate: float | None = None
    unknown: bool = False

    @property
    def limits(self) -> bool:
        return self.unknown or self.burst is not None or self.rate is not None


@dataclass(frozen=True, slots=True)
class UsagePlan:
    """A usage plan attached to the API. It limits only the methods that require an API key."""

    id: str
    loc: Loc
    throttle: Throttle | None = None
    quota_limit: int | None = None
    quota_period: str | None = None

    @property
    def limits(self) -> bool:
        return (self.throttle is not None and self.throttle.limits) or self.quota_limit is not None


@dataclass(frozen=True, slots=True)
class Cors:
    """A CORS configuration: the API's (HTTP API `CorsConfiguration`, SAM `Cors`), or one route's
    (Serverless `http.cors`, a REST `OPTIONS` mock integration). `echo` is True when the allowed
    origin is the request's own `Origin` header (any origin, reflected)."""

    loc: Loc
    origins: tuple[str, ...] = ()
    credentials: bool = False
    echo: bool = False
    target: str = "*"  # `*`: the whole API; else the route (`METHOD /path`) or the preflight's path

    @property
    def any_origin(self) -> bool:
        return self.echo or any(o.strip().strip("'\"") == "*" for o in self.origins)


@dataclass(frozen=True, slots=True)
class Method:
    """One route of the API that invokes a function, with what API Gateway checks before it does.

    Request validation exists only in REST APIs: `validator` is the validator's name (None: no
    validator), `validates_body` / `validates_parameters` what it checks; `required_parameters`
    (`querystring.q`, `header.X-Id`, `path.id`) and `body_model` are what it checks against.
    `function` is the logical name of the function the route invokes, `loc` the route's line
    (the event, the method resource, the OpenAPI operation): the same as its `Trigger.loc`.
    """

    method: str
    path: str
    loc: Loc
    function: str
    validator: str | None = None
    validates_body: bool = False
    validates_parameters: bool = False
    required_parameters: tuple[str, ...] = ()
    body_model: str | None = None

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def validated(self) -> bool:
        return self.validator is not None and (self.validates_body or self.validates_parameters)


@dataclass(frozen=True, slots=True)
class Api:
    """One API Gateway API of the app (REST or HTTP), implicit or declared.

    `external` is True for an API the app only references (Serverless `provider.apiGateway.restApiId`):
    its stage and usage plans live elsewhere and are unknown here; its `methods` and their CORS are
    still this app's (the Framework adds them to the shared API). `cookie_auth` is True when an authorizer of the
    API reads its credential from the `Cookie` header (browsers send it on cross-origin requests).
    """

    id: str
    kind: ApiKind
    loc: Loc
    public: bool = True
    implicit: bool = False
    external: bool = False
    throttles: tuple[Throttle, ...] = ()  # stage default and per-route
    usage_plans: tuple[UsagePlan, ...] = ()
    methods: tuple[Method, ...] = ()
    cors: tuple[Cors, ...] = ()
    cookie_auth: bool = False

    def throttle_for(self, method: str, path: str) -> Throttle | None:
        """The stage or route throttle that applies to `METHOD /path` and sets a limit, if any."""
        for t in self.throttles:
            if t.limits and _covers(t.target, method, path):
                return t
        return None

    @property
    def limiting_plans(self) -> tuple[UsagePlan, ...]:
        return tuple(p for p in self.usage_plans if p.limits)


def _covers(target: str, method: str, path: str) -> bool:
    if target == "*":
        return True
    t_method, _, t_path = target.partition(" ")
    method_ok = t_method in ("*", "ANY") or t_method == method.upper()
    path_ok = t_path in ("*", "/*") or t_path.rstrip("/") == path.rstrip("/")
    return method_ok and path_ok
