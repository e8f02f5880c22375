"""`store` sinks: event data written as the payload of the app's data stores (issue 14, second-order flows).

Each write is a `Flow` of kind `store` located on the line of the `SdkCall` the SDK extractor records for the
same call, so that a rule can join "function A writes event data to resource R" (the call's `resource`) with
"function B is triggered by R". No rule reports `store` flows by themselves.
"""

from __future__ import annotations

from pathlib import Path

from fnaudit.engines.code import ir
from fnaudit.pipeline import ScanResult
from fnaudit.rules.paths import _chain
from tests.code.helpers import fn, run

YML = """\
service: stores
frameworkVersion: "3"
provider:
  name: aws
  runtime: {runtime}
  environment:
    TABLE: !Ref Orders
    QUEUE_URL: !Ref Jobs
    TOPIC_ARN: !Ref Topic
    BUCKET: uploads
    MACHINE: !Ref Machine
functions:
{functions}
"""

Call = tuple[str, str, str | None]  # service, operation, resource
Joined = tuple[str, int, str, str, int, tuple[Call, ...]]  # file, line, sink call, source path, source line, SdkCalls


def _app(root: Path, runtime: str, handlers: dict[str, str], files: dict[str, str]) -> ScanResult:
    functions = "".join(
        f"  {name}:\n    handler: {handler}\n    events:\n      - httpApi: POST /{name}\n"
        for name, handler in handlers.items()
    )
    (root / "serverless.yml").write_text(YML.format(runtime=runtime, functions=functions), encoding="utf-8")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return run(root)


def _stores(result: ScanResult, name: str) -> list[Joined]:
    """The function's store flows, each with the SDK calls recorded at the flow's sink location."""
    f = fn(result, name)
    assert f.code_facts is not None
    calls: dict[tuple[str, int], list[Call]] = {}
    for c in f.sdk_calls:
        calls.setdefault((c.loc.path, c.loc.line), []).append((c.service, c.operation, c.resource))
    return [
        (
            fl.sink.loc.path,
            fl.sink.loc.line,
            fl.sink.call,
            fl.source.path,
            fl.source.loc.line,
            tuple(calls.get((fl.sink.loc.path, fl.sink.loc.line), ())),
        )
        for fl in f.code_facts.flows
        if fl.sink.kind == ir.STORE
    ]


def _sdk_lines(result: ScanResult, name: str) -> list[tuple[int, str]]:
    return sorted((c.loc.line, c.operation) for c in fn(result, name).sdk_calls)


# -- Python (boto3 clients and resources) -------------------------------------------------------

PY_APP = """\
import io
import json
import os

import boto3

ddb = boto3.client("dynamodb")
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
sqs = boto3.client("sqs")
sns = boto3.client("sns")
s3 = boto3.client("s3")
kinesis = boto3.client("kinesis")
events = boto3.client("events")
sfn = boto3.client("stepfunctions")


def handler(event, context):
    b = json.loads(event["body"])
    ddb.put_item(TableName="orders", Item={"id": {"S": b["id"]}})
    ddb.update_item(
        TableName="orders",
        Key={"id": {"S": b["id"]}},
        UpdateExpression="SET note = :n",
        ExpressionAttributeValues={":n": {"S": b["note"]}},
    )
    ddb.batch_write_item(
        RequestItems={
            "orders": [
                {"PutRequest": {"Item": {"id": {"S": b["new"]}}}},
                {"DeleteRequest": {"Key": {"id": {"S": b["old"]}}}},
            ]
        }
    )
    table.put_item(
        Item={"id": b["id"], "note": b["note"]},
    )
    with table.batch_writer() as batch:
        batch.put_item(Item=b)
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(b))
    sqs.send_message_batch(QueueUrl=os.environ["QUEUE_URL"], Entries=[{"Id": "1", "MessageBody": b["m"]}])
    sns.publish(TopicArn=os.environ["TOPIC_ARN"], Message=b["msg"], Subject="new order")
    s3.put_object(Bucket=os.environ["BUCKET"], Key="doc.txt", Body=b["doc"])
    s3.upload_fileobj(io.BytesIO(b["file"].encode()), "uploads", "doc.txt")
    kinesis.put_record(StreamName="clicks", Data=json.dumps(b), PartitionKey="p")
    kinesis.put_records(StreamName="clicks", Records=[{"Data": b["r"], "PartitionKey": "p"}])
    events.put_events(
        Entries=[{"Source": "shop", "DetailType": "order", "Detail": json.dumps(b["d"]), "EventBusName": "orders"}]
    )
    sfn.start_execution(stateMachineArn=os.environ["MACHINE"], input=json.dumps({"order": b["id"]}))
    return {"statusCode": 202}
"""


