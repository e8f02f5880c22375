"""Charges a card (every value in this fixture is fake)."""
import json

import boto3

STRIPE_KEY = "sk_live_51HcQxLKdT7gV2nRq8mZ4pWyB9sJ3eF6aU0oI"  # TODO move to SSM

sqs = boto3.client("sqs")


def charge(event, context):
    return {"ok": bool(STRIPE_KEY), "n": len(json.dumps(event))}
