"""AWS SDK for Java calls (v1 and v2) a function's code can make, for the IAM engine.

- v2 (`software.amazon.awssdk.services.<svc>.<Svc>Client`, async clients too): clients built with
  `S3Client.create()` / `S3Client.builder()...build()`; their camelCase methods map to botocore
  operations (`putObject` → `PutObject`, `listObjectsV2Paginator` → `ListObjectsV2`), waiters
  (`s3.waiter().waitUntilObjectExists(...)` → `HeadObject`); the DynamoDB Enhanced Client
  (`enhanced.table(name, schema).putItem(...)` → `PutItem` on that table); the S3 Transfer Manager
  (`uploadFile` → `PutObject`, `downloadFile` → `GetObject`); `S3Presigner.presignGetObject` → `GetObject`
  (medium confidence: the URL is used later, with the function's role).
- v1 (`com.amazonaws.services.<svc>`): `AmazonS3ClientBuilder.defaultClient()`, `...standard().build()`,
  `new AmazonS3Client()`; positional convenience methods (`s3.putObject(bucket, key, body)`,
  `sqs.sendMessage(queueUrl, body)`); `DynamoDBMapper` (`save` / `load` / `query` / `scan`, the table
  from the item class's `@DynamoDBTable(tableName = "...")` or the config's `TableNameOverride`; `save`
  is `UpdateItem` and `PutItem` under the default `SaveBehavior.UPDATE`, `PutItem` alone once the file
  names `CLOBBER` / `PUT`); the Document API (`new DynamoDB(client).getTable(name).putItem(item)`);
  `TransferManager` uploads and downloads.

The resource a call names is the request's resource field (`.bucket(x)`, `.withTableName(x)`, a v1
request's first constructor argument, a consumer builder `r -> r.bucket(x)`) or the positional first
argument, when it is a literal, a constant, or `System.getenv("X")` (resolved through the function's
environment, like the other languages). Bindings are found flow-insensitively over the compilation
unit (a client in a static field, a field set in the constructor, a local): what real handlers do. A
client known only by its declared type (injected, never built in the file) gives medium confidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from tree_sitter import Node

from fnaudit.engines.code.awsmodel import operations, waiters, xform
from fnaudit.engines.code.java.parse import JavaFile
from fnaudit.engines.code.taint.resources import RESOURCE_PARAMETERS, env_resource
from fnaudit.model.app import Function
from fnaudit.model.code import SdkCall
from fnaudit.model.loc import Loc, Value

# Package (v2 `services.<p>`, v1 `services.<p>`) or client-name stem, lower-cased → botocore service.
SERVICE_ALIASES = {
    "dynamodbv2": "dynamodb",
    "eventbridge": "events",
    "cloudwatchevents": "events",
    "sfn": "stepfunctions",
    "simplesystemsmanagement": "ssm",
    "simpleemail": "ses",
    "simpleemailservice": "ses",
    "simpleemailv2": "sesv2",
    "kinesisfirehose": "firehose",
    "cloudwatchlogs": "logs",
    "cognitoidp": "cognito-idp",
    "cognitoidentityprovider": "cognito-idp",
    "securitytoken": "sts",
    "identitymanagement": "iam",
    "rdsdata": "rds-data",
    "bedrockruntime": "bedrock-runtime",
    "iotdataplane": "iot-data",
}
_V2_PREFIX = "software.amazon.awssdk.services."
_V1_PREFIX = "com.amazonaws.services."
_CLIENT_SUFFIXES = ("AsyncClientBuilder", "ClientBuilder", "AsyncClient", "Client", "Async", "Builder")
# Static factories that start a client (or builder) chain, and the calls that end one.
_FACTORIES = frozenset(
    {"create", "builder", "standard", "defaultClient", "defaultTransferManager", "crtCreate", "crtBuilder"}
)
_BUILDS = frozenset({"create", "build", "defaultClient", "defaultTransferManager", "crtCreate"})
# Client methods that make no request.
_NOT_CALLS = frozenset(
    {
        "close",
        "shutdown",
        "serviceName",
        "utilities",
        "waiter",
        "serviceClientConfiguration",
        "setRegion",
        "setEndpoint",
    }
)
# Convenience methods whose name is not the operation's.
_S3_EXTRA = {
    "getObjectAsString": "GetObject",
    "getObjectAsBytes": "GetObject",
    "getObjectMetadata": "HeadObject",
    "doesObjectExist": "HeadObject",
    "listNextBatchOfObjects": "ListObjects",
}
_TABLE_OPS = {
    "getItem": "GetItem",
    "putItem": "PutItem",
    "updateItem": "UpdateItem",
    "deleteItem": "DeleteItem",
    "query": "Query",
    "scan": "Scan",
    "createTable": "CreateTable",
    "deleteTable": "DeleteTable",
    "describeTable": "DescribeTable",
    "describe": "DescribeTable",  # v1 Document API `Table`
    "delete": "DeleteTable",
}
_ENHANCED_OPS = {
    "batchGetItem": "BatchGetItem",
    "batchWriteItem": "BatchWriteItem",
    "transactGetItems": "TransactGetItems",
    "transactWriteItems": "TransactWriteItems",
}
_MAPPER_OPS: dict[str, tuple[str, ...]] = {
    # SaveBehavior.UPDATE, the default, sends UpdateItem (PutItem for a key-only item): both are needed
    "save": ("PutItem", "UpdateItem"),
    "load": ("GetItem",),
    "delete": ("DeleteItem",),
    "query": ("Query",),
    "queryPage": ("Query",),
    "scan": ("Scan",),
    "scanPage": ("Scan",),
    "parallelScan": ("Scan",),
    "batchLoad": ("BatchGetItem",),
    "batchSave": ("BatchWriteItem",),
    "batchDelete": ("BatchWriteItem",),
    "batchWrite": ("BatchWriteItem",),
    "transactionLoad": ("TransactGetItems",),
    "transactionWrite": ("TransactWriteItems",),
}
_TRANSFER_OPS: dict[str, tuple[str, ...]] = {
    "upload": ("PutObject",),
    "uploadFile": ("PutObject",),
    "uploadDirectory": ("PutObject",),
    "download": ("GetObject",),
    "downloadFile": ("GetObject",),
    "downloadDirectory": ("ListObjectsV2", "GetObject"),
    "copy": ("CopyObject",),
}
_V1_DOCUMENT = "com.amazonaws.services.dynamodbv2.document"
_DOCUMENT = frozenset({"DynamoDB", "Table", "Index"})
_ENHANCED = frozenset({"DynamoDbEnhancedClient", "DynamoDbEnhancedAsyncClient"})
_TABLES = frozenset({"DynamoDbTable", "DynamoDbAsyncTable", "DynamoDbIndex", "DynamoDbAsyncIndex"})
_MAPPERS = frozenset({"DynamoDBMapper", "IDynamoDBMapper"})
_TRANSFERS = frozenset({"S3TransferManager", "TransferManager", "TransferManagerBuilder"})
# Methods through which a value passes unchanged (`Objects.requireNonNull(System.getenv("T"))`).
_PASS_ARG = frozenset({"requireNonNull", "ofNullable"})
_PASS_RECEIVER = frozenset({"orElse", "orElseThrow", "orElseGet", "trim", "strip", "get"})


def _setters() -> dict[str, int]:
    """Request field setter (v2 `bucket`, v1 `withBucketName`/`setTableName`) → preference (lower first)."""
    out: dict[str, int] = {}
    for i, p in enumerate((*RESOURCE_PARAMETERS[:2], "BucketName", *RESOURCE_PARAMETERS[2:])):
        cap = p[0].upper() + p[1:]
        for name in (p[0].lower() + p[1:], "with" + cap, "set" + cap):
            out.setdefault(name, i)
    return out


_SETTERS = _setters()


@dataclass(frozen=True, slots=True)
class Binding:
    """What an expression holds: a service client, an enhanced client/table, a mapper, a transfer manager."""

    kind: str  # client | waiter | enhanced | table | mapper | transfer | presigner
    service: str = ""
    ident: Node | None = None  # the table name expression of an enhanced table
    confidence: str = "high"


@cache
def _ops_by_lower(service: str) -> dict[str, str]:
    return {op.lower(): op for op in operations(service).values()}


def _service(token: str) -> str | None:
    low = token.lower()
    for cand in (SERVICE_ALIASES.get(low), low):
        if cand and operations(cand):
            return cand
    return None


def _stem(name: str) -> str:
    """`DynamoDbAsyncClient` → `DynamoDb`; `AmazonS3ClientBuilder` → `S3`; `AWSSimpleSystemsManagement` → itself."""
    for suffix in _CLIENT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return re.sub(r"^(Amazon|AWS)(?=[A-Z0-9])", "", name)


def _text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def _string(node: Node | None) -> str | None:
    if node is None or node.type != "string_literal":
        return None
    return "".join(_text(c) for c in node.named_children if c.type == "string_fragment")


def _simple_type(node: Node | None) -> str:
    return _text(node).split("<")[0].strip()


def _args(node: Node) -> list[Node]:
    args = node.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.named_children))


class Unit:
    """One handler file (and the project's other classes, for item classes and constants), indexed."""

    def __init__(self, tree: Node, others: Sequence[Node], env: Mapping[str, Value[str]]) -> None:
        self.tree = tree
        self.env = env
        self.imports: dict[str, str] = {}  # simple name → fully qualified name
        self.aws = False  # the file imports the AWS SDK (a client class named without an import is then one)
        self.decls: dict[str, list[tuple[str, Node | None]]] = {}  # variable/field → (declared type, value)
        self.tables: dict[str, str] = {}  # item class → its @DynamoDBTable(tableName = "...")
        self.clobber = False  # a SaveBehavior that makes DynamoDBMapper.save a plain PutItem
        self.document = False  # `import com.amazonaws.services.dynamodbv2.document.*`
        # DynamoDBMapperConfig's TableNameOverride: every mapper call of the file then uses that table
        self.table_override: Node | None = None
        self.methods: dict[str, list[Node]] = {}  # the file's methods by name (factories of clients)
        self._memo: dict[tuple[str, str], Binding | None] = {}
        for unit in (tree, *others):
            self._index(unit, own=unit is tree)

    def _index(self, unit: Node, own: bool) -> None:
        for n in _walk(unit):
            t = n.type
            if own and t == "import_declaration" and n.named_children:
                name = _text(n.named_children[0])
                self.aws = self.aws or name.startswith(("software.amazon.awssdk.", "com.amazonaws."))
                if not any(c.type == "asterisk" for c in n.named_children):
                    self.imports[name.rsplit(".", 1)[-1]] = name
                elif name == _V1_DOCUMENT:
                    self.document = True
            elif t == "field_declaration" or (own and t == "local_variable_declaration"):
                typ = _simple_type(n.child_by_field_name("type"))
                for d in n.children_by_field_name("declarator"):
                    self._decl(_text(d.child_by_field_name("name")), typ, d.child_by_field_name("value"))
            elif own and t in ("formal_parameter", "resource"):
                typ = _simple_type(n.child_by_field_name("type"))
                self._decl(_text(n.child_by_field_name("name")), typ, n.child_by_field_name("value"))
            elif own and t == "assignment_expression":
                left = n.child_by_field_name("left")
                if left is not None and left.type == "field_access":
                    left = left.child_by_field_name("field")
                if left is not None and left.type == "identifier":
                    self._decl(_text(left), "", n.child_by_field_name("right"))
            elif own and t == "method_declaration":
                self.methods.setdefault(_text(n.child_by_field_name("name")), []).append(n)
            elif t == "class_declaration":
                table = _table_annotation(n)
                if table is not None:
                    self.tables[_text(n.child_by_field_name("name"))] = table
            elif own and t == "field_access" and _text(n.child_by_field_name("field")) in ("CLOBBER", "PUT"):
                self.clobber = self.clobber or _text(n.child_by_field_name("object")).endswith("SaveBehavior")
            elif own and _is_table_override(n) and _args(n):
                self.table_override = self.table_override or _args(n)[0]

    def _decl(self, name: str, typ: str, value: Node | None) -> None:
        if name:
            self.decls.setdefault(name, []).append((typ, value))

    # -- what an expression holds ------------------------------------------------------------------

    def class_binding(self, name: str) -> Binding | None:
        """The binding an instance of the named class holds (None: not an AWS SDK client class)."""
        simple = name.rsplit(".", 1)[-1]
        fqn = name if "." in name else self.imports.get(name)
        aws = self.aws if fqn is None else fqn.startswith(("software.amazon.awssdk.", "com.amazonaws."))
        if not aws:
            return None
        # v1 Document API: `new DynamoDB(client).getTable(name)`; the names are too common to take unimported
        if simple in _DOCUMENT and (fqn == f"{_V1_DOCUMENT}.{simple}" or (fqn is None and self.document)):
            return Binding("table" if simple != "DynamoDB" else "enhanced", "dynamodb")
        if simple in _ENHANCED:
            return Binding("enhanced", "dynamodb")
        if simple in _TABLES:
            return Binding("table", "dynamodb")
        if simple in _MAPPERS:
            return Binding("mapper", "dynamodb")
        if simple in _TRANSFERS:
            return Binding("transfer", "s3")
        if simple == "S3Presigner":
            return Binding("presigner", "s3")
        if fqn is not None:
            prefix = next((p for p in (_V2_PREFIX, _V1_PREFIX) if fqn.startswith(p)), None)
            rest = fqn[len(prefix) :].split(".") if prefix is not None else []
            if len(rest) != 2:  # a client sits at its service package's root, requests and models below it
                return None
            svc = _service(rest[0])
            return Binding("client", svc) if svc and _looks_like_client(simple) else None
        svc = _service(_stem(simple))
        return Binding("client", svc) if svc and _looks_like_client(simple) else None

    def binding(self, node: Node | None, depth: int = 0) -> Binding | None:  # noqa: C901
        if node is None or depth > 6:
            return None
        t = node.type
        if t in ("parenthesized_expression", "cast_expression"):
            inner = node.child_by_field_name("value") if t == "cast_expression" else node.named_children[-1]
            return self.binding(inner, depth + 1)
        if t == "field_access" and _text(node.child_by_field_name("object")) == "this":
            return self._name_binding(_text(node.child_by_field_name("field")), depth)
        if t == "identifier":
            return self._name_binding(_text(node), depth)
        if t == "object_creation_expression":
            return self.class_binding(_simple_type(node.child_by_field_name("type")))
        if t != "method_invocation":
            return None
        name = _text(node.child_by_field_name("name"))
        obj = node.child_by_field_name("object")
        root, first = _chain_root(node)
        if (
            root is not None
            and root.type in ("identifier", "scoped_identifier", "field_access")
            and first in _FACTORIES
            and name in _BUILDS
            and not self.decls.get(_text(root))
        ):
            built = self.class_binding(_text(root).replace(" ", ""))
            if built is not None:
                return built
        if obj is None or obj.type == "this":  # a factory method of the class: `client().putObject(...)`
            return self._method_binding(name, depth)
        base = self.binding(obj, depth + 1)
        if base is None:
            return None
        if base.kind == "client" and name == "waiter":
            return Binding("waiter", base.service, confidence=base.confidence)
        if base.kind == "enhanced" and name in ("table", "getTable"):  # v2 Enhanced Client, v1 Document API
            args = _args(node)
            return Binding("table", "dynamodb", args[0] if args else None, base.confidence)
        if base.kind == "table" and name in ("index", "getIndex"):
            return base
        return None

    def _method_binding(self, name: str, depth: int) -> Binding | None:
        """What a method of the file returns: the client of its `return`, else its declared return type's."""
        key = ("method", name)
        if key not in self._memo:  # once per name: every call of a helper asks; None first stops recursion
            self._memo[key] = None
            self._memo[key] = self._method_binding_of(name, depth)
        return self._memo[key]

    def _method_binding_of(self, name: str, depth: int) -> Binding | None:
        declared: Binding | None = None
        for method in self.methods.get(name, ()):
            for n in _walk(method):
                if n.type == "return_statement" and n.named_children:
                    b = self.binding(n.named_children[0], depth + 1)
                    if b is not None:
                        return b
            declared = declared or self.class_binding(_simple_type(method.child_by_field_name("type")))
        return Binding(declared.kind, declared.service, None, "medium") if declared is not None else None

    def _name_binding(self, name: str, depth: int) -> Binding | None:
        key = ("name", name)
        if key not in self._memo:
            self._memo[key] = None
            self._memo[key] = self._name_binding_of(name, depth)
        return self._memo[key]

    def _name_binding_of(self, name: str, depth: int) -> Binding | None:
        declared: Binding | None = None
        for typ, value in self.decls.get(name, ()):
            b = self.binding(value, depth + 1) if value is not None else None
            if b is not None:
                return b
            if typ and declared is None:
                declared = self.class_binding(typ)
        if declared is not None:  # injected or built where we do not see: the service is certain, the rest less
            return Binding(declared.kind, declared.service, declared.ident, "medium")
        return None

    # -- the resource a call names -----------------------------------------------------------------

    def value(self, node: Node | None, depth: int = 0) -> str | None:
        """The resource a value names: a literal, a constant, or an environment variable of the function."""
        if node is None or depth > 6:
            return None
        t = node.type
        if t == "string_literal":
            return _string(node)
        if t == "parenthesized_expression":
            return self.value(node.named_children[-1], depth + 1)
        if t == "field_access":
            return self.value(node.child_by_field_name("field"), depth + 1)
        if t == "identifier":
            values = [v for _, v in self.decls.get(_text(node), ()) if v is not None]
            return self.value(values[0], depth + 1) if len(values) == 1 else None
        if t != "method_invocation":
            return None
        name = _text(node.child_by_field_name("name"))
        obj = node.child_by_field_name("object")
        args = _args(node)
        if name == "getenv" and _text(obj) == "System" and args:
            var = _string(args[0])
            return env_resource(var, self.env) if var is not None else None
        if name in ("get", "getOrDefault") and _text(obj).replace(" ", "") == "System.getenv()" and args:
            var = _string(args[0])
            return env_resource(var, self.env) if var is not None else None
        if name in _PASS_ARG and args:
            return self.value(args[0], depth + 1)
        if name in _PASS_RECEIVER and obj is not None:
            return self.value(obj, depth + 1)
        return None

    def request_resource(self, node: Node, depth: int = 0) -> str | None:
        """The resource field a request sets anywhere in it (builder chain, consumer lambda, v1 request)."""
        best: tuple[int, Node] | None = None
        for n in _walk(node):
            if n.type == "method_invocation":
                rank = _SETTERS.get(_text(n.child_by_field_name("name")))
                args = _args(n)
                if rank is not None and args and (best is None or rank < best[0]):
                    best = (rank, args[0])
            elif n.type == "object_creation_expression":
                typ = _simple_type(n.child_by_field_name("type"))
                args = _args(n)
                if typ.endswith("Request") and args and _string_like(args[0]):
                    best = best or (len(_SETTERS), args[0])
        if best is not None:
            return self.value(best[1])
        if node.type == "identifier" and depth < 3:  # a request built earlier: `s3.getObject(req)`
            values = [v for _, v in self.decls.get(_text(node), ()) if v is not None]
            return self.request_resource(values[0], depth + 1) if len(values) == 1 else None
        return None

    def resource(self, args: Sequence[Node]) -> str | None:
        """A positional resource (v1 `s3.putObject(bucket, key, body)`) or the request's resource field."""
        if not args:
            return None
        first = self.value(args[0])
        if first is not None:
            return first
        for a in args:
            found = self.request_resource(a)
            if found is not None:
                return found
        return None


def _string_like(node: Node) -> bool:
    return node.type in ("string_literal", "identifier", "method_invocation", "field_access")


def _looks_like_client(simple: str) -> bool:
    return simple.endswith(("Client", "ClientBuilder", "Async")) or bool(re.match(r"^(Amazon|AWS)[A-Z0-9]", simple))


def _chain_root(node: Node) -> tuple[Node | None, str]:
    """`S3Client.builder().region(r).build()` → (`S3Client`, "builder"): the receiver and first call of a chain."""
    first = _text(node.child_by_field_name("name"))
    obj = node.child_by_field_name("object")
    while obj is not None and obj.type == "method_invocation":
        first = _text(obj.child_by_field_name("name"))
        obj = obj.child_by_field_name("object")
    return obj, first


def _table_annotation(cls: Node) -> str | None:
    for c in cls.named_children:
        if c.type != "modifiers":
            continue
        for a in c.named_children:
            if a.type != "annotation" or _text(a.child_by_field_name("name")).rsplit(".", 1)[-1] != "DynamoDBTable":
                continue
            args = a.child_by_field_name("arguments")
            for p in args.named_children if args is not None else []:
                if p.type == "element_value_pair" and _text(p.child_by_field_name("key")) == "tableName":
                    return _string(p.child_by_field_name("value"))
                if p.type == "string_literal":
                    return _string(p)
    return None


def extract(tree: Node, rel: str, fn: Function, others: Sequence[Node] = ()) -> tuple[SdkCall, ...]:
    """Every AWS SDK for Java call in the compilation unit `tree` (at `rel`), with its operation and resource.

    `others`: the project's other compilation units, read for DynamoDB item classes and constants only."""
    unit = Unit(tree, others, fn.environment)
    out: dict[tuple[str, str, int, str | None], SdkCall] = {}
    for node in _walk(tree):
        if node.type != "method_invocation":
            continue
        for call in _calls(unit, node, Loc(rel, node.start_point[0] + 1)):
            out.setdefault((call.service, call.operation, call.loc.line, call.resource), call)
    return tuple(sorted(out.values(), key=lambda c: (c.loc.line, c.service, c.operation, c.resource or "")))


def project_calls(reached: Sequence[str], loaded: Mapping[str, JavaFile | None], fn: Function) -> tuple[SdkCall, ...]:
    """The SDK calls of the project files the handler reaches (`reached`, rel paths), every loaded file
    (`loaded`, the analyser's parsed files) lending its item classes and constants."""
    trees = {rel: jf.source.trees.get("java") for rel, jf in loaded.items() if jf is not None}
    out: list[SdkCall] = []
    for rel in reached:
        tree = trees.get(rel)
        if tree is not None:
            others = [t for r, t in trees.items() if r != rel and t is not None]
            out.extend(extract(tree, rel, fn, others))
    return tuple(out)


def _calls(unit: Unit, node: Node, loc: Loc) -> list[SdkCall]:  # noqa: C901
    obj = node.child_by_field_name("object")
    if obj is None:
        return []
    base = unit.binding(obj)
    if base is None:
        return []
    method = _text(node.child_by_field_name("name"))
    args = _args(node)
    conf = base.confidence
    if base.kind == "client":
        if method in _NOT_CALLS:
            return []
        op = (_S3_EXTRA.get(method) if base.service == "s3" else None) or _ops_by_lower(base.service).get(
            method.removesuffix("Paginator").lower()
        )
        return [SdkCall(base.service, op, loc, unit.resource(args), conf)] if op else []
    if base.kind == "waiter" and method.startswith("waitUntil"):
        op = waiters(base.service).get(xform(method.removeprefix("waitUntil")))
        return [SdkCall(base.service, op, loc, unit.resource(args), "medium")] if op else []
    if base.kind == "table" and method in _TABLE_OPS:
        return [SdkCall("dynamodb", _TABLE_OPS[method], loc, unit.value(base.ident), conf)]
    if base.kind == "enhanced" and method in _ENHANCED_OPS:
        return [SdkCall("dynamodb", _ENHANCED_OPS[method], loc, None, conf)]
    if base.kind == "mapper" and method in _MAPPER_OPS:
        ops = ("PutItem",) if method == "save" and unit.clobber else _MAPPER_OPS[method]
        override = unit.value(unit.table_override) if unit.table_override is not None else None
        table = override or (_item_table(unit, args[0]) if args else None)
        return [SdkCall("dynamodb", op, loc, table, conf) for op in ops]
    if base.kind == "presigner" and method.startswith("presign"):
        # a presigned URL runs the operation later, with the signer's role: it needs the permission
        op = _ops_by_lower("s3").get(method.removeprefix("presign").lower())
        return [SdkCall("s3", op, loc, unit.resource(args), "medium")] if op else []
    if base.kind == "transfer" and method in _TRANSFER_OPS:
        res = unit.resource(args)
        return [SdkCall("s3", op, loc, res, conf) for op in _TRANSFER_OPS[method]]
    return []


def _is_table_override(n: Node) -> bool:
    """`TableNameOverride.withTableNameReplacement(name)` / `new TableNameOverride(name)`."""
    if n.type == "method_invocation":
        return _text(n.child_by_field_name("name")) == "withTableNameReplacement"
    return n.type == "object_creation_expression" and _simple_type(n.child_by_field_name("type")).endswith(
        "TableNameOverride"
    )


def _item_table(unit: Unit, arg: Node) -> str | None:
    """The table of a DynamoDBMapper item: its class (`Order.class`, `new Order()`, a typed variable)'s annotation."""
    if arg.type == "class_literal":
        cls = _simple_type(arg.named_children[0]) if arg.named_children else ""
    elif arg.type == "object_creation_expression":
        cls = _simple_type(arg.child_by_field_name("type"))
    elif arg.type == "identifier":
        cls = next((typ for typ, _ in unit.decls.get(_text(arg), ()) if typ), "")
    else:
        return None
    return unit.tables.get(cls.rsplit(".", 1)[-1])
