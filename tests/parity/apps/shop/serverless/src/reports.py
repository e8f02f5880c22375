import boto3

s3 = boto3.client("s3")


def handler(event, context):
    listing = s3.list_objects_v2(Bucket="shop-reports")
    return {"statusCode": 200, "body": str(len(listing.get("Contents", [])))}
