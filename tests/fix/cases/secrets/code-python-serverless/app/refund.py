import os

db_password: str = 'Pr0d-Db#2026!x'


def main(event, context):
    return {"ok": bool(db_password), "level": os.environ.get("LOG_LEVEL")}
