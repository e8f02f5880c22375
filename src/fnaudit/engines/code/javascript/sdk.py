"""AWS SDK for JavaScript calls (v2 and v3) a function's code can make, for the IAM engine.

- v3: every `new XCommand(input)` whose class comes from `@aws-sdk/client-<service>` (the client
  it is sent with does not matter: `client.send(cmd)`, a presigner, a paginator all run it);
  `@aws-sdk/lib-dynamodb` document commands (`PutCommand` → `PutItem`); aggregated clients
  (`new S3({}).getObject(...)`, `DynamoDBDocument.from(c).put(...)`); paginators
  (`paginateScan({ client }, input)` → `Scan`); waiters (`waitUntilObjectExists` → `HeadObject`);
  `Upload` from `@aws-sdk/lib-storage` → `PutObject` and the multipart operations.
- v2: clients built with `new AWS.S3()` / `new S3()` from `aws-sdk/clients/s3`, and
  `new AWS.DynamoDB.DocumentClient()`; their camelCase methods map to botocore operations
  (`getObject` → `GetObject`, DocumentClient `put` → `PutItem`); `s3.upload` → `PutObject` + multipart.

Operation names are checked against botocore's service models. The resource a call names is
recorded when it is a literal, a module constant, or an environment variable of the function
(`process.env.TABLE`, or `const { TABLE } = process.env`) whose value the IaC gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from fnaudit.engines.code.awsmodel import operations
from fnaudit.engines.code.awsmodel import waiters as _waiters
from fnaudit.engines.code.awsmodel import xform as _xform
from fnaudit.engines.code.javascript.modules import JsModule, string_value, text, unwrap
from fnaudit.engines.code.taint.resources import RESOURCE_PARAMETERS as _RESOURCE_KWARGS
from fnaudit.engines.code.taint.resources import env_resource
from fnaudit.model.code import SdkCall
from fnaudit.model.loc import Loc, Value

Node = Any

# v3 package suffix (`@aws-sdk/client-<x>`) or v2 class name (lower-cased) → botocore service name.
_SERVICE_ALIASES = {
    "secrets-manager": "secretsmanager",
    "eventbridge": "events",
    "cloudwatchevents": "events",
    "sfn": "stepfunctions",
    "cloudwatch-logs": "logs",
    "cloudwatchlogs": "logs",
    "cognito-identity-provider": "cognito-idp",
    "cognitoidentityserviceprovider": "cognito-idp",
    "cognito-identity": "cognito-identity",
    "rds-data": "rds-data",
    "rdsdataservice": "rds-data",
    "api-gateway": "apigateway",
    "iot-data-plane": "iot-data",
    "iotdata": "iot-data",
    "dynamodb-streams": "dynamodbstreams",
    "elastic-load-balancing-v2": "elbv2",
    "bedrock-runtime": "bedrock-runtime",
    "apigatewaymanagementapi": "apigatewaymanagementapi",
    "step-functions": "stepfunctions",
    "stepfunctions": "stepfunctions",
    "ses": "ses",
    "sesv2": "sesv2",
    "kinesis-video": "kinesisvideo",
}
_DOC_OPS = {
    "get": "GetItem",
    "put": "PutItem",
    "update": "UpdateItem",
    "delete": "DeleteItem",
    "query": "Query",
    "scan": "Scan",
    "batchGet": "BatchGetItem",
    "batchWrite": "BatchWriteItem",
    "transactGet": "TransactGetItems",
    "transactWrite": "TransactWriteItems",
    "executeStatement": "ExecuteStatement",
    "batchExecuteStatement": "BatchExecuteStatement",
    "executeTransaction": "ExecuteTransaction",
}
_DOC_COMMANDS = {
    "GetCommand": "GetItem",
    "PutCommand": "PutItem",
    "UpdateCommand": "UpdateItem",
    "DeleteCommand": "DeleteItem",
    "QueryCommand": "Query",
    "ScanCommand": "Scan",
    "BatchGetCommand": "BatchGetItem",
    "BatchWriteCommand": "BatchWriteItem",
    "TransactGetCommand": "TransactGetItems",
    "TransactWriteCommand": "TransactWriteItems",
    "ExecuteStatementCommand": "ExecuteStatement",
    "BatchExecuteStatementCommand": "BatchExecuteStatement",
    "ExecuteTransactionCommand": "ExecuteTransaction",
}
MULTIPART = ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload")


# Module-level caches of pure functions over the bundled AWS model (immutable data): safe to share between scans.
@cache
def service_name(raw: str) -> str | None:
    """A v3 package suffix or v2 class name → botocore service name (None when botocore does not know it)."""
    low = raw.lower()
    for cand in (_SERVICE_ALIASES.get(low), low, low.replace("-", ""), _SERVICE_ALIASES.get(low.replace("-", ""))):
        if cand and operations(cand):
            return cand
    return None


@cache
def _ops_by_lower(service: str) -> dict[str, str]:
    return {op.lower(): op for op in operations(service).values()}


def operation(service: str, name: str) -> str | None:
    """`getObject` / `GetObject` → `GetObject`, if the service has it."""
    return _ops_by_lower(service).get(name.lower())


def _v3_service(spec: str) -> str | None:
    if spec.startswith("@aws-sdk/client-"):
        return service_name(spec[len("@aws-sdk/client-") :])
    return None


# The nodes `ModuleSdk` reads, in the order it has always visited them (the last child first): the order
# of the SDK calls in the report and of the bindings (the last assignment of a name wins).
_SDK_TYPES = frozenset(
    {
        "new_expression",
        "call_expression",
        "variable_declarator",
        "assignment_expression",
        "field_definition",
        "public_field_definition",
    }
)


class ModuleSdk:
    """What the names of one module are bound to, as far as the AWS SDK is concerned (flow-insensitive)."""

    def __init__(self, module: JsModule) -> None:
        self.module = module
        self.imports = module.imports
        self.values: dict[str, Node] = {}  # every `name = value` of the module (last wins)
        self.env_aliases: dict[str, str] = dict(module.env_aliases)
        self.bindings: dict[str, tuple[str, ...]] = {}
        assigns: list[tuple[str, Node]] = []
        self.nodes: list[Node] = []
        for n in module.mirrored(_SDK_TYPES):
            t = n.type
            if t in ("new_expression", "call_expression"):
                self.nodes.append(n)
            if t == "variable_declarator":
                name = n.child_by_field_name("name")
                value = n.child_by_field_name("value")
                if name is not None and value is not None:
                    if name.type == "identifier":
                        assigns.append((text(name), value))
                    elif name.type == "object_pattern" and text(unwrap(value)) == "process.env":
                        for c in name.named_children:
                            if c.type == "shorthand_property_identifier_pattern":
                                self.env_aliases[text(c)] = text(c)
            elif t == "assignment_expression":
                left = n.child_by_field_name("left")
                right = n.child_by_field_name("right")
                if left is not None and right is not None and left.type in ("identifier", "member_expression"):
                    assigns.append((text(left).replace(" ", ""), right))
            elif t in ("field_definition", "public_field_definition"):
                prop = n.child_by_field_name("property") or n.child_by_field_name("name")
                value = n.child_by_field_name("value")
                if prop is not None and value is not None:
                    assigns.append((f"this.{text(prop)}", value))
        self.nodes.reverse()
        for key, value in assigns:
            self.values[key] = value
        for _ in range(3):  # bindings through other names (const doc = DynamoDBDocumentClient.from(client))
            for key, value in assigns:
                b = self.binding(value)
                if b is not None:
                    self.bindings[key] = b

    def origin(self, node: Node | None) -> tuple[str, str] | None:
        """(package spec, exported name) of an identifier / `AWS.S3`-style member bound by an import."""
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "identifier":
            imp = self.imports.get(text(node))
            if imp is None:
                return None
            return (imp[1], "default") if imp[0] == "module" else (imp[1], imp[2])
        if node.type == "member_expression":
            base = self.origin(node.child_by_field_name("object"))
            if base is None:
                return None
            prop = text(node.child_by_field_name("property"))
            return (base[0], prop if base[1] == "default" else f"{base[1]}.{prop}")
        return None

    def binding(self, value: Node | None) -> tuple[str, ...] | None:  # noqa: C901
        value = unwrap(value)
        if value is None:
            return None
        t = value.type
        if t in ("identifier", "member_expression") and text(value).replace(" ", "") in self.bindings:
            return self.bindings[text(value).replace(" ", "")]
        if t == "new_expression":
            o = self.origin(value.child_by_field_name("constructor"))
            if o is None:
                return None
            spec, name = o
            svc = _v3_service(spec)
            if svc is not None:
                return ("v3", svc) if name.endswith("Client") else ("v3agg", svc)
            if spec == "aws-sdk" or spec.startswith("aws-sdk/"):
                parts = name.split(".")
                if spec.startswith("aws-sdk/clients/"):
                    parts = [spec.rsplit("/", 1)[1]] + ([] if parts == ["default"] else parts)
                if parts[-1] == "DocumentClient":
                    return ("v2doc", "dynamodb")
                svc = service_name(parts[0])
                return ("v2", svc) if svc else None
            return None
        if t == "call_expression":
            fn = value.child_by_field_name("function")
            args = value.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            if fn is not None and fn.type == "member_expression" and text(fn.child_by_field_name("property")) == "from":
                o = self.origin(fn.child_by_field_name("object"))
                if o is not None and o[0] == "@aws-sdk/lib-dynamodb":
                    return ("v3doc", "dynamodb") if o[1] == "DynamoDBDocumentClient" else ("v3aggdoc", "dynamodb")
            if fn is not None and "capture" in text(fn) and first is not None:  # AWSXRay.captureAWSv3Client(client)
                return self.binding(first)
        return None


def extract(
    modules: list[JsModule], environment: Mapping[str, Value[str]], cache: dict[str, ModuleSdk] | None = None
) -> tuple[SdkCall, ...]:
    out: dict[tuple[str, str, str, int, str | None], SdkCall] = {}
    cache = cache if cache is not None else {}
    for mod in modules:
        if not any(s == "aws-sdk" or s.startswith(("@aws-sdk/", "aws-sdk/")) for s in mod.specs):
            continue
        key = f"{mod.rel}:{mod.file.digest}"
        ms = cache.get(key)
        if ms is None:
            ms = cache[key] = ModuleSdk(mod)
        for node in ms.nodes:
            for call in _calls(ms, node, environment):
                out.setdefault((call.service, call.operation, call.loc.path, call.loc.line, call.resource), call)
    return tuple(out.values())


def _calls(ms: ModuleSdk, node: Node, env: Mapping[str, Value[str]]) -> list[SdkCall]:  # noqa: C901
    loc = Loc(ms.module.rel, node.start_point[0] + 1)
    args = node.child_by_field_name("arguments")
    arg_nodes = (
        [a for a in args.named_children if a.type != "comment"] if args is not None and args.type == "arguments" else []
    )
    first = arg_nodes[0] if arg_nodes else None
    if node.type == "new_expression":
        o = ms.origin(node.child_by_field_name("constructor"))
        if o is None:
            return []
        spec, name = o
        if spec == "@aws-sdk/lib-storage" and name == "Upload":
            params = _field(first, "params")
            res = _resource(ms, params, env)
            return [SdkCall("s3", op, loc, res) for op in MULTIPART]
        if not name.endswith("Command"):
            return []
        if spec == "@aws-sdk/lib-dynamodb":
            op = _DOC_COMMANDS.get(name)
            return [SdkCall("dynamodb", op, loc, _resource(ms, first, env))] if op else []
        svc = _v3_service(spec)
        if svc is None:
            return []
        op = operation(svc, name[: -len("Command")])
        return [SdkCall(svc, op, loc, _resource(ms, first, env))] if op else []
    fn = node.child_by_field_name("function")
    if fn is None:
        return []
    if fn.type == "identifier":
        o = ms.origin(fn)
        if o is None:
            return []
        spec, name = o
        svc = _v3_service(spec) or ("dynamodb" if spec == "@aws-sdk/lib-dynamodb" else None)
        if svc is None:
            return []
        input_node = arg_nodes[1] if len(arg_nodes) > 1 else None
        if name.startswith("paginate"):
            op = operation(svc, name[len("paginate") :])
            return [SdkCall(svc, op, loc, _resource(ms, input_node, env))] if op else []
        if name.startswith("waitUntil") or name.startswith("waitFor"):
            waiter = name.removeprefix("waitUntil").removeprefix("waitFor")
            op = _waiters(svc).get(_xform(waiter))
            return [SdkCall(svc, op, loc, _resource(ms, input_node, env))] if op else []
        return []
    if fn.type != "member_expression":
        return []
    method = text(fn.child_by_field_name("property"))
    b = ms.binding(fn.child_by_field_name("object"))
    if b is None:
        return []
    kind, svc = b
    if kind == "v3" or method in ("send", "promise", "destroy", "middlewareStack", "config", "on", "makeRequest"):
        return []
    if kind in ("v2doc", "v3aggdoc"):
        op = _DOC_OPS.get(method)
        return [SdkCall("dynamodb", op, loc, _resource(ms, first, env))] if op else []
    if kind in ("v2", "v3agg"):
        if svc == "s3" and method == "upload" and kind == "v2":
            return [SdkCall("s3", op, loc, _resource(ms, first, env)) for op in MULTIPART]
        if method in ("getSignedUrl", "getSignedUrlPromise", "createPresignedPost") and kind == "v2":
            named = string_value(first) if method != "createPresignedPost" else "putObject"
            op = operation(svc, named or "")
            params = arg_nodes[1] if method != "createPresignedPost" else first
            return [SdkCall(svc, op, loc, _resource(ms, params, env))] if op else []
        op = operation(svc, method)
        return [SdkCall(svc, op, loc, _resource(ms, first, env))] if op else []
    return []


def _field(obj: Node | None, key: str) -> Node | None:
    obj = unwrap(obj)
    if obj is None or obj.type != "object":
        return None
    for c in obj.named_children:
        if c.type == "pair":
            k = c.child_by_field_name("key")
            if (string_value(k) or text(k)) == key:
                return c.child_by_field_name("value")
        elif c.type == "shorthand_property_identifier" and text(c) == key:
            return c
    return None


def _resource(ms: ModuleSdk, params: Node | None, env: Mapping[str, Value[str]]) -> str | None:
    params = unwrap(params)
    if params is not None and params.type == "identifier":
        params = unwrap(ms.values.get(text(params)))
    if params is None or params.type != "object":
        return None
    for key in _RESOURCE_KWARGS:
        v = _field(params, key)
        if v is not None:
            return _resolve(ms, v, env)
    return None


def _resolve(ms: ModuleSdk, node: Node | None, env: Mapping[str, Value[str]], depth: int = 0) -> str | None:
    node = unwrap(node)
    if node is None or depth > 4:
        return None
    s = string_value(node)
    if s is not None:
        return s
    if node.type in ("identifier", "shorthand_property_identifier"):
        name = text(node)
        if name in ms.env_aliases:
            return env_resource(ms.env_aliases[name], env)
        if name in ms.values:
            return _resolve(ms, ms.values[name], env, depth + 1)
        return None
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) in ("||", "??"):
        return _resolve(ms, node.child_by_field_name("left"), env, depth + 1)
    var = env_var(node)
    if var is not None:
        return env_resource(var, env)
    return None


def env_var(node: Node | None) -> str | None:
    """`process.env.X` / `process.env["X"]` → X."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "member_expression" and text(node.child_by_field_name("object")).replace(" ", "") == "process.env":
        return text(node.child_by_field_name("property"))
    if (
        node.type == "subscript_expression"
        and text(node.child_by_field_name("object")).replace(" ", "") == "process.env"
    ):
        return string_value(node.child_by_field_name("index"))
    return None