def test_python_writes_to_every_store_are_flows_on_the_sdk_call_line(tmp_path: Path) -> None:
    result = _app(tmp_path, "python3.12", {"h": "app.handler"}, {"app.py": PY_APP})
    assert _stores(result, "h") == [
        ("app.py", 19, "ddb.put_item Item", "event.body.id", 18, (("dynamodb", "PutItem", "orders"),)),
        (
            "app.py",
            20,  # a call over several lines: the flow and the SdkCall both stand on its first line
            "ddb.update_item ExpressionAttributeValues",
            "event.body.note",
            18,
            (("dynamodb", "UpdateItem", "orders"),),
        ),
        (
            "app.py",
            26,  # only the PutRequest items are stored data (body.old is a key to delete)
            "ddb.batch_write_item RequestItems.*.*.PutRequest.Item",
            "event.body.new",
            18,
            (("dynamodb", "BatchWriteItem", None),),  # the table is a key of RequestItems: not resolved
        ),
        ("app.py", 34, "table.put_item Item", "event.body.id", 18, (("dynamodb", "PutItem", "!Ref Orders"),)),
        ("app.py", 38, "batch.put_item Item", "event.body", 18, (("dynamodb", "BatchWriteItem", "!Ref Orders"),)),
        ("app.py", 39, "sqs.send_message MessageBody", "event.body", 18, (("sqs", "SendMessage", "!Ref Jobs"),)),
        (
            "app.py",
            40,
            "sqs.send_message_batch Entries.*.MessageBody",
            "event.body.m",
            18,
            (("sqs", "SendMessageBatch", "!Ref Jobs"),),
        ),
        ("app.py", 41, "sns.publish Message", "event.body.msg", 18, (("sns", "Publish", "!Ref Topic"),)),
        ("app.py", 42, "s3.put_object Body", "event.body.doc", 18, (("s3", "PutObject", "uploads"),)),
        ("app.py", 43, "s3.upload_fileobj Fileobj", "event.body.file", 18, (("s3", "PutObject", "uploads"),)),
        ("app.py", 44, "kinesis.put_record Data", "event.body", 18, (("kinesis", "PutRecord", "clicks"),)),
        (
            "app.py",
            45,
            "kinesis.put_records Records.*.Data",
            "event.body.r",
            18,
            (("kinesis", "PutRecords", "clicks"),),
        ),
        (
            "app.py",
            46,
            "events.put_events Entries.*.Detail",
            "event.body.d",
            18,
            (("events", "PutEvents", None),),  # the bus is named inside Entries: not resolved
        ),
        (
            "app.py",
            49,
            "sfn.start_execution input",
            "event.body.id",
            18,
            (("stepfunctions", "StartExecution", "!Ref Machine"),),
        ),
    ]
    assert result.findings == ()  # no rule reports a store write by itself


PY_TRAPS = """\
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
ddb = boto3.client("dynamodb")
events = boto3.client("events")
kinesis = boto3.client("kinesis")


def handler(event, context):
    b = json.loads(event["body"])
    table.put_item(Item={"id": "fixed", "n": 1})
    table.put_item(Item={"owner": event["requestContext"]["authorizer"]["claims"]["sub"]})
    # a number cast: still stored, but a number carries no text that a reading function could execute,
    # so it clears `store` as it clears the injection families (see ir.STORE)
    table.put_item(Item={"qty": int(b["qty"])})
    table.update_item(Key={"id": b["id"]}, UpdateExpression="SET seen = :t", ExpressionAttributeValues={":t": True})
    ddb.batch_write_item(RequestItems={"orders": [{"DeleteRequest": {"Key": {"id": {"S": b["old"]}}}}]})
    events.put_events(Entries=[{"Source": "shop", "DetailType": b["type"], "Detail": "{}"}])
    kinesis.put_record(StreamName="clicks", Data="ping", PartitionKey=b["pk"])
    return {"statusCode": 202}
"""


