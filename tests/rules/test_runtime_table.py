"""The dated Lambda runtime table (`fnaudit/data/runtimes.json`): complete and well-formed."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import pytest

from fnaudit.rules.runtime._table import lookup, runtimes
from tests.conftest import SCAN_DATE

RAW = json.loads(resources.files("fnaudit").joinpath("data", "runtimes.json").read_text(encoding="utf-8"))
ENTRIES = RAW["runtimes"]
DATE_FIELDS = ("deprecation", "block_function_create", "block_function_update")


def _botocore_runtimes() -> list[str]:
    botocore_session = pytest.importorskip("botocore.session")
    model = botocore_session.get_session().get_service_model("lambda")
    return list(model.shape_for("Runtime").enum)


def test_every_runtime_of_the_lambda_api_model_is_in_the_table() -> None:
    missing = sorted(set(_botocore_runtimes()) - set(ENTRIES))
    assert not missing, f"runtimes.json lacks {missing}: add them from AWS's Lambda runtimes page"


@pytest.mark.parametrize("runtime", sorted(ENTRIES))
def test_entry_is_well_formed(runtime: str) -> None:
    entry = ENTRIES[runtime]
    assert set(entry) <= {"name", *DATE_FIELDS, "successor", "estimated"}
    assert entry["name"]
    dates = [dt.date.fromisoformat(entry[f]) if entry[f] else None for f in DATE_FIELDS]
    known = [d for d in dates if d is not None]
    assert known == sorted(known), f"{runtime}: deprecation <= block create <= block update"
    if dates[0] is None:
        assert not known, f"{runtime}: block dates without a deprecation date"
    successor = entry["successor"]
    if successor is not None:
        assert successor in ENTRIES, f"{runtime}: unknown successor {successor}"
        assert ENTRIES[successor]["deprecation"] is None or (
            entry["deprecation"] is not None and ENTRIES[successor]["deprecation"] >= entry["deprecation"]
        ), f"{runtime}: successor {successor} is deprecated earlier"


def test_successors_are_supported_on_the_scan_date() -> None:
    for rid, info in runtimes().items():
        if info.successor:
            assert not runtimes()[info.successor].deprecated_on(SCAN_DATE), f"{rid} → {info.successor}"


def test_lookup_forgives_case_and_spaces_and_knows_nothing_of_custom_names() -> None:
    assert lookup(" Python3.8 ") is not None
    assert lookup("python3.99") is None
    info = lookup("python3.8")
    assert info is not None and info.deprecated_on(SCAN_DATE) and info.successor == "python3.14"
