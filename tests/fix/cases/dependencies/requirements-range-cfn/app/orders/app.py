import jinja2
import requests


def handler(event, context):
    page = requests.get("https://example.com/menu", timeout=3).text
    return {"statusCode": 200, "body": jinja2.Template(page).render()}