def test_python_traps_store_no_event_data(tmp_path: Path) -> None:
    result = _app(tmp_path, "python3.12", {"h": "app.handler"}, {"app.py": PY_TRAPS})
    assert _stores(result, "h") == []
    # the calls are recognised: nothing of the event is in their payload (a key, a key to delete, a detail type,
    # a partition key)
    assert _sdk_lines(result, "h") == [
        (14, "PutItem"),
        (15, "PutItem"),
        (18, "PutItem"),
        (19, "UpdateItem"),
        (20, "BatchWriteItem"),
        (21, "PutEvents"),
        (22, "PutRecord"),
    ]


PY_HELPER = """\
import os

import boto3

queue = boto3.resource("sqs").Queue(os.environ["QUEUE_URL"])


def enqueue(job):
    queue.send_message(
        MessageBody=job,
    )
"""

PY_HANDLER = """\
from jobs import enqueue


def handler(event, context):
    enqueue(event["body"])
"""


def test_python_store_in_a_helper_module_stands_where_the_helper_calls_the_sdk(tmp_path: Path) -> None:
    result = _app(tmp_path, "python3.12", {"h": "app.handler"}, {"app.py": PY_HANDLER, "jobs.py": PY_HELPER})
    assert _stores(result, "h") == [
        ("jobs.py", 9, "queue.send_message MessageBody", "event.body", 5, (("sqs", "SendMessage", "!Ref Jobs"),)),
    ]


# -- JavaScript (SDK v3 commands, lib-dynamodb, lib-storage; SDK v2 clients) --------------------

JS_V3 = """\
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand, UpdateCommand } = require('@aws-sdk/lib-dynamodb');
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');
const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
const { Upload } = require('@aws-sdk/lib-storage');
const { KinesisClient, PutRecordCommand } = require('@aws-sdk/client-kinesis');
const { EventBridgeClient, PutEventsCommand } = require('@aws-sdk/client-eventbridge');
const { SFNClient, StartExecutionCommand } = require('@aws-sdk/client-sfn');

const ddb = new DynamoDBClient({});
const doc = DynamoDBDocumentClient.from(ddb);
const s3 = new S3Client({});
const sqs = new SQSClient({});
const sns = new SNSClient({});
const kinesis = new KinesisClient({});

exports.handler = async (event) => {
  const b = JSON.parse(event.body);
  await doc.send(new PutCommand({ TableName: process.env.TABLE, Item: { id: b.id, note: b.note } }));
  await doc.send(
    new UpdateCommand({
      TableName: process.env.TABLE,
      Key: { id: b.id },
      UpdateExpression: 'SET note = :n',
      ExpressionAttributeValues: { ':n': b.note },
    }),
  );
  await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: b.id } } }));
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(b) }));
  await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: b.msg, Subject: 'order' }));
  await s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: 'doc.txt', Body: b.doc }));
  await new Upload({ client: s3, params: { Bucket: 'uploads', Key: 'doc.txt', Body: b.file } }).done();
  await kinesis.send(new PutRecordCommand({ StreamName: 'clicks', Data: Buffer.from(b.r), PartitionKey: 'p' }));
  const entries = [{ Source: 'shop', DetailType: 'order', Detail: JSON.stringify(b.d), EventBusName: 'orders' }];
  await new EventBridgeClient({}).send(new PutEventsCommand({ Entries: entries }));
  const input = { stateMachineArn: process.env.MACHINE, input: JSON.stringify({ order: b.id }) };
  await new SFNClient({}).send(new StartExecutionCommand(input));
  return { statusCode: 202 };
};
"""

_UPLOAD = (
    ("s3", "PutObject", "uploads"),
    ("s3", "CreateMultipartUpload", "uploads"),
    ("s3", "UploadPart", "uploads"),
    ("s3", "CompleteMultipartUpload", "uploads"),
    ("s3", "AbortMultipartUpload", "uploads"),
)


