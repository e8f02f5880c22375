"""`stats.files`: the number of distinct files the scan read (issue 11: "2 files" for an app of 12)."""

from __future__ import annotations

import shutil
from pathlib import Path

from fnaudit.config import Config
from fnaudit.pipeline import files_read, scan
from tests.conftest import REPO, SCAN_DATE

# The example app as the issue counted it, listed by hand with what reads each file.
SHOP_API = {
    "serverless.yml": "the IaC loader",
    "requirements.txt": "the dependency engine (the Python functions' lockfile)",
    "web/package.json": "the dependency engine (the Node functions' manifest)",
    "src/__init__.py": "the secrets engine (the Python functions' code folder)",
    "src/orders/__init__.py": "the secrets engine",
    "src/orders/handlers.py": "the code engine (listOrders, getOrder)",
    "src/payments/__init__.py": "the secrets engine",
    "src/payments/worker.py": "the code engine (processPayment)",
    "src/reports/__init__.py": "the secrets engine",
    "src/reports/admin.py": "the code engine (adminReport)",
    "web/create-order.js": "the code engine (createOrder)",
    "web/resize.js": "the code engine (resizeImage)",
}


def test_the_example_app_counts_every_file_it_reads(tmp_path: Path) -> None:
    app = tmp_path / "shop-api"
    for rel in SHOP_API:  # a copy of exactly these files: the example may grow (an advisory set, a config)
        (app / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / "examples" / "shop-api" / rel, app / rel)
    result = scan(app, Config(today=SCAN_DATE, db=str(tmp_path / "no-db")))
    assert len(result.functions) == 6
    assert result.stats.files == 12
    assert files_read(result.apps, (), ()) == set(SHOP_API)


def test_files_nobody_reads_are_not_counted(tmp_path: Path) -> None:
    app = tmp_path / "app"
    (app / "node_modules" / "left-pad").mkdir(parents=True)
    (app / "node_modules" / "left-pad" / "index.js").write_text("module.exports = 1\n")
    (app / "README.md").write_text("# app\n")
    (app / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    (app / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "functions:\n  api:\n    handler: h.handler\n"
        "resources: ${file(./resources.yml)}\n"
    )
    (app / "resources.yml").write_text("Resources: {}\n")
    (app / "h.py").write_text("def handler(event, context):\n    return 1\n")
    result = scan(app, Config(today=SCAN_DATE, db=str(tmp_path / "no-db")))
    # the template, the file it includes, the handler
    assert result.stats.files == 3
