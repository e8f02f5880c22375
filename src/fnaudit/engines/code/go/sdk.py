"""AWS SDK for Go calls (v1 `aws-sdk-go` and v2 `aws-sdk-go-v2`) a function's code can make, for the IAM engine.

- Clients: `s3.NewFromConfig(cfg)` / `s3.New(opts)` (v2), `s3.New(sess)` (v1), and anything typed as one
  (`*s3.Client`, `*s3.S3`, `s3iface.S3API`: a parameter, a struct field, a package var). The service is the
  import *path* (`.../service/<svc>`), so a renamed import still counts; the Go package name maps to the
  botocore service name (`sfn` → `stepfunctions`, `eventbridge` → `events`).
- Methods are operations (`PutObject`); v1's `WithContext`, `Request` and `Pages` suffixes are stripped and
  `WaitUntilX` is the waiter X's operation. v2 paginators (`s3.NewListObjectsV2Paginator(c, in)`) and waiters
  (`s3.NewObjectExistsWaiter(c)`) name theirs; presign clients' `PresignGetObject` is `GetObject`.
- S3 transfer managers (`manager.NewUploader`, `s3manager.NewUploader[WithClient]`): `Upload` → `PutObject` and
  the multipart operations, `Download` → `GetObject`.
- The resource: the input struct's first resource field (`Bucket`, `TableName`, `QueueUrl`…, in the order the
  other languages use) when it is a literal, `aws.String(...)` of one, a package constant, or an environment
  lookup (`os.Getenv("T")`, `os.LookupEnv`) resolved through the function's environment (the IaC).

Bindings are flow-insensitive over the whole package, keyed by the variable's or field's name (a client made
in `main()` and stored in `h.s3` is used in the handler as `h.s3`): what real handlers do. Only `main`, `init`
and package-variable initialisers run on their own; an SDK call in a function none of them reaches through
calls by name (methods: by name, any receiver) is reported with reachable=False (in a package without
`main`, which the handler's package imports, every call counts as reachable). A call on a receiver of unknown
type whose argument is the operation's own input struct (`api.GetObject(ctx, &s3.GetObjectInput{…})`, an
interface of the application's) is kept with medium confidence.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from tree_sitter import Node

from fnaudit.engines.code.awsmodel import operations, waiters, xform
from fnaudit.engines.code.go.parse import GoTree, text
from fnaudit.engines.code.taint.resources import RESOURCE_PARAMETERS, env_resource
from fnaudit.model.code import SdkCall
from fnaudit.model.loc import Loc, Value

_V1 = "github.com/aws/aws-sdk-go/"
_V2 = "github.com/aws/aws-sdk-go-v2/"
# Go package name → botocore service name, where they differ (the rest are equal)
_SERVICES = {
    "eventbridge": "events",
    "cloudwatchevents": "events",
    "sfn": "stepfunctions",
    "cloudwatchlogs": "logs",
    "cognitoidentityprovider": "cognito-idp",
    "cognitoidentity": "cognito-identity",
    "bedrockruntime": "bedrock-runtime",
    "bedrockagentruntime": "bedrock-agent-runtime",
    "iotdataplane": "iot-data",
    "rdsdata": "rds-data",
    "rdsdataservice": "rds-data",
    "elasticloadbalancingv2": "elbv2",
    "applicationautoscaling": "application-autoscaling",
    "sagemakerruntime": "sagemaker-runtime",
    "kinesisvideo": "kinesisvideo",
    "configservice": "config",
    "databasemigrationservice": "dms",
    "appconfigdata": "appconfigdata",
}
MULTIPART = ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload")
_ENV_LOOKUPS = frozenset({"os.Getenv", "os.LookupEnv"})
_STRING_HELPERS = frozenset({"aws.String", "aws.StringValue", "aws.ToString"})  # same in v1 and v2
T = TypeVar("T")


@cache
def _unhyphenated() -> dict[str, str]:
    """botocore's service names without their hyphens (`timestreamwrite` → `timestream-write`): how the Go SDK
    names most packages."""
    from botocore.loaders import create_loader

    return {name.replace("-", ""): name for name in create_loader().list_available_services("service-2")}


@cache
def service_of(package: str) -> str | None:
    """A Go service package name (`s3`, `sfn`) → botocore service name, None when botocore does not know it."""
    for name in (_SERVICES.get(package), package, _unhyphenated().get(package)):
        if name and operations(name):
            return name
    return None


@cache
def _ops_by_lower(service: str) -> dict[str, str]:
    return {op.lower(): op for op in operations(service).values()}


def operation(service: str, method: str) -> str | None:
    return _ops_by_lower(service).get(method.lower())


@dataclass(frozen=True, slots=True)
class _Import:
    kind: str  # "service" (client package), "iface", "s3manager" (v1 transfer), "manager" (v2 transfer)
    package: str  # the Go package name of the service: `s3`, `sfn`


def _classify(path: str) -> _Import | None:
    """What an import path of the AWS SDK provides (None: not a package whose calls are SDK calls)."""
    for prefix in (_V1, _V2):
        if not path.startswith(prefix):
            continue
        parts = path[len(prefix) :].split("/")
        if parts[0] == "service" and len(parts) == 2:
            return _Import("service", parts[1])
        if parts[0] == "service" and len(parts) == 3 and parts[2] == parts[1] + "iface":
            return _Import("iface", parts[1])
        if parts[0] == "service" and parts[1:] == ["s3", "s3manager"]:
            return _Import("s3manager", "s3")
        if parts == ["feature", "s3", "manager"]:
            return _Import("manager", "s3")
    return None


def _file_imports(tree: GoTree) -> dict[str, _Import]:
    """Local package name → what it is, for the SDK imports of one file."""
    out: dict[str, _Import] = {}
    specs = (s for d in tree.root.named_children if d.type == "import_declaration" for s in _nodes(d, "import_spec"))
    for spec in specs:
        path = text(spec.child_by_field_name("path")).strip('"`')
        found = _classify(path)
        if found is None:
            continue
        alias = text(spec.child_by_field_name("name")) or path.rsplit("/", 1)[-1]
        if alias not in ("_", "."):
            out[alias] = found
    return out


# The node types the module reads in a top-level declaration, gathered in one walk of it (`_index`).
_INDEXED = frozenset(
    {
        "short_var_declaration",
        "assignment_statement",
        "var_spec",
        "const_spec",
        "keyed_element",
        "parameter_declaration",
        "variadic_parameter_declaration",
        "field_declaration",
        "range_clause",
        "call_expression",
        "identifier",
        "field_identifier",
    }
)
Index = dict[str, list[Node]]


def _index(root: Node) -> Index:
    """Every node of the `_INDEXED` types under `root`, by type (one cursor walk: a large package is walked
    once, not once per question)."""
    out: Index = {}
    cursor = root.walk()
    while True:
        node = cursor.node
        if node is not None and node.type in _INDEXED:
            out.setdefault(node.type, []).append(node)
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return out


def _of(index: Index, *types: str) -> Iterator[Node]:
    for t in types:
        yield from index.get(t, ())


def _nodes(root: Node, *types: str) -> Iterator[Node]:
    todo = [root]
    while todo:
        n = todo.pop()
        if n.type in types:
            yield n
        todo.extend(reversed(n.named_children))


def _key(node: Node | None) -> str | None:
    """The name a binding is kept under: a variable, or the last field of a selector (`h.s3` → `s3`)."""
    if node is None:
        return None
    if node.type in ("identifier", "field_identifier"):
        return text(node)
    if node.type == "selector_expression":
        return text(node.child_by_field_name("field"))
    if node.type in ("unary_expression", "parenthesized_expression") and node.named_children:
        return _key(node.named_children[-1])
    return None


# A binding: ("client", service) ("presign", service) ("uploader",) ("downloader",) ("waiter", service, operation)
Binding = tuple[str, ...]
# Where a name is bound: a top-level function (file, start byte) for its locals, None for package vars and fields
Scope = tuple[str, int] | None
_ASSIGNS = ("short_var_declaration", "assignment_statement", "var_spec", "const_spec", "keyed_element")
_TYPED = ("parameter_declaration", "field_declaration", "var_spec")


class PackageSdk:
    """The SDK clients and the string values of one Go package's names (flow-insensitive, but a function's
    locals apart from each other's: `c := s3.New…` in one function, `c := dynamodb.New…` in another)."""

    def __init__(self, trees: Sequence[tuple[str, GoTree]]) -> None:
        self.trees = trees
        self.imports = {rel: _file_imports(tree) for rel, tree in trees}
        self.bindings: dict[tuple[Scope, str], Binding] = {}
        # a name's only assigned value, with the scope its own names are looked up in (None: several values)
        self.values: dict[tuple[Scope, str], tuple[Scope, Node] | None] = {}
        self.locals: dict[Scope, set[str]] = {}
        self.makers: dict[str, Binding] = {}  # package function → the client it returns
        self.clashes: set[tuple[Scope, str]] = set()
        self.index: dict[tuple[str, int], Index] = {}  # top-level declaration → its nodes by type
        assigns: list[tuple[str, Scope, str, Scope, Node]] = []  # (file, target's scope, key, value's scope, value)
        for rel, tree in trees:
            imports = self.imports[rel]
            for decl in tree.root.named_children:
                is_func = decl.type in ("function_declaration", "method_declaration")
                scope: Scope = (rel, decl.start_byte) if is_func else None
                index = self.index[(rel, decl.start_byte)] = _index(decl)
                local = self.locals[scope] = _locals(index) if is_func else set()
                made = _result_binding(decl, imports) if decl.type == "function_declaration" else None
                if made is not None:  # `func newClient() *s3.Client`: what its calls return
                    self.makers[text(decl.child_by_field_name("name"))] = made
                for n in _of(index, *dict.fromkeys((*_ASSIGNS, *_TYPED))):
                    for target, value in _pairs(n):
                        key = _key(target)
                        if not key or key == "_":
                            continue
                        where = scope if target.type == "identifier" and key in local else None
                        assigns.append((rel, where, key, scope, value))
                        self._value((where, key), scope, value)
                    typed = n.child_by_field_name("type") if n.type in _TYPED else None
                    b = _typed(typed, imports) if typed is not None and imports else None
                    if b is not None:
                        where = scope if n.type != "field_declaration" else None
                        for name in n.children_by_field_name("name"):
                            self._bind((where, text(name)), b)
        for _ in range(2):  # chains: c := s3.NewFromConfig(cfg); u := manager.NewUploader(c)
            for rel, where, key, in_scope, value in assigns:
                found = self.binding(rel, in_scope, value)
                if found is not None:
                    self._bind((where, key), found)
        for at in self.clashes:  # two clients under one name (`A.client` of S3, `B.client` of DynamoDB): neither
            self.bindings.pop(at, None)

    def _bind(self, at: tuple[Scope, str], b: Binding) -> None:
        if self.bindings.setdefault(at, b) != b:
            self.clashes.add(at)

    def _value(self, at: tuple[Scope, str], scope: Scope, value: Node) -> None:
        if at not in self.values:
            self.values[at] = (scope, value)
        elif (seen := self.values[at]) is not None and text(seen[1]) != text(value):
            self.values[at] = None

    def _lookup(self, table: Mapping[tuple[Scope, str], T], scope: Scope, node: Node) -> T | None:
        """What a name holds: a local of the function (which hides the package's name), else the package's;
        a field (`h.x`) by its name."""
        key = _key(node)
        if key is None:
            return None
        if node.type == "identifier" and scope is not None and key in self.locals.get(scope, ()):
            return table.get((scope, key))
        return table.get((None, key))

    def binding(self, rel: str, scope: Scope, node: Node) -> Binding | None:
        node = _strip(node)
        if node.type in ("identifier", "selector_expression"):
            return self._lookup(self.bindings, scope, node)
        if node.type != "call_expression":
            return None
        fn = node.child_by_field_name("function")
        if fn is not None and fn.type == "identifier":
            return self.makers.get(text(fn))
        if fn is None or fn.type != "selector_expression":
            return None
        operand = fn.child_by_field_name("operand")
        imp = self.imports.get(rel, {}).get(text(operand)) if operand is not None else None
        method = text(fn.child_by_field_name("field"))
        if imp is None:
            return None
        if imp.kind == "service":
            svc = service_of(imp.package) or imp.package
            if method in ("New", "NewFromConfig"):
                return ("client", svc)
            if method == "NewPresignClient":
                return ("presign", svc)
            if method.startswith("New") and method.endswith("Waiter"):
                op = waiters(svc).get(xform(method[3 : -len("Waiter")]))
                return ("waiter", svc, op) if op else None
        if imp.kind in ("manager", "s3manager"):
            if method.startswith("NewUploader"):
                return ("uploader",)
            if method.startswith("NewDownloader"):
                return ("downloader",)
        return None

    def resolve(self, scope: Scope, node: Node | None, env: Mapping[str, Value[str]], depth: int = 0) -> str | None:
        """The resource a value names: a literal, a name assigned one, or an environment variable."""
        if node is None or depth > 4:
            return None
        node = _strip(node)
        if node.type in ("interpreted_string_literal", "raw_string_literal"):
            return text(node)[1:-1]
        if node.type == "call_expression":
            name = text(node.child_by_field_name("function"))
            args = _args(node)
            if name in _ENV_LOOKUPS and args:
                var = self.resolve(scope, args[0], {}, depth + 1)
                return env_resource(var, env) if var and not var.startswith("${") else None
            if name in _STRING_HELPERS and args:
                return self.resolve(scope, args[0], env, depth + 1)
            return None
        if node.type not in ("identifier", "selector_expression"):
            return None
        found = self._lookup(self.values, scope, node)
        return self.resolve(found[0], found[1], env, depth + 1) if found is not None else None

    def input_struct(self, scope: Scope, node: Node | None, depth: int = 0) -> tuple[Scope, Node] | None:
        """The composite literal an argument is (`&s3.PutObjectInput{...}`, or a name assigned one)."""
        if node is None or depth > 3:
            return None
        node = _strip(node)
        if node.type == "composite_literal":
            return scope, node
        if node.type not in ("identifier", "selector_expression"):
            return None
        found = self._lookup(self.values, scope, node)
        return self.input_struct(found[0], found[1], depth + 1) if found is not None else None

    def resource(self, scope: Scope, args: Sequence[Node], env: Mapping[str, Value[str]]) -> str | None:
        """The first resource field of the call's input struct (`Bucket:`, `TableName:`…)."""
        for a in args:
            found = self.input_struct(scope, a)
            if found is None:
                continue
            fields = _fields(found[1])
            for name in RESOURCE_PARAMETERS:
                if name in fields:
                    return self.resolve(found[0], fields[name], env)
            return None
        return None


