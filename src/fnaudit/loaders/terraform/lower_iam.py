"""Lowering of IAM roles, their inline and managed policies, and policy attachments."""

from __future__ import annotations

from typing import Any

from fnaudit.loaders._yaml import LDict, LList
from fnaudit.loaders.terraform.lower import Lowerer, Lowering
from fnaudit.loaders.terraform.module import Instance
from fnaudit.loaders.terraform.values import Cfn, as_text


def _document_prop(inst: Instance, low: Lowering, props: LDict, tf: str, cfn: str) -> None:
    attr = inst.block.attrs.get(tf)
    if attr is None:
        return
    props[cfn] = low.document(inst.value(attr), inst.block.rel, attr.line)
    props.key_lines[cfn] = low.lines.line(inst.block.rel, attr.line)


def _role(inst: Instance, low: Lowering) -> None:
    props = low.props(inst, {"name": "RoleName", "permissions_boundary": "PermissionsBoundary", "path": "Path"})
    _document_prop(inst, low, props, "assume_role_policy", "AssumeRolePolicyDocument")
    arns_attr = inst.block.attrs.get("managed_policy_arns")
    arns = LList(low.lines.line(inst.block.rel, arns_attr.line if arns_attr else inst.block.line))
    if arns_attr is not None:
        value = inst.value(arns_attr)
        for item in value if isinstance(value, list) else [value]:
            arns.append(low.cfn(item, inst.block.rel, arns_attr.line))
            arns.item_lines.append(arns.line)
    props["ManagedPolicyArns"] = arns
    props.key_lines["ManagedPolicyArns"] = arns.line
    policies = LList(props.line)
    for block, each in inst.nested("inline_policy"):
        pol = low.props(each, {"name": "PolicyName"}, block)
        attr = block.attrs.get("policy")
        if attr is not None:
            pol["PolicyDocument"] = low.document(each.value(attr), block.rel, attr.line)
            pol.key_lines["PolicyDocument"] = low.lines.line(block.rel, attr.line)
        policies.append(pol)
        policies.item_lines.append(pol.line)
    if policies:
        props["Policies"] = policies
        props.key_lines["Policies"] = policies.item_lines[0]
    low.add(inst, "AWS::IAM::Role", props)


def _role_policy(inst: Instance, low: Lowering) -> None:
    props = low.props(inst, {"name": "PolicyName"})
    _document_prop(inst, low, props, "policy", "PolicyDocument")
    role = inst.block.attrs.get("role")
    if role is not None:
        low.set(props, "Roles", [inst.value(role)], inst.block.rel, role.line)
    low.add(inst, "AWS::IAM::Policy", props)


def _policy(inst: Instance, low: Lowering) -> None:
    props = low.props(inst, {"name": "ManagedPolicyName"})
    _document_prop(inst, low, props, "policy", "PolicyDocument")
    low.add(inst, "AWS::IAM::ManagedPolicy", props)


def _attachment(inst: Instance, low: Lowering) -> None:
    """`aws_iam_role_policy_attachment` / `aws_iam_policy_attachment`: the policy joins the role's managed
    policies, on the attachment's line (that is the line to remove)."""
    roles_attr = inst.block.attrs.get("role") or inst.block.attrs.get("roles")
    arn_attr = inst.block.attrs.get("policy_arn")
    if roles_attr is None or arn_attr is None:
        return
    roles = inst.value(roles_attr)
    arn = inst.value(arn_attr)
    rel, line = inst.block.rel, arn_attr.line

    def attach() -> None:
        for role in roles if isinstance(roles, list) else [roles]:
            target = _find_role(low, role)
            if target is None:
                continue
            arns = target["Properties"].setdefault("ManagedPolicyArns", LList(0))
            arns.append(low.cfn(arn, rel, line))
            arns.item_lines.append(low.lines.line(rel, line))

    low.after.append(attach)


def _find_role(low: Lowering, role: Any) -> LDict | None:
    if isinstance(role, Cfn) and isinstance(role.value, dict):
        ref = role.value.get("Ref") or (role.value.get("Fn::GetAtt") or [None])[0]
        res = low.resources.get(ref) if isinstance(ref, str) else None
        return res if isinstance(res, LDict) and res.get("Type") == "AWS::IAM::Role" else None
    name = as_text(role)
    for res in low.resources.values():
        if isinstance(res, LDict) and res.get("Type") == "AWS::IAM::Role" and res["Properties"].get("RoleName") == name:
            return res
    return None


LOWERERS: dict[str, Lowerer] = {
    "aws_iam_role": _role,
    "aws_iam_role_policy": _role_policy,
    "aws_iam_policy": _policy,
    "aws_iam_role_policy_attachment": _attachment,
    "aws_iam_policy_attachment": _attachment,
}
