"""Who can reach an S3 bucket of the app: public ACLs, bucket policy statements for any principal, and the
public access block that may neutralise them, read from the resources as written (`App.resources`).

Pure reading of the template's values: nothing is resolved against AWS. Lines come from the loaders'
line-aware mappings (read by duck typing: rules never import loaders); a plain dict gives the resource line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from fnaudit.model.app import App, Function, Resource, TriggerKind
from fnaudit.model.code import SdkCall
from fnaudit.model.loc import Loc, line_in
from fnaudit.rules._per_app import PerApp

BUCKET = "AWS::S3::Bucket"
BUCKET_POLICY = "AWS::S3::BucketPolicy"

# Canned ACLs that open the bucket: AuthenticatedRead is "any AWS account", which is anyone who signs up.
PUBLIC_ACLS: Mapping[str, frozenset[str]] = {
    "PublicRead": frozenset({"read"}),
    "PublicReadWrite": frozenset({"read", "write"}),
    "AuthenticatedRead": frozenset({"read"}),
}

# What a statement allows, by the concrete actions that stand for each kind of access: an action
# pattern (`s3:Get*`, `s3:*`, `*`) grants the kind when it covers one of them.
ACCESS_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "read": ("s3:getobject", "s3:getobjectversion", "s3:listbucket", "s3:listbucketversions"),
    "write": ("s3:putobject", "s3:restoreobject"),
    "delete": ("s3:deleteobject", "s3:deleteobjectversion", "s3:deletebucket"),
    "permissions": (
        "s3:putbucketacl",
        "s3:putobjectacl",
        "s3:putbucketpolicy",
        "s3:deletebucketpolicy",
        "s3:putbucketpublicaccessblock",
    ),
}
VERBS = {"read": "read", "write": "write", "delete": "delete", "permissions": "change its ACL or policy"}

# Condition keys that narrow "anyone" to a network, an organisation, an account or a source resource.
# Keys such as aws:SecureTransport, aws:Referer (set by the caller) or s3:x-amz-acl restrict nothing.
_RESTRICTING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SourceVpce",
        "aws:SourceVpc",
        "aws:VpceAccount",
        "aws:SourceIp",
        "aws:VpcSourceIp",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:PrincipalServiceName",
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:userid",
        "aws:username",
        "s3:DataAccessPointAccount",
        "s3:DataAccessPointArn",
    )
)
# A negated operator on an Allow ("everyone except this VPC endpoint") or an `…IfExists` one (true when the
# request does not carry the key at all, as an anonymous one does not) lets strangers through.
_LOOSE_OPERATOR = re.compile(r"(?i)^(?:ForAnyValue:|ForAllValues:)?(?:\w*Not\w*|\w*IfExists|Null)$")

# The public access block flags and which grants each one neutralises.
ACL_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls")
POLICY_FLAGS = ("BlockPublicPolicy", "RestrictPublicBuckets")

WRITE_OPERATIONS = frozenset(
    {"PutObject", "CopyObject", "UploadPart", "CreateMultipartUpload", "CompleteMultipartUpload", "UploadFile"}
)


@dataclass(frozen=True, slots=True)
class Flag:
    name: str
    on: bool | None  # None: not a literal boolean (a parameter, a condition)
    loc: Loc


@dataclass(frozen=True, slots=True)
class Grant:
    """One public grant on a bucket: its canned ACL, or one bucket policy statement."""

    kind: str  # acl | policy
    access: frozenset[str]  # read | write | delete | permissions
    loc: Loc  # the line to change: the ACL line, or the statement's Principal line
    what: str  # "AccessControl: PublicRead", "statement 2 of BucketPolicy"
    flags: tuple[Flag, ...]  # the public access block flags that would neutralise it, as written


@dataclass(frozen=True, slots=True)
class Bucket:
    resource: Resource
    grants: tuple[Grant, ...]
    website: bool

    @property
    def id(self) -> str:
        return self.resource.logical_id


def buckets(app: App) -> tuple[Bucket, ...]:
    """Every bucket of the app, with the public grants nothing in the template neutralises (computed once per
    app: the attack-path rules ask once per function an S3 notification triggers)."""
    return _BUCKETS(app)


def _buckets_of(app: App) -> tuple[Bucket, ...]:
    return tuple(_each_bucket(app))


_BUCKETS = PerApp(_buckets_of)


def _each_bucket(app: App) -> Iterator[Bucket]:
    policies = [r for r in app.resources.values() if r.type == BUCKET_POLICY]
    for res in app.resources.values():
        if res.type != BUCKET:
            continue
        props = res.properties
        block = _mapping(props.get("PublicAccessBlockConfiguration"))
        flags = {name: _flag(block, name, res.loc) for name in (*ACL_FLAGS, *POLICY_FLAGS)}
        grants: list[Grant] = []
        acl = props.get("AccessControl")
        if isinstance(acl, str) and acl in PUBLIC_ACLS:
            grants.append(
                Grant(
                    "acl",
                    PUBLIC_ACLS[acl],
                    _loc(props, "AccessControl", res.loc),
                    f"AccessControl: {acl}",
                    tuple(flags[name] for name in ACL_FLAGS if name in block),
                )
            )
        for policy in policies:
            if _bucket_of(policy.properties.get("Bucket"), app) != res.logical_id:
                continue
            for index, st in enumerate(_statements(policy.properties.get("PolicyDocument")), 1):
                access = public_access(st)
                if access:
                    grants.append(
                        Grant(
                            "policy",
                            access,
                            _principal_loc(st, policy.loc),
                            f"statement {index} of {policy.logical_id}" + (f" ({st['Sid']})" if "Sid" in st else ""),
                            tuple(flags[name] for name in POLICY_FLAGS if name in block),
                        )
                    )
        live = tuple(g for g in grants if not any(f.on for f in g.flags))
        yield Bucket(res, live, "WebsiteConfiguration" in props)


def public_access(st: Mapping[str, Any]) -> frozenset[str]:
    """What an Allow statement for any principal lets strangers do ({} when it is not one, or is restricted)."""
    if str(st.get("Effect", "")) != "Allow" or not _any_principal(st.get("Principal")):
        return frozenset()
    if _restricted(st.get("Condition")):
        return frozenset()
    if "NotAction" in st:  # everything but the listed actions
        excluded = [str(a).lower() for a in _list(st.get("NotAction"))]
        return frozenset(kind for kind, acts in ACCESS_ACTIONS.items() if any(not _covered(a, excluded) for a in acts))
    patterns = [str(a).lower() for a in _list(st.get("Action")) if isinstance(a, str)]
    return frozenset(kind for kind, acts in ACCESS_ACTIONS.items() if any(_covered(a, patterns) for a in acts))


def triggered(app: App, bucket: Bucket) -> list[Function]:
    """Functions of the app an S3 notification of this bucket invokes."""
    return [
        fn
        for fn in app.functions
        if any(t.kind is TriggerKind.S3 and t.source and names_bucket(t.source, bucket, app) for t in fn.triggers)
    ]


def writes(app: App, bucket: Bucket) -> list[tuple[Function, SdkCall]]:
    """Functions whose code writes objects to this bucket, with the first such call (reachable ones only)."""
    out = []
    for fn in app.functions:
        call = next(
            (
                c
                for c in fn.sdk_calls
                if c.service == "s3"
                and c.operation in WRITE_OPERATIONS
                and c.reachable
                and c.resource
                and names_bucket(c.resource, bucket, app)
            ),
            None,
        )
        if call is not None:
            out.append((fn, call))
    return out


_REF_TEXT = re.compile(r"^!(?:Ref|GetAtt)\s+([A-Za-z0-9]+)")
_SUB_VAR = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}")


def names_bucket(text: str, bucket: Bucket, app: App) -> bool:
    """Whether a trigger source or SDK call resource (as the loaders and the code engine write them: a
    logical id, `!Ref X`, `!GetAtt X.Arn`, `!Sub …${X}…`, a bucket name or an ARN) names this bucket."""
    t = text.strip()
    lid = bucket.id
    m = _REF_TEXT.match(t)
    if m:
        return m.group(1) == lid
    if t.startswith("!Sub"):
        return lid in _SUB_VAR.findall(t)
    if t == lid:
        return True
    name = bucket.resource.properties.get("BucketName")
    if not isinstance(name, str) or not name:
        return False
    if t.startswith("arn:"):
        t = t.split(":::", 1)[-1].split("/", 1)[0]
    return t == name


def _bucket_of(value: object, app: App) -> str | None:
    """The logical id of the app bucket a policy's `Bucket` names (`!Ref X`, a name, a logical id)."""
    if isinstance(value, Mapping):
        ref = value.get("Ref")
        if isinstance(ref, str):
            return ref
        sub = value.get("Fn::Sub")
        if isinstance(sub, str):
            found = _SUB_VAR.findall(sub)
            return found[0] if found else None
        return None
    if isinstance(value, str):
        for res in app.resources.values():
            if res.type == BUCKET and (res.logical_id == value or res.properties.get("BucketName") == value):
                return res.logical_id
    return None


