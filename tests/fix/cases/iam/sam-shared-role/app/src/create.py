import json
import os
import uuid

import boto3

table = boto3.resource("dynamodb").Table(os.environ["BOOKINGS_TABLE"])
sns = boto3.client("sns")


def handler(event, context):
    booking = {"id": str(uuid.uuid4()), **json.loads(event["body"])}
    table.put_item(Item=booking)
    sns.publish(TopicArn=os.environ["CONFIRMATIONS_TOPIC"], Message=json.dumps(booking))
    return {"statusCode": 201, "body": json.dumps({"id": booking["id"]})}
