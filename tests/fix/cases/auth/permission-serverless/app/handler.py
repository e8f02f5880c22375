def render(event, context):
    return {"statusCode": 200}