def _any_principal(p: object) -> bool:
    if p == "*":
        return True
    if isinstance(p, Mapping):
        return any(str(v).strip() == "*" for v in _list(p.get("AWS")))
    return False


def _restricted(condition: object) -> bool:
    """A Condition block that narrows who can use the statement (a network, organisation, account, source)."""
    if not isinstance(condition, Mapping):
        return False
    for operator, body in condition.items():
        if not isinstance(body, Mapping) or _LOOSE_OPERATOR.match(str(operator)):
            continue
        for key, values in body.items():
            if str(key).lower() in _RESTRICTING_KEYS and all(str(v).strip() not in ("*", "") for v in _list(values)):
                return True
    return False


def _covered(action: str, patterns: list[str]) -> bool:
    return any(fnmatchcase(action, p) for p in patterns)


def _flag(block: Mapping[str, Any], name: str, fallback: Loc) -> Flag:
    value = block.get(name)
    on: bool | None
    if isinstance(value, bool):
        on = value
    elif isinstance(value, str) and value.strip().lower() in ("true", "false"):
        on = value.strip().lower() == "true"
    else:
        on = None
    return Flag(name, on, _loc(block, name, fallback))


def _statements(doc: object) -> list[Mapping[str, Any]]:
    if isinstance(doc, Mapping):
        return [s for s in _list(doc.get("Statement")) if isinstance(s, Mapping)]
    return []


def _list(v: object) -> list[object]:
    return list(v) if isinstance(v, list | tuple) else [v] if v is not None else []


def _mapping(v: object) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}


def _loc(container: object, key: str, fallback: Loc) -> Loc:
    """The line of `container[key]` when the loader recorded it (line-aware mappings), else `fallback`."""
    line = line_in(container, key)
    return Loc(fallback.path, line) if line else fallback


def _principal_loc(st: Mapping[str, Any], fallback: Loc) -> Loc:
    """The line that says "anyone": `Principal: "*"`, or the `AWS: "*"` line of a nested principal."""
    at = _loc(st, "Principal", _own_loc(st, fallback))
    principal = st.get("Principal")
    return _loc(principal, "AWS", at) if isinstance(principal, Mapping) else at


def _own_loc(container: object, fallback: Loc) -> Loc:
    line = getattr(container, "line", 0)
    return Loc(fallback.path, line) if isinstance(line, int) and line > 0 else fallback
