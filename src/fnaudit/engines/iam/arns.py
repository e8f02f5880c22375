"""Resource ARNs: resolving what a statement names to an ARN pattern, and matching patterns.

Statements keep resources as written (`!GetAtt Orders.Arn`, `!Sub arn:${AWS::Partition}:s3:::${Bucket}/*`,
`arn:aws:dynamodb:eu-west-1:123456789012:table/orders`). `resolve` turns the app's own references
into ARNs built from the resource's type and name (its `TableName`/`BucketName`/… when literal,
else its logical id), with `*` for the region and account, so that grants can be compared with
each other and with the app's functions and roles. Template variables that are not app resources
(`${tableName}` of a SAM policy template, `${param}`) stay as written: they name one resource, not
every resource.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fnmatch import fnmatchcase
from functools import lru_cache

from fnaudit.model.app import App, Resource

# type → (ARN template with {name}, name property)
_ARN_OF: dict[str, tuple[str, str]] = {
    "AWS::DynamoDB::Table": ("arn:aws:dynamodb:*:*:table/{name}", "TableName"),
    "AWS::DynamoDB::GlobalTable": ("arn:aws:dynamodb:*:*:table/{name}", "TableName"),
    "AWS::S3::Bucket": ("arn:aws:s3:::{name}", "BucketName"),
    "AWS::SQS::Queue": ("arn:aws:sqs:*:*:{name}", "QueueName"),
    "AWS::SNS::Topic": ("arn:aws:sns:*:*:{name}", "TopicName"),
    "AWS::Lambda::Function": ("arn:aws:lambda:*:*:function:{name}", "FunctionName"),
    "AWS::Serverless::Function": ("arn:aws:lambda:*:*:function:{name}", "FunctionName"),
    "AWS::IAM::Role": ("arn:aws:iam::*:role/{name}", "RoleName"),
    "AWS::IAM::User": ("arn:aws:iam::*:user/{name}", "UserName"),
    "AWS::IAM::ManagedPolicy": ("arn:aws:iam::*:policy/{name}", "ManagedPolicyName"),
    "AWS::SecretsManager::Secret": ("arn:aws:secretsmanager:*:*:secret:{name}-*", "Name"),
    "AWS::SSM::Parameter": ("arn:aws:ssm:*:*:parameter/{name}", "Name"),
    "AWS::KMS::Key": ("arn:aws:kms:*:*:key/{name}", ""),
    "AWS::Kinesis::Stream": ("arn:aws:kinesis:*:*:stream/{name}", "Name"),
    "AWS::StepFunctions::StateMachine": ("arn:aws:states:*:*:stateMachine:{name}", "StateMachineName"),
    "AWS::Logs::LogGroup": ("arn:aws:logs:*:*:log-group:{name}", "LogGroupName"),
    "AWS::Events::EventBus": ("arn:aws:events:*:*:event-bus/{name}", "Name"),
    "AWS::ECR::Repository": ("arn:aws:ecr:*:*:repository/{name}", "RepositoryName"),
}
_PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::Region": "*",
    "AWS::AccountId": "*",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "*",
}
_SUB_VAR = re.compile(r"\$\{([^}!]+)\}")
_GETATT = re.compile(r"^!GetAtt\s+(\S+)$")
_REF = re.compile(r"^!Ref\s+(\S+)$")


def _split_getatt(text: str, resources: Mapping[str, Resource]) -> tuple[str, str]:
    """`Orders.Arn` → (`Orders`, `Arn`). Logical ids of a Terraform app are addresses with dots
    (`aws_dynamodb_table.orders`): the longest prefix that names a resource is the id."""
    parts = text.split(".")
    for i in range(len(parts) - 1, 0, -1):
        lid = ".".join(parts[:i])
        if lid in resources:
            return lid, ".".join(parts[i:])
    lid, _, attr = text.partition(".")
    return lid, attr


def name_of(res: Resource) -> str:
    prop = _ARN_OF.get(res.type, ("", ""))[1]
    value = res.properties.get(prop) if prop else None
    return value if isinstance(value, str) and value else res.logical_id


def arn_of(res: Resource) -> str | None:
    spec = _ARN_OF.get(res.type)
    return spec[0].format(name=name_of(res)) if spec else None


def resolve(text: str, resources: Mapping[str, Resource]) -> tuple[str, str | None]:
    """(ARN pattern, logical id of the app resource it names or None)."""
    t = text.strip()
    if t == "*":
        return "*", None
    m = _GETATT.match(t)
    lid = _split_getatt(m.group(1), resources)[0] if m else None
    if lid is not None and lid in resources:
        res = resources[lid]
        return (arn_of(res) or t), res.logical_id
    m = _REF.match(t)
    if m:
        if m.group(1) in _PSEUDO:
            return _PSEUDO[m.group(1)], None
        if m.group(1) in resources:
            res = resources[m.group(1)]
            return (arn_of(res) or t), res.logical_id
        return t, None
    if t.startswith("!Sub "):
        ref: list[str] = []

        def sub(mv: re.Match[str]) -> str:
            var = mv.group(1).strip()
            if var in _PSEUDO:
                return _PSEUDO[var]
            lid, attr = _split_getatt(var, resources)
            res = resources.get(lid)
            if res is None:
                return mv.group(0)
            ref.append(lid)
            if attr == "Arn":
                return arn_of(res) or mv.group(0)
            return name_of(res)

        return _SUB_VAR.sub(sub, t[5:].strip()), (ref[0] if ref else None)
    return t, None


@lru_cache(maxsize=65536)  # pure (two strings in, a bool out): safe to share between scans and threads
def covers(pattern: str, resource: str) -> bool:
    """Whether an IAM resource pattern covers a resource (or a narrower pattern). Case-sensitive, as ARNs."""
    if pattern == "*" or pattern == resource:
        return True
    if resource == "*":
        return False
    return fnmatchcase(resource, pattern)


def intersect(a: str, b: str) -> str | None:
    """The narrower of two patterns when one covers the other, else None (treated as disjoint)."""
    if covers(a, b):
        return b
    if covers(b, a):
        return a
    return None


# The resource part (after `arn:partition:service:region:account:`) that means every resource of the
# service: `*`, or a resource type followed by `*`. For S3, `bucket/*` is one bucket's objects.
_ANY_PART = re.compile(
    r"^\*$|^(table|function|role|user|group|policy|secret|parameter|key|alias|log-group|stream|queue|layer|instance"
    r"|stateMachine|rule|event-bus|repository|cluster|topic|project|pipeline|notebook-instance|task-definition)[:/]\*$"
)


@lru_cache(maxsize=65536)  # pure: safe to share between scans and threads
def is_everything(resource: str) -> bool:
    """`*`, or an ARN that names every resource of its service (`arn:aws:s3:::*`, `table/*`, `function:*`)."""
    r = resource.strip()
    if r == "*":
        return True
    parts = r.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    service, rest = parts[2], parts[5]
    if service in ("*", ""):
        return True
    if service == "s3":
        return rest == "*"
    if service == "sqs" or service == "sns":
        return rest == "*"
    return bool(_ANY_PART.match(rest))


# the `:` before a `:version` / `:alias` qualifier, not the one inside a variable left as written (`${sls:stage}`)
_QUALIFIER = re.compile(r":(?![^{]*\})")


def function_matches(pattern: str, fn_names: tuple[str, ...]) -> bool:
    """Whether a Lambda resource pattern designates a function known by any of these names (its
    logical name, its deployed name). Serverless deploys `<service>-<stage>-<name>`, so a name
    ending with `-<name>` matches too."""
    if pattern == "*":
        return True
    if ":function:" not in pattern and not pattern.startswith("arn:aws:lambda"):
        return False
    tail = pattern.split(":function:", 1)[1] if ":function:" in pattern else "*"
    tail = _QUALIFIER.split(tail, maxsplit=1)[0]  # drop a version / alias qualifier
    for name in fn_names:
        if fnmatchcase(name, tail) or (tail.endswith("-" + name)) or fnmatchcase(name, tail.rsplit("-", 1)[-1]):
            return True
    return False


def role_matches(pattern: str, role_names: tuple[str, ...]) -> bool:
    if pattern == "*":
        return True
    if ":role/" not in pattern:
        return pattern in ("arn:aws:iam::*:*", "arn:aws:iam::*:role*")
    tail = pattern.split(":role/", 1)[1]
    last = tail.rsplit("/", 1)[-1]
    return any(fnmatchcase(n, tail) or fnmatchcase(n, last) or tail.endswith("-" + n) for n in role_names)


def app_function_names(app: App) -> dict[str, tuple[str, ...]]:
    """function name → the names a resource pattern may use for it."""
    out: dict[str, tuple[str, ...]] = {}
    for fn in app.functions:
        names = {fn.name}
        res = app.resources.get(fn.name)
        if res is not None:
            names.add(name_of(res))
        out[fn.name] = tuple(sorted(names))
    return out
