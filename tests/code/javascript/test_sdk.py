"""AWS SDK for JavaScript v2 and v3 calls → (service, operation, resource) for the IAM engine."""

from __future__ import annotations

from pathlib import Path

from tests.code.helpers import fn, run
from tests.code.javascript.helpers import node_app

V3 = """\
import { S3Client, GetObjectCommand, PutObjectCommand, paginateListObjectsV2, waitUntilObjectExists } from "@aws-sdk/client-s3";
import { DynamoDBClient, paginateScan } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, QueryCommand, DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { Upload } from "@aws-sdk/lib-storage";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { SecretsManager } from "@aws-sdk/client-secrets-manager";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

const s3 = new S3Client({});
const ddb = new DynamoDBClient({});
const doc = DynamoDBDocumentClient.from(ddb);
const docAgg = DynamoDBDocument.from(ddb);
const { BUCKET, QUEUE_URL } = process.env;
const secrets = new SecretsManager({});

export const handler = async (event) => {
  await s3.send(new GetObjectCommand({ Bucket: "literal-bucket", Key: "k" }));
  const put = new PutObjectCommand({ Bucket: BUCKET, Key: "k", Body: "" });
  await s3.send(put);
  await doc.send(new PutCommand({ TableName: process.env.ORDERS_TABLE, Item: { id: "1" } }));
  await doc.send(new QueryCommand({ TableName: process.env.ORDERS_TABLE, KeyConditionExpression: "id = :id" }));
  await docAgg.get({ TableName: "audit", Key: { id: "1" } });
  for await (const page of paginateScan({ client: ddb }, { TableName: "scan-table" })) {}
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: BUCKET })) {}
  await waitUntilObjectExists({ client: s3, maxWaitTime: 10 }, { Bucket: "b", Key: "k" });
  await new Upload({ client: s3, params: { Bucket: "upload-bucket", Key: "big", Body: "" } }).done();
  await new SQSClient({}).send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: "x" }));
  await new SFNClient({}).send(new StartExecutionCommand({ stateMachineArn: "arn", input: "{}" }));
  await secrets.getSecretValue({ SecretId: "prod/db" });
  return getSignedUrl(s3, new GetObjectCommand({ Bucket: "signed", Key: "k" }));
};
"""

V2 = """\
const AWS = require("aws-sdk");
const S3 = require("aws-sdk/clients/s3");

const s3 = new AWS.S3();
const s3b = new S3({ region: "eu-west-1" });
const docClient = new AWS.DynamoDB.DocumentClient();
const lambda = new AWS.Lambda();
const TABLE = process.env.ORDERS_TABLE;

class Store {
  constructor() {
    this.sns = new AWS.SNS();
  }
  publish() {
    return this.sns.publish({ TopicArn: "arn:aws:sns:eu-west-1:1:t", Message: "x" }).promise();
  }
}

exports.handler = async (event) => {
  await s3.getObject({ Bucket: "literal-bucket", Key: "k" }).promise();
  await s3b.putObject({ Bucket: process.env.BUCKET, Key: "k", Body: "" }).promise();
  await docClient.put({ TableName: TABLE, Item: { id: "1" } }).promise();
  await docClient.query({ TableName: TABLE, KeyConditionExpression: "id = :id" }).promise();
  await s3.upload({ Bucket: "upload-bucket", Key: "k", Body: "" }).promise();
  s3.getSignedUrl("getObject", { Bucket: "signed", Key: "k" });
  await lambda.invoke({ FunctionName: "other-fn" }).promise();
  await new Store().publish();
};

exports.unused = async () => s3.deleteObject({ Bucket: "literal-bucket", Key: "k" }).promise();
"""

ENV = "    ORDERS_TABLE: !Ref OrdersTable\n    BUCKET: my-data-bucket\n    QUEUE_URL: !GetAtt Jobs.QueueUrl\n"


def _calls(tmp_path: Path, file: str, code: str) -> set[tuple[str, str, str | None]]:
    node_app(tmp_path, {file: code}, handler="app.handler", environment=ENV)
    return {(c.service, c.operation, c.resource) for c in fn(run(tmp_path, select=("IAM001",)), "h").sdk_calls}


def test_sdk_v3_commands_paginators_waiters_upload(tmp_path: Path) -> None:
    calls = _calls(tmp_path, "app.mjs", V3)
    assert ("s3", "GetObject", "literal-bucket") in calls
    assert ("s3", "PutObject", "my-data-bucket") in calls  # const { BUCKET } = process.env ← IaC literal
    assert ("dynamodb", "PutItem", "!Ref OrdersTable") in calls  # lib-dynamodb PutCommand → PutItem
    assert ("dynamodb", "Query", "!Ref OrdersTable") in calls
    assert ("dynamodb", "GetItem", "audit") in calls  # DynamoDBDocument (aggregated) method
    assert ("dynamodb", "Scan", "scan-table") in calls  # paginateScan
    assert ("s3", "ListObjectsV2", "my-data-bucket") in calls  # paginator
    assert ("s3", "HeadObject", "b") in calls  # waiter
    assert {
        ("s3", op, "upload-bucket")
        for op in (
            "PutObject",
            "CreateMultipartUpload",
            "UploadPart",
            "CompleteMultipartUpload",
            "AbortMultipartUpload",
        )
    } <= calls
    assert any(s == "sqs" and o == "SendMessage" and r and "Jobs" in r for s, o, r in calls)
    # client-sfn → botocore stepfunctions; the machine is named by `stateMachineArn` (camel case in Step Functions)
    assert ("stepfunctions", "StartExecution", "arn") in calls
    assert ("secretsmanager", "GetSecretValue", "prod/db") in calls  # aggregated v3 client
    assert ("s3", "GetObject", "signed") in calls  # presigned command


def test_sdk_v2_clients_and_document_client(tmp_path: Path) -> None:
    calls = _calls(tmp_path, "app.js", V2)
    assert ("s3", "GetObject", "literal-bucket") in calls
    assert ("s3", "PutObject", "my-data-bucket") in calls  # aws-sdk/clients/s3
    assert ("dynamodb", "PutItem", "!Ref OrdersTable") in calls  # DocumentClient put → PutItem, module constant ← env
    assert ("dynamodb", "Query", "!Ref OrdersTable") in calls
    assert ("s3", "PutObject", "upload-bucket") in calls and ("s3", "CreateMultipartUpload", "upload-bucket") in calls
    assert ("s3", "GetObject", "signed") in calls  # getSignedUrl('getObject', …)
    assert ("lambda", "Invoke", "other-fn") in calls
    assert ("sns", "Publish", "arn:aws:sns:eu-west-1:1:t") in calls  # client kept on `this`


def test_locations_and_reachability(tmp_path: Path) -> None:
    node_app(tmp_path, {"app.js": V2}, environment=ENV)
    calls = fn(run(tmp_path, select=("IAM001",)), "h").sdk_calls
    put = next(c for c in calls if c.operation == "PutItem")
    assert (put.loc.path, put.loc.line) == ("app.js", 22)
    delete = next(c for c in calls if c.operation == "DeleteObject")
    assert delete.reachable is False
    assert all(c.reachable for c in calls if c.operation != "DeleteObject")


def test_unknown_operations_are_skipped(tmp_path: Path) -> None:
    code = "const AWS = require('aws-sdk');\nconst s3 = new AWS.S3();\nexports.handler = async () => { s3.notAnOperation({}); s3.on('x'); };\n"
    assert _calls(tmp_path, "app.js", code) == set()