def _strip(node: Node) -> Node:
    """`&x`, `*x`, `(x)` → x."""
    while node.type in ("unary_expression", "parenthesized_expression") and node.named_children:
        if node.type == "unary_expression" and text(node.child_by_field_name("operator")) not in ("&", "*"):
            break
        node = node.named_children[-1]
    return node


def _args(call: Node) -> list[Node]:
    a = call.child_by_field_name("arguments")
    return [c for c in a.named_children if c.type != "comment"] if a is not None else []


def _fields(lit: Node) -> dict[str, Node]:
    body = lit.child_by_field_name("body")
    out: dict[str, Node] = {}
    for el in body.named_children if body is not None else ():
        if el.type != "keyed_element":
            continue
        k, v = el.child_by_field_name("key"), el.child_by_field_name("value")
        if k is not None and v is not None:
            k = k.named_children[0] if k.type == "literal_element" and k.named_children else k
            v = v.named_children[0] if v.type == "literal_element" and v.named_children else v
            out[text(k)] = v
    return out


def _pairs(n: Node) -> list[tuple[Node, Node]]:
    """(target, value) of an assignment, a var/const spec or a keyed element (`Handler{s3: c}`)."""
    if n.type == "keyed_element":
        k, v = n.child_by_field_name("key"), n.child_by_field_name("value")
        if k is None or v is None:
            return []
        k = k.named_children[0] if k.type == "literal_element" and k.named_children else k
        v = v.named_children[0] if v.type == "literal_element" and v.named_children else v
        return [(k, v)] if k.type == "identifier" else []
    if n.type in ("var_spec", "const_spec"):
        names = n.children_by_field_name("name")
        value = n.child_by_field_name("value")
        vals = value.named_children if value is not None else []
    elif n.type in ("short_var_declaration", "assignment_statement"):
        left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
        if left is None or right is None or text(n.child_by_field_name("operator")) not in ("", "=", ":="):
            return []
        names, vals = left.named_children, right.named_children
    else:
        return []
    out = []
    for i, name in enumerate(names):
        # `v, ok := os.LookupEnv("T")`: one call, several results; the first is the value
        v = vals[i] if len(vals) == len(names) else (vals[0] if i == 0 and vals else None)
        if v is not None:
            out.append((name, v))
    return out


