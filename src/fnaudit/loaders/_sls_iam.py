"""Execution roles of a Serverless Framework service.

The Framework creates one role, `IamRoleLambdaExecution`, shared by every function that has no
role of its own, from `provider.iam.role` (or the older `provider.iamRoleStatements` /
`iamManagedPolicies`). It is created even when no statement is written. A function gets its own
role through `role:` (a role of `resources`, or an ARN) or through per-function
`iamRoleStatements` (the serverless-iam-roles-per-function plugin); `provider.iam.role: <name or
ARN>` replaces the shared role for every function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fnaudit.loaders import _iam
from fnaudit.loaders._cfn_parts import function_role
from fnaudit.loaders._intrinsics import Resolver
from fnaudit.loaders._sls_variables import Unresolved
from fnaudit.loaders._yaml import line_of
from fnaudit.model.app import ManagedPolicy, Resource, Role, Statement
from fnaudit.model.loc import Loc

DEFAULT_ROLE = "IamRoleLambdaExecution"
_INTRINSIC_KEYS = frozenset({"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::ImportValue", "Fn::If"})


@dataclass(frozen=True, slots=True)
class ProviderRoles:
    """The provider's part: the shared role, or the reference that replaces it."""

    shared: Role | None  # IamRoleLambdaExecution, None when provider.iam.role names another role
    reference: Any  # provider.iam.role / provider.role when it names a role (string or intrinsic)
    reference_loc: Loc | None
    statements: tuple[Statement, ...]  # the provider's statements, for per-function roles that inherit


@dataclass(frozen=True, slots=True)
class RoleContext:
    at: Callable[[Any, Any], Loc]  # where `container[key]` is written (`Variables.loc`)
    path_of: Callable[[Any], str]  # the file a mapping or list was read from
    roles: Mapping[str, Role]  # AWS::IAM::Role resources of `resources`
    resources: Mapping[str, Resource]
    resolver: Resolver


def provider_roles(provider: Mapping[str, Any], provider_line: int, ctx: RoleContext) -> ProviderRoles:
    iam_raw = provider.get("iam")
    iam: Mapping[str, Any] = iam_raw if isinstance(iam_raw, dict) else {}
    role_cfg = iam.get("role")
    legacy_ref = provider.get("role")
    reference = role_cfg if _is_reference(role_cfg) else legacy_ref if _is_reference(legacy_ref) else None
    if reference is not None:
        ref_loc = ctx.at(iam, "role") if reference is role_cfg else ctx.at(provider, "role")
        return ProviderRoles(None, reference, ref_loc, ())
    role_cfg = role_cfg if isinstance(role_cfg, dict) else {}
    statements = _statements(role_cfg, "statements", "provider.iam.role.statements", ctx) + _statements(
        provider, "iamRoleStatements", "provider.iamRoleStatements", ctx
    )
    managed = _managed(role_cfg, "managedPolicies", ctx) + _managed(provider, "iamManagedPolicies", ctx)
    boundary = role_cfg.get("permissionsBoundary", provider.get("rolePermissionsBoundary"))
    if "iam" in provider:
        loc = ctx.at(provider, "iam")
    elif "iamRoleStatements" in provider:
        loc = ctx.at(provider, "iamRoleStatements")
    else:
        loc = Loc(ctx.path_of(provider), provider_line)  # no IAM written: the role is still created
    shared = Role(
        id=DEFAULT_ROLE,
        loc=loc,
        statements=statements,
        managed_policies=managed,
        permissions_boundary=_iam.render(boundary) if boundary is not None else None,
        name=_iam.render(role_cfg["name"]) if role_cfg.get("name") is not None else None,
    )
    return ProviderRoles(shared, None, None, statements)


def role_for_function(name: str, fn: Mapping[str, Any], provider: ProviderRoles, ctx: RoleContext) -> Role | None:
    """The role a function runs with, by the Framework's precedence (see the module docstring)."""
    if fn.get("role") is not None:
        return referenced_role(fn["role"], ctx.at(fn, "role"), ctx)
    if "iamRoleStatements" in fn:
        return _own_role(name, fn, provider, ctx)
    if provider.reference is not None and provider.reference_loc is not None:
        return referenced_role(provider.reference, provider.reference_loc, ctx)
    return provider.shared


def referenced_role(raw: Any, loc: Loc, ctx: RoleContext) -> Role:
    """`MyRole` (a resource of `resources`), `!GetAtt MyRole.Arn`, or an ARN outside the app."""
    if isinstance(raw, Unresolved):
        return Role(id=str(raw), loc=loc, external=True)
    if isinstance(raw, str) and not raw.startswith("arn:"):
        found = ctx.roles.get(raw)
        return found if found is not None else Role(id=raw, loc=loc, external=True)
    return function_role(raw, loc, ctx.roles, ctx.resolver) or Role(id=_iam.render(raw), loc=loc, external=True)


def _own_role(name: str, fn: Mapping[str, Any], provider: ProviderRoles, ctx: RoleContext) -> Role:
    """serverless-iam-roles-per-function: the function's statements, plus the provider's on inherit."""
    own = _statements(fn, "iamRoleStatements", f"functions.{name}.iamRoleStatements", ctx)
    inherited = provider.statements if fn.get("iamRoleStatementsInherit") is True else ()
    role_name = fn.get("iamRoleStatementsName")
    return Role(
        id=f"{name}{DEFAULT_ROLE}",
        loc=ctx.at(fn, "iamRoleStatements"),
        statements=own + inherited,
        managed_policies=_managed(fn, "iamManagedPolicies", ctx),
        name=_iam.render(role_name) if role_name is not None else None,
    )


def _statements(container: Mapping[str, Any], key: str, source: str, ctx: RoleContext) -> tuple[Statement, ...]:
    """A statement list, located in the file it was written in (often a `${file()}`)."""
    raw = container.get(key)
    key_loc = ctx.at(container, key)
    path = ctx.path_of(raw) if isinstance(raw, list | dict) else key_loc.path
    return _iam.statements(raw, path, key_loc.line, source)


def _managed(container: Mapping[str, Any], key: str, ctx: RoleContext) -> tuple[ManagedPolicy, ...]:
    items = container.get(key)
    if not isinstance(items, list):
        return ()
    out = []
    for i, item in enumerate(items):
        loc = ctx.at(items, i)
        local = [r.logical_id for r in ctx.resolver.resource_refs(item) if _is_managed_policy(r.logical_id, ctx)]
        if local:
            res = ctx.resources[local[0]]
            doc = res.properties.get("PolicyDocument")
            statements = _iam.document_statements(
                doc, res.loc.path, line_of(res.properties, "PolicyDocument", res.loc.line), local[0]
            )
            out.append(ManagedPolicy(local[0], loc, statements))
        else:
            out.append(ManagedPolicy(ctx.resolver.display(item), loc))
    return tuple(out)


def _is_managed_policy(lid: str, ctx: RoleContext) -> bool:
    res = ctx.resources.get(lid)
    return res is not None and res.type == "AWS::IAM::ManagedPolicy"


def _is_reference(raw: Any) -> bool:
    """A role given by name, ARN or intrinsic (as opposed to a `{statements: …}` configuration)."""
    if isinstance(raw, str):
        return bool(raw)
    return isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in _INTRINSIC_KEYS
