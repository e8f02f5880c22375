"""Lowering of the Lambda resources and the resources their triggers and settings name."""

from __future__ import annotations

import re
from typing import Any

from fnaudit.loaders._yaml import LDict
from fnaudit.loaders.terraform.expr import text_of
from fnaudit.loaders.terraform.lower import Lowerer, Lowering, object_lines, simple
from fnaudit.loaders.terraform.module import Instance
from fnaudit.loaders.terraform.values import Archive, ArchiveHash


def _function(inst: Instance, low: Lowering) -> None:
    props = low.props(
        inst,
        {
            "function_name": "FunctionName",
            "runtime": "Runtime",
            "handler": "Handler",
            "role": "Role",
            "timeout": "Timeout",
            "memory_size": "MemorySize",
            "reserved_concurrent_executions": "ReservedConcurrentExecutions",
            "layers": "Layers",
            "package_type": "PackageType",
            "architectures": "Architectures",
            "kms_key_arn": "KmsKeyArn",
        },
    )
    if "ReservedConcurrentExecutions" in props and props["ReservedConcurrentExecutions"] == -1:
        del props["ReservedConcurrentExecutions"]  # -1 is Terraform's "unreserved"
    _code(inst, low, props)
    rel = inst.block.rel
    for env, each in inst.nested("environment"):
        attr = env.attrs.get("variables")
        if attr is None:
            continue
        value = each.value(attr)
        lines = object_lines(attr.expr)
        variables = LDict(low.lines.line(rel, attr.line))
        if isinstance(value, dict):
            for k, v in value.items():
                line = lines.get(k, attr.line)
                variables[k] = low.cfn(v, rel, line)
                variables.key_lines[k] = low.lines.line(rel, line)
        else:
            variables = low.cfn(value, rel, attr.line)
        environment = LDict(low.lines.line(rel, env.line))
        environment["Variables"] = variables
        environment.key_lines["Variables"] = low.lines.line(rel, attr.line)
        props["Environment"] = environment
        props.key_lines["Environment"] = low.lines.line(rel, env.line)
    for name, cfn, mapping in (
        ("dead_letter_config", "DeadLetterConfig", {"target_arn": "TargetArn"}),
        ("tracing_config", "TracingConfig", {"mode": "Mode"}),
        ("vpc_config", "VpcConfig", {"subnet_ids": "SubnetIds", "security_group_ids": "SecurityGroupIds"}),
        ("logging_config", "LoggingConfig", {"log_group": "LogGroup", "log_format": "LogFormat"}),
    ):
        for block, each in inst.nested(name):
            props[cfn] = low.props(each, mapping, block)
            props.key_lines[cfn] = low.lines.line(rel, block.line)
    low.add(inst, "AWS::Lambda::Function", props)


def _code(inst: Instance, low: Lowering, props: LDict) -> None:
    rel = inst.block.rel
    attrs = inst.block.attrs
    if "image_uri" in attrs:
        low.set(props, "Code", {"ImageUri": inst.get("image_uri")}, rel, attrs["image_uri"].line)
        return
    if "s3_bucket" in attrs:
        # `s3_key = aws_s3_object.app.key`, the object uploaded from `data.archive_file.x.output_path`, with
        # `source_code_hash = data.archive_file.x.output_base64sha256`: the code is that archive's folder
        hashed = _hashed_archive(inst)
        local = low.code(inst, hashed) if hashed is not None else None
        code = local or {"S3Bucket": inst.get("s3_bucket"), "S3Key": inst.get("s3_key")}
        low.set(props, "Code", code, rel, attrs["s3_bucket"].line)
        return
    attr = attrs.get("filename")
    if attr is None:
        return
    value = inst.value(attr)
    if not isinstance(value, Archive):
        # `filename = "build/x.zip"` next to `source_code_hash = data.archive_file.x.output_base64sha256`:
        # the archive named by the hash is the one the file is
        value = _hashed_archive(inst) or value
    local = low.code(inst, value)
    if local is not None:
        low.set(props, "Code", local, rel, attr.line)
    else:
        low.set(props, "Code", {"S3Bucket": "local-artifact", "S3Key": value}, rel, attr.line)


