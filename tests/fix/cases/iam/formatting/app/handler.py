import os

import boto3

s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def file_receipt(event, context):
    key = event["key"]
    body = s3.get_object(Bucket=os.environ["BUCKET"], Key=key)["Body"].read()
    table.put_item(Item={"id": key, "size": len(body)})
    return table.get_item(Key={"id": key})["Item"]