def _locals(index: Index) -> set[str]:
    """The names a function declares: parameters (and the receiver), `:=`, `var`, `range` variables."""
    out: set[str] = set()
    for n in _of(index, "parameter_declaration", "variadic_parameter_declaration", "var_spec", "const_spec"):
        out.update(text(x) for x in n.children_by_field_name("name"))
    for n in _of(index, "short_var_declaration", "range_clause"):
        left = n.child_by_field_name("left")
        out.update(text(x) for x in (left.named_children if left is not None else ()) if x.type == "identifier")
    return out


def _typed(type_node: Node, imports: Mapping[str, _Import]) -> Binding | None:
    """A client type: `*s3.Client` (v2), `*s3.S3` (v1), `s3iface.S3API`."""
    t = type_node
    while t.type == "pointer_type" and t.named_children:
        t = t.named_children[0]
    if t.type != "qualified_type":
        return None
    imp = imports.get(text(t.child_by_field_name("package")))
    name = text(t.child_by_field_name("name"))
    if imp is None:
        return None
    svc = service_of(imp.package) or imp.package
    if imp.kind == "service" and (name == "Client" or name.lower() == imp.package.lower()):
        return ("client", svc)
    if imp.kind == "iface" and name.endswith("API"):
        return ("client", svc)
    if imp.kind in ("manager", "s3manager") and name in ("Uploader", "Downloader"):
        return ("uploader",) if name == "Uploader" else ("downloader",)
    return None


