"""Lowering of the data stores a function reads and writes: tables, buckets (with their ACL, policy and
public access block, which Terraform writes as resources of their own), queues, topics, secrets,
parameters, keys and databases (whose passwords SECRET006 looks at)."""

from __future__ import annotations

from typing import Any

from fnaudit.loaders._yaml import LDict
from fnaudit.loaders.terraform.lower import Lowerer, Lowering, simple
from fnaudit.loaders.terraform.module import Instance
from fnaudit.loaders.terraform.values import Cfn, as_text

# Canned ACLs as CloudFormation spells them.
_ACLS = {
    "private": "Private",
    "public-read": "PublicRead",
    "public-read-write": "PublicReadWrite",
    "authenticated-read": "AuthenticatedRead",
    "aws-exec-read": "AwsExecRead",
    "bucket-owner-read": "BucketOwnerRead",
    "bucket-owner-full-control": "BucketOwnerFullControl",
    "log-delivery-write": "LogDeliveryWrite",
}


def _bucket(inst: Instance, low: Lowering) -> None:
    props = low.props(inst, {"bucket": "BucketName"})
    acl = inst.block.attrs.get("acl")  # provider v3 and older: the ACL on the bucket itself
    if acl is not None:
        value = as_text(inst.value(acl))
        low.set(props, "AccessControl", _ACLS.get(value or "", value), inst.block.rel, acl.line)
    low.add(inst, "AWS::S3::Bucket", props)


def _joins_bucket(inst: Instance, low: Lowering, apply: Any) -> None:
    """Resources that configure a bucket from outside (ACL, public access block) join it once all are lowered."""
    attr = inst.block.attrs.get("bucket")
    if attr is None:
        return
    bucket = inst.value(attr)

    def join() -> None:
        owner = _bucket_of(low, bucket)
        if owner is not None:
            apply(owner["Properties"])

    low.after.append(join)


def _bucket_of(low: Lowering, ref: Any) -> LDict | None:
    value = ref.value if isinstance(ref, Cfn) else ref
    lid = value.get("Ref") if isinstance(value, dict) else None
    for key, res in low.resources.items():
        if not (isinstance(res, LDict) and res.get("Type") == "AWS::S3::Bucket"):
            continue
        if key == lid or (isinstance(value, str) and res["Properties"].get("BucketName") == value):
            return res
    return None


def _public_access_block(inst: Instance, low: Lowering) -> None:
    config = low.props(
        inst,
        {
            "block_public_acls": "BlockPublicAcls",
            "ignore_public_acls": "IgnorePublicAcls",
            "block_public_policy": "BlockPublicPolicy",
            "restrict_public_buckets": "RestrictPublicBuckets",
        },
    )

    def apply(props: LDict) -> None:
        props["PublicAccessBlockConfiguration"] = config
        props.key_lines["PublicAccessBlockConfiguration"] = config.line

    _joins_bucket(inst, low, apply)


def _bucket_acl(inst: Instance, low: Lowering) -> None:
    attr = inst.block.attrs.get("acl")
    if attr is None:
        return
    value = as_text(inst.value(attr))
    line = low.lines.line(inst.block.rel, attr.line)

    def apply(props: LDict) -> None:
        props["AccessControl"] = _ACLS.get(value or "", value)
        props.key_lines["AccessControl"] = line

    _joins_bucket(inst, low, apply)


def _bucket_policy(inst: Instance, low: Lowering) -> None:
    props = low.props(inst, {"bucket": "Bucket"})
    attr = inst.block.attrs.get("policy")
    if attr is not None:
        props["PolicyDocument"] = low.document(inst.value(attr), inst.block.rel, attr.line)
        props.key_lines["PolicyDocument"] = low.lines.line(inst.block.rel, attr.line)
    low.add(inst, "AWS::S3::BucketPolicy", props)


LOWERERS: dict[str, Lowerer] = {
    "aws_s3_bucket": _bucket,
    "aws_s3_bucket_public_access_block": _public_access_block,
    "aws_s3_bucket_acl": _bucket_acl,
    "aws_s3_bucket_policy": _bucket_policy,
    "aws_dynamodb_table": simple("AWS::DynamoDB::Table", {"name": "TableName"}),
    "aws_sqs_queue": simple(
        "AWS::SQS::Queue",
        {
            "name": "QueueName",
            "fifo_queue": "FifoQueue",
            "visibility_timeout_seconds": "VisibilityTimeout",
            "redrive_policy": "RedrivePolicy",
            "kms_master_key_id": "KmsMasterKeyId",
        },
    ),
    "aws_sns_topic": simple("AWS::SNS::Topic", {"name": "TopicName"}),
    "aws_secretsmanager_secret": simple("AWS::SecretsManager::Secret", {"name": "Name"}),
    "aws_ssm_parameter": simple("AWS::SSM::Parameter", {"name": "Name", "type": "Type", "value": "Value"}),
    "aws_kms_key": simple("AWS::KMS::Key", {"description": "Description"}),
    "aws_db_instance": simple(
        "AWS::RDS::DBInstance",
        {"identifier": "DBInstanceIdentifier", "username": "MasterUsername", "password": "MasterUserPassword"},
    ),
    "aws_rds_cluster": simple(
        "AWS::RDS::DBCluster",
        {
            "cluster_identifier": "DBClusterIdentifier",
            "master_username": "MasterUsername",
            "master_password": "MasterUserPassword",
        },
    ),
    "aws_kinesis_stream": simple("AWS::Kinesis::Stream", {"name": "Name"}),
}
