"""Property-based fuzzing of the whole CLI over generated serverless.yml, SAM and CloudFormation documents.

For each generated document, `fnaudit scan` runs in-process on a temporary folder holding it (and a
few files it may refer to), with the JSON report written to a file. Whatever the input:

- no exception escapes and nothing is caught as a crash: stderr never says "internal error", and no
  `errors` entry is a caught crash ("internal error", "please report it", "failed: SomeError");
- the report is valid JSON per `src/fnaudit/schema/findings-v1.json`;
- the exit code is 0, 1 or 2, and it is 2 exactly when an error lost an app or a function
  (`loss` "app" or "function"; the default `--errors=fail`).

The default budget keeps the suite fast and is derandomized (the same examples on every run, so CI
never fails on a new draw). `FNAUDIT_FUZZ_EXAMPLES=5000` runs a larger, random budget by hand; see
tests/fuzz/README.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fnaudit import cli
from tests.fuzz.strategies import (
    SIDE_FILES,
    cloudformation_documents,
    sam_documents,
    serverless_documents,
)

DEFAULT_EXAMPLES = 30
EXAMPLES = int(os.environ.get("FNAUDIT_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
BY_HAND = "FNAUDIT_FUZZ_EXAMPLES" in os.environ

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # one example is a whole scan (SAM translation included): its time varies a lot
    derandomize=not BY_HAND,
    database=None,  # a failure prints its example; nothing is stored between runs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=BY_HAND,
)
SCHEMA = json.loads(resources.files("fnaudit").joinpath("schema/findings-v1.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CRASH = re.compile(r"internal error|please report it|failed: [A-Za-z]*(Error|Exception)\b")


def _dump(doc: dict[str, Any], as_json: bool) -> str:
    if as_json:
        return json.dumps(doc, indent=1, default=str)
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=10_000)


def scan_document(name: str, text: str) -> tuple[int, dict[str, Any], str]:
    """Write the document (and its side files) to a fresh folder and run `fnaudit scan` on it."""
    with tempfile.TemporaryDirectory(prefix="fnaudit-fuzz-") as tmp:
        root = Path(tmp) / "app"
        root.mkdir()
        for rel, body in SIDE_FILES.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(body, encoding="utf-8")
        (root / name).write_text(text, encoding="utf-8")
        report = Path(tmp) / "report.json"
        out, err = io.StringIO(), io.StringIO()
        argv = [
            "scan",
            str(root),
            "--format",
            "json",
            "--output",
            str(report),
            "--date",
            "2026-06-01",
            "--db",
            str(Path(tmp) / "no-store"),
        ]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(argv)
        document = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
        return code, document, err.getvalue()


def check(name: str, text: str) -> None:
    code, document, stderr = scan_document(name, text)
    context = f"\n--- {name} ---\n{text}\n--- stderr ---\n{stderr}"
    assert "internal error" not in stderr, context
    assert code in (0, 1, 2), context
    assert document, f"no report written (exit {code}){context}"
    VALIDATOR.validate(document)
    crashes = [e for e in document["errors"] if CRASH.search(e["message"])]
    assert not crashes, f"caught crashes: {crashes}{context}"
    lost = [e for e in document["errors"] if e["loss"] in ("app", "function")]
    assert (code == 2) == bool(lost), f"exit {code} with errors {document['errors']}{context}"


def _fuzz(strategy: Callable[[], st.SearchStrategy[dict[str, Any]]], name: str) -> Callable[..., None]:
    @FUZZ
    @given(doc=strategy(), as_json=st.booleans())
    def run(doc: dict[str, Any], as_json: bool) -> None:
        file_name = name.replace(".yml", ".json") if as_json else name
        check(file_name, _dump(doc, as_json))

    return run


test_fuzz_serverless = _fuzz(serverless_documents, "serverless.yml")
test_fuzz_sam = _fuzz(sam_documents, "template.yml")
test_fuzz_cloudformation = _fuzz(cloudformation_documents, "template.yml")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        # Regressions the fuzzer found (each failed before its fix; see the report of issue 11).
        (
            "template.yml",
            (
                "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"
                "Resources:\n  Bad: {Type: {}}\n  Fn:\n    Type: AWS::Serverless::Function\n"
                "    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: .}\n"
            ),
        ),
        (  # found at 2000 examples: a non-name `Condition` crashed the SAM translator and lost the app
            "template.yml",
            (
                "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"
                "  Fn:\n    Type: AWS::Serverless::Function\n    Condition: []\n    Properties:\n"
                "      Runtime: python3.12\n      Handler: handler.main\n      CodeUri: .\n"
                "      Events: {E1: {Type: Api, Properties: {Path: /a, Method: get}}}\n"
            ),
        ),
        # found at 10,000 examples: a function named '' made a report that fails its own schema
        ("serverless.yml", "service: svc\nfunctions:\n  '': {}\n"),
    ],
)
def test_fuzz_regressions(name: str, text: str) -> None:
    check(name, text)
