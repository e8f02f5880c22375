"""Exact end-to-end reports: a scan's JSON, minus what changes from run to run, equals a file under review.

Shared by the example app's test and the polyglot apps' tests. To accept a deliberate change, run the test
with `FNAUDIT_UPDATE_EXPECTED=1`, then review the diff of the expected file like any other change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

UPDATE_SWITCH = "FNAUDIT_UPDATE_EXPECTED"


def stable(doc: dict[str, Any], target: str) -> dict[str, Any]:
    """The report without its volatile parts: the scanned folder's absolute path, the timings and how much an earlier
    scan's cache gave."""
    doc = dict(doc)
    doc["target"] = target
    doc["stats"] = {k: v for k, v in doc["stats"].items() if k not in ("seconds", "stages", "reused")}
    return doc


def expected(doc: dict[str, Any], path: Path) -> Any:
    """The expected report in `path`, for the test to compare with `doc` (`assert doc == expected(doc, path)`, in
    the test itself so that pytest shows the difference); with the update switch set, `doc` is written there first."""
    if os.environ.get(UPDATE_SWITCH):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return json.loads(path.read_text(encoding="utf-8"))
