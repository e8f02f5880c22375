def handler(event, context):
    print("report for", event.get("time"))
