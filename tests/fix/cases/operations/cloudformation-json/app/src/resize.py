def handler(event, context):
    print("resize", event.get("detail", {}).get("object", {}).get("key"))
