import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def save(event, context):
    table.put_item(Item={"id": event["id"], "text": event["text"]})
    return table.get_item(Key={"id": event["id"]}).get("Item")