def _result_binding(func: Node, imports: Mapping[str, _Import]) -> Binding | None:
    """The client a function returns, by its (first) result type."""
    result = func.child_by_field_name("result")
    if result is not None and result.type == "parameter_list":
        first = result.named_children[0] if result.named_children else None
        result = first.child_by_field_name("type") if first is not None else None
    return _typed(result, imports) if result is not None and imports else None


def _strip_v1(method: str) -> tuple[str, bool]:
    """v1's variants of an operation's method → the operation's name, and whether it is a waiter."""
    if method.endswith("WithContext"):
        method = method[: -len("WithContext")]
    if method.startswith("WaitUntil"):
        return method[len("WaitUntil") :], True
    for suffix in ("Pages", "Request"):
        if method.endswith(suffix):
            return method[: -len(suffix)], False
    return method, False


def _calls(  # noqa: C901
    ps: PackageSdk, rel: str, scope: Scope, node: Node, env: Mapping[str, Value[str]]
) -> list[SdkCall]:
    fn = node.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return []
    loc = Loc(rel, node.start_point[0] + 1)
    args = _args(node)
    method = text(fn.child_by_field_name("field"))
    operand = fn.child_by_field_name("operand")
    if operand is None:
        return []
    imp = ps.imports.get(rel, {}).get(text(operand))
    if imp is not None:  # a package function: only v2 paginators are calls
        if imp.kind == "service" and method.startswith("New") and method.endswith("Paginator"):
            svc = service_of(imp.package)
            op = operation(svc, method[3 : -len("Paginator")]) if svc else None
            return [SdkCall(svc, op, loc, ps.resource(scope, args[1:], env))] if svc and op else []
        return []
    b = ps.binding(rel, scope, operand)
    if b is None:
        return _by_input_type(ps, rel, scope, method, args, loc, env)
    kind = b[0]
    if kind == "client":
        svc = b[1]
        if not operations(svc):  # an SDK package botocore does not know: the call is kept, unsure
            return [SdkCall(svc, method, loc, ps.resource(scope, args, env), "low")] if method[:1].isupper() else []
        name, waiter = _strip_v1(method)
        if waiter:
            op = waiters(svc).get(xform(name))
            return [SdkCall(svc, op, loc, ps.resource(scope, args, env), "medium")] if op else []
        op = operation(svc, method) or operation(svc, name)
        if op is None:  # not this service's: a name bound to another client too may be what the input names
            return _by_input_type(ps, rel, scope, method, args, loc, env)
        return [SdkCall(svc, op, loc, ps.resource(scope, args, env))]
    if kind == "presign" and method.startswith("Presign"):
        op = operation(b[1], method[len("Presign") :])
        return [SdkCall(b[1], op, loc, ps.resource(scope, args, env), "medium")] if op else []
    if kind == "waiter" and method.startswith("Wait"):
        return [SdkCall(b[1], b[2], loc, ps.resource(scope, args, env), "medium")]
    if kind == "uploader" and method.startswith("Upload"):
        res = ps.resource(scope, args, env)
        return [SdkCall("s3", op, loc, res) for op in MULTIPART]
    if kind == "downloader" and method.startswith("Download"):
        return [SdkCall("s3", "GetObject", loc, ps.resource(scope, args, env))]
    return []


