import json
import sqlite3

from db import connect

CACHE = {}


def lambda_handler(event, context):
    order_id = event["queryStringParameters"]["id"]
    cur = connect().cursor()
    cur.execute("SELECT * FROM orders WHERE id = '" + order_id + "'")
    rows = cur.fetchall()
    CACHE[order_id] = rows
    return {"statusCode": 200, "body": json.dumps(rows)}


def refund(event, context):
    try:
        amount = int(event["amount"])
        sqlite3.connect("/tmp/orders.db").execute("UPDATE orders SET refunded = ?", (amount,))
    except Exception as exc:
        return {"statusCode": 500, "body": str(exc)}
    return {"statusCode": 204}


def format_row(row, width):
    return str(row)[:width]
