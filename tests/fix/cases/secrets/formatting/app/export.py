import os

WEBHOOK_SECRET = "whsec_Zq8mZ4pWyB9sJ3eF6aU0oIxyT4vL7pW3"


def handler(event, context):
    return {"signed": bool(WEBHOOK_SECRET), "region": os.environ.get("AWS_REGION")}
