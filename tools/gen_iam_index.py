"""Regenerate `src/fnaudit/data/iam-index.marshal`, the IAM catalogue's index of the shipped snapshot
`src/fnaudit/data/iam-data.json.gz`, after `scripts/build_iam_data.py` rebuilt the snapshot:

    python tools/gen_iam_index.py

The index is what `fnaudit.engines.iam.catalogue.build_index` makes of the snapshot, stored so that a scan
reads it instead of building it (see the catalogue's docstring). It records the snapshot's digest: with
any other snapshot fnaudit builds the index itself, so a stale file costs time, never a different answer
(tests/engines/test_iam_shipped_index.py fails until it is regenerated).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fnaudit.engines.iam import catalogue

OUT = Path(__file__).resolve().parent.parent / "src" / "fnaudit" / "data" / catalogue.SHIPPED


def main() -> int:
    data = catalogue.snapshot_bytes()
    OUT.write_bytes(catalogue.shipped_index(catalogue.build_index(catalogue.read_snapshot(data)), data))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes) for snapshot {catalogue.snapshot_digest(data)[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
