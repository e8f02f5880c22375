"""Every fix case under tests/fix/cases: the exact patch, written, verified by a second scan, round-tripped."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fix.harness import CASES, case_dirs, run_case


@pytest.mark.parametrize("case", case_dirs(), ids=lambda p: str(p.relative_to(CASES)))
def test_fix_case(case: Path, tmp_path: Path) -> None:
    run_case(case, tmp_path)
