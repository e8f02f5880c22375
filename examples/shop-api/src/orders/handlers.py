"""Orders API: list the caller's orders, fetch one order."""

import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def _response(status, body):
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def list_orders(event, context):
    customer = event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"]
    items = TABLE.query(
        KeyConditionExpression="customer_id = :c", ExpressionAttributeValues={":c": customer}
    )["Items"]
    return _response(200, items)


def get_order(event, context):
    order_id = event["pathParameters"]["id"]
    # Deliberately unsafe: the filter is built from the path parameter.
    result = TABLE.scan(FilterExpression=f"id = {order_id}")
    if not result["Items"]:
        return _response(404, {"message": "not found"})
    return _response(200, result["Items"][0])
