import json


def handler(event, context):
    q = (event.get("queryStringParameters") or {}).get("q", "")
    return {"statusCode": 200, "body": json.dumps({"q": q, "hits": []})}
