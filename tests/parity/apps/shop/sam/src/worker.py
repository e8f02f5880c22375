import json


def handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        print("processed", order.get("id"))
