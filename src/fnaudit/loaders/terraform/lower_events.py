"""Lowering of the event sources that invoke a function from outside: S3 notifications, EventBridge
rules and their targets, SNS subscriptions (lower_lambda has the queue/stream mappings), Cognito
triggers, load balancer targets. Terraform writes the invoking side as its own resource; CloudFormation
keeps it in the bucket / rule / target group, so these join their owner once all are lowered."""

from __future__ import annotations

from typing import Any

from fnaudit.loaders._yaml import LDict, LList
from fnaudit.loaders.terraform.lower import Lowerer, Lowering
from fnaudit.loaders.terraform.module import Instance
from fnaudit.loaders.terraform.values import Cfn


def _owner(low: Lowering, ref: Any, cfn_type: str) -> LDict | None:
    """The lowered resource of `cfn_type` a reference (Ref / GetAtt / name) designates."""
    value = ref.value if isinstance(ref, Cfn) else ref
    lid = None
    if isinstance(value, dict):
        lid = value.get("Ref") or (value.get("Fn::GetAtt") or [None])[0]
    if isinstance(lid, str):
        res = low.resources.get(lid)
        return res if isinstance(res, LDict) and res.get("Type") == cfn_type else None
    for res in low.resources.values():
        if isinstance(res, LDict) and res.get("Type") == cfn_type:
            props = res["Properties"]
            if value in (props.get("BucketName"), props.get("Name"), props.get("Id")):
                return res
    return None


def _s3_notification(inst: Instance, low: Lowering) -> None:
    bucket_attr = inst.block.attrs.get("bucket")
    bucket = inst.value(bucket_attr) if bucket_attr is not None else None
    configs: list[LDict] = []
    for block, each in inst.nested("lambda_function"):
        item = low.props(each, {"lambda_function_arn": "Function", "events": "Events"}, block)
        prefix, suffix = each.get("filter_prefix", block), each.get("filter_suffix", block)
        rules = [{"Name": n, "Value": v} for n, v in (("prefix", prefix), ("suffix", suffix)) if v is not None]
        if rules:
            item["Filter"] = {"S3Key": {"Rules": rules}}
        configs.append(item)

    def join() -> None:
        owner = _owner(low, bucket, "AWS::S3::Bucket")
        if owner is None:
            return
        props = owner["Properties"]
        config = props.setdefault("NotificationConfiguration", LDict(low.lines.line(inst.block.rel, inst.block.line)))
        items = config.setdefault("LambdaConfigurations", LList(config.line))
        for item in configs:
            items.append(item)
            items.item_lines.append(item.line)

    low.after.append(join)


def _event_rule(inst: Instance, low: Lowering) -> None:
    props = low.props(
        inst,
        {
            "name": "Name",
            "schedule_expression": "ScheduleExpression",
            "event_pattern": "EventPattern",
            "event_bus_name": "EventBusName",
            "state": "State",
        },
    )
    props["Targets"] = LList(props.line)
    low.add(inst, "AWS::Events::Rule", props)


def _joins_targets(owner_attr: str, cfn_type: str, mapping: dict[str, str]) -> Lowerer:
    """A target written as its own resource (`aws_cloudwatch_event_target`, `aws_lb_target_group_attachment`):
    it joins the `Targets` of the rule / target group its `owner_attr` names, once all are lowered."""

    def lower(inst: Instance, low: Lowering) -> None:
        target = low.props(inst, mapping)
        attr = inst.block.attrs.get(owner_attr)
        ref = inst.value(attr) if attr is not None else None

        def join() -> None:
            owner = _owner(low, ref, cfn_type)
            if owner is None:
                return
            targets = owner["Properties"].setdefault("Targets", LList(target.line))
            targets.append(target)
            targets.item_lines.append(target.line)

        low.after.append(join)

    return lower


def _user_pool(inst: Instance, low: Lowering) -> None:
    props = low.props(inst, {"name": "UserPoolName"})
    for block in inst.block.nested("lambda_config"):
        props["LambdaConfig"] = low.props(
            inst,
            {
                "pre_sign_up": "PreSignUp",
                "post_confirmation": "PostConfirmation",
                "pre_authentication": "PreAuthentication",
                "post_authentication": "PostAuthentication",
                "pre_token_generation": "PreTokenGeneration",
                "custom_message": "CustomMessage",
                "define_auth_challenge": "DefineAuthChallenge",
                "create_auth_challenge": "CreateAuthChallenge",
                "verify_auth_challenge_response": "VerifyAuthChallengeResponse",
                "user_migration": "UserMigration",
            },
            block,
        )
        props.key_lines["LambdaConfig"] = low.lines.line(block.rel, block.line)
    low.add(inst, "AWS::Cognito::UserPool", props)


def _target_group(inst: Instance, low: Lowering) -> None:
    props = low.props(inst, {"name": "Name", "target_type": "TargetType"})
    props["Targets"] = LList(props.line)
    low.add(inst, "AWS::ElasticLoadBalancingV2::TargetGroup", props)


def _scheduler(inst: Instance, low: Lowering) -> None:
    props = low.props(inst, {"name": "Name", "schedule_expression": "ScheduleExpression"})
    for block in inst.block.nested("target"):
        props["Target"] = low.props(inst, {"arn": "Arn", "role_arn": "RoleArn"}, block)
        props.key_lines["Target"] = low.lines.line(block.rel, block.line)
    low.add(inst, "AWS::Scheduler::Schedule", props)


LOWERERS: dict[str, Lowerer] = {
    "aws_s3_bucket_notification": _s3_notification,
    "aws_cloudwatch_event_rule": _event_rule,
    "aws_cloudwatch_event_target": _joins_targets(
        "rule", "AWS::Events::Rule", {"arn": "Arn", "target_id": "Id", "input": "Input"}
    ),
    "aws_cognito_user_pool": _user_pool,
    "aws_lb_target_group": _target_group,
    "aws_alb_target_group": _target_group,
    "aws_lb_target_group_attachment": _joins_targets(
        "target_group_arn", "AWS::ElasticLoadBalancingV2::TargetGroup", {"target_id": "Id"}
    ),
    "aws_alb_target_group_attachment": _joins_targets(
        "target_group_arn", "AWS::ElasticLoadBalancingV2::TargetGroup", {"target_id": "Id"}
    ),
    "aws_scheduler_schedule": _scheduler,
}
