"""Every language front end gives the same findings on the same programs (see `languages.py`).

A new language (Go, Java) passes when it is added to `LANGUAGES` with its version of each scenario.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.code.conformance.languages import EXPECTED, EXPECTED_SDK, LANGUAGES, Language
from tests.code.helpers import fn, run, write_app

_FUNCTION = """\
h:
  handler: {handler}
  runtime: {runtime}
  environment:
    TABLE: orders-table
    TABLE_NAME: orders-table
    DB_PASSWORD: ${{ssm:/app/db-password}}
  events:
    - httpApi: POST /x
"""


def _scan(
    tmp_path: Path, language: Language, scenario: str
) -> tuple[set[tuple[str, str, int]], set[tuple[str, str, str | None]]]:
    handler = f"{Path(language.file).stem}.handler"
    write_app(
        tmp_path,
        _FUNCTION.format(handler=handler, runtime=language.runtime),
        {language.file: language.scenarios[scenario]},
    )
    result = run(tmp_path, select=("CODE", "IAM001"))
    assert not [e for e in result.errors if e.stage == "code"], result.errors
    findings = {(f.rule_id, f.location.path, f.location.line) for f in result.findings if f.rule_id.startswith("CODE")}
    calls = {(c.service, c.operation, c.resource) for c in fn(result, "h").sdk_calls}
    return findings, calls


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.name)
def test_scenario(tmp_path: Path, language: Language, scenario: str) -> None:
    findings, calls = _scan(tmp_path, language, scenario)
    expected = {(rule, language.file, line) for rule, line in EXPECTED[scenario]}
    if scenario in language.gaps and findings != expected:
        pytest.xfail(f"{language.name} lacks: {language.gaps[scenario]}")
    assert findings == expected
    if scenario in EXPECTED_SDK:
        assert calls == set(EXPECTED_SDK[scenario])


def test_every_language_writes_every_scenario() -> None:
    for language in LANGUAGES:
        assert set(language.scenarios) == set(EXPECTED), language.name
