"""The parts of a CloudFormation `Resources` block every dialect shares: resources, roles,
invoke permissions and log groups.

`read_resources(resources, rel, resolver) -> TemplateParts` is used by the CloudFormation and SAM
loaders on a whole template, and by the Serverless Framework loader on its `resources.Resources`
block. Lines come from the line-aware mappings of `_yaml` (plain dicts give line 0).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fnaudit.errors import Loss, ScanError
from fnaudit.loaders import _iam
from fnaudit.loaders._intrinsics import Resolver
from fnaudit.loaders._yaml import line_of
from fnaudit.model.app import InvokePermission, ManagedPolicy, Resource, Role, Statement
from fnaudit.model.loc import Loc

LAMBDA_FUNCTION = "AWS::Lambda::Function"
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[^:]*:role/(?:.*/)?([^/]+)$")


@dataclass(frozen=True, slots=True)
class TemplateParts:
    """What `read_resources` found.

    - `resources`: every resource (including the ones that are not mappings are left out and reported).
    - `roles`: `AWS::IAM::Role`s by logical id, with the statements of `AWS::IAM::Policy` /
      `AWS::IAM::ManagedPolicy` resources that name them in `Roles` attached.
    - `permissions`: `AWS::Lambda::Permission`s; `function` is the logical id of the target
      `AWS::Lambda::Function` in this block, or None when it is outside.
    - `log_groups`: log group name → (RetentionInDays or None, loc of RetentionInDays or of the
      group). Names built from a function's `Ref` use the function's `FunctionName` when set,
      else its logical id, e.g. `/aws/lambda/HelloFunction`; `log_group_names` maps each log
      group's logical id to that name key.
    - `errors`: problems found on the way (each names its line); reading went on.
    """

    resources: dict[str, Resource] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    permissions: tuple[InvokePermission, ...] = ()
    log_groups: dict[str, tuple[int | None, Loc]] = field(default_factory=dict)
    log_group_names: dict[str, str] = field(default_factory=dict)
    errors: tuple[ScanError, ...] = ()


def read_resources(resources: Mapping[str, Any], rel: str, resolver: Resolver) -> TemplateParts:
    """Read a `Resources` mapping (see `TemplateParts`). Never raises for bad input."""
    errors: list[ScanError] = []
    parsed: dict[str, Resource] = {}
    for lid, body in resources.items():
        line = line_of(resources, lid)
        # A resource skipped for its shape may have been a function: the loss is FUNCTION.
        if not str(lid).strip():  # CloudFormation requires an alphanumeric logical id; findings need a name
            errors.append(
                ScanError(rel, f"line {line}: a resource has an empty logical id; skipped", "load", Loss.FUNCTION)
            )
            continue
        if not isinstance(body, Mapping):
            errors.append(
                ScanError(rel, f"line {line}: resource {lid} is not a mapping; skipped", "load", Loss.FUNCTION)
            )
            continue
        rtype = body.get("Type")
        if not isinstance(rtype, str):
            errors.append(
                ScanError(
                    rel,
                    f"line {line_of(body, 'Type', line) if 'Type' in body else line}: "
                    f"{type_problem(lid, rtype)}; skipped",
                    "load",
                    Loss.FUNCTION,
                )
            )
            continue
        props = body.get("Properties", {})
        if not isinstance(props, Mapping):
            errors.append(
                ScanError(
                    rel, f"line {line_of(body, 'Properties', line)}: Properties of {lid} is not a mapping", "load"
                )
            )
            props = {}
        parsed[str(lid)] = Resource(str(lid), rtype, Loc(rel, line), props)
    named = resolver.with_resource_values(function_names(parsed, resolver))
    log_groups, log_group_names = _log_groups(parsed, rel, named)
    return TemplateParts(
        resources=parsed,
        roles=_roles(parsed, rel, resolver),
        permissions=_permissions(parsed, rel, resolver),
        log_groups=log_groups,
        log_group_names=log_group_names,
        errors=tuple(errors),
    )


def type_problem(lid: Any, rtype: Any) -> str:
    """Why a resource's `Type` cannot be used (it is missing, or not a string such as `AWS::Lambda::Function`)."""
    if rtype is None:
        return f"resource {lid} has no Type"
    return f"Type of resource {lid} is a {_kind(rtype)}, not a resource type name like AWS::Lambda::Function"


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    return "number" if isinstance(value, int | float) else type(value).__name__


