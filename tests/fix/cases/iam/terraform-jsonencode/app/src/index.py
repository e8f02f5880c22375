import os

import boto3

s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    body = s3.get_object(Bucket=os.environ["BUCKET_NAME"], Key=event["key"])["Body"].read()
    table.put_item(Item={"id": event["key"], "size": len(body)})
    return table.get_item(Key={"id": event["key"]})["Item"]
