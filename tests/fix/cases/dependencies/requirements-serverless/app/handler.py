import jinja2
import jwt
import urllib3

http = urllib3.PoolManager()
TEMPLATE = jinja2.Template("Invoice {{ number }}")


def render(event, context):
    claims = jwt.decode(event["headers"]["token"], options={"verify_signature": False})
    return {"statusCode": 200, "body": TEMPLATE.render(number=claims.get("sub"))}
