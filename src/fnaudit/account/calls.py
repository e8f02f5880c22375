"""AWS API calls for the account reader: one place that retries, pages, and turns failures into `errors`.

Partial permissions are normal in an audit: every AccessDenied becomes an error entry naming the IAM
action that was missing and what it cost (the function or part of the account the scan could not read),
and the scan goes on. Throttling is retried by botocore's adaptive mode; when it still fails, that is an
entry too. Only an endpoint that cannot be reached at all, or missing credentials, stop the scan
(`AccountUnreachable`, exit 2), because then there is nothing to read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fnaudit.errors import FnauditError, Loss, ScanError

STAGE = "aws"
MAX_ATTEMPTS = 5  # botocore adaptive retry: attempts per call, the first included

# The IAM action each call needs, where it is not `<service>:<Operation>`: the read-only policy
# (docs/aws-readonly-policy.json) lists exactly these, and a test checks the two agree.
_ACTIONS = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketNotificationConfiguration"): "s3:GetBucketNotification",
    ("sts", "GetCallerIdentity"): "",  # needs no permission
}
_IAM_PREFIX = {"apigateway": "apigateway:GET", "apigatewayv2": "apigateway:GET"}  # API Gateway reads are HTTP verbs

_DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedException",
        "AuthorizationError",
        "Forbidden",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
    }
)
_ABSENT = frozenset(
    {
        "ResourceNotFoundException",
        "NoSuchEntity",
        "NotFoundException",
        "NoSuchBucket",
        "NoSuchBucketPolicy",
    }
)
_THROTTLED = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown"}
)


def iam_action(service: str, operation: str) -> str:
    """The IAM action a call needs (empty when it needs none)."""
    if (service, operation) in _ACTIONS:
        return _ACTIONS[service, operation]
    return _IAM_PREFIX.get(service) or f"{service}:{operation}"


class AccountUnreachable(FnauditError):
    """The account cannot be read at all: no endpoint, no credentials. Exit 2."""


@dataclass(frozen=True, slots=True)
class Call:
    """One request as the reader made it (for the read-only policy test and the benchmark)."""

    service: str
    operation: str
    action: str


@dataclass(slots=True)
class Caller:
    """Clients of one region (created once: boto3 clients are thread-safe, sessions are not) and the
    errors their calls met. `subject` of each call names what a failure costs, for the error entry."""

    session: Any  # boto3.Session
    region: str
    endpoint_url: str | None
    errors: list[ScanError] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    download_seconds: float = 0.0  # summed over the threads that downloaded packages
    _clients: dict[str, Any] = field(default_factory=dict)
    _names: dict[str, dict[str, str]] = field(default_factory=dict)  # service → operation → client method
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                from botocore.config import Config as BotoConfig

                config = BotoConfig(
                    retries={"mode": "adaptive", "total_max_attempts": MAX_ATTEMPTS},
                    connect_timeout=10,
                    read_timeout=60,
                    max_pool_connections=32,
                    user_agent_extra="fnaudit",
                )
                region = "us-east-1" if service in ("iam", "s3") and self.region == "*" else self.region
                client = self.session.client(service, region_name=region, endpoint_url=self.endpoint_url, config=config)
                self._clients[service] = client
                # botocore's own table of method names, inverted once per service: not guessed from the spelling
                self._names[service] = {api: name for name, api in client.meta.method_to_api_mapping.items()}
            return self._clients[service]

    def method_name(self, service: str, operation: str) -> str:
        """The client method of an API operation (`GetFunctionUrlConfig` → `get_function_url_config`)."""
        self.client(service)
        name = self._names[service].get(operation)
        if name is None:
            raise ValueError(f"{service} has no operation {operation}")
        return name

    def method(self, service: str, operation: str) -> Callable[..., Any]:
        bound: Callable[..., Any] = getattr(self.client(service), self.method_name(service, operation))
        return bound

    def call(self, service: str, operation: str, subject: str, cost: str, loss: Loss = Loss.PARTIAL, **kw: Any) -> Any:
        """The response, or None when the call failed (recorded) or the thing does not exist (not recorded).
        `cost` says what the scan loses without it ("the function's resource policy")."""
        method = self.method(service, operation)

        def once() -> Any:
            self._record(service, operation)
            return method(**kw)

        return self._guarded(once, service, operation, subject, cost, loss)

    def pages(
        self, service: str, operation: str, key: str, subject: str, cost: str, loss: Loss = Loss.PARTIAL, **kw: Any
    ) -> list[Any] | None:
        """Every item of a paginated listing, or None when a page failed (recorded)."""
        client = self.client(service)
        snake = self.method_name(service, operation)

        def every() -> list[Any]:
            items: list[Any] = []
            if client.can_paginate(snake):
                for page in client.get_paginator(snake).paginate(**kw):
                    self._record(service, operation)
                    items.extend(page.get(key) or ())
            else:
                self._record(service, operation)
                items.extend(getattr(client, snake)(**kw).get(key) or ())
            return items

        result: list[Any] | None = self._guarded(every, service, operation, subject, cost, loss)
        return result

    def _guarded(
        self, work: Callable[[], Any], service: str, operation: str, subject: str, cost: str, loss: Loss
    ) -> Any:
        """`work()`, or None with the failure recorded: a refusal, throttling that outlasted the retries, an
        endpoint gone, or an API's quirk (an emulator's missing operation): each costs one part, never the scan."""
        from botocore.exceptions import ClientError

        try:
            return work()
        except ClientError as exc:
            self._failed(exc, service, operation, subject, cost, loss)
        except _connection_errors() as exc:
            self._unreachable(exc, subject, cost, loss)
        except Exception as exc:  # noqa: BLE001 -- see the docstring
            self._broken(exc, service, operation, subject, cost, loss)
        return None

    def downloaded(self, seconds: float) -> None:
        with self._lock:
            self.download_seconds += seconds

    def _record(self, service: str, operation: str) -> None:
        with self._lock:
            self.calls.append(Call(service, operation, iam_action(service, operation)))

    def _failed(self, exc: Any, service: str, operation: str, subject: str, cost: str, loss: Loss) -> None:
        error = exc.response.get("Error", {}) if isinstance(exc.response, dict) else {}
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") if isinstance(exc.response, dict) else 0
        if code in _ABSENT or status == 404:
            return
        action = iam_action(service, operation)
        if code in _DENIED or status == 403:
            message = (
                f"access denied: {action} was refused ({code}), so the scan has no {cost}; grant it "
                "(docs/aws-readonly-policy.json lists what fnaudit reads) and scan again"
            )
        elif code in _THROTTLED or status == 429:
            message = (
                f"throttled: {action} was still throttled ({code}) after {MAX_ATTEMPTS} attempts, so the scan "
                f"has no {cost}; scan again later, or fewer functions at a time (--function)"
            )
        else:
            message = f"{action} failed ({code or status}{_brief(error.get('Message'))}), so the scan has no {cost}"
        self.error(subject, message, loss)

    def _broken(self, exc: Exception, service: str, operation: str, subject: str, cost: str, loss: Loss) -> None:
        action = iam_action(service, operation) or operation
        self.error(subject, f"{action} failed ({type(exc).__name__}: {exc}), so the scan has no {cost}", loss)

    def _unreachable(self, exc: Exception, subject: str, cost: str, loss: Loss) -> None:
        self.error(subject, f"could not reach AWS ({type(exc).__name__}: {exc}), so the scan has no {cost}", loss)

    def error(self, subject: str, message: str, loss: Loss) -> None:
        """Record a problem met while reading (a package too large, a bad layer) as an `errors` entry."""
        with self._lock:
            self.errors.append(ScanError(subject, message, STAGE, loss))


def first_call(caller: Caller, service: str, operation: str, **kw: Any) -> Any:
    """A call that must work for anything to be read (who am I): its failure stops the scan."""
    from botocore.exceptions import ClientError, NoCredentialsError, PartialCredentialsError

    try:
        caller._record(service, operation)
        return caller.method(service, operation)(**kw)
    except (NoCredentialsError, PartialCredentialsError) as exc:
        raise AccountUnreachable(
            f"no AWS credentials ({exc}); configure a profile (`aws configure`) or pass --profile"
        ) from None
    except _connection_errors() as exc:
        where = caller.endpoint_url or f"AWS in {caller.region}"
        raise AccountUnreachable(f"cannot reach {where}: {exc}") from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise AccountUnreachable(
            f"{iam_action(service, operation) or operation} failed: {error.get('Code')}: {error.get('Message')}"
        ) from None


def _brief(text: object) -> str:
    """The service's error message, one line of it; nothing for an HTML error page (a proxy's, an emulator's)."""
    line = str(text or "").strip().splitlines()[0] if str(text or "").strip() else ""
    return "" if not line or line.startswith("<") else f": {line[:200]}"


def _connection_errors() -> tuple[type[Exception], ...]:
    from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

    return (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError)


def each(items: list[Any] | None) -> Iterator[Any]:
    yield from items or ()