def test_javascript_v3_commands_are_store_flows_on_the_sdk_call_line(tmp_path: Path) -> None:
    result = _app(tmp_path, "nodejs22.x", {"h": "app.handler"}, {"app.js": JS_V3})
    assert _stores(result, "h") == [
        ("app.js", 20, "new PutCommand Item", "event.body.id", 19, (("dynamodb", "PutItem", "!Ref Orders"),)),
        (
            "app.js",
            22,  # the `new` of a command written over several lines: both on the `new` line
            "new UpdateCommand ExpressionAttributeValues",
            "event.body.note",
            19,
            (("dynamodb", "UpdateItem", "!Ref Orders"),),
        ),
        ("app.js", 29, "new PutItemCommand Item", "event.body.id", 19, (("dynamodb", "PutItem", "orders"),)),
        ("app.js", 30, "new SendMessageCommand MessageBody", "event.body", 19, (("sqs", "SendMessage", "!Ref Jobs"),)),
        ("app.js", 31, "new PublishCommand Message", "event.body.msg", 19, (("sns", "Publish", "!Ref Topic"),)),
        ("app.js", 32, "new PutObjectCommand Body", "event.body.doc", 19, (("s3", "PutObject", "uploads"),)),
        ("app.js", 33, "new Upload params.Body", "event.body.file", 19, _UPLOAD),
        ("app.js", 34, "new PutRecordCommand Data", "event.body.r", 19, (("kinesis", "PutRecord", "clicks"),)),
        ("app.js", 36, "new PutEventsCommand Entries.*.Detail", "event.body.d", 19, (("events", "PutEvents", None),)),
        (
            "app.js",
            38,
            "new StartExecutionCommand input",
            "event.body.id",
            19,
            (("stepfunctions", "StartExecution", "!Ref Machine"),),
        ),
    ]
    assert result.findings == ()


JS_V2 = """\
const AWS = require('aws-sdk');

const doc = new AWS.DynamoDB.DocumentClient();
const ddb = new AWS.DynamoDB();
const sqs = new AWS.SQS();
const sns = new AWS.SNS();
const s3 = new AWS.S3();
const kinesis = new AWS.Kinesis();
const eb = new AWS.EventBridge();
const sfn = new AWS.StepFunctions();

exports.handler = async (event) => {
  const b = JSON.parse(event.body);
  const params = { TableName: process.env.TABLE, Item: { id: 'placeholder' } };
  params.Item = { id: b.id };
  await doc
    .put(params)
    .promise();
  await doc.update({
    TableName: 'orders',
    Key: { id: 'x' },
    UpdateExpression: 'SET n = :n',
    ExpressionAttributeValues: { ':n': b.n },
  }).promise();
  const puts = [{ PutRequest: { Item: { id: { S: b.new } } } }, { DeleteRequest: { Key: { id: { S: b.old } } } }];
  await ddb.batchWriteItem({ RequestItems: { orders: puts } }).promise();
  await sqs.sendMessage({ QueueUrl: process.env.QUEUE_URL, MessageBody: b.m }).promise();
  await sqs.sendMessageBatch({ QueueUrl: process.env.QUEUE_URL, Entries: [{ Id: '1', MessageBody: b.m2 }] }).promise();
  await sns.publish({ TopicArn: process.env.TOPIC_ARN, Message: JSON.stringify(b) }).promise();
  await s3.putObject({ Bucket: 'uploads', Key: 'a', Body: b.doc }).promise();
  await s3.upload({ Bucket: 'uploads', Key: 'b', Body: b.doc2 }).promise();
  await kinesis.putRecords({ StreamName: 'clicks', Records: [{ Data: b.r, PartitionKey: 'p' }] }).promise();
  await eb.putEvents({ Entries: [{ Source: 'shop', DetailType: 'x', Detail: b.d }] }).promise();
  await sfn.startExecution({ stateMachineArn: process.env.MACHINE, input: b.i }).promise();
};
"""


