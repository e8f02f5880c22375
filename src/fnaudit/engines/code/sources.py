"""Which parts of an event an attacker controls, by trigger kind (shared by every language).

An event path is a tuple of keys as they appear in the event document (`("Records", "[]", "body")`;
`"[]"` stands for any list element). `specs_for(triggers)` lists the attacker-controlled paths of a
function's events with a confidence; `classify(path, flat, specs)` tells whether a value read at
`path` of the event carries such data. Identity set by an authorizer (`requestContext.authorizer…`)
is never a source: it is not under any of the paths below.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fnaudit.model.app import Trigger, TriggerKind

ANY = "?"  # a key we could not compute (event[name]): matches any key
ELEM = "[]"

_HTTP_FIELDS = (
    "body",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "headers",
    "multiValueHeaders",
    "cookies",
    "rawPath",
    "rawQueryString",
    "path",
)

Path = tuple[str, ...]

_BY_KIND: dict[TriggerKind, tuple[tuple[Path, str], ...]] = {
    TriggerKind.API_REST: tuple(((f,), "high") for f in _HTTP_FIELDS),
    TriggerKind.API_HTTP: tuple(((f,), "high") for f in _HTTP_FIELDS),
    TriggerKind.FUNCTION_URL: tuple(((f,), "high") for f in _HTTP_FIELDS),
    TriggerKind.ALB: tuple(((f,), "high") for f in _HTTP_FIELDS),
    TriggerKind.S3: ((("Records", ELEM, "s3", "object", "key"), "medium"),),
    TriggerKind.SQS: ((("Records", ELEM, "body"), "medium"), (("Records", ELEM, "messageAttributes"), "medium")),
    TriggerKind.SNS: (
        (("Records", ELEM, "Sns", "Message"), "medium"),
        (("Records", ELEM, "Sns", "Subject"), "medium"),
        (("Records", ELEM, "Sns", "MessageAttributes"), "medium"),
    ),
    TriggerKind.DYNAMODB_STREAM: (
        (("Records", ELEM, "dynamodb", "NewImage"), "medium"),
        (("Records", ELEM, "dynamodb", "OldImage"), "medium"),
        (("Records", ELEM, "dynamodb", "Keys"), "medium"),
    ),
    TriggerKind.KINESIS: ((("Records", ELEM, "kinesis", "data"), "medium"),),
    TriggerKind.KAFKA: ((("records",), "medium"),),
    TriggerKind.MQ: ((("messages",), "medium"),),
    TriggerKind.EVENTBRIDGE: ((("detail",), "medium"),),
    TriggerKind.COGNITO: (
        (("request", "userAttributes"), "medium"),
        (("request", "clientMetadata"), "medium"),
        (("request", "validationData"), "medium"),
    ),
    TriggerKind.IOT: (((), "medium"),),
    TriggerKind.CLOUDWATCH_LOGS: ((("awslogs", "data"), "low"),),
    TriggerKind.SCHEDULE: (),  # the event is fixed by the rule: nothing attacker controlled
    # Internal callers (the trust model): nothing in their events is the public's. A custom resource's
    # properties are the template author's, possibly fed by stack parameters: low. Its `ResponseURL`,
    # `RequestType`, `StackId`, `LogicalResourceId`… are CloudFormation's own protocol and never a source, so a
    # handler that PUTs its answer to `event["ResponseURL"]` is not SSRF.
    TriggerKind.CUSTOM_RESOURCE: (
        (("ResourceProperties",), "low"),
        (("OldResourceProperties",), "low"),
    ),
    # A task's input is whatever the execution was started with or an earlier step produced: it may carry
    # a user's data from upstream, so the whole event, at low confidence.
    TriggerKind.STEP_FUNCTIONS: (((), "low"),),
    TriggerKind.LAMBDA_INVOKE: (((), "low"),),
}

# Powertools data classes and snake_case access: attribute → event key.
ATTRIBUTE_KEYS = {
    "body": "body",
    "json_body": "body",
    "decoded_body": "body",
    "query_string_parameters": "queryStringParameters",
    "multi_value_query_string_parameters": "multiValueQueryStringParameters",
    "path_parameters": "pathParameters",
    "headers": "headers",
    "multi_value_headers": "multiValueHeaders",
    "cookies": "cookies",
    "raw_path": "rawPath",
    "raw_query_string": "rawQueryString",
    "path": "path",
    "request_context": "requestContext",
    "records": "Records",
    "detail": "detail",
    "s3": "s3",
    "object_key": "key",
    "key": "key",
    "sns": "Sns",
    "message": "Message",
    "dynamodb": "dynamodb",
    "new_image": "NewImage",
    "old_image": "OldImage",
    "keys": "Keys",
    "kinesis": "kinesis",
    "data": "data",
    "user_attributes": "userAttributes",
    "request": "request",
    "authorizer": "authorizer",
    # AWS Chalice `app.current_request`: the same parts of the proxy event under Chalice's names
    "query_params": "queryStringParameters",
    "uri_params": "pathParameters",
    # a Starlette / FastAPI `Request` (bound to the event behind Mangum): its URL's variables
    "path_params": "pathParameters",
    "raw_body": "body",
    "context": "requestContext",
    # a Django view's `request` (bound to the event behind serverless-wsgi): the same parts under Django's names
    "GET": "queryStringParameters",
    "POST": "body",
    "FILES": "body",
    "COOKIES": "cookies",
    "META": "headers",
}

# Powertools getter methods: method → event key of the mapping they read.
GETTER_KEYS = {
    "get_query_string_value": "queryStringParameters",
    "get_multi_value_query_string_values": "multiValueQueryStringParameters",
    "get_header_value": "headers",
    "get_path_parameter": "pathParameters",
}

# Flask's `request` (a WSGI app behind serverless-wsgi / apig-wsgi): attribute or method → the part of
# the proxy event the adapter turned it into. `values` merges query and form: the query is the part
# every method has.
FLASK_REQUEST_KEYS = {
    "args": "queryStringParameters",
    "values": "queryStringParameters",
    "form": "body",
    "json": "body",
    "data": "body",
    "files": "body",
    "stream": "body",
    "get_json": "body",
    "get_data": "body",
    "headers": "headers",
    "cookies": "cookies",
    "view_args": "pathParameters",
    "path": "path",
    "full_path": "path",
    "url": "path",
    "query_string": "rawQueryString",
}


@dataclass(frozen=True, slots=True)
class SourceSpec:
    path: Path
    triggers: tuple[str, ...]  # TriggerKind values
    confidence: str  # high | medium | low

    @property
    def text(self) -> str:
        return render(self.path)


def specs_for(triggers: Iterable[Trigger]) -> tuple[SourceSpec, ...]:
    """The attacker-controlled paths of a function's events. No known trigger: the whole event, low confidence."""
    merged: dict[Path, tuple[list[str], str]] = {}
    seen_any = False
    for t in triggers:
        seen_any = True
        if t.kind not in _BY_KIND:
            entries: tuple[tuple[Path, str], ...] = (((), "low"),)
        else:
            entries = _BY_KIND[t.kind]
        for path, conf in entries:
            kinds, best = merged.get(path, ([], conf))
            if t.kind.value not in kinds:
                kinds.append(t.kind.value)
            merged[path] = (kinds, _best(best, conf))
    if not seen_any:
        return (SourceSpec((), (TriggerKind.OTHER.value,), "low"),)
    return tuple(SourceSpec(p, tuple(k), c) for p, (k, c) in merged.items())


_CONF_RANK = {"high": 2, "medium": 1, "low": 0}


def _best(a: str, b: str) -> str:
    return a if _CONF_RANK[a] >= _CONF_RANK[b] else b


def _key_match(actual: str, spec: str) -> bool:
    return actual in (spec, ANY) or (spec == ELEM and actual.isdigit())


def classify(path: Path, flat: bool, specs: tuple[SourceSpec, ...]) -> SourceSpec | None:
    """The spec that makes a value read at `path` attacker controlled, or None.

    A value is tainted when it lies inside an attacker-controlled field (the spec is a prefix of
    `path`), or when it contains one (`path` is a prefix of the spec: the whole event, `Records[]`).
    `flat` is accepted for symmetry (built strings keep the path they were built from)."""
    best: SourceSpec | None = None
    for spec in specs:
        n = min(len(path), len(spec.path))
        matches = all(_key_match(path[i], spec.path[i]) for i in range(n))
        if matches and (best is None or _CONF_RANK[spec.confidence] > _CONF_RANK[best.confidence]):
            best = spec
    return best


def render(path: Path, root: str = "event") -> str:
    out = root
    for k in path:
        out += "[]" if k == ELEM else ("[?]" if k == ANY else f".{k}")
    return out