def _by_input_type(
    ps: PackageSdk, rel: str, scope: Scope, method: str, args: Sequence[Node], loc: Loc, env: Mapping[str, Value[str]]
) -> list[SdkCall]:
    """A call on a receiver of unknown type (an interface of the application's own, a client handed over
    by another package) whose argument is the operation's input struct: `c.GetObject(ctx, &s3.GetObjectInput{…})`.
    The input type names the operation; medium confidence, since the receiver may be a wrapper."""
    name, _ = _strip_v1(method)
    for a in args:
        found = ps.input_struct(scope, a)
        t = found[1].child_by_field_name("type") if found is not None else None
        if t is None or t.type != "qualified_type":
            continue
        imp = ps.imports.get(rel, {}).get(text(t.child_by_field_name("package")))
        svc = service_of(imp.package) if imp is not None and imp.kind == "service" else None
        if svc is not None and text(t.child_by_field_name("name")) in (method + "Input", name + "Input"):
            op = operation(svc, name)
            return [SdkCall(svc, op, loc, ps.resource(scope, args, env), "medium")] if op else []
    return []


def _reached(trees: Sequence[tuple[str, GoTree]], index: Mapping[tuple[str, int], Index]) -> set[tuple[str, int]]:
    """(file, start byte) of the top-level functions that run: `main`, every `init`, what package-variable
    initialisers call, and what those call by name."""
    decls: dict[str, list[tuple[str, Node]]] = {}
    roots: list[tuple[str, Node]] = []
    for rel, tree in trees:
        for d in tree.root.named_children:
            if d.type in ("function_declaration", "method_declaration"):
                name = text(d.child_by_field_name("name"))
                decls.setdefault(name, []).append((rel, d))
                if name in ("main", "init") and d.type == "function_declaration":
                    roots.append((rel, d))
            elif d.type == "var_declaration":
                roots.append((rel, d))
    seen: set[tuple[str, int]] = set()
    todo = list(roots)
    while todo:
        rel, d = todo.pop()
        if (rel, d.start_byte) in seen:
            continue
        seen.add((rel, d.start_byte))
        # any use of a package function's name reaches it: a call, a callback (`ListObjectsV2Pages(in, page)`),
        # a method value (`lambda.Start(h.Handle)`)
        for n in _of(index[(rel, d.start_byte)], "identifier", "field_identifier"):
            todo.extend(decls.get(text(n), ()))
    return seen


