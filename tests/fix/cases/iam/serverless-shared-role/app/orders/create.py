import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
sqs = boto3.client("sqs")


def handler(event, context):
    order = json.loads(event["body"])
    table.put_item(Item=order)
    sqs.send_message(QueueUrl=os.environ["EVENTS_QUEUE"], MessageBody=json.dumps({"created": order["id"]}))
    return {"statusCode": 201}
