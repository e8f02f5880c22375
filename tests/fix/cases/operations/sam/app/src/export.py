def handler(event, context):
    print("exporting", event.get("time"))