def function_names(resources: Mapping[str, Resource], resolver: Resolver) -> dict[str, str]:
    """Logical id → the function's name: its literal `FunctionName`, else the logical id."""
    out = {}
    for lid, res in resources.items():
        if res.type == LAMBDA_FUNCTION:
            out[lid] = resolver.text(res.properties.get("FunctionName")) or lid
    return out


def target_function(
    raw: Any,
    resources: Mapping[str, Resource],
    resolver: Resolver,
    names: Mapping[str, str] | None = None,
    _depth: int = 0,
) -> str | None:
    """The logical id of the in-template Lambda function `raw` designates (Ref, GetAtt, Sub of its
    ARN, an alias or version of it, its literal name or ARN), or None. Pass `names` (from
    `function_names`) when calling in a loop."""
    for ref in resolver.resource_refs(raw):
        res = resources.get(ref.logical_id)
        if res is None:
            continue
        if res.type == LAMBDA_FUNCTION:
            return ref.logical_id
        if res.type in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            inner = res.properties.get("FunctionName")
            if _depth < 8:  # aliases of aliases end somewhere; a cycle of them must not recurse forever
                found = target_function(inner, resources, resolver, names, _depth + 1)
                if found:
                    return found
    text = resolver.text(raw)
    if not text:
        return None
    name = text.split(":function:", 1)[1].split(":", 1)[0] if ":function:" in text else text
    names = function_names(resources, resolver) if names is None else names
    return next((lid for lid, fname in names.items() if fname == name), None)


# ---- roles ----------------------------------------------------------------------------------


def _roles(resources: Mapping[str, Resource], rel: str, resolver: Resolver) -> dict[str, Role]:
    inline: dict[str, list[Statement]] = {}
    managed: dict[str, list[ManagedPolicy]] = {}
    managed_defs = {
        lid: _document(res, rel, lid) for lid, res in resources.items() if res.type == "AWS::IAM::ManagedPolicy"
    }
    role_ids = {lid for lid, r in resources.items() if r.type == "AWS::IAM::Role"}
    by_name = {resolver.text(resources[lid].properties.get("RoleName")): lid for lid in role_ids}
    for lid, res in resources.items():
        if res.type not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            continue
        for role_lid in _named_roles(res.properties.get("Roles"), role_ids, by_name, resolver):
            if res.type == "AWS::IAM::Policy":
                inline.setdefault(role_lid, []).extend(_document(res, rel, lid))
            else:
                managed.setdefault(role_lid, []).append(ManagedPolicy(lid, res.loc, managed_defs[lid]))
    out: dict[str, Role] = {}
    for lid in sorted(role_ids):
        out[lid] = _role(resources[lid], rel, resolver, managed_defs, inline.get(lid, []), managed.get(lid, []))
    return out


def _named_roles(raw: Any, role_ids: set[str], by_name: Mapping[str | None, str], resolver: Resolver) -> list[str]:
    items = raw if isinstance(raw, list) else []
    out = []
    for item in items:
        refs = [r.logical_id for r in resolver.resource_refs(item) if r.logical_id in role_ids]
        if refs:
            out.append(refs[0])
            continue
        name = resolver.text(item)
        if name in by_name:
            out.append(by_name[name])
    return out


def _document(res: Resource, rel: str, lid: str) -> tuple[Statement, ...]:
    props = res.properties
    name = props.get("PolicyName") or props.get("ManagedPolicyName")
    source = f"{lid} {name}" if isinstance(name, str) else lid
    return _iam.document_statements(
        props.get("PolicyDocument"), rel, line_of(props, "PolicyDocument", res.loc.line), source
    )