def test_javascript_v2_clients_are_store_flows_on_the_sdk_call_line(tmp_path: Path) -> None:
    result = _app(tmp_path, "nodejs22.x", {"h": "app.handler"}, {"app.js": JS_V2})
    assert _stores(result, "h") == [
        # a chained call over three lines, its params object updated after the literal: the item as stored
        ("app.js", 16, "doc .put Item", "event.body.id", 13, (("dynamodb", "PutItem", "!Ref Orders"),)),
        (
            "app.js",
            19,
            "doc.update ExpressionAttributeValues",
            "event.body.n",
            13,
            (("dynamodb", "UpdateItem", "orders"),),
        ),
        (
            "app.js",
            26,
            "ddb.batchWriteItem RequestItems.*.*.PutRequest.Item",
            "event.body.new",
            13,
            (("dynamodb", "BatchWriteItem", None),),
        ),
        ("app.js", 27, "sqs.sendMessage MessageBody", "event.body.m", 13, (("sqs", "SendMessage", "!Ref Jobs"),)),
        (
            "app.js",
            28,
            "sqs.sendMessageBatch Entries.*.MessageBody",
            "event.body.m2",
            13,
            (("sqs", "SendMessageBatch", "!Ref Jobs"),),
        ),
        ("app.js", 29, "sns.publish Message", "event.body", 13, (("sns", "Publish", "!Ref Topic"),)),
        ("app.js", 30, "s3.putObject Body", "event.body.doc", 13, (("s3", "PutObject", "uploads"),)),
        ("app.js", 31, "s3.upload Body", "event.body.doc2", 13, _UPLOAD),
        ("app.js", 32, "kinesis.putRecords Records.*.Data", "event.body.r", 13, (("kinesis", "PutRecords", "clicks"),)),
        ("app.js", 33, "eb.putEvents Entries.*.Detail", "event.body.d", 13, (("events", "PutEvents", None),)),
        (
            "app.js",
            34,
            "sfn.startExecution input",
            "event.body.i",
            13,
            (("stepfunctions", "StartExecution", "!Ref Machine"),),
        ),
    ]
    assert result.findings == ()


JS_TRAPS = """\
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand, BatchWriteCommand } = require('@aws-sdk/lib-dynamodb');
const { EventBridgeClient, PutEventsCommand } = require('@aws-sdk/client-eventbridge');

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const eb = new EventBridgeClient({});

exports.handler = async (event) => {
  const b = JSON.parse(event.body);
  await doc.send(new PutCommand({ TableName: process.env.TABLE, Item: { id: 'fixed', n: 1 } }));
  const owner = event.requestContext.authorizer.jwt.claims.sub;
  await doc.send(new PutCommand({ TableName: process.env.TABLE, Item: { owner } }));
  // a number cast: still stored, but a number carries no text a reading function could execute (see ir.STORE)
  await doc.send(new PutCommand({ TableName: process.env.TABLE, Item: { qty: Number(b.qty) } }));
  await eb.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: b.type, Detail: '{}' }] }));
  await doc.send(new BatchWriteCommand({ RequestItems: { orders: [{ DeleteRequest: { Key: { id: b.old } } }] } }));
  const seen = new Map();
  seen.put(b.id, { Item: b.note });
  return { statusCode: 202 };
};
"""


def test_javascript_traps_store_no_event_data(tmp_path: Path) -> None:
    result = _app(tmp_path, "nodejs22.x", {"h": "app.handler"}, {"app.js": JS_TRAPS})
    assert _stores(result, "h") == []
    assert _sdk_lines(result, "h") == [
        (10, "PutItem"),
        (12, "PutItem"),
        (14, "PutItem"),
        (15, "PutEvents"),
        (16, "BatchWriteItem"),
    ]


JS_HELPER = """\
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export async function save(item: Record<string, unknown>): Promise<void> {
  await doc.send(
    new PutCommand({ TableName: process.env.TABLE, Item: item }),
  );
}
"""

JS_HANDLER = """\
import { save } from './store';

export const handler = async (event: { body: string }) => {
  await save(JSON.parse(event.body));
  return { statusCode: 202 };
};
"""


def test_javascript_store_in_a_helper_module_stands_where_the_helper_calls_the_sdk(tmp_path: Path) -> None:
    result = _app(tmp_path, "nodejs22.x", {"h": "app.handler"}, {"app.ts": JS_HANDLER, "store.ts": JS_HELPER})
    assert _stores(result, "h") == [
        ("store.ts", 8, "new PutCommand Item", "event.body", 4, (("dynamodb", "PutItem", "!Ref Orders"),)),
    ]


# -- store flows share lines with other sinks ---------------------------------------------------

PY_HTML = """\
import json

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    page = json.loads(event["body"])["html"]
    s3.put_object(Bucket="site", Key="index.html", Body=page, ContentType="text/html")
"""


