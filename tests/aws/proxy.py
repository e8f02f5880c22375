"""A fault-injecting HTTP proxy in front of the emulator: throttling (and other errors) on chosen AWS calls.

`throttling_proxy(target_url, rules)` runs a tiny threaded `http.server` on a free localhost port and forwards
every request to the emulator unchanged (headers included, so signatures stay valid), except the requests a
`Rule` matches: those get the error the rule names, in the protocol of their service, `times` times (or
always), without reaching the emulator.

A request is recognised the way AWS routes it, from botocore's own service models: the service from the
signing name in the `Authorization` header's credential scope; the operation from `X-Amz-Target` (json
services: events, logs, sqs), the `Action` parameter (query services: iam, sns, sts) or the method and path
matched against the operation's `requestUri` (rest services: lambda, apigateway, apigatewayv2, s3; S3
operations that differ only by a header, such as CopyObject and PutObject, are not told apart).
"""

from __future__ import annotations

import dataclasses
import functools
import http.client
import json
import re
import threading
import urllib.parse
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

# The services the account reader calls, as boto3 names them.
SERVICES = ("lambda", "iam", "apigateway", "apigatewayv2", "events", "sns", "s3", "logs", "sqs", "sts")
# What AWS answers a throttled call with, per service: (error code, HTTP status). Every code here is one
# botocore's retry modes treat as throttling.
_THROTTLE = {
    "lambda": ("TooManyRequestsException", 429),
    "apigateway": ("TooManyRequestsException", 429),
    "apigatewayv2": ("TooManyRequestsException", 429),
    "iam": ("Throttling", 400),
    "sns": ("Throttling", 400),
    "sts": ("Throttling", 400),
    "s3": ("SlowDown", 503),
}
_JSON_THROTTLE = ("ThrottlingException", 400)  # events, logs, sqs
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"})


@dataclass(frozen=True)
class Rule:
    """Answer `service`'s `operation` (boto3 client name, botocore operation name) with an error.

    `times`: how many matching requests fail before the rest go through (None: all of them). `code` and
    `status` default to the service's throttling error (TooManyRequestsException 429 for lambda and API
    Gateway, ThrottlingException 400 for json services, Throttling 400 for query services, SlowDown 503 for s3).
    """

    service: str
    operation: str
    times: int | None = None
    code: str | None = None
    status: int | None = None
    message: str = "Rate exceeded"

    def error(self) -> tuple[str, int]:
        default = _THROTTLE.get(self.service, _JSON_THROTTLE)
        return (self.code or default[0], self.status or default[1])


@dataclass(frozen=True)
class Call:
    """One request the proxy saw: its service and operation (empty when not recognised) and its fate."""

    service: str
    operation: str
    faulted: bool


@dataclass
class FaultProxy:
    """The running proxy: point clients at `url`; `calls` lists what it saw, in order."""

    url: str
    rules: tuple[Rule, ...]
    calls: list[Call] = field(default_factory=list)
    _left: list[int | None] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def decide(self, service: str, operation: str) -> Rule | None:
        """Record the call; the rule it must fail by, if any (counting that failure)."""
        with self._lock:
            chosen = None
            for index, rule in enumerate(self.rules):
                if (rule.service, rule.operation) != (service, operation):
                    continue
                left = self._left[index]
                if left is None or left > 0:
                    self._left[index] = None if left is None else left - 1
                    chosen = rule
                    break
            self.calls.append(Call(service, operation, chosen is not None))
            return chosen

    def count(self, service: str, operation: str, *, faulted: bool | None = None) -> int:
        """How many `service` `operation` requests arrived (only the faulted or passed ones, if asked)."""
        with self._lock:
            return sum(
                1
                for c in self.calls
                if (c.service, c.operation) == (service, operation) and (faulted is None or c.faulted == faulted)
            )


@dataclass(frozen=True)
class _Route:
    service: str
    operation: str
    method: str
    path: re.Pattern[str]
    query: tuple[tuple[str, str | None], ...]  # keys (and values) the request's query string must hold
    weight: int  # literal characters of the template: the most specific match wins


@dataclass(frozen=True)
class _Service:
    name: str
    protocol: str
    signing_name: str
    target_prefix: str
    json_version: str
    query_compatible: bool
    routes: tuple[_Route, ...]


def _route(service: str, operation: str, method: str, request_uri: str) -> _Route:
    path, _, query = request_uri.partition("?")
    pattern = ""
    weight = 0
    for literal, name in re.findall(r"([^{]*)(?:\{([^}]*)\})?", path):
        pattern += re.escape(literal)
        weight += len(literal)
        if name:
            pattern += ".+" if name.endswith("+") else "[^/]+"
    keys = tuple((key, value if sep else None) for key, sep, value in (p.partition("=") for p in query.split("&") if p))
    return _Route(service, operation, method, re.compile(pattern.rstrip("/") or "/"), keys, weight + 100 * len(keys))


