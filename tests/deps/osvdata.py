"""Small OSV records built in tests (never copied from the shared snapshot)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any


def record(
    id: str,
    ecosystem: str,
    name: str,
    *,
    events: list[dict[str, str]] | None = None,
    range_type: str = "ECOSYSTEM",
    versions: list[str] | None = None,
    aliases: list[str] | None = None,
    withdrawn: str | None = None,
    severity: str | None = None,
    db_severity: str | None = None,
    summary: str = "",
) -> dict[str, Any]:
    affected: dict[str, Any] = {"package": {"ecosystem": ecosystem, "name": name}}
    if events is not None:
        affected["ranges"] = [{"type": range_type, "events": events}]
    if versions is not None:
        affected["versions"] = versions
    rec: dict[str, Any] = {
        "id": id,
        "modified": "2026-01-01T00:00:00Z",
        "summary": summary or f"test {id}",
        "aliases": aliases or [],
        "affected": [affected],
    }
    if withdrawn:
        rec["withdrawn"] = withdrawn
    if severity:
        rec["severity"] = [{"type": "CVSS_V3", "score": severity}]
    if db_severity:
        rec["database_specific"] = {"severity": db_severity}
    return rec


def write_folder(folder: Path, records: list[dict[str, Any]]) -> Path:
    for rec in records:
        eco = rec["affected"][0]["package"]["ecosystem"]
        (folder / eco).mkdir(parents=True, exist_ok=True)
        (folder / eco / f"{rec['id']}.json").write_text(json.dumps(rec), encoding="utf-8")
    return folder


def write_zip(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for rec in records:
            zf.writestr(f"{rec['id']}.json", json.dumps(rec))
    return path
