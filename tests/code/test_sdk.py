"""boto3 calls → (service, operation, resource) for the IAM engine."""

from __future__ import annotations

from pathlib import Path

from tests.code.helpers import fn, run, write_app

CODE = """\
import os

import boto3
from boto3.session import Session

s3 = boto3.client("s3")
dynamodb = boto3.resource("dynamodb")
TABLE = dynamodb.Table(os.environ["ORDERS_TABLE"])
BUCKET = os.environ["BUCKET"]
session = boto3.Session()
sqs = session.client("sqs")


class Store:
    def __init__(self):
        self.lam = boto3.client("lambda")

    def call(self):
        self.lam.invoke(FunctionName="other-fn")


def handler(event, context):
    s3.get_object(Bucket="literal-bucket", Key="k")
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"")
    TABLE.put_item(Item={"id": "1"})
    TABLE.query(KeyConditionExpression="id = :id")
    pages = s3.get_paginator("list_objects_v2")
    for page in pages.paginate(Bucket=BUCKET):
        pass
    s3.upload_file("/tmp/a", "upload-bucket", "a")
    s3.download_file(BUCKET, "b", "/tmp/b")
    bucket = boto3.resource("s3").Bucket("assets")
    for obj in bucket.objects.filter(Prefix="x/"):
        pass
    bucket.upload_file("/tmp/c", "c")
    sqs.send_message(QueueUrl=os.environ.get("QUEUE_URL"), MessageBody="x")
    s3.get_waiter("object_exists").wait(Bucket="b", Key="k")
    with TABLE.batch_writer() as w:
        w.put_item(Item={})
    Store().call()
    boto3.client("secretsmanager").get_secret_value(SecretId="prod/db")
"""

YML = """\
h:
  handler: app.handler
  environment:
    ORDERS_TABLE: !Ref OrdersTable
    BUCKET: my-data-bucket
    QUEUE_URL: !GetAtt Jobs.QueueUrl
  events:
    - httpApi: GET /x
"""


def test_boto3_calls_are_mapped_to_operations(tmp_path: Path) -> None:
    write_app(tmp_path, YML, {"app.py": CODE})
    result = run(tmp_path, select=("CODE001",))
    calls = {(c.service, c.operation, c.resource) for c in fn(result, "h").sdk_calls}
    assert ("s3", "GetObject", "literal-bucket") in calls  # client, literal
    assert ("s3", "PutObject", "my-data-bucket") in calls  # module constant ← env var ← IaC literal
    assert ("dynamodb", "PutItem", "!Ref OrdersTable") in calls  # Table(os.environ[...]) ← IaC reference
    assert any(s == "dynamodb" and o == "Query" for s, o, _ in calls)  # resource Table action
    assert ("s3", "ListObjectsV2", "my-data-bucket") in calls  # paginator
    assert ("s3", "PutObject", "upload-bucket") in calls  # upload_file (transfer manager)
    assert ("s3", "GetObject", "my-data-bucket") in calls  # download_file
    assert ("s3", "ListObjects", "assets") in calls  # resource collection
    assert ("s3", "PutObject", "assets") in calls  # Bucket.upload_file
    assert any(s == "sqs" and o == "SendMessage" for s, o, _ in calls)  # session client
    assert ("s3", "HeadObject", None) in calls  # waiter
    assert any(s == "dynamodb" and o == "BatchWriteItem" for s, o, _ in calls)
    assert ("lambda", "Invoke", "other-fn") in calls  # client kept on self
    assert ("secretsmanager", "GetSecretValue", "prod/db") in calls


def test_env_var_mapped_by_the_iac_to_a_resource(tmp_path: Path) -> None:
    write_app(tmp_path, YML, {"app.py": CODE})
    calls = fn(run(tmp_path, select=("CODE001",)), "h").sdk_calls
    put = next(c for c in calls if c.operation == "PutItem")
    assert put.resource and "OrdersTable" in put.resource
    assert put.loc.path == "app.py" and put.loc.line == 25
    send = next(c for c in calls if c.operation == "SendMessage")
    assert send.resource and "Jobs" in send.resource


def test_unknown_methods_and_dynamic_services_are_skipped(tmp_path: Path) -> None:
    code = "import boto3\n\ndef handler(event, context):\n    boto3.client(event['svc']).anything()\n    boto3.client('s3').not_an_operation()\n"
    write_app(tmp_path, YML, {"app.py": code})
    assert fn(run(tmp_path, select=("CODE001",)), "h").sdk_calls == ()


def test_calls_the_handler_cannot_reach_are_marked(tmp_path: Path) -> None:
    code = """\
import boto3

s3 = boto3.client("s3")


def handler(event, context):
    return helper()


def helper():
    return s3.get_object(Bucket="b", Key="k")


def other_handler(event, context):
    s3.delete_object(Bucket="b", Key="k")
"""
    write_app(tmp_path, "h:\n  handler: app.handler\n", {"app.py": code})
    calls = {c.operation: (c.confidence, c.reachable) for c in fn(run(tmp_path, select=("CODE001",)), "h").sdk_calls}
    assert calls == {"GetObject": ("high", True), "DeleteObject": ("high", False)}