@functools.cache
def _services() -> tuple[_Service, ...]:
    import botocore.session

    session = botocore.session.get_session()
    out = []
    for name in SERVICES:
        model = session.get_service_model(name)
        meta = model.metadata
        routes = []
        for op in model.operation_names:
            operation = model.operation_model(op)
            route = _route(name, op, operation.http.get("method", "POST"), operation.http.get("requestUri", "/"))
            if operation.deprecated:  # same request as its successor (s3 GetBucketNotification): the successor wins
                route = dataclasses.replace(route, weight=route.weight - 1)
            routes.append(route)
        out.append(
            _Service(
                name=name,
                protocol=meta["protocol"],
                signing_name=meta.get("signingName") or meta["endpointPrefix"],
                target_prefix=meta.get("targetPrefix", ""),
                json_version=meta.get("jsonVersion", "1.0"),
                query_compatible="awsQueryCompatible" in meta,
                routes=tuple(routes),
            )
        )
    return tuple(out)


def recognise(method: str, raw_path: str, headers: Any, body: bytes) -> tuple[_Service, str] | None:
    """The service and operation of an AWS request, or None (an unsigned request such as `/moto-api/reset`)."""
    scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", headers.get("Authorization", ""))
    if scope is None:
        return None
    candidates = [s for s in _services() if s.signing_name == scope.group(1)]
    target = headers.get("X-Amz-Target", "")
    if target:
        prefix, _, operation = target.rpartition(".")
        return next(((s, operation) for s in candidates if s.target_prefix == prefix), None)
    url = urllib.parse.urlsplit(raw_path)
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    for service in candidates:
        if service.protocol == "query":
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace")) if body else {}
            action = (form.get("Action") or query.get("Action") or [""])[0]
            return (service, action) if action else None
    path = url.path.rstrip("/") or "/"
    best: _Route | None = None
    for service in candidates:
        for route in service.routes:
            if route.method != method or not route.path.fullmatch(path):
                continue
            if any(key not in query or (value is not None and value not in query[key]) for key, value in route.query):
                continue
            if best is None or route.weight > best.weight:
                best = route
    if best is None:
        return None
    return next(s for s in candidates if s.name == best.service), best.operation


def error_response(service: _Service, code: str, status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    """An AWS error in `service`'s protocol, as botocore parses it."""
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id}
    if service.protocol == "json":
        headers["Content-Type"] = f"application/x-amz-json-{service.json_version}"
        if service.query_compatible:  # sqs: botocore takes the code from this header when present
            headers["x-amzn-query-error"] = f"{code};Sender"
        body = json.dumps({"__type": code, "message": message}).encode()
    elif service.protocol == "rest-json":
        headers["Content-Type"] = "application/json"
        headers["x-amzn-ErrorType"] = code
        body = json.dumps({"Type": "User", "message": message}).encode()
    elif service.protocol == "query":
        headers["Content-Type"] = "text/xml"
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
    else:  # rest-xml (s3)
        headers["Content-Type"] = "application/xml"
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
            f"<RequestId>{request_id}</RequestId></Error>"
        ).encode()
    return status, headers, body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive for botocore's pool, and `Expect: 100-continue` answered
    proxy: ClassVar[FaultProxy]
    target: ClassVar[urllib.parse.SplitResult]

    def log_message(self, format: str, *args: Any) -> None:  # the base class's signature
        """Quiet: a test's output is not the place for an access log."""

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _handle(self) -> None:
        body = self._body()
        recognised = recognise(self.command, self.path, self.headers, body)
        rule = self.proxy.decide(recognised[0].name, recognised[1]) if recognised else None
        if recognised is not None and rule is not None:
            code, status = rule.error()
            self._reply(*error_response(recognised[0], code, status, rule.message))
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP and k.lower() != "expect"}
        headers["Content-Length"] = str(len(body))
        connection = http.client.HTTPConnection(self.target.hostname or "127.0.0.1", self.target.port, timeout=60)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            upstream = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP}
            self._reply(response.status, upstream, data, response.getheader("Content-Length"))
        finally:
            connection.close()

    def _reply(self, status: int, headers: dict[str, str], body: bytes, upstream_length: str | None = None) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        # a HEAD answer has no body but announces the length of the GET one
        length = upstream_length if self.command == "HEAD" and upstream_length else str(len(body))
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle


@contextmanager
def throttling_proxy(target_url: str, rules: Sequence[Rule]) -> Iterator[FaultProxy]:
    """Run the proxy in front of `target_url` for the `with` block (see the module docstring)."""
    proxy = FaultProxy(url="", rules=tuple(rules), _left=[rule.times for rule in rules])
    handler = type("Handler", (_Handler,), {"proxy": proxy, "target": urllib.parse.urlsplit(target_url)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    host, port = server.server_address[:2]
    proxy.url = f"http://{host!s}:{port}"
    # a short poll: `shutdown()` waits for the loop to notice, and the default 0.5 s adds up over many tests
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), name="fault-proxy", daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