def test_a_finding_on_a_store_line_keeps_its_own_flow(tmp_path: Path) -> None:
    """The attack-path rules look a finding's flow up by its line: the store flow of the same S3 write (which
    sorts first, `store` < `stored-xss`) must not stand in for the stored-XSS flow."""
    result = _app(tmp_path, "python3.12", {"h": "app.handler"}, {"app.py": PY_HTML})
    f = fn(result, "h")
    assert f.code_facts is not None
    assert [(fl.sink.kind, fl.sink.loc.line) for fl in f.code_facts.flows] == [("store", 10), ("stored-xss", 10)]
    (finding,) = (x for x in result.findings if x.rule_id == "CODE023")
    flow = _chain._flow(f, finding)
    assert flow is not None
    assert (flow.sink.kind, flow.sink.call) == ("stored-xss", "s3.put_object (ContentType text/html)")


PY_SPREAD = """\
import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    order = json.loads(event["body"])
    params = {"QueueUrl": os.environ["QUEUE_URL"], "MessageBody": json.dumps(order)}
    sqs.send_message(**params)
    fixed = {"QueueUrl": os.environ["QUEUE_URL"], "MessageBody": "ping", "MessageGroupId": order["g"]}
    sqs.send_message(**fixed)
"""


def test_python_params_spread_into_the_call(tmp_path: Path) -> None:
    result = _app(tmp_path, "python3.12", {"h": "app.handler"}, {"app.py": PY_SPREAD})
    # the queue is named inside the spread dict: the SDK extractor does not resolve it
    assert _stores(result, "h") == [
        ("app.py", 12, "sqs.send_message MessageBody", "event.body", 10, (("sqs", "SendMessage", None),)),
    ]
    assert _sdk_lines(result, "h") == [(12, "SendMessage"), (14, "SendMessage")]


PY_RESOURCES = """\
import json

import boto3

s3 = boto3.resource("s3")
sns = boto3.resource("sns")


def handler(event, context):
    b = json.loads(event["body"])
    s3.Object("uploads", "doc.txt").put(Body=b["doc"])
    s3.Bucket("uploads").put_object(Key="a.txt", Body=b["a"])
    sns.Topic("arn:aws:sns:eu-west-1:111122223333:orders").publish(Message=b["msg"])
"""


def test_python_resource_actions_are_store_flows(tmp_path: Path) -> None:
    """`s3.Object(b, k)` is built by boto3's service resource though S3's model lists only `Bucket` under `has`:
    without it the write had no SdkCall to join with."""
    result = _app(tmp_path, "python3.12", {"h": "app.handler"}, {"app.py": PY_RESOURCES})
    assert _stores(result, "h") == [
        (
            "app.py",
            11,
            "s3.Object('uploads', 'doc.txt').put Body",
            "event.body.doc",
            10,
            (("s3", "PutObject", "uploads"),),
        ),
        (
            "app.py",
            12,
            "s3.Bucket('uploads').put_object Body",
            "event.body.a",
            10,
            (("s3", "PutObject", "uploads"),),
        ),
        (
            "app.py",
            13,
            "sns.Topic('arn:aws:sns:eu-west-1:111122… Message",  # the callee's text, cut at 40 characters
            "event.body.msg",
            10,
            (("sns", "Publish", "arn:aws:sns:eu-west-1:111122223333:orders"),),
        ),
    ]


JS_AGGREGATED = """\
import { S3 } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';

const s3 = new S3({});
const doc = DynamoDBDocument.from(new DynamoDBClient({}));

export const handler = async (event) => {
  const { note } = JSON.parse(event.body);
  await s3.putObject({ Bucket: 'uploads', Key: 'note.txt', Body: note });
  await doc.put({ TableName: 'notes', Item: { note } });
};
"""


def test_javascript_aggregated_clients_are_store_flows(tmp_path: Path) -> None:
    result = _app(tmp_path, "nodejs22.x", {"h": "app.handler"}, {"app.mjs": JS_AGGREGATED})
    assert _stores(result, "h") == [
        ("app.mjs", 10, "s3.putObject Body", "event.body.note", 9, (("s3", "PutObject", "uploads"),)),
        ("app.mjs", 11, "doc.put Item", "event.body.note", 9, (("dynamodb", "PutItem", "notes"),)),
    ]
