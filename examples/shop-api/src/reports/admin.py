"""Admin report: orders per day, as CSV."""

import subprocess


def handler(event, context):
    day = (event.get("queryStringParameters") or {}).get("day", "today")
    # Deliberately unsafe: shell command built from a query parameter.
    out = subprocess.run(f"grep {day} /tmp/orders.csv", shell=True, capture_output=True, text=True)
    return {"statusCode": 200, "body": out.stdout}