def _role(
    res: Resource,
    rel: str,
    resolver: Resolver,
    managed_defs: Mapping[str, tuple[Statement, ...]],
    extra_inline: list[Statement],
    extra_managed: list[ManagedPolicy],
) -> Role:
    props = res.properties
    statements: list[Statement] = []
    policies = props.get("Policies")
    for i, pol in enumerate(policies if isinstance(policies, list) else []):
        if not isinstance(pol, Mapping):
            continue
        name = pol.get("PolicyName")
        source = f"Policies[{i}] {resolver.display(name)}" if name is not None else f"Policies[{i}]"
        line = line_of(policies, i, res.loc.line)
        statements.extend(
            _iam.document_statements(pol.get("PolicyDocument"), rel, line_of(pol, "PolicyDocument", line), source)
        )
    statements.extend(extra_inline)
    managed: list[ManagedPolicy] = []
    arns = props.get("ManagedPolicyArns")
    for i, item in enumerate(arns if isinstance(arns, list) else []):
        loc = Loc(rel, line_of(arns, i, res.loc.line))
        local = [r.logical_id for r in resolver.resource_refs(item) if r.logical_id in managed_defs]
        if local:
            managed.append(ManagedPolicy(local[0], loc, managed_defs[local[0]]))
        else:
            managed.append(ManagedPolicy(resolver.display(item), loc))
    seen = {m.arn for m in managed}
    managed.extend(m for m in extra_managed if m.arn not in seen)
    trust_raw = props.get("AssumeRolePolicyDocument")
    trust = _iam.document_statements(
        trust_raw, rel, line_of(props, "AssumeRolePolicyDocument", res.loc.line), "AssumeRolePolicyDocument"
    )
    boundary = props.get("PermissionsBoundary")
    name = props.get("RoleName")
    return Role(
        id=res.logical_id,
        loc=res.loc,
        statements=tuple(statements),
        managed_policies=tuple(managed),
        trust=trust,
        permissions_boundary=resolver.display(boundary) if boundary is not None else None,
        name=resolver.display(name) if name is not None else None,
    )


def function_role(raw: Any, loc: Loc, roles: Mapping[str, Role], resolver: Resolver) -> Role | None:
    """The role a function's `Role` property designates: an in-template role, or an external one."""
    if raw is None:
        return None
    for ref in resolver.resource_refs(raw):
        if ref.logical_id in roles:
            return roles[ref.logical_id]
    text = resolver.display(raw)
    m = _ROLE_ARN.match(text)
    if m:
        for role in roles.values():
            if role.name == m.group(1):
                return role
    return Role(id=text, loc=loc, external=True)


# ---- permissions and log groups -------------------------------------------------------------


def _permissions(resources: Mapping[str, Resource], rel: str, resolver: Resolver) -> tuple[InvokePermission, ...]:
    out = []
    names = function_names(resources, resolver)
    for res in resources.values():
        if res.type != "AWS::Lambda::Permission":
            continue
        p = res.properties
        out.append(
            InvokePermission(
                function=target_function(p.get("FunctionName"), resources, resolver, names),
                principal=resolver.display(p.get("Principal", "")),
                loc=res.loc,
                action=resolver.display(p.get("Action", "lambda:InvokeFunction")),
                source_arn=resolver.display(p["SourceArn"]) if p.get("SourceArn") is not None else None,
                source_account=resolver.display(p["SourceAccount"]) if p.get("SourceAccount") is not None else None,
                function_url_auth_type=resolver.display(p["FunctionUrlAuthType"])
                if p.get("FunctionUrlAuthType")
                else None,
                via_function_url=str(p.get("InvokedViaFunctionUrl", "")).lower() == "true",
                principal_loc=Loc(res.loc.path, line_of(p, "Principal", res.loc.line)) if "Principal" in p else None,
            )
        )
    return tuple(out)


def _log_groups(
    resources: Mapping[str, Resource], rel: str, named: Resolver
) -> tuple[dict[str, tuple[int | None, Loc]], dict[str, str]]:
    groups: dict[str, tuple[int | None, Loc]] = {}
    names: dict[str, str] = {}
    for lid, res in resources.items():
        if res.type != "AWS::Logs::LogGroup":
            continue
        p = res.properties
        name = named.text(p.get("LogGroupName")) if p.get("LogGroupName") is not None else None
        key = name or lid  # a group without a name is only reachable through its logical id
        retention = named.text(p.get("RetentionInDays")) if "RetentionInDays" in p else None
        days = int(retention) if retention is not None and retention.isdigit() else None
        loc = Loc(rel, line_of(p, "RetentionInDays", res.loc.line)) if days is not None else res.loc
        groups[key] = (days, loc)
        names[lid] = key
    return groups, names
