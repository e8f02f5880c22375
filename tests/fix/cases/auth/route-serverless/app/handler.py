def list_orders(event, context):
    return {"statusCode": 200, "body": "[]"}


def create(event, context):
    return {"statusCode": 201}


def get_order(event, context):
    return {"statusCode": 200}


def cancel(event, context):
    return {"statusCode": 204}


def report(event, context):
    return {"statusCode": 200}
