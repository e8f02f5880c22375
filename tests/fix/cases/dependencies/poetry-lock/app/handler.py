import requests
import yaml


def export(event, context):
    config = yaml.safe_load(open("config.yml"))
    return requests.get(config["url"], timeout=5).status_code
