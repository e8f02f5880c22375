def handler(event, context):
    return {"statusCode": 200, "body": "a,b"}


def preview(event, context):
    return {"statusCode": 200, "body": "a"}