def _hashed_archive(inst: Instance) -> Archive | None:
    """The `archive_file` the function's `source_code_hash` is the hash of, when it names one."""
    hash_attr = inst.block.attrs.get("source_code_hash")
    hashed = inst.value(hash_attr)
    if isinstance(hashed, ArchiveHash) and hashed.archive is not None:
        return hashed.archive  # the hash of `data.archive_file.x`, directly or through a module input
    hash_text = text_of(hash_attr.expr) if hash_attr is not None and hash_attr.expr is not None else ""
    m = re.search(r"data\.archive_file\.([A-Za-z0-9_-]+)", hash_text)
    found = inst.scope.instances("data", "archive_file", m.group(1)) if m else []
    value = _archive_of(found[0]) if found else None
    return value if isinstance(value, Archive) else None


def _archive_of(data: Instance) -> Any:
    from fnaudit.loaders.terraform.datasources import data_value

    return data_value(data, "output_path")


def _invoke_config(inst: Instance, low: Lowering) -> None:
    props = low.props(
        inst,
        {
            "function_name": "FunctionName",
            "qualifier": "Qualifier",
            "maximum_retry_attempts": "MaximumRetryAttempts",
            "maximum_event_age_in_seconds": "MaximumEventAgeInSeconds",
        },
    )
    props.setdefault("Qualifier", "$LATEST")
    for dest in inst.block.nested("destination_config"):
        config = LDict(low.lines.line(dest.rel, dest.line))
        for name, cfn in (("on_failure", "OnFailure"), ("on_success", "OnSuccess")):
            for block in dest.nested(name):
                config[cfn] = low.props(inst, {"destination": "Destination"}, block)
                config.key_lines[cfn] = low.lines.line(block.rel, block.line)
        props["DestinationConfig"] = config
        props.key_lines["DestinationConfig"] = config.line
    low.add(inst, "AWS::Lambda::EventInvokeConfig", props)


LOWERERS: dict[str, Lowerer] = {
    "aws_lambda_function": _function,
    "aws_lambda_permission": simple(
        "AWS::Lambda::Permission",
        {
            "action": "Action",
            "function_name": "FunctionName",
            "principal": "Principal",
            "source_arn": "SourceArn",
            "source_account": "SourceAccount",
            "function_url_auth_type": "FunctionUrlAuthType",
            "principal_org_id": "PrincipalOrgID",
            "qualifier": "Qualifier",
        },
    ),
    "aws_lambda_function_url": simple(
        "AWS::Lambda::Url",
        {"function_name": "TargetFunctionArn", "authorization_type": "AuthType", "qualifier": "Qualifier"},
        {
            "cors": (
                "Cors",
                {
                    "allow_origins": "AllowOrigins",
                    "allow_methods": "AllowMethods",
                    "allow_headers": "AllowHeaders",
                    "allow_credentials": "AllowCredentials",
                    "expose_headers": "ExposeHeaders",
                    "max_age": "MaxAge",
                },
            )
        },
    ),
    "aws_lambda_event_source_mapping": simple(
        "AWS::Lambda::EventSourceMapping",
        {
            "event_source_arn": "EventSourceArn",
            "function_name": "FunctionName",
            "batch_size": "BatchSize",
            "enabled": "Enabled",
            "starting_position": "StartingPosition",
            "maximum_batching_window_in_seconds": "MaximumBatchingWindowInSeconds",
            "maximum_retry_attempts": "MaximumRetryAttempts",
        },
    ),
    "aws_lambda_function_event_invoke_config": _invoke_config,
    # an alias is what an integration or trigger often names (`aws_lambda_alias.live.invoke_arn`): lowered so
    # the template builder follows it to its function
    "aws_lambda_alias": simple(
        "AWS::Lambda::Alias", {"function_name": "FunctionName", "name": "Name", "function_version": "FunctionVersion"}
    ),
    "aws_cloudwatch_log_group": simple(
        "AWS::Logs::LogGroup",
        {"name": "LogGroupName", "retention_in_days": "RetentionInDays", "kms_key_id": "KmsKeyId"},
    ),
    "aws_sns_topic_subscription": simple(
        "AWS::SNS::Subscription", {"topic_arn": "TopicArn", "protocol": "Protocol", "endpoint": "Endpoint"}
    ),
}
