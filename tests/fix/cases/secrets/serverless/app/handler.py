def create(event, context):
    return {"statusCode": 201}


def notify(event, context):
    return {"statusCode": 204}