def extract(trees: Sequence[tuple[str, GoTree]], environment: Mapping[str, Value[str]]) -> tuple[SdkCall, ...]:
    """Every AWS SDK call of the package's files, with its operation and (when known) the resource it names."""
    if not any(_file_imports(tree) for _, tree in trees):
        return ()
    ps = PackageSdk(trees)
    reached = _reached(trees, ps.index)
    # a package without `main` is one the handler's package imports: which of its functions the handler
    # calls is not worked out here, so all of them count as reachable
    library = not any(
        d.type == "function_declaration" and text(d.child_by_field_name("name")) == "main"
        for _, tree in trees
        for d in tree.root.named_children
    )
    out: dict[tuple[str, str, str, int, str | None], SdkCall] = {}
    for rel, tree in trees:
        for decl in tree.root.named_children:
            is_func = decl.type in ("function_declaration", "method_declaration")
            runs = library or not is_func or (rel, decl.start_byte) in reached
            scope: Scope = (rel, decl.start_byte) if is_func else None
            for node in _of(ps.index[(rel, decl.start_byte)], "call_expression"):
                for c in _calls(ps, rel, scope, node, environment):
                    call = c if runs else SdkCall(c.service, c.operation, c.loc, c.resource, c.confidence, False)
                    out.setdefault((call.service, call.operation, call.loc.path, call.loc.line, call.resource), call)
    return tuple(sorted(out.values(), key=lambda c: (c.loc.path, c.loc.line, c.service, c.operation)))
