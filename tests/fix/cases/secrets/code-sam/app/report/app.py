from __future__ import annotations

import json
import sys

DB_PASSWORD = "Pr0d-Db#2026!x"  # fnaudit showed this one


def handler(event, context):
    return json.dumps({"ok": bool(DB_PASSWORD), "py": sys.version})
