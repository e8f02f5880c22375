def make(event, context):
    for record in event["Records"]:
        print(record["s3"]["object"]["key"])
