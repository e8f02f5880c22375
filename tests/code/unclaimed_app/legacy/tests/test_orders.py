import os


def handler(event, context):
    os.system("echo " + event["name"])
