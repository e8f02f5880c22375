"""The IAM actions CDK's grant methods give, as a data table.

Read from the aws-cdk-lib v2 sources (2.170, `aws-dynamodb/lib/perms.ts`, `aws-s3/lib/perms.ts`,
`aws-sqs/lib/queue-base.ts`, `aws-sns/lib/topic-base.ts`, `aws-secretsmanager/lib/secret.ts`,
`aws-lambda/lib/function-base.ts`); kept here with that version so a change in CDK is a change of this
table, not of the loader. `resources` says which ARNs the statement names: the resource's ARN, and
`arn/*` for the objects of a bucket or the indexes of a table, as CDK writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

CDK_VERSION = "2.170.0"

_DDB_READ = (
    "dynamodb:BatchGetItem",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:Query",
    "dynamodb:GetItem",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
_DDB_WRITE = (
    "dynamodb:BatchWriteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
)
_S3_READ = ("s3:GetObject*", "s3:GetBucket*", "s3:List*")
_S3_PUT = (
    "s3:PutObject",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:Abort*",
)
_S3_DELETE = ("s3:DeleteObject*",)


@dataclass(frozen=True, slots=True)
class Grant:
    kind: str  # the construct kind it is a method of
    actions: tuple[str, ...]
    objects: bool = False  # also `arn/*` (bucket objects, table indexes)


GRANTS: dict[tuple[str, str], Grant] = {
    ("table", "grantReadData"): Grant("table", _DDB_READ, objects=True),
    ("table", "grantWriteData"): Grant("table", _DDB_WRITE, objects=True),
    ("table", "grantReadWriteData"): Grant("table", tuple(dict.fromkeys(_DDB_READ + _DDB_WRITE)), objects=True),
    ("table", "grantFullAccess"): Grant("table", ("dynamodb:*",), objects=True),
    ("table", "grantStreamRead"): Grant(
        "table", ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")
    ),
    ("bucket", "grantRead"): Grant("bucket", _S3_READ, objects=True),
    ("bucket", "grantWrite"): Grant("bucket", _S3_PUT + _S3_DELETE, objects=True),
    ("bucket", "grantPut"): Grant("bucket", _S3_PUT, objects=True),
    ("bucket", "grantDelete"): Grant("bucket", _S3_DELETE, objects=True),
    ("bucket", "grantReadWrite"): Grant("bucket", _S3_READ + _S3_PUT + _S3_DELETE, objects=True),
    ("queue", "grantSendMessages"): Grant("queue", ("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl")),
    ("queue", "grantConsumeMessages"): Grant(
        "queue",
        (
            "sqs:ReceiveMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueUrl",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        ),
    ),
    ("queue", "grantPurge"): Grant("queue", ("sqs:PurgeQueue", "sqs:GetQueueAttributes", "sqs:GetQueueUrl")),
    ("topic", "grantPublish"): Grant("topic", ("sns:Publish",)),
    ("secret", "grantRead"): Grant("secret", ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")),
    ("secret", "grantWrite"): Grant("secret", ("secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret")),
    ("function", "grantInvoke"): Grant("function", ("lambda:InvokeFunction",)),
}
