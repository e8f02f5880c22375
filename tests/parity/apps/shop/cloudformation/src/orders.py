import os
import sqlite3

db = sqlite3.connect("/tmp/orders.db")


def handler(event, context):
    customer = event["queryStringParameters"]["customer"]
    rows = db.execute("SELECT id, total FROM orders WHERE customer = '" + customer + "'").fetchall()
    return {"statusCode": 200, "body": str(rows), "headers": {"x-stage": os.environ.get("STAGE", "")}}
